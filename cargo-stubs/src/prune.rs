//! `cargo stubs prune`: runs every test with the usage log on, and, after a green run only,
//! deletes the stubs no test used. It deletes files that read as stubs of the current format
//! only, as `check` reads them; anything else in the stub folders is left, and reported.
//!
//! A stub is unused when no test logged it, so whatever keeps a test from running, or from
//! logging, makes its stubs look unused. Hence: only arguments that change neither which
//! tests run nor what they run are accepted; `RECORD` and `CACHED_STUBS_DIR` are set empty
//! for the tests (as good as unset, and not overridden by a cargo `[env]` without `force`);
//! and a run after which a stub folder would be emptied deletes nothing without `--force`,
//! since that is what an empty log, or tests replaying stubs from elsewhere, look like. Each
//! run has a log of its own, so two prunes at once in one workspace don't mix theirs.

use crate::Stop;
use crate::catalog::{Catalog, Folder};
use crate::check::read_stub;
use crate::output::{counted, line, note};
use crate::workspace::{Workspace, cargo};
use cached_stubs::__cargo_stubs::{USAGE_LOG, shown};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use usage_log::UsageLog;

mod usage_log;

/// Arguments of `cargo test` that change neither which tests run nor what they run, alone or
/// with a value. Not `-p` or `--exclude`: a package's stubs may be used by another's tests.
/// Not `--features`, `--release`, `--target`, `--config` or `--all-targets`: they change
/// what is compiled, or leave doc tests out.
const CARGO_FLAGS: &[&str] = &[
    "--workspace",
    "--locked",
    "--offline",
    "--frozen",
    "--no-fail-fast",
    "-v",
    "--verbose",
    "-q",
    "--quiet",
];
const CARGO_OPTIONS: &[&str] = &["-j", "--jobs", "--color"];
/// Arguments of the test harness (after `--`) that leave no test out.
const TEST_FLAGS: &[&str] = &[
    "--include-ignored",
    "--nocapture",
    "--no-capture",
    "--show-output",
    "-q",
    "--quiet",
];
const TEST_OPTIONS: &[&str] = &["--test-threads", "--color", "--format"];

/// Runs the tests and prunes; says whether the tests passed.
pub fn run(
    workspace: &Workspace,
    dry_run: bool,
    force: bool,
    test_args: &[String],
    out: &mut dyn Write,
) -> Result<bool, Stop> {
    refuse_filters(test_args)?;
    let log = UsageLog::create(&workspace.target)?;
    let command = format!("cargo test --workspace {}", test_args.join(" "));
    note(format_args!(
        "running `{}` with the usage log on",
        command.trim_end()
    ));
    let status = Command::new(cargo())
        .args(["test", "--workspace"])
        .args(test_args)
        .env(USAGE_LOG, log.path())
        .env("RECORD", "")
        .env("CACHED_STUBS_DIR", "")
        .status()
        .map_err(|error| format!("can't run `cargo test`: {error}"))?;
    if !status.success() {
        note("the tests failed, so nothing was deleted: prune needs a green run");
        return Ok(false);
    }

    let used = log.used()?;
    let catalog = Catalog::warned(&workspace.roots);
    // Only files that read as stubs, by the rules `check` reads them with, are prune's to
    // delete: another tool's file, a pipe or a stub of a newer format is left alone.
    let mut stubs = Vec::new();
    let mut left: Vec<(&PathBuf, String)> = catalog
        .misnamed()
        .map(|(path, why)| (path, why.to_string()))
        .collect();
    for (folder, path) in catalog.stubs() {
        match read_stub(path) {
            Ok(_) => stubs.push((folder, path)),
            Err(why) => left.push((path, why)),
        }
    }
    left.sort();
    for (path, why) in &left {
        line(out, format_args!("left alone: {}: {why}", shown(path)))?;
    }
    if !force {
        refuse_emptying(&workspace.roots, &stubs, &used)?;
    }
    let unused: Vec<&PathBuf> = stubs
        .iter()
        .map(|(_, stub)| *stub)
        .filter(|stub| !used.contains(*stub))
        .collect();
    for stub in &unused {
        let done = if dry_run { "unused:" } else { "deleted:" };
        line(out, format_args!("{done} {}", shown(stub)))?;
        if !dry_run {
            match std::fs::remove_file(stub) {
                // Deleted by another prune running at once.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                deleted => {
                    deleted.map_err(|error| format!("can't delete {}: {error}", shown(stub)))?
                }
            }
            remove_empty_folders(stub, &workspace.roots);
        }
    }
    let total = stubs.len();
    match (unused.len(), dry_run) {
        (0, _) => line(
            out,
            format_args!("every stub was used ({})", counted(total, "stub")),
        )?,
        (count, true) => line(
            out,
            format_args!(
                "{count} of {} unused; nothing deleted (--dry-run)",
                counted(total, "stub")
            ),
        )?,
        (count, false) => line(
            out,
            format_args!("deleted {} of {total}", counted(count, "unused stub")),
        )?,
    }
    Ok(true)
}

/// Refuses arguments that may leave tests out or change what they run: a stub only the
/// tests left out use would look unused.
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
                "`{arg}` may leave tests out or change what they run, and the stubs only those \
                 tests use would look unused: prune runs every test as `cargo test --workspace` \
                 runs it, or deletes nothing"
            )));
        }
    }
    Ok(())
}

/// Refuses to empty a stub folder of every stub (of `stubs`) it holds, which is also what a run that
/// logged nothing, or replayed stubs from elsewhere, looks like.
fn refuse_emptying(
    roots: &[PathBuf],
    stubs: &[(&Folder, &PathBuf)],
    used: &HashSet<PathBuf>,
) -> Result<(), Stop> {
    let emptied: Vec<String> = roots
        .iter()
        .filter(|root| {
            let mut stubs = stubs
                .iter()
                .filter(|(folder, _)| folder.root == **root)
                .peekable();
            stubs.peek().is_some() && stubs.all(|(_, stub)| !used.contains(*stub))
        })
        .map(|root| shown(root))
        .collect();
    if emptied.is_empty() {
        return Ok(());
    }
    let folders = emptied.join(", ");
    let why = if used.is_empty() {
        format!(
            "no test replayed or recorded a stub (the usage log stayed empty), so every stub \
             in {folders} looks unused"
        )
    } else {
        format!("no test used a stub in {folders}")
    };
    Err(Stop::Message(format!(
        "{why}. Deleting them all is more likely a mistake than what you want, so nothing was \
         deleted. The stubs tests use don't reach the log when the tests run elsewhere (a \
         custom runner, cross, Docker), in child processes started with `env_clear`, under a \
         cargo `[env]` that forces `RECORD=passthrough`, `CACHED_STUBS_DIR` or `{USAGE_LOG}`, \
         or with another version of cached-stubs than this cargo-stubs ({}). If no test uses \
         these stubs any more, `cargo stubs prune --force` deletes them.",
        env!("CARGO_PKG_VERSION")
    )))
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
