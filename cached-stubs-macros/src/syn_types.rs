//! Types read as written. A macro sees tokens, not types: each helper here finds a path by
//! the name of its last segment, whatever that name resolves to. `params` and `returns` say
//! which of their rules go by name.

use proc_macro2::{TokenStream, TokenTree};
use syn::{GenericArgument, PathArguments, PathSegment, Type, TypeParamBound};

/// A type without the invisible groups of `macro_rules!` fragments and parentheses.
pub(crate) fn ungrouped(mut ty: &Type) -> &Type {
    while let Type::Group(syn::TypeGroup { elem, .. }) | Type::Paren(syn::TypeParen { elem, .. }) =
        ty
    {
        ty = elem;
    }
    ty
}

/// `T` of a type written `Name<T, ..>` (any path ending in `Name`).
pub(crate) fn wrapped<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    (last.ident == name)
        .then(|| first_type_argument(last))
        .flatten()
}

/// The `dyn Trait` of `Pin<Box<dyn Trait>>`.
pub(crate) fn boxed_trait_object(ty: &Type) -> Option<&Type> {
    let object = wrapped(wrapped(ty, "Pin")?, "Box")?;
    matches!(object, Type::TraitObject(_)).then_some(object)
}

/// The bound named `name` (its path's last segment) of an `impl Trait` type.
pub(crate) fn impl_bound<'a>(ty: &'a Type, name: &str) -> Option<&'a PathSegment> {
    match ty {
        Type::ImplTrait(_) => bound(ty, name),
        _ => None,
    }
}

/// The bound named `name` of an `impl Trait` or `dyn Trait` type.
pub(crate) fn bound<'a>(ty: &'a Type, name: &str) -> Option<&'a PathSegment> {
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
pub(crate) fn binding<'a>(segment: &'a PathSegment, name: &str) -> Option<&'a Type> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::AssocType(assoc) if assoc.ident == name => Some(&assoc.ty),
        _ => None,
    })
}

/// `T` of `Name<T, ..>`.
pub(crate) fn first_type_argument(segment: &PathSegment) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
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
