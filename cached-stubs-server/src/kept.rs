//! The answers of the stubs replayed so far, and the requests that asked for them: a request
//! byte-identical to one replayed before is answered without reading JSON or a file.

use crate::replay::Prepared;
use crate::request;
use bytes::Bytes;
use cached_stubs::__server::{self, Found};
use hyper::{Method, Uri};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a request's stub file holds now.
pub enum Loaded {
    /// There is no stub file.
    Missing,
    /// The stub was recorded by another version of the server: recorded again under
    /// `RECORD=1`, a miss in a replay.
    Stale,
    /// The stub's answer, ready to send.
    Current(Arc<Prepared>),
}

/// A request as it came, before it is read as JSON: what the answers of byte-identical
/// requests are kept by.
#[derive(Clone, Copy)]
pub struct Raw<'a> {
    /// `POST`, `GET`, ...
    pub method: &'a Method,
    /// The path and query, as they came.
    pub path: &'a str,
    /// The body's bytes, as they came.
    pub body: &'a [u8],
}

impl<'a> Raw<'a> {
    /// The request of `method` for `uri`, with `body`.
    pub fn of(method: &'a Method, uri: &'a Uri, body: &'a [u8]) -> Raw<'a> {
        Raw {
            method,
            path: request::path_and_query(uri),
            body,
        }
    }

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
