//! `cargo stubs` on a temporary crate whose stubs are real recordings: the crate uses
//! cached-stubs as a user's does, its tests are run with `RECORD=1`, and the subcommand is
//! run through cargo, as `cargo stubs`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A crate with three annotated functions, one of them renamed, and two test files.
struct Fixture {
    dir: tempfile::TempDir,
    /// Held for the fixture's life: see [`take_turn`].
    _turn: File,
}

/// Waits for the fixtures of other tests to be done, and holds them off until the file it
/// returns is dropped, across the threads of `cargo test` and the processes of `cargo nextest
/// run`. Fixtures share a target dir, so that their dependencies build once, and cargo names
/// a path package's artifacts after its place in its own workspace: two fixtures at once, in
/// two temporary folders, would overwrite each other's test binaries.
fn take_turn() -> File {
    let lock = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-stubs-fixture.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)
        .unwrap();
    file.lock().unwrap();
    file
}

const LIB: &str = r#"
use cached_stubs::cached_stub;

#[cached_stub]
pub fn greet(name: &str) -> String {
    format!("Hello, {name}!")
}

/// Versioned by hand: a dependency.
#[cached_stub(depends("v2"))]
pub fn shout(text: &str) -> String {
    text.to_uppercase()
}

pub mod inner {
    use cached_stubs::cached_stub;

    /// Recorded in `stubs/app/inner/renamed`.
    #[cached_stub(name = "renamed")]
    pub fn original(n: u32) -> u32 {
        n + 1
    }
}
"#;

const GREET_TESTS: &str = r#"
#[test]
fn greets() {
    assert_eq!(app::greet("Ada"), "Hello, Ada!");
    assert_eq!(app::greet("Bob"), "Hello, Bob!");
}

#[test]
fn counts() {
    assert_eq!(app::inner::original(1), 2);
}
"#;

/// A test compiled only with the feature `extra`.
const EXTRA_TESTS: &str = r#"
#![cfg(feature = "extra")]

#[test]
fn whispers() {
    assert_eq!(app::shout("psst"), "PSST");
}
"#;

