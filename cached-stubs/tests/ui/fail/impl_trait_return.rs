use cached_stubs::cached_stub;

#[cached_stub]
fn describe(prompt: &str) -> impl std::fmt::Display {
    prompt.to_string()
}

fn main() {}
