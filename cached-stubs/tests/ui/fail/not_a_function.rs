use cached_stubs::cached_stub;

#[cached_stub]
struct Answer {
    text: String,
}

fn main() {}
