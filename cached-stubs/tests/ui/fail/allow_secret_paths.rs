use cached_stubs::cached_stub;
use futures::stream::{self, Stream};

#[cached_stub(allow_secret("output.choices[0]..content"))]
fn malformed(prompt: &str) -> String {
    prompt.to_string()
}

#[cached_stub(skip(client), allow_secret("args.client.api_key"))]
fn skipped(client: &str, prompt: &str) -> String {
    format!("{client}{prompt}")
}

#[cached_stub(allow_secret("output.delta"))]
fn streamed(prompt: &str) -> impl Stream<Item = String> {
    stream::iter(vec![prompt.to_string()])
}

fn main() {}
