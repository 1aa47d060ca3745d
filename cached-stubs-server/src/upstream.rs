//! The upstream API: requests forwarded with their headers (but those of this hop), answers
//! taken back with theirs. HTTP/1.1 by hyper, TLS by rustls with ring and the platform's
//! certificates. An upstream that sends no answer's headers within [`HEADERS_WITHIN`] is
//! given up on (a 504), so that a hung one holds no request, nor those waiting for it,
//! forever; a stream's body may take as long as it takes.

use crate::errors::UpstreamFailed;
use crate::http::Body;
use hyper::body::Incoming;
use hyper::header::{self, HeaderName};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Request, Response, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// Headers that belong to one hop, not to the request or answer: never forwarded.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    HeaderName::from_static("keep-alive"),
];

/// How long the upstream may take to send an answer's headers: 5 minutes, longer than a
/// model's slowest answer that is not streamed.
pub const HEADERS_WITHIN: Duration = Duration::from_secs(300);

/// The API requests are forwarded to.
pub struct Upstream {
    client: Client<HttpsConnector<HttpConnector>, Body>,
    /// Its URL, without a trailing `/`: a request for `/PATH` goes to `base/PATH`.
    base: String,
    /// How long it may take to send an answer's headers.
    headers_within: Duration,
}

impl Upstream {
    /// The upstream at `url` (`http://` or `https://`).
    pub fn new(url: &str) -> Result<Upstream, String> {
        let parsed: Uri = url.parse().map_err(|error| format!("{url}: {error}"))?;
        let scheme = parsed.scheme_str().unwrap_or_default();
        if !matches!(scheme, "http" | "https") || parsed.query().is_some() {
            return Err(format!(
                "--upstream {url}: give an http:// or https:// URL without a query, such as \
                 https://api.openai.com/v1"
            ));
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(Duration::from_secs(30)));
        http.set_nodelay(true);
        let https = HttpsConnectorBuilder::new()
            .with_provider_and_platform_verifier(rustls::crypto::ring::default_provider())
            .map_err(|error| format!("can't set up TLS: {error}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        Ok(Upstream {
            client: Client::builder(TokioExecutor::new()).build(https),
            base: url.trim_end_matches('/').to_string(),
            headers_within: HEADERS_WITHIN,
        })
    }

    /// Sends the request of `parts`, with `body`, to the upstream: the same method, path,
    /// query and headers, but this hop's and those the answer is shaped by here (`Host`,
    /// `Content-Length`, `Accept-Encoding`: answers are read uncompressed).
    pub async fn send(
        &self,
        parts: &Parts,
        body: Body,
    ) -> Result<Response<Incoming>, UpstreamFailed> {
        let path = crate::request::path_and_query(&parts.uri);
        let uri: Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|error| UpstreamFailed::Unreachable(format!("{error}")))?;
        let mut request = Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        *headers = without_hop_headers(&parts.headers);
        for name in [header::HOST, header::ACCEPT_ENCODING] {
            headers.remove(name);
        }
        let answer = tokio::time::timeout(self.headers_within, self.client.request(request));
        let Ok(answer) = answer.await else {
            return Err(UpstreamFailed::TimedOut(self.headers_within));
        };
        answer.map_err(|error| {
            UpstreamFailed::Unreachable(match std::error::Error::source(&error) {
                Some(source) => format!("{error}: {source}"),
                None => error.to_string(),
            })
        })
    }
}

/// `headers` without those of this hop, nor `Content-Length`, which is set anew.
pub fn without_hop_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    for name in HOP_BY_HOP.iter().chain([&header::CONTENT_LENGTH]) {
        kept.remove(name);
    }
    // Those the `Connection` header names belong to this hop too.
    for named in headers.get_all(header::CONNECTION) {
        for name in named.to_str().unwrap_or_default().split(',') {
            kept.remove(name.trim());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::Upstream;
    use crate::errors::UpstreamFailed;
    use crate::http::full;
    use std::time::Duration;

    #[tokio::test]
    async fn an_upstream_that_sends_no_headers_in_time_is_given_up_on() {
        // Accepts, reads nothing, answers nothing.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let (connection, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(connection);
        });
        let mut upstream = Upstream::new(&url).unwrap();
        upstream.headers_within = Duration::from_millis(200);
        let (parts, ()) = hyper::Request::post("/v1/x").body(()).unwrap().into_parts();
        let sent = upstream.send(&parts, full("{}")).await;
        assert!(
            matches!(sent, Err(UpstreamFailed::TimedOut(waited)) if waited == Duration::from_millis(200)),
            "{sent:?}"
        );
        held.abort();
    }
}
