//! The benchmarks' harness. A measurement is the median of many samples, taken in blocks
//! that alternate a subject and its floor, so that both see the same machine at the same
//! moment; what is reported is their ratio. Absolute times on these machines are noise.
//! The tables it prints are what BENCHMARKS.md shows, and what `bench-ranges` reads back.

use futures_core::Stream;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The argument of every benchmark's calls.
pub const PROMPT: &str = "What is the capital of France?";

/// A subject measured against its floor.
pub struct Row {
    /// What was measured, as the table's first column shows it.
    pub case: String,
    /// The floor's median, in nanoseconds per call.
    pub floor_ns: f64,
    /// The subject's median, in nanoseconds per call.
    pub subject_ns: f64,
}

impl Row {
    /// The subject's time over the floor's.
    pub fn ratio(&self) -> f64 {
        self.subject_ns / self.floor_ns
    }
}

/// Median nanoseconds per call of `floor` and of `subject`, from 32 samples of each taken
/// as [`alternate`] takes them, each a batch of calls long enough (about 2 ms) to read a
/// clock around.
pub fn compare(case: impl Into<String>, mut floor: impl FnMut(), mut subject: impl FnMut()) -> Row {
    let batch = batch_size(&mut subject).max(batch_size(&mut floor));
    for _ in 0..3 {
        sample(&mut floor, batch);
        sample(&mut subject, batch);
    }
    alternate(
        case,
        16,
        || sample(&mut floor, batch),
        || sample(&mut subject, batch),
    )
}

/// Medians of `2 * blocks` timings of `floor` and of `subject`, taken in blocks of four:
/// floor, subject, subject, floor (ABBA). Each comes first as often as the other, so that
/// what favours the first or the second of a pair, or drifts during the run, falls on both
/// alike.
pub fn alternate(
    case: impl Into<String>,
    blocks: usize,
    mut floor: impl FnMut() -> f64,
    mut subject: impl FnMut() -> f64,
) -> Row {
    let (mut floors, mut subjects) = (Vec::new(), Vec::new());
    for _ in 0..blocks {
        floors.push(floor());
        subjects.push(subject());
        subjects.push(subject());
        floors.push(floor());
    }
    Row {
        case: case.into(),
        floor_ns: median(floors),
        subject_ns: median(subjects),
    }
}

/// The number of calls that take about 2 ms.
fn batch_size(f: &mut impl FnMut()) -> usize {
    let mut batch = 1;
    loop {
        let started = Instant::now();
        for _ in 0..batch {
            f();
        }
        if started.elapsed() >= Duration::from_millis(2) || batch >= 1 << 20 {
            return batch;
        }
        batch *= 2;
    }
}

/// Nanoseconds per call over a batch.
fn sample(f: &mut impl FnMut(), batch: usize) -> f64 {
    let started = Instant::now();
    for _ in 0..batch {
        f();
    }
    black_box(());
    started.elapsed().as_nanos() as f64 / batch as f64
}

/// The middle value, or the mean of the middle two.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

/// Prints rows as a Markdown table, as BENCHMARKS.md shows them.
pub fn print_table(title: &str, floor: &str, subject: &str, rows: &[Row]) {
    let rows = rows.iter().map(|row| {
        [
            row.case.clone(),
            time(row.floor_ns),
            time(row.subject_ns),
            format!("{:.2}", row.ratio()),
        ]
    });
    Table {
        title: title.to_string(),
        columns: [floor.to_string(), subject.to_string()],
        rows: rows.collect(),
    }
    .print();
}

/// A table as printed: its title, the names of its floor's and its subject's columns, and
/// its rows of cells (the case, the floor's time, the subject's time, the ratio).
pub struct Table {
    /// The title, after `### `.
    pub title: String,
    /// The floor's and the subject's column names.
    pub columns: [String; 2],
    /// The case, the floor's time, the subject's time and the ratio, of each row.
    pub rows: Vec<[String; 4]>,
}

impl Table {
    /// Prints it in Markdown.
    pub fn print(&self) {
        let [floor, subject] = &self.columns;
        println!("\n### {}\n", self.title);
        println!("| case | {floor} | {subject} | ratio |");
        println!("|---|---:|---:|---:|");
        for row in &self.rows {
            println!("| {} |", row.join(" | "));
        }
    }

