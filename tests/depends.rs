//! Functions whose answer depends on more than their own tokens: a prompt in a `const`, a
//! model name in a `static`, instructions a function builds, a template read with
//! `include_str!` in the body or behind a `const`. Each dependency's hash is in their stubs'
//! `depends`, committed under `stubs/depends/`, recorded by running this file with
//! `RECORD=1`. `changed_prompts.rs` edits each kind in a user's crate and sees its stubs go
//! stale.

use cached_stubs::cached_stub;
use cached_stubs_suite::assert_committed_stubs_are_recorded_again;

const SYSTEM_PROMPT: &str = "You are a terse assistant.";
static MODEL: &str = "gpt-4o-mini";
const SUMMARIZE: &str = include_str!("prompts/summarize.txt");

/// How the real calls are made: a stand-in for a model that echoes its whole prompt.
fn model(prompt: &str) -> String {
    format!("[{MODEL}] {prompt}")
}

fn instructions() -> String {
    ["Answer in one word.", "No punctuation."].join(" ")
}

#[cached_stub(depends(SYSTEM_PROMPT, MODEL))]
fn answer(question: &str) -> String {
    model(&format!("{SYSTEM_PROMPT} {question}"))
}

#[cached_stub(depends(instructions()))]
fn one_word(question: &str) -> String {
    model(&format!("{} {question}", instructions()))
}

#[cached_stub]
fn classify(review: &str) -> String {
    model(&format!("{}{review}", include_str!("prompts/classify.txt")))
}

#[cached_stub(depends(SUMMARIZE, "v2"))]
fn summarize(text: &str, words: u32) -> String {
    model(&(SUMMARIZE.replace("{words}", &words.to_string()) + text))
}

#[test]
fn a_constant_and_a_static_version_the_stub() {
    assert_eq!(
        answer("Capital of France?"),
        "[gpt-4o-mini] You are a terse assistant. Capital of France?"
    );
}

#[test]
fn a_value_built_at_each_call_versions_the_stub() {
    assert_eq!(
        one_word("Sky colour?"),
        "[gpt-4o-mini] Answer in one word. No punctuation. Sky colour?"
    );
}

#[test]
fn a_file_included_in_the_body_versions_the_stub() {
    assert_eq!(
        classify("Loved it."),
        "[gpt-4o-mini] Classify this review as Positive, Negative or Mixed. Review: Loved it."
    );
}

#[test]
fn a_file_included_behind_a_constant_versions_the_stub() {
    assert_eq!(
        summarize("Stubs record once and replay.", 3),
        "[gpt-4o-mini] Summarize in 3 words: Stubs record once and replay."
    );
}

#[test]
fn each_dependency_is_named_in_the_stub_as_written() {
    let stub = |function: &str| {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("stubs/depends")
            .join(function);
        let file = cached_stubs_suite::only_file(&folder);
        let stub: serde_json::Value =
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let names: Vec<String> = stub["depends"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names
    };
    assert_eq!(stub("answer"), ["MODEL", "SYSTEM_PROMPT"]);
    assert_eq!(stub("one_word"), ["instructions()"]);
    assert_eq!(stub("classify"), ["include_str!(\"prompts/classify.txt\")"]);
    assert_eq!(stub("summarize"), ["\"v2\"", "SUMMARIZE"]);
}

/// Recording every test of this file again, into an empty folder, writes exactly the
/// committed stubs, byte for byte: unchanged dependencies leave them as they are.
#[test]
fn committed_stubs_match_a_fresh_recording() {
    assert_committed_stubs_are_recorded_again("committed_stubs_match_a_fresh_recording", "depends");
}
