//! What kind of function an annotated item is: sync or async, what its return type records,
//! and what makes up the key.

use crate::function::Function;
use crate::options::Options;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    FnArg, GenericArgument, GenericParam, Ident, Pat, PathArguments, PathSegment, ReturnType, Type,
    TypeParamBound,
};

/// An annotated function, classified.
pub(crate) struct Shape {
    pub(crate) is_async: bool,
    pub(crate) output: Output,
    /// What the key hashes, in order: the unskipped arguments, then the generic parameters.
    pub(crate) key_args: Vec<KeyArg>,
    /// Arguments bound by a pattern (`(a, b): (u32, u32)`): renamed in the signature, so that
    /// the key can hash them whole, and destructured at the start of the body. `_` is left
    /// as it is, and out of the key.
    pub(crate) patterns: Vec<(Ident, Pat)>,
    /// `impl Trait` arguments hashed by their value (all but `impl AsRef<X>`, hashed as the
    /// `X` they refer to): in the record/replay version they get a `StubArg` bound too, so
    /// that callers' values of any serializable type are accepted.
    pub(crate) bounded: Vec<Ident>,
}

/// What a return type records.
pub(crate) enum Output {
    /// A value, or a `Result` of one: which, the runtime's `ShapeOf` tells by the type.
    Value,
    /// A stream or an iterator, recorded item by item.
    Sequence(Sequence),
    /// A future, recorded as its output: `impl Future<Output = T>`, or the
    /// `Pin<Box<dyn Future<Output = T> + Send + '_>>` of `#[async_trait]` methods.
    Future { output: TokenStream, boxed: bool },
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
    /// Its name in the key and the file: the argument's, `self`, `#2` for the second
    /// argument when it is a pattern, or `<T>` for a generic parameter.
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
        let mut shape = Shape {
            is_async: sig.asyncness.is_some(),
            output: output(&sig.output, options.sequence.as_ref())?,
            key_args: Vec::new(),
            patterns: Vec::new(),
            bounded: Vec::new(),
        };
        let mut names = Vec::new();
        for (position, input) in (1..).zip(&sig.inputs) {
            let name = shape.argument(position, input, options)?;
            names.push(name);
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
        shape
            .key_args
            .extend(sig.generics.params.iter().filter_map(generic));
        Ok(shape)
    }

    /// Adds an argument to the key, unless it is skipped, and returns its name.
    fn argument(
        &mut self,
        position: usize,
        input: &FnArg,
        options: &Options,
    ) -> syn::Result<String> {
        let (name, value, span, ty) = match input {
            FnArg::Receiver(receiver) => (
                "self".to_string(),
                receiver.self_token.to_token_stream(),
                receiver.self_token.span,
                None,
            ),
            FnArg::Typed(typed) => match &*typed.pat {
                // The function can't read it, so it can't change the result.
                Pat::Wild(_) => return Ok(format!("#{position}")),
                Pat::Ident(pat) if pat.subpat.is_none() => {
                    let ident = &pat.ident;
                    (
                        ident.unraw().to_string(),
                        ident.to_token_stream(),
                        ident.span(),
                        Some(&*typed.ty),
                    )
                }
                pattern => {
                    let renamed =
                        format_ident!("__cached_stubs_arg{position}", span = Span::mixed_site());
                    self.patterns.push((renamed.clone(), pattern.clone()));
                    let name = format!("#{position}");
                    (
                        name,
                        renamed.to_token_stream(),
                        pattern.span(),
                        Some(&*typed.ty),
                    )
                }
            },
        };
        if options.skip.iter().any(|skipped| skipped.unraw() == name) {
            return Ok(name);
        }
        let mut value = value;
        if let Some(ty) = ty {
            refuse_hash_sets(ty)?;
            if let Some(target) = impl_bound(ty, "AsRef").and_then(first_type_argument) {
                value = quote!(<_ as ::core::convert::AsRef<#target>>::as_ref(&#value));
            } else if matches!(ty, Type::ImplTrait(_)) {
                self.bounded
                    .push(syn::parse2(value.clone()).expect("an argument with a name"));
            }
        }
        self.key_args.push(KeyArg {
            name: name.clone(),
            value,
            span,
        });
        Ok(name)
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
    if mentions(ty.to_token_stream(), "HashSet") {
        return Err(syn::Error::new_spanned(
            ty,
            "a `HashSet` iterates in a different order in every process, so this argument \
             would give its call a different stub key every run: use a `BTreeSet`, or `skip` it",
        ));
    }
    Ok(())
}

/// Classifies the return type: a future, a stream or an iterator (`impl` ones by
/// themselves, named ones by the `stream` or `iter` option, either as the `Ok` of a
/// `Result`), or a value.
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
    if declared.is_none() {
        let boxed = boxed_trait_object(ty);
        if let Some(future) =
            impl_bound(ty, "Future").or_else(|| boxed.and_then(|dyn_| bound(dyn_, "Future")))
        {
            let output = binding(future, "Output").ok_or_else(|| {
                syn::Error::new_spanned(ty, "#[cached_stub] needs the future's `Output = T`")
            })?;
            let output = output.to_token_stream();
            return Ok(Output::Future {
                output,
                boxed: boxed.is_some(),
            });
        }
    }
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
        refuse_extra_bounds(ty, kind)?;
        let item = item.to_token_stream();
        return Ok(Output::Sequence(Sequence {
            kind,
            item,
            named: None,
            in_result,
        }));
    }
    if let Type::ImplTrait(impl_trait) = ty {
        return Err(syn::Error::new_spanned(
            impl_trait,
            "#[cached_stub] can't record this `impl Trait`: return a type that serializes, or \
             an `impl Stream<Item = T>`, `impl Iterator<Item = T>` or `impl Future<Output = T>`",
        ));
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

/// The replayed sequence is a `Stream` or an `Iterator` and no more: it can't promise
/// `DoubleEndedIterator`, `ExactSizeIterator` or `FusedStream`. The auto traits and
/// lifetimes it has whenever the real sequence has them.
fn refuse_extra_bounds(ty: &Type, kind: Kind) -> syn::Result<()> {
    let Type::ImplTrait(impl_trait) = ty else {
        return Ok(());
    };
    let kind = format!("{kind:?}");
    let extra = impl_trait.bounds.iter().find(|bound| match bound {
        TypeParamBound::Trait(bound) => bound.path.segments.last().is_none_or(|last| {
            !(last.ident == kind || ["Send", "Sync", "Unpin"].iter().any(|t| last.ident == t))
        }),
        _ => false,
    });
    match extra {
        Some(extra) => Err(syn::Error::new_spanned(
            extra,
            format!(
                "#[cached_stub] replays this `impl {kind}` from its recorded items, which are \
                 an `{kind}` and no more (`Send`, `Sync`, `Unpin` when the real one is): \
                 remove this bound"
            ),
        )),
        None => Ok(()),
    }
}

/// Whether `tokens` hold the identifier `name`, at any depth.
pub(crate) fn mentions(tokens: TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == name,
        TokenTree::Group(group) => mentions(group.stream(), name),
        _ => false,
    })
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
    wrapped(ty, "Result")
}

