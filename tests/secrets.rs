//! No secret reaches a stub: a recording whose stub would hold the value of a secret-named
//! environment variable, or a credential-shaped string, writes nothing and fails naming where
//! it is and the rule that found it, never the value; `allow_secret(...)` allows a known
//! false positive for one function. Each step runs a `child_*` test of this binary in a child
//! process, with its own `RECORD` and environment.
//!
//! Every key here is made when the tests run, by [`made_up`]: none is written in the source.

use cached_stubs::cached_stub;
use cached_stubs_suite::{Scenario, log_real_call};
use futures::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `length` letters and digits after `prefix`, the same for the same `seed` in the parent test
/// and its child, looking random enough for every credential rule.
fn made_up(prefix: &str, length: usize, seed: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let body: String = (0..length)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(ALPHABET[(state >> 33) as usize % ALPHABET.len()])
        })
        .collect();
    format!("{prefix}{body}")
}

/// The value of `SERVICE_API_KEY` the parent tests give their children.
fn service_key() -> String {
    made_up("", 32, 1)
}

/// An OpenAI project key, `sk-proj-…`.
fn project_key() -> String {
    made_up(&["sk", "proj", ""].join("-"), 80, 2)
}

/// A token of a bearer authorization header.
fn bearer_token() -> String {
    made_up("", 40, 3)
}

/// An AWS access key id: `AKIA` and 16 upper-case letters and digits.
fn aws_key_id() -> String {
    format!(
        "{}{}",
        ["AK", "IA"].concat(),
        made_up("", 16, 4).to_uppercase()
    )
}

/// Asserts that a refused recording's `output` says each of `expected`, and never shows
/// `secret`.
fn assert_refused(output: &str, expected: &[&str], secret: &str) {
    for expected in expected {
        assert!(output.contains(expected), "{expected:?} not in:\n{output}");
    }
    assert!(!output.contains(secret), "the secret is shown:\n{output}");
}

#[derive(Serialize)]
struct Config {
    model: String,
    api_key: String,
}

/// A config whose key never reaches a stub, as the refusal suggests.
#[derive(Serialize)]
struct SafeConfig {
    model: String,
    #[serde(skip_serializing)]
    api_key: String,
}

#[cached_stub]
fn connect(config: &Config, prompt: &str) -> String {
    log_real_call("connect");
    format!("{} answers {prompt}", config.model)
}

#[cached_stub]
fn connect_safely(config: &SafeConfig, prompt: &str) -> String {
    log_real_call("connect_safely");
    format!(
        "{} answers {prompt} ({} bytes of key)",
        config.model,
        config.api_key.len()
    )
}

