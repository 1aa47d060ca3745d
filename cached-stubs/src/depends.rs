//! What an annotated function depends on besides its own tokens: the values of its
//! `depends(...)` and the files it includes with `include_str!` or `include_bytes!`. Each is
//! hashed with the canonical encoding of keys, and a stub keeps the hashes in `"depends"`,
//! by the expression as written: a stub recorded with other values is stale, as one of an
//! edited function is. Dependencies version a stub; they are not part of its key.

use crate::args::{Arg, StubArg};
use crate::key::{Key, KeyError};
use serde::Serialize;
use std::sync::OnceLock;

/// One dependency of an annotated call, as the expansion hands it over.
pub struct Dependency<'a> {
    name: &'static str,
    value: &'a dyn StubDependency,
    /// Where its hash is kept when its value can't change in a process (a constant).
    once: Option<&'static HashedOnce>,
}

/// The hash of a dependency whose value can't change in a process, worked out at its first
/// call.
pub struct HashedOnce(OnceLock<Key>);

impl HashedOnce {
    /// A hash not worked out yet, for a `static`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> HashedOnce {
        HashedOnce(OnceLock::new())
    }
}

/// A value that can version a stub: anything `serde::Serialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't version a stub: it doesn't implement `serde::Serialize`",
    label = "this dependency is hashed into the stub's `depends`",
    note = "name a value that serializes in `depends(...)`: a `&str`, a `String`, a number, \
            a struct that derives `Serialize`, or a version such as \"v2\""
)]
pub trait StubDependency {
    /// The value, to be hashed as a key's arguments are.
    fn as_hashed(&self) -> &dyn StubArg;
}

impl<T: Serialize> StubDependency for T {
    fn as_hashed(&self) -> &dyn StubArg {
        self
    }
}

/// A dependency named `name` (the expression as written), hashed at each call: its value
/// may change.
pub fn depend<'a, T: StubDependency>(name: &'static str, value: &'a T) -> Dependency<'a> {
    Dependency {
        name,
        value,
        once: None,
    }
}

/// A dependency named `name` whose value can't change in a process (a literal, a constant,
/// a file included): hashed once, into `once`.
pub fn depend_once<'a, T: StubDependency>(
    name: &'static str,
    once: &'static HashedOnce,
    value: &'a T,
) -> Dependency<'a> {
    Dependency {
        name,
        value,
        once: Some(once),
    }
}

/// A dependency's name and hash, as a stub keeps them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DependencyHash {
    pub(crate) name: &'static str,
    pub(crate) hash: Key,
}

/// The hashes of a call's dependencies, in the order declared.
pub(crate) fn hashes(dependencies: &[Dependency<'_>]) -> Result<Vec<DependencyHash>, KeyError> {
    dependencies
        .iter()
        .map(|dependency| {
            // Hashed under its name, as an argument is.
            let hash = || {
                let value = dependency.value.as_hashed();
                Key::of(&[Arg {
                    name: dependency.name,
                    value,
                }])
            };
            let hash = match dependency.once.map(|once| (once, once.0.get())) {
                Some((_, Some(hash))) => *hash,
                Some((once, None)) => {
                    let hash = hash()?;
                    *once.0.get_or_init(|| hash)
                }
                None => hash()?,
            };
            Ok(DependencyHash {
                name: dependency.name,
                hash,
            })
        })
        .collect()
}

/// How a dependency is named in a message: the file, for an `include_str!` or
/// `include_bytes!`; else the expression as written.
pub(crate) fn described(name: &str) -> String {
    let included = ["include_str!(", "include_bytes!("]
        .iter()
        .find_map(|include| name.strip_prefix(include)?.strip_suffix(')'));
    match included {
        Some(path) => format!("the file {}", path.trim()),
        None => format!("`{name}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_hashes_its_value_under_its_name() {
        let hash = |dependency: Dependency<'_>| hashes(&[dependency]).unwrap()[0].hash;
        assert_eq!(
            hash(depend("PROMPT", &"Hi")),
            hash(depend("PROMPT", &"Hi".to_string()))
        );
        assert_ne!(
            hash(depend("PROMPT", &"Hi")),
            hash(depend("PROMPT", &"Hello"))
        );
        assert_ne!(hash(depend("PROMPT", &"Hi")), hash(depend("MODEL", &"Hi")));
    }

    #[test]
    fn a_constant_is_hashed_once() {
        static ONCE: HashedOnce = HashedOnce::new();
        let first = hashes(&[depend_once("PROMPT", &ONCE, &"Hi")]).unwrap();
        // Only a constant is named so: a second value can't come, and isn't looked at.
        let second = hashes(&[depend_once("PROMPT", &ONCE, &"Hello")]).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn included_files_are_named_as_files() {
        assert_eq!(
            described("include_str!(\"prompts/classify.txt\")"),
            "the file \"prompts/classify.txt\""
        );
        assert_eq!(described("SYSTEM_PROMPT"), "`SYSTEM_PROMPT`");
    }
}
