//! Helpers shared by the integration tests of cached-stubs.
//!
//! `RECORD` is read once per process, so a test that records and then replays runs each step
//! in a child process: the test binary running one of its own `#[ignore]`d tests, with its
//! own `RECORD` and stub folder.

use std::path::Path;
use std::process::Command;

/// One `#[ignore]`d test of the current test binary, about to run in a child process.
///
/// ```no_run
/// let stubs = tempfile::tempdir().unwrap();
/// cached_stubs_suite::ChildTest::new("child_records")
///     .record("1")
///     .stubs(stubs.path())
///     .run()
///     .success();
/// ```
pub struct ChildTest {
    name: String,
    command: Command,
}

/// What a child test printed, once it has exited.
pub struct Finished {
    name: String,
    passed: bool,
    /// Everything it wrote to stdout and stderr, the test's panic message included.
    pub output: String,
}

impl ChildTest {
    /// The test `name` (a path such as `child_records`), run alone and exactly, with
    /// `RECORD` and `CACHED_STUBS_DIR` removed from its environment.
    pub fn new(name: &str) -> ChildTest {
        let exe = std::env::current_exe().expect("the test binary knows its path");
        let mut command = Command::new(exe);
        command
            .args([
                name,
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_remove("RECORD")
            .env_remove("CACHED_STUBS_DIR");
        ChildTest {
            name: name.to_string(),
            command,
        }
    }

    /// Runs it with `RECORD` set to `value`.
    pub fn record(self, value: &str) -> ChildTest {
        self.env("RECORD", value)
    }

    /// Runs it with its stubs in `dir` (`CACHED_STUBS_DIR`).
    pub fn stubs(self, dir: &Path) -> ChildTest {
        self.env("CACHED_STUBS_DIR", dir)
    }

    /// Runs it with one more environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> ChildTest {
        self.command.env(key, value);
        self
    }

    /// Runs it to the end.
    pub fn run(mut self) -> Finished {
        let output = self.command.output().expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success() || stdout.contains("1 passed"),
            "`{}` did not run: is it an #[ignore]d test of this binary?\n{stdout}",
            self.name
        );
        Finished {
            name: self.name,
            passed: output.status.success(),
            output: format!("{stdout}{stderr}"),
        }
    }
}

impl Finished {
    /// Asserts that the test passed.
    pub fn success(self) -> Finished {
        assert!(self.passed, "`{}` failed:\n{}", self.name, self.output);
        self
    }

    /// Asserts that the test failed, and returns what it printed.
    pub fn failure(self) -> String {
        assert!(
            !self.passed,
            "`{}` passed, but should have failed:\n{}",
            self.name, self.output
        );
        self.output
    }
}
