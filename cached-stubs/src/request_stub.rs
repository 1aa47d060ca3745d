//! Stubs of HTTP requests, as `cached-stubs-server` records and replays them: the library's
//! stub files, keyed like an annotated call whose arguments are a request's `method`, `path`
//! and JSON `body`, holding the answer's JSON as `output` (or its server-sent events as
//! `items`) and its status and content type as `http`.
//!
//! Which function a request is filed under, and so its folder, is the server's to say; this
//! module keys, reads and writes its stubs, and explains a miss, as an annotated call's.

use crate::args::{self, Arg, arg};
use crate::failure::{ARGS_WIDTH, Why, render_args, write_nearest};
use crate::key::Key;
use crate::report::{cut, shown};
use crate::secrets::{self, Returned};
use crate::stub_file::{self, Http, Inspected, InspectedBody, NewBody, NewStub};
use crate::{store, usage};
use serde_json::Value;
use std::fmt;
use std::path::Path;

/// The `source_hash` of every stub the server records: the version of how it records them.
/// A stub with another one is stale, and recorded again under `RECORD=1`.
pub const RECORDED_BY: &str = "cached-stubs-server v1";

/// A request, as its stub keys and shows it.
pub struct Request<'a> {
    /// `POST`, `GET`, ...
    pub method: &'a str,
    /// The path and query the server was asked for: `/v1/chat/completions`.
    pub path: &'a str,
    /// The JSON body; `null` when there is none.
    pub body: &'a Value,
}

impl Request<'_> {
    fn args(&self) -> [Arg<'_>; 3] {
        [
            arg("method", &self.method),
            arg("path", &self.path),
            arg("body", self.body),
        ]
    }

    /// The name of its stub file: the key of its method, path and canonical body (object key
    /// order and whitespace don't count), and `.json`.
    pub fn file_name(&self) -> String {
        match Key::of(&self.args()) {
            Ok(key) => key.file_name(),
            Err(error) => unreachable!("a JSON value always serializes: {}", error.error),
        }
    }
}

/// An answer to record, as a stub holds it: a JSON value, or the events of a stream, with
/// timings when kept. (An annotated call's `NewBody` has a third kind, a sequence's answers,
/// which no request records.)
#[derive(Clone, Copy)]
pub enum Answer<'a> {
    /// A JSON answer.
    Output {
        /// The answer's JSON.
        output: &'a Value,
        /// From forwarding the request to the answer's last byte.
        elapsed_ms: Option<u64>,
    },
    /// Server-sent events, each event's data an item.
    Items {
        /// The data of each event, in order.
        items: &'a [Value],
        /// From forwarding the request to the answer's headers.
        elapsed_ms: Option<u64>,
        /// When each event came after the headers.
        offsets_ms: Option<&'a [u64]>,
    },
}

impl<'a> Answer<'a> {
    /// The body of its stub.
    fn body(self) -> NewBody<'a> {
        match self {
            Answer::Output { output, elapsed_ms } => NewBody::Output { output, elapsed_ms },
            Answer::Items {
                items,
                elapsed_ms,
                offsets_ms,
            } => NewBody::Items {
                items,
                elapsed_ms,
                offsets_ms,
            },
        }
    }
}

/// What the stub file of a request holds.
pub enum Found {
    /// No stub.
    Missing,
    /// A stub recorded by another version of the server.
    Stale,
    /// A stub to replay.
    Current(Box<Inspected>),
}

/// Reads the stub at `path` of a request filed under `function`, as strictly as a replay
/// reads any stub. `Err` says what is wrong with it: a broken stub is never a missing one.
pub fn read(path: &Path, function: &str) -> Result<Found, String> {
    let bytes = match store::read(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(Found::Missing),
        Err(error) => return Err(error.to_string()),
    };
    let stub = stub_file::inspect(&bytes)?;
    if stub.function != function {
        return Err(format!(
            "it was recorded by another function, `{}`",
            stub.function
        ));
    }
    if stub.source_hash != RECORDED_BY {
        return Ok(Found::Stale);
    }
    if stub.http.is_none() || matches!(stub.body, InspectedBody::Sequence(_)) {
        return Err("it was not recorded from a request: it has no \"http\"".to_string());
    }
    usage::note(path);
    Ok(Found::Current(Box::new(stub)))
}

