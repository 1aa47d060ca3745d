//! The examples, run as a user runs them: replaying their committed stubs offline, and
//! recorded again into an empty folder, writing those stubs byte for byte.

use cached_stubs_suite::{OpenAiServer, assert_same_as_committed, example};
use std::process::Command;

/// Runs an example to the end and returns what it printed.
fn run(mut command: Command) -> String {
    let output = command.output().expect("the example runs");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}{errors}");
    printed
}

/// Asserts that what `command` records into an empty folder is the committed `stubs/<module>`.
fn assert_records_the_committed_stubs(mut command: Command, module: &str) {
    let fresh = tempfile::tempdir().unwrap();
    command
        .env("RECORD", "1")
        .env("CACHED_STUBS_DIR", fresh.path());
    run(command);
    assert_same_as_committed(fresh.path(), module);
}

const AGENT_ANSWERS: [&str; 2] = [
    "How about \"Crumbs & Chapters\"? It promises fresh bread and a good story under one roof.",
    "Crumbs & Chapters: every loaf comes with a plot twist.",
];

#[test]
fn the_agent_replays_offline() {
    let mut agent = example("agent");
    agent.env("OPENAI_BASE_URL", OpenAiServer::unreachable_base_url());
    let printed = run(agent);
    for answer in AGENT_ANSWERS {
        assert!(printed.contains(answer), "{printed}");
    }
}

#[test]
fn the_agents_stubs_are_what_recording_it_writes() {
    let server = OpenAiServer::start();
    let mut agent = example("agent");
    agent
        .env("OPENAI_BASE_URL", server.base_url())
        .env("OPENAI_API_KEY", "local");
    assert_records_the_committed_stubs(agent, "agent");
    assert_eq!(server.requests_served(), 2);
}

#[test]
fn the_quickstart_replays_and_its_stubs_are_what_recording_it_writes() {
    let printed = run(example("quickstart"));
    assert!(
        printed.contains("Positive  Great coffee, loved the terrace."),
        "{printed}"
    );
    assert_records_the_committed_stubs(example("quickstart"), "quickstart");
}
