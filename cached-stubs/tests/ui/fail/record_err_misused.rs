use cached_stubs::cached_stub;
use futures::stream::{self, Stream};

/// No `Result`: nothing to record the `Err` of.
#[cached_stub(record_err)]
fn count(text: &str) -> usize {
    text.len()
}

/// An `Err` that doesn't serialize can't be recorded.
#[derive(Debug)]
struct Opaque;

#[cached_stub(record_err)]
fn parse(text: &str) -> Result<u32, Opaque> {
    text.parse().map_err(|_| Opaque)
}

/// A stream's `Err` items are passed on, not recorded.
#[cached_stub(record_err)]
fn lines(text: &str) -> impl Stream<Item = Result<String, String>> {
    stream::iter(text.lines().map(|line| Ok(line.to_string())).collect::<Vec<_>>())
}

fn main() {}
