//! `CACHED_STUBS_USAGE_LOG`: when set, the path of every stub a call replays or records is
//! appended to that file, a line each. It is how `cargo stubs prune` learns which stubs the
//! tests use; unset, as it is unless prune runs the tests, it costs a hit one check.

use crate::lock::lock;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

/// The environment variable that names the log.
pub(crate) const VARIABLE: &str = "CACHED_STUBS_USAGE_LOG";

/// The log, opened for appending on first use: several processes may write to it at once,
/// a whole line at a time.
static LOG: LazyLock<Option<Result<Mutex<File>, String>>> = LazyLock::new(|| {
    let path = std::env::var_os(VARIABLE)?;
    let opened = OpenOptions::new().create(true).append(true).open(&path);
    Some(opened.map(Mutex::new).map_err(|error| {
        format!(
            "cached-stubs: can't open the usage log {VARIABLE}={}: {error}",
            Path::new(&path).display()
        )
    }))
});

/// Notes that the stub at `path` was used, if usage is being logged.
///
/// # Panics
///
/// When the log can't be written: a stub left out of it would look unused, and be pruned.
#[track_caller]
pub(crate) fn note(path: &Path) {
    let Some(log) = &*LOG else {
        return;
    };
    let log = match log {
        Ok(log) => log,
        Err(message) => panic!("{message}"),
    };
    let mut line = path.as_os_str().as_encoded_bytes().to_vec();
    line.push(b'\n');
    let written = lock(log).write_all(&line);
    if let Err(error) = written {
        panic!("cached-stubs: can't write to the usage log {VARIABLE}: {error}");
    }
}
