//! Streams and iterators, recorded item by item and replayed as the declared type. The replay
//! tests use the stubs committed under `stubs/streams/`; the recording tests run in child
//! processes with a folder of their own, since `RECORD` is read once per process.

use cached_stubs::cached_stub;
use cached_stubs_suite::{
    Scenario, assert_committed_stubs_are_recorded_again, files_below, only_file,
};
use futures::stream::{self, BoxStream, Stream, StreamExt};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The words of a text with their spaces, as a model streams tokens.
fn words(text: &str) -> Vec<String> {
    text.split_inclusive(' ').map(str::to_string).collect()
}

/// `impl Stream`, found without options.
#[cached_stub]
fn tokens(text: &str) -> impl Stream<Item = String> {
    stream::iter(words(text))
}

/// `impl Iterator`, found without options.
#[cached_stub]
fn countdown(from: u32) -> impl Iterator<Item = u32> {
    (1..=from).rev()
}

/// A named stream type, declared by `stream`.
#[cached_stub(stream)]
fn boxed_tokens(text: &str) -> BoxStream<'static, String> {
    stream::iter(words(text)).boxed()
}

/// A `Pin<Box<dyn Stream>>` borrowing its argument, with `Result` items.
#[cached_stub(stream)]
fn checked_tokens<'a>(
    text: &'a str,
) -> Pin<Box<dyn Stream<Item = io::Result<String>> + Send + 'a>> {
    Box::pin(stream::iter(
        text.split_inclusive(' ').map(|word| Ok(word.to_string())),
    ))
}

/// A named iterator type, declared by `iter`.
#[cached_stub(iter)]
fn squares(count: u32) -> Box<dyn Iterator<Item = u32>> {
    Box::new((1..=count).map(|n| n * n))
}

/// The shape of async-openai's `create_stream`: an async `Result` whose `Ok` is a stream.
#[cached_stub(stream)]
async fn create_stream(prompt: &str) -> io::Result<BoxStream<'static, io::Result<String>>> {
    if prompt.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty prompt"));
    }
    tokio::task::yield_now().await;
    Ok(stream::iter(words(&format!("You asked: {prompt}")).into_iter().map(Ok)).boxed())
}

#[tokio::test]
async fn streams_replay_their_items_in_order() {
    let expected = ["Streams ", "come ", "in ", "pieces."];
    assert_eq!(
        tokens("Streams come in pieces.").collect::<Vec<_>>().await,
        expected
    );
    assert_eq!(
        boxed_tokens("Streams come in pieces.")
            .collect::<Vec<_>>()
            .await,
        expected
    );
    let checked: Vec<String> = checked_tokens("Streams come in pieces.")
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(checked, expected);
}

#[test]
fn iterators_replay_their_items_in_order() {
    assert_eq!(countdown(3).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(squares(4).collect::<Vec<_>>(), [1, 4, 9, 16]);
}

#[tokio::test]
async fn an_async_result_of_a_stream_replays_as_ok() {
    let answer = create_stream("where is Paris?").await.unwrap();
    let words: Vec<String> = answer.map(Result::unwrap).collect().await;
    assert_eq!(words.concat(), "You asked: where is Paris?");
}

#[tokio::test]
async fn a_replayed_send_stream_moves_into_another_task() {
    let collected = tokio::spawn(boxed_tokens("Sent across tasks.").collect::<Vec<_>>());
    assert_eq!(collected.await.unwrap(), ["Sent ", "across ", "tasks."]);
}

#[test]
fn streams_replay_under_another_executor() {
    let collected = futures::executor::block_on(tokens("No tokio here.").collect::<Vec<_>>());
    assert_eq!(collected, ["No ", "tokio ", "here."]);
}

#[test]
fn committed_stubs_match_a_fresh_recording() {
    assert_committed_stubs_are_recorded_again("committed_stubs_match_a_fresh_recording", "streams");
}

/// What happened, in order: items produced by the real sequence, items consumed.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, event: String) {
        self.0.lock().unwrap().push(event);
    }

    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// `count` items, produced one at a time with a pause between them.
