//! The usage log of one run of the tests: a file of its own in `<target>/cached-stubs/`,
//! named after the process and a random part, created anew (never opened if it exists), and
//! removed once dropped. No two runs share a log, whether of one prune or of two prunes at
//! once in one workspace, and none reads another's.

use cached_stubs::__cargo_stubs::logged_paths;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tempfile::TempPath;

/// A usage log, removed when dropped.
pub struct UsageLog {
    path: TempPath,
}

impl UsageLog {
    /// A new, empty log in `<target>/cached-stubs/`, `usage-<process id>-<random>.log`.
    pub fn create(target: &Path) -> Result<UsageLog, String> {
        let folder = target.join("cached-stubs");
        let file = std::fs::create_dir_all(&folder).and_then(|()| {
            tempfile::Builder::new()
                .prefix(&format!("usage-{}-", std::process::id()))
                .suffix(".log")
                .tempfile_in(&folder)
        });
        let file = file.map_err(|error| {
            format!("can't create a usage log in {}: {error}", folder.display())
        })?;
        Ok(UsageLog {
            path: file.into_temp_path(),
        })
    }

    /// Where it is, for the tests to append to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stubs it names, as canonical paths (a stub deleted since is left out); empty when
    /// no test logged one.
    pub fn used(&self) -> Result<HashSet<PathBuf>, String> {
        let bytes = std::fs::read(self.path()).map_err(|error| {
            format!(
                "can't read the usage log {}: {error}",
                self.path().display()
            )
        })?;
        let paths = logged_paths(&bytes).map_err(|line| {
            format!(
                "the usage log {} names a path that can't be decoded: {}",
                self.path().display(),
                String::from_utf8_lossy(line)
            )
        })?;
        Ok(paths
            .into_iter()
            .filter_map(|path| std::fs::canonicalize(path).ok())
            .collect())
    }
}
