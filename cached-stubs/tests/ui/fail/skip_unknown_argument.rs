use cached_stubs::cached_stub;

#[cached_stub(skip(clinet))]
fn ask(client: &str, prompt: &str) -> String {
    format!("{client}{prompt}")
}

fn main() {}
