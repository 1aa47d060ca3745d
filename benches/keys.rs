//! Key derivation (the canonical encoding of the arguments, fed to blake3) against blake3
//! over the arguments serialized to JSON bytes, for a small argument and for a realistic
//! chat request of 20 messages.

use cached_stubs::__private::{arg, key};
use cached_stubs_benches::{answer_text, compare, print_table};
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
    let prompt = "What is the capital of France?";
    let small = compare(
        "a 30-byte `&str`",
        || {
            black_box(blake3::hash(
                &serde_json::to_vec(black_box(&prompt)).unwrap(),
            ));
        },
        || {
            black_box(key(&[arg("prompt", black_box(&prompt))]));
        },
    );
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
    let chat = compare(
        "a chat request of 20 messages (4.6 KiB of JSON)",
        || {
            black_box(blake3::hash(
                &serde_json::to_vec(black_box(&request)).unwrap(),
            ));
        },
        || {
            black_box(key(&[arg("request", black_box(&request))]));
        },
    );
    assert!(serde_json::to_vec(&request).unwrap().len() > 4_000);
    print_table(
        "Key derivation against blake3 over the JSON bytes",
        "serde_json + blake3",
        "key",
        &[small, chat],
    );
}