/// A test that, once it has used a stub, waits for a test of another run of the suite to
/// have come as far: two runs that meet here are under way at once.
const MEETS_ANOTHER_RUN: &str = r#"
#[test]
fn meets_another_run() {
    use std::time::{Duration, Instant};
    assert_eq!(app::greet("Ada"), "Hello, Ada!");
    let arrivals = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("arrivals");
    std::fs::create_dir_all(&arrivals).unwrap();
    std::fs::write(arrivals.join(std::process::id().to_string()), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_dir(&arrivals).unwrap().count() < 2 {
        assert!(Instant::now() < deadline, "no other run came");
        std::thread::sleep(Duration::from_millis(10));
    }
}
"#;

const SHOUT_TESTS: &str = r#"
#[test]
fn shouts() {
    assert_eq!(app::shout("hey"), "HEY");
}
"#;

impl Fixture {
    /// The crate, with its stubs recorded.
    fn recorded() -> Fixture {
        let fixture = Fixture::written("");
        fixture.record(&[]);
        fixture
    }

    /// The crate, `features` (lines such as `extra = []`) in its manifest's `[features]`,
    /// no stub recorded yet.
    fn written(features: &str) -> Fixture {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let runtime = workspace.join("cached-stubs");
        let fixture = Fixture {
            _turn: take_turn(),
            dir: tempfile::tempdir().unwrap(),
        };
        let manifest = format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [features]\n{features}\n\n\
             [dependencies]\ncached-stubs = {{ path = {runtime:?} }}\n\n\
             [dev-dependencies]\ncached-stubs = {{ path = {runtime:?}, features = [\"record-replay\"] }}\n\n\
             [workspace]\n"
        );
        fixture.write("Cargo.toml", &manifest);
        fixture.write("src/lib.rs", LIB);
        fixture.write("tests/greet.rs", GREET_TESTS);
        fixture.write("tests/shout.rs", SHOUT_TESTS);
        // The workspace's lock file pins the same versions: no network is needed.
        std::fs::copy(workspace.join("Cargo.lock"), fixture.path("Cargo.lock")).unwrap();
        fixture
    }

    /// The crate with a feature `extra`, and a test only that feature compiles, whose stub
    /// (`shout("psst")`) is recorded with the others.
    fn with_a_feature() -> Fixture {
        let fixture = Fixture::written("extra = []");
        fixture.write("tests/extra.rs", EXTRA_TESTS);
        fixture.record(&[]);
        fixture.record(&["--features", "extra"]);
        fixture
    }

    /// Records the stubs its tests use, with `RECORD=1 cargo test --offline args`.
    fn record(&self, args: &[&str]) {
        let recorded = self
            .command(&[&["test", "--offline"], args].concat())
            .env("RECORD", "1")
            .output()
            .unwrap();
        assert!(
            recorded.status.success(),
            "{}",
            String::from_utf8_lossy(&recorded.stderr)
        );
    }

    /// The target dir every fixture shares, one at a time.
    fn target(&self) -> PathBuf {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-stubs-fixture")
    }

    /// A path in the crate's folder.
    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file of the crate, and the folders it needs.
    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `cargo args`, in the crate, with `cargo-stubs` on the `PATH` and a shared target dir.
    fn command(&self, args: &[&str]) -> Command {
        let bin = Path::new(env!("CARGO_BIN_EXE_cargo-stubs"))
            .parent()
            .unwrap();
        let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut command = Command::new("cargo");
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env("CARGO_TARGET_DIR", self.target())
            .env_remove("RECORD")
            .env_remove("CACHED_STUBS_DIR");
        command
    }

    /// `cargo stubs args`: its exit code and what it printed.
    fn stubs(&self, args: &[&str]) -> (i32, String) {
        printed(self.command(&[&["stubs"], args].concat()).output().unwrap())
    }

    /// `cargo stubs args`, run in `folder` of the crate.
    fn stubs_in(&self, folder: &str, args: &[&str]) -> (i32, String) {
        let mut command = self.command(&[&["stubs"], args].concat());
        command.current_dir(self.path(folder));
        printed(command.output().unwrap())
    }

    /// `cargo stubs args`, started: it runs beside what the test does next.
    fn start_stubs(&self, args: &[&str]) -> Child {
        self.command(&[&["stubs"], args].concat())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The regular files below `stubs/`, relative to it, links not followed.
    fn stub_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        let mut folders = vec![self.path("stubs")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten() {
                let entry = entry.unwrap();
                let (path, kind) = (entry.path(), entry.file_type().unwrap());
                if kind.is_dir() {
                    folders.push(path);
                } else if kind.is_file() {
                    files.push(
                        path.strip_prefix(self.path("stubs"))
                            .unwrap()
                            .display()
                            .to_string(),
                    );
                }
            }
        }
        files.sort();
        files
    }

    /// The stub `shout("psst")` records, which only the tests of `--features extra` use.
    fn psst(&self) -> String {
        let stubs = self.stubs_of("shout");
        let psst = stubs
            .iter()
            .find(|stub| std::fs::read_to_string(stub).unwrap().contains("\"psst\""))
            .unwrap();
        format!("stubs/app/shout/{}", name(psst))
    }

    /// The stubs in `stubs/app/<folder>`.
    fn stubs_of(&self, folder: &str) -> Vec<PathBuf> {
        let folder = self.path("stubs/app").join(folder);
        std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect()
    }
}

#[test]
fn list_show_and_check_read_real_recordings() {
    let fixture = Fixture::recorded();

    let (code, table) = fixture.stubs(&["list"]);
    assert_eq!(code, 0, "{table}");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["function", "stubs", "size"]);
    assert_eq!(&rows[1][..2], ["app::greet", "2"]);
    assert_eq!(&rows[2][..2], ["app::inner::renamed", "1"]);
    assert_eq!(&rows[3][..2], ["app::shout", "1"]);
    assert!(
        rows[4].starts_with(&["4", "stubs", "of", "3", "functions,"]),
        "{table}"
    );

    let (code, json) = fixture.stubs(&["list", "--json"]);
    assert_eq!(code, 0, "{json}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["function"], "app::greet");
    assert_eq!(json[0]["stubs"], 2);
    assert!(json[0]["bytes"].as_u64().unwrap() > 100);

    let (code, shown) = fixture.stubs(&["show", "app::greet"]);
    assert_eq!(code, 0, "{shown}");
    for expected in [
        "function:    app::greet",
        "name: \"Ada\"",
        "\"Hello, Ada!\"",
        "name: \"Bob\"",
        "\"Hello, Bob!\"",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in\n{shown}");
    }
    let one = fixture.stubs_of("shout").remove(0);
    // A path as a miss message prints it, relative to the root, from a folder below it.
    let relative = one
        .strip_prefix(fixture.path(""))
        .unwrap()
        .to_str()
        .unwrap();
    let (code, shown) = fixture.stubs_in("src", &["show", relative]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("text: \"hey\""), "{shown}");
    let (code, shown) = fixture.stubs(&["show", one.to_str().unwrap()]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("text: \"hey\"") && shown.contains("\"HEY\""),
        "{shown}"
    );
    let version = shown
        .lines()
        .skip_while(|line| *line != "  depends:")
        .nth(1);
    assert!(
        version.is_some_and(|line| line.starts_with("    \"v2\": ") && line.len() == 42),
        "{shown}"
    );
    // A renamed function, by the path its name gives it; a folder, by a path with `..`.
    let (code, shown) = fixture.stubs(&["show", "app::inner::renamed"]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("stubs/app/inner/renamed/")
            && shown.contains("function:    app::inner::renamed")
            && shown.contains("n: 1"),
        "{shown}"
    );
    let (code, shown) = fixture.stubs(&["show", "stubs/app/../app/greet"]);
    assert_eq!(code, 0, "{shown}");
    assert_eq!(
        shown.matches("function:    app::greet").count(),
        2,
        "{shown}"
    );
    let (code, unknown) = fixture.stubs(&["show", "app::whisper"]);
    assert_eq!(code, 2);
    assert!(
        unknown.contains("no stub file, function or function folder `app::whisper`"),
        "{unknown}"
    );

    // Hidden files are the user's, and not reported.
    fixture.write("stubs/.gitattributes", "*.json linguist-generated\n");
    fixture.write("stubs/app/shout/.gitkeep", "");
    let (code, checked) = fixture.stubs(&["check"]);
    assert_eq!(
        (code, checked.trim()),
        (
            0,
            "4 stubs of 3 functions: all readable, in the current format, in folders of their modules, one function per folder, no secret found"
        )
    );

    // `stubs/` named again with a `..` is one folder: each stub is listed once.
    let (code, table) = fixture.stubs(&["--dir", "stubs/../stubs", "list"]);
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("\n4 stubs of 3 functions,"), "{table}");

    // A dependency's hash that is no hash: `check` reads a stub as a replay does.
    let shout = fixture.stubs_of("shout").remove(0);
    let text = std::fs::read_to_string(&shout).unwrap();
    let entry = "\"\\\"v2\\\"\": \"";
    let hash_at = text.find(entry).unwrap() + entry.len();
    let broken = format!("{}nothex{}", &text[..hash_at], &text[hash_at + 32..]);
    std::fs::write(&shout, broken).unwrap();
    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("the hash of dependency \"\\\"v2\\\"\" is not 32 hex digits"),
        "{report}"
    );
    std::fs::write(&shout, text).unwrap();

    // The stubs of a function with `dir = "stubs/sub"` are in a stub folder inside
    // `stubs/`: `check` says to name it, and then finds them in place, once.
    std::fs::create_dir_all(fixture.path("stubs/sub/app")).unwrap();
    std::fs::rename(
        fixture.path("stubs/app/shout"),
        fixture.path("stubs/sub/app/shout"),
    )
    .unwrap();
    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(
            "recorded by `app::shout`, but in the folder of `sub::app::shout`; for a function \
             with `dir = \"...\"`, pass `--dir stubs/sub`"
        ),
        "{report}"
    );
    let (code, checked) = fixture.stubs(&["--dir", "stubs/sub", "check"]);
    assert_eq!(code, 0, "{checked}");
    assert!(checked.starts_with("4 stubs of 3 functions: "), "{checked}");
}

