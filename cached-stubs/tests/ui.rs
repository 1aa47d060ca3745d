//! The compile errors users get, and the shapes that compile, locked by trybuild.

#[test]
#[cfg_attr(
    not(feature = "record-replay"),
    ignore = "the record/replay expansion needs the record-replay feature: run `cargo test --workspace`"
)]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/fail/*.rs");
    cases.pass("tests/ui/pass/*.rs");
}
