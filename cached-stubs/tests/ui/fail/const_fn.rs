use cached_stubs::cached_stub;

#[cached_stub]
const fn answer() -> u32 {
    42
}

fn main() {}
