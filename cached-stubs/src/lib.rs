//! Record a function's real result once, commit it as readable JSON, and replay it in every
//! later test run: tests of LLM-calling code become fast, free, offline and deterministic.
//!
//! ```
//! use cached_stubs::cached_stub;
//!
//! #[cached_stub]
//! fn capital(country: &str) -> String {
//!     // A slow, paid, networked call in real life.
//!     format!("The capital of {country} is …")
//! }
//! ```
//!
//! `RECORD=1 cargo test` calls the real function for every call without a stub and writes
//! `stubs/<module path>/capital/<key>.json`; a plain `cargo test` replays those files, and
//! a call without a stub fails with the command that records it. See [`Mode`] for every
//! value of `RECORD`, and the README for the file layout and how activation works: with the
//! `record-replay` feature (enabled in `[dev-dependencies]`) or under `cfg(test)` of the
//! crate that defines the function; otherwise the function is compiled exactly as written.

#![warn(missing_docs)]

mod args;
mod call;
mod canonical;
mod key;
mod message;
mod mode;
mod nearest;
mod shape;
mod site;
mod store;
mod stub_file;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use mode::Mode;

/// Records a function's result on the first call and replays it afterwards.
///
/// The key of a call is a blake3 hash of its arguments' names and values (every argument,
/// `self` included, unless listed in `skip(...)`); the stub also stores a hash of the
/// function's tokens, so editing the function makes its stubs stale.
///
/// Options:
/// - `skip(a, b)`: arguments left out of the key and out of the file (clients, loggers).
/// - `name = "..."`: the stub folder's name, instead of the function's.
/// - `dir = "..."`: the stub root, relative to the crate's manifest dir, instead of `stubs`.
///
/// A function returning `Result<T, E>` records only `Ok`; an `Err` is returned and never
/// written.
///
/// ```
/// use cached_stubs::cached_stub;
///
/// struct Client;
///
/// #[cached_stub(skip(client), name = "ask")]
/// async fn answer(client: &Client, prompt: &str, temperature: f32) -> Result<String, String> {
///     let _ = (client, temperature);
///     Ok(format!("An answer to {prompt}"))
/// }
/// ```
#[doc(inline)]
pub use cached_stubs_macros::cached_stub;
