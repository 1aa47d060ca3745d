//! Replaying a stub: its answer made ready once (status, content type, bytes, the events of
//! a stream), kept while the file is unchanged, and sent as recorded: whole, or, with
//! timings on, after as long as it took and event by event at their offsets.

use crate::http::{Body, BoxError, full};
use bytes::{Bytes, BytesMut};
use cached_stubs::__server::{self, Found, Inspected, InspectedBody};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Instant;

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

struct Events {
    each: Vec<Bytes>,
    offsets_ms: Option<Vec<u64>>,
}

impl Prepared {
    fn of(stub: Inspected) -> Result<Prepared, String> {
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
    fn size(&self) -> usize {
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
                sleep: Box::pin(tokio::time::sleep(std::time::Duration::ZERO)),
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
        let due = this.start + __server::scaled(*offset, this.speed);
        if due > Instant::now() {
            this.sleep.as_mut().reset(due.into());
            ready!(this.sleep.as_mut().poll(cx));
        }
        this.next += 1;
        Poll::Ready(Some(Ok(Frame::data(event.clone()))))
    }
}

/// What a request's stub file holds now.
pub enum Loaded {
    Missing,
    Stale,
    Current(Arc<Prepared>),
}

/// The answers of the stubs read so far, each kept while its file is unchanged (the same
/// size, time and inode): a replay costs a `stat`, not a read and a parse.
#[derive(Default)]
pub struct Replays {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    answers: HashMap<PathBuf, (Stamp, Arc<Prepared>)>,
    bytes: usize,
}

/// The most the kept answers may hold; past it, they are all let go.
const MOST_KEPT_BYTES: usize = 256 * 1024 * 1024;

/// What tells a file's versions apart.
#[derive(Clone, Copy, PartialEq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(file: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(file).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
            inode,
        })
    }
}

impl Replays {
    /// What the stub `file` of `function` holds; `Err` says why it can't be replayed.
    pub async fn load(&self, file: &Path, function: &str) -> Result<Loaded, String> {
        let stamp = Stamp::of(file);
        if let Some(stamp) = stamp
            && let Some((kept, answer)) = self.kept.lock().expect("kept answers").answers.get(file)
            && *kept == stamp
        {
            return Ok(Loaded::Current(Arc::clone(answer)));
        }
        let (path, function) = (file.to_path_buf(), function.to_string());
        let read = tokio::task::spawn_blocking(move || match __server::read(&path, &function)? {
            Found::Missing => Ok(Loaded::Missing),
            Found::Stale => Ok(Loaded::Stale),
            Found::Current(stub) => {
                Prepared::of(*stub).map(|answer| Loaded::Current(Arc::new(answer)))
            }
        });
        let loaded = read.await.map_err(|error| error.to_string())??;
        if let (Some(stamp), Loaded::Current(answer)) = (stamp, &loaded) {
            let mut kept = self.kept.lock().expect("kept answers");
            if kept.bytes + answer.size() > MOST_KEPT_BYTES {
                *kept = Kept::default();
            }
            kept.bytes += answer.size();
            let old = kept
                .answers
                .insert(file.to_path_buf(), (stamp, Arc::clone(answer)));
            if let Some((_, old)) = old {
                kept.bytes -= old.size();
            }
        }
        Ok(loaded)
    }
}
