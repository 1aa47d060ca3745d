//! Recording: a request forwarded to the upstream, and its answer written as a stub on its
//! way back to the client. A JSON answer is written before it is sent; a stream of
//! server-sent events is a tee, each event passed on as it comes and the stub written when
//! the upstream ends it, after the client had every event. Answers other than 2xx, and
//! those that are no JSON, are passed on and not recorded.
//!
//! Identical requests at once make one upstream request: the first leads, the others wait
//! for it and replay what it recorded (or, if it recorded nothing, one of them leads).

use crate::errors::{self, UPSTREAM};
use crate::http::{Body, BoxError, full};
use crate::replay::Loaded;
use crate::request::Asked;
use crate::server::Server;
use crate::sse::Parser;
use crate::upstream::without_hop_headers;
use bytes::Bytes;
use cached_stubs::__server::{self, Answer, Http, Leader, Outcome, Request, Role};
use cached_stubs::Mode;
use http_body::{Body as _, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::{Response, StatusCode};
use serde_json::Value;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How long an upstream may take to end its stream once the client is gone, for the stub to
/// be written: the client had every event but the end.
const END_AFTER_CLIENT_LEFT: Duration = Duration::from_secs(2);

/// Answers `asked` by the upstream, recording the answer; or replays the stub an identical
/// request recorded meanwhile.
pub async fn record(server: &Server, asked: Asked) -> Response<Body> {
    loop {
        match __server::join(&asked.file) {
            Role::Leader(leader) => {
                // An identical request may have recorded it since this one looked.
                if server.mode != Mode::RecordAll
                    && let Ok(Loaded::Current(answer)) = server.load(&asked).await
                {
                    return answer.respond(server.timing).await;
                }
                return forward(server, asked, leader).await;
            }
            Role::Follower(flight) => {
                if flight.finished().await == Outcome::Wrote
                    && let Ok(Loaded::Current(answer)) = server.load(&asked).await
                {
                    return answer.respond(server.timing).await;
                }
            }
        }
    }
}

/// Forwards `asked` and records a 2xx answer.
async fn forward(server: &Server, asked: Asked, leader: Leader) -> Response<Body> {
    let Some(upstream) = &server.upstream else {
        unreachable!("a server that records has an upstream");
    };
    let started = Instant::now();
    let answer = match upstream.send(&asked.parts, full(asked.bytes.clone())).await {
        Ok(answer) => answer,
        Err(error) => return unreachable_upstream(&asked.said(), &error),
    };
    let (answer, upstream_body) = answer.into_parts();
    let status = answer.status;
    let headers = without_hop_headers(&answer.headers);
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if !status.is_success() {
        *response.body_mut() = Tee::passing(upstream_body).boxed_unsync();
        return response;
    }
    let timed = server.timing.is_some();
    let stub = Stub {
        file: asked.file.clone(),
        function: asked.place.function.clone(),
        said: asked.said(),
        method: asked.parts.method.to_string(),
        path: asked.path().to_string(),
        json: asked.json,
        http: Http {
            status: status.as_u16(),
            content_type: content_type.clone(),
        },
        leader,
    };
    if is_event_stream(&content_type) {
        let recording = Events {
            stub,
            parser: Parser::default(),
            items: Vec::new(),
            headers_at: Instant::now(),
            elapsed_ms: timed.then(|| __server::ms_since(started)),
            offsets_ms: timed.then(Vec::new),
        };
        *response.body_mut() = Tee {
            prefix: None,
            upstream: Some(upstream_body),
            recording: Some(recording),
            writing: None,
        }
        .boxed_unsync();
        return response;
    }
    match record_value(stub, upstream_body, started, timed).await {
        Ok(body) => *response.body_mut() = body,
        Err(failed) => return failed,
    }
    response
}

/// Reads a JSON answer whole, records it, and gives back its body as it came; an answer
/// larger than a stub may hold is passed on unrecorded. `Err` is the 502 answer to one that
/// broke off.
async fn record_value(
    stub: Stub,
    mut upstream: Incoming,
    started: Instant,
    timed: bool,
) -> Result<Body, Response<Body>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next_data(&mut upstream).await {
        match chunk {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(error) => return Err(upstream_failed(&stub.said, &error)),
        }
        if bytes.len() as u64 > __server::MAX_STUB_BYTES {
            eprintln!(
                "cached-stubs-server: not recording {}: its answer is larger than the {} bytes a stub may hold",
                stub.said,
                __server::MAX_STUB_BYTES
            );
            let mut tee = Tee::passing(upstream);
            tee.prefix = Some(Bytes::from(bytes));
            return Ok(tee.boxed_unsync());
        }
    }
    let elapsed_ms = timed.then(|| __server::ms_since(started));
    let bytes = Bytes::from(bytes);
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(output) => {
            let written = tokio::task::spawn_blocking(move || {
                stub.write(Answer::Output {
                    output: &output,
                    elapsed_ms,
                })
            });
            if let Err(error) = written.await {
                eprintln!("cached-stubs-server: recording failed: {error}");
            }
        }
        Err(error) => eprintln!(
            "cached-stubs-server: not recording {}: its answer is not JSON ({error})",
            stub.said
        ),
    }
    Ok(full(bytes))
}

/// The next chunk of data of an answer's body, trailers skipped; `None` at its end.
async fn next_data(body: &mut Incoming) -> Option<Result<Bytes, hyper::Error>> {
    std::future::poll_fn(|cx| poll_data(body, cx)).await
}

