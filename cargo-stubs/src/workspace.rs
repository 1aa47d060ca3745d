//! Where stubs are: the `stubs/` folder of every member of the current workspace, as
//! `cargo metadata` describes it, and any folder given with `--dir`.

use serde_json::Value;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace `cargo stubs` runs in.
pub struct Workspace {
    /// The stub folders that exist, canonical (no `..`, no links), each once. One may lie
    /// inside another, as a `dir = "stubs/sub"` folder lies in `stubs/`.
    pub roots: Vec<PathBuf>,
    /// Cargo's target directory, for the usage log.
    pub target: PathBuf,
    /// The workspace's root folder, which paths in messages are relative to when cargo ran
    /// there.
    pub root: PathBuf,
}

impl Workspace {
    /// Asks cargo about the workspace around the current folder; a `--dir` that does not
    /// exist is an error, a member without `stubs/` is not.
    pub fn find(extra_dirs: &[PathBuf]) -> Result<Workspace, String> {
        let metadata = metadata(&["--no-deps".to_string()])?;
        let members = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|package| package["manifest_path"].as_str())
            .filter_map(|manifest| Some(Path::new(manifest).parent()?.join("stubs")));
        let mut roots = Vec::new();
        for member in members {
            match std::fs::canonicalize(&member) {
                Ok(root) => roots.push(root),
                Err(error) if error.kind() == ErrorKind::NotFound => {}
                Err(error) => return Err(format!("{}: {error}", member.display())),
            }
        }
        for dir in extra_dirs {
            let root = std::fs::canonicalize(dir)
                .map_err(|error| format!("--dir {}: {error}", dir.display()))?;
            roots.push(root);
        }
        roots.sort();
        roots.dedup();
        let folder = |key: &str| {
            let folder = metadata[key].as_str().map(PathBuf::from);
            folder.ok_or(format!("`cargo metadata` gave no {key}"))
        };
        Ok(Workspace {
            roots,
            target: folder("target_directory")?,
            root: folder("workspace_root")?,
        })
    }
}

/// What `cargo metadata --format-version 1 args` says of the workspace around the current
/// folder.
pub fn metadata(args: &[String]) -> Result<Value, String> {
    let output = Command::new(cargo())
        .args(["metadata", "--format-version", "1"])
        .args(args)
        .output()
        .map_err(|error| format!("can't run `cargo metadata`: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo metadata {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|error| format!("`cargo metadata` printed no JSON: {error}"))
}

/// The cargo running this subcommand, or the one on the `PATH`.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
