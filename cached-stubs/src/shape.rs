//! Return shapes: which part of a returned value a stub stores, and how it is given back.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// What a stub can hold: a type that serializes and deserializes. The record/replay entry
/// points require it of their [`Shape::Stored`], so that a return type that can't be
/// recorded is reported in these words, at the return type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be recorded in a stub: it must implement `serde::Serialize` and `serde::Deserialize`",
    label = "what the function returns is recorded",
    note = "derive `Serialize` and `Deserialize` for it; for a `Result`, only its `Ok` type needs them",
    note = "a stream or an iterator of a named type needs `#[cached_stub(stream)]` or `#[cached_stub(iter)]`"
)]
pub trait Recordable: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> Recordable for T {}

/// How a function's return type `R` maps to what its stub stores.
pub trait Shape<R> {
    /// What the stub's `output` holds; the entry points require it to be [`Recordable`].
    type Stored;

    /// The part of a real result to record, or `None` when it must not be recorded.
    fn stored(returned: &R) -> Option<&Self::Stored>;

    /// The result a replay returns.
    fn replayed(stored: Self::Stored) -> R;

    /// Whether some results are never recorded, so a call may miss after a recording run.
    const SKIPS_ERRORS: bool = false;
}

/// A plain value: recorded whole.
pub struct Plain;

impl<T> Shape<T> for Plain {
    type Stored = T;

    fn stored(returned: &T) -> Option<&T> {
        Some(returned)
    }

    fn replayed(stored: T) -> T {
        stored
    }
}

/// A `Result`: `Ok` is recorded; an `Err` reaches the caller and is never recorded, so a
/// transient failure is never committed.
pub struct Fallible;

impl<T, E> Shape<Result<T, E>> for Fallible {
    type Stored = T;

    const SKIPS_ERRORS: bool = true;

    fn stored(returned: &Result<T, E>) -> Option<&T> {
        returned.as_ref().ok()
    }

    fn replayed(stored: T) -> Result<T, E> {
        Ok(stored)
    }
}

/// Picks the [`Shape`] of a return or item type `R` by the type itself, aliases seen
/// through: `Result`s are [`Fallible`], every other type is [`Plain`].
///
/// Autoref specialization: the expansion calls `(&ShapeOf::<R>::NEW).shape()` with both
/// traits in scope. Method lookup tries the receiver's own type `&ShapeOf<R>` first, where
/// only results have a `shape` ([`PickFallible`]), then `&&ShapeOf<R>`, where every type
/// has one ([`PickPlain`]).
pub struct ShapeOf<R>(PhantomData<fn() -> R>);

impl<R> ShapeOf<R> {
    /// The picker for `R`.
    pub const NEW: Self = ShapeOf(PhantomData);
}

/// The shape of results; see [`ShapeOf`].
pub trait PickFallible {
    /// [`Fallible`].
    fn shape(&self) -> Fallible {
        Fallible
    }
}

impl<T, E> PickFallible for ShapeOf<Result<T, E>> {}

/// The shape of every other type; see [`ShapeOf`].
pub trait PickPlain {
    /// [`Plain`].
    fn shape(&self) -> Plain {
        Plain
    }
}

impl<R> PickPlain for &ShapeOf<R> {}

#[cfg(test)]
mod tests {
    use super::{Fallible, PickFallible, PickPlain, Plain, ShapeOf};
    use std::any::Any;

    type Answer = Result<String, std::io::Error>;

    fn is<Expected: Any>(shape: impl Any) -> bool {
        (&shape as &dyn Any).is::<Expected>()
    }

    #[test]
    // The borrow is the point: it is what makes plain types fall through to `PickPlain`.
    #[allow(clippy::needless_borrow)]
    fn results_are_fallible_through_aliases_and_everything_else_is_plain() {
        assert!(is::<Fallible>(
            (&ShapeOf::<Result<u8, String>>::NEW).shape()
        ));
        assert!(is::<Fallible>((&ShapeOf::<Answer>::NEW).shape()));
        assert!(is::<Fallible>(
            (&ShapeOf::<std::io::Result<u8>>::NEW).shape()
        ));
        assert!(is::<Plain>((&ShapeOf::<Option<u8>>::NEW).shape()));
        assert!(is::<Plain>((&ShapeOf::<String>::NEW).shape()));
    }
}
