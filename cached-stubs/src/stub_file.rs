//! The stub file format: how a recorded call is written, and how a replay reads it back.
//!
//! ```json
//! {
//!   "format": 1,
//!   "function": "my_crate::llm::answer",
//!   "source_hash": "…",
//!   "args": { "prompt": "What is the capital of France?" },
//!   "output": "Paris."
//! }
//! ```
//!
//! A function returning a stream or an iterator has `"items": [...]` instead of `"output"`,
//! and, when recorded with `CACHED_STUBS_TIMING` set, `"offsets_ms": [...]`: when each item
//! came, in milliseconds from the first poll.
//!
//! Fields are written in this order, pretty, with a trailing newline; objects inside `args`,
//! `output` and `items` have their keys sorted, so the bytes depend only on the values (not
//! on `HashMap` order or serde_json's `preserve_order`) and re-recording an unchanged answer
//! leaves the file byte-identical.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::marker::PhantomData;

/// The format this version writes and reads.
pub(crate) const FORMAT: u64 = 1;

/// What a stub holds besides its call: one output, or the items of a sequence.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Body {
    Output,
    Items,
}

/// A recorded call, as it is written.
pub(crate) struct NewStub<'a> {
    pub(crate) function: &'a str,
    pub(crate) source_hash: &'a str,
    pub(crate) args: &'a [(&'static str, Value)],
    pub(crate) body: NewBody<'a>,
}

/// The recorded result of a new stub.
pub(crate) enum NewBody<'a> {
    Output(&'a Value),
    Items {
        items: &'a [Value],
        offsets_ms: Option<&'a [u64]>,
    },
}

impl NewBody<'_> {
    /// Which body this is.
    pub(crate) fn kind(&self) -> Body {
        match self {
            NewBody::Output(_) => Body::Output,
            NewBody::Items { .. } => Body::Items,
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
        let mut stub = serializer.serialize_struct("Stub", 6)?;
        stub.serialize_field("format", &FORMAT)?;
        stub.serialize_field("function", self.function)?;
        stub.serialize_field("source_hash", self.source_hash)?;
        stub.serialize_field("args", &InOrder(self.args))?;
        match self.body {
            NewBody::Output(output) => stub.serialize_field("output", &Sorted(output))?,
            NewBody::Items { items, offsets_ms } => {
                stub.serialize_field("items", &Items(items))?;
                if let Some(offsets_ms) = offsets_ms {
                    stub.serialize_field("offsets_ms", offsets_ms)?;
                }
            }
        }
        stub.end()
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
struct Items<'a>(&'a [Value]);

impl Serialize for Items<'_> {
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
            Value::Array(items) => Items(items).serialize(serializer),
            scalar => scalar.serialize(serializer),
        }
    }
}

/// What a replay reads: the recorded body (the output, or the items), when the items came,
/// and whether it was recorded from the source the function has now.
pub(crate) struct Replayed<T> {
    pub(crate) body: T,
    pub(crate) offsets_ms: Option<Vec<u64>>,
    pub(crate) current: bool,
}

/// Reads a stub in one pass: `args` and `function` are skipped, `source_hash` is compared
/// where it lies in the input, the body (`output`, or `items` and `offsets_ms`) is
/// deserialized as `T`. Unknown, duplicate or missing fields, another format, a body of the
/// other kind and trailing data are errors; [`diagnose`] says which.
pub(crate) fn read<T: DeserializeOwned>(
    bytes: &[u8],
    source_hash: &str,
    body: Body,
) -> Result<Replayed<T>, serde_json::Error> {
    // Checked whole, also where fields are skipped; the parser then trusts it.
    let text = std::str::from_utf8(bytes).map_err(|error| {
        de::Error::custom(format_args!(
            "the file is not UTF-8: invalid byte at offset {}",
            error.valid_up_to()
        ))
    })?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let replayed = deserializer.deserialize_map(StubVisitor {
        source_hash,
        body,
        output: PhantomData,
    })?;
    deserializer.end()?;
    Ok(replayed)
}

/// The fields of a stub file, in the order of their names in [`FIELDS`].
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Format,
    Function,
    SourceHash,
    Args,
    Output,
    Items,
    OffsetsMs,
}

impl Field {
    fn name(self) -> &'static str {
        FIELDS[self as usize]
    }

    /// This field's bit in a set of fields.
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