#[cached_stub(skip(log))]
fn paced(count: u32, log: Log) -> impl Stream<Item = u32> {
    stream::unfold(0, move |item| {
        let log = log.clone();
        async move {
            if item == count {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
            log.push(format!("produced {item}"));
            Some((item, item + 1))
        }
    })
}

#[cached_stub(skip(log))]
fn paced_iter(count: u32, log: Log) -> impl Iterator<Item = u32> {
    (0..count).inspect(move |item| {
        std::thread::sleep(Duration::from_millis(30));
        log.push(format!("produced {item}"));
    })
}

/// The stub files of `function`, in the folder the parent test gave.
fn stubs_of(function: &str) -> Vec<PathBuf> {
    let root = std::env::var_os("CACHED_STUBS_DIR").expect("the parent test sets CACHED_STUBS_DIR");
    files_below(&Path::new(&root).join("streams").join(function))
        .into_keys()
        .collect()
}

/// Called as each item reaches the caller: no stub may be written before the end.
fn consumed(log: &Log, function: &str, item: u32) {
    log.push(format!("consumed {item}"));
    assert_eq!(
        stubs_of(function),
        Vec::<PathBuf>::new(),
        "a stub was written before the end"
    );
}

/// Called at the end: each item reached the caller before the next one was produced, and
/// the stub is written.
fn ended(log: &Log, function: &str) {
    let expected = [
        "produced 0",
        "consumed 0",
        "produced 1",
        "consumed 1",
        "produced 2",
        "consumed 2",
    ];
    assert_eq!(log.events(), expected);
    assert_eq!(stubs_of(function).len(), 1, "no stub after the end");
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_tees_a_stream() {
    let log = Log::default();
    let mut items = pin!(paced(3, log.clone()));
    while let Some(item) = items.next().await {
        consumed(&log, "paced", item);
    }
    ended(&log, "paced");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_tees_an_iterator() {
    let log = Log::default();
    for item in paced_iter(3, log.clone()) {
        consumed(&log, "paced_iter", item);
    }
    ended(&log, "paced_iter");
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_replays_without_producing() {
    let log = Log::default();
    assert_eq!(paced(3, log.clone()).collect::<Vec<_>>().await, [0, 1, 2]);
    assert_eq!(paced_iter(3, log.clone()).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(log.events(), Vec::<String>::new(), "the real sequence ran");
}

#[test]
fn recording_passes_each_item_on_as_it_comes_and_writes_at_the_end() {
    let scenario = Scenario::new();
    for child in ["child_tees_a_stream", "child_tees_an_iterator"] {
        scenario.passes(child, Some("1"));
    }
    scenario.passes("child_replays_without_producing", None);
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_drops_sequences_early() {
    let log = Log::default();
    let first = pin!(paced(3, log.clone())).next().await;
    assert_eq!(first, Some(0));
    assert_eq!(paced_iter(3, log.clone()).next(), Some(0));
    assert_eq!(log.events(), ["produced 0", "produced 0"]);
}

#[test]
fn a_sequence_dropped_early_records_nothing() {
    let scenario = Scenario::new();
    scenario.passes("child_drops_sequences_early", Some("1"));
    assert_eq!(scenario.stub_files().len(), 0);
}

/// A stream whose connection drops at item `fail_at`.
#[cached_stub]
fn flaky_tokens(fail_at: usize) -> impl Stream<Item = io::Result<String>> {
    stream::iter((0..3).map(move |item| match item {
        _ if item == fail_at => Err(io::Error::other("connection dropped")),
        _ => Ok(format!("t{item}")),
    }))
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_meets_an_err_item() {
    let items: Vec<io::Result<String>> = flaky_tokens(1).collect().await;
    let shown: Vec<String> = items.iter().map(|item| format!("{item:?}")).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        items[1]
            .as_ref()
            .is_err_and(|error| error.to_string() == "connection dropped")
    );
    assert_eq!(stubs_of("flaky_tokens"), Vec::<PathBuf>::new());
    assert_eq!(flaky_tokens(99).count().await, 3);
    assert_eq!(stubs_of("flaky_tokens").len(), 1);
}

#[test]
fn a_stream_with_an_err_item_reaches_the_caller_whole_and_records_nothing() {
    Scenario::new().passes("child_meets_an_err_item", Some("1"));
}

/// Three items, 40 ms apart.
#[cached_stub]
fn ticks() -> impl Stream<Item = u32> {
    stream::iter(0..3).then(|tick| async move {
        tokio::time::sleep(Duration::from_millis(40)).await;
        tick
    })
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_ticks() {
    let started = Instant::now();
    assert_eq!(ticks().collect::<Vec<_>>().await, [0, 1, 2]);
    println!("elapsed_ms={}", started.elapsed().as_millis());
}

/// The `offsets_ms` of the one stub of the scenario, a stub of `ticks`, if it has them.
fn offsets_ms(scenario: &Scenario) -> Option<Vec<u64>> {
    let bytes = std::fs::read(only_file(scenario.stubs())).unwrap();
    let stub: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    stub.get("offsets_ms")
        .map(|offsets| serde_json::from_value(offsets.clone()).unwrap())
}

/// What a child printed as `name=<number>`.
fn printed(output: &str, name: &str) -> u64 {
    let prefix = format!("{name}=");
    output
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("the child prints {name}: {output}"))
        .parse()
        .unwrap()
}

#[test]
fn timings_are_kept_and_replayed_only_when_asked_for() {
    let untimed = Scenario::new();
    untimed.passes("child_ticks", Some("1"));
    assert_eq!(offsets_ms(&untimed), None);

    let timed = Scenario::new();
    let record = timed.child("child_ticks").record("1");
    record.env("CACHED_STUBS_TIMING", "1").run().success();
    let offsets = offsets_ms(&timed).expect("offsets recorded");
    assert_eq!(offsets.len(), 3);
    assert!(offsets.is_sorted() && offsets[2] >= 120, "{offsets:?}");

    // A replay with timings takes at least as long as the recording did; four times as fast,
    // a quarter of that.
    let replay = |speed: &str| {
        let child = timed.child("child_ticks").env("CACHED_STUBS_TIMING", "1");
        let output = child
            .env("CACHED_STUBS_TIMING_SPEED", speed)
            .run()
            .success()
            .output;
        printed(&output, "elapsed_ms")
    };
    let elapsed = replay("");
    assert!(
        elapsed >= offsets[2],
        "replayed in {elapsed} ms, recorded over {} ms",
        offsets[2]
    );
    let faster = replay("4");
    assert!(
        faster >= offsets[2] / 4 && faster < offsets[2],
        "replayed four times as fast in {faster} ms, recorded over {} ms",
        offsets[2]
    );
}

/// A value that takes 150 ms to come, awaited.
#[cached_stub]
async fn slow_answer() -> u32 {
    tokio::time::sleep(Duration::from_millis(150)).await;
    42
}

/// A value that takes 150 ms to come, blocking.
#[cached_stub]
fn slow_blocking_answer() -> u32 {
    std::thread::sleep(Duration::from_millis(150));
    7
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_slow_answers() {
    let started = Instant::now();
    assert_eq!(slow_answer().await, 42);
    println!("async_ms={}", started.elapsed().as_millis());
    let started = Instant::now();
    assert_eq!(slow_blocking_answer(), 7);
    println!("blocking_ms={}", started.elapsed().as_millis());
}

/// The `elapsed_ms` of the one stub of `function` in the scenario, if it has one.
fn elapsed_ms(scenario: &Scenario, function: &str) -> Option<u64> {
    let stub = scenario.only_stub_json(function);
    stub.get("elapsed_ms").map(|ms| ms.as_u64().unwrap())
}

#[test]
fn a_value_keeps_how_long_it_took_and_a_timed_replay_waits_as_long_at_its_speed() {
    let functions = ["streams::slow_answer", "streams::slow_blocking_answer"];
    let untimed = Scenario::new();
    untimed.passes("child_slow_answers", Some("1"));
    for function in functions {
        assert_eq!(elapsed_ms(&untimed, function), None, "{function}");
    }

    let timed = Scenario::new();
    let record = timed.child("child_slow_answers").record("1");
    record.env("CACHED_STUBS_TIMING", "1").run().success();
    let took: Vec<u64> = functions
        .iter()
        .map(|function| elapsed_ms(&timed, function).expect("elapsed_ms recorded"))
        .collect();
    assert!(took.iter().all(|ms| (150..1500).contains(ms)), "{took:?}");

    let replay = |timing: &str, speed: &str| {
        let child = timed.child("child_slow_answers");
        let child = child.env("CACHED_STUBS_TIMING", timing);
        let output = child
            .env("CACHED_STUBS_TIMING_SPEED", speed)
            .run()
            .success()
            .output;
        [
            printed(&output, "async_ms"),
            printed(&output, "blocking_ms"),
        ]
    };
    let untimed = replay("", "");
    assert!(
        untimed.iter().all(|ms| *ms < 100),
        "replayed untimed in {untimed:?} ms"
    );
    let timed = replay("1", "");
    let faster = replay("1", "4");
    for at in 0..2 {
        assert!(
            timed[at] >= took[at],
            "replayed in {timed:?} ms, recorded in {took:?}"
        );
        assert!(
            faster[at] >= took[at] / 4 && faster[at] < took[at],
            "replayed four times as fast in {faster:?} ms, recorded in {took:?}"
        );
    }
}
