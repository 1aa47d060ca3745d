use cached_stubs::cached_stub;
use std::collections::HashSet;

#[cached_stub]
fn tag(tags: &HashSet<String>) -> usize {
    tags.len()
}

fn main() {}
