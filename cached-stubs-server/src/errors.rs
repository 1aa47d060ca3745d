//! The server's own answers, shaped as OpenAI's errors are, so that a client shows them as it
//! shows any API error: `{"error": {"message": ..., "type": ..., "param": null, "code": null}}`.
//! Each is said on stderr too, word for word.
//!
//! Messages name a request as [`crate::request::said`] does: its query by its names only.

use crate::http::{Body, full};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::json;
use std::time::Duration;

/// A replay found no stub for the request (404).
pub const MISS: &str = "cached_stubs_miss";
/// The request can't be keyed: its body is not JSON, or too large, or its path can't name a
/// stub folder (400).
pub const INVALID_REQUEST: &str = "cached_stubs_invalid_request";
/// The request's stub can't be read (500): it is never taken for a missing one.
pub const UNREADABLE_STUB: &str = "cached_stubs_unreadable_stub";
/// The upstream can't be reached, broke off its answer, or was not given (502); or sent no
/// answer's headers in time (504).
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

/// The error answer of `kind` saying `message`, which is said on stderr too.
pub fn reported(status: StatusCode, kind: &str, message: String) -> Response<Body> {
    eprintln!("{message}");
    error(status, kind, &message)
}

/// The 500 answer to a request whose stub `file` can't be read, for `why`.
pub fn unreadable_stub(said: &str, file: &str, why: &str) -> Response<Body> {
    let message = format!(
        "cached-stubs-server: can't replay {said}: its stub can't be read\n  file:  {file}\n  \
         error: {why}\nThe file was left as it is and the upstream was not contacted. Fix the \
         file, or delete it and record it again."
    );
    reported(StatusCode::INTERNAL_SERVER_ERROR, UNREADABLE_STUB, message)
}

/// Why a request could not be forwarded, or its answer's headers not received.
#[derive(Debug)]
pub enum UpstreamFailed {
    /// No `--upstream` was given to a server that forwards.
    NotGiven,
    /// It can't be reached, or its answer is no HTTP.
    Unreachable(String),
    /// It sent no answer's headers within this long.
    TimedOut(Duration),
}

/// The answer when `said` could not be forwarded: a 504 when the upstream was too slow to
/// answer, else a 502.
pub fn upstream_failed(said: &str, failed: &UpstreamFailed) -> Response<Body> {
    let (status, why) = match failed {
        UpstreamFailed::NotGiven => (
            StatusCode::BAD_GATEWAY,
            "the server was started without --upstream URL".to_string(),
        ),
        UpstreamFailed::Unreachable(error) => (StatusCode::BAD_GATEWAY, error.clone()),
        UpstreamFailed::TimedOut(waited) => (
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "it sent no answer's headers within {} s, and was given up on",
                waited.as_secs_f64()
            ),
        ),
    };
    let message = format!("cached-stubs-server: can't forward {said} to the upstream: {why}");
    reported(status, UPSTREAM, message)
}

/// The 502 answer when the upstream's answer to `said` broke off before its end.
pub fn upstream_broke_off(said: &str, error: &hyper::Error) -> Response<Body> {
    let message =
        format!("cached-stubs-server: the upstream's answer to {said} broke off: {error}");
    reported(StatusCode::BAD_GATEWAY, UPSTREAM, message)
}

#[cfg(test)]
mod tests {
    use super::{UpstreamFailed, upstream_failed};
    use std::time::Duration;

    #[test]
    fn an_upstream_too_slow_to_answer_is_a_504_and_one_out_of_reach_a_502() {
        let timed_out = UpstreamFailed::TimedOut(Duration::from_secs(300));
        assert_eq!(upstream_failed("POST /v1/x", &timed_out).status(), 504);
        let refused = UpstreamFailed::Unreachable("connection refused".into());
        assert_eq!(upstream_failed("POST /v1/x", &refused).status(), 502);
        let not_given = UpstreamFailed::NotGiven;
        assert_eq!(upstream_failed("POST /v1/x", &not_given).status(), 502);
    }
}
