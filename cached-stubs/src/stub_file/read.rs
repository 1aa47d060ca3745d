//! The strict reading a replay makes: one pass over the file, the body deserialized as the
//! function's type, the source hash compared where it lies.

use super::{Body, FIELD_NAMES, FORMAT, Field, within_longest_wait};
use crate::depends::DependencyHash;
use crate::key::Key;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// What a replay reads: the recorded body (the output, or the items), how long the call took
/// and when the items came, the HTTP answer's status and content type, and what it was
/// recorded from.
pub(crate) struct Replayed<T> {
    pub(crate) body: T,
    pub(crate) elapsed_ms: Option<u64>,
    pub(crate) offsets_ms: Option<Vec<u64>>,
    /// Read by the untyped reading only: an annotated call's replay has no use for it.
    #[cfg_attr(
        not(any(feature = "_cargo-stubs", feature = "_server")),
        allow(dead_code)
    )]
    pub(crate) http: Option<Http>,
    pub(crate) recorded: Recorded,
}

/// A recorded HTTP answer's `"http"`: its status and content type.
#[derive(Clone, Debug, PartialEq)]
pub struct Http {
    /// The status code, 200 to 299: other answers are never recorded.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
}

/// The function, and the version of it, that a replay expects a stub to be recorded from.
#[derive(Clone, Copy)]
pub(crate) struct Expected<'a> {
    /// What the stub's `function` must say.
    pub(crate) function: &'a str,
    pub(crate) source_hash: &'a str,
    /// What the function depends on now, which the stub's `depends` must hold, and no more.
    pub(crate) depends: &'a [DependencyHash],
}

/// What a stub was recorded from, compared with what was [`Expected`].
#[derive(Debug, PartialEq)]
pub(crate) enum Recorded {
    /// The expected function, as it is now: the stub replays.
    Current,
    /// Another version of the expected function.
    Stale(Staleness),
    /// Another function, which this one shares a folder with.
    ByAnotherFunction(String),
}

/// What changed since a stale stub was recorded.
#[derive(Debug, PartialEq, Default)]
pub(crate) struct Staleness {
    /// The function's tokens: its body, signature or attribute.
    pub(crate) source: bool,
    /// The dependencies whose value changed, or that came or went, by name.
    pub(crate) depends: Vec<String>,
}

/// Reads a stub in one pass: `function`, `source_hash` and `depends` are compared with what
/// is `expected` where they lie in the input, `args` is checked to be an object and skipped,
/// the body (`output`, or `items` and `offsets_ms`) is deserialized as `T`, `elapsed_ms` must
/// stay within an hour, `http` must hold a 2xx `status` and a `content_type` and nothing
/// else. Unknown,
/// duplicate or missing fields, fields of the wrong type, another format, a body of the
/// other kind and trailing data are errors; [`diagnose`](super::diagnose) says which.
pub(crate) fn read<T: DeserializeOwned>(
    bytes: &[u8],
    expected: Expected<'_>,
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
        expected,
        body,
        output: PhantomData,
    })?;
    deserializer.end()?;
    Ok(replayed)
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stub field")
            }
            fn visit_str<E: de::Error>(self, field: &str) -> Result<Field, E> {
                Field::named(field).ok_or_else(|| E::unknown_field(field, FIELD_NAMES))
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct StubVisitor<'e, T> {
    expected: Expected<'e>,
    body: Body,
    output: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for StubVisitor<'_, T> {
    type Value = Replayed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stub object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Replayed<T>, A::Error> {
        let body_field = self.body.field();
        let mut seen = 0;
        let (mut same_function, mut same_source) = (None, None);
        let mut changed_depends = None;
        let (mut body, mut offsets_ms) = (None, None::<Vec<u64>>);
        let (mut elapsed_ms, mut http) = (None, None);
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
                Field::Function => {
                    let expected = Compared(field, self.expected.function);
                    same_function = Some(map.next_value_seed(expected)?)
                }
                Field::SourceHash => {
                    let expected = Compared(field, self.expected.source_hash);
                    same_source = Some(map.next_value_seed(expected)?)
                }
                Field::Depends => {
                    let expected = ComparedDepends(self.expected.depends);
                    changed_depends = Some(map.next_value_seed(expected)?)
                }
                Field::AllowSecret => {
                    map.next_value::<Vec<String>>()?;
                }
                Field::Args => {
                    map.next_value::<AnObject>()?;
                }
                _ if field == body_field => body = Some(map.next_value()?),
                Field::OffsetsMs if self.body == Body::Items => {
                    offsets_ms = Some(map.next_value()?)
                }
                Field::ElapsedMs => {
                    let ms = within_longest_wait(map.next_value()?);
                    elapsed_ms = Some(ms.map_err(de::Error::custom)?);
                }
                Field::Http => http = Some(map.next_value::<HttpField>()?.0),
                _ => return Err(de::Error::unknown_field(field.name(), FIELD_NAMES)),
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
        // A stub without `depends` was recorded without any.
        let depends = changed_depends.unwrap_or_else(|| {
            let expected = self.expected.depends.iter();
            expected
                .map(|dependency| dependency.name.to_string())
                .collect()
        });
        let recorded = match (same_function, same_source) {
            (Some(Err(other)), _) => Recorded::ByAnotherFunction(other),
            (Some(Ok(())), Some(Ok(()))) if depends.is_empty() => Recorded::Current,
            (Some(Ok(())), Some(same_source)) => Recorded::Stale(Staleness {
                source: same_source.is_err(),
                depends,
            }),
            _ => unreachable!("required fields are checked above"),
        };
        Ok(Replayed {
            body: body.expect("checked above"),
            elapsed_ms,
            offsets_ms,
            http,
            recorded,
        })
    }
}

