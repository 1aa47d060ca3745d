//! Identical calls that answer differently: a job polled until done, a fetch retried after a
//! rate limit, the same question streamed twice. With `sequence`, each test's calls are
//! recorded in order and replayed in order, from the stubs committed under
//! `stubs/sequences/`, which were recorded by running this file with `RECORD=1`. The child
//! tests at the end show each `RECORD` mode in child processes, as `modes.rs` does.

use cached_stubs::cached_stub;
use cached_stubs_suite::{Scenario, assert_committed_stubs_are_recorded_again, log_real_call};
use futures::{Stream, StreamExt, stream};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A service whose jobs take three polls to finish, and whose answers change from one call
/// to the next: one per test, as a test's own client would be.
#[derive(Default)]
struct Service {
    calls: AtomicUsize,
}

impl Service {
    /// How many calls it had before this one.
    fn call(&self) -> usize {
        self.calls.fetch_add(1, Ordering::SeqCst)
    }
}

#[cached_stub(skip(service), sequence)]
fn job_status(service: &Service, job_id: u32) -> String {
    let status = ["pending", "running", "done"][service.call().min(2)];
    format!("job {job_id}: {status}")
}

/// Polls until the job is done, at most ten times.
fn poll_until_done(service: &Service, job_id: u32) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < 10 {
        let status = job_status(service, job_id);
        let done = status.ends_with("done");
        seen.push(status);
        if done {
            break;
        }
    }
    seen
}

const POLLED: [&str; 3] = ["job 7: pending", "job 7: running", "job 7: done"];

#[test]
fn a_polling_loop_replays_each_answer_in_order() {
    assert_eq!(poll_until_done(&Service::default(), 7), POLLED);
}

#[test]
fn another_test_polling_the_same_job_replays_its_own_sequence_from_the_first_answer() {
    assert_eq!(poll_until_done(&Service::default(), 7), POLLED);
}

#[cached_stub(skip(service), sequence)]
async fn job_status_later(service: &Service, job_id: u32) -> String {
    tokio::task::yield_now().await;
    job_status_now(service, job_id)
}

fn job_status_now(service: &Service, job_id: u32) -> String {
    let status = ["pending", "running", "done"][service.call().min(2)];
    format!("job {job_id}: {status}")
}

