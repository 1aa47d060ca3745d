//! What kind of function an annotated item is: sync or async, what its return type records,
//! and what makes up the key.

use crate::function::Function;
use crate::options::Options;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{FnArg, GenericParam, Pat, PathArguments, ReturnType, Type};

/// An annotated function, classified.
pub(crate) struct Shape {
    pub(crate) is_async: bool,
    pub(crate) output: Output,
    /// What the key hashes, in order: the unskipped arguments, then the generic parameters.
    pub(crate) key_args: Vec<KeyArg>,
}

/// What a return type records.
pub(crate) enum Output {
    /// A value, recorded whole.
    Plain,
    /// A `Result`: `Ok` recorded, `Err` passed through.
    Fallible,
}

/// One part of the key.
pub(crate) struct KeyArg {
    /// Its name in the key and the file: the argument's, `self`, or `<T>` for a generic.
    pub(crate) name: String,
    /// The expression whose reference is hashed, in the function's body.
    pub(crate) value: TokenStream,
    /// Where errors about it point.
    pub(crate) span: Span,
}

impl Shape {
    pub(crate) fn of(function: &Function, options: &Options) -> syn::Result<Shape> {
        let sig = &function.sig;
        if let Some(constness) = &sig.constness {
            return Err(syn::Error::new_spanned(
                constness,
                "#[cached_stub] can't go on a `const fn`: stubs are read from disk at run time",
            ));
        }
        if let Some(variadic) = &sig.variadic {
            return Err(syn::Error::new_spanned(
                variadic,
                "#[cached_stub] can't record variadic arguments",
            ));
        }
        let mut key_args = Vec::new();
        let mut names = Vec::new();
        for input in &sig.inputs {
            let (arg, ty) = argument(input)?;
            names.push(arg.name.clone());
            if !options
                .skip
                .iter()
                .any(|skipped| skipped.unraw() == arg.name)
            {
                if let Some(ty) = ty {
                    refuse_hash_sets(ty)?;
                }
                key_args.push(arg);
            }
        }
        if let Some(unknown) = options
            .skip
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
        key_args.extend(sig.generics.params.iter().filter_map(generic));
        Ok(Shape {
            is_async: sig.asyncness.is_some(),
            output: output(&sig.output),
            key_args,
        })
    }
}

/// An argument as a part of the key, with its type unless it is a receiver.
fn argument(input: &FnArg) -> syn::Result<(KeyArg, Option<&Type>)> {
    match input {
        FnArg::Receiver(receiver) => {
            let arg = KeyArg {
                name: "self".to_string(),
                value: quote!(self),
                span: receiver.self_token.span,
            };
            Ok((arg, None))
        }
        FnArg::Typed(typed) => match &*typed.pat {
            Pat::Ident(pat) if pat.subpat.is_none() => {
                let arg = KeyArg {
                    name: pat.ident.unraw().to_string(),
                    value: pat.ident.to_token_stream(),
                    span: pat.ident.span(),
                };
                Ok((arg, Some(&typed.ty)))
            }
            other => Err(syn::Error::new_spanned(
                other,
                "#[cached_stub] needs a name for each argument, to use it in the stub key \
                 (or to `skip` it): bind this pattern to a name and destructure it in the body",
            )),
        },
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
/// would change every run; maps are fine, their entries are sorted.
fn refuse_hash_sets(ty: &Type) -> syn::Result<()> {
    fn mentions(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => ident == "HashSet",
            TokenTree::Group(group) => mentions(group.stream()),
            _ => false,
        })
    }
    if mentions(ty.to_token_stream()) {
        return Err(syn::Error::new_spanned(
            ty,
            "a `HashSet` iterates in a different order in every process, so this argument \
             would give its call a different stub key every run: use a `BTreeSet`, or `skip` it",
        ));
    }
    Ok(())
}

fn output(output: &ReturnType) -> Output {
    let ReturnType::Type(_, ty) = output else {
        return Output::Plain;
    };
    let mut ty = &**ty;
    // A type from a `macro_rules!` fragment comes wrapped in an invisible group.
    while let Type::Group(syn::TypeGroup { elem, .. }) | Type::Paren(syn::TypeParen { elem, .. }) =
        ty
    {
        ty = elem;
    }
    let is_result = match ty {
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last().expect("a path has a segment");
            last.ident == "Result"
                && matches!(&last.arguments, PathArguments::AngleBracketed(args) if (1..=2).contains(&args.args.len()))
        }
        _ => false,
    };
    if is_result {
        Output::Fallible
    } else {
        Output::Plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(function: &str, options: TokenStream) -> syn::Result<Shape> {
        let function: Function = syn::parse_str(function).unwrap();
        Shape::of(&function, &Options::parse(options).unwrap())
    }

    fn names(shape: &Shape) -> Vec<&str> {
        shape.key_args.iter().map(|arg| arg.name.as_str()).collect()
    }

    #[test]
    fn the_key_is_the_unskipped_arguments_then_the_generic_parameters() {
        let function = "async fn ask<'a, T, const N: usize>(&self, client: &C, r#type: &'a str, n: u32) -> T { todo!() }";
        let shape = shape(function, quote!(skip(client))).unwrap();
        assert_eq!(names(&shape), ["self", "type", "n", "<T>", "<N>"]);
        assert_eq!(
            shape.key_args[3].value.to_string(),
            ":: core :: any :: type_name :: < T > ()"
        );
        assert!(shape.is_async);
        assert!(matches!(shape.output, Output::Plain));
    }

    #[test]
    fn results_are_recognised_by_name() {
        for function in [
            "fn f() -> Result<u32, E> { todo!() }",
            "fn f() -> std::io::Result<u32> { todo!() }",
            "fn f() -> anyhow::Result<u32> { todo!() }",
            "fn f() -> (Result<u32, E>) { todo!() }",
        ] {
            assert!(
                matches!(shape(function, quote!()).unwrap().output, Output::Fallible),
                "{function}"
            );
        }
        let plain = shape("fn f() -> Option<u32> { todo!() }", quote!()).unwrap();
        assert!(matches!(plain.output, Output::Plain));
    }

    #[test]
    fn a_skipped_name_that_is_no_argument_is_an_error_listing_the_arguments() {
        let function = "fn f(prompt: &str, client: &C) -> String { todo!() }";
        let error = shape(function, quote!(skip(clinet))).err().unwrap();
        assert_eq!(
            error.to_string(),
            "`clinet` is not an argument of `f`; the arguments are: prompt, client"
        );
    }

    #[test]
    fn hash_sets_are_refused_unless_skipped() {
        let function =
            "fn f(tags: &std::collections::HashSet<String>, n: Vec<HashSet<u8>>) -> u32 { 1 }";
        let error = shape(function, quote!()).err().unwrap();
        assert!(error.to_string().contains("use a `BTreeSet`, or `skip` it"));
        assert!(shape(function, quote!(skip(tags, n))).is_ok());
    }

    #[test]
    fn const_fn_is_refused_with_the_reason() {
        let error = shape("const fn f() -> u32 { 1 }", quote!()).err().unwrap();
        assert!(error.to_string().contains("run time"));
    }

    #[test]
    fn a_pattern_argument_asks_for_a_name() {
        let error = shape("fn f((a, b): (u32, u32)) -> u32 { a + b }", quote!())
            .err()
            .unwrap();
        assert!(error.to_string().contains("bind this pattern to a name"));
    }
}
