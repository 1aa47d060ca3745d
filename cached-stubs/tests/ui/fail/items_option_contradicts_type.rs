use cached_stubs::cached_stub;

#[cached_stub(stream)]
fn countdown(from: u32) -> impl Iterator<Item = u32> {
    (1..=from).rev()
}

fn main() {}
