//! Key derivation (the canonical encoding of the arguments, fed to blake3) against blake3
//! over the arguments serialized to JSON bytes, for a small argument and for a realistic
//! chat request of 20 messages.

use cached_stubs::__bench::{arg, key};
use cached_stubs_benches::{PROMPT, Row, answer_text, compare, print_table};
use serde::Serialize;
use std::hint::black_box;

#[derive(Serialize)]
struct Message {
    role: &'static str,
    content: String,
}

#[derive(Serialize)]
struct ChatRequest {
    model: &'static str,
    temperature: f32,
    messages: Vec<Message>,
}

fn main() {
    let small = key_row("a 30-byte `&str`", "prompt", &PROMPT);
    let request = ChatRequest {
        model: "gpt-4o-mini",
        temperature: 0.2,
        messages: (0..20)
            .map(|turn| Message {
                role: if turn % 2 == 0 { "user" } else { "assistant" },
                content: answer_text(200),
            })
            .collect(),
    };
    let chat = key_row(
        "a chat request of 20 messages (4.6 KiB of JSON)",
        "request",
        &request,
    );
    assert!(serde_json::to_vec(&request).unwrap().len() > 4_000);
    print_table(
        "Key derivation against blake3 over the JSON bytes",
        "serde_json + blake3",
        "key",
        &[small, chat],
    );
}

/// The key of one argument `name` holding `value`, against blake3 over its JSON bytes.
fn key_row<T: Serialize>(case: &str, name: &'static str, value: &T) -> Row {
    compare(
        case,
        || {
            black_box(blake3::hash(&serde_json::to_vec(black_box(value)).unwrap()));
        },
        || {
            black_box(key(&[arg(name, black_box(value))]));
        },
    )
}
