//! Replaying a stub: its answer made ready once (status, content type, bytes, the events of
//! a stream), kept for byte-identical requests while the file is unchanged, and sent as
//! recorded: whole, or, with timings on, after as long as it took and event by event at
//! their offsets.

use crate::http::{Body, BoxError, full};
use bytes::{Bytes, BytesMut};
use cached_stubs::__server::{self, Found, Inspected, InspectedBody};
use http_body::Frame;
use http_body_util::BodyExt;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
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

/// A request as it came, before it is read as JSON: what the answers of byte-identical
/// requests are kept by.
#[derive(Clone, Copy)]
pub struct Raw<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub body: &'a [u8],
}

impl Raw<'_> {
    fn hash(&self) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        (self.method, self.path, self.body).hash(&mut hasher);
        hasher.finish()
    }
}

/// The answers of the stubs replayed so far, each kept while its file is unchanged (the same
/// size, time and inode), and the requests that asked for them: a request byte-identical to
/// one replayed before is answered without reading JSON or a file (its stub's file looked at
/// once a second at most); another is read and keyed, and its stub's answer kept is used if
/// the file is unchanged.
#[derive(Default)]
pub struct Replays {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// By stub file.
    answers: HashMap<PathBuf, KeptAnswer>,
    /// The bytes of the answers.
    bytes: usize,
    /// The stub file of each request seen, by the hash of the request, which each entry's
    /// own copy confirms.
    requests: HashMap<u64, KeptRequest>,
}

struct KeptAnswer {
    stamp: Stamp,
    /// When the file was last seen unchanged.
    checked: Instant,
    answer: Arc<Prepared>,
}

struct KeptRequest {
    method: Method,
    path: String,
    body: Bytes,
    file: PathBuf,
}

/// The most the kept answers may hold; past it, they are all let go.
const MOST_KEPT_BYTES: usize = 256 * 1024 * 1024;

/// The most requests kept; past it, they are all let go (a load of requests that all differ
/// in their bytes would keep one each).
const MOST_KEPT_REQUESTS: usize = 10_000;

/// How often a kept answer's file is looked at again for a request seen before.
const CHECK_EVERY: Duration = Duration::from_secs(1);

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
    /// The answer kept for a request byte-identical to `raw`, if its stub is unchanged.
    pub fn kept(&self, raw: Raw<'_>) -> Option<Arc<Prepared>> {
        let mut kept = self.kept.lock().expect("kept answers");
        let request = kept.requests.get(&raw.hash())?;
        if request.method != raw.method || request.path != raw.path || request.body != raw.body {
            return None;
        }
        let file = request.file.clone();
        let answer = kept.answers.get_mut(&file)?;
        if answer.checked.elapsed() > CHECK_EVERY {
            if Stamp::of(&file) != Some(answer.stamp) {
                return None;
            }
            answer.checked = Instant::now();
        }
        Some(Arc::clone(&answer.answer))
    }

    /// What the stub `file` of `function` holds now: the answer kept if the file is
    /// unchanged, else read. A current one is kept, for the requests byte-identical to `raw`
    /// too. `Err` says why it can't be replayed.
    pub async fn load(&self, raw: Raw<'_>, file: &Path, function: &str) -> Result<Loaded, String> {
        let stamp = Stamp::of(file);
        let unchanged = stamp.and_then(|stamp| {
            let kept = self.kept.lock().expect("kept answers");
            let answer = kept
                .answers
                .get(file)
                .filter(|answer| answer.stamp == stamp)?;
            Some(Arc::clone(&answer.answer))
        });
        let loaded = match unchanged {
            Some(answer) => Loaded::Current(answer),
            None => {
                let (path, function) = (file.to_path_buf(), function.to_string());
                let read =
                    tokio::task::spawn_blocking(move || match __server::read(&path, &function)? {
                        Found::Missing => Ok(Loaded::Missing),
                        Found::Stale => Ok(Loaded::Stale),
                        Found::Current(stub) => {
                            Prepared::of(*stub).map(|answer| Loaded::Current(Arc::new(answer)))
                        }
                    });
                read.await.map_err(|error| error.to_string())??
            }
        };
        if let (Some(stamp), Loaded::Current(answer)) = (stamp, &loaded) {
            self.keep(raw, file, stamp, answer);
        }
        Ok(loaded)
    }

    fn keep(&self, raw: Raw<'_>, file: &Path, stamp: Stamp, answer: &Arc<Prepared>) {
        let mut kept = self.kept.lock().expect("kept answers");
        if kept.requests.len() >= MOST_KEPT_REQUESTS {
            kept.requests.clear();
        }
        let request = KeptRequest {
            method: raw.method.clone(),
            path: raw.path.to_string(),
            body: Bytes::copy_from_slice(raw.body),
            file: file.to_path_buf(),
        };
        kept.requests.insert(raw.hash(), request);
        let entry = KeptAnswer {
            stamp,
            checked: Instant::now(),
            answer: Arc::clone(answer),
        };
        let size = answer.size();
        match kept.answers.insert(file.to_path_buf(), entry) {
            Some(old) if Arc::ptr_eq(&old.answer, answer) => return,
            Some(old) => kept.bytes -= old.answer.size(),
            None => {}
        }
        if kept.bytes + size > MOST_KEPT_BYTES {
            let entry = kept.answers.remove(file).expect("inserted above");
            kept.answers.clear();
            kept.bytes = 0;
            kept.answers.insert(file.to_path_buf(), entry);
        }
        kept.bytes += size;
    }
}
