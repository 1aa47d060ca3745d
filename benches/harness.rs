//! The benchmarks' harness. A measurement is the median of many samples, taken in rounds
//! that alternate a subject and its floor, so that both see the same machine at the same
//! moment; what is reported is their ratio. Absolute times on these machines are noise.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// A subject measured against its floor.
pub struct Row {
    pub case: String,
    pub floor_ns: f64,
    pub subject_ns: f64,
}

impl Row {
    pub fn ratio(&self) -> f64 {
        self.subject_ns / self.floor_ns
    }
}

/// Median nanoseconds per call of `floor` and of `subject`, from 31 alternating samples,
/// each a batch of calls long enough (about 2 ms) to read a clock around.
pub fn compare(case: impl Into<String>, mut floor: impl FnMut(), mut subject: impl FnMut()) -> Row {
    let batch = batch_size(&mut subject).max(batch_size(&mut floor));
    for _ in 0..3 {
        sample(&mut floor, batch);
        sample(&mut subject, batch);
    }
    let (mut floors, mut subjects) = (Vec::new(), Vec::new());
    for _ in 0..31 {
        floors.push(sample(&mut floor, batch));
        subjects.push(sample(&mut subject, batch));
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

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Prints rows as a Markdown table, as BENCHMARKS.md shows them.
pub fn print_table(title: &str, floor: &str, subject: &str, rows: &[Row]) {
    println!("\n### {title}\n");
    println!("| case | {floor} | {subject} | ratio |");
    println!("|---|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {:.2} |",
            row.case,
            time(row.floor_ns),
            time(row.subject_ns),
            row.ratio()
        );
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
pub fn only_stub(folder: &std::path::Path) -> std::path::PathBuf {
    let mut files = std::fs::read_dir(folder)
        .expect("a stub folder")
        .map(|entry| entry.unwrap().path());
    let stub = files.next().expect("a stub");
    assert!(files.next().is_none(), "one stub in {}", folder.display());
    stub
}
