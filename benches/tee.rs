//! Recording a stream: the tee's cost per item, as each item is copied on its way to the
//! caller (the items of a stream dropped before its end, so that nothing is written), and
//! the time to the first item through the wrapper against the inner stream alone, for an
//! inner stream that yields its first item after a millisecond, as a model's first token
//! comes, and the rest 20 ms apart: a tee that held items back would take 181 ms.
//!
//! Then what recording pays once per stub written: the scan for secrets, against turning the
//! same JSON into the stub's pretty bytes, which writing it does anyway. The recording
//! process has eight secret-named variables of 16 to 72 characters, as a developer's shell
//! may, so that the environment rule has values to look for.

use cached_stubs::__bench::secrets_found;
use cached_stubs::cached_stub;
use cached_stubs_benches::{PROMPT, Row, answer_text, compare, drain, print_table};
use futures::stream::{self, Stream, StreamExt};
use serde_json::{Value, json};
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
        // Of 16 to 72 characters: some shorter than an item, which the scan must look into.
        let secrets = (0..8).map(|n| {
            let value = format!("bench-{n}-{}", answer_text(8 * n + 8).replace(' ', "-"));
            (format!("BENCH_SERVICE_{n}_TOKEN"), value)
        });
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("RECORD", "all")
            .env("CACHED_STUBS_DIR", stubs.path())
            .envs(secrets)
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
    print_table(
        "Recording: the scan for secrets against the stub's JSON bytes",
        "to_vec_pretty",
        "scan",
        &[scan_items(), scan_chat()],
    );
}

/// The scan of a stub of 200 items of 40 bytes, per item.
fn scan_items() -> Row {
    let args = [("prompt", json!(PROMPT))];
    let items: Vec<Value> = (0..ITEMS).map(|_| json!(answer_text(40))).collect();
    let row = scan_row(
        format!("{ITEMS} items of 40 bytes, per item"),
        &args,
        &items,
        false,
    );
    Row {
        floor_ns: row.floor_ns / ITEMS as f64,
        subject_ns: row.subject_ns / ITEMS as f64,
        ..row
    }
}

/// The scan of a chat completion's stub: a request of 20 messages, and its answer.
fn scan_chat() -> Row {
    let messages: Vec<Value> = (0..20)
        .map(|turn| json!({"role": if turn % 2 == 0 { "user" } else { "assistant" }, "content": answer_text(200)}))
        .collect();
    let args = [(
        "request",
        json!({"model": "gpt-4o-mini", "temperature": 0.2, "messages": messages}),
    )];
    let output = json!({
        "id": "chatcmpl-1",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer_text(600)}}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 150, "total_tokens": 1150},
    });
    assert!(serde_json::to_vec_pretty(&(&args, &output)).unwrap().len() > 6_500);
    scan_row(
        "a chat completion: 20 messages and its answer (6.6 KiB)",
        &args,
        std::slice::from_ref(&output),
        true,
    )
}

/// `secrets_found` over a stub of `args` and `items` (an output when `output`), against
/// `serde_json::to_vec_pretty` of the same values.
fn scan_row(
    case: impl Into<String>,
    args: &[(&'static str, Value)],
    items: &[Value],
    output: bool,
) -> Row {
    assert_eq!(
        secrets_found(args, items, output),
        0,
        "the bench finds a secret"
    );
    compare(
        case,
        || {
            black_box(serde_json::to_vec_pretty(&(black_box(args), black_box(items))).unwrap());
        },
        || {
            black_box(secrets_found(black_box(args), black_box(items), output));
        },
    )
}
