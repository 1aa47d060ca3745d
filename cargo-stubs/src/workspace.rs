//! Where stubs are: the `stubs/` folder of every member of the current workspace, as
//! `cargo metadata` describes it, and any folder given with `--dir`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The workspace `cargo stubs` runs in.
pub struct Workspace {
    /// The stub folders to look in, existing or not.
    pub roots: Vec<PathBuf>,
    /// Cargo's target directory, for the usage log.
    pub target: PathBuf,
}

impl Workspace {
    /// Asks cargo about the workspace around the current folder.
    pub fn find(extra_dirs: &[PathBuf]) -> Result<Workspace, String> {
        let output = Command::new(cargo())
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .map_err(|error| format!("can't run `cargo metadata`: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo metadata` failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let metadata: Value = serde_json::from_slice(&output.stdout)
            .map_err(|error| format!("`cargo metadata` printed no JSON: {error}"))?;
        let mut roots: Vec<PathBuf> = metadata["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|package| package["manifest_path"].as_str())
            .filter_map(|manifest| Some(PathBuf::from(manifest).parent()?.join("stubs")))
            .collect();
        roots.extend(
            extra_dirs
                .iter()
                .map(|dir| std::path::absolute(dir).unwrap_or_else(|_| dir.clone())),
        );
        roots.sort();
        roots.dedup();
        let target = metadata["target_directory"]
            .as_str()
            .map(PathBuf::from)
            .ok_or("`cargo metadata` gave no target directory")?;
        Ok(Workspace { roots, target })
    }
}

/// The cargo running this subcommand, or the one on the `PATH`.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
