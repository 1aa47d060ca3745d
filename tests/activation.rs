//! When `#[cached_stub]` is active, seen from a separate crate built with cargo: the
//! fixture `tests/fixtures/outside-crate` depends on cached-stubs by path, once with the
//! `record-replay` feature in its `[dev-dependencies]` as the README says, once without.
//! Its real function bodies append to a log, so the test can count real calls.

use cached_stubs_suite::{files_below, without_stub_settings};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A copy of the fixture crate in a temporary folder.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(feature_in_dev_dependencies: bool) -> Fixture {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in files_below(&workspace.join("tests/fixtures/outside-crate")) {
            let target = dir.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        // The workspace's lock file pins the same dependency versions, so no network is needed.
        std::fs::copy(workspace.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        let runtime = workspace.join("cached-stubs");
        let dev_dependencies = if feature_in_dev_dependencies {
            format!("cached-stubs = {{ path = {runtime:?}, features = [\"record-replay\"] }}")
        } else {
            String::new()
        };
        let manifest = format!(
            "[package]\nname = \"outside-crate\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\ncached-stubs = {{ path = {runtime:?} }}\n\n\
             [dev-dependencies]\n{dev_dependencies}\n\n[workspace]\n"
        );
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        Fixture { dir }
    }

    /// Runs `cargo <args>` in the fixture with `RECORD` set to `record`, or unset.
    fn cargo(&self, args: &[&str], record: Option<&str>) -> String {
        let mut command = Command::new(env!("CARGO"));
        without_stub_settings(&mut command)
            .args(args)
            .arg("--offline")
            .current_dir(self.dir.path())
            // Shared by every fixture and kept between runs: dependencies build once.
            .env(
                "CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("outside-crate"),
            )
            .env("REAL_CALLS", self.dir.path().join("real-calls.log"));
        if let Some(value) = record {
            command.env("RECORD", value);
        }
        let output = command.output().expect("cargo runs");
        let Output {
            status,
            stdout,
            stderr,
        } = output;
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
        assert!(
            status.success(),
            "cargo {args:?} (RECORD={record:?}) failed:\n{printed}"
        );
        printed
    }

    /// The real calls made so far, sorted.
    fn real_calls(&self) -> Vec<String> {
        let log =
            std::fs::read_to_string(self.dir.path().join("real-calls.log")).unwrap_or_default();
        let mut calls: Vec<_> = log.lines().map(str::to_string).collect();
        calls.sort();
        calls
    }

    fn stubs_folder(&self) -> PathBuf {
        self.dir.path().join("stubs")
    }

    /// The folders holding stub files, relative to `stubs/`.
    fn stubbed_functions(&self) -> Vec<PathBuf> {
        let mut folders: Vec<_> = files_below(&self.stubs_folder())
            .into_keys()
            .map(|file| file.parent().unwrap().to_path_buf())
            .collect();
        folders.dedup();
        folders
    }
}

#[test]
fn with_the_feature_in_dev_dependencies_tests_record_then_replay_and_builds_stay_plain() {
    let fixture = Fixture::new(true);

    // A plain build gets the function as written, even with RECORD set: no stubs folder.
    let printed = fixture.cargo(&["run", "--quiet"], Some("1"));
    assert!(printed.contains("Hello, Ada!"), "{printed}");
    assert_eq!(fixture.real_calls(), ["greet"]);
    assert!(!fixture.stubs_folder().exists());

    // Tests record in one process...
    fixture.cargo(&["test"], Some("1"));
    assert_eq!(fixture.real_calls(), ["greet", "greet", "shout"]);
    assert_eq!(
        fixture.stubbed_functions(),
        [
            Path::new("outside_crate/greet"),
            Path::new("outside_crate/tests/shout")
        ]
    );
    let recorded = files_below(&fixture.stubs_folder());

    // ...and replay in another, without running any real body or touching the stubs.
    fixture.cargo(&["test"], None);
    assert_eq!(fixture.real_calls(), ["greet", "greet", "shout"]);
    assert_eq!(files_below(&fixture.stubs_folder()), recorded);
}

#[test]
fn without_the_feature_only_code_under_cfg_test_is_stubbed() {
    let fixture = Fixture::new(false);

    fixture.cargo(&["test"], Some("1"));
    assert_eq!(fixture.real_calls(), ["greet", "shout"]);
    assert_eq!(
        fixture.stubbed_functions(),
        [Path::new("outside_crate/tests/shout")]
    );

    // The unit test replays; the integration test calls the real `greet` again.
    fixture.cargo(&["test"], None);
    assert_eq!(fixture.real_calls(), ["greet", "greet", "shout"]);
}
