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
//! `record-replay` feature, enabled in `[dev-dependencies]`; without it the function is
//! compiled exactly as written, and nothing of the recorder is built.

#![warn(missing_docs)]

// Everything but `Mode` is the record/replay machinery: built only with the feature.
#[cfg(feature = "record-replay")]
mod args;
#[cfg(feature = "record-replay")]
mod call;
#[cfg(feature = "record-replay")]
mod canonical;
#[cfg(feature = "record-replay")]
mod crate_dir;
#[cfg(feature = "record-replay")]
mod depends;
mod env;
#[cfg(feature = "record-replay")]
mod failure;
#[cfg(feature = "record-replay")]
mod identity;
#[cfg(feature = "record-replay")]
mod key;
#[cfg(feature = "record-replay")]
mod lock;
#[cfg(feature = "record-replay")]
mod migrate;
mod mode;
#[cfg(feature = "record-replay")]
mod nearest;
#[cfg(feature = "record-replay")]
mod record;
#[cfg(feature = "record-replay")]
mod report;
#[cfg(feature = "_server")]
mod request_stub;
mod scope;
#[cfg(feature = "record-replay")]
mod secrets;
#[cfg(feature = "record-replay")]
mod sequence;
#[cfg(feature = "record-replay")]
mod single_flight;
#[cfg(feature = "record-replay")]
mod site;
#[cfg(feature = "record-replay")]
mod slot;
#[cfg(feature = "record-replay")]
mod store;
#[cfg(feature = "record-replay")]
mod stored;
#[cfg(feature = "record-replay")]
mod stream;
#[cfg(feature = "record-replay")]
mod stub_file;
#[cfg(feature = "record-replay")]
mod timing;
#[cfg(feature = "record-replay")]
mod usage;

#[cfg(feature = "record-replay")]
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "_cargo-stubs")]
#[doc(hidden)]
#[path = "hooks/cargo_stubs.rs"]
pub mod __cargo_stubs;

#[cfg(feature = "_bench")]
#[doc(hidden)]
#[path = "hooks/bench.rs"]
pub mod __bench;

#[cfg(feature = "_server")]
#[doc(hidden)]
#[path = "hooks/server.rs"]
pub mod __server;

#[cfg(all(fuzzing, feature = "record-replay"))]
#[doc(hidden)]
#[path = "hooks/fuzz.rs"]
pub mod __fuzz;

pub use mode::Mode;
pub use scope::{Scoped, scope, scope_fn};