/// Copies every file below `from` to `to`, folders and all.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn list_show_and_check_read_the_stubs_cached_stubs_server_records() {
    let fixture = Fixture::written("");
    // Recorded by the server's own tests, which check that a recording writes them again.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let recorded = workspace.join("cached-stubs-server/tests/stubs");
    std::fs::create_dir_all(fixture.path("stubs-http")).unwrap();
    copy_tree(&recorded, &fixture.path("stubs-http"));

    let (code, table) = fixture.stubs(&["list", "--dir", "stubs-http"]);
    assert_eq!(code, 0, "{table}");
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(&rows[1][..2], ["POST::chat::completions", "2"], "{table}");
    let (code, shown) = fixture.stubs(&["show", "POST::chat::completions", "--dir", "stubs-http"]);
    assert_eq!(code, 0, "{shown}");
    for expected in [
        "function:    POST::chat::completions",
        "source hash: cached-stubs-server v1",
        "path: \"/chat/completions\"",
        "http:        200 application/json",
        "http:        200 text/event-stream",
        "\"[DONE]\"",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in\n{shown}");
    }
    let (code, checked) = fixture.stubs(&["check", "--dir", "stubs-http"]);
    assert_eq!(code, 0, "{checked}");
    assert!(
        checked.contains("2 stubs of 1 function: all readable"),
        "{checked}"
    );
}