/// Deserializes the string of a field compared with the expected one: `Ok` when they are
/// equal (without allocating), else the string found. Control characters are an error: no
/// function's path or hash has them, and they could act on the terminal of whoever reads
/// the stub.
struct Compared<'a>(Field, &'a str);

impl<'de> DeserializeSeed<'de> for Compared<'_> {
    type Value = Result<(), String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Compared<'_> {
    type Value = Result<(), String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, found: &str) -> Result<Self::Value, E> {
        if found == self.1 {
            return Ok(Ok(()));
        }
        if found.contains(crate::report::is_unprintable) {
            return Err(E::custom(format_args!(
                "\"{}\" holds control characters, which no function's path or hash has",
                self.0.name()
            )));
        }
        Ok(Err(found.to_string()))
    }
}

/// Deserializes a stub's `depends` into the names of the dependencies that differ from the
/// expected ones: recorded with another hash, recorded but no longer expected, or expected
/// but not recorded. Each must be a string of 32 hex digits.
struct ComparedDepends<'a>(&'a [DependencyHash]);

impl<'de> DeserializeSeed<'de> for ComparedDepends<'_> {
    type Value = Vec<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<String>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ComparedDepends<'_> {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of dependencies' hashes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
        let mut changed = Vec::new();
        let mut recorded = Vec::new();
        while let Some((name, hash)) = map.next_entry::<String, String>()? {
            if !Key::is_hex(&hash) {
                return Err(de::Error::custom(format_args!(
                    "the hash of dependency {name:?} is not 32 hex digits"
                )));
            }
            let expected = self.0.iter().find(|dependency| dependency.name == name);
            if !expected.is_some_and(|dependency| dependency.hash.is_hex_of(&hash)) {
                changed.push(name.clone());
            }
            recorded.push(name);
        }
        let gone = (self.0.iter())
            .filter(|dependency| !recorded.iter().any(|name| name == dependency.name));
        changed.extend(gone.map(|dependency| dependency.name.to_string()));
        Ok(changed)
    }
}

/// The `"http"` of a stub: `{"content_type": "...", "status": 200}`, in any order, nothing
/// else.
struct HttpField(Http);

impl<'de> Deserialize<'de> for HttpField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HttpVisitor)
    }
}

struct HttpVisitor;

impl<'de> Visitor<'de> for HttpVisitor {
    type Value = HttpField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of an HTTP answer's status and content type")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HttpField, A::Error> {
        const FIELDS: &[&str] = &["content_type", "status"];
        let (mut status, mut content_type) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" if status.is_none() => status = Some(map.next_value::<u16>()?),
                "content_type" if content_type.is_none() => {
                    content_type = Some(map.next_value::<String>()?)
                }
                "status" | "content_type" => {
                    return Err(de::Error::custom(format_args!(
                        "duplicate field `{key}` in \"http\""
                    )));
                }
                _ => return Err(de::Error::unknown_field(&key, FIELDS)),
            }
        }
        let status = status.ok_or_else(|| de::Error::missing_field("status"))?;
        if !(200..300).contains(&status) {
            return Err(de::Error::custom(format_args!(
                "\"http\" has status {status}: only answers of 200 to 299 are recorded"
            )));
        }
        let content_type = content_type.ok_or_else(|| de::Error::missing_field("content_type"))?;
        if content_type.contains(crate::report::is_unprintable) {
            return Err(de::Error::custom(
                "\"http\" has a content type with control characters",
            ));
        }
        Ok(HttpField(Http {
            status,
            content_type,
        }))
    }
}

/// A JSON object, whatever it holds, skipped: what `args` must be.
struct AnObject;

impl<'de> Deserialize<'de> for AnObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AnObject)
    }
}

impl<'de> Visitor<'de> for AnObject {
    type Value = AnObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of the arguments")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnObject, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(AnObject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub_file::write::tests::{EXPECTED, written};
    use serde_json::json;

    #[test]
    fn what_is_written_reads_back() {
        let bytes = written(&json!({"city": "Paris", "population": 2_100_000}));
        #[derive(Deserialize, PartialEq, Debug)]
        struct City {
            city: String,
            population: u32,
        }
        let read = |function, source_hash| {
            let expected = Expected {
                function,
                source_hash,
                depends: &[],
            };
            read::<City>(&bytes, expected, Body::Output).unwrap()
        };
        let replayed = read("my_crate::llm::answer", "abc");
        assert_eq!(replayed.recorded, Recorded::Current);
        assert_eq!(replayed.body.city, "Paris");
        assert_eq!(
            read("my_crate::llm::answer", "new").recorded,
            Recorded::Stale(Staleness {
                source: true,
                depends: vec![]
            })
        );
        assert_eq!(
            read("my_crate::llm::ask", "abc").recorded,
            Recorded::ByAnotherFunction("my_crate::llm::answer".into())
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
                read::<f64>(&bytes, EXPECTED, Body::Output)
                    .unwrap()
                    .body
                    .to_bits(),
                value.to_bits()
            );
        }
    }
}
