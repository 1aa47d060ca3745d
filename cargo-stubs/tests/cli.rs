//! `cargo stubs` on a temporary crate whose stubs are real recordings: the crate uses
//! cached-stubs as a user's does, its tests are run with `RECORD=1`, and the subcommand is
//! run through cargo, as `cargo stubs`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A crate with two annotated functions and a test file for each.
struct Fixture {
    dir: tempfile::TempDir,
    /// Held for the fixture's life: see [`CARGO`].
    _turn: MutexGuard<'static, ()>,
}

/// Fixtures take turns. They share a target dir, so that dependencies build once, and cargo
/// names a path package's artifacts after its place in its own workspace: fixtures in two
/// temporary folders would overwrite each other's test binaries.
static CARGO: Mutex<()> = Mutex::new(());

const LIB: &str = r#"
use cached_stubs::cached_stub;

#[cached_stub]
pub fn greet(name: &str) -> String {
    format!("Hello, {name}!")
}

#[cached_stub]
pub fn shout(text: &str) -> String {
    text.to_uppercase()
}
"#;

const GREET_TESTS: &str = r#"
#[test]
fn greets() {
    assert_eq!(app::greet("Ada"), "Hello, Ada!");
    assert_eq!(app::greet("Bob"), "Hello, Bob!");
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
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let runtime = workspace.join("cached-stubs");
        let turn = CARGO.lock().unwrap_or_else(PoisonError::into_inner);
        let fixture = Fixture {
            dir: tempfile::tempdir().unwrap(),
            _turn: turn,
        };
        let manifest = format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
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
        let recorded = fixture
            .command("cargo", &["test", "--offline"])
            .env("RECORD", "1")
            .output()
            .unwrap();
        assert!(
            recorded.status.success(),
            "{}",
            String::from_utf8_lossy(&recorded.stderr)
        );
        fixture
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `program args`, in the crate, with `cargo-stubs` on the `PATH` and a shared target dir.
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let bin = Path::new(env!("CARGO_BIN_EXE_cargo-stubs"))
            .parent()
            .unwrap();
        let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .unwrap();
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env(
                "CARGO_TARGET_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cargo-stubs-fixture"),
            )
            .env_remove("RECORD")
            .env_remove("CACHED_STUBS_DIR");
        command
    }

    /// `cargo stubs args`: its exit code and what it printed.
    fn stubs(&self, args: &[&str]) -> (i32, String) {
        let Output {
            status,
            stdout,
            stderr,
        } = self
            .command("cargo", &[&["stubs"], args].concat())
            .output()
            .unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        );
        (status.code().expect("an exit code"), printed)
    }

    /// The stub files below `stubs/`, relative to it.
    fn stub_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        let mut folders = vec![self.path("stubs")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).into_iter().flatten() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else {
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

    fn stubs_of(&self, function: &str) -> Vec<PathBuf> {
        let folder = self.path("stubs/app").join(function);
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
    assert_eq!(&rows[2][..2], ["app::shout", "1"]);
    assert!(
        rows[3].starts_with(&["3", "stubs", "of", "2", "functions,"]),
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
    let (code, shown) = fixture.stubs(&["show", one.to_str().unwrap()]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("text: \"hey\"") && shown.contains("\"HEY\""),
        "{shown}"
    );
    let (code, unknown) = fixture.stubs(&["show", "app::whisper"]);
    assert_eq!(code, 2);
    assert!(
        unknown.contains("no stub file, function or function folder `app::whisper`"),
        "{unknown}"
    );

    let (code, checked) = fixture.stubs(&["check"]);
    assert_eq!(
        (code, checked.trim()),
        (
            0,
            "3 stubs of 2 functions: all readable, in the current format, where their functions look for them"
        )
    );
}

#[test]
fn check_lists_every_problem_and_fails() {
    let fixture = Fixture::recorded();
    let greets = fixture.stubs_of("greet");
    let name = |path: &Path| path.file_name().unwrap().to_str().unwrap().to_string();
    // A truncated stub, a temporary file left by a killed recording, a stub moved to
    // another module's folder, and a file that is no stub.
    let text = std::fs::read_to_string(&greets[0]).unwrap();
    std::fs::write(&greets[0], &text[..text.len() / 2]).unwrap();
    std::fs::write(
        greets[0].with_file_name(format!(".{}.Xy12.tmp", name(&greets[0]))),
        &text,
    )
    .unwrap();
    let moved = fixture.path("stubs/elsewhere/greet").join(name(&greets[1]));
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&greets[1], &moved).unwrap();
    fixture.write("stubs/app/notes.txt", "to do");

    let (code, report) = fixture.stubs(&["check"]);
    assert_eq!(code, 1, "{report}");
    assert!(report.starts_with("4 problems in the stubs:"), "{report}");
    for expected in [
        format!("{}: EOF while parsing", name(&greets[0])),
        "a temporary file left by a recording that was interrupted: delete it".to_string(),
        format!(
            "elsewhere/greet/{}: recorded by `app::greet`, but in the folder of `elsewhere::greet`",
            name(&greets[1])
        ),
        "stubs/app/notes.txt: not a stub: stub files are named `<32 hex digits>.json`".to_string(),
    ] {
        assert!(report.contains(&expected), "{expected:?} not in\n{report}");
    }
}

#[test]
fn prune_deletes_unused_stubs_only_after_a_green_run_of_every_test() {
    let fixture = Fixture::recorded();
    let all = fixture.stub_files();
    assert_eq!(all.len(), 3);

    // A run that may leave tests out deletes nothing.
    let (code, refused) = fixture.stubs(&["prune", "--", "--test", "greet"]);
    assert_eq!(code, 2, "{refused}");
    assert!(
        refused.contains("`--test` may leave tests out"),
        "{refused}"
    );
    let (code, refused) = fixture.stubs(&["prune", "--", "--offline", "--", "shouts"]);
    assert_eq!(code, 2, "{refused}");
    assert!(
        refused.contains("`shouts` may leave tests out"),
        "{refused}"
    );

    // The tests of `shout` are gone: its stub is unused.
    std::fs::remove_file(fixture.path("tests/shout.rs")).unwrap();
    let (code, dry) = fixture.stubs(&["prune", "--dry-run", "--", "--offline"]);
    assert_eq!(code, 0, "{dry}");
    let shout = format!(
        "stubs/app/shout/{}",
        fixture.stubs_of("shout")[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert!(dry.contains(&format!("unused: {shout}")), "{dry}");
    assert!(
        dry.contains("1 of 3 stubs unused; nothing deleted (--dry-run)"),
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
        failed.contains("the tests failed, so nothing was deleted"),
        "{failed}"
    );
    assert_eq!(fixture.stub_files(), all);

    // A green run deletes it, and its emptied folder.
    fixture.write("tests/greet.rs", GREET_TESTS);
    let (code, pruned) = fixture.stubs(&["prune", "--", "--offline"]);
    assert_eq!(code, 0, "{pruned}");
    assert!(
        pruned.contains(&format!("deleted: {shout}"))
            && pruned.contains("deleted 1 unused stubs of 3"),
        "{pruned}"
    );
    assert_eq!(fixture.stub_files().len(), 2);
    assert!(!fixture.path("stubs/app/shout").exists());
}
