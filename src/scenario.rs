//! Child tests sharing one temporary stub folder and one log of the real calls they make.

use crate::{ChildTest, files_below, only_file};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Appends `what` to the file named by `CALLS_LOG`: in the body of an annotated function, the
/// trace of a real call, which the parent test of a [`Scenario`] counts.
pub fn log_real_call(what: &str) {
    let log = std::env::var_os("CALLS_LOG").expect("the parent test sets CALLS_LOG");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("the call log opens");
    // One write: lines of calls made at once must not interleave.
    file.write_all(format!("{what}\n").as_bytes())
        .expect("the call log takes a line");
}

/// A run of child tests sharing one stub folder (`CACHED_STUBS_DIR`) and one call log
/// (`CALLS_LOG`).
///
/// ```no_run
/// let scenario = cached_stubs_suite::Scenario::new();
/// scenario.passes("child_capital_of_france", Some("1"));
/// assert_eq!(scenario.calls(), ["France"]);
/// ```
pub struct Scenario {
    stubs: tempfile::TempDir,
    log: PathBuf,
}

impl Scenario {
    /// A new, empty stub folder, and no real call logged yet.
    pub fn new() -> Scenario {
        let stubs = tempfile::tempdir().expect("a temporary folder");
        let log = stubs.path().with_extension("calls");
        Scenario { stubs, log }
    }

    /// The child test `name`, with this scenario's stub folder and call log.
    pub fn child(&self, name: &str) -> ChildTest {
        ChildTest::new(name)
            .stubs(self.stubs.path())
            .env("CALLS_LOG", &self.log)
    }

    /// Runs the child test `name` with `RECORD` set to `record` (unset with `None`) and
    /// asserts that it passes.
    pub fn passes(&self, name: &str, record: Option<&str>) {
        self.with_record(name, record).run().success();
    }

    /// Runs the child test `name`, asserts that it fails, and returns what it printed.
    pub fn fails(&self, name: &str, record: Option<&str>) -> String {
        self.with_record(name, record).run().failure()
    }

    fn with_record(&self, name: &str, record: Option<&str>) -> ChildTest {
        match record {
            Some(value) => self.child(name).record(value),
            None => self.child(name),
        }
    }

    /// The real calls made so far, in order.
    pub fn calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines().map(str::to_string).collect()
    }

    /// The stub folder.
    pub fn stubs(&self) -> &Path {
        self.stubs.path()
    }

    /// Every file in the stub folder, relative to it.
    pub fn stub_files(&self) -> Vec<PathBuf> {
        files_below(self.stubs.path()).into_keys().collect()
    }

    /// The folder of the stubs of `function`, a path such as `modes::capital`.
    pub fn folder(&self, function: &str) -> PathBuf {
        let mut folder = self.stubs.path().to_path_buf();
        folder.extend(function.split("::"));
        folder
    }

    /// The one stub file of `function`.
    pub fn only_stub(&self, function: &str) -> PathBuf {
        only_file(&self.folder(function))
    }

    /// The one stub of `function`, as JSON.
    pub fn only_stub_json(&self, function: &str) -> serde_json::Value {
        let bytes = std::fs::read(self.only_stub(function)).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario::new()
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}