async fn poll_until_done_later(service: &Service, job_id: u32) -> Vec<String> {
    let mut seen = Vec::new();
    while seen.len() < 10 {
        let status = job_status_later(service, job_id).await;
        let done = status.ends_with("done");
        seen.push(status);
        if done {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn an_async_polling_loop_replays_each_answer_in_order() {
    assert_eq!(poll_until_done_later(&Service::default(), 7).await, POLLED);
}

/// A task spawned on a multi-thread runtime runs on a worker of no test: the scope says
/// which test its calls belong to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spawned_task_polls_in_the_scope_of_its_test() {
    let polled = tokio::spawn(cached_stubs::scope(
        "a_spawned_task_polls_in_the_scope_of_its_test",
        async { poll_until_done_later(&Service::default(), 7).await },
    ));
    assert_eq!(polled.await.unwrap(), POLLED);
}

/// What a rate-limited service answers first.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum FetchError {
    RateLimited { retry_after_ms: u64 },
    NotFound,
}

#[cached_stub(skip(service), sequence, record_err)]
fn fetch(service: &Service, url: &str) -> Result<String, FetchError> {
    match service.call() {
        0 => Err(FetchError::RateLimited { retry_after_ms: 20 }),
        _ => Ok(format!("the page at {url}")),
    }
}

#[test]
fn a_retry_loop_replays_the_error_then_the_answer() {
    let service = Service::default();
    let mut attempts = Vec::new();
    let page = loop {
        let attempt = fetch(&service, "https://example.com/");
        let done = attempt.as_ref().ok().cloned();
        attempts.push(attempt);
        if let Some(page) = done {
            break page;
        }
    };
    assert_eq!(page, "the page at https://example.com/");
    assert_eq!(
        attempts[0],
        Err(FetchError::RateLimited { retry_after_ms: 20 })
    );
    assert_eq!(attempts.len(), 2);
}

/// An error path, recorded as its `Err` without `sequence`.
#[cached_stub(record_err)]
fn lookup(url: &str) -> Result<String, FetchError> {
    let _ = url;
    Err(FetchError::NotFound)
}

#[test]
fn an_error_path_replays_its_recorded_err() {
    assert_eq!(
        lookup("https://example.com/gone"),
        Err(FetchError::NotFound)
    );
}

/// The same question streamed twice: two recorded streams.
#[cached_stub(skip(service), sequence)]
fn stream_answer(service: &Service, question: &str) -> impl Stream<Item = String> {
    let answer = match service.call() {
        0 => format!("A first answer to {question}"),
        _ => format!("Asked again: {question}"),
    };
    stream::iter(
        answer
            .split_inclusive(' ')
            .map(String::from)
            .collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn a_question_streamed_twice_replays_two_streams() {
    let service = Service::default();
    let first: String = stream_answer(&service, "why?").collect().await;
    let second: String = stream_answer(&service, "why?").collect().await;
    assert_eq!(first, "A first answer to why?");
    assert_eq!(second, "Asked again: why?");
}

/// Recording every test of this file again, into an empty folder, writes exactly the
/// committed stubs, byte for byte.
#[test]
fn committed_stubs_match_a_fresh_recording() {
    assert_committed_stubs_are_recorded_again(
        "committed_stubs_match_a_fresh_recording",
        "sequences",
    );
}

// The modes, in child processes ----------------------------------------------------------

/// A remote job: its status follows the real calls made so far (the `CALLS_LOG`), as a
/// server's state outlives the process that asks.
#[cached_stub(sequence)]
fn remote_status(job_id: u32) -> String {
    let before = std::env::var_os("CALLS_LOG")
        .and_then(|log| std::fs::read_to_string(log).ok())
        .map_or(0, |log| log.lines().count());
    log_real_call("status");
    let status = ["pending", "running", "done"][before.min(2)];
    format!("job {job_id}: {status}")
}

/// Polls `POLLS` times.
#[test]
#[ignore = "run by its parent test in a child process"]
fn child_polls() {
    let polls: usize = std::env::var("POLLS").unwrap().parse().unwrap();
    let statuses: Vec<String> = (0..polls).map(|_| remote_status(9)).collect();
    assert_eq!(statuses.len(), polls);
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_polls_from_a_thread_of_no_test() {
    std::thread::spawn(|| remote_status(9)).join().unwrap();
}

/// Polls twice from a thread of its own, in the scope of `child_polls`.
#[test]
#[ignore = "run by its parent test in a child process"]
fn child_polls_from_a_thread_in_a_scope() {
    let polled = std::thread::spawn(|| {
        cached_stubs::scope_fn("child_polls", || [remote_status(9), remote_status(9)])
    });
    assert_eq!(polled.join().unwrap(), ["job 9: pending", "job 9: running"]);
}

/// The answers recorded in the one stub of `remote_status`.
fn recorded(scenario: &Scenario) -> Vec<String> {
    let stub = scenario.only_stub_json("sequences::remote_status");
    let answers = stub["sequence"].as_array().unwrap();
    let output = |answer: &serde_json::Value| answer["output"].as_str().unwrap().to_string();
    answers.iter().map(output).collect()
}

#[test]
fn record_missing_records_the_answers_a_sequence_lacks_and_replays_the_others() {
    let scenario = Scenario::new();
    let polls = |times: &str, record| {
        let child = scenario.child("child_polls").env("POLLS", times);
        match record {
            Some(value) => child.record(value),
            None => child,
        }
        .run()
        .success();
    };
    polls("2", Some("1"));
    assert_eq!(recorded(&scenario), ["job 9: pending", "job 9: running"]);
    // A polling loop that went one call further: two replayed, one recorded.
    polls("3", Some("1"));
    assert_eq!(scenario.calls().len(), 3);
    assert_eq!(
        recorded(&scenario),
        ["job 9: pending", "job 9: running", "job 9: done"]
    );
    polls("3", None);
    assert_eq!(scenario.calls().len(), 3, "a replay made a real call");

    // Run out: a fourth call, replayed, fails loudly.
    let output = scenario
        .child("child_polls")
        .env("POLLS", "4")
        .run()
        .failure();
    for expected in [
        "the recorded sequence of `sequences::remote_status` for these arguments has 3 answers; this is call 4",
        "To record the calls the sequence lacks, run:\n    RECORD=1 cargo test -- --exact child_polls",
    ] {
        assert!(output.contains(expected), "{expected:?} not in\n{output}");
    }

    // `RECORD=all` records the whole sequence again, from its first call.
    polls("3", Some("all"));
    assert_eq!(scenario.calls().len(), 6);
    assert_eq!(recorded(&scenario), ["job 9: done"; 3]);
}

#[test]
fn a_call_from_a_thread_of_no_test_needs_a_scope() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_polls_from_a_thread_of_no_test", Some("1"));
    assert!(
        output.contains("`sequences::remote_status` keeps a `sequence` per test, and this call is made on a thread of no test"),
        "{output}"
    );
    assert!(
        output.contains("cached_stubs::scope(\"my_test\", future)"),
        "{output}"
    );
    assert_eq!(scenario.calls(), Vec::<String>::new());

    scenario
        .child("child_polls")
        .env("POLLS", "2")
        .record("1")
        .run()
        .success();
    scenario.passes("child_polls_from_a_thread_in_a_scope", None);
    assert_eq!(
        scenario.calls().len(),
        2,
        "the scoped thread made a real call"
    );
}
