//! Helpers shared by the integration tests and examples of cached-stubs: an OpenAI-compatible
//! server on 127.0.0.1, and child processes for tests that record and then replay.
//!
//! `RECORD` is read once per process, so a test that records and then replays runs each step
//! in a child process: the test binary running one of its own `#[ignore]`d tests, with its
//! own `RECORD` and stub folder.

mod openai_server;
mod scenario;
mod user_crate;

pub use openai_server::{OpenAiServer, answer, streamed_text};
pub use scenario::{Scenario, log_real_call};
pub use user_crate::{FEATURE_IN_DEV_DEPENDENCIES, Ran, UserCrate};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Tests of the current test binary, about to run in a child process.
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
    /// Whether exactly one test must run (an `#[ignore]`d one, by name).
    single: bool,
}

/// What a child test printed, once it has exited.
pub struct Finished {
    name: String,
    passed: bool,
    /// Everything it wrote to stdout and stderr, the test's panic message included.
    pub output: String,
}

impl ChildTest {
    /// The `#[ignore]`d test `name` (a path such as `child_records`), run alone.
    pub fn new(name: &str) -> ChildTest {
        let args = [name, "--exact", "--ignored", "--nocapture"];
        ChildTest::with_args(name.to_string(), &args, true)
    }

    /// Every test of the binary that is not ignored, but `name` (the test that runs this).
    pub fn suite_except(name: &str) -> ChildTest {
        let args = ["--skip", name, "--exact"];
        ChildTest::with_args(format!("every test but {name}"), &args, false)
    }

    /// With `RECORD` and `CACHED_STUBS_DIR` removed from the environment: a child gets
    /// only what its parent test sets.
    fn with_args(name: String, args: &[&str], single: bool) -> ChildTest {
        let exe = std::env::current_exe().expect("the test binary knows its path");
        let mut command = Command::new(exe);
        without_stub_settings(&mut command)
            .env_remove("NEXTEST")
            .args(args);
        ChildTest {
            name,
            command,
            single,
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
    pub fn run(self) -> Finished {
        self.start().finish()
    }

    /// Starts it, to run beside others or to be killed.
    pub fn start(mut self) -> Running {
        let process = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the test binary starts");
        Running {
            name: self.name,
            single: self.single,
            process,
        }
    }
}

/// A child test under way.
pub struct Running {
    name: String,
    single: bool,
    process: Child,
}

impl Running {
    /// Waits for it to end.
    pub fn finish(self) -> Finished {
        let output = self
            .process
            .wait_with_output()
            .expect("the test binary ends");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !self.single || !output.status.success() || stdout.contains("1 passed"),
            "`{}` did not run: is it an #[ignore]d test of this binary?\n{stdout}",
            self.name
        );
        Finished {
            name: self.name,
            passed: output.status.success(),
            output: format!("{stdout}{stderr}"),
        }
    }

    /// What it writes to stderr, until a line holds `text` or `patience` has passed.
    pub fn stderr_until(&mut self, text: &str, patience: std::time::Duration) -> String {
        use std::io::BufRead;
        let stderr = self.process.stderr.take().expect("stderr is piped");
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = std::time::Instant::now() + patience;
        let mut said = String::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(line) = lines.recv_timeout(left) else {
                break;
            };
            said.push_str(&line);
            said.push('\n');
            if line.contains(text) {
                break;
            }
        }
        said
    }

    /// Kills it (SIGKILL on Unix: no clean-up runs) and waits for it to be gone.
    pub fn kill(mut self) {
        self.process.kill().expect("the child can be killed");
        self.process.wait().expect("the killed child is reaped");
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

/// Runs every other test of the current test binary (all but `this_test`) with `RECORD=1`
/// into an empty folder, and asserts that they record exactly the stubs committed under
/// `stubs/<module>`, byte for byte: the committed stubs are what the code really returns,
/// and recording an unchanged answer again changes nothing.
pub fn assert_committed_stubs_are_recorded_again(this_test: &str, module: &str) {
    let fresh = tempfile::tempdir().expect("a temporary folder");
    ChildTest::suite_except(this_test)
        .record("1")
        .stubs(fresh.path())
        .run()
        .success();
    assert_same_as_committed(fresh.path(), module);
}

/// Asserts that `<fresh_root>/<module>`, a folder just recorded, holds exactly the stubs
/// committed under `stubs/<module>`, byte for byte.
pub fn assert_same_as_committed(fresh_root: &Path, module: &str) {
    let fresh = files_below(&fresh_root.join(module));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("stubs");
    let committed = files_below(&committed.join(module));
    // As text first, so that a difference reads as one.
    let texts = |files: &BTreeMap<PathBuf, Vec<u8>>| -> BTreeMap<PathBuf, String> {
        files
            .iter()
            .map(|(path, bytes)| (path.clone(), String::from_utf8_lossy(bytes).into_owned()))
            .collect()
    };
    let differs = format!("a fresh recording differs from the committed stubs/{module}");
    assert_eq!(texts(&fresh), texts(&committed), "{differs}");
    assert!(fresh == committed, "{differs}, in bytes that are not text");
}

/// A command that runs the example `name` as `cargo test` built it, beside the test binary
/// (`target/<profile>/examples/`), with `RECORD` and `CACHED_STUBS_DIR` removed from its
/// environment.
pub fn example(name: &str) -> Command {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let mut command = Command::new(profile.join("examples").join(name));
    without_stub_settings(&mut command);
    command
}

/// Removes `RECORD` and `CACHED_STUBS_DIR` from the environment of `command`, so that it
/// gets only the settings its caller gives it.
pub fn without_stub_settings(command: &mut Command) -> &mut Command {
    command.env_remove("RECORD").env_remove("CACHED_STUBS_DIR")
}

/// The one file below `folder`, at any depth; panics unless there is exactly one.
pub fn only_file(folder: &Path) -> PathBuf {
    let files: Vec<_> = files_below(folder).into_keys().collect();
    assert_eq!(
        files.len(),
        1,
        "not one file below {}: {files:?}",
        folder.display()
    );
    folder.join(&files[0])
}

/// Every file below `root`, by its path relative to `root`, with its bytes; none when
/// `root` doesn't exist.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("f")).unwrap();
/// std::fs::write(dir.path().join("f/a.json"), "{}").unwrap();
/// let files = cached_stubs_suite::files_below(dir.path());
/// assert_eq!(files[std::path::Path::new("f/a.json")], b"{}");
/// ```
pub fn files_below(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders: Vec<PathBuf> = root
        .exists()
        .then(|| root.to_path_buf())
        .into_iter()
        .collect();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("a readable folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("a readable file");
                let relative = path.strip_prefix(root).expect("below root");
                files.insert(relative.to_path_buf(), bytes);
            }
        }
    }
    files
}
