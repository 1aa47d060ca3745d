//! Arbitrary bytes as a stub file: reading one, and diagnosing what is wrong with it, must
//! return an answer, never panic, overflow the stack or run out of memory.

#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    cached_stubs::__fuzz::stub_file(bytes);
});
