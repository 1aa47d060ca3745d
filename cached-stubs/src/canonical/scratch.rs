//! The buffers of finished maps, kept for the next ones: a list of structs would otherwise
//! grow a new buffer, reallocation after reallocation, for each of them.

use super::map::Entry;
use std::cell::RefCell;

thread_local! {
    static FREE: RefCell<Vec<(Vec<u8>, Vec<Entry>)>> = const { RefCell::new(Vec::new()) };
}

/// A cleared buffer and entry list, reused if one is free.
pub(super) fn take() -> (Vec<u8>, Vec<Entry>) {
    FREE.with_borrow_mut(Vec::pop).unwrap_or_default()
}

/// Keeps a few buffers, none larger than 64 KiB.
pub(super) fn give(mut buffer: Vec<u8>, mut entries: Vec<Entry>) {
    if buffer.capacity() > 1 << 16 {
        return;
    }
    buffer.clear();
    entries.clear();
    FREE.with_borrow_mut(|free| {
        if free.len() < 16 {
            free.push((buffer, entries));
        }
    });
}