fn api_key_from_env() -> String {
    std::env::var("SERVICE_API_KEY").expect("the parent test sets SERVICE_API_KEY")
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_connects() {
    let config = Config {
        model: "small".into(),
        api_key: api_key_from_env(),
    };
    assert_eq!(connect(&config, "hi"), "small answers hi");
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_connects_safely() {
    let config = SafeConfig {
        model: "small".into(),
        api_key: api_key_from_env(),
    };
    assert_eq!(
        connect_safely(&config, "hi"),
        "small answers hi (32 bytes of key)"
    );
}

#[test]
fn an_environment_secret_in_an_argument_struct_is_refused_by_path_and_variable_name() {
    let scenario = Scenario::new();
    let child = |name| {
        scenario
            .child(name)
            .record("1")
            .env("SERVICE_API_KEY", service_key())
    };
    let output = child("child_connects").run().failure();
    assert_refused(
        &output,
        &[
            "cached-stubs: can't record `secrets::connect`: its stub would hold a secret",
            "`args.config.api_key` holds the value of the environment variable `SERVICE_API_KEY`",
            "Nothing was written",
            "`skip(config)`",
            "`#[serde(skip_serializing)]`",
            "allow_secret(\"args.config.api_key\")",
        ],
        &service_key(),
    );
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
    assert_eq!(scenario.calls(), ["connect"]);

    // The fix it names: the field is left out, and the rest is recorded.
    child("child_connects_safely").run().success();
    let stub = std::fs::read_to_string(scenario.only_stub("secrets::connect_safely")).unwrap();
    assert!(stub.contains("\"model\": \"small\""), "{stub}");
    assert!(
        !stub.contains(&service_key()) && !stub.contains("api_key"),
        "{stub}"
    );
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Choice {
    message: Message,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Message {
    content: String,
}

/// A model's answer that echoes a key it was shown.
#[cached_stub]
async fn complete(prompt: &str) -> Result<Completion, String> {
    log_real_call("complete");
    let content = format!("{prompt}: use {} in the header.", project_key());
    Ok(Completion {
        choices: vec![Choice {
            message: Message { content },
        }],
    })
}

#[tokio::test]
#[ignore = "run by its parent test in a child process"]
async fn child_completes() {
    complete("Which key?").await.unwrap();
}

#[test]
fn an_openai_key_in_an_output_is_refused_by_path_and_kind() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_completes", Some("1"));
    assert_refused(
        &output,
        &[
            "can't record `secrets::complete`: its stub would hold a secret",
            "`output.choices[0].message.content` holds an OpenAI API key (`sk-…`)",
            "`#[serde(skip_serializing, default)]`",
            "allow_secret(\"output.choices[0].message.content\")",
        ],
        &project_key(),
    );
    assert!(!output.contains("skip("), "no argument holds it:\n{output}");
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());
    assert_eq!(scenario.calls(), ["complete"]);
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Delta {
    delta: String,
}

/// Five deltas, the fourth of which (`items[3]`) holds a bearer header.
fn five_deltas() -> impl Stream<Item = Delta> {
    stream::iter((0..5).map(|at| Delta {
        delta: match at {
            3 => format!("Authorization: Bearer {}", bearer_token()),
            _ => format!("word{at} "),
        },
    }))
}

#[cached_stub]
fn deltas(prompt: &str) -> impl Stream<Item = Delta> {
    log_real_call(prompt);
    five_deltas()
}

/// The same stream, from a function that allows what any item's `delta` holds.
#[cached_stub(allow_secret("items[*].delta"))]
fn allowed_deltas(prompt: &str) -> impl Stream<Item = Delta> {
    log_real_call(prompt);
    five_deltas()
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_streams_deltas() {
    let items = futures::executor::block_on(deltas("stream").collect::<Vec<_>>());
    assert_eq!(items.len(), 5);
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_streams_allowed_deltas() {
    let items = futures::executor::block_on(allowed_deltas("stream").collect::<Vec<_>>());
    assert_eq!(
        items,
        futures::executor::block_on(five_deltas().collect::<Vec<_>>())
    );
}

#[test]
fn a_secret_in_one_stream_item_is_refused_by_its_index_and_an_allowance_takes_any_index() {
    let scenario = Scenario::new();
    let output = scenario.fails("child_streams_deltas", Some("1"));
    assert_refused(
        &output,
        &[
            "can't record `secrets::deltas`: its stub would hold a secret",
            "`items[3].delta` holds a bearer token (`Bearer …`)",
            "allow_secret(\"items[*].delta\")",
        ],
        &bearer_token(),
    );
    assert_eq!(output.matches("` holds ").count(), 1, "{output}");
    assert_eq!(scenario.stub_files(), Vec::<PathBuf>::new());

    scenario.passes("child_streams_allowed_deltas", Some("1"));
    scenario.passes("child_streams_allowed_deltas", None);
    let stub = std::fs::read_to_string(scenario.only_stub("secrets::allowed_deltas")).unwrap();
    assert!(
        stub.contains("\"allow_secret\": [\n    \"items[*].delta\"\n  ],"),
        "{stub}"
    );
    assert_eq!(scenario.calls(), ["stream", "stream"]);
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Snippet {
    service: String,
    /// The example credentials of a service's documentation: shaped like real ones, on
    /// purpose.
    example: String,
}

fn snippet(service: &str) -> Snippet {
    Snippet {
        service: service.to_string(),
        example: format!("aws configure set aws_access_key_id {}", aws_key_id()),
    }
}

/// Documentation whose example key is known to be no secret.
#[cached_stub(allow_secret("output.example"))]
fn documented(service: &str) -> Snippet {
    log_real_call("documented");
    snippet(service)
}

/// The same documentation, from a function that allows nothing.
#[cached_stub]
fn undocumented(service: &str) -> Snippet {
    log_real_call("undocumented");
    snippet(service)
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_documents() {
    assert_eq!(documented("s3"), snippet("s3"));
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_undocuments() {
    assert_eq!(undocumented("s3"), snippet("s3"));
}

#[test]
fn a_false_positive_allowed_for_one_function_is_still_refused_for_another() {
    let scenario = Scenario::new();
    scenario.passes("child_documents", Some("1"));
    scenario.passes("child_documents", None);
    let stub = std::fs::read_to_string(scenario.only_stub("secrets::documented")).unwrap();
    assert!(
        stub.contains("\"allow_secret\": [\n    \"output.example\"\n  ],\n  \"args\""),
        "{stub}"
    );
    assert!(stub.contains(&aws_key_id()), "{stub}");

    let output = scenario.fails("child_undocuments", Some("1"));
    assert_refused(
        &output,
        &["`output.example` holds an AWS access key id (`AKIA…`)"],
        &aws_key_id(),
    );
    assert!(!scenario.folder("secrets::undocumented").exists());
    assert_eq!(scenario.calls(), ["documented", "undocumented"]);
}

#[cached_stub]
fn echo(text: &str) -> String {
    log_real_call(text);
    text.to_string()
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_echoes() {
    let expected = std::env::var("EXPECTED_ECHO").unwrap_or_else(|_| "hello".to_string());
    assert_eq!(echo("hello"), expected);
}

#[test]
fn a_replay_scans_nothing_and_replays_a_secret_planted_in_a_stub() {
    let scenario = Scenario::new();
    scenario.passes("child_echoes", Some("1"));
    let path = scenario.only_stub("secrets::echo");
    let planted = format!("hello {}", project_key());
    let stub = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        stub.replace(
            "\"output\": \"hello\"",
            &format!("\"output\": \"{planted}\""),
        ),
    )
    .unwrap();
    scenario
        .child("child_echoes")
        .env("EXPECTED_ECHO", &planted)
        .run()
        .success();
    assert_eq!(scenario.calls(), ["hello"]);
}
