//! `cargo stubs`: list, show, check and prune the stubs that `#[cached_stub]` records.
//!
//! ```text
//! cargo install --path cargo-stubs
//! cargo stubs list
//! ```

mod catalog;
mod check;
mod list;
mod output;
mod prune;
mod show;
mod workspace;

use catalog::Catalog;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use workspace::Workspace;

/// Run as `cargo stubs`, cargo passes `stubs` first.
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum Cargo {
    Stubs(Stubs),
}

/// List, show, check and prune the stubs recorded by cached-stubs, in the `stubs/` folder of
/// every member of the current workspace.
#[derive(clap::Args)]
#[command(version)]
struct Stubs {
    /// Another folder of stubs, for functions recorded with `dir = "..."` (may be repeated).
    /// A folder inside another (`--dir stubs/sub`) is a stub folder of its own: the stubs
    /// below it are its, not the outer folder's.
    #[arg(long = "dir", global = true, value_name = "FOLDER")]
    dirs: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The stubs of each function: how many, and how large.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Stubs, with their arguments and what they recorded.
    Show {
        /// A stub file, a function's folder, or a function's path (`geo::capital`).
        target: String,
    },
    /// Whether every stub reads as a replay reads it, holds no secret, and is in a folder of
    /// its function's module that holds no other function's stubs; exits with 1 and lists the
    /// problems otherwise.
    Check,
    /// Runs every test (`cargo test --workspace`, and under each configuration named with
    /// `--run`) with usage logging on and, after green runs only, deletes the stubs no test
    /// used.
    Prune(prune::Options),
}

/// Why a command stopped before its end.
pub enum Stop {
    /// Something the user should read.
    Message(String),
    /// The output could not be written: a closed pipe, as under `| head`, ends quietly.
    Output(std::io::Error),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Message(message)
    }
}

impl From<std::io::Error> for Stop {
    fn from(error: std::io::Error) -> Self {
        Stop::Output(error)
    }
}

fn main() -> ExitCode {
    let Cargo::Stubs(stubs) = Cargo::parse();
    match run(stubs, &mut std::io::stdout().lock()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Stop::Output(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(Stop::Output(error)) => {
            eprintln!("cargo stubs: can't write the output: {error}");
            ExitCode::from(2)
        }
        Err(Stop::Message(message)) => {
            // Line by line: a message may quote another tool's, over several lines.
            for text in message.lines() {
                output::note(text);
            }
            ExitCode::from(2)
        }
    }
}

/// Runs a command; `Ok(false)` when it found problems or the tests failed.
fn run(stubs: Stubs, out: &mut dyn Write) -> Result<bool, Stop> {
    let workspace = Workspace::find(&stubs.dirs)?;
    // What the walk skips is a problem to `check`, a warning to the others.
    let roots = &workspace.roots;
    match stubs.command {
        Command::List { json } => list::run(&Catalog::warned(roots), json, out)?,
        Command::Show { target } => {
            show::run(&Catalog::warned(roots), &workspace.root, &target, out)?
        }
        Command::Check => return check::run(&Catalog::of(roots), out),
        Command::Prune(options) => return prune::run(&workspace, &options, out),
    }
    Ok(true)
}
