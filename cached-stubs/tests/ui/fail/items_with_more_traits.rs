use cached_stubs::cached_stub;

#[cached_stub]
fn countdown(from: u32) -> impl Iterator<Item = u32> + DoubleEndedIterator + Send {
    (1..=from).rev()
}

fn main() {}
