//! What a client asked for, read as its stub keys it: the method, the path with its query,
//! and the body, which must be JSON (or empty) and at most [`MAX_REQUEST_BYTES`].

use crate::errors::{self, INVALID_REQUEST};
use crate::http::Body;
use crate::kept::Raw;
use crate::layout::{self, Place};
use bytes::Bytes;
use cached_stubs::__server::Request as StubRequest;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode, Uri};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The largest request body the server reads: 16 MiB.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// A request, read whole, with where its stub is.
pub struct Asked {
    /// Its method, URI and headers.
    pub parts: Parts,
    /// Its body as it came, to forward.
    pub bytes: Bytes,
    /// Its body as JSON; `null` when empty.
    pub json: Value,
    /// Where its method and path file their stubs.
    pub place: Place,
    /// Its stub file.
    pub file: PathBuf,
}

/// The 400 answer to a request that can't be keyed, saying why.
pub fn invalid(message: String) -> Response<Body> {
    let message = format!("cached-stubs-server: {message}; nothing was forwarded");
    errors::reported(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
}

/// The path and query of `uri`: `/v1/chat/completions?x=1`.
pub fn path_and_query(uri: &Uri) -> &str {
    uri.path_and_query().map_or("/", |path| path.as_str())
}

/// A request as messages say it: `POST /v1/chat/completions`, and its query by the names
/// of its parameters only, `GET /v1beta/models?key=…`, since a key may be one's value.
pub fn said(method: &Method, uri: &Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else {
        return format!("{method} {path}");
    };
    let names: Vec<String> = query
        .split('&')
        .map(|parameter| match parameter.split_once('=') {
            Some((name, _)) => format!("{name}=…"),
            None => parameter.to_string(),
        })
        .collect();
    format!("{method} {path}?{}", names.join("&"))
}

/// Reads the body of `request` whole. `Err` is the 400 answer to one that is too large.
pub async fn receive(request: Request<Incoming>) -> Result<(Parts, Bytes), Response<Body>> {
    let (parts, body) = request.into_parts();
    match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(body) => Ok((parts, body.to_bytes())),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(invalid(format!(
            "the request body is larger than the {} MiB the server reads",
            MAX_REQUEST_BYTES >> 20
        ))),
        Err(error) => Err(invalid(format!("the request body can't be read: {error}"))),
    }
}

impl Asked {
    /// Reads a request received as `parts` and `bytes`, whose stubs are below `dir`. `Err`
    /// says why a body that is no JSON, or a path that can't name a stub folder, can't be
    /// keyed.
    pub fn read(dir: &Path, parts: Parts, bytes: Bytes) -> Result<Asked, String> {
        let json = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|error| {
                format!(
                    "the request body is not JSON ({error}): requests are recorded and \
                     replayed by their JSON body"
                )
            })?
        };
        let place = layout::place(dir, parts.method.as_str(), parts.uri.path())?;
        let mut asked = Asked {
            parts,
            bytes,
            json,
            place,
            file: PathBuf::new(),
        };
        asked.file = asked.place.folder.join(asked.stub_request().file_name());
        Ok(asked)
    }

    /// The path and query asked for.
    pub fn path(&self) -> &str {
        path_and_query(&self.parts.uri)
    }

    /// The request as its stub keys and shows it.
    pub fn stub_request(&self) -> StubRequest<'_> {
        StubRequest {
            method: self.parts.method.as_str(),
            path: self.path(),
            body: &self.json,
        }
    }

    /// The request as it came.
    pub fn raw(&self) -> Raw<'_> {
        Raw::of(&self.parts.method, &self.parts.uri, &self.bytes)
    }

    /// The request as messages say it: see [`said`].
    pub fn said(&self) -> String {
        said(&self.parts.method, &self.parts.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::said;
    use hyper::{Method, Uri};

    #[test]
    fn messages_show_a_query_by_its_names_only() {
        let said = |uri: &str| said(&Method::POST, &uri.parse::<Uri>().unwrap());
        assert_eq!(said("/v1/chat/completions"), "POST /v1/chat/completions");
        assert_eq!(
            said("/v1beta/models/m:generateContent?key=AIzaXYZ&alt=sse&debug"),
            "POST /v1beta/models/m:generateContent?key=…&alt=…&debug"
        );
    }
}
