//! The stub loader on arbitrary bytes, for the fuzz target in `fuzz/` (`cfg(fuzzing)` is set
//! by cargo-fuzz). Not public API.

/// Runs everything that reads a stub file on `bytes`: it must never panic.
pub fn stub_file(bytes: &[u8]) {
    crate::stub_file::fuzz(bytes);
}
