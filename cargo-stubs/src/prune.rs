//! `cargo stubs prune`: runs every test with the usage log on, and, after a green run only,
//! deletes the stubs no test used.

use crate::Stop;
use crate::catalog::{Catalog, shown};
use crate::workspace::{Workspace, cargo};
use cached_stubs::__cargo_stubs::USAGE_LOG;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Arguments of `cargo test` that don't leave tests out, alone or with a value.
const CARGO_FLAGS: &[&str] = &[
    "--workspace",
    "--all-features",
    "--no-default-features",
    "--release",
    "--all-targets",
    "--locked",
    "--offline",
    "--frozen",
    "--no-fail-fast",
    "-v",
    "--verbose",
    "-q",
    "--quiet",
];
const CARGO_OPTIONS: &[&str] = &[
    "--features",
    "-F",
    "--profile",
    "--target",
    "-j",
    "--jobs",
    "--color",
    "--config",
];
/// Arguments of the test harness (after `--`) that don't leave tests out.
const TEST_FLAGS: &[&str] = &[
    "--include-ignored",
    "--nocapture",
    "--no-capture",
    "--show-output",
    "-q",
    "--quiet",
];
const TEST_OPTIONS: &[&str] = &["--test-threads", "--color", "--format"];

/// Runs the tests and prunes; says whether it could.
pub fn run(
    workspace: &Workspace,
    dry_run: bool,
    test_args: &[String],
    out: &mut dyn Write,
) -> Result<bool, Stop> {
    refuse_filters(test_args)?;
    let log = workspace.target.join("cached-stubs").join("usage.log");
    std::fs::create_dir_all(log.parent().expect("a folder"))
        .and_then(|()| match std::fs::remove_file(&log) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        })
        .map_err(|error| format!("can't prepare the usage log {}: {error}", log.display()))?;

    let command = format!("cargo test --workspace {}", test_args.join(" "));
    eprintln!(
        "cargo stubs: running `{}` with the usage log on",
        command.trim_end()
    );
    let status = Command::new(cargo())
        .args(["test", "--workspace"])
        .args(test_args)
        .env(USAGE_LOG, &log)
        .env_remove("RECORD")
        .env_remove("CACHED_STUBS_DIR")
        .status()
        .map_err(|error| format!("can't run `cargo test`: {error}"))?;
    if !status.success() {
        eprintln!("cargo stubs: the tests failed, so nothing was deleted: prune needs a green run");
        return Ok(false);
    }

    let used = used_stubs(&log);
    let catalog = Catalog::of(&workspace.roots);
    let unused: Vec<&PathBuf> = catalog
        .stubs()
        .map(|(_, stub)| stub)
        .filter(|stub| std::fs::canonicalize(stub).is_ok_and(|stub| !used.contains(&stub)))
        .collect();
    for stub in &unused {
        writeln!(
            out,
            "{} {}",
            if dry_run { "unused:" } else { "deleted:" },
            shown(stub)
        )?;
        if !dry_run {
            std::fs::remove_file(stub)
                .map_err(|error| format!("can't delete {}: {error}", shown(stub)))?;
            remove_empty_folders(stub, &workspace.roots);
        }
    }
    let total = catalog.stubs().count();
    match (unused.len(), dry_run) {
        (0, _) => writeln!(out, "every one of the {total} stubs was used")?,
        (count, true) => writeln!(
            out,
            "{count} of {total} stubs unused; nothing deleted (--dry-run)"
        )?,
        (count, false) => writeln!(out, "deleted {count} unused stubs of {total}")?,
    }
    Ok(true)
}

/// Refuses arguments that may leave tests out: a stub only they use would look unused.
fn refuse_filters(args: &[String]) -> Result<(), Stop> {
    let split = args
        .iter()
        .position(|arg| arg == "--")
        .unwrap_or(args.len());
    let (cargo_args, harness_args) = (&args[..split], args.get(split + 1..).unwrap_or_default());
    for (args, flags, options) in [
        (cargo_args, CARGO_FLAGS, CARGO_OPTIONS),
        (harness_args, TEST_FLAGS, TEST_OPTIONS),
    ] {
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            if flags.contains(&arg.as_str())
                || options
                    .iter()
                    .any(|option| arg.starts_with(&format!("{option}=")))
            {
                continue;
            }
            if options.contains(&arg.as_str()) {
                args.next();
                continue;
            }
            return Err(Stop::Message(format!(
                "`{arg}` may leave tests out, and the stubs only they use would look unused: prune \
                 runs every test (`cargo test --workspace`) or deletes nothing"
            )));
        }
    }
    Ok(())
}

/// The stubs the log names, as canonical paths.
fn used_stubs(log: &Path) -> HashSet<PathBuf> {
    let bytes = std::fs::read(log).unwrap_or_default();
    bytes
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| std::fs::canonicalize(String::from_utf8_lossy(line).as_ref()).ok())
        .collect()
}

/// Removes the folders a deletion left empty, up to the stub root.
fn remove_empty_folders(stub: &Path, roots: &[PathBuf]) {
    let mut folder = stub.parent();
    while let Some(current) = folder {
        if roots.iter().any(|root| root == current) || std::fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}
