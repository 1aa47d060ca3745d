//! What the server's tests share: the server as a process, started as a user starts it, and
//! an upstream on 127.0.0.1 whose answers each test scripts.

use bytes::Bytes;
use cached_stubs_server::http::{self, Body, full};
use futures::StreamExt;
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use hyper::{Response, StatusCode};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `cached-stubs-server`, running.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, from its first line.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

/// How to start a server: its mode, stub folder, upstream and settings.
pub struct Start {
    command: Command,
}

impl Start {
    /// A server of the stubs in `dir`, with `RECORD` set to `record` (`""`: a replay) and no
    /// other setting of cached-stubs from the test's environment.
    pub fn new(record: &str, dir: &Path) -> Start {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cached-stubs-server"));
        command
            .args(["--listen", "127.0.0.1:0", "--dir"])
            .arg(dir)
            .env("RECORD", record);
        for setting in [
            "CACHED_STUBS_DIR",
            "CACHED_STUBS_TIMING",
            "CACHED_STUBS_TIMING_SPEED",
            "CACHED_STUBS_USAGE_LOG",
        ] {
            command.env_remove(setting);
        }
        Start { command }
    }

    /// Forwarding to `url`.
    pub fn upstream(mut self, url: &str) -> Start {
        self.command.args(["--upstream", url]);
        self
    }

    /// With one more command-line argument.
    pub fn arg(mut self, arg: &str) -> Start {
        self.command.arg(arg);
        self
    }

    /// With the environment variable `key` set to `value`.
    pub fn env(mut self, key: &str, value: &str) -> Start {
        self.command.env(key, value);
        self
    }

    /// Starts it, and waits for its first line, which must be `listening on http://ADDR`.
    pub fn start(mut self) -> Server {
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut errors = child.stderr.take().unwrap();
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut chunk = [0; 4096];
            while let Ok(read @ 1..) = errors.read(&mut chunk) {
                let text = String::from_utf8_lossy(&chunk[..read]);
                collected.lock().unwrap().push_str(&text);
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                let _ = child.wait();
                panic!(
                    "the first line is {first:?}; stderr: {}",
                    stderr.lock().unwrap()
                )
            })
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url, stderr }
    }
}

impl Server {
    /// What it printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends it SIGTERM, and waits for it to exit; returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().unwrap().success()
    }

    /// Kills it with SIGKILL: nothing of it runs after.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client, for requests the tests write by hand.
pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// `POST url/path` with `body` as it is written: its status, content type and body.
pub async fn post(url: &str, path: &str, body: &str) -> (StatusCode, String, String) {
    let answer = client()
        .post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .header("authorization", "Bearer test-key-never-written")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, answer.text().await.unwrap())
}

/// What a scripted upstream answers a request with.
pub enum Script {
    /// `body` with `status` and `content_type`, after `delay`.
    Whole {
        status: u16,
        content_type: &'static str,
        body: String,
        delay: Duration,
    },
    /// Server-sent events, each `data: <event>`, `pause` apart, the first at once.
    Events {
        events: Vec<String>,
        pause: Duration,
    },
}

impl Script {
    /// A JSON answer, at once.
    pub fn json(body: &Value) -> Script {
        Script::Whole {
            status: 200,
            content_type: "application/json",
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
}

/// An upstream on 127.0.0.1 that answers as its script says, and counts its requests.
pub struct Upstream {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    requests: Arc<AtomicUsize>,
    /// The path and `Authorization` header of every request, in order.
    pub asked: Arc<Mutex<Vec<(String, String)>>>,
}

impl Upstream {
    /// Starts one, on a thread and runtime of its own; it stops with the process.
    pub fn start(script: impl Fn(&str, &Value) -> Script + Send + Sync + 'static) -> Upstream {
        let script = Arc::new(script);
        let requests = Arc::new(AtomicUsize::new(0));
        let asked = Arc::new(Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (counted, kept) = (Arc::clone(&requests), Arc::clone(&asked));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let handler = move |request: hyper::Request<hyper::body::Incoming>| {
                    let (script, counted, kept) =
                        (Arc::clone(&script), Arc::clone(&counted), Arc::clone(&kept));
                    async move {
                        let path = request.uri().path().to_string();
                        let authorization = request
                            .headers()
                            .get("authorization")
                            .map(|value| value.to_str().unwrap().to_string())
                            .unwrap_or_default();
                        let bytes = request.into_body().collect().await.unwrap().to_bytes();
                        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                        counted.fetch_add(1, Ordering::SeqCst);
                        kept.lock().unwrap().push((path.clone(), authorization));
                        answer(script(&path, &json)).await
                    }
                };
                http::serve(listener, handler, std::future::pending()).await;
            });
        });
        Upstream {
            url,
            requests,
            asked,
        }
    }

    /// How many requests it had.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn answer(script: Script) -> Response<Body> {
    let (status, content_type, body) = match script {
        Script::Whole {
            status,
            content_type,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            (status, content_type, full(body))
        }
        Script::Events { events, pause } => {
            let frames = futures::stream::iter(events.into_iter().enumerate()).then(
                move |(at, event)| async move {
                    if at > 0 {
                        tokio::time::sleep(pause).await;
                    }
                    Ok(Frame::data(Bytes::from(format!("data: {event}\n\n"))))
                },
            );
            (
                200,
                "text/event-stream",
                StreamBody::new(frames).boxed_unsync(),
            )
        }
    };
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("x-request-id", "req-123")
        .body(body)
        .unwrap()
}

/// Every file below `root`, relative to it, in order.
pub fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// The stub files below `root` (temporary files left out), as JSON.
pub fn stubs(root: &Path) -> Vec<Value> {
    files(root)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| serde_json::from_slice(&std::fs::read(root.join(path)).unwrap()).unwrap())
        .collect()
}

/// Waits until `done` holds, ten seconds at most.
pub fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
