//! The function's parameters, walked once: what each adds to the key, and how the
//! record/replay version declares it.
//!
//! Two rules go by name, as written (see `syn_types`), not by type:
//! - an argument whose type mentions `HashSet` anywhere (`&HashSet<String>`,
//!   `Vec<std::collections::HashSet<u8>>`) is refused unless skipped. A `HashSet` under
//!   another name (`type Tags = HashSet<String>`, a struct's field, a generic `T`) compiles,
//!   and is left to the runtime to catch;
//! - an `impl` argument with a bound whose path ends in `AsRef` is hashed as the `X` of its
//!   `AsRef<X>`; every other `impl` argument is hashed by value, and gets a `StubArg` bound.

use crate::syn_types::{first_type_argument, impl_bound, mentions};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, Ident, Pat, PatIdent, Signature, Token, Type, parse_quote};

/// The parameters, read for the key and rewritten for the record/replay version.
pub(crate) struct Params {
    /// What the key hashes, in order: the unskipped arguments, then the generic parameters.
    pub(crate) key: Vec<KeyArg>,
    /// The parameters as the record/replay version declares them: those bound by a pattern
    /// renamed, so that the key can hash them whole, and `impl Trait` ones hashed by value
    /// given a `StubArg` bound, so that callers' values of any serializable type are accepted.
    pub(crate) inputs: Punctuated<FnArg, Token![,]>,
    /// The renamed parameters' new names and patterns (`(a, b): (u32, u32)`), destructured at
    /// the start of the body. `_` is left as it is, and out of the key.
    pub(crate) patterns: Vec<(Ident, Pat)>,
}

/// One part of the key.
pub(crate) struct KeyArg {
    /// Its name in the key and the file: the argument's, `self`, `#2` for the second
    /// argument when it is a pattern, or `<T>` for a generic parameter.
    pub(crate) name: String,
    /// The expression whose reference is hashed, in the function's body.
    pub(crate) value: TokenStream,
    /// Where errors about it point.
    pub(crate) span: Span,
}

impl Params {
    /// Walks the parameters of `sig`, leaving those named in `skip` out of the key.
    pub(crate) fn of(sig: &Signature, skip: &[Ident]) -> syn::Result<Params> {
        let mut params = Params {
            key: Vec::new(),
            inputs: Punctuated::new(),
            patterns: Vec::new(),
        };
        let mut inputs = sig.inputs.clone();
        let mut names = Vec::new();
        for (position, input) in (1..).zip(&mut inputs) {
            names.push(params.add(position, input, skip)?);
        }
        params.inputs = inputs;
        if let Some(unknown) = skip
            .iter()
            .find(|skipped| !names.contains(&skipped.unraw().to_string()))
        {
            return Err(syn::Error::new_spanned(
                unknown,
                format!(
                    "`{unknown}` is not an argument of `{}`; the arguments are: {}",
                    sig.ident,
                    names.join(", ")
                ),
            ));
        }
        params
            .key
            .extend(sig.generics.params.iter().filter_map(generic));
        Ok(params)
    }

