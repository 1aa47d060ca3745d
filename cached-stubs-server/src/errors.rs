//! The server's own answers, shaped as OpenAI's errors are, so that a client shows them as it
//! shows any API error: `{"error": {"message": ..., "type": ..., "param": null, "code": null}}`.

use crate::http::{Body, full};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::json;

/// A replay found no stub for the request (404).
pub const MISS: &str = "cached_stubs_miss";
/// The request can't be keyed: its body is not JSON, or too large (400).
pub const INVALID_REQUEST: &str = "cached_stubs_invalid_request";
/// The request's stub can't be read (500): it is never taken for a missing one.
pub const UNREADABLE_STUB: &str = "cached_stubs_unreadable_stub";
/// The upstream can't be reached, or was not given (502).
pub const UPSTREAM: &str = "cached_stubs_upstream";

/// An error answer of `kind`, saying `message`.
pub fn error(status: StatusCode, kind: &str, message: &str) -> Response<Body> {
    let body = json!({
        "error": {"message": message, "type": kind, "param": null, "code": null}
    });
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
