//! Whole processes: a program that replays one call against one that reads and parses the
//! same stub file by hand. The difference is what replaying costs a program at start-up.

use cached_stubs_benches::{alternate, only_stub, print_table};
use std::process::Command;
use std::time::Instant;

fn main() {
    let stubs = tempfile::tempdir().unwrap();
    let replay = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_replay-once"));
        command
            .env("CACHED_STUBS_DIR", stubs.path())
            .env_remove("RECORD");
        command
    };
    assert!(
        replay()
            .env("RECORD", "1")
            .output()
            .unwrap()
            .status
            .success(),
        "recording failed"
    );
    let stub = only_stub(&stubs.path().join("replay_once").join("answer"));
    let read = || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_read-once"));
        command.arg(&stub);
        command
    };
    let run = |mut command: Command| {
        let started = Instant::now();
        let output = command.output().unwrap();
        assert!(output.status.success() && output.stdout == b"1024\n");
        started.elapsed().as_nanos() as f64
    };
    let row = alternate(
        "one 1 KiB call, start to exit",
        50,
        || run(read()),
        || run(replay()),
    );
    print_table(
        "A whole process",
        "reads the file by hand",
        "replays the call",
        &[row],
    );
}
