//! A new stub's bytes: fields in a fixed order, pretty, keys sorted, a trailing newline.

use super::{Answer, Body, FORMAT, Field, Http};
use crate::depends::DependencyHash;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A recorded call, as it is written.
pub(crate) struct NewStub<'a> {
    pub(crate) function: &'a str,
    pub(crate) source_hash: &'a str,
    /// Written only when there are some.
    pub(crate) depends: &'a [DependencyHash],
    /// The function's `allow_secret(...)`, written when it has one.
    pub(crate) allow_secret: &'a [&'a str],
    pub(crate) args: &'a [(&'static str, Value)],
    /// The status and content type of an HTTP answer, recorded by `cached-stubs-server`.
    pub(crate) http: Option<&'a Http>,
    pub(crate) body: NewBody<'a>,
}

/// The recorded result of a new stub; timings only when `CACHED_STUBS_TIMING` is on.
pub(crate) enum NewBody<'a> {
    Output {
        output: &'a Value,
        /// How long the call took.
        elapsed_ms: Option<u64>,
    },
    Items {
        items: &'a [Value],
        /// How long the call took to start its stream (an HTTP answer's time to first byte).
        elapsed_ms: Option<u64>,
        /// When each item came after the start.
        offsets_ms: Option<&'a [u64]>,
    },
    /// A sequence's answers, one per call, in order.
    Sequence(&'a [Answer]),
}

impl NewBody<'_> {
    /// Which body this is.
    pub(crate) fn kind(&self) -> Body {
        match self {
            NewBody::Output { .. } => Body::Output,
            NewBody::Items { .. } => Body::Items,
            NewBody::Sequence(_) => Body::Sequence,
        }
    }
}

impl NewStub<'_> {
    /// The file's bytes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a JSON value always serializes");
        bytes.push(b'\n');
        bytes
    }
}

impl Serialize for NewStub<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut stub = serializer.serialize_struct("Stub", Field::ALL.len())?;
        stub.serialize_field(Field::Format.name(), &FORMAT)?;
        stub.serialize_field(Field::Function.name(), self.function)?;
        stub.serialize_field(Field::SourceHash.name(), self.source_hash)?;
        if !self.depends.is_empty() {
            stub.serialize_field(Field::Depends.name(), &Hashes(self.depends))?;
        }
        if !self.allow_secret.is_empty() {
            stub.serialize_field(Field::AllowSecret.name(), self.allow_secret)?;
        }
        stub.serialize_field(Field::Args.name(), &InOrder(self.args))?;
        if let Some(http) = self.http {
            stub.serialize_field(Field::Http.name(), &HttpFields(http))?;
        }
        let (elapsed_ms, offsets_ms) = match self.body {
            NewBody::Output { output, elapsed_ms } => {
                stub.serialize_field(Field::Output.name(), &Sorted(output))?;
                (elapsed_ms, None)
            }
            NewBody::Items {
                items,
                elapsed_ms,
                offsets_ms,
            } => {
                stub.serialize_field(Field::Items.name(), &SortedItems(items))?;
                (elapsed_ms, offsets_ms)
            }
            NewBody::Sequence(answers) => {
                let answers = answers.iter().map(|answer| answer.as_json().clone().into());
                let answers: Vec<Value> = answers.collect();
                stub.serialize_field(Field::Sequence.name(), &SortedItems(&answers))?;
                (None, None)
            }
        };
        if let Some(elapsed_ms) = elapsed_ms {
            stub.serialize_field(Field::ElapsedMs.name(), &elapsed_ms)?;
        }
        if let Some(offsets_ms) = offsets_ms {
            stub.serialize_field(Field::OffsetsMs.name(), offsets_ms)?;
        }
        stub.end()
    }
}

/// Dependencies' hashes by name, in declaration order.
struct Hashes<'a>(&'a [DependencyHash]);

impl Serialize for Hashes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self
            .0
            .iter()
            .map(|dependency| (dependency.name, dependency.hash.to_hex()));
        serializer.collect_map(entries)
    }
}

/// An HTTP answer's status and content type, keys sorted as everywhere else.
struct HttpFields<'a>(&'a Http);

impl Serialize for HttpFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("content_type", &self.0.content_type)?;
        map.serialize_entry("status", &self.0.status)?;
        map.end()
    }
}

/// Arguments in declaration order.
struct InOrder<'a>(&'a [(&'static str, Value)]);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &Sorted(value))?;
        }
        map.end()
    }
}

/// Items in order, each with sorted keys.
struct SortedItems<'a>(&'a [Value]);

impl Serialize for SortedItems<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Sorted))
    }
}

