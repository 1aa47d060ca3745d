//! What the function returns, and so what its stubs record: a value, a future's output, or
//! the items of a stream or an iterator.
//!
//! A value's `Result` is decided by type: the runtime's `PickPart` records only the `Ok` of
//! any `Result`, under any alias. Everything else here goes by name, as written (see
//! `syn_types`), since a macro sees no types:
//! - a future is an `impl` type with a bound whose path ends in `Future`, or a
//!   `Pin<Box<dyn ..>>` (paths ending in `Pin` and `Box`) with such a bound; its
//!   `Output = T` is what is recorded;
//! - a stream or an iterator is an `impl` type with a bound whose path ends in `Stream` or
//!   `Iterator`, its `Item = T` recorded; a named type is one only by the `stream` or `iter`
//!   option;
//! - the bounds an `impl Stream` or `impl Iterator` may have besides are those whose path
//!   ends in `Send`, `Sync` or `Unpin`;
//! - a stream or an iterator is the `Ok` of a `Result` when the return type's path ends in
//!   `Result`. An alias is not seen through: with `type Reply = Result<BoxStream<..>, E>`
//!   and `stream`, `Reply` itself is taken for the stream, and the expansion's check that
//!   it is one fails to compile with a message that says to write `Result<..>` out.

use crate::syn_types::{binding, bound, boxed_trait_object, impl_bound, ungrouped, wrapped};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Ident, ReturnType, Type, TypeParamBound};

/// What a return type records.
pub(crate) enum Returns {
    /// A value, or a `Result` of one: which, the runtime's `PickPart` tells by the type.
    Value,
    /// A future, recorded as its output: `impl Future<Output = T>`, or the
    /// `Pin<Box<dyn Future<Output = T> + Send + '_>>` of `#[async_trait]` methods.
    Future { output: TokenStream, boxed: bool },
    /// A stream or an iterator, recorded item by item.
    Items(ItemsReturn),
}

/// A returned stream or iterator.
pub(crate) struct ItemsReturn {
    /// Which of the two it is.
    pub(crate) implements: ItemsTrait,
    /// The type of its items.
    pub(crate) item: TokenStream,
    /// Its declared type when named (`BoxStream<'_, T>`): ours is boxed into it. `None` for
    /// `impl Stream` and `impl Iterator`, which ours is.
    pub(crate) named: Option<TokenStream>,
    /// Whether it is the `Ok` of a returned `Result`, as async-openai's `create_stream`.
    pub(crate) in_result: bool,
}

/// The trait a returned stream or iterator implements.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum ItemsTrait {
    Stream,
    Iterator,
}

impl ItemsTrait {
    /// The trait the option `stream` or `iter` declares.
    fn declared_by(option: &Ident) -> ItemsTrait {
        if option == "stream" {
            ItemsTrait::Stream
        } else {
            ItemsTrait::Iterator
        }
    }

    /// The trait's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ItemsTrait::Stream => "Stream",
            ItemsTrait::Iterator => "Iterator",
        }
    }

    /// The option that declares a named type to be one.
    pub(crate) fn option(self) -> &'static str {
        match self {
            ItemsTrait::Stream => "stream",
            ItemsTrait::Iterator => "iter",
        }
    }

    /// The trait's path in the expansion.
    pub(crate) fn path(self) -> TokenStream {
        match self {
            ItemsTrait::Stream => quote!(::cached_stubs::__private::Stream),
            ItemsTrait::Iterator => quote!(::core::iter::Iterator),
        }
    }
}

