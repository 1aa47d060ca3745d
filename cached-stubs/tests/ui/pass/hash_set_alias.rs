//! A `HashSet` is refused at compile time only where an argument's type names it: under
//! an alias it compiles, and is left to the runtime to catch.
use cached_stubs::cached_stub;
use std::collections::HashSet;

type Tags = HashSet<String>;

#[cached_stub]
fn count(tags: &Tags) -> usize {
    tags.len()
}

fn main() {
    let _ = count;
}