/// Unix only: it makes a symbolic link and a pipe.
#[cfg(unix)]
#[test]
fn check_lists_every_problem_and_fails() {
    let fixture = Fixture::recorded();
    let greets = fixture.stubs_of("greet");
    let renamed = fixture.stubs_of("inner/renamed").remove(0);
    // A truncated stub, and a temporary file left by a killed recording.
    let text = std::fs::read_to_string(&greets[0]).unwrap();
    std::fs::write(&greets[0], &text[..text.len() / 2]).unwrap();
    std::fs::write(
        greets[0].with_file_name(format!(".{}.Xy12.tmp", name(&greets[0]))),
        &text,
    )
    .unwrap();
    // A stub moved out of its module's folder, and one copied into another function's.
    let moved = fixture.path("stubs/app/renamed").join(name(&renamed));
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&renamed, &moved).unwrap();
    let copied = fixture.path("stubs/app/shout").join(name(&greets[1]));
    std::fs::copy(&greets[1], &copied).unwrap();
    // A file that is no stub, a pipe named as a stub, a link that loops.
    fixture.write("stubs/app/notes.txt", "to do");
    let pipe = fixture.path("stubs/app/greet/00000000000000000000000000000000.json");
    assert!(
        Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("..", fixture.path("stubs/app/loop")).unwrap();

    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("8 problems in the stubs:"), "{report}");
    for expected in [
        format!("{}: EOF while parsing", name(&greets[0])),
        "a temporary file left by a recording that was interrupted: delete it".to_string(),
        format!(
            "stubs/app/renamed/{}: recorded by `app::inner::renamed`, but in the folder of `app::renamed`",
            name(&renamed)
        ),
        "stubs/app/shout: holds the stubs of 2 functions, `app::greet`, `app::shout`".to_string(),
        format!(
            "stubs/app/shout/{}: the same version of `app::greet` has stubs in stubs/app/greet",
            name(&greets[1])
        ),
        "stubs/app/notes.txt: not a stub: stub files are named `<32 hex digits>.json`".to_string(),
        "stubs/app/greet/00000000000000000000000000000000.json: it is not a regular file"
            .to_string(),
        "stubs/app/loop: a symbolic link, which cargo stubs does not follow".to_string(),
    ] {
        assert!(report.contains(&expected), "{expected:?} not in\n{report}");
    }

    // `show` refuses the pipe rather than waiting on it; `list` follows no link.
    let (code, shown) = fixture.stubs(&["show", pipe.to_str().unwrap()]);
    assert_eq!(code, 2, "{shown}");
    assert!(shown.contains("it is not a regular file"), "{shown}");
    let (code, table) = fixture.stubs(&["list"]);
    assert_eq!(code, 0, "{table}");
    assert!(
        table.contains("\n6 stubs of 3 functions,")
            && table.contains("cargo stubs: skipped stubs/app/loop: a symbolic link"),
        "{table}"
    );
}

#[test]
fn prune_deletes_unused_stubs_only_after_a_green_run_of_every_test() {
    let fixture = Fixture::recorded();
    let all = fixture.stub_files();
    assert_eq!(all.len(), 4);

    // A run that may leave tests out, or change what they run, deletes nothing; one that
    // chooses a configuration for every run is told to name it with `--run`.
    let leaves_tests_out = "may leave tests out";
    let for_every_run =
        "chooses what is compiled, and given after `--` it would apply to every run";
    for (args, refused_arg, why) in [
        (&["--", "--test", "greet"][..], "--test", leaves_tests_out),
        (&["--", "-p", "app"], "-p", leaves_tests_out),
        (&["--", "--exclude", "app"], "--exclude", leaves_tests_out),
        (&["--", "--all-targets"], "--all-targets", leaves_tests_out),
        (
            &["--", "--config", "env.RECORD=\"passthrough\""],
            "--config",
            leaves_tests_out,
        ),
        (
            &["--", "--offline", "--", "shouts"],
            "shouts",
            leaves_tests_out,
        ),
        (
            &["--", "--offline", "--", "--ignored"],
            "--ignored",
            leaves_tests_out,
        ),
        (&["--run", "--test greet"], "--test", leaves_tests_out),
        (
            &["--", "--no-default-features"],
            "--no-default-features",
            for_every_run,
        ),
        (&["--", "--all-features"], "--all-features", for_every_run),
        (&["--", "--features", "x"], "--features", for_every_run),
        (&["--", "--features=x"], "--features=x", for_every_run),
        (&["--", "-F", "x"], "-F", for_every_run),
        (
            &["--", "--target", "x86_64-unknown-linux-gnu"],
            "--target",
            for_every_run,
        ),
        (&["--", "--release"], "--release", for_every_run),
        (&["--", "--profile", "dev"], "--profile", for_every_run),
    ] {
        let (code, refused) = fixture.stubs(&[&["prune"], args].concat());
        assert_eq!(code, 2, "{refused}");
        assert!(
            refused.contains(&format!("`{refused_arg}` {why}")),
            "{refused}"
        );
    }

    // The tests of `shout` are gone: its stub is unused. A cargo `[env]` that doesn't force
    // its values changes nothing: prune sets `RECORD` and `CACHED_STUBS_DIR` itself.
    std::fs::remove_file(fixture.path("tests/shout.rs")).unwrap();
    fixture.write(
        ".cargo/config.toml",
        "[env]\nRECORD = \"passthrough\"\nCACHED_STUBS_DIR = \"nowhere\"\n",
    );
    let (code, dry) = fixture.stubs(&["prune", "--dry-run", "--", "--offline"]);
    assert_eq!(code, 0, "{dry}");
    let shout = format!("stubs/app/shout/{}", name(&fixture.stubs_of("shout")[0]));
    assert!(dry.contains(&format!("unused: {shout}")), "{dry}");
    assert!(
        dry.contains("1 of 4 stubs unused; nothing deleted (--dry-run)"),
        "{dry}"
    );
    assert_eq!(fixture.stub_files(), all);

    // A failing run deletes nothing.
    fixture.write(
        "tests/greet.rs",
        &GREET_TESTS.replace("Hello, Bob!", "Goodbye, Bob!"),
    );
    let (code, failed) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 1, "{failed}");
    assert!(
        failed.contains(
            "the tests failed under `cargo test --workspace --offline`, so nothing was deleted"
        ),
        "{failed}"
    );
    assert_eq!(fixture.stub_files(), all);

    // A green run deletes it, and its emptied folder, once, though `--dir` names a folder
    // inside `stubs/` with a `..`; it follows no link out of the project.
    fixture.write("tests/greet.rs", GREET_TESTS);
    let outside = tempfile::tempdir().unwrap();
    let outside_stub = outside
        .path()
        .join("linked/00000000000000000000000000000000.json");
    std::fs::create_dir_all(outside_stub.parent().unwrap()).unwrap();
    std::fs::write(&outside_stub, "{}").unwrap();
    symlink_folder(outside.path(), &fixture.path("stubs/app/outside"));
    let (code, pruned) =
        fixture.stubs(&["--dir", "stubs/../stubs/app", "prune", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert_eq!(pruned.matches("deleted: ").count(), 1, "{pruned}");
    assert!(
        pruned.contains(&format!("deleted: {shout}"))
            && pruned.contains("deleted 1 unused stub of 4")
            && pruned.contains("skipped stubs/app/outside: a symbolic link"),
        "{pruned}"
    );
    assert_eq!(fixture.stub_files().len(), 3);
    assert!(!fixture.path("stubs/app/shout").exists());
    assert!(outside_stub.exists());
}

/// The exit code of a `cargo stubs` that ended, and what it printed.
fn printed(output: Output) -> (i32, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = output;
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code().expect("an exit code"), printed)
}

