//! The arguments of an annotated call, as the expansion hands them over: a name and a
//! type-erased view of each value that is part of the key.

use crate::canonical::{self, HashSink};
use serde::Serialize;
use serde_json::Value;

/// One argument of an annotated call.
pub struct Arg<'a> {
    pub(crate) name: &'static str,
    pub(crate) value: &'a dyn StubArg,
}

/// Pairs an argument's name with its value; the expansion calls it with the argument's span,
/// so a value that can't be part of the key is reported at the argument.
pub fn arg<'a, T: StubArg>(name: &'static str, value: &'a T) -> Arg<'a> {
    Arg { name, value }
}

/// A value that can be part of a stub key: anything `serde::Serialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be part of the stub key: it doesn't implement `serde::Serialize`",
    label = "this argument is hashed into the stub key",
    note = "add it to `skip(...)` in `#[cached_stub(...)]` if it doesn't change the result \
            (a client, a connection, a logger), or implement `serde::Serialize` for it"
)]
pub trait StubArg {
    /// Feeds the value's canonical encoding to a key's hasher.
    fn encode_into(&self, sink: &mut HashSink<'_>) -> Result<(), canonical::Error>;

    /// The value as a stub file's `args` and a miss message show it.
    fn to_json(&self) -> Result<Value, serde_json::Error>;
}

impl<T: Serialize + ?Sized> StubArg for T {
    fn encode_into(&self, sink: &mut HashSink<'_>) -> Result<(), canonical::Error> {
        canonical::encode(self, sink)
    }

    fn to_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// The arguments as JSON, in declaration order. A value JSON can't hold (a `u128` beyond
/// `u64`, a map keyed by structs) is shown as a string that says so: the key never depends
/// on this form, only readers and miss messages do.
pub(crate) fn to_json<'a>(
    args: impl IntoIterator<Item = &'a Arg<'a>>,
) -> Vec<(&'static str, Value)> {
    args.into_iter()
        .map(|arg| {
            let json = arg.value.to_json().unwrap_or_else(|error| {
                Value::String(format!("<not representable as JSON: {error}>"))
            });
            (arg.name, json)
        })
        .collect()
}
