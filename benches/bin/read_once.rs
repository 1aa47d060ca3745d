//! A whole program that hashes the arguments and reads and parses the stub file named on its
//! command line by hand: the floor for `replay-once`.

use cached_stubs_benches::{Output, read_by_hand};
use std::path::PathBuf;

fn main() {
    let path = PathBuf::from(std::env::args_os().nth(1).expect("a stub file"));
    let stub: Output<String> = read_by_hand(&path);
    println!("{}", stub.output.len());
}