    /// Reads one parameter, rewriting it in place for the record/replay version, and adds it
    /// to the key unless it is skipped or `_`. Returns its name in the key.
    fn add(&mut self, position: usize, input: &mut FnArg, skip: &[Ident]) -> syn::Result<String> {
        let (name, value, span, ty) = match input {
            FnArg::Receiver(receiver) => (
                "self".to_string(),
                receiver.self_token.to_token_stream(),
                receiver.self_token.span,
                None,
            ),
            FnArg::Typed(typed) => {
                let (name, value, span) = match &*typed.pat {
                    // The function can't read it, so it can't change the result.
                    Pat::Wild(_) => return Ok(format!("#{position}")),
                    Pat::Ident(pat) if pat.subpat.is_none() => (
                        pat.ident.unraw().to_string(),
                        pat.ident.to_token_stream(),
                        pat.ident.span(),
                    ),
                    _ => self.rename(position, &mut typed.pat),
                };
                (name, value, span, Some(&mut *typed.ty))
            }
        };
        if skip.iter().any(|skipped| skipped.unraw() == name) {
            return Ok(name);
        }
        let mut value = value;
        if let Some(ty) = ty {
            refuse_hash_sets(ty)?;
            if let Some(target) = impl_bound(ty, "AsRef").and_then(first_type_argument) {
                value = quote!(<_ as ::core::convert::AsRef<#target>>::as_ref(&#value));
            } else if let Type::ImplTrait(impl_trait) = ty {
                impl_trait
                    .bounds
                    .push(parse_quote!(::cached_stubs::__private::StubArg));
            }
        }
        self.key.push(KeyArg {
            name: name.clone(),
            value,
            span,
        });
        Ok(name)
    }

    /// Gives the parameter at `position`, bound by a pattern, a name of ours, keeping the
    /// pattern to destructure; returns its name in the key, the new name and the pattern's
    /// span.
    fn rename(&mut self, position: usize, pat: &mut Pat) -> (String, TokenStream, Span) {
        let renamed = format_ident!("__cached_stubs_arg{position}", span = Span::mixed_site());
        let pattern = std::mem::replace(
            pat,
            Pat::Ident(PatIdent {
                attrs: Vec::new(),
                by_ref: None,
                mutability: None,
                ident: renamed.clone(),
                subpat: None,
            }),
        );
        let span = pattern.span();
        self.patterns.push((renamed.clone(), pattern));
        (format!("#{position}"), renamed.to_token_stream(), span)
    }
}

/// A generic type or const parameter: its type's name or its value is part of the key, so
/// `parse::<City>("…")` and `parse::<Person>("…")` don't share a stub.
fn generic(param: &GenericParam) -> Option<KeyArg> {
    let (ident, value) = match param {
        GenericParam::Type(param) => {
            let ident = &param.ident;
            (ident, quote!(::core::any::type_name::<#ident>()))
        }
        GenericParam::Const(param) => (&param.ident, param.ident.to_token_stream()),
        GenericParam::Lifetime(_) => return None,
    };
    Some(KeyArg {
        name: format!("<{}>", ident.unraw()),
        value,
        span: ident.span(),
    })
}

/// A `HashSet` serializes as a sequence in a different order in every process, so its key
/// would change every run; maps are fine, their entries are sorted. Found by name: see the
/// module's documentation.
fn refuse_hash_sets(ty: &Type) -> syn::Result<()> {
    if mentions(ty.to_token_stream(), "HashSet") {
        return Err(syn::Error::new_spanned(
            ty,
            "a `HashSet` iterates in a different order in every process, so this argument \
             would give its call a different stub key every run: use a `BTreeSet`, or `skip` it",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::Function;
    use crate::options::Options;

    fn params(function: &str, options: TokenStream) -> syn::Result<Params> {
        let function: Function = syn::parse_str(function).unwrap();
        Params::of(&function.sig, &Options::parse(options).unwrap().skip)
    }

    fn names(params: &Params) -> Vec<&str> {
        params.key.iter().map(|arg| arg.name.as_str()).collect()
    }

    #[test]
    fn the_key_is_the_unskipped_arguments_then_the_generic_parameters() {
        let function = "async fn ask<'a, T, const N: usize>(&self, client: &C, r#type: &'a str, n: u32) -> T { todo!() }";
        let params = params(function, quote!(skip(client))).unwrap();
        assert_eq!(names(&params), ["self", "type", "n", "<T>", "<N>"]);
        assert_eq!(
            params.key[3].value.to_string(),
            ":: core :: any :: type_name :: < T > ()"
        );
    }

    #[test]
    fn patterns_are_keyed_by_position_underscores_not_at_all_impl_arguments_by_value() {
        let function = "fn f(a: &str, (b, c): (u8, u8), _: u8, [d]: [u8; 1], e: impl AsRef<str>, f: impl Into<String>) -> u8 { 1 }";
        let params = params(function, quote!()).unwrap();
        assert_eq!(names(&params), ["a", "#2", "#4", "e", "f"]);
        let renamed: Vec<_> = params
            .patterns
            .iter()
            .map(|(renamed, _)| renamed.to_string())
            .collect();
        assert_eq!(renamed, ["__cached_stubs_arg2", "__cached_stubs_arg4"]);
        assert!(
            params.key[3]
                .value
                .to_string()
                .contains("AsRef < str >> :: as_ref (& e)")
        );
    }

    #[test]
    fn the_rewritten_parameters_rename_patterns_and_bound_impl_arguments_hashed_by_value() {
        let function = "fn f(#[a] (b, c): (u8, u8), _: u8, e: impl AsRef<str>, f: impl Into<String>, g: impl Into<u8>) -> u8 { 1 }";
        let params = params(function, quote!(skip(g))).unwrap();
        let inputs = params.inputs.to_token_stream().to_string();
        assert_eq!(
            inputs,
            "# [a] __cached_stubs_arg1 : (u8 , u8) , _ : u8 , e : impl AsRef < str > , \
             f : impl Into < String > + :: cached_stubs :: __private :: StubArg , \
             g : impl Into < u8 >"
        );
    }

    #[test]
    fn a_skipped_name_that_is_no_argument_is_an_error_listing_the_arguments() {
        let function = "fn f(prompt: &str, client: &C) -> String { todo!() }";
        let error = params(function, quote!(skip(clinet))).err().unwrap();
        assert_eq!(
            error.to_string(),
            "`clinet` is not an argument of `f`; the arguments are: prompt, client"
        );
    }

    #[test]
    fn hash_sets_are_refused_unless_skipped() {
        let function =
            "fn f(tags: &std::collections::HashSet<String>, n: Vec<HashSet<u8>>) -> u32 { 1 }";
        let error = params(function, quote!()).err().unwrap();
        assert!(error.to_string().contains("use a `BTreeSet`, or `skip` it"));
        assert!(params(function, quote!(skip(tags, n))).is_ok());
    }

    #[test]
    fn a_hash_set_under_another_name_is_not_seen() {
        let function = "fn f(tags: &Tags) -> u32 { 1 }";
        assert!(params(function, quote!()).is_ok());
    }
}
