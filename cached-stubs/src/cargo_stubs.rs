//! What `cargo stubs` needs of this crate, kept in step with it by the exact version pin:
//! the usage log's variable and format, the names of stub and temporary files, a reading of
//! any stub that needs none of the types it was recorded from, and paths as messages show
//! them. Not public API.

use crate::key::Key;
use crate::stub_file::{self, Body};
use crate::{message, store, usage};
use serde_json::Value;
use std::io;
use std::path::{Path, PathBuf};

/// The environment variable under which every replayed or recorded stub is logged.
pub const USAGE_LOG: &str = usage::VARIABLE;

/// The paths of the stubs a usage log names, each once, in the order first logged; `Err`
/// holds the first line that is no path on this platform.
pub fn logged_paths(log: &[u8]) -> Result<Vec<PathBuf>, &[u8]> {
    usage::logged_paths(log)
}

/// A path as messages show it: relative to the current folder when it lies below it.
pub fn shown(path: &Path) -> String {
    message::shown(path)
}

/// Whether `name` is a stub file's: 32 hex digits and `.json`.
pub fn is_stub_name(name: &str) -> bool {
    Key::is_file_name(name)
}

/// Whether `name` is a temporary file's, as a recording writes before renaming it.
pub fn is_temporary_name(name: &str) -> bool {
    store::is_temporary_name(name)
}

/// A stub, as read without its types.
pub struct Inspected {
    /// The path of the function that recorded it.
    pub function: String,
    /// The hash of that function's tokens when it recorded.
    pub source_hash: String,
    /// Its arguments, in declaration order.
    pub args: Vec<(String, Value)>,
    /// What it recorded.
    pub body: InspectedBody,
}

/// What a stub recorded.
pub enum InspectedBody {
    /// A value.
    Output(Value),
    /// The items of a stream or an iterator, and when each came, if that was kept.
    Items {
        /// The items, in order.
        items: Vec<Value>,
        /// When each item came, in milliseconds from the first poll.
        offsets_ms: Option<Vec<u64>>,
    },
}

/// Reads the stub file at `path` as strictly as a replay does, but for the types: from a
/// regular file only (a pipe is an error, not a wait) and at most 64 MiB. Says what is
/// wrong with it as a replay would.
pub fn inspect_file(path: &Path) -> Result<Inspected, String> {
    let bytes = store::read(path)
        .and_then(|bytes| bytes.ok_or_else(|| io::ErrorKind::NotFound.into()))
        .map_err(|error| error.to_string())?;
    inspect(&bytes)
}

/// Reads the bytes of a stub as [`inspect_file`] does.
fn inspect(bytes: &[u8]) -> Result<Inspected, String> {
    let whole: Value = serde_json::from_slice(bytes).map_err(|error| error.to_string())?;
    let body = whole.as_object().map_or(Body::Output, stub_file::body_of);
    let replayed = stub_file::read::<Value>(bytes, "", body)
        .map_err(|error| stub_file::diagnose(bytes, "", &error).to_string())?;
    let text = |field: &str| match whole.get(field) {
        Some(Value::String(text)) => Ok(text.clone()),
        _ => Err(format!("\"{field}\" is not a string")),
    };
    let args = stub_file::recorded_args(bytes).ok_or("\"args\" is not an object")?;
    let body = match (body, replayed.body) {
        (Body::Output, output) => InspectedBody::Output(output),
        (Body::Items, Value::Array(items)) => {
            if let Some(offsets_ms) = &replayed.offsets_ms {
                stub_file::check_offsets(offsets_ms, items.len()).map_err(|p| p.to_string())?;
            }
            InspectedBody::Items {
                items,
                offsets_ms: replayed.offsets_ms,
            }
        }
        (Body::Items, _) => return Err("\"items\" is not an array".to_string()),
    };
    Ok(Inspected {
        function: text("function")?,
        source_hash: text("source_hash")?,
        args,
        body,
    })
}
