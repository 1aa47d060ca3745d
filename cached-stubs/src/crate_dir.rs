//! Where the crate that defines an annotated function is now. Its manifest folder is known
//! when it is compiled, but a test binary may run after the project moved (`mv`, or a copy
//! made with `cp -a`) without being built again, when cargo reuses it from a shared target
//! folder. Cargo tells a test process its own package's folder (`CARGO_MANIFEST_DIR`, with
//! `CARGO_PKG_NAME`), from which the defining crate is found again: stubs are read and
//! written next to its current `Cargo.toml`, never outside it.

use std::path::{Path, PathBuf};

/// The folder of the `Cargo.toml` of `package` now, which was at `compiled_at` when it was
/// built; `None` when it can be found neither there nor where the running package is.
pub(crate) fn manifest_dir(package: &str, compiled_at: &Path) -> Option<PathBuf> {
    let running = crate::env::var("CARGO_MANIFEST_DIR").map(PathBuf::from);
    if let Some(running) = &running {
        if crate::env::var("CARGO_PKG_NAME").is_some_and(|name| name == package)
            && is_manifest_of(running, package)
        {
            return Some(running.clone());
        }
        if let Some(found) = relocated(package, compiled_at, running) {
            return Some(found);
        }
    }
    is_manifest_of(compiled_at, package).then(|| compiled_at.to_path_buf())
}

/// Where `package`, built at `compiled_at`, is now, seen from the running package's folder:
/// the nearest folder around `running` that ends as `compiled_at` does and holds its
/// manifest (`crates/llm` of the project, wherever the project is now).
fn relocated(package: &str, compiled_at: &Path, running: &Path) -> Option<PathBuf> {
    let parts: Vec<_> = compiled_at.components().collect();
    (1..=parts.len()).find_map(|length| {
        let tail: PathBuf = parts[parts.len() - length..].iter().collect();
        running
            .ancestors()
            .map(|ancestor| ancestor.join(&tail))
            .find(|candidate| is_manifest_of(candidate, package))
    })
}

/// Whether `folder` holds the manifest of the package named `package`.
fn is_manifest_of(folder: &Path, package: &str) -> bool {
    let Ok(manifest) = std::fs::read_to_string(folder.join("Cargo.toml")) else {
        return false;
    };
    let mut in_package = false;
    manifest.lines().map(str::trim).any(|line| {
        if line.starts_with('[') {
            in_package = line == "[package]";
            return false;
        }
        in_package
            && line
                .strip_prefix("name")
                .and_then(|rest| rest.trim_start().strip_prefix('='))
                .is_some_and(|value| value.trim().trim_matches(['"', '\'']) == package)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(folder: &Path, package: &str) {
        std::fs::create_dir_all(folder).unwrap();
        let text = format!("[package]\nname = \"{package}\"\nversion = \"0.1.0\"\n");
        std::fs::write(folder.join("Cargo.toml"), text).unwrap();
    }

    #[test]
    fn a_crate_is_found_again_where_its_project_moved() {
        let root = tempfile::tempdir().unwrap();
        let now = root.path().join("project-b");
        manifest(&now.join("crates/llm"), "llm");
        manifest(&now.join("crates/app"), "app");
        let compiled_at = root.path().join("project-a/crates/llm");
        assert_eq!(
            relocated("llm", &compiled_at, &now.join("crates/app")),
            Some(now.join("crates/llm"))
        );
        // Not another package of the same folder name.
        assert_eq!(
            relocated("other", &compiled_at, &now.join("crates/app")),
            None
        );
    }

    #[test]
    fn a_manifest_is_known_by_its_package_name() {
        let root = tempfile::tempdir().unwrap();
        manifest(root.path(), "llm");
        assert!(is_manifest_of(root.path(), "llm"));
        assert!(!is_manifest_of(root.path(), "app"));
        assert!(!is_manifest_of(&root.path().join("missing"), "llm"));
        let dependency = "[dependencies]\nname = \"llm\"\n[package]\nname=\"app\"\n";
        std::fs::write(root.path().join("Cargo.toml"), dependency).unwrap();
        assert!(!is_manifest_of(root.path(), "llm"));
        assert!(is_manifest_of(root.path(), "app"));
    }
}
