//! Replay under load: throughput and latency of `cached-stubs-server` replaying a recorded
//! 1 KiB chat completion and a 200-event stream, at 1, 16 and 256 concurrent connections,
//! against a floor server on the same stack (the server's own `http::serve`, tokio and
//! hyper, the same runtime) that answers with the same bytes from memory. Both are processes
//! of their own, measured in the same run in short samples taken in blocks of floor, server,
//! server, floor; the ratio is the server's median throughput over the floor's. Also the memory (RSS) of each at 256
//! connections, and the completion asked in new bytes every time (the same JSON, spaced
//! otherwise), which the server must read, key and look up as it does a request it never saw.
//!
//! `cargo bench -p cached-stubs-server --bench load`; `LOAD_SECONDS` sets how long each side
//! of a cell is measured, in eight samples (default 4). See BENCHMARKS.md.

use bytes::Bytes;
use cached_stubs_server::http::{self, full};
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Blocks of four samples (floor, server, server, floor) in a cell.
const BLOCKS: usize = 4;

/// Set in the floor server's environment: the folder of the bytes it answers with.
const FLOOR: &str = "CACHED_STUBS_BENCH_FLOOR";
/// The header that tells the floor which answer a request wants; the server ignores it.
const CASE: &str = "x-bench-case";

fn main() {
    if let Some(dir) = std::env::var_os(FLOOR) {
        return floor_server(Path::new(&dir));
    }
    let seconds: f64 = std::env::var("LOAD_SECONDS")
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(4.0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stubs = tempfile::tempdir().unwrap();
    let bytes = tempfile::tempdir().unwrap();
    let cases = runtime.block_on(record(stubs.path(), bytes.path()));
    let server = Process::start(&mut server_command(stubs.path()));
    let mut floor = Command::new(std::env::current_exe().unwrap());
    floor.env(FLOOR, bytes.path());
    let floor = Process::start(&mut floor);

    println!(
        "| case | connections | floor req/s | server req/s | ratio | floor p50 / p99 | server p50 / p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut memory = Vec::new();
    for case in &cases {
        for connections in [1, 16, 256] {
            let sample = seconds / (2 * BLOCKS) as f64;
            let run =
                |process: &Process| runtime.block_on(load(process, case, connections, sample));
            let (mut floor_run, mut server_run) = (Run::default(), Run::default());
            // Floor, server, server, floor: each goes first as often as the other, and what
            // else the machine does falls on both alike.
            for _ in 0..BLOCKS {
                floor_run = floor_run.merge(run(&floor));
                server_run = server_run.merge(run(&server));
                server_run = server_run.merge(run(&server));
                floor_run = floor_run.merge(run(&floor));
            }
            println!(
                "| {} | {connections} | {:.0} | {:.0} | {:.2} | {} / {} | {} / {} |",
                case.name,
                floor_run.throughput(),
                server_run.throughput(),
                server_run.throughput() / floor_run.throughput(),
                shown(floor_run.percentile(0.5)),
                shown(floor_run.percentile(0.99)),
                shown(server_run.percentile(0.5)),
                shown(server_run.percentile(0.99)),
            );
            if connections == 256 {
                memory.push((case.name, floor_run.rss_kib, server_run.rss_kib));
            }
        }
    }
    println!();
    println!("| case, 256 connections | floor RSS | server RSS |");
    println!("|---|---:|---:|");
    for (name, floor_kib, server_kib) in memory {
        println!(
            "| {name} | {:.1} MiB | {:.1} MiB |",
            floor_kib as f64 / 1024.0,
            server_kib as f64 / 1024.0
        );
    }
    println!(
        "\nPeak RSS over the whole run: floor {:.1} MiB, server {:.1} MiB",
        floor.peak_kib() as f64 / 1024.0,
        server.peak_kib() as f64 / 1024.0
    );
}

/// A request the load sends, and the answer both servers give it.
struct Case {
    name: &'static str,
    /// The answer's name, which tells the floor which to send.
    answer: &'static str,
    body: Bytes,
    /// Whether each request is spaced anew, so that no two have the same bytes.
    respaced: bool,
    /// The length of the answer's body, which every answer is checked against.
    answer_len: usize,
}

/// Records a 1 KiB completion and a 200-event stream through the server, from an upstream
/// of its own, into `stubs`; writes the bytes their replays answer with into `bytes`, for
/// the floor.
async fn record(stubs: &Path, bytes: &Path) -> Vec<Case> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(http::serve(
        listener,
        upstream_answer,
        std::future::pending(),
    ));

    let recording = Process::start(
        server_command(stubs)
            .env("RECORD", "1")
            .args(["--upstream", &upstream]),
    );
    let mut cases = Vec::new();
    for (name, stream) in [("1 KiB completion", false), ("200-event stream", true)] {
        let body = json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": "Suggest a name for a bakery."}],
            "stream": stream,
        });
        let body = Bytes::from(body.to_string());
        let answer = send(recording.address, name, &body).await;
        cases.push(Case {
            name,
            answer: name,
            body,
            respaced: false,
            answer_len: answer.len(),
        });
    }
    drop(recording);
    // What a replay answers, for the floor to answer from memory.
    let replaying = Process::start(&mut server_command(stubs));
    for case in &cases {
        let answer = send(replaying.address, case.name, &case.body).await;
        assert_eq!(
            answer.len(),
            case.answer_len,
            "the replay differs from the recording"
        );
        std::fs::write(bytes.join(file_name(case.name)), &answer).unwrap();
    }
    let completion = &cases[0];
    cases.push(Case {
        name: "1 KiB completion, new bytes each time",
        answer: completion.answer,
        body: completion.body.clone(),
        respaced: true,
        answer_len: completion.answer_len,
    });
    cases
}