/// The file name of `path`, which is UTF-8.
fn name(path: &Path) -> String {
    path.file_name().unwrap().to_str().unwrap().to_string()
}

/// Changes the stub at `path` as JSON, and writes it back.
fn rewrite(path: &Path, change: &dyn Fn(&mut serde_json::Value)) {
    let mut stub: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    change(&mut stub);
    std::fs::write(path, serde_json::to_vec_pretty(&stub).unwrap()).unwrap();
}

/// A link to a folder, as each platform makes one.
fn symlink_folder(original: &Path, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(original, link).unwrap();
    #[cfg(windows)]
    std::os::windows::fs::symlink_dir(original, link).unwrap();
}

#[test]
fn prune_refuses_to_empty_a_stub_folder_unless_forced() {
    let fixture = Fixture::recorded();
    let all = fixture.stub_files();

    // Tests that replay, or record, stubs from another folder use none of `stubs/`.
    fixture.write(
        ".cargo/config.toml",
        "[env]\nRECORD = { value = \"1\", force = true }\n\
         CACHED_STUBS_DIR = { value = \"elsewhere\", force = true, relative = true }\n",
    );
    let (code, refused) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 2, "{refused}");
    assert!(
        refused.contains("no test used a stub in stubs. Deleting them all")
            && refused.contains("nothing was deleted")
            && refused.contains("`cargo stubs prune --force` deletes them"),
        "{refused}"
    );
    assert_eq!(fixture.stub_files(), all);

    // Tests that log nothing: the log is never written.
    fixture.write(
        ".cargo/config.toml",
        "[env]\nRECORD = { value = \"passthrough\", force = true }\n",
    );
    let (code, refused) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 2, "{refused}");
    assert!(
        refused.contains(
            "no test replayed or recorded a stub (the usage log stayed empty), so every stub in \
             stubs looks unused"
        ),
        "{refused}"
    );
    assert_eq!(fixture.stub_files(), all);

    let (code, forced) = fixture.stubs(&["prune", "--force", "--dry-run", "--", "--offline"]);
    assert_eq!(code, 0, "{forced}");
    assert!(
        forced.contains("4 of 4 stubs unused; nothing deleted (--dry-run)"),
        "{forced}"
    );
    assert_eq!(fixture.stub_files(), all);
}

#[test]
fn two_prunes_at_once_in_one_workspace_both_delete_only_the_unused_stub() {
    let fixture = Fixture::recorded();
    let shout = format!("stubs/app/shout/{}", name(&fixture.stubs_of("shout")[0]));
    std::fs::remove_file(fixture.path("tests/shout.rs")).unwrap();
    fixture.write("tests/meet.rs", MEETS_ANOTHER_RUN);

    let prunes = [(); 2].map(|()| fixture.start_stubs(&["prune", "--", "--offline"]));
    for prune in prunes {
        let (code, pruned) = printed(prune.wait_with_output().unwrap());
        assert_eq!(code, 0, "{pruned}");
        // The first to walk the stubs deletes it; the other deletes it too, or finds it gone.
        assert!(
            pruned.contains(&format!("deleted: {shout}\n"))
                || pruned.contains("every stub was used (3 stubs)"),
            "{pruned}"
        );
    }
    assert_eq!(
        std::fs::read_dir(fixture.path("arrivals")).unwrap().count(),
        2,
        "the runs of the two prunes did not meet"
    );
    assert_eq!(fixture.stub_files().len(), 3);
    assert!(!fixture.path(&shout).exists());
    // Each removed its usage log.
    let logs = fixture.target().join("cached-stubs");
    assert_eq!(std::fs::read_dir(logs).unwrap().count(), 0);
}

