use cached_stubs::cached_stub;

struct Client;

#[cached_stub]
fn ask(client: &Client, prompt: &str) -> String {
    let _ = client;
    prompt.to_string()
}

fn main() {}
