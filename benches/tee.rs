//! Recording a stream: the tee's cost per item, as each item is copied on its way to the
//! caller (the items of a stream dropped before its end, so that nothing is written), and
//! the time to the first item through the wrapper against the inner stream alone, for an
//! inner stream that yields its first item after a millisecond, as a model's first token
//! comes, and the rest 20 ms apart: a tee that held items back would take 181 ms.

use cached_stubs::cached_stub;
use cached_stubs_benches::{Row, answer_text, compare, drain, print_table};
use futures::stream::{self, Stream, StreamExt};
use std::hint::black_box;
use std::time::Duration;

const ITEMS: usize = 200;

fn inner() -> impl Stream<Item = String> {
    stream::iter((0..ITEMS).map(|_| answer_text(40)))
}

#[cached_stub]
fn teed(prompt: &str) -> impl Stream<Item = String> {
    let _ = prompt;
    inner()
}

/// Ten items as a model streams them: the first after 1 ms, the others 20 ms apart.
fn spaced() -> impl Stream<Item = String> {
    stream::iter((0..10).map(|at| {
        std::thread::sleep(Duration::from_millis(if at == 0 { 1 } else { 20 }));
        answer_text(40)
    }))
}

#[cached_stub]
fn teed_spaced(prompt: &str) -> impl Stream<Item = String> {
    let _ = prompt;
    spaced()
}

fn main() {
    // Measured while recording: every call runs the real stream through the tee.
    if std::env::var_os("RECORD").is_none() {
        let stubs = tempfile::tempdir().unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("RECORD", "all")
            .env("CACHED_STUBS_DIR", stubs.path())
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    // All but the last item: the tee copies each, and writes nothing, as the stream is
    // dropped before its end. A whole call over its items, so the call's own setup (its key,
    // its stub's path, its arguments' JSON) is in the figure per item too.
    let per_item = compare(
        format!("{} items of 40 bytes, per item", ITEMS - 1),
        || drain(inner().take(ITEMS - 1)),
        || drain(teed(black_box("prompt")).take(ITEMS - 1)),
    );
    let per_item = Row {
        floor_ns: per_item.floor_ns / (ITEMS - 1) as f64,
        subject_ns: per_item.subject_ns / (ITEMS - 1) as f64,
        ..per_item
    };
    let first = compare(
        "first of 10 items (at 1 ms, then every 20 ms)",
        || drain(spaced().take(1)),
        || drain(teed_spaced(black_box("prompt")).take(1)),
    );
    print_table(
        "Recording a stream: the tee against the inner stream",
        "inner stream",
        "through the tee",
        &[per_item, first],
    );
}
