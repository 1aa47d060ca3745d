//! The `#[cached_stub]` attribute of [cached-stubs](https://docs.rs/cached-stubs). Depend on
//! `cached-stubs`, which re-exports it, documents it and holds everything its expansion
//! calls; this crate only parses, classifies and expands.
//!
//! The pipeline, a file per step:
//! - `options`: the attribute's options;
//! - `stub_folder`: where the stubs go: `dir` kept inside the crate, folder names that fit;
//! - `function`: the item, parsed up to its body, refused if no stub can stand in for it;
//! - `returns`: what the function returns: a value, a future, or a stream's or an
//!   iterator's items;
//! - `params`: the parameters, walked once: the key, and the signature of the
//!   record/replay version;
//! - `source_hash`: the function's tokens, hashed;
//! - `expand`: the generated code.
//!
//! `syn_types` holds the helpers `returns` and `params` read types with, by name.

#![warn(missing_docs)]

mod expand;
mod function;
mod options;
mod params;
mod returns;
mod source_hash;
mod stub_folder;
mod syn_types;

/// This attribute is implemented in the `cached-stubs-macros` crate; depend on
/// `cached-stubs`, which re-exports it and holds the code its expansion calls.
#[proc_macro_attribute]
pub fn cached_stub(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    expand::cached_stub(attr.into(), item.into()).into()
}
