//! Streams and iterators: `impl` ones found by themselves, named ones by `stream` or `iter`,
//! alone or as the `Ok` of a `Result`.
use cached_stubs::cached_stub;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use std::pin::Pin;

#[cached_stub]
fn tokens(prompt: &str) -> impl Stream<Item = String> + Send {
    stream::iter(vec![prompt.to_string()])
}

#[cached_stub]
fn numbers(count: u32) -> impl Iterator<Item = u32> {
    0..count
}

#[cached_stub(stream)]
fn boxed(prompt: &str) -> BoxStream<'static, Result<String, std::io::Error>> {
    stream::iter(vec![Ok(prompt.to_string())]).boxed()
}

#[cached_stub(stream)]
fn pinned<'a>(prompt: &'a str) -> Pin<Box<dyn Stream<Item = String> + Send + 'a>> {
    Box::pin(stream::iter(prompt.split(' ').map(str::to_string)))
}

#[cached_stub(iter)]
fn boxed_iter(count: u32) -> Box<dyn Iterator<Item = u32>> {
    Box::new(0..count)
}

#[cached_stub(stream)]
async fn create_stream(prompt: &str) -> Result<BoxStream<'static, Result<String, String>>, String> {
    Ok(stream::iter(vec![Ok(prompt.to_string())]).boxed())
}

#[cached_stub]
async fn impl_in_result(prompt: &str) -> Result<impl Stream<Item = String>, String> {
    Ok(stream::iter(vec![prompt.to_string()]))
}

fn main() {}