/// Records a function's result on the first call and replays it afterwards.
///
/// The key of a call is a blake3 hash of its arguments' names and values (every argument,
/// `self` included, unless listed in `skip(...)` or bound to `_`, and the generic
/// parameters, and `Self` where the instance of a method isn't told by its type's name);
/// the stub also stores a hash of the function's tokens and of what it depends on, so
/// editing either makes its stubs stale.
///
/// Options:
/// - `skip(a, b)`: arguments left out of the key and out of the file (clients, loggers).
/// - `depends(EXPR, ...)`: values the answer depends on besides the function's tokens (see
///   below).
/// - `sequence`: identical calls are recorded in order, an answer per call and per test,
///   and replayed in that order (see below).
/// - `record_err`: a returned `Result` is recorded whole, its `Err` too.
/// - `name = "..."`: the function's name for its stubs (folder and `function` field),
///   instead of its own; ASCII letters, digits, `_`, `-` and `.`, at most 200 bytes.
/// - `dir = "..."`: the stub root, relative to the crate's manifest dir, instead of `stubs`;
///   it must stay inside that folder.
/// - `stream`, `iter`: the return type is a named stream or iterator type (see below).
/// - `allow_secret("path", ...)`: values of the stub that are no secrets, though shaped like
///   some (see below).
///
/// # Dependencies
///
/// A prompt in a `const`, a model name in a `static`, instructions another function builds:
/// `depends(...)` names them, and a stub recorded with other values is stale, as one of an
/// edited function is. Each must serialize; each is hashed (once per process for a literal,
/// an included file or an upper-case path, else at each call) into the stub's `depends`.
/// `include_str!` and `include_bytes!` in the body count by themselves, by the file's
/// content.
///
/// ```
/// use cached_stubs::cached_stub;
///
/// const SYSTEM_PROMPT: &str = "You are terse.";
///
/// fn instructions() -> String {
///     "Answer in one word.".to_string()
/// }
///
/// #[cached_stub(depends(SYSTEM_PROMPT, instructions(), "v2"))]
/// fn ask(question: &str) -> String {
///     format!("{SYSTEM_PROMPT} {} {question}", instructions())
/// }
/// ```
///
/// # Values and results
///
/// A value is recorded whole. A `Result` (under any name: aliases such as `io::Result<T>`
/// are recognised by their type) records only `Ok`; an `Err` is returned and never written.
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
///
/// # Calls that answer differently: `sequence` and `record_err`
///
/// A job polled until it is done, a request retried until it succeeds: with `sequence`,
/// identical calls keep an answer each, in order, in a stub per test (the test's name is
/// part of the key). With `record_err`, an `Err` is recorded too, so that a retry replays
/// its failure and then its answer. A call on a thread of no test runs in a [`scope`].
///
/// ```
/// use cached_stubs::cached_stub;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, Serialize, Deserialize)]
/// enum FetchError { RateLimited }
///
/// struct Client;
///
/// #[cached_stub(skip(client), sequence)]
/// fn job_status(client: &Client, job_id: u32) -> String {
///     let _ = client;
///     format!("job {job_id}: pending")
/// }
///
/// #[cached_stub(skip(client), sequence, record_err)]
/// fn fetch(client: &Client, url: &str) -> Result<String, FetchError> {
///     let _ = client;
///     Err(FetchError::RateLimited)
/// }
/// ```
///
/// # Methods
///
/// `self` is part of the key like any argument, so a method of a serializable value keys on
/// it; `skip(self)` leaves out a client. A method's stubs are filed under its type
/// (`stubs/app/Persona/greet/`), so methods of one name in two types don't meet. A replay
/// returns the recorded result only: what the body would have done through `&mut self`
/// doesn't happen.
///
/// ```
/// use cached_stubs::cached_stub;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Persona { name: String }
///
/// struct Client { api_key: String }
///
/// impl Persona {
///     #[cached_stub]
///     fn greet(&self, guest: &str) -> String {
///         format!("{} greets {guest}", self.name)
///     }
/// }
///
/// impl Client {
///     #[cached_stub(skip(self))]
///     async fn complete(&mut self, prompt: &str) -> Result<String, String> {
///         Ok(format!("{prompt} ({} bytes of key)", self.api_key.len()))
///     }
/// }
/// ```
///
/// In trait impls, native `async fn` works as written. With `#[async_trait]`, put it on the
/// impl and `#[cached_stub]` on the method: async-trait rewrites the method first, into one
/// returning a boxed future, which is then recorded as that future's output.
///
/// ```
/// use async_trait::async_trait;
/// use cached_stubs::cached_stub;
///
/// #[async_trait]
/// trait Model: Send + Sync {
///     async fn complete(&self, prompt: &str) -> Result<String, String>;
/// }
///
/// struct Echo;
///
/// #[async_trait]
/// impl Model for Echo {
///     #[cached_stub(skip(self))]
///     async fn complete(&self, prompt: &str) -> Result<String, String> {
///         Ok(prompt.to_uppercase())
///     }
/// }
/// ```
///
/// # Futures
///
/// `fn -> impl Future<Output = T>` (and `Pin<Box<dyn Future<Output = T>>>`) records `T`.
/// As in the original, the call happens when the function is called: the call is looked up
/// and, unless its stub replays, the body runs and makes the real future. Awaiting gives
/// the replayed output, or the real one, recorded. The returned future borrows only what
/// the body's future does, so a `+ 'static` one can be spawned.
///
/// ```
/// use cached_stubs::cached_stub;
/// use std::future::Future;
///
/// #[cached_stub]
/// fn doubled_later(value: u32) -> impl Future<Output = u32> + Send {
///     async move { value * 2 }
/// }
/// ```
///
/// # Arguments
///
/// Any serializable argument, owned or borrowed. An argument bound by a pattern is hashed
/// whole, named by its position (`#1`, `#2`, …); name it to `skip` it. An argument bound to
/// `_` is left out. `impl AsRef<X>` is hashed as the `X` it refers to; any other
/// `impl Trait` argument by its value, which the record/replay version bounds by
/// `Serialize`, so callers pass serializable values. A generic function's type parameters
/// are part of the key by their names, and so is `Self` in a generic `impl`, whose
/// instances share one folder.
///
/// ```
/// use cached_stubs::cached_stub;
///
/// #[cached_stub]
/// fn span_length((start, end): (u32, u32), _: &str) -> u32 {
///     end - start
/// }
///
/// #[cached_stub]
/// fn shout(text: impl AsRef<str>, suffix: impl Into<String>) -> String {
///     text.as_ref().to_uppercase() + &suffix.into()
/// }
///
/// #[cached_stub]
/// fn parse<T: std::str::FromStr + serde::Serialize + serde::de::DeserializeOwned>(text: &str) -> Option<T> {
///     text.parse().ok()
/// }
/// ```
///
/// # Streams and iterators
///
/// Recorded item by item as they reach the caller, written when the sequence ends, and
/// replayed one item at a time as the declared type. Items that are `Result`s record their
/// `Ok`s; an `Err` item reaches the caller and the stub is not written, nor is it for a
/// sequence dropped early. `impl Stream<Item = T>` and `impl Iterator<Item = T>` are found
/// without options:
///
/// ```
/// use cached_stubs::cached_stub;
/// use futures::stream::{self, Stream};
///
/// #[cached_stub]
/// fn tokens(text: &str) -> impl Stream<Item = String> {
///     stream::iter(text.split_inclusive(' ').map(str::to_string).collect::<Vec<_>>())
/// }
///
/// #[cached_stub]
/// fn countdown(from: u32) -> impl Iterator<Item = u32> {
///     (1..=from).rev()
/// }
/// ```
///
/// A named type says what it is with `stream` or `iter`; it must be a boxed trait object
/// (`Pin<Box<dyn Stream<..>>>`, `BoxStream`, `Box<dyn Iterator<..>>`), which the replayed or
/// recorded sequence is boxed into:
///
/// ```
/// use cached_stubs::cached_stub;
/// use futures::stream::{self, BoxStream, Stream, StreamExt};
/// use std::pin::Pin;
///
/// #[cached_stub(stream)]
/// fn boxed(text: &str) -> BoxStream<'static, String> {
///     stream::iter(vec![text.to_uppercase()]).boxed()
/// }
///
/// #[cached_stub(stream)]
/// fn checked<'a>(text: &'a str) -> Pin<Box<dyn Stream<Item = std::io::Result<String>> + Send + 'a>> {
///     Box::pin(stream::iter(text.lines().map(|line| Ok(line.to_string()))))
/// }
///
/// #[cached_stub(iter)]
/// fn squares(count: u32) -> Box<dyn Iterator<Item = u32>> {
///     Box::new((1..=count).map(|n| n * n))
/// }
/// ```
///
/// A stream may also be the `Ok` of an async `Result`, as async-openai's `create_stream`
/// returns it:
///
/// ```
/// use cached_stubs::cached_stub;
/// use futures::stream::{self, BoxStream, StreamExt};
///
/// #[cached_stub(stream)]
/// async fn create_stream(prompt: &str) -> std::io::Result<BoxStream<'static, std::io::Result<String>>> {
///     Ok(stream::iter([Ok(format!("You asked: {prompt}"))]).boxed())
/// }
/// ```
///
/// # Secrets
///
/// Before a stub is written, its arguments and its output (or items) are scanned for the
/// values of the recording process's environment variables whose names hold `KEY`, `TOKEN`,
/// `SECRET`, `PASSWORD`, `PASSWD`, `CREDENTIAL` or `AUTH`, and for strings shaped like
/// well-known credentials (`sk-…`, `ghp_…`, `AKIA…`, `Bearer …`, PEM private keys, …). One
/// found writes nothing, and the call panics naming the JSON path (`args.config.api_key`,
/// `output.choices[0].message.content`, `items[3].delta`) and the rule, never the value.
///
/// A value that is no secret, only shaped like one, is allowed for one function by its path,
/// as the panic names it; `[*]` stands for any index. The paths are written in the stubs
/// (`"allow_secret"`), for reviewers and for `cargo stubs check`.
///
/// ```
/// use cached_stubs::cached_stub;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Snippet { language: String, code: String }
///
/// /// Code samples for an API's documentation, whose placeholder keys look real on purpose.
/// #[cached_stub(allow_secret("output[*].code"))]
/// fn samples(topic: &str) -> Vec<Snippet> {
///     let code = format!("curl https://api.example.com/{topic}");
///     vec![Snippet { language: "sh".into(), code }]
/// }
/// ```
#[doc(inline)]
pub use cached_stubs_macros::cached_stub;
