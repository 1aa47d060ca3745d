//! A stream of server-sent events on its way from the upstream to the client: each event
//! passed on as it comes, and, when recording, kept as a stub item; the stub is written when
//! the upstream ends the stream, after the client had every event. A client that goes away
//! before leaves none (unless the upstream then ends without another event). A stream
//! larger than a stub may hold is passed on whole, and nothing of it is kept past that size.

use crate::http::BoxError;
use crate::sse::Parser;
use crate::stub::Stub;
use bytes::Bytes;
use cached_stubs::__server::{self, Answer};
use http_body::{Body as _, Frame};
use hyper::body::Incoming;
use serde_json::Value;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How long an upstream may take to end its stream once the client is gone, for the stub to
/// be written: the client had every event but the end.
const END_AFTER_CLIENT_LEFT: Duration = Duration::from_secs(2);

/// A stream's events recorded so far.
pub struct Recording {
    stub: Stub,
    parser: Parser,
    /// The bytes of the stream so far.
    bytes: u64,
    items: Vec<Value>,
    headers_at: Instant,
    elapsed_ms: Option<u64>,
    offsets_ms: Option<Vec<u64>>,
}

impl Recording {
    /// The recording of a stream into `stub`, whose headers came now, `elapsed_ms` after the
    /// request was forwarded if timings are kept.
    pub fn new(stub: Stub, elapsed_ms: Option<u64>) -> Recording {
        Recording {
            stub,
            parser: Parser::default(),
            bytes: 0,
            items: Vec::new(),
            headers_at: Instant::now(),
            offsets_ms: elapsed_ms.map(|_| Vec::new()),
            elapsed_ms,
        }
    }

    /// Takes in a chunk of the stream; returns how many events it ended, or `None` (said on
    /// stderr) when the stream has grown larger than a stub may hold: then it is recorded no
    /// further, and dropping it lets identical requests waiting for it go ask themselves.
    fn take(&mut self, chunk: &[u8]) -> Option<usize> {
        self.bytes += chunk.len() as u64;
        if self.bytes > __server::MAX_STUB_BYTES {
            eprintln!(
                "cached-stubs-server: not recording {}: its stream is larger than the {} bytes a \
                 stub may hold; it was passed on whole",
                self.stub.said,
                __server::MAX_STUB_BYTES
            );
            return None;
        }
        let ended = self.parser.push(chunk);
        if let Some(offsets_ms) = &mut self.offsets_ms {
            let offset = __server::ms_since(self.headers_at);
            offsets_ms.extend(ended.iter().map(|_| offset));
        }
        let count = ended.len();
        self.items.extend(ended);
        Some(count)
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

/// The next chunk of data of an answer's body, trailers skipped; `None` at its end.
pub async fn next_data(body: &mut Incoming) -> Option<Result<Bytes, hyper::Error>> {
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

/// An answer's body on its way from the upstream to the client, recorded if `recording`.
pub struct Tee {
    /// Bytes read before the body was passed on, sent first.
    prefix: Option<Bytes>,
    upstream: Option<Incoming>,
    recording: Option<Recording>,
    /// The stub being written, once the upstream ended: the client's answer ends after it.
    writing: Option<JoinHandle<()>>,
}

impl Tee {
    /// An answer passed on, not recorded, after `prefix` if some of it was read already.
    pub fn passing(prefix: Option<Bytes>, upstream: Incoming) -> Tee {
        Tee {
            prefix,
            upstream: Some(upstream),
            recording: None,
            writing: None,
        }
    }

    /// A stream passed on and recorded.
    pub fn recording(upstream: Incoming, recording: Recording) -> Tee {
        Tee {
            prefix: None,
            upstream: Some(upstream),
            recording: Some(recording),
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
                if let Some(recording) = &mut this.recording
                    && recording.take(&chunk).is_none()
                {
                    this.recording = None;
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
                        Ok(chunk) if recording.take(&chunk) == Some(0) => {}
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
