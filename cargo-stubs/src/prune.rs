//! `cargo stubs prune`: runs every test with the usage log on, under every configuration
//! named, and, after green runs only, deletes the stubs no test used. It deletes files that
//! read as stubs of the current format only, as `check` reads them; anything else in the stub
//! folders is left, and reported.
//!
//! A stub is unused when no test logged it, so whatever keeps a test from running, or from
//! logging, makes its stubs look unused. Hence: only arguments that change neither which
//! tests run nor what they run are accepted, but for the configurations named with `--run`;
//! a feature that no run enables is refused; `RECORD` and `CACHED_STUBS_DIR` are set empty
//! for the tests (as good as unset, and not overridden by a cargo `[env]` without `force`);
//! and a run after which a stub folder would be emptied deletes nothing without `--force`,
//! since that is what an empty log, or tests replaying stubs from elsewhere, look like. Each
//! run has a log of its own, so two prunes at once in one workspace don't mix theirs.

use crate::Stop;
use crate::catalog::{Catalog, Folder};
use crate::output::{counted, line, note};
use crate::workspace::{Workspace, cargo};
use cached_stubs::__cargo_stubs::{USAGE_LOG, inspect_file, shown};
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use usage_log::UsageLog;

mod features;
mod runs;
mod usage_log;

/// What `cargo stubs prune` is given.
#[derive(clap::Args)]
pub struct Options {
    /// Print the unused stubs, delete nothing.
    #[arg(long)]
    dry_run: bool,
    /// Delete even when that empties a stub folder, which prune otherwise refuses: it is
    /// also what tests that logged nothing look like.
    #[arg(long)]
    force: bool,
    /// One more configuration the tests run under, as the arguments of `cargo test` that
    /// choose it, separated by spaces: `--features extra`, `--all-features`,
    /// `--no-default-features`, `--release`, `--profile NAME`, `--target TRIPLE`. May be
    /// repeated: the tests run as `cargo test --workspace`, then once under each, and the
    /// stubs any run used are kept.
    #[arg(long = "run", value_name = "CARGO ARGS", allow_hyphen_values = true)]
    runs: Vec<String>,
    /// Prune even though a member of the workspace declares features that no run enables,
    /// which prune otherwise refuses: the stubs only tests behind those features use would
    /// be deleted.
    #[arg(long)]
    allow_unrun_features: bool,
    /// More arguments for every `cargo test`, after `--`; none that leaves tests out or
    /// changes what they run.
    #[arg(last = true, value_name = "CARGO TEST ARGS")]
    test_args: Vec<String>,
}

/// Runs the tests under every configuration and prunes; says whether the tests passed.
pub fn run(workspace: &Workspace, options: &Options, out: &mut dyn Write) -> Result<bool, Stop> {
    let runs = runs::plan(&options.runs, &options.test_args)?;
    if !options.allow_unrun_features {
        refuse_unrun_features(&runs)?;
    }
    let mut used = HashSet::new();
    for (at, run) in runs.iter().enumerate() {
        let log = UsageLog::create(&workspace.target)?;
        let of = match runs.len() {
            1 => String::new(),
            count => format!(" (run {} of {count})", at + 1),
        };
        note(format_args!(
            "running `{}` with the usage log on{of}",
            run.command()
        ));
        let status = Command::new(cargo())
            .args(["test", "--workspace"])
            .args(&run.args)
            .env(USAGE_LOG, log.path())
            .env("RECORD", "")
            .env("CACHED_STUBS_DIR", "")
            .status()
            .map_err(|error| format!("can't run `cargo test`: {error}"))?;
        if !status.success() {
            note(format_args!(
                "the tests failed under `{}`, so nothing was deleted: prune needs every run green",
                run.command()
            ));
            return Ok(false);
        }
        used.extend(log.used()?);
    }

    let catalog = Catalog::warned(&workspace.roots);
    // Only files that read as stubs, by the rules `check` reads them with, are prune's to
    // delete: another tool's file, a pipe or a stub of a newer format is left alone.
    let mut stubs = Vec::new();
    let mut left: Vec<(&PathBuf, String)> = catalog
        .misnamed()
        .map(|(path, why)| (path, why.to_string()))
        .collect();
    for (folder, path) in catalog.stubs() {
        match inspect_file(path) {
            Ok(_) => stubs.push((folder, path)),
            Err(why) => left.push((path, why)),
        }
    }
    left.sort();
    for (path, why) in &left {
        line(out, format_args!("left alone: {}: {why}", shown(path)))?;
    }
    if !options.force {
        refuse_emptying(&workspace.roots, &stubs, &used)?;
    }
    let unused: Vec<&PathBuf> = stubs
        .iter()
        .map(|(_, stub)| *stub)
        .filter(|stub| !used.contains(*stub))
        .collect();
    for stub in &unused {
        let done = if options.dry_run {
            "unused:"
        } else {
            "deleted:"
        };
        line(out, format_args!("{done} {}", shown(stub)))?;
        if !options.dry_run {
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
    match (unused.len(), options.dry_run) {
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

/// Refuses to prune after runs that leave a feature of the workspace off: the tests behind
/// it didn't run.
fn refuse_unrun_features(runs: &[runs::Run]) -> Result<(), Stop> {
    let unrun = features::unrun(runs)?;
    let Some((package, feature)) = unrun.first() else {
        return Ok(());
    };
    let named: Vec<String> = unrun
        .iter()
        .map(|(package, feature)| format!("`{package}/{feature}`"))
        .collect();
    let (features, them) = match named.len() {
        1 => ("a feature", "it"),
        _ => ("features", "them"),
    };
    Err(Stop::Message(format!(
        "no run enables {features} of the workspace: {}. Tests compiled only with {them} don't \
         run, so the stubs only they use would look unused, and be deleted; nothing was run or \
         deleted. Name every configuration your tests run under, each with `--run` (`--run \
         '--features {package}/{feature}'`, `--run --all-features`), or, if no stub depends \
         on {them}, pass `--allow-unrun-features`.",
        named.join(", "),
    )))
}

/// Refuses to empty a stub folder of every stub of `stubs` it holds, which is also what a
/// run that logged nothing, or replayed stubs from elsewhere, looks like.
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