impl Returns {
    /// Classifies the return type: a future, a stream or an iterator (`impl` ones by
    /// themselves, named ones by the `stream` or `iter` option, either as the `Ok` of a
    /// `Result`), or a value.
    pub(crate) fn of(output: &ReturnType, declared: Option<&Ident>) -> syn::Result<Returns> {
        let ReturnType::Type(_, ty) = output else {
            return match declared {
                Some(option) => Err(syn::Error::new_spanned(
                    option,
                    "the function returns nothing",
                )),
                None => Ok(Returns::Value),
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
                return Ok(Returns::Future {
                    output,
                    boxed: boxed.is_some(),
                });
            }
        }
        let (ty, in_result) = match result_ok(ty).map(ungrouped) {
            Some(ok) if declared.is_some() || impl_items(ok).is_some() => (ok, true),
            _ => (ty, false),
        };
        if let Some((implements, item)) = impl_items(ty) {
            if let Some(option) =
                declared.filter(|option| ItemsTrait::declared_by(option) != implements)
            {
                let message = format!(
                    "`{option}` is given, but the function returns an `impl {}`",
                    implements.name()
                );
                return Err(syn::Error::new_spanned(option, message));
            }
            refuse_extra_bounds(ty, implements)?;
            let item = item.to_token_stream();
            return Ok(Returns::Items(ItemsReturn {
                implements,
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
            return Ok(Returns::Value);
        };
        let implements = ItemsTrait::declared_by(option);
        let path = implements.path();
        Ok(Returns::Items(ItemsReturn {
            implements,
            item: quote!(<#ty as #path>::Item),
            named: Some(ty.to_token_stream()),
            in_result,
        }))
    }
}

/// The replayed items are a `Stream` or an `Iterator` and no more: they can't promise
/// `DoubleEndedIterator`, `ExactSizeIterator` or `FusedStream`. The auto traits and
/// lifetimes they have whenever the real stream or iterator has them.
fn refuse_extra_bounds(ty: &Type, implements: ItemsTrait) -> syn::Result<()> {
    let Type::ImplTrait(impl_trait) = ty else {
        return Ok(());
    };
    let name = implements.name();
    let extra = impl_trait.bounds.iter().find(|bound| match bound {
        TypeParamBound::Trait(bound) => bound.path.segments.last().is_none_or(|last| {
            !(last.ident == name || ["Send", "Sync", "Unpin"].iter().any(|t| last.ident == t))
        }),
        _ => false,
    });
    match extra {
        Some(extra) => Err(syn::Error::new_spanned(
            extra,
            format!(
                "#[cached_stub] replays this `impl {name}` from its recorded items, which are \
                 an `{name}` and no more (`Send`, `Sync`, `Unpin` when the real one is): \
                 remove this bound"
            ),
        )),
        None => Ok(()),
    }
}

/// `T` of a type written `Result<T, ..>` (any path ending in `Result`).
fn result_ok(ty: &Type) -> Option<&Type> {
    wrapped(ty, "Result")
}

/// The trait and item type of `impl Stream<Item = T>` or `impl Iterator<Item = T>`.
fn impl_items(ty: &Type) -> Option<(ItemsTrait, &Type)> {
    if let Some(stream) = impl_bound(ty, "Stream") {
        return Some((ItemsTrait::Stream, binding(stream, "Item")?));
    }
    Some((
        ItemsTrait::Iterator,
        binding(impl_bound(ty, "Iterator")?, "Item")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::function::Function;
    use crate::options::Options;

    fn returns(function: &str, options: TokenStream) -> syn::Result<Returns> {
        let function: Function = syn::parse_str(function).unwrap();
        let options = Options::parse(options).unwrap();
        Returns::of(&function.sig.output, options.items.as_ref())
    }

    fn items(function: &str, options: TokenStream) -> ItemsReturn {
        match returns(function, options).unwrap() {
            Returns::Items(items) => items,
            _ => panic!("{function} does not return items"),
        }
    }

    #[test]
    fn impl_streams_and_iterators_return_items() {
        let stream = items(
            "fn f() -> impl Stream<Item = String> + Send { todo!() }",
            quote!(),
        );
        assert_eq!(
            (
                stream.implements,
                stream.item.to_string(),
                stream.named.is_none()
            ),
            (ItemsTrait::Stream, "String".into(), true)
        );
        let iter = items(
            "fn f() -> impl Iterator<Item = Result<u8, E>> { todo!() }",
            quote!(),
        );
        assert_eq!(
            (iter.implements, iter.item.to_string()),
            (ItemsTrait::Iterator, "Result < u8 , E >".into())
        );
        let in_result = items(
            "async fn f() -> Result<impl futures::Stream<Item = u8>, E> { todo!() }",
            quote!(),
        );
        assert!(in_result.in_result);
    }

    #[test]
    fn named_streams_and_iterators_are_declared_by_option() {
        let named = items(
            "fn f() -> BoxStream<'static, u8> { todo!() }",
            quote!(stream),
        );
        assert!(named.named.is_some() && !named.in_result);
        assert_eq!(
            named.item.to_string(),
            "< BoxStream < 'static , u8 > as :: cached_stubs :: __private :: Stream > :: Item"
        );
        let in_result = items(
            "async fn f() -> Result<ChatCompletionResponseStream, OpenAIError> { todo!() }",
            quote!(stream),
        );
        assert!(in_result.in_result);
        let iter = items(
            "fn f() -> Box<dyn Iterator<Item = u8>> { todo!() }",
            quote!(iter),
        );
        assert_eq!(iter.implements, ItemsTrait::Iterator);
    }

    #[test]
    fn a_result_alias_is_not_seen_through_for_streams() {
        let aliased = items("async fn f() -> Reply { todo!() }", quote!(stream));
        assert_eq!(
            (aliased.named.unwrap().to_string(), aliased.in_result),
            ("Reply".into(), false)
        );
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
            match returns(function, quote!()).unwrap() {
                Returns::Future {
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
    fn values_are_everything_else() {
        for function in [
            "fn f() -> Result<u32, E> { todo!() }",
            "fn f() -> Reply { todo!() }",
            "fn f() -> Vec<u8> { todo!() }",
            "fn f() { }",
        ] {
            assert!(
                matches!(returns(function, quote!()).unwrap(), Returns::Value),
                "{function}"
            );
        }
    }

    #[test]
    fn an_items_option_that_contradicts_the_type_is_an_error() {
        let error = returns(
            "fn f() -> impl Iterator<Item = u8> { todo!() }",
            quote!(stream),
        )
        .err()
        .unwrap();
        assert_eq!(
            error.to_string(),
            "`stream` is given, but the function returns an `impl Iterator`"
        );
        let error = returns("fn f() { }", quote!(iter)).err().unwrap();
        assert_eq!(error.to_string(), "the function returns nothing");
    }
}
