//! `#[async_trait]` methods: `#[async_trait]` on the impl, `#[cached_stub]` on the method.
use async_trait::async_trait;
use cached_stubs::cached_stub;

#[async_trait]
trait Model: Send + Sync {
    async fn complete(&self, prompt: &str) -> Result<String, String>;
}

struct Echo;

#[async_trait]
impl Model for Echo {
    #[cached_stub(skip(self))]
    async fn complete(&self, prompt: &str) -> Result<String, String> {
        Ok(prompt.to_string())
    }
}

fn spawnable<T: Send>(_: T) {}

fn main() {
    // Compiled, not run: the future stays `Send`, as `#[async_trait]` requires.
    let _ = || spawnable(Echo.complete("hi"));
}