/// `T` of a type written `Name<T, ..>` (any path ending in `Name`).
fn wrapped<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    (last.ident == name)
        .then(|| first_type_argument(last))
        .flatten()
}

/// The kind and item type of `impl Stream<Item = T>` or `impl Iterator<Item = T>`.
fn impl_sequence(ty: &Type) -> Option<(Kind, &Type)> {
    if let Some(stream) = impl_bound(ty, "Stream") {
        return Some((Kind::Stream, binding(stream, "Item")?));
    }
    Some((
        Kind::Iterator,
        binding(impl_bound(ty, "Iterator")?, "Item")?,
    ))
}

/// The `dyn Trait` of `Pin<Box<dyn Trait>>`.
fn boxed_trait_object(ty: &Type) -> Option<&Type> {
    let object = wrapped(wrapped(ty, "Pin")?, "Box")?;
    matches!(object, Type::TraitObject(_)).then_some(object)
}

/// The bound named `name` (its path's last segment) of an `impl Trait` type.
fn impl_bound<'a>(ty: &'a Type, name: &str) -> Option<&'a PathSegment> {
    match ty {
        Type::ImplTrait(_) => bound(ty, name),
        _ => None,
    }
}

/// The bound named `name` of an `impl Trait` or `dyn Trait` type.
fn bound<'a>(ty: &'a Type, name: &str) -> Option<&'a PathSegment> {
    let bounds = match ty {
        Type::ImplTrait(impl_trait) => &impl_trait.bounds,
        Type::TraitObject(object) => &object.bounds,
        _ => return None,
    };
    bounds.iter().find_map(|bound| match bound {
        TypeParamBound::Trait(bound) => {
            bound.path.segments.last().filter(|last| last.ident == name)
        }
        _ => None,
    })
}

/// `T` of a bound `Trait<Name = T>`.
fn binding<'a>(segment: &'a PathSegment, name: &str) -> Option<&'a Type> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::AssocType(assoc) if assoc.ident == name => Some(&assoc.ty),
        _ => None,
    })
}

/// `T` of `Name<T, ..>`.
fn first_type_argument(segment: &PathSegment) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
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
        assert!(matches!(shape.output, Output::Value));
    }

    fn sequence(function: &str, options: TokenStream) -> Sequence {
        match shape(function, options).unwrap().output {
            Output::Sequence(sequence) => sequence,
            _ => panic!("{function} is not a sequence"),
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
    fn futures_are_recorded_as_their_output() {
        for (function, boxed) in [
            (
                "fn f() -> impl Future<Output = u32> + Send { todo!() }",
                false,
            ),
            (
                "fn f<'a>() -> Pin<Box<dyn Future<Output = u32> + Send + 'a>> { todo!() }",
                true,
            ),
        ] {
            match shape(function, quote!()).unwrap().output {
                Output::Future {
                    output,
                    boxed: is_boxed,
                } => {
                    assert_eq!((output.to_string(), is_boxed), ("u32".to_string(), boxed));
                }
                _ => panic!("{function} is not a future"),
            }
        }
    }

    #[test]
    fn patterns_are_keyed_by_position_underscores_not_at_all_impl_arguments_by_value() {
        let function = "fn f(a: &str, (b, c): (u8, u8), _: u8, [d]: [u8; 1], e: impl AsRef<str>, f: impl Into<String>) -> u8 { 1 }";
        let shape = shape(function, quote!()).unwrap();
        assert_eq!(names(&shape), ["a", "#2", "#4", "e", "f"]);
        let renamed: Vec<_> = shape
            .patterns
            .iter()
            .map(|(renamed, _)| renamed.to_string())
            .collect();
        assert_eq!(renamed, ["__cached_stubs_arg2", "__cached_stubs_arg4"]);
        assert!(
            shape.key_args[3]
                .value
                .to_string()
                .contains("AsRef < str >> :: as_ref (& e)")
        );
        let bounded: Vec<_> = shape.bounded.iter().map(ToString::to_string).collect();
        assert_eq!(bounded, ["f"]);
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
}
