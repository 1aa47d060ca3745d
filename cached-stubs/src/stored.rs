//! Which part of a returned value a stub stores, and how a replay gives it back: all of it,
//! or only the `Ok` of a `Result`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;

/// What a stub can hold: a type that serializes and deserializes. The record/replay entry
/// points require it of their [`StoredPart::Stored`], so that a return type that can't be
/// recorded is reported in these words, at the return type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` can't be recorded in a stub: it must implement `serde::Serialize` and `serde::Deserialize`",
    label = "what the function returns is recorded",
    note = "derive `Serialize` and `Deserialize` for it; for a `Result`, only its `Ok` type needs them, and its `Err` type too with `record_err`",
    note = "a stream or an iterator of a named type needs `#[cached_stub(stream)]` or `#[cached_stub(iter)]`"
)]
pub trait Recordable: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> Recordable for T {}

/// The part of a returned `R` that a stub stores, and how a replay makes an `R` of it.
pub trait StoredPart<R> {
    /// What the stub's `output` holds; the entry points require it to be [`Recordable`].
    type Stored;

    /// The part of a real result to record, or `None` when it must not be recorded.
    fn stored(returned: &R) -> Option<&Self::Stored>;

    /// The result a replay returns.
    fn replayed(stored: Self::Stored) -> R;

    /// Whether some results are never recorded, so a call may miss after a recording run.
    const SKIPS_ERRORS: bool = false;
}

/// A value recorded whole.
pub struct Whole;

impl<T> StoredPart<T> for Whole {
    type Stored = T;

    fn stored(returned: &T) -> Option<&T> {
        Some(returned)
    }

    fn replayed(stored: T) -> T {
        stored
    }
}

/// Of a `Result`, its `Ok`: an `Err` reaches the caller and is never recorded, so a
/// transient failure is never committed.
pub struct OkOnly;

impl<T, E> StoredPart<Result<T, E>> for OkOnly {
    type Stored = T;

    const SKIPS_ERRORS: bool = true;

    fn stored(returned: &Result<T, E>) -> Option<&T> {
        returned.as_ref().ok()
    }

    fn replayed(stored: T) -> Result<T, E> {
        Ok(stored)
    }
}

/// The part stored of a `Result` recorded with `record_err`: the whole of it, `Err` too, as
/// `{"Ok": ..}` or `{"Err": ..}`.
pub fn err_too<R: ResultWithErr>() -> Whole {
    Whole
}

/// A `Result`, whose `Err` `record_err` records.
#[diagnostic::on_unimplemented(
    message = "`record_err` records the `Err` of a `Result`, and `{Self}` is not one",
    label = "the function returns this",
    note = "leave `record_err` out, or return a `Result`"
)]
pub trait ResultWithErr {}

impl<T, E> ResultWithErr for Result<T, E> {}

/// Picks the [`StoredPart`] of a return or item type `R` by the type itself, aliases seen
/// through: of a `Result`, [`OkOnly`]; of every other type, [`Whole`].
///
/// Autoref specialization: the expansion calls `(&PickPart::<R>::NEW).part()` with both
/// traits in scope. Method lookup tries the receiver's own type `&PickPart<R>` first, where
/// only results have a `part` ([`PickOkOnly`]), then `&&PickPart<R>`, where every type
/// has one ([`PickWhole`]).
pub struct PickPart<R>(PhantomData<fn() -> R>);

impl<R> PickPart<R> {
    /// The picker for `R`.
    pub const NEW: Self = PickPart(PhantomData);
}

/// The part stored of results; see [`PickPart`].
pub trait PickOkOnly {
    /// [`OkOnly`].
    fn part(&self) -> OkOnly {
        OkOnly
    }
}

impl<T, E> PickOkOnly for PickPart<Result<T, E>> {}

/// The part stored of every other type; see [`PickPart`].
pub trait PickWhole {
    /// [`Whole`].
    fn part(&self) -> Whole {
        Whole
    }
}

impl<R> PickWhole for &PickPart<R> {}

#[cfg(test)]
mod tests {
    use super::{OkOnly, PickOkOnly, PickPart, PickWhole, Whole};
    use std::any::Any;

    type Answer = Result<String, std::io::Error>;

    fn is<Expected: Any>(part: impl Any) -> bool {
        (&part as &dyn Any).is::<Expected>()
    }

    #[test]
    // The borrow is the point: it is what makes other types fall through to `PickWhole`.
    #[allow(clippy::needless_borrow)]
    fn results_store_their_ok_through_aliases_and_everything_else_is_whole() {
        assert!(is::<OkOnly>((&PickPart::<Result<u8, String>>::NEW).part()));
        assert!(is::<OkOnly>((&PickPart::<Answer>::NEW).part()));
        assert!(is::<OkOnly>((&PickPart::<std::io::Result<u8>>::NEW).part()));
        assert!(is::<Whole>((&PickPart::<Option<u8>>::NEW).part()));
        assert!(is::<Whole>((&PickPart::<String>::NEW).part()));
    }
}
