//! The `#[cached_stub]` attribute of [cached-stubs](https://docs.rs/cached-stubs). Depend on
//! `cached-stubs`, which re-exports it, documents it and holds everything its expansion
//! calls; this crate only parses, classifies and expands.
//!
//! The pipeline, a file per step: `options` (the attribute's arguments), `function` (the
//! item, parsed up to its body), `shape` (what kind of function this is and what makes the
//! key), `source_hash` (the function's tokens, hashed), `expand` (the generated code).

#![warn(missing_docs)]

mod expand;
mod function;
mod options;
mod shape;
mod source_hash;

/// This attribute is implemented in the `cached-stubs-macros` crate; depend on
/// `cached-stubs`, which re-exports it and holds the code its expansion calls.
#[proc_macro_attribute]
pub fn cached_stub(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    expand::cached_stub(attr.into(), item.into()).into()
}
