use cached_stubs::cached_stub;
use std::fmt;

#[cached_stub]
fn shout(text: impl fmt::Display) -> String {
    text.to_string().to_uppercase()
}

struct Loud;

impl fmt::Display for Loud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("loud")
    }
}

fn main() {
    let _ = shout(Loud);
}