/// `body` after spaces and newlines that spell `n` in binary: the same JSON, new bytes.
fn respaced(body: &Bytes, n: u64) -> Bytes {
    let mut spaced: Vec<u8> = (0..40)
        .map(|bit| if n >> bit & 1 == 1 { b'\n' } else { b' ' })
        .collect();
    spaced.extend_from_slice(body);
    Bytes::from(spaced)
}

/// The upstream's answers: a completion of about 1 KiB, or 200 chunks of a stream and
/// `[DONE]`.
async fn upstream_answer(request: Request<hyper::body::Incoming>) -> Response<http::Body> {
    let asked: Value =
        serde_json::from_slice(&request.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let chunk = |content: String| {
        json!({
            "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1763596800,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}],
        })
    };
    if asked["stream"] == true {
        let mut events = String::new();
        for at in 0..199 {
            events.push_str(&format!("data: {}\n\n", chunk(format!("word{at} "))));
        }
        events.push_str("data: [DONE]\n\n");
        return Response::builder()
            .header("content-type", "text/event-stream")
            .body(full(events))
            .unwrap();
    }
    let content = "Crumbs & Chapters, a bakery that sells books. ".repeat(18);
    let completion = json!({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1763596800,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 180, "total_tokens": 192},
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(full(completion.to_string()))
        .unwrap()
}

fn file_name(case: &str) -> String {
    case.replace(' ', "-")
}

/// The floor: the same stack and runtime as the server, answering each request (read
/// whole, as the server reads it) with the bytes of its case.
fn floor_server(dir: &Path) {
    let answers: Arc<Vec<(String, Bytes, &str)>> = Arc::new(
        [
            ("1 KiB completion", "application/json"),
            ("200-event stream", "text/event-stream"),
        ]
        .into_iter()
        .map(|(case, content_type)| {
            let bytes = std::fs::read(dir.join(file_name(case))).unwrap();
            (case.to_string(), Bytes::from(bytes), content_type)
        })
        .collect(),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("listening on http://{}", listener.local_addr().unwrap());
        std::io::stdout().flush().unwrap();
        let handler = move |request: Request<hyper::body::Incoming>| {
            let answers = Arc::clone(&answers);
            async move {
                let case = request.headers()[CASE].to_str().unwrap().to_string();
                let _ = request.into_body().collect().await;
                let (_, bytes, content_type) =
                    answers.iter().find(|(name, ..)| *name == case).unwrap();
                let mut response = Response::new(full(bytes.clone()));
                response
                    .headers_mut()
                    .insert("content-type", content_type.parse().unwrap());
                response
            }
        };
        http::serve(listener, handler, std::future::pending()).await;
    });
}

fn server_command(stubs: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cached-stubs-server"));
    command
        .args(["--listen", "127.0.0.1:0", "--dir"])
        .arg(stubs)
        .env_remove("RECORD")
        .env_remove("CACHED_STUBS_TIMING");
    command
}

/// A server process, and its address.
struct Process {
    child: Child,
    address: SocketAddr,
}

impl Process {
    fn start(command: &mut Command) -> Process {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .parse()
            .unwrap();
        Process { child, address }
    }

    /// A line of its `/proc/PID/status`, in KiB.
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn peak_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request of `case` on a new connection: its answer's body.
async fn send(address: SocketAddr, case: &str, body: &Bytes) -> Bytes {
    let mut connection = Connection::open(address).await;
    connection.send(case, body).await
}

/// A client's keep-alive connection.
struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(address: SocketAddr) -> Connection {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.set_nodelay(true).unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        Connection { sender }
    }

    async fn send(&mut self, case: &str, body: &Bytes) -> Bytes {
        let request = Request::post("/v1/chat/completions")
            .header("host", "127.0.0.1")
            .header("content-type", "application/json")
            .header(CASE, case)
            .body(Full::new(body.clone()))
            .unwrap();
        let answer = self.sender.send_request(request).await.unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        answer.into_body().collect().await.unwrap().to_bytes()
    }
}

/// What a load run measured.
#[derive(Default)]
struct Run {
    /// The time of every request, in microseconds.
    latencies_us: Vec<u32>,
    /// Requests answered per second, one per run merged.
    throughputs: Vec<f64>,
    /// The server's RSS halfway through, in KiB.
    rss_kib: u64,
}

impl Run {
    fn merge(mut self, other: Run) -> Run {
        self.latencies_us.extend(other.latencies_us);
        self.throughputs.extend(other.throughputs);
        self.rss_kib = self.rss_kib.max(other.rss_kib);
        self
    }

    /// The median throughput.
    fn throughput(&mut self) -> f64 {
        self.throughputs.sort_by(f64::total_cmp);
        self.throughputs[self.throughputs.len() / 2]
    }

    fn percentile(&mut self, at: f64) -> u32 {
        self.latencies_us.sort_unstable();
        let index = ((self.latencies_us.len() - 1) as f64 * at).round() as usize;
        self.latencies_us[index]
    }
}

/// Microseconds as a table shows them.
fn shown(us: u32) -> String {
    if us >= 10_000 {
        format!("{:.1} ms", f64::from(us) / 1000.0)
    } else {
        format!("{us} µs")
    }
}

/// `connections` clients sending `case` to `process` as fast as it answers, for `seconds`
/// after a warm-up of a quarter of that.
async fn load(process: &Process, case: &Case, connections: usize, seconds: f64) -> Run {
    let warm_up = Instant::now() + Duration::from_secs_f64(seconds / 4.0);
    let end = warm_up + Duration::from_secs_f64(seconds);
    static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let (answer, body, answer_len, vary) = (
        case.answer,
        case.body.clone(),
        case.answer_len,
        case.respaced,
    );
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let (address, body) = (process.address, body.clone());
            tokio::spawn(async move {
                let mut connection = Connection::open(address).await;
                let mut latencies = Vec::new();
                let mut counted = 0usize;
                loop {
                    let started = Instant::now();
                    if started >= end {
                        break;
                    }
                    let sent = if vary {
                        respaced(
                            &body,
                            SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                        )
                    } else {
                        body.clone()
                    };
                    let answered = connection.send(answer, &sent).await;
                    assert_eq!(answered.len(), answer_len);
                    if started >= warm_up {
                        latencies.push(started.elapsed().as_micros() as u32);
                        counted += 1;
                    }
                }
                (latencies, counted)
            })
        })
        .collect();
    tokio::time::sleep_until((warm_up + (end - warm_up) / 2).into()).await;
    let rss_kib = process.status_kib("VmRSS:");
    let mut latencies_us = Vec::new();
    let mut answered = 0;
    for client in clients {
        let (latencies, counted) = client.await.unwrap();
        latencies_us.extend(latencies);
        answered += counted;
    }
    Run {
        latencies_us,
        throughputs: vec![answered as f64 / seconds],
        rss_kib,
    }
}
