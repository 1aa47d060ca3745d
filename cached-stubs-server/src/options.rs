//! The command line, and what it starts: the mode, the upstream and the timings.

use crate::server::Server;
use crate::upstream::Upstream;
use cached_stubs::__server;
use cached_stubs::Mode;
use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Records and replays a JSON-over-HTTP API as stub files, by the `RECORD` environment
/// variable: unset, a replay (the upstream is never contacted; a request without a stub is a
/// 404); `RECORD=1`, a stub missing is recorded from the upstream; `RECORD=all`, every
/// request is; `RECORD=passthrough`, a plain proxy. `CACHED_STUBS_TIMING=1` keeps and replays
/// latency.
#[derive(Parser, Debug)]
#[command(name = "cached-stubs-server", version)]
pub struct Options {
    /// The address to listen on, such as 127.0.0.1:8080; port 0 takes a free one. The first
    /// line printed is `listening on http://ADDR`.
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,

    /// The API to forward to: a request for /PATH goes to URL/PATH, such as
    /// https://api.openai.com/v1. Needed unless replaying.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// The folder of the stubs: one file per distinct request, in a folder per method and
    /// path (DIR/POST/v1/chat/completions/<key>.json).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,

    /// Keep and replay timings (as CACHED_STUBS_TIMING=1 does), F times as fast: 2 is
    /// twice as fast, 0.5 half as fast.
    #[arg(long, value_name = "F", value_parser = speed)]
    pub speed: Option<f64>,
}

fn speed(text: &str) -> Result<f64, String> {
    __server::parse_speed(text)
}

impl Options {
    /// The server these options describe, in the mode `RECORD` says; `Err` says why there
    /// can be none.
    pub fn server(&self, record_command: String) -> Result<Server, String> {
        let mode = settled(Mode::current)?;
        let timing = match self.speed {
            Some(speed) => Some(speed),
            None => settled(__server::timing_enabled)?
                .then(|| settled(__server::timing_speed))
                .transpose()?,
        };
        let upstream = match (&self.upstream, mode) {
            (Some(url), _) => Some(Upstream::new(url)?),
            (None, Mode::Replay) => None,
            (None, _) => {
                return Err(format!(
                    "RECORD={} forwards requests: give the API to forward to with --upstream URL",
                    std::env::var("RECORD").unwrap_or_default()
                ));
            }
        };
        Ok(Server::new(
            mode,
            self.dir.clone(),
            upstream,
            timing,
            record_command,
        ))
    }
}

/// What `read` reads from the environment, or the message it panics with on a value it
/// doesn't know, as annotated functions do.
fn settled<T>(read: fn() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let read = std::panic::catch_unwind(read);
    std::panic::set_hook(hook);
    read.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "a setting is wrong".to_string())
    })
}

/// The command that runs this server again with `RECORD=1`: the command line it was started
/// with, and an `--upstream` to fill in if it had none.
pub fn record_command(args: &[String], options: &Options) -> String {
    let mut words: Vec<String> = args.iter().map(|arg| quoted(arg)).collect();
    if let Some(program) = words.first_mut()
        && let Some(name) = std::path::Path::new(&args[0]).file_name()
    {
        *program = quoted(&name.to_string_lossy());
    }
    if options.upstream.is_none() {
        words.push("--upstream URL".to_string());
    }
    format!("RECORD=1 {}", words.join(" "))
}

/// `word` as a shell reads it back.
fn quoted(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{Options, record_command};
    use clap::Parser;

    #[test]
    fn the_record_command_is_the_command_line_with_record_set() {
        let args: Vec<String> = [
            "/usr/local/bin/cached-stubs-server",
            "--listen",
            "127.0.0.1:8080",
            "--dir",
            "my stubs",
        ]
        .map(String::from)
        .into();
        let options = Options::parse_from(&args);
        assert_eq!(
            record_command(&args, &options),
            "RECORD=1 cached-stubs-server --listen 127.0.0.1:8080 --dir 'my stubs' --upstream URL"
        );
    }

    #[test]
    fn a_speed_is_a_number_above_zero() {
        let parse = |speed: &str| {
            Options::try_parse_from([
                "s",
                "--listen",
                "127.0.0.1:0",
                "--dir",
                "d",
                "--speed",
                speed,
            ])
        };
        assert_eq!(parse("2").unwrap().speed, Some(2.0));
        assert!(parse("0").is_err() && parse("fast").is_err());
    }
}