const FIELDS: &[&str] = &[
    "format",
    "function",
    "source_hash",
    "args",
    "output",
    "items",
    "offsets_ms",
];

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stub field")
            }
            fn visit_str<E: de::Error>(self, field: &str) -> Result<Field, E> {
                match field {
                    "format" => Ok(Field::Format),
                    "function" => Ok(Field::Function),
                    "source_hash" => Ok(Field::SourceHash),
                    "args" => Ok(Field::Args),
                    "output" => Ok(Field::Output),
                    "items" => Ok(Field::Items),
                    "offsets_ms" => Ok(Field::OffsetsMs),
                    other => Err(E::unknown_field(other, FIELDS)),
                }
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct StubVisitor<'h, T> {
    source_hash: &'h str,
    body: Body,
    output: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for StubVisitor<'_, T> {
    type Value = Replayed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stub object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Replayed<T>, A::Error> {
        let body_field = match self.body {
            Body::Output => Field::Output,
            Body::Items => Field::Items,
        };
        let mut seen = 0;
        let (mut current, mut body, mut offsets_ms) = (None, None, None::<Vec<u64>>);
        while let Some(field) = map.next_key::<Field>()? {
            if seen & field.bit() != 0 {
                return Err(de::Error::duplicate_field(field.name()));
            }
            seen |= field.bit();
            match field {
                Field::Format => {
                    let found: u64 = map.next_value()?;
                    if found != FORMAT {
                        return Err(de::Error::custom(format_args!("format {found}")));
                    }
                }
                Field::Function | Field::Args => {
                    map.next_value::<IgnoredAny>()?;
                }
                Field::SourceHash => {
                    current = Some(map.next_value_seed(Matches(self.source_hash))?)
                }
                _ if field == body_field => body = Some(map.next_value()?),
                Field::OffsetsMs if self.body == Body::Items => {
                    offsets_ms = Some(map.next_value()?)
                }
                _ => return Err(de::Error::unknown_field(field.name(), FIELDS)),
            }
        }
        let required = [
            Field::Format,
            Field::Function,
            Field::SourceHash,
            Field::Args,
            body_field,
        ];
        if let Some(missing) = required.iter().find(|field| seen & field.bit() == 0) {
            return Err(de::Error::missing_field(missing.name()));
        }
        Ok(Replayed {
            body: body.expect("checked above"),
            offsets_ms,
            current: current.expect("checked above"),
        })
    }
}

/// Deserializes a string into whether it equals the expected one, without allocating.
struct Matches<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for Matches<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Matches<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a source hash string")
    }

    fn visit_str<E: de::Error>(self, found: &str) -> Result<bool, E> {
        Ok(found == self.0)
    }
}

/// Why a stub that [`read`] rejected can't be replayed.
#[derive(Debug, PartialEq)]
pub(crate) enum Problem {
    /// Written by a newer cached-stubs.
    NewerFormat(u64),
    /// Recorded from another version of the function; its body may not fit any more.
    Stale,
    /// Anything else: not JSON, truncated, wrong fields or a body of another type.
    Broken(String),
}

/// The longest wait a replayed item may ask for: anything longer is a broken file, not a
/// recording.
const LONGEST_OFFSET_MS: u64 = 60 * 60 * 1000;

/// Checks that a stub's `offsets_ms` can time its `items` items: one each, never going
/// back, within [`LONGEST_OFFSET_MS`]. Apart from [`read`], which a stale stub with broken
/// offsets must pass, to be found stale.
pub(crate) fn check_offsets(offsets_ms: &[u64], items: usize) -> Result<(), Problem> {
    let broken = |what: &str| Err(Problem::Broken(format!("\"offsets_ms\" must {what}")));
    if offsets_ms.len() != items {
        return broken("have one offset per item");
    }
    if offsets_ms.windows(2).any(|pair| pair[0] > pair[1]) {
        return broken("never go down");
    }
    if offsets_ms
        .last()
        .is_some_and(|&last| last > LONGEST_OFFSET_MS)
    {
        return broken("stay within an hour (3600000)");
    }
    Ok(())
}

/// The body a stub read as a plain JSON object has: `items` for a sequence's, else `output`.
pub(crate) fn body_of(stub: &serde_json::Map<String, Value>) -> Body {
    if stub.contains_key("items") {
        Body::Items
    } else {
        Body::Output
    }
}

