//! What the benchmarks in `benches/` time inside this crate, with the `_bench` feature they
//! enable. Not public API.

pub use crate::args::{Arg, arg};

/// The key of `args`, or `None` when an argument fails to serialize.
pub fn key(args: &[Arg<'_>]) -> Option<[u8; 16]> {
    crate::key::Key::of(args).ok().map(crate::key::Key::bytes)
}

/// How many secrets a recording would find in a stub of `args` and `items` (or an output,
/// given as one item), scanned as `Recording::write` scans it.
pub fn secrets_found(
    args: &[(&'static str, serde_json::Value)],
    items: &[serde_json::Value],
    output: bool,
) -> usize {
    use crate::secrets::{Returned, find};
    let returned = match (output, items) {
        (true, [output]) => Returned::Output(output),
        _ => Returned::Items(items),
    };
    find(args, returned, &[] as &[&str]).len()
}
