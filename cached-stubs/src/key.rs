//! Stub keys: which file a call's arguments map to.

use crate::args::Arg;
use crate::canonical::{self, HashSink};
use std::sync::LazyLock;

/// Separates our hashes from every other use of blake3; bump the version when the canonical
/// encoding changes, since every key changes with it.
const CONTEXT: &str = "cached-stubs 2026-11-20 argument key v1";

/// The first 128 bits of a blake3 hash of the named arguments' canonical encodings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Key([u8; 16]);

/// An argument whose `Serialize` implementation failed while its key was computed.
#[derive(Debug)]
pub(crate) struct KeyError {
    pub(crate) arg: &'static str,
    pub(crate) error: canonical::Error,
}

impl Key {
    /// The key of a call: each argument's name, then its value, in declaration order.
    pub(crate) fn of<'a>(args: impl IntoIterator<Item = &'a Arg<'a>>) -> Result<Key, KeyError> {
        // Deriving the key from the context string costs a hash: do it once.
        static HASHER: LazyLock<blake3::Hasher> =
            LazyLock::new(|| blake3::Hasher::new_derive_key(CONTEXT));
        let mut hasher = HASHER.clone();
        let mut sink = HashSink::new(&mut hasher);
        for arg in args {
            canonical::encode(arg.name, &mut sink)
                .and_then(|()| arg.value.encode_into(&mut sink))
                .map_err(|error| KeyError {
                    arg: arg.name,
                    error,
                })?;
        }
        sink.finish();
        let mut key = [0; 16];
        hasher.finalize_xof().fill(&mut key);
        Ok(Key(key))
    }

    /// The stub file's name: `<32 hex digits>.json`.
    pub(crate) fn file_name(self) -> String {
        let mut name = String::with_capacity(37);
        name.extend(self.hex());
        name.push_str(".json");
        name
    }

    /// The key's 32 hex digits.
    pub(crate) fn to_hex(self) -> String {
        self.hex().collect()
    }

    /// Whether `text` is this key's hex digits.
    pub(crate) fn is_hex_of(self, text: &str) -> bool {
        text.len() == 32
            && self
                .hex()
                .zip(text.chars())
                .all(|(ours, theirs)| ours == theirs)
    }

    /// The key's hex digits.
    fn hex(self) -> impl Iterator<Item = char> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.0.into_iter().flat_map(|byte| {
            [byte >> 4, byte & 0xf].map(|digit| char::from(DIGITS[usize::from(digit)]))
        })
    }

    /// The key's 16 bytes.
    #[cfg(feature = "_bench")]
    pub(crate) fn bytes(self) -> [u8; 16] {
        self.0
    }

    /// Whether `name` is a stub file's name.
    pub(crate) fn is_file_name(name: &str) -> bool {
        name.strip_suffix(".json").is_some_and(Key::is_hex)
    }

    /// Whether `text` is 32 lowercase hex digits, as a key and a dependency's hash are
    /// written.
    pub(crate) fn is_hex(text: &str) -> bool {
        text.len() == 32
            && text
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    }
}

#[cfg(test)]
mod tests {
    use super::Key;
    use crate::args::arg;
    use std::collections::{BTreeMap, HashMap};

    #[test]
    fn equal_hash_map_and_btree_map_give_equal_keys() {
        let entries: Vec<(String, f64)> =
            (0..32).map(|i| (format!("k{i}"), f64::from(i))).collect();
        let hash: HashMap<_, _> = entries.iter().cloned().collect();
        let btree: BTreeMap<_, _> = entries.into_iter().collect();
        assert_eq!(
            Key::of(&[arg("options", &hash)]).unwrap(),
            Key::of(&[arg("options", &btree)]).unwrap()
        );
    }

    #[test]
    fn names_and_order_of_arguments_are_part_of_the_key() {
        let base = Key::of(&[arg("a", &1), arg("b", &2)]).unwrap();
        assert_ne!(base, Key::of(&[arg("b", &2), arg("a", &1)]).unwrap());
        assert_ne!(base, Key::of(&[arg("a", &1), arg("c", &2)]).unwrap());
        assert_ne!(base, Key::of(&[arg("a", &1)]).unwrap());
        assert_eq!(base, Key::of(&[arg("a", &1u64), arg("b", &2i8)]).unwrap());
    }

    #[test]
    fn borrowed_and_owned_values_give_equal_keys() {
        let owned = String::from("Paris");
        let borrowed: &str = "Paris";
        let slice: &[u32] = &[1, 2];
        assert_eq!(
            Key::of(&[arg("s", &owned), arg("v", &vec![1, 2])]).unwrap(),
            Key::of(&[arg("s", &borrowed), arg("v", &slice)]).unwrap()
        );
        assert_eq!(
            Key::of(&[arg("o", &Some(&owned))]).unwrap(),
            Key::of(&[arg("o", &Some(owned.clone()))]).unwrap()
        );
    }

    #[test]
    fn stub_file_names_are_keys() {
        let key = Key::of(&[arg("a", &1)]).unwrap();
        assert!(Key::is_file_name(&key.file_name()));
        for name in [
            "key.json",
            ".0123456789abcdef0123456789abcdef.json.x1.tmp",
            "0123456789ABCDEF0123456789ABCDEF.json",
        ] {
            assert!(!Key::is_file_name(name), "{name}");
        }
    }

    #[test]
    fn the_key_of_a_value_is_pinned() {
        // Every committed stub's file name depends on this: it changes only with `CONTEXT`.
        let key = Key::of(&[arg("prompt", &"What is the capital of France?")]).unwrap();
        assert_eq!(key.file_name(), format!("{PINNED}.json"));
    }

    const PINNED: &str = "6441dda1176a84f3681863da140de78e";
}
