//! A `HashSet` iterates in a different order in every process. As an argument behind a name
//! the macro can't see, it gives a new key in each: a miss whose nearest stub differs only
//! in that order says so, and `RECORD=1` warns when it records such a call. Returned, a set
//! records and replays as an equal set. Each step runs a `child_*` test of this binary in a
//! child process, as in `modes.rs`.

use cached_stubs::cached_stub;
use cached_stubs_suite::{Scenario, log_real_call};
use std::collections::HashSet;

/// Behind an alias, which the macro can't see through.
type Tags = HashSet<String>;

fn tags() -> Tags {
    [
        "rust", "llm", "tests", "stubs", "replay", "json", "cargo", "serde",
    ]
    .map(String::from)
    .into()
}

#[cached_stub]
fn tag_count(tags: Tags) -> usize {
    log_real_call("count");
    tags.len()
}

#[cached_stub]
fn words(text: &str) -> HashSet<String> {
    log_real_call("words");
    text.split_whitespace().map(String::from).collect()
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_counts_the_tags() {
    assert_eq!(tag_count(tags()), 8);
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_splits_words() {
    let expected: HashSet<String> = ["to", "be", "or", "not"].map(String::from).into();
    assert_eq!(words("to be or not to be"), expected);
}

#[test]
fn a_miss_whose_nearest_stub_differs_only_in_order_says_so_and_recording_warns() {
    let scenario = Scenario::new();
    scenario.passes("child_counts_the_tags", Some("1"));
    // Eight tags come in the same order in two processes once in 40,320 runs.
    let output = scenario.fails("child_counts_the_tags", None);
    assert!(
        output.contains("they differ only in the order of a sequence's items: a `HashSet`"),
        "{output}"
    );
    assert!(
        output.contains("Use a `BTreeSet`, or `skip` it"),
        "{output}"
    );
    let recording = scenario
        .child("child_counts_the_tags")
        .record("1")
        .run()
        .success();
    assert!(
        recording.output.contains(
            "cached-stubs: recording `sets::tag_count` for arguments that differ from those of"
        ) && recording.output.contains("only in order"),
        "{}",
        recording.output
    );
    assert_eq!(scenario.calls(), ["count", "count"]);
}

#[test]
fn a_set_returned_records_and_replays_as_an_equal_set() {
    let scenario = Scenario::new();
    scenario.passes("child_splits_words", Some("1"));
    scenario.passes("child_splits_words", None);
    assert_eq!(scenario.calls(), ["words"]);
}
