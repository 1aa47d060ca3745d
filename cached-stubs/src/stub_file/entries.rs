//! One object of a stub alone (its `args`, or its `depends`), in the order its entries were
//! written, which serde_json's `Map` would sort: for a miss message that compares recorded
//! arguments with a call's, and for `cargo stubs show`.

use super::Field;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;

/// The `args` of a stub file in the order they were written, which is the function's, or
/// `None` when it has no `args` object.
pub(crate) fn recorded_args(bytes: &[u8]) -> Option<Vec<(String, Value)>> {
    entries(bytes, Field::Args)
}

/// The `depends` of a stub file in the order they were written, which is the function's;
/// none when it has none.
#[cfg(any(feature = "_cargo-stubs", feature = "_server"))]
pub(crate) fn recorded_depends(bytes: &[u8]) -> Vec<(String, Value)> {
    entries(bytes, Field::Depends).unwrap_or_default()
}

/// The entries of the object `field` of a stub file, in order, or `None` when it has no
/// such object.
fn entries(bytes: &[u8], field: Field) -> Option<Vec<(String, Value)>> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde::de::DeserializeSeed::deserialize(ObjectOf(field), &mut deserializer).ok()?
}

/// Reads a stub file for its object `field`, every other field skipped.
struct ObjectOf(Field);

/// A JSON object's entries, in order.
struct Entries(Vec<(String, Value)>);

impl<'de> DeserializeSeed<'de> for ObjectOf {
    type Value = Option<Vec<(String, Value)>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectOf {
    type Value = Option<Vec<(String, Value)>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stub object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = None;
        while let Some(field) = map.next_key::<String>()? {
            if field == self.0.name() {
                entries = Some(map.next_value::<Entries>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(entries)
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

#[cfg(test)]
mod tests {
    use super::recorded_args;
    use crate::stub_file::write::tests::written;
    use serde_json::json;

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
}