    /// The tables that [`Table::print`] wrote into `text`.
    pub fn parse(text: &str) -> Vec<Table> {
        let mut tables: Vec<Table> = Vec::new();
        for line in text.lines() {
            if let Some(title) = line.strip_prefix("### ") {
                tables.push(Table {
                    title: title.to_string(),
                    columns: Default::default(),
                    rows: Vec::new(),
                });
            } else if let (Some(table), Some(cells)) = (
                tables.last_mut(),
                line.strip_prefix("| ")
                    .and_then(|line| line.strip_suffix(" |")),
            ) {
                let cells: Vec<String> = cells.split(" | ").map(str::to_string).collect();
                let [case, floor, subject, ratio] = cells.try_into().expect("four cells a row");
                if case == "case" {
                    table.columns = [floor, subject];
                } else {
                    table.rows.push([case, floor, subject, ratio]);
                }
            }
        }
        tables
    }
}

/// A duration in nanoseconds, for people.
pub fn time(ns: f64) -> String {
    match ns {
        ns if ns < 1_000.0 => format!("{ns:.0} ns"),
        ns if ns < 1_000_000.0 => format!("{:.1} µs", ns / 1_000.0),
        ns if ns < 1_000_000_000.0 => format!("{:.1} ms", ns / 1_000_000.0),
        ns => format!("{:.2} s", ns / 1_000_000_000.0),
    }
}

/// The nanoseconds that a [`time`] stands for.
pub fn nanoseconds(time: &str) -> f64 {
    let (number, unit) = time.split_once(' ').expect("a number and a unit");
    let unit = match unit {
        "ns" => 1.0,
        "µs" => 1_000.0,
        "ms" => 1_000_000.0,
        "s" => 1_000_000_000.0,
        _ => panic!("no unit of time in {time:?}"),
    };
    number.parse::<f64>().expect("a number") * unit
}

/// Text of `bytes` bytes that reads like a model's answer.
pub fn answer_text(bytes: usize) -> String {
    let sentence =
        "The capital of France is Paris, on the Seine, home to about two million people. ";
    sentence.repeat(bytes / sentence.len() + 1)[..bytes].to_string()
}

/// Whether this process is the child a benchmark started to record its stubs.
pub fn is_recording_child() -> bool {
    std::env::args().any(|arg| arg == "--record-stubs")
}

/// Records a benchmark's stubs into a new folder: runs this binary again with `RECORD` set
/// and `--record-stubs`, and returns the folder, which this process then replays from.
///
/// # Safety
///
/// Sets environment variables of this process: call it first thing, before any thread.
pub unsafe fn record_stubs(record: &str) -> tempfile::TempDir {
    let stubs = tempfile::tempdir().expect("a temporary folder");
    let status = std::process::Command::new(std::env::current_exe().expect("the bench binary"))
        .arg("--record-stubs")
        .env("RECORD", record)
        .env("CACHED_STUBS_DIR", stubs.path())
        .status()
        .expect("the bench binary runs");
    assert!(status.success(), "recording the stubs failed");
    // SAFETY: the caller runs this before starting any thread.
    unsafe {
        std::env::remove_var("RECORD");
        std::env::set_var("CACHED_STUBS_DIR", stubs.path());
    }
    stubs
}

/// The one stub file in `folder`.
pub fn only_stub(folder: &Path) -> PathBuf {
    let mut files = std::fs::read_dir(folder)
        .expect("a stub folder")
        .map(|entry| entry.unwrap().path());
    let stub = files.next().expect("a stub");
    assert!(files.next().is_none(), "one stub in {}", folder.display());
    stub
}

/// A value's stub file as the floor reads it: its `output`, the rest skipped.
#[derive(Deserialize)]
pub struct Output<T> {
    /// The recorded value.
    pub output: T,
}

/// A stream's stub file as the floor reads it: its `items`, the rest skipped.
#[derive(Deserialize)]
pub struct Items<T> {
    /// The recorded items, in order.
    pub items: Vec<T>,
}

/// The floor of a replay hit, done by hand: blake3 over [`PROMPT`]'s bytes (hashing the
/// arguments), then `std::fs::read` of `stub` and `serde_json::from_slice` of its bytes.
pub fn read_by_hand<T: DeserializeOwned>(stub: &Path) -> T {
    black_box(blake3::hash(black_box(PROMPT).as_bytes()));
    let bytes = std::fs::read(stub).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Takes every item of a stream whose items are all ready, through `black_box`, polling it
/// with a waker that does nothing: no executor is needed. Stops at its end or when pending.
pub fn drain(stream: impl Stream) {
    let mut stream = pin!(stream);
    let mut context = Context::from_waker(Waker::noop());
    while let Poll::Ready(Some(item)) = stream.as_mut().poll_next(&mut context) {
        drop(black_box(item));
    }
}
