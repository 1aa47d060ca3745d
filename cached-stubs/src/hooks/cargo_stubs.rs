//! What `cargo stubs` needs of this crate, kept in step with it by the exact version pin:
//! the usage log's variable and format, the names of stub and temporary files, a reading of
//! any stub that needs none of the types it was recorded from, the scan for secrets a
//! recording makes, and paths as messages show them. Not public API; compiled only with the `_cargo-stubs` feature, which `cargo-stubs`
//! enables.

use crate::key::Key;
use crate::secrets::{self, Returned};
use crate::{report, store, stub_file, usage};
use std::io;
use std::path::{Path, PathBuf};

pub use crate::secrets::Found as SecretFound;
pub use crate::stub_file::{Inspected, InspectedBody};

/// The environment variable under which every replayed or recorded stub is logged.
pub const USAGE_LOG: &str = usage::VARIABLE;

/// The paths of the stubs a usage log names, each once, in the order first logged; `Err`
/// holds the first line that is no path on this platform.
pub fn logged_paths(log: &[u8]) -> Result<Vec<PathBuf>, &[u8]> {
    usage::logged_paths(log)
}

/// A path as the command prints it: relative to the current folder when it lies below it.
pub fn shown(path: &Path) -> String {
    report::shown_from(path, std::env::current_dir().ok().as_deref())
}

/// Whether a character could act on a terminal rather than show on it: a control character,
/// or one that reorders the text around it. A stub's `function` and `source_hash` must have
/// none.
pub fn is_unprintable(c: char) -> bool {
    report::is_unprintable(c)
}

/// Whether `name` is a stub file's: 32 hex digits and `.json`.
pub fn is_stub_name(name: &str) -> bool {
    Key::is_file_name(name)
}

/// Whether `name` is a temporary file's, as a recording writes before renaming it.
pub fn is_temporary_name(name: &str) -> bool {
    store::is_temporary_name(name)
}

/// Reads the stub file at `path` as strictly as a replay does, but for the types: from a
/// regular file only (a pipe is an error, not a wait) and at most 64 MiB. Says what is
/// wrong with it as a replay would.
pub fn inspect_file(path: &Path) -> Result<Inspected, String> {
    let bytes = store::read(path)
        .and_then(|bytes| bytes.ok_or_else(|| io::ErrorKind::NotFound.into()))
        .map_err(|error| error.to_string())?;
    stub_file::inspect(&bytes)
}

/// The secrets `stub` holds, as a recording would refuse them: values of this process's
/// secret-named environment variables and credential-shaped strings, but for the paths of
/// its `allow_secret`. Each is named by its path and rule, never by its value.
pub fn secrets_in(stub: &Inspected) -> Vec<SecretFound> {
    let answers: Vec<Returned<'_>>;
    let returned = match &stub.body {
        InspectedBody::Sequence(list) => {
            answers = list.iter().map(returned).collect();
            Returned::Answers(&answers)
        }
        body => returned(body),
    };
    secrets::find(&stub.args, returned, &stub.allow_secret)
}

/// What one answer of `body` records.
fn returned(body: &InspectedBody) -> Returned<'_> {
    match body {
        InspectedBody::Output(output) => Returned::Output(output),
        InspectedBody::Items { items, .. } => Returned::Items(items),
        InspectedBody::Sequence(_) => unreachable!("a sequence's answers are one call's each"),
    }
}
