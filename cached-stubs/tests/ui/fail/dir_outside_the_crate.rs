use cached_stubs::cached_stub;

#[cached_stub(dir = "/etc")]
fn absolute(prompt: &str) -> String {
    prompt.to_string()
}

#[cached_stub(dir = "fixtures/../../../tmp/x")]
fn climbing(prompt: &str) -> String {
    prompt.to_string()
}

fn main() {}
