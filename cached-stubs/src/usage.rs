//! `CACHED_STUBS_USAGE_LOG`: when set, the path of every stub a call replays or records is
//! appended to that file, a line each. It is how `cargo stubs prune` learns which stubs the
//! tests use; unset (or empty), as it is unless prune runs the tests, it costs a hit one check.

use crate::lock::lock;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{LazyLock, Mutex};
#[cfg(any(test, feature = "_cargo-stubs"))]
use std::{collections::HashSet, path::PathBuf};

/// The environment variable that names the log.
pub(crate) const VARIABLE: &str = "CACHED_STUBS_USAGE_LOG";

/// The log, opened for appending on first use: several processes may write to it at once,
/// a whole line at a time.
static LOG: LazyLock<Option<Result<Mutex<File>, String>>> = LazyLock::new(|| {
    let path = crate::env::var(VARIABLE)?;
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
    let written = lock(log).write_all(&line(path));
    if let Err(error) = written {
        panic!("cached-stubs: can't write to the usage log {VARIABLE}: {error}");
    }
}

/// The line that logs `path`: its bytes as the OS has them, and a newline.
fn line(path: &Path) -> Vec<u8> {
    let mut line = path.as_os_str().as_encoded_bytes().to_vec();
    line.push(b'\n');
    line
}

/// The paths a log names, each once, in the order first logged; `Err` holds the first line
/// that is no path on this platform.
#[cfg(any(test, feature = "_cargo-stubs"))]
pub(crate) fn logged_paths(log: &[u8]) -> Result<Vec<PathBuf>, &[u8]> {
    let mut seen = HashSet::new();
    log.split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty() && seen.insert(*line))
        .map(|line| logged_path(line).ok_or(line))
        .collect()
}

/// A path as [`line()`] logs it: its bytes as the OS has them.
#[cfg(all(unix, any(test, feature = "_cargo-stubs")))]
fn logged_path(line: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(std::ffi::OsStr::from_bytes(line).into())
}

/// A path as [`line()`] logs it: its bytes as the OS has them, which are UTF-8 unless the path
/// isn't valid Unicode.
#[cfg(all(not(unix), any(test, feature = "_cargo-stubs")))]
fn logged_path(line: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(line).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_noted_are_the_paths_read_each_once() {
        let greet = Path::new("/stubs/app/greet/0123456789abcdef0123456789abcdef.json");
        let spaced = Path::new("/my stubs/app/café/0123456789abcdef0123456789abcdef.json");
        let log = [line(greet), line(spaced), line(greet)].concat();
        assert_eq!(logged_paths(&log).unwrap(), [greet, spaced]);
        assert_eq!(logged_paths(b"").unwrap(), Vec::<PathBuf>::new());
    }

    /// Unix only: there a path may be any bytes.
    #[cfg(unix)]
    #[test]
    fn a_logged_path_keeps_bytes_that_are_no_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let bytes = b"/stubs/caf\xe9/0123456789abcdef0123456789abcdef.json";
        let path = Path::new(std::ffi::OsStr::from_bytes(bytes));
        let read = logged_paths(&line(path)).unwrap();
        assert_eq!(read, [path]);
        assert_eq!(read[0].as_os_str().as_bytes(), bytes);
    }
}