/// A JSON value whose objects are written with sorted keys, whatever their map keeps.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(object) => {
                let mut entries: Vec<_> = object.iter().collect();
                entries.sort_unstable_by_key(|(key, _)| *key);
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, &Sorted(value))?;
                }
                map.end()
            }
            Value::Array(items) => SortedItems(items).serialize(serializer),
            scalar => scalar.serialize(serializer),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::stub_file::{Expected, read};
    use serde_json::json;
    use std::collections::HashMap;

    /// What [`written`] was recorded from.
    pub(crate) const EXPECTED: Expected<'_> = Expected {
        function: "my_crate::llm::answer",
        source_hash: "abc",
        depends: &[],
    };

    /// A stub of `my_crate::llm::answer`, recorded from source hash `abc` with two arguments.
    pub(crate) fn written(output: &Value) -> Vec<u8> {
        let args = [
            ("prompt", json!("What is the capital of France?")),
            ("n", json!(2)),
        ];
        NewStub {
            function: "my_crate::llm::answer",
            source_hash: "abc",
            depends: &[],
            allow_secret: &[],
            args: &args,
            http: None,
            body: NewBody::Output {
                output,
                elapsed_ms: None,
            },
        }
        .to_bytes()
    }

    #[test]
    fn a_stub_is_pretty_json_in_a_fixed_order_with_a_trailing_newline() {
        let text = String::from_utf8(written(&json!("Paris."))).unwrap();
        assert_eq!(
            text,
            r#"{
  "format": 1,
  "function": "my_crate::llm::answer",
  "source_hash": "abc",
  "args": {
    "prompt": "What is the capital of France?",
    "n": 2
  },
  "output": "Paris."
}
"#
        );
    }

    #[test]
    fn objects_are_written_sorted_whatever_the_map_order() {
        let forward: HashMap<String, u32> = (0..20).map(|i| (format!("k{i}"), i)).collect();
        let text = String::from_utf8(written(&serde_json::to_value(&forward).unwrap())).unwrap();
        let keys: Vec<_> = text
            .match_indices("\"k")
            .map(|(at, _)| &text[at..at + 5])
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn an_allowance_is_written_after_the_source_hash_and_read_back() {
        let output = json!({"example": "x"});
        let bytes = NewStub {
            function: "f",
            source_hash: "abc",
            depends: &[],
            allow_secret: &["output.example"],
            args: &[],
            http: None,
            body: NewBody::Output {
                output: &output,
                elapsed_ms: None,
            },
        }
        .to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.contains(
                "\"source_hash\": \"abc\",\n  \"allow_secret\": [\n    \"output.example\"\n  ],\n  \"args\": {},"
            ),
            "{text}"
        );
        let expected = Expected {
            function: "f",
            source_hash: "abc",
            depends: &[],
        };
        let replayed = read::<Value>(&bytes, expected, Body::Output).unwrap();
        assert_eq!(replayed.body, output);
        let not_paths = text.replace("[\n    \"output.example\"\n  ]", "[1]");
        let error = read::<Value>(not_paths.as_bytes(), expected, Body::Output);
        assert!(error.is_err_and(|error| error.to_string().contains("invalid type")));
    }

    #[test]
    fn items_are_written_in_order_with_their_offsets() {
        let items = [json!({"delta": "Hel"}), json!({"delta": "lo"})];
        let stub = |offsets_ms| NewStub {
            function: "f",
            source_hash: "abc",
            depends: &[],
            allow_secret: &[],
            args: &[],
            http: None,
            body: NewBody::Items {
                items: &items,
                elapsed_ms: None,
                offsets_ms,
            },
        };
        let untimed = String::from_utf8(stub(None).to_bytes()).unwrap();
        assert!(untimed.ends_with("\"items\": [\n    {\n      \"delta\": \"Hel\"\n    },\n    {\n      \"delta\": \"lo\"\n    }\n  ]\n}\n"), "{untimed}");
        assert!(!untimed.contains("offsets_ms"));

        let timed = stub(Some(&[0, 41])).to_bytes();
        let expected = Expected {
            function: "f",
            source_hash: "abc",
            depends: &[],
        };
        let replayed = read::<Vec<Value>>(&timed, expected, Body::Items).unwrap();
        assert_eq!(replayed.body, items);
        assert_eq!(replayed.offsets_ms, Some(vec![0, 41]));
    }

    #[test]
    fn an_http_answer_keeps_its_status_content_type_and_timings_in_a_fixed_order() {
        let http = Http {
            status: 201,
            content_type: "application/json".into(),
        };
        let output = json!({"id": "x"});
        let bytes = NewStub {
            function: "POST::v1::files",
            source_hash: "server",
            depends: &[],
            allow_secret: &[],
            args: &[("method", json!("POST"))],
            http: Some(&http),
            body: NewBody::Output {
                output: &output,
                elapsed_ms: Some(250),
            },
        }
        .to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.ends_with(
                "  \"http\": {\n    \"content_type\": \"application/json\",\n    \"status\": 201\n  },\n  \"output\": {\n    \"id\": \"x\"\n  },\n  \"elapsed_ms\": 250\n}\n"
            ),
            "{text}"
        );
        let expected = Expected {
            function: "POST::v1::files",
            source_hash: "server",
            depends: &[],
        };
        let replayed = read::<Value>(&bytes, expected, Body::Output).unwrap();
        assert_eq!(
            (replayed.http, replayed.elapsed_ms),
            (Some(http), Some(250))
        );
        for (from, to, why) in [
            (
                "\"status\": 201",
                "\"status\": 404",
                "only answers of 200 to 299",
            ),
            (
                "\"elapsed_ms\": 250",
                "\"elapsed_ms\": 3600001",
                "within an hour",
            ),
            (
                "\"content_type\"",
                "\"contenttype\"",
                "unknown field `contenttype`",
            ),
        ] {
            let broken = text.replace(from, to);
            let error = read::<Value>(broken.as_bytes(), expected, Body::Output)
                .err()
                .unwrap();
            assert!(error.to_string().contains(why), "{error}");
        }
    }
}
