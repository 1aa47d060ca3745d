//! The strict reading a replay makes: one pass over the file, the body deserialized as the
//! function's type, the source hash compared where it lies.

use super::{Body, FIELD_NAMES, FORMAT, Field};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

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
/// other kind and trailing data are errors; [`diagnose`](super::diagnose) says which.
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
        let body_field = self.body.field();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stub_file::write::tests::written;
    use serde_json::json;

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
}
