//! Every panic message of cached-stubs, written for the person whose test just failed: what
//! happened, to which function and file, and the command that fixes it.

use crate::key::KeyError;
use crate::nearest::{Difference, Nearest};
use crate::site::Site;
use crate::stub_file::{FORMAT, Problem};
use serde_json::Value;
use std::fmt::{self, Display, Write};
use std::path::Path;

/// Why a replay found no stub to use.
pub(crate) enum Miss {
    /// No file for these arguments; the nearest stub of the function, if it has any.
    NoStub(Option<Nearest>),
    /// A file recorded from another version of the function.
    Stale,
}

/// Longest rendering of all arguments, and of one differing value, in a message.
const ARGS_WIDTH: usize = 300;
const VALUE_WIDTH: usize = 120;

/// Something about the function that explains why a call may have no stub.
#[derive(Clone, Copy)]
pub(crate) enum Note {
    /// It returns a `Result`, and an `Err` is never recorded.
    ErrNeverRecorded,
    /// It returns a stream or an iterator, recorded only once consumed to its end.
    EndedSequencesOnly,
}

pub(crate) fn miss(
    site: &Site,
    path: &Path,
    args: &[(&str, Value)],
    miss: &Miss,
    note: Option<Note>,
) -> String {
    let function = site.definition.function;
    let why = match miss {
        Miss::Stale => format!(
            "the stub was recorded from another version of `{function}`: its body, signature \
             or attribute changed since"
        ),
        Miss::NoStub(None) => format!("no stub has been recorded for `{function}` yet"),
        Miss::NoStub(Some(nearest)) if nearest.differences.is_empty() => format!(
            "no stub for these arguments; {} has the same arguments as JSON shows them, so a \
             value differs in what JSON doesn't show (a float's sign or precision, a large integer)",
            shown(&nearest.path)
        ),
        Miss::NoStub(Some(nearest)) => {
            let names: Vec<_> = nearest
                .differences
                .iter()
                .map(|d| format!("`{}`", d.name))
                .collect();
            let mut why = format!(
                "no stub for these arguments; the nearest stub differs in {}:\n              {}",
                names.join(", "),
                shown(&nearest.path)
            );
            for difference in &nearest.differences {
                write_difference(&mut why, difference);
            }
            why
        }
    };
    let note = match note {
        Some(Note::ErrNeverRecorded) => format!(
            "\n  note:     `{function}` returns a `Result`, and an `Err` is never recorded: \
             a call that failed while recording has no stub"
        ),
        Some(Note::EndedSequencesOnly) => format!(
            "\n  note:     `{function}` returns a stream or an iterator: it is recorded only \
             when consumed to its end, without an `Err` item"
        ),
        None => String::new(),
    };
    format!(
        "cached-stubs: no stub to replay for `{function}`\n  \
         args:     {args}\n  \
         expected: {path}\n  \
         why:      {why}{note}\n\
         The real function was not called. To record it, run:\n    {command}",
        args = cut(&render_args(args), ARGS_WIDTH),
        path = shown(path),
        command = record_command(),
    )
}

fn write_difference(out: &mut String, difference: &Difference) {
    let side = |value: &Option<Value>| match value {
        Some(value) => cut(&value.to_string(), VALUE_WIDTH),
        None => "(no such argument)".to_string(),
    };
    let name = &difference.name;
    let _ = write!(
        out,
        "\n              {name}: recorded {}\n              {:width$}  called   {}",
        side(&difference.recorded),
        "",
        side(&difference.called),
        width = name.chars().count(),
    );
}

pub(crate) fn unreadable(site: &Site, path: &Path, error: &dyn Display) -> String {
    format!(
        "cached-stubs: can't replay `{function}`: its stub can't be read\n  \
         file:  {path}\n  \
         error: {error}\n\
         The file was left as it is and the real function was not called. Fix the file, or \
         delete it and record again:\n    {command}",
        function = site.definition.function,
        path = shown(path),
        command = record_command(),
    )
}

impl Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NewerFormat(format) => write!(
                f,
                "it is in stub format {format}, written by a newer cached-stubs; this one reads \
                 format {FORMAT}: upgrade cached-stubs"
            ),
            Problem::Stale => f.write_str("it was recorded from another version of the function"),
            Problem::Broken(error) => f.write_str(error),
        }
    }
}

pub(crate) fn unhashable(site: &Site, error: &KeyError) -> String {
    format!(
        "cached-stubs: can't compute the stub key of `{function}`: serializing argument `{arg}` \
         failed: {error}\n\
         Add `{arg}` to `skip(...)` if it doesn't change the result.",
        function = site.definition.function,
        arg = error.arg,
        error = error.error,
    )
}

