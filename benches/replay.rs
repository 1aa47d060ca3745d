//! Replay hits against their floor: hashing the arguments (blake3 over their bytes), then
//! `std::fs::read` and `serde_json::from_slice` of the same stub file, by hand. Then hits of
//! functions that depend on a 4 KiB prompt (`depends(...)`), the same hit among 10,000 stubs
//! in its folder and 100,000 around it, and, beside ours, a hit of the `cached` crate's disk
//! store for the same value.

use cached::ConcurrentCached;
use cached::stores::RedbCache;
use cached_stubs::cached_stub;
use cached_stubs_benches::{
    Items, Output, PROMPT, Row, answer_text, compare, drain, is_recording_child, only_stub,
    print_table, read_by_hand, record_stubs,
};
use futures::stream::{self, Stream};
use std::hint::black_box;
use std::path::Path;

#[cached_stub]
fn answer_1k(prompt: &str) -> String {
    let _ = prompt;
    answer_text(1024)
}

#[cached_stub]
fn answer_64k(prompt: &str) -> String {
    let _ = prompt;
    answer_text(64 * 1024)
}

/// A system prompt of 4 KiB.
const SYSTEM_PROMPT: &str = include_str!("system_prompt.txt");

/// The 1 KiB answer, versioned by a 4 KiB constant: hashed once per process.
#[cached_stub(depends(SYSTEM_PROMPT))]
fn prompted(prompt: &str) -> String {
    let _ = prompt;
    answer_text(1024)
}

/// The 1 KiB answer, versioned by a 4 KiB prompt that a function builds: hashed each call.
#[cached_stub(depends(system_prompt()))]
fn prompted_each_call(prompt: &str) -> String {
    let _ = prompt;
    answer_text(1024)
}

fn system_prompt() -> String {
    SYSTEM_PROMPT.to_string()
}

/// 200 chunks of 40 bytes, as a model streams an answer.
#[cached_stub]
fn chunks(prompt: &str) -> impl Stream<Item = String> {
    let _ = prompt;
    stream::iter((0..200).map(|_| answer_text(40)))
}

/// The same 1 KiB answer, in a folder that will hold 10,000 other stubs.
#[cached_stub]
fn crowded(prompt: &str) -> String {
    let _ = prompt;
    answer_text(1024)
}

fn main() {
    if is_recording_child() {
        assert_eq!(answer_1k(PROMPT).len(), 1024);
        assert_eq!(answer_64k(PROMPT).len(), 64 * 1024);
        drain(chunks(PROMPT));
        assert_eq!(crowded(PROMPT).len(), 1024);
        assert_eq!(prompted(PROMPT).len(), 1024);
        assert_eq!(prompted_each_call(PROMPT).len(), 1024);
        return;
    }
    // SAFETY: first thing, before any thread.
    let stubs = unsafe { record_stubs("1") };
    let folder = |function: &str| stubs.path().join("replay").join(function);

    let answer_1k_stub = only_stub(&folder("answer_1k"));
    let mut rows = vec![
        value_row("1 KiB `String`", &answer_1k_stub, || {
            answer_1k(black_box(PROMPT))
        }),
        value_row("64 KiB `String`", &only_stub(&folder("answer_64k")), || {
            answer_64k(black_box(PROMPT))
        }),
        stream_row(&only_stub(&folder("chunks"))),
        value_row(
            "1 KiB, versioned by a 4 KiB `const` prompt",
            &only_stub(&folder("prompted")),
            || prompted(black_box(PROMPT)),
        ),
        value_row(
            "1 KiB, versioned by a 4 KiB prompt built at each call",
            &only_stub(&folder("prompted_each_call")),
            || prompted_each_call(black_box(PROMPT)),
        ),
    ];
    let crowded_stub = only_stub(&folder("crowded"));
    rows.push(value_row(
        "1 KiB, alone in its folder",
        &crowded_stub,
        || crowded(black_box(PROMPT)),
    ));
    fill(&folder("crowded"), &crowded_stub, 10_000);
    rows.push(value_row(
        "1 KiB, among 10,000 stubs",
        &crowded_stub,
        || crowded(black_box(PROMPT)),
    ));
    for sibling in 0..100 {
        fill(
            &stubs.path().join("replay").join(format!("other_{sibling}")),
            &crowded_stub,
            1_000,
        );
    }
    rows.push(value_row(
        "1 KiB, among 110,000 stubs",
        &crowded_stub,
        || crowded(black_box(PROMPT)),
    ));
    print_table(
        "Replay hit against reading and parsing its file",
        "floor",
        "hit",
        &rows,
    );

    let disk = tempfile::tempdir().unwrap();
    let cache: RedbCache<String, String> = RedbCache::builder("answers")
        .disk_dir(disk.path())
        .build()
        .unwrap();
    cache
        .cache_set(PROMPT.to_string(), answer_text(1024))
        .unwrap();
    let cached_row = value_row("1 KiB `String`", &answer_1k_stub, || {
        cache
            .cache_get(black_box(&PROMPT.to_string()))
            .unwrap()
            .unwrap()
    });
    print_table(
        "The `cached` crate's disk store (redb), same value, same floor",
        "floor",
        "`cached` hit",
        &[cached_row],
    );
}

/// A value's hit against the floor for its stub file.
fn value_row(case: &str, stub: &Path, hit: impl Fn() -> String) -> Row {
    let floor = || {
        black_box(read_by_hand::<Output<String>>(stub).output);
    };
    compare(case, floor, || {
        black_box(hit());
    })
}

/// The stream's hit, every item taken, against the floor for its stub file.
fn stream_row(stub: &Path) -> Row {
    let floor = || {
        read_by_hand::<Items<String>>(stub)
            .items
            .into_iter()
            .for_each(|item| drop(black_box(item)));
    };
    compare("200-item stream of 40-byte chunks", floor, || {
        drain(chunks(black_box(PROMPT)))
    })
}

/// Copies `stub` into `folder` under `count` other stub names.
fn fill(folder: &Path, stub: &Path, count: u32) {
    std::fs::create_dir_all(folder).unwrap();
    let bytes = std::fs::read(stub).unwrap();
    for at in 0..count {
        let name = blake3::hash(&at.to_le_bytes()).to_hex()[..32].to_string() + ".json";
        std::fs::write(folder.join(name), &bytes).unwrap();
    }
}
