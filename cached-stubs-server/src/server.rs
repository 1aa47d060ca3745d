//! The server: what it answers each request with, by the `RECORD` mode, as an annotated
//! function answers each call.
//!
//! | `RECORD` | stub found and current | stub missing or stale |
//! |---|---|---|
//! | unset, `0`, ... | replay | 404 `cached_stubs_miss`; the upstream is never contacted |
//! | `1`, `missing`, ... | replay | forward, record, answer |
//! | `all`, `force` | forward, record, answer | forward, record, answer |
//! | `passthrough` | forward, answer | forward, answer |
//!
//! A stub that can't be read is a 500 in every mode that reads stubs, never a miss.

use crate::errors::{self, MISS, UpstreamFailed};
use crate::http::{Body, BoxError};
use crate::kept::{Loaded, Raw, Replays};
use crate::record;
use crate::request::{self, Asked};
use crate::tee::Tee;
use crate::upstream::{Upstream, without_hop_headers};
use cached_stubs::__server;
use cached_stubs::Mode;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::path::PathBuf;

/// A running server's settings, and the answers it keeps.
pub struct Server {
    pub(crate) mode: Mode,
    /// `--dir`.
    pub(crate) dir: PathBuf,
    /// `--upstream`; `None` in replay mode when not given.
    pub(crate) upstream: Option<Upstream>,
    /// The speed of timed replays, when timings are on (`CACHED_STUBS_TIMING`, or `--speed`).
    pub(crate) timing: Option<f64>,
    /// The command that records what a replay missed.
    pub(crate) record_command: String,
    replays: Replays,
}

impl Server {
    /// A server in `mode`; [`crate::options::Options::server`] makes one from the command
    /// line, with an upstream unless it replays.
    pub(crate) fn new(
        mode: Mode,
        dir: PathBuf,
        upstream: Option<Upstream>,
        timing: Option<f64>,
        record_command: String,
    ) -> Server {
        Server {
            mode,
            dir,
            upstream,
            timing,
            record_command,
            replays: Replays::default(),
        }
    }

    /// The answer to `request`.
    pub async fn answer(&self, request: Request<Incoming>) -> Response<Body> {
        if self.mode == Mode::Passthrough {
            return self.pass_through(request).await;
        }
        let (parts, bytes) = match request::receive(request).await {
            Ok(received) => received,
            Err(invalid) => return invalid,
        };
        if self.mode != Mode::RecordAll
            && let Some(answer) = self
                .replays
                .kept(Raw::of(&parts.method, &parts.uri, &bytes))
        {
            return answer.respond(self.timing).await;
        }
        let asked = match Asked::read(&self.dir, parts, bytes) {
            Ok(asked) => asked,
            Err(why) => return request::invalid(why),
        };
        if self.mode == Mode::RecordAll {
            return record::record(self, asked).await;
        }
        match self.load(&asked).await {
            Ok(Loaded::Current(answer)) => answer.respond(self.timing).await,
            Ok(loaded) if self.mode == Mode::Replay => self.miss(&asked, loaded).await,
            Ok(_) => record::record(self, asked).await,
            Err(error) => self.unreadable(&asked, &error),
        }
    }

    /// The 500 answer to `asked`, whose stub can't be read for `why`.
    pub(crate) fn unreadable(&self, asked: &Asked, why: &str) -> Response<Body> {
        errors::unreadable_stub(&asked.said(), &__server::shown(&asked.file), why)
    }

    /// The upstream requests are forwarded to; `Err` when none was given.
    pub(crate) fn upstream(&self) -> Result<&Upstream, UpstreamFailed> {
        self.upstream.as_ref().ok_or(UpstreamFailed::NotGiven)
    }

    /// What the stub of `asked` holds now, read from its file.
    pub(crate) async fn load(&self, asked: &Asked) -> Result<Loaded, String> {
        let (raw, function) = (asked.raw(), &asked.place.function);
        self.replays.load(raw, &asked.file, function).await
    }

    /// The 404 answer to a replay that found no current stub: what was asked, the nearest
    /// recorded request of its path and how it differs, and the command that records it.
    async fn miss(&self, asked: &Asked, loaded: Loaded) -> Response<Body> {
        let stale = matches!(loaded, Loaded::Stale);
        let (method, path, json) = (
            asked.parts.method.to_string(),
            asked.path().to_string(),
            asked.json.clone(),
        );
        let (said, file, command) = (
            asked.said(),
            asked.file.clone(),
            self.record_command.clone(),
        );
        let message = tokio::task::spawn_blocking(move || {
            let request = __server::Request {
                method: &method,
                path: &path,
                body: &json,
            };
            __server::miss(&request, &said, &file, stale, &command)
        })
        .await
        .unwrap_or_else(|error| format!("cached-stubs-server: no stub to replay ({error})"));
        errors::reported(StatusCode::NOT_FOUND, MISS, message)
    }

    /// `RECORD=passthrough`: a plain proxy, the request's body streamed as it comes.
    async fn pass_through(&self, request: Request<Incoming>) -> Response<Body> {
        let said = request::said(request.method(), request.uri());
        let (parts, body) = request.into_parts();
        let body = body.map_err(BoxError::from).boxed_unsync();
        let sent = match self.upstream() {
            Ok(upstream) => upstream.send(&parts, body).await,
            Err(failed) => Err(failed),
        };
        let answer = match sent {
            Ok(answer) => answer,
            Err(failed) => return errors::upstream_failed(&said, &failed),
        };
        let (answer, body) = answer.into_parts();
        let mut response = Response::new(Tee::passing(None, body).boxed_unsync());
        *response.status_mut() = answer.status;
        *response.headers_mut() = without_hop_headers(&answer.headers);
        response
    }
}
