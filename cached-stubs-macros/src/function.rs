//! The annotated item, parsed only as far as the expansion needs: attributes, visibility and
//! signature; the body stays tokens, re-emitted untouched with its own spans.

use proc_macro2::{Delimiter, Group};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Signature, Visibility, braced};

/// A function with a body.
pub(crate) struct Function {
    /// `#[...]` before the function.
    pub(crate) outer_attrs: Vec<Attribute>,
    /// `#![...]` at the start of the body: they belong at the start of any body it gets.
    pub(crate) inner_attrs: Vec<Attribute>,
    /// `pub`, `pub(crate)`, or nothing.
    pub(crate) vis: Visibility,
    /// Everything from `const`, `async` or `fn` to the body.
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

impl Function {
    /// Refuses the functions no stub can stand in for, whatever they return or take.
    pub(crate) fn refuse_unstubbable(&self) -> syn::Result<()> {
        if let Some(constness) = &self.sig.constness {
            return Err(syn::Error::new_spanned(
                constness,
                "#[cached_stub] can't go on a `const fn`: stubs are read from disk at run time",
            ));
        }
        if let Some(variadic) = &self.sig.variadic {
            return Err(syn::Error::new_spanned(
                variadic,
                "#[cached_stub] can't record variadic arguments",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Function;

    #[test]
    fn const_fn_is_refused_with_the_reason() {
        let function: Function = syn::parse_str("const fn f() -> u32 { 1 }").unwrap();
        let error = function.refuse_unstubbable().err().unwrap();
        assert!(error.to_string().contains("run time"));
    }
}
