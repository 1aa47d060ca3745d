use cached_stubs::cached_stub;

#[cached_stub(skip(client), ttl = 60)]
fn ask(client: &str, prompt: &str) -> String {
    format!("{client}{prompt}")
}

fn main() {}
