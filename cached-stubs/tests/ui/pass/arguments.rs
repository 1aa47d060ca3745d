//! Arguments: borrowed and owned, patterns, `_`, `mut`, `impl AsRef`, `impl Into`,
//! attributes, skipped ones of any type.
use cached_stubs::cached_stub;
use std::collections::{BTreeSet, HashMap};

struct Connection;

#[cached_stub(skip(connection))]
fn borrowed(connection: &mut Connection, text: &str, words: &[&str], options: Option<&HashMap<String, u32>>) -> usize {
    let _ = connection;
    text.len() + words.len() + options.map_or(0, HashMap::len)
}

#[cached_stub]
fn owned(text: String, tags: BTreeSet<String>, mut count: u32) -> u32 {
    count += tags.len() as u32;
    count + text.len() as u32
}

#[cached_stub]
fn patterns((start, end): (u32, u32), _: &str, [first, ..]: [u8; 3]) -> u32 {
    end - start + u32::from(first)
}

#[cached_stub]
fn impl_arguments(text: impl AsRef<str>, suffix: impl Into<String>) -> String {
    text.as_ref().to_uppercase() + &suffix.into()
}

#[cached_stub]
fn attributes(#[allow(unused_variables)] unused: u32, used: u32) -> u32 {
    used
}

fn main() {
    // Compiled, not run: any serializable value is accepted for an `impl Trait` argument.
    let _ = || impl_arguments(String::from("text"), "!");
}
