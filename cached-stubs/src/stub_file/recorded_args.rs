//! The `args` of a stub alone, in the order they were written (serde_json's `Map` would sort
//! them), for a miss message that compares them with a call's.

use super::Field;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;

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
                    if field == Field::Args.name() {
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
