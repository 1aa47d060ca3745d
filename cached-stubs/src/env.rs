//! Reading cached-stubs' environment variables: each is read once per process by the module
//! it configures, and an empty value is the same as an unset one for all of them, so that
//! `VAR= cargo test` turns a setting off.

use std::ffi::OsString;
#[cfg(feature = "record-replay")]
use std::path::PathBuf;

/// The value of the variable `name`, or `None` when it is unset or empty.
pub(crate) fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|value| !value.is_empty())
}

/// The folder the user ran cargo from. Cargo runs a test binary in its package's folder,
/// but leaves the shell's `PWD` as it was; without a `PWD` that names a folder, the current
/// one.
#[cfg(feature = "record-replay")]
pub(crate) fn invocation_dir() -> Option<PathBuf> {
    let pwd = var("PWD")
        .map(PathBuf::from)
        .filter(|pwd| pwd.is_absolute() && pwd.is_dir());
    pwd.or_else(|| std::env::current_dir().ok())
}