/// Reads a rejected stub again leniently to say what is wrong with it; `error` is what the
/// strict reading said.
pub(crate) fn diagnose(bytes: &[u8], source_hash: &str, error: &serde_json::Error) -> Problem {
    let Ok(Value::Object(stub)) = serde_json::from_slice::<Value>(bytes) else {
        return Problem::Broken(error.to_string());
    };
    match stub.get("format").and_then(Value::as_u64) {
        Some(format) if format > FORMAT => return Problem::NewerFormat(format),
        Some(FORMAT) => {}
        _ => return Problem::Broken(format!("\"format\" is not {FORMAT} ({error})")),
    }
    // Stale only if sound but for its body, of the kind it has: a broken file is never
    // taken for a stale one.
    match read::<IgnoredAny>(bytes, source_hash, body_of(&stub)) {
        Ok(Replayed { current: false, .. }) => Problem::Stale,
        Ok(Replayed { current: true, .. }) => Problem::Broken(error.to_string()),
        Err(structure) => Problem::Broken(structure.to_string()),
    }
}

/// The `args` of a stub file in the order they were written, which is the function's
/// (serde_json's `Map` would sort them), or `None` when it has no `args` object.
pub(crate) fn recorded_args(bytes: &[u8]) -> Option<Vec<(String, Value)>> {
    serde_json::from_slice::<ArgsOf>(bytes).ok()?.0
}

/// The `args` of a stub file, every other field skipped.
struct ArgsOf(Option<Vec<(String, Value)>>);

