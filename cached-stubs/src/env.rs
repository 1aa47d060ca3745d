//! Reading cached-stubs' environment variables: each is read once per process by the module
//! it configures, and an empty value is the same as an unset one for all of them, so that
//! `VAR= cargo test` turns a setting off.

use std::ffi::OsString;

/// The value of the variable `name`, or `None` when it is unset or empty.
pub(crate) fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|value| !value.is_empty())
}
