//! An OpenAI-compatible chat completions server on 127.0.0.1, for tests and examples that
//! need a real HTTP endpoint: `POST /v1/chat/completions` answers with a JSON completion, or,
//! with `"stream": true`, with server-sent events, a word a chunk, ending in `data: [DONE]`.
//!
//! Its answers are a function of the request alone (the same ids, timestamps and words every
//! time), so a recording made against it can be made again byte for byte.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A running server; it stops with the process.
///
/// ```
/// let server = cached_stubs_suite::OpenAiServer::start();
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.requests_served(), 0);
/// ```
pub struct OpenAiServer {
    address: SocketAddr,
    served: Arc<AtomicUsize>,
}

/// The model name in every answer.
const MODEL: &str = "local-model";
/// The `created` timestamp of every answer: fixed, so that answers repeat exactly.
const CREATED: u64 = 1_763_596_800;
/// The pause between two streamed chunks, so that a stream streams.
const CHUNK_PAUSE: Duration = Duration::from_millis(5);

impl OpenAiServer {
    /// Binds a free port on 127.0.0.1 and serves each connection on a thread of its own.
    pub fn start() -> OpenAiServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
        let address = listener.local_addr().expect("a bound address");
        let served = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&served);
        std::thread::spawn(move || {
            for connection in listener.incoming().flatten() {
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || {
                    if serve(connection).is_ok() {
                        counter.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
        });
        OpenAiServer { address, served }
    }

    /// What `OPENAI_BASE_URL` should be to reach this server.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.address)
    }

    /// An `OPENAI_BASE_URL` that nothing answers: a port on 127.0.0.1 bound, then let go.
    pub fn unreachable_base_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
        let address = listener.local_addr().expect("a bound address");
        format!("http://{address}/v1")
    }

    /// How many requests it has answered.
    pub fn requests_served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

/// Reads one request and answers it.
fn serve(connection: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(connection.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body)?;
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut connection = connection;
    if !request_line.starts_with("POST /v1/chat/completions ") {
        return respond(&mut connection, "404 Not Found", "application/json", b"{}");
    }
    let messages = request["messages"].as_array().cloned().unwrap_or_default();
    let reply = answer(&messages);
    let id = format!("chatcmpl-{:016x}", fnv1a(&body));
    if request["stream"] == true {
        stream(&mut connection, &id, &reply)
    } else {
        let completion = json!({
            "id": id, "object": "chat.completion", "created": CREATED, "model": MODEL,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 0, "completion_tokens": words(&reply).len(), "total_tokens": 0},
        });
        respond(
            &mut connection,
            "200 OK",
            "application/json",
            completion.to_string().as_bytes(),
        )
    }
}

fn respond(
    connection: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    write!(
        connection,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    connection.write_all(body)
}

/// The reply as server-sent events: the role, a chunk a word, the finish reason, `[DONE]`.
fn stream(connection: &mut TcpStream, id: &str, reply: &str) -> std::io::Result<()> {
    write!(
        connection,
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
    )?;
    let chunk = |delta: Value, finish_reason: Value| {
        json!({
            "id": id, "object": "chat.completion.chunk", "created": CREATED, "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        })
    };
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    events.extend(
        words(reply)
            .into_iter()
            .map(|word| chunk(json!({"content": word}), Value::Null)),
    );
    events.push(chunk(json!({}), json!("stop")));
    for event in events {
        write!(connection, "data: {event}\n\n")?;
        connection.flush()?;
        std::thread::sleep(CHUNK_PAUSE);
    }
    write!(connection, "data: [DONE]\n\n")?;
    connection.flush()
}

/// The reply to a conversation: to its last user message, from a short script, or else an
/// echo of it.
pub fn answer(messages: &[Value]) -> String {
    let last = messages
        .iter()
        .rev()
        .find(|message| message["role"] == "user")
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default();
    let scripted = [
        (
            "Suggest a name for a bakery that also sells books.",
            "How about \"Crumbs & Chapters\"? It promises fresh bread and a good story under one roof.",
        ),
        (
            "Now write a one-line slogan for it.",
            "Crumbs & Chapters: every loaf comes with a plot twist.",
        ),
        // The README's quick start.
        (
            "Classify this review as Positive, Negative or Mixed: Great coffee, loved the terrace.",
            "Positive",
        ),
    ];
    match scripted.iter().find(|(prompt, _)| *prompt == last) {
        Some((_, reply)) => reply.to_string(),
        None => format!("You said: {last}"),
    }
}

/// The text of a streamed chat answer, as a client receives it: the content of each chunk's
/// delta, in order.
pub fn streamed_text(chunks: &[Value]) -> String {
    chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect()
}

/// The reply cut into streamed pieces: each word with the space after it.
fn words(reply: &str) -> Vec<&str> {
    reply.split_inclusive(' ').collect()
}

/// A stable hash of the request, for its answer's id.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
