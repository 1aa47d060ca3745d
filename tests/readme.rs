//! The README's quick start is a crate that works as written: its code blocks are the
//! files of a user's crate, built with cargo, recorded against a local OpenAI-compatible
//! server with the README's own command, and replayed with no server and no key.

use cached_stubs_suite::{OpenAiServer, UserCrate};
use std::path::PathBuf;

/// The code blocks of the README's section `heading`, as (language, text).
fn blocks(heading: &str) -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let start = readme.find(&format!("\n{heading}\n")).expect("the section");
    let section = &readme[start + heading.len() + 2..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let (language, body) = after.split_once('\n').expect("a fenced block");
        let close = body.find("\n```").expect("a closed block");
        blocks.push((language.to_string(), body[..=close].to_string()));
        rest = &body[close + 4..];
    }
    blocks
}

/// The README's dependencies, with cached-stubs from this workspace and async-openai
/// without TLS (this machine's crates are the workspace's, which talk to 127.0.0.1 only).
fn dependencies(toml: &str) -> String {
    toml.replace(
        "cached-stubs = \"0.2\"",
        "cached-stubs = { path = {cached_stubs} }",
    )
    .replace(
        "cached-stubs = { version = \"0.2\",",
        "cached-stubs = { path = {cached_stubs},",
    )
    .replace(
        "async-openai = \"0.43\"",
        "async-openai = { version = \"0.43\", default-features = false, features = [\"chat-completion\"] }",
    )
}

#[test]
fn the_quick_start_records_and_replays_as_written() {
    let blocks = blocks("## Quick start");
    let [
        (toml, manifest),
        (rust, lib),
        (rust_test, test),
        (sh, commands),
        ..,
    ] = &blocks[..]
    else {
        panic!("the quick start has a manifest, a library, a test and commands: {blocks:?}");
    };
    assert_eq!(
        (&**toml, &**rust, &**rust_test, &**sh),
        ("toml", "rust", "rust", "sh")
    );
    let path = |code: &str| {
        let first = code.lines().next().unwrap();
        PathBuf::from(
            first
                .strip_prefix("// ")
                .expect("a block that names its file"),
        )
    };
    let files = [lib, test].map(|code| (path(code), code.as_bytes().to_vec()));
    let user = UserCrate::of_files("my_app", &dependencies(manifest), files);

    let server = OpenAiServer::start();
    let lines: Vec<&str> = commands
        .lines()
        .map(|line| line.split("  #").next().unwrap().trim())
        .collect();
    assert_eq!(
        lines,
        [
            "RECORD=1 cargo test --no-fail-fast",
            "git add stubs/",
            "cargo test"
        ]
    );
    let record = format!(
        "OPENAI_BASE_URL={} OPENAI_API_KEY=local {}",
        server.base_url(),
        lines[0]
    );
    user.shell(&record).success();
    assert_eq!(server.requests_served(), 1);
    let stubs = cached_stubs_suite::files_below(&user.path("stubs"));
    let files: Vec<_> = stubs
        .keys()
        .map(|path| path.parent().unwrap().to_path_buf())
        .collect();
    assert_eq!(files, [PathBuf::from("my_app/classify")]);

    let replay = format!(
        "OPENAI_BASE_URL={} {}",
        OpenAiServer::unreachable_base_url(),
        lines[2]
    );
    user.shell(&replay).success();
    assert_eq!(server.requests_served(), 1, "the replay reached the server");
}
