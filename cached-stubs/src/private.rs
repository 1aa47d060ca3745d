//! The seam between `#[cached_stub]`'s expansion and this crate: what the generated code
//! calls, and the traits its bounds name in compile errors. Nothing else: not public API; it
//! changes with the macro, which is why the two crates are pinned to the same version.

pub use crate::args::{StubArg, arg};
pub use crate::call::{Call, Lookup, Run, Step, lookup, lookup_items};
pub use crate::depends::{HashedOnce, StubDependency, depend, depend_once};
pub use crate::site::{Definition, Site};
pub use crate::stored::{PickOkOnly, PickPart, PickWhole, Recordable, ResultWithErr, err_too};
pub use crate::stream::StubbedItems;
pub use futures_core::Stream;
