//! `cached-stubs-server`: records and replays any JSON-over-HTTP API (OpenAI-compatible
//! first) as cached-stubs' stub files, with the `RECORD` modes of the library. See the
//! README's "A working API for the whole team".
//!
//! The binary is the product; this library holds its parts, public for its benchmark (whose
//! floor server serves through [`http::serve`] too) and tests. Not a stable API.
//!
//! - [`options`]: the command line;
//! - [`http`]: serving HTTP/1.1, shutting down gracefully;
//! - [`server`]: the answer to each request, by mode;
//! - `request`: what was asked, read as its stub keys it;
//! - `layout`: the folder and function a request is filed under;
//! - `kept`: the answers replayed so far, kept for the requests that come again;
//! - `replay`: a stub's answer, made ready and sent as recorded;
//! - `record`: forwarding, single flight, and recording a JSON answer;
//! - `tee`: a stream passed on to the client and recorded on its way;
//! - `stub`: what a recording writes;
//! - `sse`: server-sent events cut into items and written back;
//! - `upstream`: the API forwarded to;
//! - `errors`: the server's own answers, shaped as OpenAI's errors.

mod errors;
pub mod http;
mod kept;
mod layout;
pub mod options;
mod record;
mod replay;
mod request;
pub mod server;
mod sse;
mod stub;
mod tee;
mod upstream;

pub use request::MAX_REQUEST_BYTES;
