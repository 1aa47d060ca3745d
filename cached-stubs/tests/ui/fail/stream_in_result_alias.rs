use cached_stubs::cached_stub;
use futures::stream::{self, BoxStream, StreamExt};

type Reply = Result<BoxStream<'static, String>, String>;

#[cached_stub(stream)]
async fn reply(prompt: &str) -> Reply {
    Ok(stream::iter(vec![prompt.to_string()]).boxed())
}

fn main() {}
