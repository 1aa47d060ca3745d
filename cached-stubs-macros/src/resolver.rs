//! The check that cargo's feature resolver keeps `[dev-dependencies]` features out of normal
//! builds. With resolver 1, cargo turns on cached-stubs' `record-replay` (meant for tests)
//! in every build of the workspace, and a `cargo build --release` binary would replay
//! stubs, or fail for want of them. Resolver 2 is the default from edition 2021; a virtual
//! workspace without a `resolver` key, or a root package of an older edition, still gets 1.
//!
//! Only the manifests of the workspace being built say which resolver cargo uses, so only a
//! workspace member's expansion checks (`CARGO_PRIMARY_PACKAGE`); the result is worked out
//! once per compilation.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// An error that says how to set the resolver, when the workspace being built uses 1.
pub(crate) fn check() -> Result<(), &'static str> {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    let checked = CHECKED.get_or_init(|| {
        if std::env::var_os("CARGO_PRIMARY_PACKAGE").is_none() {
            return Ok(());
        }
        let Some(package) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
            return Ok(());
        };
        let (root, manifest) = workspace_root(&package);
        match uses_resolver_1(&manifest) {
            false => Ok(()),
            true => Err(format!(
                "cached-stubs needs cargo's feature resolver 2 or later: with resolver 1, \
                 cargo turns on `record-replay`, meant for [dev-dependencies], in normal \
                 builds too, and a release build would replay stubs; add `resolver = \"2\"` \
                 under `[workspace]` in {}",
                root.join("Cargo.toml").display()
            )),
        }
    });
    checked.as_ref().map(|_| ()).map_err(String::as_str)
}

/// The folder and text of the manifest that roots the workspace of the package at
/// `package`: the nearest one at or above it with a `[workspace]` section, else its own.
fn workspace_root(package: &Path) -> (PathBuf, String) {
    let read = |folder: &Path| std::fs::read_to_string(folder.join("Cargo.toml")).ok();
    package
        .ancestors()
        .find_map(|folder| {
            let manifest = read(folder)?;
            section(&manifest, "workspace")
                .is_some()
                .then(|| (folder.to_path_buf(), manifest))
        })
        .unwrap_or_else(|| (package.to_path_buf(), read(package).unwrap_or_default()))
}

/// Whether cargo resolves features with resolver 1 for the workspace rooted by `manifest`.
fn uses_resolver_1(manifest: &str) -> bool {
    let key =
        |section_name, key| section(manifest, section_name).and_then(|lines| value(&lines, key));
    if let Some(resolver) = key("workspace", "resolver").or_else(|| key("package", "resolver")) {
        return resolver == "1";
    }
    let Some(package) = section(manifest, "package") else {
        // A virtual workspace without a `resolver`.
        return true;
    };
    let edition = match value(&package, "edition.workspace") {
        Some(inherited) if inherited == "true" => key("workspace.package", "edition"),
        _ => value(&package, "edition"),
    };
    !matches!(edition.as_deref(), Some("2021" | "2024"))
}

/// The lines of `[name]` in `manifest`, if it has that section.
fn section(manifest: &str, name: &str) -> Option<Vec<String>> {
    let header = format!("[{name}]");
    let mut lines = manifest.lines().map(str::trim);
    lines.find(|line| *line == header)?;
    Some(
        lines
            .take_while(|line| !line.starts_with('['))
            .map(str::to_string)
            .collect(),
    )
}

/// The value of `key = "value"` (or `key = value`) among `lines`, unquoted.
fn value(lines: &[String], key: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
        let value = rest.split('#').next()?.trim();
        Some(value.trim_matches(['"', '\'']).to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::uses_resolver_1;

    #[test]
    fn resolver_1_is_what_cargo_uses_without_a_key_or_a_recent_edition() {
        let cases = [
            ("[workspace]\nmembers = [\"app\"]\n", true),
            (
                "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n",
                false,
            ),
            ("[workspace]\nresolver = \"3\"\n", false),
            (
                "[workspace]\nresolver = \"1\"\n[package]\nedition = \"2024\"\n",
                true,
            ),
            ("[package]\nname = \"app\"\nedition = \"2021\"\n", false),
            ("[package]\nname = \"app\"\nedition = \"2018\"\n", true),
            ("[package]\nname = \"app\"\n", true),
            (
                "[package]\nname = \"app\"\nedition = \"2018\"\nresolver = \"2\"\n",
                false,
            ),
            (
                "[workspace.package]\nedition = \"2024\"\n[workspace]\n[package]\nedition.workspace = true\n",
                false,
            ),
        ];
        for (manifest, resolver_1) in cases {
            assert_eq!(uses_resolver_1(manifest), resolver_1, "{manifest}");
        }
    }
}
