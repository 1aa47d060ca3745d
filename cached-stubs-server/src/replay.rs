//! Replaying a stub: its answer made ready once (status, content type, bytes, the events of
//! a stream; [`crate::kept`] keeps it), and sent as recorded: without timings, whole, in one
//! write; with timings on, after as long as it took, and a stream event by event at their
//! offsets.

use crate::http::{Body, BoxError, full};
use bytes::{Bytes, BytesMut};
use cached_stubs::__server::{self, Inspected, InspectedBody};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

/// A stub's answer, ready to send.
pub struct Prepared {
    status: StatusCode,
    content_type: HeaderValue,
    /// How long the call took (to its headers, for a stream), if that was kept.
    elapsed_ms: Option<u64>,
    /// The answer's bytes, whole.
    whole: Bytes,
    /// A stream's events, each with its offset after the headers if that was kept.
    events: Option<Events>,
}

/// A stream's events, as the bytes of each, and when each came if that was kept.
struct Events {
    each: Vec<Bytes>,
    offsets_ms: Option<Vec<u64>>,
}

impl Prepared {
    /// The answer `stub` holds, ready to send; `Err` says why a stub that reads well as a
    /// stub can't be a request's answer.
    pub fn of(stub: Inspected) -> Result<Prepared, String> {
        let http = stub.http.ok_or("no \"http\"")?;
        let status = StatusCode::from_u16(http.status).map_err(|error| error.to_string())?;
        let content_type = HeaderValue::from_str(&http.content_type)
            .map_err(|_| format!("the content type {:?} is no header", http.content_type))?;
        let (whole, events) = match stub.body {
            InspectedBody::Output(output) => (Bytes::from(output.to_string()), None),
            InspectedBody::Items { items, offsets_ms } => {
                let each: Vec<Bytes> = items.iter().map(crate::sse::event).collect();
                let whole: BytesMut = each
                    .iter()
                    .flat_map(|event| event.iter().copied())
                    .collect();
                let events = Events { each, offsets_ms };
                (whole.freeze(), Some(events))
            }
            InspectedBody::Sequence(_) => return Err("it holds a sequence".to_string()),
        };
        Ok(Prepared {
            status,
            content_type,
            elapsed_ms: stub.elapsed_ms,
            whole,
            events,
        })
    }

    /// The bytes it holds, about.
    pub fn size(&self) -> usize {
        self.whole.len() * if self.events.is_some() { 2 } else { 1 }
    }

    /// The answer, sent as recorded: at once, or with `speed` as fast as it came, if timed.
    pub async fn respond(self: Arc<Self>, speed: Option<f64>) -> Response<Body> {
        let speed = speed.filter(|_| self.elapsed_ms.is_some() || self.offsets().is_some());
        if let (Some(speed), Some(ms)) = (speed, self.elapsed_ms) {
            tokio::time::sleep(__server::scaled(ms, speed)).await;
        }
        let body = match (speed, self.offsets()) {
            (Some(speed), Some(_)) => PacedEvents {
                prepared: Arc::clone(&self),
                next: 0,
                start: Instant::now(),
                speed,
                sleep: Box::pin(tokio::time::sleep(Duration::ZERO)),
            }
            .boxed_unsync(),
            _ => full(self.whole.clone()),
        };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, self.content_type.clone());
        response
    }

    /// When each event came after the headers, for a stream whose timings were kept.
    fn offsets(&self) -> Option<&[u64]> {
        self.events.as_ref()?.offsets_ms.as_deref()
    }
}

/// A stream's events, each sent at its offset after the headers, at a speed.
struct PacedEvents {
    prepared: Arc<Prepared>,
    next: usize,
    start: Instant,
    speed: f64,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for PacedEvents {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let events = this
            .prepared
            .events
            .as_ref()
            .expect("paced events are events");
        let (Some(event), Some(offset)) = (
            events.each.get(this.next),
            events
                .offsets_ms
                .as_ref()
                .and_then(|offsets| offsets.get(this.next)),
        ) else {
            return Poll::Ready(None);
        };
        let due = __server::due(this.start, *offset, this.speed);
        if due > Instant::now() {
            this.sleep.as_mut().reset(due.into());
            ready!(this.sleep.as_mut().poll(cx));
        }
        this.next += 1;
        Poll::Ready(Some(Ok(Frame::data(event.clone()))))
    }
}
