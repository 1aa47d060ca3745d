//! Locking the crate's mutexes, whatever a panicking holder left: a panic inside an annotated
//! function must not fail every later call of the process. The data behind each of them is
//! whole between any two statements.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, poisoned or not.
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
