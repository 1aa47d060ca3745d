//! A production build never replays by accident: in a virtual workspace without a
//! `resolver` key, cargo uses resolver 1, which turns `[dev-dependencies]` features on in
//! normal builds. The build fails, saying which line to add; with it, the binary gets the
//! function as written.

use cached_stubs_suite::UserCrate;
use std::path::Path;

#[test]
fn resolver_1_is_refused_naming_the_line_that_sets_2() {
    let user = UserCrate::new("virtual-workspace", "");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("cached-stubs");
    user.write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\ncached-stubs = {{ path = {runtime:?} }}\n\n\
             [dev-dependencies]\ncached-stubs = {{ path = {runtime:?}, features = [\"record-replay\"] }}\n"
        ),
    );
    user.write("Cargo.toml", "[workspace]\nmembers = [\"app\"]\n");
    // The debug profile, whose dependencies the other user crates built already: the
    // resolver is the same for every profile.
    let output = user.cargo(&["build"], None).failure();
    let expected = format!(
        "cached-stubs needs cargo's feature resolver 2 or later: with resolver 1, cargo turns \
         on `record-replay`, meant for [dev-dependencies], in normal builds too, and a release \
         build would replay stubs; add `resolver = \"2\"` under `[workspace]` in {}",
        user.path("Cargo.toml").display()
    );
    assert!(output.contains(&expected), "{expected:?} not in\n{output}");

    user.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
    );
    let printed = user.cargo(&["run", "--quiet"], Some("1")).success();
    assert!(printed.contains("Hello, Ada!"), "{printed}");
    assert!(
        !user.path("app/stubs").exists(),
        "a normal build recorded a stub"
    );
}