/// A function recorded with `sequence`, polled three times by one test.
const POLL: &str = r#"
#[cached_stub(sequence)]
pub fn poll(job: u32) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    format!("job {job}: poll {}", CALLS.fetch_add(1, Ordering::SeqCst) + 1)
}
"#;

const POLL_TESTS: &str = r#"
#[test]
fn polls() {
    for _ in 0..3 {
        app::poll(7);
    }
}
"#;

#[test]
fn a_sequence_is_shown_answer_by_answer_checked_and_pruned_whole() {
    let fixture = Fixture::written("");
    fixture.write("src/lib.rs", &format!("{LIB}{POLL}"));
    fixture.write("tests/poll.rs", POLL_TESTS);
    fixture.record(&[]);
    let (code, shown) = fixture.stubs(&["show", "app::poll"]);
    assert_eq!(code, 0, "{shown}");
    for expected in [
        "    <test>: \"polls\"",
        "  sequence: 3 answers, one per call",
        "    call 1:\n      output:\n        \"job 7: poll 1\"",
        "    call 3:\n      output:\n        \"job 7: poll 3\"",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in\n{shown}");
    }
    let (code, checked) = fixture.stubs(&["check"]);
    assert_eq!(code, 0, "{checked}");

    // Used whole, it is kept whole; unused, it goes whole.
    let (code, pruned) = fixture.stubs(&["prune", "--dry-run", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert!(pruned.contains("every stub was used"), "{pruned}");
    std::fs::remove_file(fixture.path("tests/poll.rs")).unwrap();
    let (code, pruned) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert!(!fixture.path("stubs/app/poll").exists(), "{pruned}");
}

#[test]
fn counts_of_one_read_in_the_singular() {
    let fixture = Fixture::recorded();
    for gone in ["stubs/app/greet", "stubs/app/inner"] {
        std::fs::remove_dir_all(fixture.path(gone)).unwrap();
    }
    std::fs::remove_file(fixture.path("tests/greet.rs")).unwrap();

    let (code, table) = fixture.stubs(&["list"]);
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("\n1 stub of 1 function, "), "{table}");
    let (code, checked) = fixture.stubs(&["check"]);
    assert_eq!(code, 0, "{checked}");
    assert!(
        checked.starts_with("1 stub of 1 function: all readable"),
        "{checked}"
    );
    fixture.write("stubs/app/notes.txt", "to do");
    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("1 problem in the stubs:\n"), "{report}");

    let (code, pruned) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert!(
        pruned.contains("every stub was used (1 stub)\n"),
        "{pruned}"
    );
    std::fs::remove_file(fixture.path("tests/shout.rs")).unwrap();
    let (code, dry) = fixture.stubs(&["prune", "--force", "--dry-run", "--", "--offline"]);
    assert_eq!(code, 0, "{dry}");
    assert!(
        dry.contains("1 of 1 stub unused; nothing deleted (--dry-run)\n"),
        "{dry}"
    );
}

