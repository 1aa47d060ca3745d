use cached_stubs::cached_stub;

#[cached_stub(depends())]
fn ask(prompt: &str) -> String {
    prompt.to_string()
}

fn main() {}
