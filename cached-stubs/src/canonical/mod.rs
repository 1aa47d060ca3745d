//! The canonical encoding of argument values that stub keys are hashed from.
//!
//! It encodes serde's data model the way JSON sees it, made exact and independent of order:
//!
//! - integers of every width are one kind: `5u8`, `5i64` and `5u128` encode alike;
//! - floats are encoded by their `f64` bits (an `f32` widens exactly), every NaN as one
//!   NaN; `0.0` and `-0.0` stay different, as they print differently;
//! - a `char` is a one-character string, bytes are a sequence of integers, `()` and unit
//!   structs are null, newtype structs are their content; `None` is null too, but `Some(x)`
//!   is marked, so `Some(None)` is not `None`;
//! - structs and maps are both maps, and a map's entries are sorted by their encoded keys, so
//!   `HashMap` iteration order, serde_json's `preserve_order` and field order don't matter;
//!   keys may be any value, not only strings;
//! - enum variants are named, never numbered: `{"Variant": content}`, or the bare name for a
//!   unit variant;
//! - serde_json's `arbitrary_precision` numbers and `RawValue`s encode as the numbers and
//!   values they hold, so that feature doesn't change keys either.
//!
//! Every value encodes to a self-delimiting byte string (a tag, then a varint, a
//! length-prefixed payload, or items closed by an end tag), so a sequence of encodings
//! never reads as another sequence. Sequences are kept in order: a `HashSet`, which
//! serializes as one, would give a new key in every process, which is why the attribute
//! refuses `HashSet` arguments.
//!
//! - [`encoder`]: the serializer, writing each value's tag and payload;
//! - [`map`]: maps and structs, whose entries are sorted before they are written;
//! - [`scratch`]: the buffers of finished maps, kept for the next ones;
//! - [`hash_sink`]: the buffered way into a blake3 hasher.

mod encoder;
mod hash_sink;
mod map;
mod scratch;
#[cfg(test)]
mod tests;

use serde::ser::{self, Serialize};
use std::fmt;

pub use hash_sink::HashSink;

/// Where encoded bytes go: a key's hasher, or a buffer while map entries wait to be sorted.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Whether the items of a sequence count in their order, as in a key, or in any order, as
/// when a set (a `HashSet`, which iterates in a different order in every process) is
/// compared with itself read back.
#[derive(Clone, Copy)]
pub(crate) enum Order {
    Kept,
    Ignored,
}

/// Writes the canonical encoding of `value` into `sink`.
pub(crate) fn encode<T: Serialize + ?Sized, S: Sink>(value: &T, sink: &mut S) -> Result<(), Error> {
    encode_as(value, sink, Order::Kept)
}

/// Writes the canonical encoding of `value` into `sink`, its sequences' items in `order`.
fn encode_as<T: Serialize + ?Sized, S: Sink>(
    value: &T,
    sink: &mut S,
    order: Order,
) -> Result<(), Error> {
    value.serialize(encoder::Encoder(sink, order))
}

/// Feeds `value`'s fingerprint to `hasher`: its canonical encoding, in which the order of a
/// sequence's items doesn't count. Encodings are self-delimiting, so values fed one after
/// another hash as the sequence they are (a stream's items, in their order).
pub(crate) fn add_to_fingerprint<T: Serialize + ?Sized>(
    hasher: &mut blake3::Hasher,
    value: &T,
) -> Result<(), Error> {
    let mut sink = HashSink::new(hasher);
    encode_as(value, &mut sink, Order::Ignored)?;
    sink.finish();
    Ok(())
}

/// A blake3 hash of a value's canonical encoding in which the order of a sequence's items
/// doesn't count: what a value and itself read back from its stub are compared by, so that a
/// set (whose order changes from one process to the next) compares equal, and values a key
/// can't tell apart do too.
pub(crate) fn fingerprint<T: Serialize + ?Sized>(value: &T) -> Result<blake3::Hash, Error> {
    let mut hasher = blake3::Hasher::new();
    add_to_fingerprint(&mut hasher, value)?;
    Ok(hasher.finalize())
}

/// A value's `Serialize` implementation reported an error, or misused the serializer.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Error(message.to_string())
    }
}
