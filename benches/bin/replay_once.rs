//! A whole program that replays one call: for `benches/startup.rs`, against `read-once`.

use cached_stubs::cached_stub;
use cached_stubs_benches::{PROMPT, answer_text};

#[cached_stub]
fn answer(prompt: &str) -> String {
    let _ = prompt;
    answer_text(1024)
}

fn main() {
    println!("{}", answer(PROMPT).len());
}
