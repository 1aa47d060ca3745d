use cached_stubs::cached_stub;

#[cached_stub(stream, iter)]
fn countdown(from: u32) -> Box<dyn Iterator<Item = u32>> {
    Box::new((1..=from).rev())
}

fn main() {}
