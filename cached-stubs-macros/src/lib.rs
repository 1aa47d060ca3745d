//! The `#[cached_stub]` attribute of [cached-stubs](https://docs.rs/cached-stubs). Depend on
//! `cached-stubs`, which re-exports it, documents it and holds everything its expansion
//! calls; this crate only parses, classifies and expands.
//!
//! The pipeline, a file per step:
//! - `options`: the attribute's options;
//! - `allow_secret`: the JSON paths `allow_secret(...)` names, checked against the function;
//! - `stub_folder`: where the stubs go: `dir` kept inside the crate, folder names that fit;
//! - `function`: the item, parsed up to its body, refused if no stub can stand in for it;
//! - `returns`: what the function returns: a value, a future, or a stream's or an
//!   iterator's items;
//! - `params`: the parameters, walked once: the key, and the signature of the
//!   record/replay version;
//! - `depends`: what the function depends on besides its tokens: `depends(...)` and the
//!   files its body includes;
//! - `source_hash`: the function's tokens, hashed;
//! - `expand`: the generated code.
//!
//! `syn_types` holds the helpers `returns` and `params` read types with, by name, and
//! `resolver` refuses a workspace whose cargo resolver would turn the feature on in normal
//! builds.
//!
//! All of it is compiled only with the `record-replay` feature, which cached-stubs' own
//! feature of that name turns on (in users' `[dev-dependencies]`). Without it, the attribute
//! gives back the function as written, with no dependency built and no token parsed: in a
//! production build it costs nothing. In a test build without it, it adds a compile error
//! that names the missing line.

#![warn(missing_docs)]

#[cfg(feature = "record-replay")]
mod allow_secret;
#[cfg(feature = "record-replay")]
mod depends;
#[cfg(feature = "record-replay")]
mod expand;
#[cfg(feature = "record-replay")]
mod function;
#[cfg(feature = "record-replay")]
mod options;
#[cfg(feature = "record-replay")]
mod params;
#[cfg(feature = "record-replay")]
mod resolver;
#[cfg(feature = "record-replay")]
mod returns;
#[cfg(feature = "record-replay")]
mod source_hash;
#[cfg(feature = "record-replay")]
mod stub_folder;
#[cfg(feature = "record-replay")]
mod syn_types;

use proc_macro::TokenStream;
#[cfg(not(feature = "record-replay"))]
use proc_macro::{Delimiter, Group, Literal, Punct, Spacing, TokenTree};

/// This attribute is implemented in the `cached-stubs-macros` crate; depend on
/// `cached-stubs`, which re-exports it and holds the code its expansion calls.
#[proc_macro_attribute]
pub fn cached_stub(attr: TokenStream, item: TokenStream) -> TokenStream {
    #[cfg(feature = "record-replay")]
    return expand::cached_stub(attr.into(), item.into()).into();
    #[cfg(not(feature = "record-replay"))]
    return as_written(attr, item);
}

/// The function as written, and, in a test build, the error that says how to turn stubs on.
#[cfg(not(feature = "record-replay"))]
fn as_written(_attr: TokenStream, item: TokenStream) -> TokenStream {
    const MISSING: &str = concat!(
        "#[cached_stub] records and replays only with cached-stubs' `record-replay` feature, ",
        "which this test build doesn't have; add this line to `[dev-dependencies]` in ",
        "Cargo.toml:\n    cached-stubs = { version = \"",
        env!("CARGO_PKG_VERSION"),
        "\", features = [\"record-replay\"] }"
    );
    let mut expanded = item;
    expanded.extend("#[cfg(test)] ::core::compile_error!".parse::<TokenStream>());
    let message = TokenTree::Literal(Literal::string(MISSING));
    let arguments = Group::new(Delimiter::Parenthesis, message.into());
    expanded.extend([
        TokenTree::Group(arguments),
        Punct::new(';', Spacing::Alone).into(),
    ]);
    expanded
}
