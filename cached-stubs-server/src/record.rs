//! Recording: a request forwarded to the upstream, and its answer written as a stub on its
//! way back to the client. A JSON answer is read whole and written before it is sent; a
//! stream of server-sent events goes through a [`Tee`]. Answers other than 2xx, and those
//! that are no JSON, are passed on and not recorded.
//!
//! Identical requests at once make one upstream request: the first leads, the others wait
//! for it and replay what it recorded (or, if it recorded nothing, one of them leads).

use crate::errors;
use crate::http::{Body, full};
use crate::kept::Loaded;
use crate::request::Asked;
use crate::server::Server;
use crate::stub::Stub;
use crate::tee::{Recording, Tee, next_data};
use crate::upstream::without_hop_headers;
use bytes::Bytes;
use cached_stubs::__server::{self, Answer, Http, Leader, Outcome, Role};
use cached_stubs::Mode;
use http_body_util::BodyExt;
use hyper::Response;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use serde_json::Value;
use std::time::Instant;

/// Answers `asked` by the upstream, recording the answer; or replays the stub an identical
/// request recorded meanwhile.
pub async fn record(server: &Server, asked: Asked) -> Response<Body> {
    loop {
        match __server::join(&asked.file) {
            Role::Leader(leader) => {
                // An identical request may have recorded it since this one looked; a stub
                // that can't be read is a 500, never overwritten but under `RECORD=all`.
                if server.mode != Mode::RecordAll {
                    match server.load(&asked).await {
                        Ok(Loaded::Current(answer)) => return answer.respond(server.timing).await,
                        Ok(Loaded::Missing | Loaded::Stale) => {}
                        Err(why) => return server.unreadable(&asked, &why),
                    }
                }
                return forward(server, asked, leader).await;
            }
            Role::Follower(flight) => {
                if flight.finished().await == Outcome::Wrote {
                    match server.load(&asked).await {
                        Ok(Loaded::Current(answer)) => return answer.respond(server.timing).await,
                        Ok(Loaded::Missing | Loaded::Stale) => {}
                        Err(why) => return server.unreadable(&asked, &why),
                    }
                }
            }
        }
    }
}

/// Forwards `asked` and records a 2xx answer.
async fn forward(server: &Server, asked: Asked, leader: Leader) -> Response<Body> {
    let said = asked.said();
    let started = Instant::now();
    let sent = match server.upstream() {
        Ok(upstream) => upstream.send(&asked.parts, full(asked.bytes.clone())).await,
        Err(failed) => Err(failed),
    };
    let answer = match sent {
        Ok(answer) => answer,
        Err(failed) => return errors::upstream_failed(&said, &failed),
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
        *response.body_mut() = Tee::passing(None, upstream_body).boxed_unsync();
        return response;
    }
    let timed = server.timing.is_some();
    let stub = Stub {
        file: asked.file.clone(),
        function: asked.place.function.clone(),
        said,
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
        let recording = Recording::new(stub, timed.then(|| __server::ms_since(started)));
        *response.body_mut() = Tee::recording(upstream_body, recording).boxed_unsync();
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
            Err(error) => return Err(errors::upstream_broke_off(&stub.said, &error)),
        }
        if bytes.len() as u64 > __server::MAX_STUB_BYTES {
            eprintln!(
                "cached-stubs-server: not recording {}: its answer is larger than the {} bytes a stub may hold",
                stub.said,
                __server::MAX_STUB_BYTES
            );
            let tee = Tee::passing(Some(Bytes::from(bytes)), upstream);
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

/// Whether a content type is that of server-sent events.
fn is_event_stream(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("text/event-stream"))
}