/// Polls for the next chunk of data of an answer's body, trailers skipped.
fn poll_data(
    body: &mut Incoming,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Bytes, hyper::Error>>> {
    loop {
        match ready!(Pin::new(&mut *body).poll_frame(cx)) {
            None => return Poll::Ready(None),
            Some(Err(error)) => return Poll::Ready(Some(Err(error))),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    return Poll::Ready(Some(Ok(data)));
                }
            }
        }
    }
}

/// Whether a content type is that of server-sent events.
fn is_event_stream(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// The 502 answer when the upstream can't be reached.
pub fn unreachable_upstream(said: &str, error: &str) -> Response<Body> {
    let message = format!("cached-stubs-server: can't forward {said} to the upstream: {error}");
    eprintln!("{message}");
    errors::error(StatusCode::BAD_GATEWAY, UPSTREAM, &message)
}

/// The 502 answer when the upstream's answer broke off before its end.
fn upstream_failed(said: &str, error: &hyper::Error) -> Response<Body> {
    let message =
        format!("cached-stubs-server: the upstream's answer to {said} broke off: {error}");
    eprintln!("{message}");
    errors::error(StatusCode::BAD_GATEWAY, UPSTREAM, &message)
}

/// What a recording writes, and the lead it holds until written.
struct Stub {
    file: PathBuf,
    function: String,
    /// The request as a client says it, for messages.
    said: String,
    method: String,
    path: String,
    json: Value,
    http: Http,
    leader: Leader,
}

impl Stub {
    /// Writes the stub (blocking), and lets identical requests replay it.
    fn write(mut self, answer: Answer<'_>) {
        let request = Request {
            method: &self.method,
            path: &self.path,
            body: &self.json,
        };
        match __server::write(&self.file, &self.function, &request, &self.http, answer) {
            Ok(()) => {
                self.leader.wrote();
                eprintln!(
                    "cached-stubs-server: recorded {}: {}",
                    self.said,
                    __server::shown(&self.file)
                );
            }
            Err(error) => eprintln!("cached-stubs-server: can't record {}: {error}", self.said),
        }
    }
}

/// A stream's events recorded so far.
struct Events {
    stub: Stub,
    parser: Parser,
    items: Vec<Value>,
    headers_at: Instant,
    elapsed_ms: Option<u64>,
    offsets_ms: Option<Vec<u64>>,
}

impl Events {
    /// Takes in a chunk of the stream; returns how many events it ended.
    fn take(&mut self, chunk: &[u8]) -> usize {
        let ended = self.parser.push(chunk);
        if let Some(offsets_ms) = &mut self.offsets_ms {
            let offset = __server::ms_since(self.headers_at);
            offsets_ms.extend(ended.iter().map(|_| offset));
        }
        let count = ended.len();
        self.items.extend(ended);
        count
    }

    /// Writes the stub of the stream, which has ended (blocking).
    fn write(self) {
        let answer = Answer::Items {
            items: &self.items,
            elapsed_ms: self.elapsed_ms,
            offsets_ms: self.offsets_ms.as_deref(),
        };
        self.stub.write(answer);
    }
}

/// An answer's body on its way from the upstream to the client, recorded if `recording`.
pub struct Tee {
    /// Bytes read before the body was passed on, sent first.
    prefix: Option<Bytes>,
    upstream: Option<Incoming>,
    recording: Option<Events>,
    /// The stub being written, once the upstream ended: the client's answer ends after it.
    writing: Option<JoinHandle<()>>,
}

impl Tee {
    /// An answer passed on, not recorded.
    pub fn passing(upstream: Incoming) -> Tee {
        Tee {
            prefix: None,
            upstream: Some(upstream),
            recording: None,
            writing: None,
        }
    }
}

impl http_body::Body for Tee {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if let Some(prefix) = this.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        if let Some(writing) = &mut this.writing {
            let _ = ready!(Pin::new(writing).poll(cx));
            this.writing = None;
            return Poll::Ready(None);
        }
        let Some(upstream) = &mut this.upstream else {
            return Poll::Ready(None);
        };
        match ready!(poll_data(upstream, cx)) {
            Some(Ok(chunk)) => {
                if let Some(recording) = &mut this.recording {
                    recording.take(&chunk);
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Some(Err(error)) => {
                // Cut short: nothing is recorded, and the client sees it cut.
                (this.upstream, this.recording) = (None, None);
                Poll::Ready(Some(Err(error.into())))
            }
            None => {
                this.upstream = None;
                let Some(recording) = this.recording.take() else {
                    return Poll::Ready(None);
                };
                this.writing = Some(tokio::task::spawn_blocking(move || recording.write()));
                self.poll_frame(cx)
            }
        }
    }
}

impl Drop for Tee {
    /// The client went away before the upstream ended: the stub is written only if the
    /// upstream now ends without another event, which the client never got.
    fn drop(&mut self) {
        let (Some(mut upstream), Some(mut recording)) =
            (self.upstream.take(), self.recording.take())
        else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let ended = tokio::time::timeout(END_AFTER_CLIENT_LEFT, async {
                while let Some(chunk) = next_data(&mut upstream).await {
                    match chunk {
                        Ok(chunk) if recording.take(&chunk) == 0 => {}
                        _ => return None,
                    }
                }
                Some(recording)
            });
            if let Ok(Some(recording)) = ended.await {
                let _ = tokio::task::spawn_blocking(move || recording.write()).await;
            }
        });
    }
}
