//! What kind of function an annotated item is: sync or async, what its return type records,
//! and what makes up the key.

use crate::function::Function;
use crate::options::Options;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{
    FnArg, GenericArgument, GenericParam, Ident, Pat, PathArguments, ReturnType, Type,
    TypeParamBound,
};

/// An annotated function, classified.
pub(crate) struct Shape {
    pub(crate) is_async: bool,
    pub(crate) output: Output,
    /// What the key hashes, in order: the unskipped arguments, then the generic parameters.
    pub(crate) key_args: Vec<KeyArg>,
}

/// What a return type records.
pub(crate) enum Output {
    /// A value, or a `Result` of one: which, the runtime's `ShapeOf` tells by the type.
    Value,
    /// A stream or an iterator, recorded item by item.
    Sequence(Sequence),
}

/// A returned stream or iterator.
pub(crate) struct Sequence {
    pub(crate) kind: Kind,
    /// The type of its items.
    pub(crate) item: TokenStream,
    /// Its declared type when named (`BoxStream<'_, T>`): ours is boxed into it. `None` for
    /// `impl Stream` and `impl Iterator`, which ours is.
    pub(crate) named: Option<TokenStream>,
    /// Whether it is the `Ok` of a returned `Result`, as async-openai's `create_stream`.
    pub(crate) in_result: bool,
}

#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Kind {
    Stream,
    Iterator,
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
            output: output(&sig.output, options.sequence.as_ref())?,
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

/// Classifies the return type: an `impl Stream` or `impl Iterator`, a named type declared a
/// sequence by the `stream` or `iter` option, either as the `Ok` of a `Result`, or a value.
fn output(output: &ReturnType, declared: Option<&Ident>) -> syn::Result<Output> {
    let ReturnType::Type(_, ty) = output else {
        return match declared {
            Some(option) => Err(syn::Error::new_spanned(
                option,
                "the function returns nothing",
            )),
            None => Ok(Output::Value),
        };
    };
    let ty = ungrouped(ty);
    let (ty, in_result) = match result_ok(ty).map(ungrouped) {
        Some(ok) if declared.is_some() || impl_sequence(ok).is_some() => (ok, true),
        _ => (ty, false),
    };
    if let Some((kind, item)) = impl_sequence(ty) {
        if let Some(option) = declared.filter(|option| kind_named(option) != kind) {
            let message =
                format!("`{option}` is given, but the function returns an `impl {kind:?}`");
            return Err(syn::Error::new_spanned(option, message));
        }
        let item = item.to_token_stream();
        return Ok(Output::Sequence(Sequence {
            kind,
            item,
            named: None,
            in_result,
        }));
    }
    let Some(option) = declared else {
        return Ok(Output::Value);
    };
    let kind = kind_named(option);
    let item = match kind {
        Kind::Stream => quote!(<#ty as ::cached_stubs::__private::Stream>::Item),
        Kind::Iterator => quote!(<#ty as ::core::iter::Iterator>::Item),
    };
    let named = Some(ty.to_token_stream());
    Ok(Output::Sequence(Sequence {
        kind,
        item,
        named,
        in_result,
    }))
}

fn kind_named(option: &Ident) -> Kind {
    if option == "stream" {
        Kind::Stream
    } else {
        Kind::Iterator
    }
}

/// A type without the invisible groups of `macro_rules!` fragments and parentheses.
fn ungrouped(mut ty: &Type) -> &Type {
    while let Type::Group(syn::TypeGroup { elem, .. }) | Type::Paren(syn::TypeParen { elem, .. }) =
        ty
    {
        ty = elem;
    }
    ty
}

/// `T` of a type written `Result<T, ..>` (any path ending in `Result`).
fn result_ok(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(ok) if last.ident == "Result" => Some(ok),
        _ => None,
    }
}

/// The kind and item type of `impl Stream<Item = T>` or `impl Iterator<Item = T>`.
fn impl_sequence(ty: &Type) -> Option<(Kind, &Type)> {
    let Type::ImplTrait(impl_trait) = ty else {
        return None;
    };
    impl_trait.bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let last = bound.path.segments.last()?;
        let kind = match last.ident.to_string().as_str() {
            "Stream" => Kind::Stream,
            "Iterator" => Kind::Iterator,
            _ => return None,
        };
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            GenericArgument::AssocType(item) if item.ident == "Item" => Some((kind, &item.ty)),
            _ => None,
        })
    })
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
        assert!(matches!(shape.output, Output::Value));
    }

    fn sequence(function: &str, options: TokenStream) -> Sequence {
        match shape(function, options).unwrap().output {
            Output::Sequence(sequence) => sequence,
            Output::Value => panic!("{function} is not a sequence"),
        }
    }

    #[test]
    fn impl_streams_and_iterators_are_sequences() {
        let stream = sequence(
            "fn f() -> impl Stream<Item = String> + Send { todo!() }",
            quote!(),
        );
        assert_eq!(
            (stream.kind, stream.item.to_string(), stream.named.is_none()),
            (Kind::Stream, "String".into(), true)
        );
        let iter = sequence(
            "fn f() -> impl Iterator<Item = Result<u8, E>> { todo!() }",
            quote!(),
        );
        assert_eq!(
            (iter.kind, iter.item.to_string()),
            (Kind::Iterator, "Result < u8 , E >".into())
        );
        let in_result = sequence(
            "async fn f() -> Result<impl futures::Stream<Item = u8>, E> { todo!() }",
            quote!(),
        );
        assert!(in_result.in_result);
    }

    #[test]
    fn named_sequences_are_declared_by_option() {
        let named = sequence(
            "fn f() -> BoxStream<'static, u8> { todo!() }",
            quote!(stream),
        );
        assert!(named.named.is_some() && !named.in_result);
        assert_eq!(
            named.item.to_string(),
            "< BoxStream < 'static , u8 > as :: cached_stubs :: __private :: Stream > :: Item"
        );
        let in_result = sequence(
            "async fn f() -> Result<ChatCompletionResponseStream, OpenAIError> { todo!() }",
            quote!(stream),
        );
        assert!(in_result.in_result);
        let iter = sequence(
            "fn f() -> Box<dyn Iterator<Item = u8>> { todo!() }",
            quote!(iter),
        );
        assert_eq!(iter.kind, Kind::Iterator);
    }

    #[test]
    fn values_are_everything_else() {
        for function in [
            "fn f() -> Result<u32, E> { todo!() }",
            "fn f() -> Vec<u8> { todo!() }",
            "fn f() { }",
        ] {
            assert!(
                matches!(shape(function, quote!()).unwrap().output, Output::Value),
                "{function}"
            );
        }
    }

    #[test]
    fn a_sequence_option_that_contradicts_the_type_is_an_error() {
        let error = shape(
            "fn f() -> impl Iterator<Item = u8> { todo!() }",
            quote!(stream),
        )
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "`stream` is given, but the function returns an `impl Iterator`"
        );
        let error = shape("fn f() { }", quote!(iter)).err().unwrap();
        assert_eq!(error.to_string(), "the function returns nothing");
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
