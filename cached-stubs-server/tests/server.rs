//! `cached-stubs-server` as a process, as a team runs it: the real async-openai client through
//! it, recording from an upstream on 127.0.0.1 and replaying with the upstream gone, and
//! every promise of the README's "A working API for the whole team".

mod support;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequest,
    CreateChatCompletionRequestArgs,
};
use cached_stubs_suite::OpenAiServer;
use futures::StreamExt;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{Script, Start, Upstream, eventually, files, post, stubs};

const FIRST: &str = "Suggest a name for a bakery that also sells books.";
const SECOND: &str = "Now write a one-line slogan for it.";

fn request(prompt: &str) -> CreateChatCompletionRequest {
    let message = ChatCompletionRequestUserMessageArgs::default()
        .content(prompt)
        .build()
        .unwrap();
    CreateChatCompletionRequestArgs::default()
        .model("gpt-4o-mini")
        .messages([message.into()])
        .build()
        .unwrap()
}

fn openai(base_url: &str) -> Client<OpenAIConfig> {
    let config = OpenAIConfig::new()
        .with_api_base(base_url)
        .with_api_key("sk-local-never-written");
    Client::with_config(config)
}

/// Streams one answer and asks for another through the server at `base_url`: every chunk,
/// and the completion.
async fn chat(base_url: &str) -> Value {
    let client = openai(base_url);
    let stream = client.chat().create_stream(request(FIRST)).await.unwrap();
    let chunks: Vec<Value> = stream
        .map(|chunk| serde_json::to_value(chunk.unwrap()).unwrap())
        .collect()
        .await;
    let completion = client.chat().create(request(SECOND)).await.unwrap();
    json!({"chunks": chunks, "completion": completion})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_client_records_through_the_server_and_replays_with_the_upstream_gone() {
    let upstream = OpenAiServer::start();
    let dir = tempfile::tempdir().unwrap();
    let recording = Start::new("1", dir.path())
        .upstream(&upstream.base_url())
        .start();
    let recorded = chat(&recording.url).await;
    assert_eq!(upstream.requests_served(), 2);
    assert!(recording.terminate(), "the server exits cleanly on SIGTERM");

    let replaying = Start::new("", dir.path())
        .upstream(&OpenAiServer::unreachable_base_url())
        .start();
    let replayed = chat(&replaying.url).await;
    assert_eq!(
        upstream.requests_served(),
        2,
        "the replay reached the upstream"
    );
    assert_eq!(
        recorded, replayed,
        "the replay differs from what the upstream sent"
    );

    let chunks = recorded["chunks"].as_array().unwrap();
    assert_eq!(
        cached_stubs_suite::streamed_text(chunks),
        cached_stubs_suite::answer(&[json!({"role": "user", "content": FIRST})])
    );
    assert!(chunks.len() > 10, "{} chunks", chunks.len());

    // One stub per request, in the folder of its method and path; no header written.
    let written = files(dir.path());
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written
            .iter()
            .all(|file| file.starts_with("POST/chat/completions"))
    );
    for file in &written {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(!text.contains("sk-local") && !text.to_lowercase().contains("authorization"));
    }
    let stubs = stubs(dir.path());
    let streamed = stubs
        .iter()
        .find(|stub| stub.get("items").is_some())
        .unwrap();
    assert_eq!(streamed["function"], "POST::chat::completions");
    assert_eq!(streamed["args"]["method"], "POST");
    assert_eq!(streamed["args"]["path"], "/chat/completions");
    assert_eq!(streamed["args"]["body"]["messages"][0]["content"], FIRST);
    assert_eq!(
        streamed["http"],
        json!({"content_type": "text/event-stream", "status": 200})
    );
    let items = streamed["items"].as_array().unwrap();
    assert_eq!(items.len(), chunks.len() + 1);
    assert_eq!(items.last().unwrap(), "[DONE]");
    let plain = stubs
        .iter()
        .find(|stub| stub.get("output").is_some())
        .unwrap();
    assert_eq!(plain["output"], recorded["completion"]);

    // The stubs committed beside this test (which `cargo stubs` reads in its own tests) are
    // what a recording writes, byte for byte.
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stubs");
    assert_eq!(files(&committed), written);
    for file in &written {
        let read = |root: &Path| std::fs::read_to_string(root.join(file)).unwrap();
        assert_eq!(read(dir.path()), read(&committed), "{}", file.display());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_json_body_with_other_key_order_and_spacing_replays_the_same_answer() {
    let upstream = Upstream::start(|_, body| Script::json(&json!({"echo": body})));
    let dir = tempfile::tempdir().unwrap();
    let recording = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let asked = r#"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":1}"#;
    let (status, content_type, answer) = post(&recording.url, "/v1/chat/completions", asked).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "application/json")
    );
    drop(recording);

    let replaying = Start::new("", dir.path()).start();
    let reordered = "{ \"n\": 1,\n  \"messages\": [ {\"content\": \"hi\", \"role\": \"user\"} ],\n  \"model\": \"m\" }";
    let (status, content_type, replayed) =
        post(&replaying.url, "/v1/chat/completions", reordered).await;
    assert_eq!(
        (status.as_u16(), content_type.as_str()),
        (200, "application/json")
    );
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    assert_eq!(json(&replayed), json(&answer));
    assert_eq!(upstream.requests(), 1);
    // The client's headers reached the upstream, and none was written.
    let asked = upstream.asked.lock().unwrap().clone();
    let authorization = "Bearer test-key-never-written";
    assert_eq!(
        asked,
        [(
            "/v1/chat/completions".to_string(),
            authorization.to_string()
        )]
    );
    let [stub] = &files(dir.path())[..] else {
        panic!("one stub");
    };
    let text = std::fs::read_to_string(dir.path().join(stub)).unwrap();
    assert!(!text.contains("test-key") && !text.to_lowercase().contains("authorization"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_miss_is_a_404_naming_the_nearest_request_how_it_differs_and_the_command() {
    let upstream = OpenAiServer::start();
    let dir = tempfile::tempdir().unwrap();
    let recording = Start::new("1", dir.path())
        .upstream(&upstream.base_url())
        .start();
    openai(&recording.url)
        .chat()
        .create(request(FIRST))
        .await
        .unwrap();
    drop(recording);

    let replaying = Start::new("", dir.path()).start();
    let missed = openai(&replaying.url).chat().create(request(SECOND)).await;
    let Err(OpenAIError::ApiError(error)) = missed else {
        panic!("a miss is an API error: {missed:?}");
    };
    assert_eq!(error.api_error.r#type.as_deref(), Some("cached_stubs_miss"));
    let message = error.api_error.message;
    let nearest = files(dir.path()).remove(0);
    for expected in [
        "no stub to replay for POST /chat/completions".to_string(),
        "the nearest stub differs in `body.messages[0].content`:".to_string(),
        format!("{}", dir.path().join(&nearest).display()),
        format!("body.messages[0].content: recorded {FIRST:?}"),
        format!("                          called   {SECOND:?}"),
        "The upstream was not contacted. To record it, run the server with RECORD=1:".to_string(),
        format!(
            "RECORD=1 cached-stubs-server --listen 127.0.0.1:0 --dir {} --upstream URL",
            dir.path().display()
        ),
    ] {
        assert!(
            message.contains(&expected),
            "{expected:?} not in\n{message}"
        );
    }
    eventually("the miss is on stderr", || {
        replaying.stderr().contains(&message)
    });

    let (status, _, body) = post(&replaying.url, "/v1/embeddings", r#"{"input": "x"}"#).await;
    assert_eq!(status.as_u16(), 404);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["type"], "cached_stubs_miss");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("no stub has been recorded for POST /v1/embeddings yet"),
        "{message}"
    );
    assert_eq!(upstream.requests_served(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_that_is_no_json_or_too_large_is_a_400_and_nothing_is_forwarded() {
    let upstream = Upstream::start(|_, _| Script::json(&json!({"ok": true})));
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let large = format!(
        "[\"{}\"]",
        "x".repeat(cached_stubs_server::MAX_REQUEST_BYTES)
    );
    for (body, expected) in [
        ("model=m&prompt=hi", "the request body is not JSON"),
        (
            large.as_str(),
            "the request body is larger than the 16 MiB the server reads",
        ),
    ] {
        let (status, _, answer) = post(&server.url, "/v1/completions", body).await;
        assert_eq!(status.as_u16(), 400, "{answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"]["type"], "cached_stubs_invalid_request");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(expected) && message.contains("nothing was forwarded"),
            "{message}"
        );
    }
    assert_eq!(upstream.requests(), 0);
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_path_too_long_for_a_folder_is_a_400_in_every_mode_that_keys() {
    let upstream = Upstream::start(|_, _| Script::json(&json!({"ok": true})));
    let dir = tempfile::tempdir().unwrap();
    // About 5 KB, each segment well under the 200 bytes a folder's name may be.
    let long = format!("/{}", "segment-".repeat(12)).repeat(50);
    for record in ["", "1"] {
        let server = Start::new(record, dir.path())
            .upstream(&upstream.url)
            .start();
        let (status, _, answer) = post(&server.url, &long, "{}").await;
        assert_eq!(status.as_u16(), 400, "RECORD={record}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"]["type"], "cached_stubs_invalid_request");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("the path is too long for a stub's folder")
                && message.contains("nothing was forwarded"),
            "{message}"
        );
    }
    assert_eq!(upstream.requests(), 0);
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_stub_is_a_500_is_never_overwritten_and_reaches_no_upstream() {
    let upstream = Upstream::start(|_, _| Script::json(&json!({"answer": 42})));
    let dir = tempfile::tempdir().unwrap();
    let recording = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let (status, _, _) = post(&recording.url, "/v1/answer", "{}").await;
    assert!(status.is_success());
    drop(recording);
    let [stub] = &files(dir.path())[..] else {
        panic!("one stub");
    };
    let stub = dir.path().join(stub);
    let broken = b"{\"format\": 1, \"function\": ".to_vec();
    std::fs::write(&stub, &broken).unwrap();

    for record in ["", "1"] {
        let server = Start::new(record, dir.path())
            .upstream(&upstream.url)
            .start();
        let (status, _, answer) = post(&server.url, "/v1/answer", "{}").await;
        assert_eq!(status.as_u16(), 500, "RECORD={record}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"]["type"], "cached_stubs_unreadable_stub");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("can't replay POST /v1/answer: its stub can't be read")
                && message.contains(&stub.display().to_string())
                && message.contains("the upstream was not contacted"),
            "{message}"
        );
        assert_eq!(std::fs::read(&stub).unwrap(), broken, "RECORD={record}");
    }
    assert_eq!(upstream.requests(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn dot_dot_segments_are_escaped_and_nothing_is_written_outside_the_stub_folder() {
    use std::io::{Read, Write};
    let upstream = Upstream::start(|_, _| Script::json(&json!({"ok": true})));
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("stubs-http");
    let server = Start::new("1", &dir).upstream(&upstream.url).start();
    // By hand: an HTTP client would resolve the `..` before sending.
    let address = server.url.strip_prefix("http://").unwrap();
    let mut connection = std::net::TcpStream::connect(address).unwrap();
    let asked = "POST /v1/../../../escaped/%2E%2E/x HTTP/1.1\r\nHost: s\r\n\
                 Content-Type: application/json\r\nContent-Length: 2\r\n\
                 Connection: close\r\n\r\n{}";
    connection.write_all(asked.as_bytes()).unwrap();
    let mut answer = String::new();
    connection.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let written = files(root.path());
    let [stub] = &written[..] else {
        panic!("one stub: {written:?}");
    };
    assert_eq!(
        stub.parent().unwrap(),
        Path::new("stubs-http/POST/v1/%2E%2E/%2E%2E/%2E%2E/escaped/%2E%2E/x")
    );
    let recorded = &stubs(&dir)[0];
    assert_eq!(
        recorded["function"],
        "POST::v1::%2E%2E::%2E%2E::%2E%2E::escaped::%2E%2E::x"
    );
    assert_eq!(recorded["args"]["path"], "/v1/../../../escaped/%2E%2E/x");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upstream_out_of_reach_is_a_502_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for record in ["1", "all", "passthrough"] {
        let server = Start::new(record, dir.path())
            .upstream(&OpenAiServer::unreachable_base_url())
            .start();
        let (status, _, answer) = post(&server.url, "/v1/chat/completions", "{}").await;
        assert_eq!(status.as_u16(), 502, "RECORD={record}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"]["type"], "cached_stubs_upstream");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("can't forward POST /v1/chat/completions to the upstream"),
            "{message}"
        );
        eventually("the 502 is on stderr", || server.stderr().contains(message));
    }
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn passthrough_forwards_the_clients_headers_and_answers_the_upstreams() {
    let upstream = Upstream::start(|_, _| Script::json(&json!({"answer": 42})));
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("passthrough", dir.path())
        .upstream(&upstream.url)
        .start();
    let answer = support::client()
        .post(format!("{}/v1/answer?x=1", server.url))
        .header("authorization", "Bearer test-key-never-written")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.headers()["x-request-id"], "req-123");
    assert_eq!(answer.text().await.unwrap(), r#"{"answer":42}"#);
    let asked = upstream.asked.lock().unwrap().clone();
    assert_eq!(
        asked,
        [(
            "/v1/answer".to_string(),
            "Bearer test-key-never-written".to_string()
        )]
    );
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_errors_reach_the_client_and_are_not_recorded() {
    let upstream = Upstream::start(|_, _| Script::Whole {
        status: 429,
        content_type: "application/json",
        body: json!({"error": {"message": "slow down", "type": "rate_limit"}}).to_string(),
        delay: Duration::ZERO,
    });
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    for _ in 0..2 {
        let (status, content_type, body) = post(&server.url, "/v1/chat/completions", "{}").await;
        assert_eq!(
            (status.as_u16(), content_type.as_str()),
            (429, "application/json")
        );
        assert!(body.contains("slow down"));
    }
    assert_eq!(upstream.requests(), 2, "an error is never replayed");
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_holding_a_secret_reaches_the_client_and_is_not_recorded() {
    // Built here, so that no key-shaped string is ever committed.
    let key = format!("sk-proj-{}", "a1B2c3D4".repeat(4));
    let answer = json!({"choices": [{"message": {"content": format!("Your key is {key}")}}]});
    let upstream = Upstream::start(move |_, _| Script::json(&answer));
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let (status, _, body) = post(&server.url, "/v1/chat/completions", "{}").await;
    assert!(
        status.is_success() && body.contains("Your key is"),
        "{body}"
    );
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
    let expected = "its stub would hold a secret, and nothing was written";
    eventually("the refusal is on stderr", || {
        server.stderr().contains(expected)
    });
    let stderr = server.stderr();
    assert!(
        stderr.contains("`output.choices[0].message.content` holds")
            && !stderr.contains("a1B2c3D4"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_in_the_query_is_never_recorded_nor_shown_on_stderr() {
    // Built here, so that no key-shaped string is ever committed: a Google API key.
    let key = format!("AIza{}", "Sy0-bC1_dE2fG3hI4jK5lM6nO7pQ8rS9t".repeat(2))[..39].to_string();
    let upstream = Upstream::start(|_, _| Script::json(&json!({"candidates": []})));
    let dir = tempfile::tempdir().unwrap();
    let path = format!("/v1beta/models/gemini-pro:generateContent?key={key}&alt=json");
    let recording = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let (status, _, body) = post(&recording.url, &path, "{}").await;
    assert!(status.is_success() && body.contains("candidates"), "{body}");
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
    eventually("the refusal is on stderr", || {
        recording.stderr().contains("its stub would hold a secret")
    });
    let stderr = recording.stderr();
    assert!(
        stderr.contains("can't record POST /v1beta/models/gemini-pro:generateContent?key=…&alt=…")
            && stderr.contains("`args.path` holds")
            && !stderr.contains(&key[4..]),
        "{stderr}"
    );
    drop(recording);

    // A replay misses it, and says why without the key.
    let replaying = Start::new("", dir.path()).start();
    let (status, _, body) = post(&replaying.url, &path, "{}").await;
    assert_eq!(status.as_u16(), 404, "{body}");
    assert!(
        body.contains("none can be recorded") && !body.contains(&key[4..]),
        "{body}"
    );
    eventually("the miss is on stderr", || {
        replaying.stderr().contains("none can be recorded")
    });
    assert!(!replaying.stderr().contains(&key[4..]));
    assert_eq!(upstream.requests(), 1);
}

/// A slow upstream: a JSON answer after 300 ms, or five events 100 ms apart.
fn slow_upstream() -> Upstream {
    Upstream::start(|path, body| {
        if path.ends_with("/stream") {
            let events = (0..5).map(|at| json!({"at": at, "asked": body}).to_string());
            Script::Events {
                events: events.chain(["[DONE]".to_string()]).collect(),
                pause: Duration::from_millis(100),
            }
        } else {
            Script::Whole {
                status: 200,
                content_type: "application/json",
                body: json!({"asked": body}).to_string(),
                delay: Duration::from_millis(300),
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_requests_at_once_while_recording_make_one_upstream_request() {
    let upstream = slow_upstream();
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("all", dir.path())
        .upstream(&upstream.url)
        .start();
    for path in ["/v1/value", "/v1/stream"] {
        let before = upstream.requests();
        let asked = (0..8).map(|_| post(&server.url, path, r#"{"q": "same"}"#));
        let answers = futures::future::join_all(asked).await;
        assert!(
            answers.iter().all(|answer| answer.0.is_success()),
            "{answers:?}"
        );
        let bodies: Vec<&str> = answers.iter().map(|answer| answer.2.as_str()).collect();
        assert!(bodies.iter().all(|body| *body == bodies[0]), "{bodies:?}");
        assert_eq!(upstream.requests() - before, 1, "{path}");
    }
    assert_eq!(stubs(dir.path()).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_disconnects_mid_stream_leaves_no_stub() {
    let upstream = slow_upstream();
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let answer = support::client()
        .post(format!("{}/v1/stream", server.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    let mut chunks = answer.bytes_stream();
    let first = chunks.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("data: {"));
    drop(chunks);
    // The upstream goes on for 500 ms, and the server may wait 2 s more for its end.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());

    // Read to its end, the same stream is recorded.
    let (status, _, body) = post(&server.url, "/v1/stream", "{}").await;
    assert!(
        status.is_success() && body.ends_with("data: [DONE]\n\n"),
        "{body}"
    );
    eventually("the stream is recorded", || stubs(dir.path()).len() == 1);
    assert_eq!(upstream.requests(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_larger_than_a_stub_reaches_the_client_whole_and_is_not_recorded() {
    // 65 events of 1 MiB: just over the 64 MiB a stub may hold.
    let event = "x".repeat(1 << 20);
    let upstream = Upstream::start(move |_, _| Script::Events {
        events: vec![event.clone(); 65]
            .into_iter()
            .chain(["[DONE]".to_string()])
            .collect(),
        pause: Duration::ZERO,
    });
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    // Two at once: the one waiting for the other asks the upstream itself.
    let asked = (0..2).map(|_| post(&server.url, "/v1/stream", "{}"));
    for (status, _, body) in futures::future::join_all(asked).await {
        assert!(status.is_success());
        assert_eq!(body.len(), 65 * ((1 << 20) + 8) + "data: [DONE]\n\n".len());
        assert!(body.ends_with("data: [DONE]\n\n"));
    }
    assert_eq!(upstream.requests(), 2);
    assert_eq!(files(dir.path()), Vec::<std::path::PathBuf>::new());
    let stderr = server.stderr();
    assert!(
        stderr.contains(
            "not recording POST /v1/stream: its stream is larger than the 67108864 bytes a \
             stub may hold"
        ),
        "{stderr}"
    );
}

/// How long `post` took, in milliseconds, with what it answered.
async fn timed_post(url: &str, path: &str) -> (u64, String) {
    let started = Instant::now();
    let (status, _, body) = post(url, path, r#"{"q": 1}"#).await;
    assert!(status.is_success(), "{body}");
    (started.elapsed().as_millis() as u64, body)
}

/// When each event of a stream came, in milliseconds from the request.
async fn event_times(url: &str) -> Vec<u64> {
    let started = Instant::now();
    let answer = support::client()
        .post(format!("{url}/v1/stream"))
        .body(r#"{"q": 1}"#)
        .send()
        .await
        .unwrap();
    let mut times = Vec::new();
    let mut chunks = answer.bytes_stream();
    let mut text = String::new();
    while let Some(chunk) = chunks.next().await {
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = text.find("\n\n") {
            text.drain(..end + 2);
            times.push(started.elapsed().as_millis() as u64);
        }
    }
    times
}

#[tokio::test(flavor = "multi_thread")]
async fn timings_are_kept_and_replayed_within_tolerance_only_when_asked_for() {
    let upstream = slow_upstream();
    let (untimed, timed) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, timing) in [(&untimed, ""), (&timed, "1")] {
        let server = Start::new("1", dir.path())
            .upstream(&upstream.url)
            .env("CACHED_STUBS_TIMING", timing)
            .start();
        timed_post(&server.url, "/v1/value").await;
        event_times(&server.url).await;
    }
    for stub in stubs(untimed.path()) {
        assert!(
            stub.get("elapsed_ms").is_none() && stub.get("offsets_ms").is_none(),
            "{stub}"
        );
    }
    let stubs = stubs(timed.path());
    let value = stubs
        .iter()
        .find(|stub| stub.get("output").is_some())
        .unwrap();
    let took = value["elapsed_ms"].as_u64().unwrap();
    assert!((300..1300).contains(&took), "{took}");
    let stream = stubs
        .iter()
        .find(|stub| stub.get("items").is_some())
        .unwrap();
    let offsets: Vec<u64> = serde_json::from_value(stream["offsets_ms"].clone()).unwrap();
    assert_eq!(offsets.len(), 6);
    assert!(offsets.is_sorted() && offsets[5] >= 500, "{offsets:?}");

    // Replayed with timings: as long as recorded (within 250 ms); each event at its offset.
    let replaying = Start::new("", timed.path())
        .env("CACHED_STUBS_TIMING", "1")
        .start();
    let (ms, _) = timed_post(&replaying.url, "/v1/value").await;
    assert!(
        ms >= took && ms < took + 250,
        "replayed in {ms} ms, recorded in {took}"
    );
    let times = event_times(&replaying.url).await;
    let ttfb = stream["elapsed_ms"].as_u64().unwrap();
    for (time, offset) in times.iter().zip(&offsets) {
        let due = ttfb + offset;
        assert!(
            *time >= due && *time < due + 250,
            "events at {times:?}, due at {offsets:?} after {ttfb}"
        );
    }
    drop(replaying);

    // Twice as fast with `--speed 2`, which also turns timings on.
    let faster = Start::new("", timed.path()).arg("--speed").arg("2").start();
    let (ms, _) = timed_post(&faster.url, "/v1/value").await;
    assert!(
        ms >= took / 2 && ms < took,
        "replayed at speed 2 in {ms} ms, recorded in {took}"
    );
    let times = event_times(&faster.url).await;
    let last = *times.last().unwrap();
    assert!(
        last >= (ttfb + offsets[5]) / 2 && last < ttfb + offsets[5],
        "{times:?}"
    );
    drop(faster);

    // Without timings, at once.
    let at_once = Start::new("", timed.path()).start();
    let (ms, _) = timed_post(&at_once.url, "/v1/value").await;
    assert!(ms < 150, "replayed without timings in {ms} ms");
    let times = event_times(&at_once.url).await;
    assert!(*times.last().unwrap() < 150, "{times:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn record_all_asks_again_and_passthrough_records_nothing() {
    let upstream = Upstream::start(|_, _| Script::json(&json!({"answer": 42})));
    let dir = tempfile::tempdir().unwrap();
    for (record, requests, stubs_after) in [
        ("1", 1, 1),
        ("1", 1, 1),
        ("all", 2, 1),
        ("passthrough", 3, 1),
    ] {
        let server = Start::new(record, dir.path())
            .upstream(&upstream.url)
            .start();
        let (status, _, body) = post(&server.url, "/v1/answer", "{}").await;
        assert!(status.is_success() && body.contains("42"), "{body}");
        assert_eq!(
            (upstream.requests(), stubs(dir.path()).len()),
            (requests, stubs_after),
            "RECORD={record}"
        );
    }
    let (status, _, _) = post(
        &Start::new("passthrough", dir.path())
            .upstream(&upstream.url)
            .start()
            .url,
        "/v1/raw",
        "not json",
    )
    .await;
    assert!(status.is_success(), "passthrough forwards anything");
}

#[test]
fn a_wrong_setting_stops_the_server_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    for (record, timing, expected) in [
        (
            "sometimes",
            "",
            "RECORD=\"sometimes\" is not a value it knows",
        ),
        ("1", "", "give the API to forward to with --upstream URL"),
        (
            "",
            "slow",
            "CACHED_STUBS_TIMING=\"slow\" is not a value it knows",
        ),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_cached-stubs-server"))
            .args(["--listen", "127.0.0.1:0", "--dir"])
            .arg(dir.path())
            .env("RECORD", record)
            .env("CACHED_STUBS_TIMING", timing)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_recording_in_flight_finish_and_write_its_stub_whole() {
    let upstream = slow_upstream();
    let dir = tempfile::tempdir().unwrap();
    let server = Start::new("1", dir.path()).upstream(&upstream.url).start();
    let url = server.url.clone();
    let streaming = tokio::spawn(async move { post(&url, "/v1/stream", "{}").await });
    eventually("the stream started", || upstream.requests() == 1);
    let terminated = tokio::task::spawn_blocking(move || server.terminate());
    let (status, _, body) = streaming.await.unwrap();
    assert!(
        status.is_success() && body.ends_with("data: [DONE]\n\n"),
        "{body}"
    );
    assert!(terminated.await.unwrap(), "the server exits cleanly");
    let stubs = stubs(dir.path());
    assert_eq!(stubs.len(), 1);
    assert_eq!(stubs[0]["items"].as_array().unwrap().len(), 6);
}

/// Unix only: `Child::kill` is SIGKILL there, which lets nothing run after.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_recording_killed_with_sigkill_leaves_no_torn_stub() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // The first answer is short; every later one 40 MB, long to write.
    let answered = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&answered);
    let upstream = Upstream::start(move |_, _| {
        let long = counted.fetch_add(1, Ordering::SeqCst) > 0;
        let text = if long {
            "x".repeat(40_000_000)
        } else {
            "short".into()
        };
        Script::json(&json!({ "text": text }))
    });
    let dir = tempfile::tempdir().unwrap();
    let first = Start::new("1", dir.path()).upstream(&upstream.url).start();
    post(&first.url, "/v1/long", "{}").await;
    drop(first);
    let [stub] = &files(dir.path())[..] else {
        panic!("one stub");
    };
    let stub = dir.path().join(stub);
    let previous = std::fs::read(&stub).unwrap();

    let mut killed_while_writing = false;
    for _ in 0..5 {
        let server = Start::new("all", dir.path())
            .upstream(&upstream.url)
            .start();
        let url = server.url.clone();
        let asking = tokio::spawn(async move {
            let _ = support::client()
                .post(format!("{url}/v1/long"))
                .body("{}")
                .send()
                .await;
        });
        let folder = stub.parent().unwrap().to_path_buf();
        let temporary = || {
            std::fs::read_dir(&folder).unwrap().any(|entry| {
                entry
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
        };
        let replaced = || std::fs::metadata(&stub).unwrap().len() != previous.len() as u64;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !temporary() && !replaced() {
            assert!(
                Instant::now() < deadline,
                "the server never started writing"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        server.kill();
        let _ = asking.await;
        // The stub is the previous one, or the new one whole: never a part.
        let now = std::fs::read(&stub).unwrap();
        let json: Value = serde_json::from_slice(&now).expect("the stub is whole JSON");
        if now == previous {
            killed_while_writing = true;
            break;
        }
        assert_eq!(json["output"]["text"].as_str().unwrap().len(), 40_000_000);
        std::fs::write(&stub, &previous).unwrap();
    }
    assert!(
        killed_while_writing,
        "in 5 attempts, every recording ended before the kill"
    );
    // What the kill left is never replayed: the stub is.
    let replaying = Start::new("", dir.path()).start();
    let (status, _, body) = post(&replaying.url, "/v1/long", "{}").await;
    assert_eq!(
        (status.as_u16(), body.as_str()),
        (200, r#"{"text":"short"}"#)
    );
}

/// The README's replay script, as written there, up to the suite it runs: it starts the
/// server on a free port and hands the clients its address.
#[tokio::test(flavor = "multi_thread")]
async fn the_readmes_replay_script_gives_the_suite_the_servers_address() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;

    let readme = include_str!("../../README.md");
    let start = readme
        .find("cached-stubs-server --listen 127.0.0.1:0 --dir stubs-http > server.out &")
        .expect("the README's replay script");
    let end = start + readme[start..].find("npm test").unwrap();
    let script = format!("{}echo \"$OPENAI_BASE_URL\"\nwait\n", &readme[start..end]);

    // The committed stubs, as a team's `stubs-http/` holds them.
    let folder = tempfile::tempdir().unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stubs");
    for file in files(&committed) {
        let to = folder.path().join("stubs-http").join(&file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(committed.join(&file), to).unwrap();
    }
    let binaries = Path::new(env!("CARGO_BIN_EXE_cached-stubs-server"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(
        std::iter::once(binaries.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let mut shell = std::process::Command::new("sh")
        .args(["-c", &script])
        .current_dir(folder.path())
        .env("PATH", path)
        .env_remove("RECORD")
        .stdout(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(shell.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let url = url.trim().to_string();

    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    let replayed = openai(&url).chat().create(request(SECOND)).await;
    let kill = std::process::Command::new("kill")
        .args(["-TERM", "--", &format!("-{}", shell.id())])
        .status();
    shell.wait().unwrap();
    assert!(kill.unwrap().success());
    let replayed = serde_json::to_value(replayed.unwrap()).unwrap();
    let recorded = stubs(&committed)
        .into_iter()
        .find(|stub| stub.get("output").is_some())
        .unwrap();
    assert_eq!(replayed, recorded["output"]);
}
