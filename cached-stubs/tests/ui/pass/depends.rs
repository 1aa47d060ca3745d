//! Every kind of dependency compiles: a constant, a static, a call, a field, a literal
//! version, a file included in the body, and one behind a constant.

use cached_stubs::cached_stub;

const SYSTEM_PROMPT: &str = "You are terse.";
static MODEL: &str = "gpt-4o-mini";
const TEMPLATE: &str = include_str!("prompts/classify.txt");

mod prompts {
    pub fn system() -> String {
        super::SYSTEM_PROMPT.to_uppercase()
    }
}

struct Config {
    temperature: f32,
}

#[cached_stub(depends(SYSTEM_PROMPT, MODEL, prompts::system(), "v2", TEMPLATE))]
fn classify(review: &str) -> String {
    format!("{}{review}", include_str!("prompts/classify.txt"))
}

#[cached_stub(skip(config), depends(config.temperature))]
fn complete(config: &Config, prompt: &str) -> String {
    format!("{prompt} at {}", config.temperature)
}

#[cached_stub]
fn logo_size() -> usize {
    include_bytes!("prompts/classify.txt").len()
}

fn main() {
    let _ = (classify, complete, logo_size, Config { temperature: 0.0 }.temperature);
}
