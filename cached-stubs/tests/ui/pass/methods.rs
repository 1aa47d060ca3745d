//! Methods taking `&self`, `&mut self` and `self`, in inherent and trait impls, with native
//! `async fn` in traits.
use cached_stubs::cached_stub;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Persona {
    name: String,
}

struct Client {
    api_key: String,
}

impl Persona {
    #[cached_stub]
    fn by_ref(&self, prompt: &str) -> String {
        format!("{}: {prompt}", self.name)
    }

    #[cached_stub]
    fn by_mut(&mut self, prompt: &str) -> String {
        self.name.push('!');
        format!("{}: {prompt}", self.name)
    }

    #[cached_stub]
    fn by_value(self) -> String {
        self.name
    }

    #[cached_stub]
    async fn by_ref_later(&self, prompt: &str) -> String {
        format!("{}: {prompt}", self.name)
    }
}

impl Client {
    /// A client isn't part of the key: `skip(self)`.
    #[cached_stub(skip(self))]
    async fn complete(&self, prompt: &str) -> Result<String, String> {
        Ok(format!("{prompt} ({} bytes of key)", self.api_key.len()))
    }
}

trait Assistant {
    fn reply(&self, prompt: &str) -> String;
    async fn reply_later(&self, prompt: &str) -> String;
}

impl Assistant for Persona {
    #[cached_stub]
    fn reply(&self, prompt: &str) -> String {
        prompt.to_string()
    }

    #[cached_stub]
    async fn reply_later(&self, prompt: &str) -> String {
        prompt.to_string()
    }
}

fn main() {}
