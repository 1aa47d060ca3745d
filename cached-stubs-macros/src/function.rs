//! The annotated item, parsed only as far as the expansion needs: attributes, visibility and
//! signature; the body stays tokens, re-emitted untouched with its own spans.

use proc_macro2::{Delimiter, Group};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility, braced};

pub(crate) struct Function {
    /// `#[...]` before the function.
    pub(crate) outer_attrs: Vec<Attribute>,
    /// `#![...]` at the start of the body: they belong at the start of any body it gets.
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    /// The body without its inner attributes, in its original braces.
    pub(crate) block: Group,
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let outer_attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let braces = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let mut block = Group::new(Delimiter::Brace, content.parse()?);
        block.set_span(braces.span.join());
        Ok(Function {
            outer_attrs,
            inner_attrs,
            vis,
            sig,
            block,
        })
    }
}
