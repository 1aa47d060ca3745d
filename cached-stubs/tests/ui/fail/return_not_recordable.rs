use cached_stubs::cached_stub;

struct Answer;

#[cached_stub]
fn answer(prompt: &str) -> Result<Answer, String> {
    let _ = prompt;
    Ok(Answer)
}

fn main() {}
