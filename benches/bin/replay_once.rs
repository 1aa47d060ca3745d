//! A whole program that replays one call: for `benches/startup.rs`, against `read-once`.

use cached_stubs::cached_stub;

#[cached_stub]
fn answer(prompt: &str) -> String {
    let _ = prompt;
    cached_stubs_benches::answer_text(1024)
}

fn main() {
    println!("{}", answer("What is the capital of France?").len());
}