/// Writes the stub of `request` at `path`, filed under `function`, after checking that it
/// holds no secret (as an annotated call's stub is checked, with no allowance), reads back
/// as the same answer and is no larger than a replay reads. `Err` says why nothing was
/// written, naming where a secret is and why it was taken for one, never its value.
pub fn write(
    path: &Path,
    function: &str,
    request: &Request<'_>,
    http: &Http,
    answer: Answer<'_>,
) -> Result<(), String> {
    let args = args::to_json(&request.args());
    let returned = match answer {
        Answer::Output { output, .. } => Returned::Output(output),
        Answer::Items { items, .. } => Returned::Items(items),
    };
    let found = secrets::find(&args, returned, &[] as &[&str]);
    if !found.is_empty() {
        let found: Vec<String> = found.iter().map(ToString::to_string).collect();
        return Err(format!(
            "its stub would hold a secret, and nothing was written (the value is not shown): {}",
            found.join("; ")
        ));
    }
    let same = |read: &Inspected| match (answer, &read.body) {
        (Answer::Output { output, .. }, InspectedBody::Output(read)) => output == read,
        (Answer::Items { items, .. }, InspectedBody::Items { items: read, .. }) => items == read,
        _ => false,
    };
    let bytes = NewStub {
        function,
        source_hash: RECORDED_BY,
        depends: &[],
        allow_secret: &[],
        args: &args,
        http: Some(http),
        body: answer.body(),
    }
    .to_bytes();
    if bytes.len() as u64 > store::MAX_STUB_BYTES {
        return Err(format!(
            "its stub would be {} bytes, more than the {} bytes a replay reads",
            bytes.len(),
            store::MAX_STUB_BYTES
        ));
    }
    match stub_file::inspect(&bytes) {
        Ok(read) if same(&read) => {}
        Ok(_) => return Err("it would not read back as the same answer".to_string()),
        Err(error) => return Err(format!("it would not read back: {error}")),
    }
    store::write(path, &bytes).map_err(|error| format!("{}: {error}", shown(path)))?;
    usage::note(path);
    Ok(())
}

/// A request that has no stub to replay, explained: what was asked, where its stub was
/// looked for, the nearest stub of its folder and how it differs, and `command`, which
/// records it.
///
/// A request that holds a secret (a key in its query) can have no stub, and is not shown:
/// the message names where the secret is, never its value.
pub fn miss(request: &Request<'_>, asked: &str, path: &Path, stale: bool, command: &str) -> String {
    let args = args::to_json(&request.args());
    let found = secrets::find(&args, Returned::Items(&[]), &[] as &[&str]);
    if !found.is_empty() {
        let found: Vec<String> = found.iter().map(ToString::to_string).collect();
        return format!(
            "cached-stubs-server: no stub to replay for {asked}, and none can be recorded: the \
             request holds a secret (the value is not shown): {}\nThe upstream was not \
             contacted. Send the key in a header instead (Gemini takes `x-goog-api-key`): \
             headers are no part of a stub.",
            found.join("; ")
        );
    }
    let why = if stale {
        Why::Stale {
            source: true,
            depends: Vec::new(),
        }
    } else {
        let folder = path.parent().unwrap_or(path);
        Why::nearest(folder, &args)
    };
    RequestMiss {
        asked,
        args,
        expected: shown(path),
        why,
        command,
    }
    .to_string()
}

