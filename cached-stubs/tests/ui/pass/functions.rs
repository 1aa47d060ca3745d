//! Free functions, sync and async, returning values and results of every kind.
use cached_stubs::cached_stub;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Answer {
    text: String,
}

#[cached_stub]
fn value(prompt: &str, temperature: f32) -> Answer {
    Answer { text: format!("{prompt} at {temperature}") }
}

#[cached_stub]
async fn value_later(prompt: String) -> Answer {
    Answer { text: prompt }
}

#[cached_stub]
fn nothing(prompt: &str) {
    let _ = prompt;
}

type Checked<T> = Result<T, String>;

#[cached_stub]
fn result(prompt: &[u8]) -> Result<Answer, std::io::Error> {
    Ok(Answer { text: String::from_utf8_lossy(prompt).into_owned() })
}

#[cached_stub]
fn io_result(prompt: Option<&str>) -> std::io::Result<u32> {
    Ok(prompt.map_or(0, |prompt| prompt.len() as u32))
}

#[cached_stub]
fn anyhow_result(prompt: &str) -> anyhow::Result<u32> {
    Ok(prompt.parse()?)
}

#[cached_stub]
fn alias(prompt: &str) -> Checked<u32> {
    prompt.parse().map_err(|_| format!("not a number: {prompt}"))
}

fn main() {}
