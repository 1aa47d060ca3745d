//! When `#[cached_stub]` is active, seen from a separate crate built with cargo: the
//! fixture `tests/fixtures/outside-crate` depends on cached-stubs by path, once with the
//! `record-replay` feature in its `[dev-dependencies]` as the README says, once without.
//! Its real function bodies append to a log, so the test can count real calls.

use cached_stubs_suite::{FEATURE_IN_DEV_DEPENDENCIES, UserCrate, files_below};
use std::path::{Path, PathBuf};

/// The fixture `outside-crate`, with cached-stubs in `[dependencies]`, and in
/// `[dev-dependencies]` with the `record-replay` feature when `feature_in_dev_dependencies`.
fn outside_crate(feature_in_dev_dependencies: bool) -> UserCrate {
    let dependencies = if feature_in_dev_dependencies {
        FEATURE_IN_DEV_DEPENDENCIES
    } else {
        "[dependencies]\ncached-stubs = { path = {cached_stubs} }\n"
    };
    UserCrate::new("outside-crate", dependencies)
}

/// The folders holding stub files, relative to `stubs/`.
fn stubbed_functions(user: &UserCrate) -> Vec<PathBuf> {
    let mut folders: Vec<_> = files_below(&user.path("stubs"))
        .into_keys()
        .map(|file| file.parent().unwrap().to_path_buf())
        .collect();
    folders.dedup();
    folders
}

#[test]
fn with_the_feature_in_dev_dependencies_tests_record_then_replay_and_builds_stay_plain() {
    let fixture = outside_crate(true);

    // A plain build gets the function as written, even with RECORD set: no stubs folder.
    let printed = fixture.cargo(&["run", "--quiet"], Some("1")).success();
    assert!(printed.contains("Hello, Ada!"), "{printed}");
    assert_eq!(fixture.real_calls(), ["greet"]);
    assert!(!fixture.path("stubs").exists());

    // Tests record in one process...
    fixture.cargo(&["test"], Some("1")).success();
    assert_eq!(fixture.real_calls(), ["greet", "greet", "shout"]);
    assert_eq!(
        stubbed_functions(&fixture),
        [
            Path::new("outside_crate/greet"),
            Path::new("outside_crate/tests/shout")
        ]
    );
    let recorded = files_below(&fixture.path("stubs"));

    // ...and replay in another, without running any real body or touching the stubs.
    fixture.cargo(&["test"], None).success();
    assert_eq!(fixture.real_calls(), ["greet", "greet", "shout"]);
    assert_eq!(files_below(&fixture.path("stubs")), recorded);
}

#[test]
fn without_the_feature_a_test_build_fails_naming_the_line_to_add() {
    let fixture = outside_crate(false);

    let output = fixture.cargo(&["test"], Some("1")).failure();
    let line = format!(
        "add this line to `[dev-dependencies]` in Cargo.toml:\n           cached-stubs = {{ \
         version = \"{}\", features = [\"record-replay\"] }}",
        env!("CARGO_PKG_VERSION")
    );
    assert!(output.contains(&line), "{line:?} not in\n{output}");
    assert_eq!(fixture.real_calls(), Vec::<String>::new());
    assert!(!fixture.path("stubs").exists());
}

/// The dependencies a production build of the fixture compiles, from cargo's own report of
/// the artifacts it built.
fn compiled_dependencies(fixture: &UserCrate) -> Vec<String> {
    let output = fixture
        .cargo(&["build", "--message-format=json"], None)
        .success();
    let own_manifest = fixture.path("Cargo.toml");
    let mut packages: Vec<String> = output
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["manifest_path"].as_str() != own_manifest.to_str())
        .filter_map(|message| Some(message["target"]["name"].as_str()?.to_string()))
        .collect();
    packages.sort();
    packages.dedup();
    packages
}

#[test]
fn a_production_build_compiles_none_of_the_recorder() {
    for feature_in_dev_dependencies in [true, false] {
        let fixture = outside_crate(feature_in_dev_dependencies);
        assert_eq!(
            compiled_dependencies(&fixture),
            ["cached_stubs", "cached_stubs_macros"],
            "with the feature in dev-dependencies: {feature_in_dev_dependencies}"
        );
    }
}

/// README, "Your own service on stubs": cached-stubs as a normal dependency, and the
/// feature turned on from the command line for the runs that record and replay.
#[test]
fn a_service_run_with_the_feature_records_then_replays_and_its_release_build_is_plain() {
    let service = outside_crate(false);

    let recording = service
        .shell("RECORD=1 cargo run --features cached-stubs/record-replay")
        .success();
    assert!(recording.contains("Hello, Ada!"), "{recording}");
    assert_eq!(service.real_calls(), ["greet"]);
    assert_eq!(
        stubbed_functions(&service),
        [Path::new("outside_crate/greet")]
    );
    let recorded = files_below(&service.path("stubs"));

    let replay = service
        .shell("cargo run --features cached-stubs/record-replay")
        .success();
    assert!(replay.contains("Hello, Ada!"), "{replay}");
    assert_eq!(service.real_calls(), ["greet"], "replayed, not called");

    // The release build is the function as written: it calls for real, even with RECORD
    // set, and neither reads nor writes a stub.
    service.shell("cargo build --release").success();
    let plain = service.cargo(&["run", "--release"], Some("1")).success();
    assert!(plain.contains("Hello, Ada!"), "{plain}");
    assert_eq!(service.real_calls(), ["greet", "greet"]);
    assert_eq!(files_below(&service.path("stubs")), recorded);
}
