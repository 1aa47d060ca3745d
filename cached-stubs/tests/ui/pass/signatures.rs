//! Generics, lifetimes, `where` clauses, `unsafe`, visibility, inner attributes, raw names.
use cached_stubs::cached_stub;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[cached_stub]
pub(crate) fn generic<T: Serialize + DeserializeOwned + Default, const N: usize>(prompt: &str) -> Vec<u32> {
    let _ = (prompt, T::default());
    vec![0; N]
}

#[cached_stub]
pub fn lifetimes<'a, 'b>(first: &'a str, second: &'b str) -> String
where
    'a: 'b,
{
    format!("{first}{second}")
}

#[cached_stub]
unsafe fn not_really_unsafe(value: u32) -> u32 {
    #![allow(unused_unsafe)]
    value
}

#[cached_stub]
fn r#type(r#match: &str) -> String {
    r#match.to_string()
}

mod inner {
    #[cached_stubs::cached_stub(name = "renamed", dir = "fixtures")]
    pub(super) extern "C" fn exported(value: u32) -> u32 {
        value
    }
}

fn main() {
    let _ = inner::exported;
}
