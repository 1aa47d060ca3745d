//! Keys are canonical: the same argument values give the same stub file in every process,
//! whatever order a `HashMap` happens to iterate in there.

use cached_stubs::cached_stub;
use cached_stubs_suite::{ChildTest, files_below};
use std::collections::HashMap;

#[cached_stub]
fn total_weight(weights: HashMap<String, u32>) -> u32 {
    weights.values().sum()
}

#[test]
#[ignore = "run by its parent test in a child process"]
fn child_weighs() {
    let weights: HashMap<String, u32> = (0..64).map(|i| (format!("w{i}"), i)).collect();
    let order: Vec<&String> = weights.keys().collect();
    println!("iteration order: {order:?}");
    assert_eq!(total_weight(weights), 2016);
}

#[test]
fn a_hash_map_built_in_two_processes_gives_one_key_and_identical_files() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let orders: Vec<String> = [&first, &second]
        .iter()
        .map(|stubs| {
            let finished = ChildTest::new("child_weighs")
                .record("1")
                .stubs(stubs.path())
                .run();
            let output = finished.success().output;
            let line = output
                .lines()
                .find(|line| line.starts_with("iteration order"));
            line.expect("the child prints its order").to_string()
        })
        .collect();
    // 64 keys in the same order twice would mean the test proves nothing.
    assert_ne!(orders[0], orders[1], "both processes iterated alike");

    let (first, second) = (files_below(first.path()), files_below(second.path()));
    assert_eq!(first.len(), 1);
    assert_eq!(first, second, "same file name and bytes");
}
