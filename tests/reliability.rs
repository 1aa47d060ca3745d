//! Stubs under stress: identical calls at once in threads, tasks and processes, a recording
//! killed while it writes, and stub files that are broken or hostile. Each step runs a
//! `child_*` test of this binary in a process of its own; real calls append to `CALLS_LOG`.

use cached_stubs::cached_stub;
use cached_stubs_suite::{Scenario, files_below, log_real_call};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

// Single flight -------------------------------------------------------------------------

static SLOW_CALLS: AtomicUsize = AtomicUsize::new(0);

#[cached_stub]
fn slow_answer(question: &str) -> String {
    SLOW_CALLS.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    format!("An answer to {question}")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_from_eight_threads_at_once() {
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                slow_answer("why?")
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), "An answer to why?");
    }
    assert_eq!(SLOW_CALLS.load(Ordering::SeqCst), 1, "not one real call");
}

static SLOW_ASYNC_CALLS: AtomicUsize = AtomicUsize::new(0);

#[cached_stub]
async fn slow_answer_later(question: &str) -> Result<String, String> {
    SLOW_ASYNC_CALLS.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(format!("A later answer to {question}"))
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_asks_from_eight_tasks_at_once() {
    // Eight tasks on one thread: a waiting task must not block the one making the call.
    let tasks = (0..8).map(|_| slow_answer_later("why?"));
    for answer in futures::future::join_all(tasks).await {
        assert_eq!(answer.unwrap(), "A later answer to why?");
    }
    assert_eq!(
        SLOW_ASYNC_CALLS.load(Ordering::SeqCst),
        1,
        "not one real call"
    );
}

static FLAKY_CALLS: AtomicUsize = AtomicUsize::new(0);

/// Answers from the process it runs in; with `FAIL_FIRST` set, the first real call fails
/// after a while, so that an identical call waits for it.
#[cached_stub]
fn flaky_answer(question: &str) -> Result<String, String> {
    log_real_call(question);
    if FLAKY_CALLS.fetch_add(1, Ordering::SeqCst) == 0 && std::env::var_os("FAIL_FIRST").is_some() {
        std::thread::sleep(Duration::from_millis(300));
        return Err("the first call fails".to_string());
    }
    Ok(format!(
        "{question} answered by process {}",
        std::process::id()
    ))
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_a_flaky_question_twice_at_once() {
    let first = std::thread::spawn(|| flaky_answer("who?"));
    std::thread::sleep(Duration::from_millis(50));
    let second = std::thread::spawn(|| flaky_answer("who?"));
    let mut answers = [first.join().unwrap(), second.join().unwrap()];
    answers.sort();
    let this_process = format!("who? answered by process {}", std::process::id());
    assert_eq!(
        answers,
        [Ok(this_process), Err("the first call fails".to_string())]
    );
}

#[test]
fn under_record_all_a_call_waiting_for_a_failed_one_makes_its_own_and_never_replays_the_old_stub() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_a_flaky_question_twice_at_once_setup", Some("1"));
    let old = std::fs::read(scenario.only_stub("reliability::flaky_answer")).unwrap();
    // The call that waited for the failed one must not take the stub of the earlier
    // process for the answer of this one: it calls again, and records.
    scenario
        .child("child_asks_a_flaky_question_twice_at_once")
        .record("all")
        .env("FAIL_FIRST", "1")
        .run()
        .success();
    assert_eq!(scenario.calls(), ["who?"; 3]);
    let new = std::fs::read(scenario.only_stub("reliability::flaky_answer")).unwrap();
    assert_ne!(old, new, "the stub was not recorded again");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_a_flaky_question_twice_at_once_setup() {
    assert!(flaky_answer("who?").is_ok());
}

static RETRIED: AtomicBool = AtomicBool::new(false);

/// Calls itself once with the same arguments, as a retry loop written by recursion does.
#[cached_stub]
fn retried_answer(question: &str) -> String {
    log_real_call(question);
    if !RETRIED.swap(true, Ordering::SeqCst) {
        return retried_answer(question);
    }
    format!("{question} answered on the second try")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_a_question_that_retries_itself() {
    let (sender, answer) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(retried_answer("how?")));
    let answer = answer
        .recv_timeout(Duration::from_secs(20))
        .expect("the call inside its own recording deadlocked");
    assert_eq!(answer, "how? answered on the second try");
}

#[test]
fn a_call_made_inside_its_own_recording_does_not_wait_for_itself() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_a_question_that_retries_itself", Some("1"));
    assert_eq!(scenario.calls(), ["how?"; 2]);
    scenario.passes("child_asks_a_question_that_retries_itself", None);
    assert_eq!(scenario.calls(), ["how?"; 2], "the replay made a real call");
}

static DELEGATED: AtomicBool = AtomicBool::new(false);

/// Calls itself once with the same arguments on a thread of its own, and joins it: the
/// inner call waits for the outer one to record, which waits for the inner one.
#[cached_stub]
fn delegated_answer(question: &str) -> String {
    log_real_call(question);
    if !DELEGATED.swap(true, Ordering::SeqCst) {
        let question = question.to_string();
        return std::thread::Builder::new()
            .name("helper".into())
            .spawn(move || delegated_answer(&question))
            .unwrap()
            .join()
            .unwrap();
    }
    format!("{question} answered by a helper")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_a_question_that_delegates_to_itself() {
    delegated_answer("who?");
}

#[test]
fn a_call_that_waits_for_its_own_recording_says_so() {
    let scenario = Scenario::new();
    let mut waiting = scenario
        .child("child_asks_a_question_that_delegates_to_itself")
        .record("1")
        .start();
    let said = waiting.stderr_until("has waited", Duration::from_secs(60));
    waiting.kill();
    assert!(
        said.contains(
            "cached-stubs: a call of `reliability::delegated_answer` has waited 10 s for an \
             identical call, which `child_asks_a_question_that_delegates_to_itself` makes"
        ),
        "{said}"
    );
    assert!(said.contains("neither ends"), "{said}");
}

#[test]
fn identical_calls_at_once_make_one_real_call_while_recording() {
    for child in [
        "child_asks_from_eight_threads_at_once",
        "child_asks_from_eight_tasks_at_once",
    ] {
        let scenario = Scenario::new();
        // Each child asserts it made one real call: when recording missing stubs...
        scenario.child(child).record("1").run().success();
        // ...and when recording every call again.
        scenario.child(child).record("all").run().success();
        assert_eq!(scenario.stub_files().len(), 1);
    }
}

// Processes -----------------------------------------------------------------------------

#[cached_stub]
fn shared_answer(question: &str) -> String {
    log_real_call(question);
    std::thread::sleep(Duration::from_millis(200));
    format!("A shared answer to {question}")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_the_question_it_is_given() {
    let question = std::env::var("QUESTION").unwrap();
    assert_eq!(
        shared_answer(&question),
        format!("A shared answer to {question}")
    );
}

/// Runs six processes at once, asking the questions given, and checks the stubs they leave.
fn record_in_six_processes(questions: [&str; 6]) -> Vec<serde_json::Value> {
    let scenario = Scenario::new();
    let running: Vec<_> = questions
        .iter()
        .map(|question| {
            let child = scenario.child("child_asks_the_question_it_is_given");
            child.record("1").env("QUESTION", question).start()
        })
        .collect();
    for child in running {
        child.finish().success();
    }
    assert_eq!(scenario.calls().len(), 6, "each process makes its own call");
    let files = files_below(&scenario.folder("reliability::shared_answer"));
    assert!(
        files
            .keys()
            .all(|name| !name.to_string_lossy().starts_with('.')),
        "{files:?}"
    );
    files
        .values()
        .map(|bytes| serde_json::from_slice(bytes).expect("a whole stub"))
        .collect()
}

#[test]
fn processes_recording_one_key_at_once_leave_one_valid_file() {
    let stubs = record_in_six_processes(["why?"; 6]);
    assert_eq!(stubs.len(), 1);
    assert_eq!(stubs[0]["output"], "A shared answer to why?");
}

#[test]
fn processes_recording_different_keys_at_once_leave_every_file() {
    let stubs = record_in_six_processes(["one", "two", "three", "four", "five", "six"]);
    let mut outputs: Vec<_> = stubs
        .iter()
        .map(|stub| stub["output"].as_str().unwrap())
        .collect();
    outputs.sort_unstable();
    let mut expected: Vec<_> = ["five", "four", "one", "six", "three", "two"]
        .map(|question| format!("A shared answer to {question}"))
        .to_vec();
    expected.sort_unstable();
    assert_eq!(outputs, expected);
}

#[test]
fn a_stub_recorded_by_another_function_fails_naming_both_and_is_left_alone() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_for_a_capital", Some("1"));
    let stub = scenario.only_stub("reliability::capital");
    let recorded = std::fs::read_to_string(&stub).unwrap();
    let foreign = recorded.replace("\"reliability::capital\"", "\"other::capital\"");
    std::fs::write(&stub, &foreign).unwrap();
    for record in [None, Some("1")] {
        let output = scenario.fails("child_asks_for_a_capital", record);
        assert!(
            output.contains(
                "`other::capital` and `reliability::capital` would share the stub folder"
            ),
            "RECORD={record:?}: {output}"
        );
        assert!(output.contains("name = \"...\""), "{output}");
    }
    assert_eq!(std::fs::read_to_string(&stub).unwrap(), foreign);
    assert_eq!(
        scenario.calls().len(),
        1,
        "the other function's stub led to a real call"
    );
}

// Crashes -------------------------------------------------------------------------------

/// An answer as long as `ANSWER_BYTES` says: a long one keeps the writer busy long enough
/// to be killed in the middle of writing.
#[cached_stub]
fn long_answer() -> String {
    log_real_call("long");
    let bytes: usize = std::env::var("ANSWER_BYTES").unwrap().parse().unwrap();
    "x".repeat(bytes)
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_for_a_long_answer() {
    let bytes: usize = std::env::var("ANSWER_BYTES").unwrap().parse().unwrap();
    assert_eq!(long_answer().len(), bytes);
}

/// Unix only: `Child::kill` is SIGKILL there, which lets no clean-up run.
#[cfg(unix)]
#[test]
fn a_recording_killed_while_writing_leaves_the_previous_stub() {
    // A recording may end before it is seen writing (more likely on a loaded machine, as
    // under `cargo nextest run`): only then, proven by the stub holding the new answer
    // whole, is it tried again.
    let attempts = 5;
    for _ in 0..attempts {
        if kill_a_recording_while_it_writes() == Killed::WhileWriting {
            return;
        }
    }
    panic!("in {attempts} attempts, every recording ended before it could be killed");
}

/// When a killed recorder was killed.
#[cfg(unix)]
#[derive(PartialEq)]
enum Killed {
    /// Before renaming its temporary file over the stub.
    WhileWriting,
    /// After: it had written the stub, whole.
    TooLate,
}

/// Records a short answer, then records it again 40 MB long and kills the recorder once its
/// temporary file appears; asserts what a kill leaves, whenever it came.
#[cfg(unix)]
fn kill_a_recording_while_it_writes() -> Killed {
    const LONG: usize = 40_000_000;
    let scenario = Scenario::new();
    let child = || scenario.child("child_asks_for_a_long_answer");
    child()
        .record("1")
        .env("ANSWER_BYTES", "10")
        .run()
        .success();
    let folder = scenario.folder("reliability::long_answer");
    let stub = scenario.only_stub("reliability::long_answer");
    let previous = std::fs::read(&stub).unwrap();

    let recorder = child()
        .record("all")
        .env("ANSWER_BYTES", LONG.to_string())
        .start();
    // Names only: reading a file being written slows the watch, and it may be renamed
    // between being listed and being read.
    let temporary = || {
        std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .find(|name| name.to_string_lossy().ends_with(".tmp"))
    };
    let replaced = || std::fs::metadata(&stub).unwrap().len() != previous.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(120);
    while temporary().is_none() && !replaced() {
        assert!(
            Instant::now() < deadline,
            "the recorder never started writing"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    recorder.kill();

    // The stub is the previous one, or, when the recording ended first, the new one: whole
    // either way.
    let after = std::fs::read(&stub).unwrap();
    if after != previous {
        let recorded: serde_json::Value =
            serde_json::from_slice(&after).expect("the stub was torn");
        assert_eq!(recorded["output"].as_str().map(str::len), Some(LONG));
        return Killed::TooLate;
    }
    // The torn temporary file is left beside it, and replay ignores it.
    assert!(temporary().is_some(), "{:?}", files_below(&folder).keys());
    child().env("ANSWER_BYTES", "10").run().success();
    assert_eq!(scenario.calls().len(), 2);
    Killed::WhileWriting
}

#[test]
fn a_stub_larger_than_a_replay_reads_is_refused_before_it_is_written() {
    let scenario = Scenario::new();
    let child = || scenario.child("child_asks_for_a_long_answer");
    let output = child()
        .record("1")
        .env("ANSWER_BYTES", "67108864")
        .run()
        .failure();
    assert!(
        output.contains("its stub would be 67109") && output.contains("No stub was written"),
        "{output}"
    );
    assert_eq!(scenario.stub_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(scenario.calls(), ["long"]);
}

// Hostile files -------------------------------------------------------------------------

#[cached_stub]
fn capital(country: &str) -> String {
    log_real_call(country);
    format!("The capital of {country}")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_for_a_capital() {
    assert_eq!(capital("France"), "The capital of France");
}

/// What is in a folder, reading only regular files: a pipe would block.
fn snapshot(folder: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut entries: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let regular = std::fs::symlink_metadata(&path).unwrap().is_file();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, regular.then(|| std::fs::read(&path).unwrap()))
        })
        .collect();
    entries.sort();
    entries
}

/// Breaks the stub at a path, its own way.
type Breaking = Box<dyn Fn(&Path)>;

#[test]
fn a_broken_or_hostile_stub_fails_naming_the_file_and_is_left_alone() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_for_a_capital", Some("1"));
    let folder = scenario.folder("reliability::capital");
    let stub = scenario.only_stub("reliability::capital");
    let recorded = std::fs::read_to_string(&stub).unwrap();
    let rewrite = |text: String| move |path: &Path| std::fs::write(path, &text).unwrap();

    let cases: Vec<(&str, Breaking, &str)> = vec![
        (
            "truncated",
            Box::new(rewrite(recorded[..recorded.len() / 2].to_string())),
            "EOF while parsing",
        ),
        (
            "invalid UTF-8",
            Box::new(|path: &Path| {
                let mut bytes = std::fs::read(path).unwrap();
                let at = bytes
                    .windows(5)
                    .position(|window| window == b"capit")
                    .unwrap();
                bytes[at] = 0xff;
                std::fs::write(path, bytes).unwrap();
            }),
            "the file is not UTF-8: invalid byte at offset",
        ),
        (
            "a field of the wrong type",
            Box::new(rewrite(recorded.replacen(
                "\"format\": 1",
                "\"format\": \"one\"",
                1,
            ))),
            "\"format\" is not 1",
        ),
        (
            "a function that is no string",
            Box::new(rewrite(recorded.replacen(
                "\"reliability::capital\"",
                "42",
                1,
            ))),
            "invalid type: integer `42`, expected a string",
        ),
        (
            "arguments that are no object",
            Box::new(rewrite(recorded.replacen(
                "\"args\": {\n    \"country\": \"France\"\n  }",
                "\"args\": \"x\"",
                1,
            ))),
            "expected an object of the arguments",
        ),
        (
            "an output of another type",
            Box::new(rewrite(
                recorded.replace("\"The capital of France\"", "{\"city\": \"Paris\"}"),
            )),
            "invalid type: map, expected a string",
        ),
        (
            "a newer format",
            Box::new(rewrite(recorded.replacen(
                "\"format\": 1",
                "\"format\": 9",
                1,
            ))),
            "stub format 9, written by a newer cached-stubs",
        ),
        (
            "a file larger than a stub may be",
            Box::new(|path: &Path| {
                std::fs::File::create(path)
                    .unwrap()
                    .set_len(65 << 20)
                    .unwrap()
            }),
            "larger than the 67108864 bytes a stub may hold",
        ),
        (
            "a folder",
            Box::new(|path: &Path| {
                std::fs::remove_file(path).unwrap();
                std::fs::create_dir(path).unwrap();
            }),
            "it is a folder, not a stub file",
        ),
        #[cfg(unix)]
        (
            "a device",
            Box::new(|path: &Path| {
                std::fs::remove_file(path).unwrap();
                std::os::unix::fs::symlink("/dev/zero", path).unwrap();
            }),
            "not a regular file",
        ),
        #[cfg(unix)]
        (
            "a pipe",
            Box::new(|path: &Path| {
                std::fs::remove_file(path).unwrap();
                assert!(
                    std::process::Command::new("mkfifo")
                        .arg(path)
                        .status()
                        .unwrap()
                        .success()
                );
            }),
            "not a regular file",
        ),
        // Unreadable: root reads a file of any mode, but not this one.
        #[cfg(target_os = "linux")]
        (
            "an unreadable file",
            Box::new(|path: &Path| {
                std::fs::remove_file(path).unwrap();
                std::os::unix::fs::symlink("/proc/self/mem", path).unwrap();
            }),
            "Input/output error",
        ),
    ];
    for (case, break_it, error) in cases {
        // Each case starts from the recorded stub, and breaks it its own way.
        if std::fs::remove_file(&stub).is_err() {
            std::fs::remove_dir(&stub).unwrap();
        }
        std::fs::write(&stub, &recorded).unwrap();
        break_it(&stub);
        let before = snapshot(&folder);
        for record in [None, Some("1")] {
            let output = scenario.fails("child_asks_for_a_capital", record);
            let context = format!("{case}, RECORD={record:?}:\n{output}");
            assert!(
                output.contains("can't replay `reliability::capital`: its stub can't be read"),
                "{context}"
            );
            assert!(output.contains(&stub.display().to_string()), "{context}");
            assert!(output.contains(error), "{error:?} not said for {context}");
            assert_eq!(snapshot(&folder), before, "{case}: the folder changed");
        }
    }
    assert_eq!(
        scenario.calls().len(),
        1,
        "a broken stub led to a real call"
    );
}

#[cached_stub]
fn facts(country: &str) -> serde_json::Value {
    log_real_call(country);
    serde_json::json!({ "country": country, "capital": "Paris" })
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_asks_for_facts() {
    assert_eq!(facts("France")["capital"], "Paris");
}

#[test]
fn deeply_nested_json_fails_cleanly_where_it_is_read_and_is_skipped_elsewhere() {
    let scenario = Scenario::new();
    scenario.passes("child_asks_for_facts", Some("1"));
    let stub = scenario.only_stub("reliability::facts");
    let recorded = std::fs::read_to_string(&stub).unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));

    // In the output, read as a `Value`: the parser's depth limit, not a stack overflow.
    let output_at = recorded.find("\"output\": ").unwrap() + "\"output\": ".len();
    std::fs::write(&stub, format!("{}{deep}\n}}\n", &recorded[..output_at])).unwrap();
    let output = scenario.fails("child_asks_for_facts", None);
    assert!(output.contains("recursion limit exceeded"), "{output}");
    assert!(output.contains(&stub.display().to_string()), "{output}");

    // In the arguments, which a replay skips: skipped without recursion, and replayed.
    let nested_args =
        recorded.replacen("\"args\": {", &format!("\"args\": {{\"deep\": {deep},"), 1);
    std::fs::write(&stub, nested_args).unwrap();
    scenario.passes("child_asks_for_facts", None);
    assert_eq!(scenario.calls().len(), 1);
}

// Read-only and unwritable folders ------------------------------------------------------

#[cfg(unix)]
#[test]
fn replay_works_from_a_read_only_folder() {
    use std::os::unix::fs::PermissionsExt;
    let scenario = Scenario::new();
    scenario.passes("child_asks_for_a_capital", Some("1"));
    let read_only = |mode| {
        for path in [
            scenario.stubs().join("reliability"),
            scenario.folder("reliability::capital"),
        ] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    read_only(0o555);
    let before = files_below(scenario.stubs());
    scenario.passes("child_asks_for_a_capital", None);
    assert_eq!(files_below(scenario.stubs()), before);
    read_only(0o755);
}

#[test]
fn recording_where_nothing_can_be_written_is_a_clear_error() {
    // A stub folder that can't be made: a file stands where a folder should be. (A folder
    // without write permission says the same, but root writes into those.)
    let scenario = Scenario::new();
    let blocked = scenario.stubs().join("reliability");
    std::fs::write(&blocked, "a file in the way").unwrap();
    let output = scenario.fails("child_asks_for_a_capital", Some("1"));
    assert!(
        output.contains("can't write the stub of `reliability::capital`"),
        "{output}"
    );
    assert!(output.contains("Not a directory"), "{output}");
    assert!(
        output.contains("The real function ran, but its result was not recorded."),
        "{output}"
    );
    assert_eq!(
        std::fs::read_to_string(&blocked).unwrap(),
        "a file in the way"
    );
}
