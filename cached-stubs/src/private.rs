//! The seam between `#[cached_stub]`'s expansion and this crate: what the generated code
//! calls, and the traits its bounds name in compile errors. Nothing else: not public API; it
//! changes with the macro, which is why the two crates are pinned to the same version.

pub use crate::args::{StubArg, arg};
pub use crate::call::{Lookup, Run, Step, lookup, lookup_items};
pub use crate::site::{Definition, Site};
pub use crate::stored::{PickOkOnly, PickPart, PickWhole, Recordable};
pub use crate::stream::StubbedItems;
pub use futures_core::Stream;

/// Chooses between a function as written and its record/replay version. Which one is
/// decided here, by this crate's `record-replay` feature, and not by the user's crate: its
/// `cfg(test)` is invisible to its integration tests, its features are not ours.
#[cfg(feature = "record-replay")]
#[doc(hidden)]
#[macro_export]
macro_rules! __cached_stubs_select {
    (original { $($original:tt)* } stubbed { $($stubbed:tt)* }) => {
        $($stubbed)*
    };
}

/// Without the feature, the record/replay version is still chosen when the user's own crate
/// is compiled for its unit tests (`cfg(test)` is evaluated where this expands).
#[cfg(not(feature = "record-replay"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __cached_stubs_select {
    (original { $($original:tt)* } stubbed { $($stubbed:tt)* }) => {
        #[cfg(not(test))]
        $($original)*
        #[cfg(test)]
        $($stubbed)*
    };
}

pub use crate::__cached_stubs_select as select;