#[test]
fn show_list_and_check_print_control_characters_escaped_and_check_flags_them() {
    let fixture = Fixture::recorded();
    // A stub whose argument name and output hold escape sequences (C1 CSI; CSI: clear the
    // screen; a right-to-left override), one whose function does (OSC: set the window
    // title), one whose hash does, and a folder named with one.
    let [greet, foreign] = <[PathBuf; 2]>::try_from(fixture.stubs_of("greet")).unwrap();
    rewrite(&greet, &|stub| {
        stub["args"] = serde_json::json!({ "\u{9b}31m": "Ada" });
        stub["output"] = "Hello\u{1b}[2J\u{202e}".into();
    });
    rewrite(&foreign, &|stub| {
        stub["function"] = "app::greet\u{1b}]0;owned\u{7}".into()
    });
    let renamed = fixture.stubs_of("inner/renamed").remove(0);
    rewrite(&renamed, &|stub| stub["source_hash"] = "\u{1b}[0m".into());
    let red = fixture.path("stubs/app/\u{1b}[31mred");
    std::fs::create_dir(&red).unwrap();
    let shout = fixture.stubs_of("shout").remove(0);
    std::fs::copy(&shout, red.join(name(&shout))).unwrap();

    let raw = |printed: &str| printed.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']);
    let (code, shown) = fixture.stubs(&["show", greet.to_str().unwrap()]);
    assert_eq!(code, 0, "{shown}");
    assert!(!raw(&shown), "{shown:?}");
    for expected in [
        "    \\u009b31m: \"Ada\"\n",
        "    \"Hello\\u001b[2J\\u202e\"\n",
    ] {
        assert!(shown.contains(expected), "{expected:?} not in\n{shown}");
    }

    let (code, table) = fixture.stubs(&["list"]);
    assert_eq!(code, 0, "{table}");
    assert!(!raw(&table), "{table:?}");
    assert!(table.contains("\napp::\\u001b[31mred "), "{table}");
    let (code, json) = fixture.stubs(&["list", "--json"]);
    assert_eq!(code, 0, "{json}");
    assert!(!raw(&json), "{json:?}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[0]["function"], "app::\u{1b}[31mred");

    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(!raw(&report), "{report:?}");
    for expected in [
        format!(
            "stubs/app/greet/{}: \"function\" holds control characters, which no function's \
             path or hash has",
            name(&foreign)
        ),
        format!(
            "stubs/app/inner/renamed/{}: \"source_hash\" holds control characters",
            name(&renamed)
        ),
        format!("stubs/app/\\u001b[31mred/{}: ", name(&shout)),
    ] {
        assert!(report.contains(&expected), "{expected:?} not in\n{report}");
    }
}

/// Unix only: it makes a pipe.
#[cfg(unix)]
#[test]
fn prune_deletes_only_files_that_read_as_stubs_and_says_what_it_left() {
    use std::os::unix::fs::FileTypeExt;
    let fixture = Fixture::recorded();
    let shout = fixture.stubs_of("shout").remove(0);
    std::fs::remove_file(fixture.path("tests/shout.rs")).unwrap();
    // Another tool's JSON named as a stub, a stub of a newer format, a pipe named as a stub,
    // a temporary file and a file of notes: no test uses any of them.
    let key = "0123456789abcdef0123456789abcdef.json";
    let other_tool = fixture.path("stubs/other-tool").join(key);
    fixture.write(
        &format!("stubs/other-tool/{key}"),
        "{\"tool\": \"other\"}\n",
    );
    let newer = fixture.path("stubs/app/shout").join(key);
    let text = std::fs::read_to_string(&shout).unwrap();
    std::fs::write(&newer, text.replace("\"format\": 1", "\"format\": 2")).unwrap();
    let pipe = fixture.path("stubs/app/greet/00000000000000000000000000000000.json");
    assert!(
        Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap()
            .success()
    );
    let temporary = fixture
        .path("stubs/app/greet")
        .join(format!(".{key}.Xy12.tmp"));
    std::fs::write(&temporary, "{").unwrap();
    fixture.write("stubs/app/notes.txt", "to do");

    let (code, pruned) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert_eq!(pruned.matches("deleted: ").count(), 1, "{pruned}");
    assert!(
        pruned.contains(&format!("deleted: stubs/app/shout/{}\n", name(&shout)))
            && pruned.contains("deleted 1 unused stub of 4"),
        "{pruned}"
    );
    for left in [
        format!("left alone: stubs/other-tool/{key}: "),
        format!("left alone: stubs/app/shout/{key}: it is in stub format 2"),
        "left alone: stubs/app/greet/00000000000000000000000000000000.json: it is not a regular file"
            .to_string(),
        format!("left alone: stubs/app/greet/.{key}.Xy12.tmp: a temporary file"),
        "left alone: stubs/app/notes.txt: not a stub".to_string(),
    ] {
        assert!(pruned.contains(&left), "{left:?} not in\n{pruned}");
    }
    assert!(!shout.exists());
    for path in [
        &other_tool,
        &newer,
        &temporary,
        &fixture.path("stubs/app/notes.txt"),
    ] {
        assert!(path.exists(), "{} was deleted", path.display());
    }
    let pipe = std::fs::symlink_metadata(&pipe).unwrap();
    assert!(pipe.file_type().is_fifo());
}

#[test]
fn prune_keeps_the_stubs_of_every_configuration_named_and_refuses_features_no_run_enables() {
    let fixture = Fixture::with_a_feature();
    let all = fixture.stub_files();
    assert_eq!(all.len(), 5);
    let psst = fixture.psst();

    // The tests behind `extra` don't run by default: their stub would look unused.
    let (code, refused) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 2, "{refused}");
    for expected in [
        "no run enables a feature of the workspace: `app/extra`. Tests compiled only with it \
         don't run, so the stubs only they use would look unused",
        "`--run '--features app/extra'`, `--run --all-features`",
        "pass `--allow-unrun-features`",
    ] {
        assert!(refused.contains(expected), "{expected:?} not in\n{refused}");
    }
    assert!(!refused.contains("running `cargo test"), "{refused}");
    assert_eq!(fixture.stub_files(), all);

    // Named, each configuration runs, with a log of its own, and the union is kept.
    for run in ["--features extra", "--all-features"] {
        let (code, pruned) = fixture.stubs(&["prune", "--run", run, "--", "--offline"]);
        assert_eq!(code, 0, "{pruned}");
        for expected in [
            "every stub was used (5 stubs)".to_string(),
            "running `cargo test --workspace --offline` with the usage log on (run 1 of 2)"
                .to_string(),
            format!(
                "running `cargo test --workspace {run} --offline` with the usage log on (run 2 of 2)"
            ),
        ] {
            assert!(pruned.contains(&expected), "{expected:?} not in\n{pruned}");
        }
    }
    assert_eq!(fixture.stub_files(), all);

    // The risk accepted, the stub only `extra`'s tests use is unused.
    let (code, dry) = fixture.stubs(&[
        "prune",
        "--allow-unrun-features",
        "--dry-run",
        "--",
        "--offline",
    ]);
    assert_eq!(code, 0, "{dry}");
    assert!(
        dry.contains(&format!("unused: {psst}\n"))
            && dry.contains("1 of 5 stubs unused; nothing deleted (--dry-run)"),
        "{dry}"
    );
    assert_eq!(fixture.stub_files(), all);

    // A run's configuration is cargo's, not the test harness's.
    let (code, refused) = fixture.stubs(&["prune", "--run", "--features extra -- --ignored"]);
    assert_eq!(code, 2, "{refused}");
    assert!(
        refused.contains("the test harness's go after prune's own `--`, for every run"),
        "{refused}"
    );
}

#[test]
fn two_prunes_at_once_each_read_only_the_logs_of_their_own_runs() {
    let fixture = Fixture::with_a_feature();
    let psst = fixture.psst();
    fixture.write("tests/meet.rs", MEETS_ANOTHER_RUN);

    // Their plain runs meet: one prune's log would be the other's, were they shared.
    let with_extra = fixture.start_stubs(&[
        "prune",
        "--dry-run",
        "--run",
        "--features extra",
        "--",
        "--offline",
    ]);
    let without = fixture.start_stubs(&[
        "prune",
        "--dry-run",
        "--allow-unrun-features",
        "--",
        "--offline",
    ]);
    let (code, kept) = printed(with_extra.wait_with_output().unwrap());
    assert_eq!(code, 0, "{kept}");
    assert!(kept.contains("every stub was used (5 stubs)"), "{kept}");
    let (code, dry) = printed(without.wait_with_output().unwrap());
    assert_eq!(code, 0, "{dry}");
    assert!(
        dry.contains(&format!("unused: {psst}\n"))
            && dry.contains("1 of 5 stubs unused; nothing deleted (--dry-run)"),
        "{dry}"
    );
    assert!(
        std::fs::read_dir(fixture.path("arrivals")).unwrap().count() >= 2,
        "the runs of the two prunes did not meet"
    );
}

/// `length` random letters and digits after `prefix`, made when the test runs, so that no
/// real-looking key is in the source.
fn made_up(prefix: &str, length: usize) -> String {
    use std::hash::{BuildHasher, RandomState};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let random = RandomState::new();
    let at = |n| usize::try_from(random.hash_one(n)).unwrap_or_default() % ALPHABET.len();
    let body: String = (0..length).map(|n| char::from(ALPHABET[at(n)])).collect();
    format!("{prefix}{body}")
}

#[test]
fn check_finds_secrets_planted_in_stubs_but_where_the_stub_allows_them() {
    let fixture = Fixture::recorded();
    let key = made_up(&["sk", "proj", ""].join("-"), 80);
    let token = made_up("", 24);
    let [leaky, allowed] = <[PathBuf; 2]>::try_from(fixture.stubs_of("greet")).unwrap();
    rewrite(&leaky, &|stub| {
        stub["output"] = format!("Hello! Your key is {key}.").into();
    });
    // What `allow_secret("output")` on the function writes in its stubs.
    rewrite(&allowed, &|stub| {
        stub["output"] = format!("An example: {key}").into();
        stub["allow_secret"] = serde_json::json!(["output"]);
    });
    let shout = fixture.stubs_of("shout").remove(0);
    rewrite(&shout, &|stub| stub["args"]["text"] = token.clone().into());

    let check = |env: &[(&str, &str)]| {
        let mut command = fixture.command(&["stubs", "check"]);
        command.envs(env.iter().copied());
        printed(command.output().unwrap())
    };
    let (code, report) = check(&[("APP_SERVICE_TOKEN", &token)]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("2 problems in the stubs:\n"), "{report}");
    for expected in [
        format!(
            "stubs/app/greet/{}: `output` holds an OpenAI API key (`sk-…`): revoke it and \
             record without it, or, if it is no secret, add `allow_secret(\"output\")` to the \
             function and record again",
            name(&leaky)
        ),
        format!(
            "stubs/app/shout/{}: `args.text` holds the value of the environment variable \
             `APP_SERVICE_TOKEN`",
            name(&shout)
        ),
    ] {
        assert!(report.contains(&expected), "{expected:?} not in\n{report}");
    }
    assert!(!report.contains(&name(&allowed)), "{report}");
    assert!(
        !report.contains(&key) && !report.contains(&token),
        "{report}"
    );

    // The environment rule looks for the values of the variables `check` runs with.
    let (code, report) = check(&[]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("1 problem in the stubs:\n"), "{report}");
}
