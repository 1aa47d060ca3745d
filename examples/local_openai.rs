//! Runs the tests' OpenAI-compatible server on 127.0.0.1 until stopped (Ctrl-C): an
//! endpoint to record the agent example against, with no network and no key.
//!
//! ```text
//! cargo run --example local_openai
//! OPENAI_BASE_URL=<the URL it prints> OPENAI_API_KEY=local RECORD=all cargo run --example agent
//! ```

fn main() {
    let server = cached_stubs_suite::OpenAiServer::start();
    println!("OPENAI_BASE_URL={}", server.base_url());
    loop {
        std::thread::park();
    }
}
