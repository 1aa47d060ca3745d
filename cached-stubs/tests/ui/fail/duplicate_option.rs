use cached_stubs::cached_stub;

#[cached_stub(name = "ask", name = "question")]
fn ask(prompt: &str) -> String {
    prompt.to_string()
}

fn main() {}
