//! What kind of function an annotated item is: sync or async, what its return type records,
//! and which arguments make up the key.

use crate::options::Options;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{FnArg, ItemFn, Pat, PathArguments, ReturnType, Type};

/// An annotated function, classified.
pub(crate) struct Shape {
    pub(crate) is_async: bool,
    pub(crate) output: Output,
    /// The arguments that are part of the key, in declaration order.
    pub(crate) key_args: Vec<KeyArg>,
}

/// What a return type records.
pub(crate) enum Output {
    /// A value, recorded whole.
    Plain,
    /// A `Result`: `Ok` recorded, `Err` passed through.
    Fallible,
}

/// An argument that is part of the key.
pub(crate) struct KeyArg {
    /// Its name in the key and the file (`self` for the receiver).
    pub(crate) name: String,
    /// The expression that borrows it in the function's body.
    pub(crate) binding: TokenStream,
    /// Where errors about it point.
    pub(crate) span: Span,
}

impl Shape {
    pub(crate) fn of(function: &ItemFn, options: &Options) -> syn::Result<Shape> {
        let sig = &function.sig;
        function.modifiers.require_empty()?;
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
            let arg = key_arg(input)?;
            names.push(arg.name.clone());
            if !options
                .skip
                .iter()
                .any(|skipped| skipped.unraw() == arg.name)
            {
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
        Ok(Shape {
            is_async: sig.asyncness.is_some(),
            output: output(&sig.output)?,
            key_args,
        })
    }
}

fn key_arg(input: &FnArg) -> syn::Result<KeyArg> {
    match input {
        FnArg::Receiver(receiver) => Ok(KeyArg {
            name: "self".to_string(),
            binding: quote!(self),
            span: receiver.self_token.span,
        }),
        FnArg::Typed(typed) => match &*typed.pat {
            Pat::Ident(pat) if pat.subpat.is_none() => Ok(KeyArg {
                name: pat.ident.unraw().to_string(),
                binding: pat.ident.to_token_stream(),
                span: pat.ident.span(),
            }),
            other => Err(syn::Error::new_spanned(
                other,
                "#[cached_stub] needs a plain name for this argument, to use it in the stub key",
            )),
        },
    }
}

fn output(output: &ReturnType) -> syn::Result<Output> {
    let ReturnType::Type(_, ty) = output else {
        return Ok(Output::Plain);
    };
    match &**ty {
        Type::ImplTrait(impl_trait) => Err(syn::Error::new_spanned(
            impl_trait,
            "#[cached_stub] can't record an `impl Trait` return type yet",
        )),
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last().expect("a path has a segment");
            let is_result = last.ident == "Result"
                && matches!(&last.arguments, PathArguments::AngleBracketed(args) if (1..=2).contains(&args.args.len()));
            Ok(if is_result {
                Output::Fallible
            } else {
                Output::Plain
            })
        }
        _ => Ok(Output::Plain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn shape(function: ItemFn, options: proc_macro2::TokenStream) -> syn::Result<Shape> {
        Shape::of(&function, &Options::parse(options).unwrap())
    }

    #[test]
    fn key_arguments_are_the_unskipped_ones_in_order() {
        let function = parse_quote!(
            async fn ask(&self, client: &C, r#type: &str, n: u32) -> String {
                todo!()
            }
        );
        let shape = shape(function, quote!(skip(client))).unwrap();
        let names: Vec<_> = shape.key_args.iter().map(|arg| arg.name.as_str()).collect();
        assert_eq!(names, ["self", "type", "n"]);
        assert!(shape.is_async);
        assert!(matches!(shape.output, Output::Plain));
    }

    #[test]
    fn results_are_recognised_by_name() {
        for function in [
            parse_quote!(
                fn f() -> Result<u32, E> {
                    todo!()
                }
            ),
            parse_quote!(
                fn f() -> std::io::Result<u32> {
                    todo!()
                }
            ),
            parse_quote!(
                fn f() -> anyhow::Result<u32> {
                    todo!()
                }
            ),
        ] {
            assert!(matches!(
                shape(function, quote!()).unwrap().output,
                Output::Fallible
            ));
        }
        let function = parse_quote!(
            fn f() -> Option<u32> {
                todo!()
            }
        );
        assert!(matches!(
            shape(function, quote!()).unwrap().output,
            Output::Plain
        ));
    }

    #[test]
    fn a_skipped_name_that_is_no_argument_is_an_error_listing_the_arguments() {
        let function = parse_quote!(
            fn f(prompt: &str, client: &C) -> String {
                todo!()
            }
        );
        let error = shape(function, quote!(skip(clinet))).err().unwrap();
        assert_eq!(
            error.to_string(),
            "`clinet` is not an argument of `f`; the arguments are: prompt, client"
        );
    }

    #[test]
    fn const_fn_is_refused_with_the_reason() {
        let error = shape(
            parse_quote!(
                const fn f() -> u32 {
                    1
                }
            ),
            quote!(),
        )
        .err()
        .unwrap();
        assert!(error.to_string().contains("run time"));
    }
}
