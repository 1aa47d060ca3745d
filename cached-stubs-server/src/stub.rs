//! What a recording writes: a request's stub, and the lead it holds over identical requests
//! until it is written (or not).

use cached_stubs::__server::{self, Answer, Http, Leader, Request};
use serde_json::Value;
use std::path::PathBuf;

/// A stub to write, and the lead it holds until written.
pub struct Stub {
    pub file: PathBuf,
    pub function: String,
    /// The request as a client says it, for messages.
    pub said: String,
    pub method: String,
    pub path: String,
    pub json: Value,
    pub http: Http,
    /// Dropped once the stub is written or given up, for identical requests to go on.
    pub leader: Leader,
}

impl Stub {
    /// Writes the stub (blocking), and lets identical requests replay it.
    pub fn write(mut self, answer: Answer<'_>) {
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
