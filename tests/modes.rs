//! What each value of `RECORD` does, and what a failing replay says. `RECORD` is read once
//! per process, so each step runs one `child_*` test of this binary in a child process,
//! with its own `RECORD`, a temporary stub folder, and a log (`CALLS_LOG`) that the real
//! function bodies append to, so the parent can count real calls.

use cached_stubs::cached_stub;
use cached_stubs_suite::{ChildTest, Scenario, files_below, log_real_call};
use std::path::{Path, PathBuf};

#[cached_stub]
fn capital(country: &str) -> String {
    log_real_call(country);
    match country {
        "France" => "Paris".to_string(),
        "Spain" => "Madrid".to_string(),
        _ => "?".to_string(),
    }
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_capital_of_france() {
    assert_eq!(capital("France"), "Paris");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_capital_of_spain() {
    assert_eq!(capital("Spain"), "Madrid");
}

/// An async function whose body returns early through `?`.
#[cached_stub]
async fn sum(text: &str) -> Result<u64, std::num::ParseIntError> {
    log_real_call(text);
    let mut total = 0;
    for part in text.split('+') {
        total += part.trim().parse::<u64>()?;
    }
    Ok(total)
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_sums() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(sum("1 + 2")), Ok(3));
    assert!(runtime.block_on(sum("1 + two")).is_err());
}

/// Two versions of one function: `name` gives them one folder, as if the first had been
/// edited into the second.
#[cached_stub(name = "greet")]
fn greet_before_edit(name: &str) -> String {
    log_real_call("before");
    format!("Hello, {name}.")
}

#[cached_stub(name = "greet")]
fn greet_after_edit(name: &str) -> String {
    log_real_call("after");
    format!("Hello, {name}!")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_greets_before_edit() {
    assert_eq!(greet_before_edit("Ada"), "Hello, Ada.");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_greets_after_edit() {
    assert_eq!(greet_after_edit("Ada"), "Hello, Ada!");
}

#[test]
fn replay_without_a_stub_fails_with_the_command_that_records_it() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_capital_of_spain", None);
    for expected in [
        "cached-stubs: no stub to replay for `modes::capital`",
        r#"args:     {"country": "Spain"}"#,
        "expected: ",
        "/modes/capital/",
        "why:      no stub has been recorded for `modes::capital` yet",
        "The real function was not called. To record it, run:\n    RECORD=1 cargo test -- --exact child_capital_of_spain",
    ] {
        assert!(output.contains(expected), "{expected:?} not in:\n{output}");
    }
    assert_eq!(scenario.calls(), Vec::<String>::new());
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
}

#[test]
fn a_miss_of_a_sync_function_points_at_the_line_that_called_it() {
    let source = include_str!("modes.rs");
    let call = "assert_eq!(capital(\"Spain\"), \"Madrid\");";
    let line = 1 + source.lines().position(|line| line.trim() == call).unwrap();
    let output = Scenario::new().fails("child_capital_of_spain", None);
    let at = format!("panicked at tests/modes.rs:{line}:");
    assert!(output.contains(&at), "{at:?} not in:\n{output}");
}

#[test]
fn under_nextest_the_command_is_a_nextest_one() {
    let scenario = Scenario::new();
    let child = scenario.child("child_capital_of_spain").env("NEXTEST", "1");
    let output = child.run().failure();
    assert!(
        output.contains("\n    RECORD=1 cargo nextest run -- --exact child_capital_of_spain"),
        "{output}"
    );
}

#[test]
fn record_missing_records_once_then_replays() {
    let scenario = Scenario::new();
    for value in ["1", "true", "yes", "on", "missing"] {
        scenario.passes("child_capital_of_france", Some(value));
    }
    scenario.passes("child_capital_of_france", None);
    assert_eq!(scenario.calls(), ["France"]);
    let stub = std::fs::read_to_string(scenario.only_stub("modes::capital")).unwrap();
    assert!(stub.contains(r#""output": "Paris""#), "{stub}");
}

#[test]
fn replay_values_of_record_replay() {
    let scenario = Scenario::new();
    scenario.passes("child_capital_of_france", Some("1"));
    for value in ["", "0", "false", "no", "off", "OFF"] {
        scenario.passes("child_capital_of_france", Some(value));
        scenario.fails("child_capital_of_spain", Some(value));
    }
    assert_eq!(scenario.calls(), ["France"]);
}

#[test]
fn an_empty_setting_is_an_unset_one() {
    let scenario = Scenario::new();
    scenario.passes("child_capital_of_france", Some("1"));
    for variable in ["CACHED_STUBS_USAGE_LOG", "CACHED_STUBS_TIMING"] {
        let child = scenario.child("child_capital_of_france").env(variable, "");
        child.run().success();
    }
    assert_eq!(scenario.calls(), ["France"]);
}

#[test]
fn record_all_calls_again_and_leaves_an_unchanged_answer_byte_identical() {
    let scenario = Scenario::new();
    scenario.passes("child_capital_of_france", Some("1"));
    let recorded = std::fs::read(scenario.only_stub("modes::capital")).unwrap();
    for value in ["all", "force"] {
        scenario.passes("child_capital_of_france", Some(value));
    }
    assert_eq!(scenario.calls(), ["France", "France", "France"]);
    assert_eq!(
        std::fs::read(scenario.only_stub("modes::capital")).unwrap(),
        recorded
    );
}

#[test]
fn passthrough_calls_the_real_function_and_touches_no_stub() {
    let scenario = Scenario::new();
    scenario.passes("child_capital_of_france", Some("passthrough"));
    assert_eq!(scenario.calls(), ["France"]);
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
}

#[test]
fn an_unknown_record_value_fails_naming_the_accepted_ones() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_capital_of_france", Some("sometimes"));
    assert!(
        output.contains("RECORD=\"sometimes\" is not a value it knows"),
        "{output}"
    );
    assert!(
        output.contains("1, true, yes, on, missing (record missing stubs)"),
        "{output}"
    );
    assert!(output.contains("passthrough"), "{output}");
    assert_eq!(scenario.calls(), Vec::<String>::new());
}

#[test]
fn an_err_is_returned_and_never_recorded() {
    let scenario = Scenario::new();
    scenario.passes("child_sums", Some("1"));
    assert_eq!(scenario.calls(), ["1 + 2", "1 + two"]);
    let stub = std::fs::read_to_string(scenario.only_stub("modes::sum")).unwrap();
    assert!(
        stub.contains(r#""text": "1 + 2""#) && stub.contains(r#""output": 3"#),
        "{stub}"
    );

    // Replay: the `Ok` call replays, the `Err` call has no stub and says why.
    let output = scenario.fails("child_sums", None);
    assert!(
        output.contains(r#"args:     {"text": "1 + two"}"#),
        "{output}"
    );
    assert!(
        output.contains("whose `Err` is recorded only with `record_err`"),
        "{output}"
    );
    assert_eq!(scenario.calls().len(), 2);
}

#[test]
fn a_changed_function_makes_its_stub_stale_and_recording_replaces_it_in_place() {
    let scenario = Scenario::new();
    scenario.passes("child_greets_before_edit", Some("1"));
    let before = scenario.only_stub("modes::greet");
    let recorded = std::fs::read_to_string(&before).unwrap();

    let output = scenario.fails("child_greets_after_edit", None);
    assert!(
        output.contains("no stub to replay for `modes::greet`"),
        "{output}"
    );
    assert!(
        output.contains("the stub was recorded from another version of `modes::greet`"),
        "{output}"
    );
    assert_eq!(
        std::fs::read_to_string(&before).unwrap(),
        recorded,
        "replay wrote"
    );

    scenario.passes("child_greets_after_edit", Some("1"));
    assert_eq!(
        scenario.only_stub("modes::greet"),
        before,
        "re-recorded under another name"
    );
    let rerecorded = std::fs::read_to_string(&before).unwrap();
    assert!(
        rerecorded.contains(r#""output": "Hello, Ada!""#),
        "{rerecorded}"
    );
    assert_ne!(source_hash(&rerecorded), source_hash(&recorded));
    assert_eq!(scenario.calls(), ["before", "after"]);
}

fn source_hash(stub: &str) -> String {
    let stub: serde_json::Value = serde_json::from_str(stub).unwrap();
    stub["source_hash"].as_str().unwrap().to_string()
}

#[test]
fn a_miss_names_the_argument_that_differs_from_the_nearest_stub() {
    let scenario = Scenario::new();
    scenario.passes("child_capital_of_france", Some("1"));
    let output = scenario.fails("child_capital_of_spain", None);
    assert!(
        output.contains("no stub for these arguments; the nearest stub differs in `country`"),
        "{output}"
    );
    assert!(output.contains(r#"country: recorded "France""#), "{output}");
    assert!(output.contains(r#"called   "Spain""#), "{output}");
    assert_eq!(scenario.calls(), ["France"]);
}

/// `dir = "..."` is relative to the manifest dir; `CACHED_STUBS_DIR` overrides it.
#[cached_stub(dir = "target/dir-option-stubs")]
fn in_own_dir(n: u32) -> u32 {
    n * 2
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_in_own_dir() {
    assert_eq!(in_own_dir(21), 42);
}

#[test]
fn the_dir_option_is_relative_to_the_manifest_dir_and_cached_stubs_dir_wins() {
    let own =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dir-option-stubs/modes/in_own_dir");
    let _ = std::fs::remove_dir_all(&own);
    ChildTest::new("child_in_own_dir")
        .record("1")
        .run()
        .success();
    assert_eq!(files_below(&own).len(), 1);

    let scenario = Scenario::new();
    scenario.passes("child_in_own_dir", Some("1"));
    assert_eq!(files_below(&own).len(), 1);
    scenario.only_stub("modes::in_own_dir");
}

#[test]
fn cached_stubs_dir_and_printed_paths_are_relative_to_where_cargo_ran() {
    // Cargo runs the test binary in the package's folder; `PWD` says where the user was.
    let from = tempfile::tempdir().unwrap();
    let calls = from.path().join("calls.log");
    let child = |name: &str| {
        ChildTest::new(name)
            .env("CALLS_LOG", &calls)
            .env("PWD", from.path())
            .env("CACHED_STUBS_DIR", "fixtures")
    };
    child("child_capital_of_france").record("1").run().success();
    let folder = from.path().join("fixtures/modes/capital");
    assert_eq!(files_below(&folder).len(), 1);

    let output = child("child_capital_of_spain").run().failure();
    assert!(
        output.contains("  expected: fixtures/modes/capital/"),
        "{output}"
    );
    assert!(
        output.contains("\n              fixtures/modes/capital/"),
        "{output}"
    );

    // From a folder the stubs are not below, paths are absolute.
    let elsewhere = tempfile::tempdir().unwrap();
    let output = ChildTest::new("child_capital_of_spain")
        .env("CALLS_LOG", &calls)
        .env("PWD", elsewhere.path())
        .stubs(&from.path().join("fixtures"))
        .run()
        .failure();
    let expected = format!("  expected: {}/", folder.display());
    assert!(output.contains(&expected), "{expected:?} not in {output}");
}

/// A `Result` whose type comes from a `macro_rules!` fragment: still a `Result`, so an `Err`
/// is not recorded.
macro_rules! fallible {
    ($name:ident -> $output:ty) => {
        #[cached_stub]
        fn $name(attempt: u32) -> $output {
            log_real_call("fallible");
            if attempt == 0 {
                Err("timed out".to_string())
            } else {
                Ok(attempt)
            }
        }
    };
}

fallible!(flaky -> Result<u32, String>);

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_flaky() {
    assert_eq!(flaky(0), Err("timed out".to_string()));
}

#[test]
fn an_err_is_not_recorded_when_the_result_type_comes_from_a_macro() {
    let scenario = Scenario::new();
    scenario.passes("child_flaky", Some("1"));
    assert_eq!(scenario.calls(), ["fallible"]);
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
}

/// A result JSON can't carry back: `Some(NaN)` would replay as `None`.
#[cached_stub]
fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    log_real_call("ratio");
    Some(numerator / denominator)
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_ratio_of_zeros() {
    assert!(ratio(0.0, 0.0).unwrap().is_nan());
}

#[test]
fn a_result_that_would_replay_as_another_value_is_not_recorded() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_ratio_of_zeros", Some("1"));
    assert!(
        output
            .contains("can't record `modes::ratio`: its result would not replay as the same value"),
        "{output}"
    );
    assert!(
        output.contains("it reads back as another value"),
        "{output}"
    );
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
}