/// A JSON object's entries, in order.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for ArgsOf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FileVisitor;
        impl<'de> Visitor<'de> for FileVisitor {
            type Value = ArgsOf;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stub object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArgsOf, A::Error> {
                let mut args = None;
                while let Some(field) = map.next_key::<String>()? {
                    if field == "args" {
                        args = Some(map.next_value::<Entries>()?.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(ArgsOf(args))
            }
        }
        deserializer.deserialize_map(FileVisitor)
    }
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Everything that reads a stub, on arbitrary bytes: the strict reading of both kinds of
/// body, the diagnosis of what it rejects, and the arguments a miss message shows.
#[cfg(fuzzing)]
pub(crate) fn fuzz(bytes: &[u8]) {
    for body in [Body::Output, Body::Items] {
        if let Err(error) = read::<Value>(bytes, "a source hash", body) {
            diagnose(bytes, "a source hash", &error);
        }
    }
    recorded_args(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn written(output: &Value) -> Vec<u8> {
        let args = [
            ("prompt", json!("What is the capital of France?")),
            ("n", json!(2)),
        ];
        NewStub {
            function: "my_crate::llm::answer",
            source_hash: "abc",
            args: &args,
            body: NewBody::Output(output),
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
    fn what_is_written_reads_back() {
        let bytes = written(&json!({"city": "Paris", "population": 2_100_000}));
        #[derive(Deserialize, PartialEq, Debug)]
        struct City {
            city: String,
            population: u32,
        }
        let replayed = read::<City>(&bytes, "abc", Body::Output).unwrap();
        assert!(replayed.current);
        assert_eq!(replayed.body.city, "Paris");
        assert!(
            !read::<City>(&bytes, "another", Body::Output)
                .unwrap()
                .current
        );
    }

    #[test]
    fn broken_stubs_are_diagnosed() {
        let bytes = written(&json!("Paris."));
        let problem = |bytes: &[u8]| {
            let error = read::<String>(bytes, "abc", Body::Output)
                .err()
                .expect("rejected");
            diagnose(bytes, "abc", &error)
        };
        let truncated = &bytes[..bytes.len() / 2];
        assert!(matches!(problem(truncated), Problem::Broken(e) if e.contains("EOF")));

        let newer = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"format\": 1", "\"format\": 2");
        assert_eq!(problem(newer.as_bytes()), Problem::NewerFormat(2));

        let wrong_type = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"Paris.\"", "42");
        assert!(
            matches!(problem(wrong_type.as_bytes()), Problem::Broken(e) if e.contains("invalid type"))
        );

        let unknown = String::from_utf8(bytes.clone())
            .unwrap()
            .replace("\"args\"", "\"argz\"");
        assert!(
            matches!(problem(unknown.as_bytes()), Problem::Broken(e) if e.contains("unknown field `argz`"))
        );

        let missing = br#"{"format": 1, "function": "f", "source_hash": "abc", "args": {}}"#;
        assert!(
            matches!(problem(missing), Problem::Broken(e) if e.contains("missing field `output`"))
        );

        let trailing = [&bytes[..], b"{}"].concat();
        assert!(matches!(problem(&trailing), Problem::Broken(e) if e.contains("trailing")));

        let stale_and_retyped = wrong_type.replace("\"abc\"", "\"old\"");
        assert_eq!(problem(stale_and_retyped.as_bytes()), Problem::Stale);

        let stale_and_broken = unknown.replace("\"abc\"", "\"old\"");
        assert!(
            matches!(problem(stale_and_broken.as_bytes()), Problem::Broken(e) if e.contains("unknown field `argz`"))
        );
    }

    #[test]
    fn invalid_utf8_anywhere_is_broken() {
        let mut bytes = written(&json!("Paris."));
        let at = bytes
            .windows(6)
            .position(|window| window == b"my_cra")
            .unwrap();
        bytes[at] = 0xff;
        let error = read::<String>(&bytes, "abc", Body::Output).err().unwrap();
        let problem = diagnose(&bytes, "abc", &error);
        assert_eq!(
            problem,
            Problem::Broken(format!(
                "the file is not UTF-8: invalid byte at offset {at}"
            ))
        );
    }

    #[test]
    fn floats_read_back_exactly() {
        // Without serde_json's `float_roundtrip`, about one f64 in ten reads back 1 ULP off.
        for value in [
            958.787_270_229_118_9,
            0.1 + 0.2,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e-300,
        ] {
            let bytes = written(&json!(value));
            assert_eq!(
                read::<f64>(&bytes, "abc", Body::Output)
                    .unwrap()
                    .body
                    .to_bits(),
                value.to_bits()
            );
        }
    }

    #[test]
    fn items_are_written_in_order_with_their_offsets() {
        let items = [json!({"delta": "Hel"}), json!({"delta": "lo"})];
        let stub = |offsets_ms| NewStub {
            function: "f",
            source_hash: "abc",
            args: &[],
            body: NewBody::Items {
                items: &items,
                offsets_ms,
            },
        };
        let untimed = String::from_utf8(stub(None).to_bytes()).unwrap();
        assert!(untimed.ends_with("\"items\": [\n    {\n      \"delta\": \"Hel\"\n    },\n    {\n      \"delta\": \"lo\"\n    }\n  ]\n}\n"), "{untimed}");
        assert!(!untimed.contains("offsets_ms"));

        let timed = stub(Some(&[0, 41])).to_bytes();
        let replayed = read::<Vec<Value>>(&timed, "abc", Body::Items).unwrap();
        assert_eq!(replayed.body, items);
        assert_eq!(replayed.offsets_ms, Some(vec![0, 41]));
    }

    #[test]
    fn a_body_of_the_other_kind_is_an_error_or_stale() {
        let output = written(&json!("Paris."));
        let error = read::<Vec<String>>(&output, "abc", Body::Items)
            .err()
            .unwrap();
        assert!(
            error.to_string().contains("unknown field `output`"),
            "{error}"
        );
        assert_eq!(diagnose(&output, "another", &error), Problem::Stale);
        assert!(matches!(
            diagnose(&output, "abc", &error),
            Problem::Broken(_)
        ));
    }

    #[test]
    fn recorded_args_are_read_in_the_order_they_were_written() {
        let args = recorded_args(&written(&json!(null))).unwrap();
        let expected = [
            (
                "prompt".to_string(),
                json!("What is the capital of France?"),
            ),
            ("n".to_string(), json!(2)),
        ];
        assert_eq!(args, expected);
        assert_eq!(recorded_args(b"not json"), None);
        assert_eq!(recorded_args(br#"{"format": 1}"#), None);
        assert_eq!(recorded_args(br#"{"args": []}"#), None);
    }

    #[test]
    fn offsets_time_every_item_in_order_within_an_hour() {
        let broken = |offsets: &[u64], items| match check_offsets(offsets, items) {
            Err(Problem::Broken(why)) => why,
            other => panic!("{offsets:?} for {items} items: {other:?}"),
        };
        assert!(check_offsets(&[], 0).is_ok());
        assert!(check_offsets(&[0, 0, 40, 3_600_000], 4).is_ok());
        assert!(broken(&[0, 40], 3).contains("one offset per item"));
        assert!(broken(&[0, 40, 39], 3).contains("never go down"));
        assert!(broken(&[0, 3_600_001], 2).contains("within an hour"));
    }
}