pub(crate) fn unrecordable(site: &Site, error: &dyn Display) -> String {
    format!(
        "cached-stubs: can't record `{function}`: its result would not replay as the same value\n  \
         error: {error}\n\
         No stub was written. A result must go to JSON and come back equal: map keys must be \
         strings or numbers, integers fit in 64 bits, and a NaN float or a `Some(())` comes \
         back as null or `None`.",
        function = site.definition.function,
    )
}

pub(crate) fn unwritable(site: &Site, path: &Path, error: &std::io::Error) -> String {
    format!(
        "cached-stubs: can't write the stub of `{function}`\n  \
         file:  {path}\n  \
         error: {error}\n\
         The real function ran, but its result was not recorded.",
        function = site.definition.function,
        path = shown(path),
    )
}

pub(crate) fn shared_folder(site: &Site, first: &str, folder: &Path) -> String {
    let function = site.definition.function;
    let who = if first == function {
        format!(
            "two functions named `{function}` (methods of two types, or functions nested in two others)"
        )
    } else {
        format!("`{first}` and `{function}`")
    };
    format!(
        "cached-stubs: {who} would share the stub folder {folder}, and take each other's \
         stubs for stale ones.\n\
         Give one a folder of its own with `#[cached_stub(name = \"...\")]`.",
        folder = shown(folder),
    )
}

/// `{"a": 1, "b": "x"}`: arguments in declaration order, as compact JSON.
fn render_args(args: &[(&str, Value)]) -> String {
    let entries: Vec<_> = args
        .iter()
        .map(|(name, value)| format!("{}: {value}", Value::from(*name)))
        .collect();
    format!("{{{}}}", entries.join(", "))
}

/// `text` cut to at most `width` characters, with `…` where it was cut.
fn cut(text: &str, width: usize) -> String {
    match text.char_indices().nth(width) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_string(),
    }
}

/// A path relative to the current folder when it lies below it, as cargo prints paths.
pub(crate) fn shown(path: &Path) -> String {
    let current = std::env::current_dir().ok();
    let relative = current
        .as_deref()
        .and_then(|current| path.strip_prefix(current).ok());
    relative.unwrap_or(path).display().to_string()
}

/// The command that records what just missed: the current test by name under `cargo test`
/// or `cargo nextest run`, the current example, or this program again.
fn record_command() -> String {
    let exe = std::env::current_exe().ok();
    let folder = exe
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::file_name);
    let stem = exe.as_deref().and_then(Path::file_stem);
    match (
        folder.and_then(|f| f.to_str()),
        stem.and_then(|s| s.to_str()),
    ) {
        (Some("examples"), Some(example)) => format!("RECORD=1 cargo run --example {example}"),
        (Some("deps"), _) => {
            let runner = if std::env::var_os("NEXTEST").is_some() {
                "cargo nextest run"
            } else {
                "cargo test"
            };
            let test = std::thread::current()
                .name()
                .filter(|name| is_test_path(name))
                .map(str::to_string);
            match test {
                Some(test) => format!("RECORD=1 {runner} -- --exact {test}"),
                None => format!("RECORD=1 {runner}"),
            }
        }
        _ => {
            let program: Vec<_> = std::env::args().collect();
            format!("RECORD=1 {}", program.join(" "))
        }
    }
}

/// Whether a thread name is a test's path (`module::test`), as libtest names test threads,
/// rather than a runtime's worker (`tokio-runtime-worker`) or `main`.
fn is_test_path(name: &str) -> bool {
    name != "main"
        && name
            .split("::")
            .all(|part| !part.is_empty() && part.chars().all(|c| c == '_' || c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("short", 10), "short");
        let long = "é".repeat(500);
        let shown = cut(&long, 10);
        assert!(shown.starts_with(&"é".repeat(10)));
        assert!(shown.ends_with("… (1000 bytes in all)"), "{shown}");
    }

    #[test]
    fn arguments_render_in_declaration_order() {
        let args = [
            ("prompt", json!("Hi \"you\"")),
            ("n", json!(2)),
            ("opts", json!({"t": 0.5})),
        ];
        assert_eq!(
            render_args(&args),
            r#"{"prompt": "Hi \"you\"", "n": 2, "opts": {"t":0.5}}"#
        );
    }

    #[test]
    fn test_paths_are_told_from_other_thread_names() {
        assert!(is_test_path("tests::records_the_answer"));
        assert!(is_test_path("replays"));
        assert!(!is_test_path("main"));
        assert!(!is_test_path("tokio-runtime-worker"));
        assert!(!is_test_path("a::::b"));
    }

    #[test]
    fn the_record_command_names_the_running_test() {
        // This unit test runs in a test binary under `target/*/deps`, on a thread named after it.
        let command = record_command();
        assert!(command.starts_with("RECORD=1 cargo "), "{command}");
        assert!(
            command
                .ends_with(" -- --exact message::tests::the_record_command_names_the_running_test"),
            "{command}"
        );
    }
}
