//! Return shapes: which part of a returned value a stub stores, and how it is given back.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// How a function's return type `R` maps to what its stub stores.
pub trait Shape<R> {
    /// What the stub's `output` holds.
    type Stored: Serialize + DeserializeOwned;

    /// The part of a real result to record, or `None` when it must not be recorded.
    fn stored(returned: &R) -> Option<&Self::Stored>;

    /// The result a replay returns.
    fn replayed(stored: Self::Stored) -> R;

    /// Whether some results are never recorded, so a call may miss after a recording run.
    const SKIPS_ERRORS: bool = false;
}

/// A plain value: recorded whole.
pub struct Plain;

impl<T: Serialize + DeserializeOwned> Shape<T> for Plain {
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

impl<T: Serialize + DeserializeOwned, E> Shape<Result<T, E>> for Fallible {
    type Stored = T;

    const SKIPS_ERRORS: bool = true;

    fn stored(returned: &Result<T, E>) -> Option<&T> {
        returned.as_ref().ok()
    }

    fn replayed(stored: T) -> Result<T, E> {
        Ok(stored)
    }
}