/// A replay miss of a request; its `Display` is the message.
struct RequestMiss<'a> {
    /// The request as its client would say it: `POST /v1/chat/completions`.
    asked: &'a str,
    args: Vec<(&'static str, Value)>,
    expected: String,
    why: Why,
    command: &'a str,
}

impl fmt::Display for RequestMiss<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let asked = self.asked;
        write!(
            f,
            "cached-stubs-server: no stub to replay for {asked}\n  \
             request:  {}\n  \
             expected: {}\n  \
             why:      ",
            cut(&render_args(&self.args), ARGS_WIDTH),
            self.expected,
        )?;
        match &self.why {
            Why::Stale { .. } => f.write_str(
                "the stub was recorded by another version of cached-stubs-server, whose \
                 stubs this one doesn't replay",
            )?,
            Why::OtherArguments {
                nearest,
                differences,
                only_order,
            } => write_nearest(f, "this request", nearest, differences, *only_order)?,
            Why::NoStubYet | Why::In01Layout { .. } => {
                write!(f, "no stub has been recorded for {asked} yet")?
            }
        }
        write!(
            f,
            "\nThe upstream was not contacted. To record it, run the server with RECORD=1:\n    {}",
            self.command
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn http() -> Http {
        Http {
            status: 200,
            content_type: "application/json".into(),
        }
    }

    #[test]
    fn key_order_and_whitespace_of_the_body_never_change_the_key() {
        let one: Value = serde_json::from_str(
            r#"{"model": "m", "messages": [{"role": "user", "content": "hi"}]}"#,
        )
        .unwrap();
        let other: Value =
            serde_json::from_str(r#"{"messages":[{"content":"hi","role":"user"}],"model":"m"}"#)
                .unwrap();
        let key = |method, path, body| Request { method, path, body }.file_name();
        let base = key("POST", "/v1/chat/completions", &one);
        assert_eq!(base, key("POST", "/v1/chat/completions", &other));
        assert!(Key::is_file_name(&base));
        assert_ne!(base, key("PUT", "/v1/chat/completions", &one));
        assert_ne!(base, key("POST", "/v1/completions", &one));
        assert_ne!(base, key("POST", "/v1/chat/completions", &Value::Null));
    }

    #[test]
    fn a_written_stub_reads_back_as_current_and_a_miss_names_the_nearest() {
        let dir = tempfile::tempdir().unwrap();
        let body = json!({"model": "m", "messages": ["hi"]});
        let request = Request {
            method: "POST",
            path: "/v1/chat/completions",
            body: &body,
        };
        let function = "POST::v1::chat::completions";
        let path = dir.path().join(request.file_name());
        assert!(matches!(read(&path, function), Ok(Found::Missing)));
        let output = json!({"choices": [{"text": "hello"}]});
        let answer = Answer::Output {
            output: &output,
            elapsed_ms: None,
        };
        write(&path, function, &request, &http(), answer).unwrap();
        let Ok(Found::Current(stub)) = read(&path, function) else {
            panic!("the stub just written is current");
        };
        assert_eq!(stub.http, Some(http()));
        assert!(matches!(stub.body, InspectedBody::Output(read) if read == output));
        let Err(error) = read(&path, "GET::v1::models") else {
            panic!("a stub of another function is read");
        };
        assert!(error.contains("another function"), "{error}");

        let other = json!({"model": "m", "messages": ["hello"]});
        let asked = Request {
            body: &other,
            ..request
        };
        let missed = dir.path().join(asked.file_name());
        let message = miss(
            &asked,
            "POST /v1/chat/completions",
            &missed,
            false,
            "RECORD=1 x",
        );
        for expected in [
            "no stub to replay for POST /v1/chat/completions",
            "the nearest stub differs in `body.messages[0]`:",
            "body.messages[0]: recorded \"hi\"",
            "The upstream was not contacted. To record it, run the server with RECORD=1:\n    RECORD=1 x",
        ] {
            assert!(message.contains(expected), "{expected:?} not in\n{message}");
        }
    }
}
