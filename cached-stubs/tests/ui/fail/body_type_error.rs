use cached_stubs::cached_stub;

#[cached_stub]
fn length(prompt: &str) -> String {
    prompt.len()
}

#[cached_stub]
async fn length_later(prompt: &str) -> String {
    prompt.len()
}

fn main() {}
