//! The stub file format: how a recorded call is written, and how a replay reads it back.
//!
//! ```json
//! {
//!   "format": 1,
//!   "function": "my_crate::llm::answer",
//!   "source_hash": "…",
//!   "args": { "prompt": "What is the capital of France?" },
//!   "output": "Paris."
//! }
//! ```
//!
//! A function with dependencies (`depends(...)`, files it includes) has `"depends"` after
//! `"source_hash"`: the hash of each, by the expression as written. One with
//! `allow_secret("path", ...)` has `"allow_secret": [...]` next, before `"args"`: the paths
//! it allows, for reviewers and for `cargo stubs check`, which scans stubs as a recording
//! does.
//!
//! A function recorded with `sequence` has `"sequence": [...]` instead, an answer per call:
//! `{"output": ...}`, or `{"items": [...]}`.
//!
//! A function returning a stream or an iterator has `"items": [...]` instead of `"output"`.
//! Recorded with `CACHED_STUBS_TIMING` set, a value's stub also has `"elapsed_ms"`, how long
//! the call took, and a stream's `"offsets_ms": [...]`, when each item came, in milliseconds
//! from the first poll (a sequence's answers keep them too). A stub that
//! `cached-stubs-server` recorded from an HTTP request has `"http": {"content_type": ...,
//! "status": ...}` before its body, and may have both timings: a stream's `elapsed_ms` is
//! then its time to first byte.
//!
//! Fields are written in this order, pretty, with a trailing newline; objects inside `args`,
//! `output` and `items` have their keys sorted, so the bytes depend only on the values (not
//! on `HashMap` order or serde_json's `preserve_order`) and re-recording an unchanged answer
//! leaves the file byte-identical.
//!
//! - [`write`]: a new stub's bytes;
//! - [`read`]: the strict reading a replay makes, in one pass;
//! - [`problem`]: what is wrong with a stub the strict reading rejected, found by reading it
//!   again leniently;
//! - [`entries`]: the arguments (or dependencies) alone, in the order they were written,
//!   for a miss message;
//! - [`inspect`]: a stub read without the types it was recorded from, for `cargo stubs`.

mod answer;
mod entries;
#[cfg(any(feature = "_cargo-stubs", feature = "_server"))]
mod inspect;
mod problem;
mod read;
mod write;

pub(crate) use answer::Answer;
pub(crate) use entries::recorded_args;
#[cfg(any(feature = "_cargo-stubs", feature = "_server"))]
pub(crate) use entries::recorded_depends;
#[cfg(any(feature = "_cargo-stubs", feature = "_server"))]
pub use inspect::{Inspected, InspectedBody, inspect};
pub(crate) use problem::{Problem, check_offsets, diagnose};
pub use read::Http;
pub(crate) use read::{Expected, Recorded, Replayed, Staleness, read};
pub(crate) use write::{NewBody, NewStub};

/// The format this version writes and reads.
pub(crate) const FORMAT: u64 = 1;

/// The longest wait a replay may ask for, for an item or a value: anything longer is a
/// broken file, not a recording.
const LONGEST_WAIT_MS: u64 = 60 * 60 * 1000;

/// `elapsed_ms` as read, refused beyond [`LONGEST_WAIT_MS`].
fn within_longest_wait(elapsed_ms: u64) -> Result<u64, String> {
    match elapsed_ms {
        ms if ms > LONGEST_WAIT_MS => Err(format!(
            "\"elapsed_ms\" must stay within an hour ({LONGEST_WAIT_MS})"
        )),
        ms => Ok(ms),
    }
}

/// What a stub holds besides its call: one output, the items of a stream or an iterator,
/// or, for a function recorded with `sequence`, an answer of either kind per call.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Body {
    Output,
    Items,
    Sequence,
}

impl Body {
    /// The body a stub read as a plain JSON object has: `items` for a stream's, `sequence`
    /// for a sequence's, else `output`.
    pub(crate) fn of(stub: &serde_json::Map<String, serde_json::Value>) -> Body {
        [Body::Items, Body::Sequence]
            .into_iter()
            .find(|body| stub.contains_key(body.field().name()))
            .unwrap_or(Body::Output)
    }

    /// The field that holds this body.
    fn field(self) -> Field {
        match self {
            Body::Output => Field::Output,
            Body::Items => Field::Items,
            Body::Sequence => Field::Sequence,
        }
    }
}

/// The fields of a stub file, in the order they are written; [`Field::name`] spells each.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Field {
    Format,
    Function,
    SourceHash,
    Depends,
    AllowSecret,
    Args,
    Http,
    Output,
    Items,
    ElapsedMs,
    OffsetsMs,
    Sequence,
}

/// Every field's name, in the order of [`Field`]: the one place they are spelled.
const FIELD_NAMES: &[&str] = &[
    "format",
    "function",
    "source_hash",
    "depends",
    "allow_secret",
    "args",
    "http",
    "output",
    "items",
    "elapsed_ms",
    "offsets_ms",
    "sequence",
];

impl Field {
    const ALL: [Field; 12] = [
        Field::Format,
        Field::Function,
        Field::SourceHash,
        Field::Depends,
        Field::AllowSecret,
        Field::Args,
        Field::Http,
        Field::Output,
        Field::Items,
        Field::ElapsedMs,
        Field::OffsetsMs,
        Field::Sequence,
    ];

    /// The field's name in a stub file.
    const fn name(self) -> &'static str {
        FIELD_NAMES[self as usize]
    }

    /// The field named `name`, if a stub has one.
    fn named(name: &str) -> Option<Field> {
        let at = FIELD_NAMES.iter().position(|field| *field == name)?;
        Some(Field::ALL[at])
    }

    /// This field's bit in a set of fields.
    fn bit(self) -> u32 {
        1 << self as u8
    }
}

/// Everything that reads a stub, on arbitrary bytes: the strict reading of both kinds of
/// body, the diagnosis of what it rejects, and the arguments a miss message shows.
#[cfg(fuzzing)]
pub(crate) fn fuzz(bytes: &[u8]) {
    let expected = Expected {
        function: "a::function",
        source_hash: "a source hash",
        depends: &[],
    };
    for body in [Body::Output, Body::Items] {
        if let Err(error) = read::<serde_json::Value>(bytes, expected, body) {
            diagnose(bytes, expected, &error);
        }
    }
    recorded_args(bytes);
}

#[cfg(test)]
mod tests {
    use super::{FIELD_NAMES, Field};

    #[test]
    fn every_field_is_named_once_in_its_order() {
        for (at, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(field as usize, at);
            assert_eq!(Field::named(field.name()), Some(field));
        }
        assert_eq!(FIELD_NAMES.len(), Field::ALL.len());
        assert_eq!(Field::named("argz"), None);
    }
}
