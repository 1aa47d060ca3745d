use cached_stubs::cached_stub;

struct Client;

impl Client {
    #[cached_stub]
    fn ask(&self, prompt: &str) -> String {
        prompt.to_string()
    }
}

fn main() {}
