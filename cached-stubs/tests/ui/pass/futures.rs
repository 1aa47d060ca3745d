//! `fn -> impl Future<Output = T>` and boxed futures.
use cached_stubs::cached_stub;
use std::future::Future;
use std::pin::Pin;

#[cached_stub]
fn later(value: u32) -> impl Future<Output = u32> + Send {
    async move { value * 2 }
}

#[cached_stub]
fn boxed<'a>(prompt: &'a str) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>> {
    Box::pin(async move { Ok(prompt.to_uppercase()) })
}

fn main() {}
