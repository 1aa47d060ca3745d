//! What the benchmarks in `benches/` time inside this crate, with the `_bench` feature they
//! enable. Not public API.

pub use crate::args::{Arg, arg};

/// The key of `args`, or `None` when an argument fails to serialize.
pub fn key(args: &[Arg<'_>]) -> Option<[u8; 16]> {
    crate::key::Key::of(args).ok().map(crate::key::Key::bytes)
}
