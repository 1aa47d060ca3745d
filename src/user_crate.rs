//! A user's crate, built with the cargo that runs the tests: one of `tests/fixtures/` copied
//! to a temporary folder, with a `Cargo.toml` that depends on this workspace's cached-stubs
//! by path, for tests that need cargo itself: activation by features, commands pasted from
//! messages, sources edited between runs.

use crate::{files_below, without_stub_settings};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;

/// The dependencies of a user crate as the README's quick start writes them: cached-stubs in
/// `[dependencies]`, with the `record-replay` feature in `[dev-dependencies]`.
pub const FEATURE_IN_DEV_DEPENDENCIES: &str = "[dependencies]\n\
    cached-stubs = { path = {cached_stubs} }\n\n\
    [dev-dependencies]\n\
    cached-stubs = { path = {cached_stubs}, features = [\"record-replay\"] }";

/// A copy of a fixture crate in a temporary folder.
///
/// ```no_run
/// let user = cached_stubs_suite::UserCrate::new("outside-crate", "[dependencies]\n");
/// assert!(user.cargo(&["test"], Some("1")).success);
/// ```
pub struct UserCrate {
    /// The crate's folder, in `_holder`.
    root: PathBuf,
    _holder: tempfile::TempDir,
    /// Held for the crate's life, and its copies': see [`take_turn`].
    turn: Rc<std::fs::File>,
}

/// What a command run in a [`UserCrate`] did.
pub struct Ran {
    pub success: bool,
    /// Everything it wrote to stdout and stderr.
    pub output: String,
}

impl UserCrate {
    /// A copy of `tests/fixtures/<fixture>`, whose `Cargo.toml` is a package named after it
    /// followed by `dependencies` (TOML, in which `{cached_stubs}` stands for the path of
    /// this workspace's runtime crate), as a workspace of its own.
    pub fn new(fixture: &str, dependencies: &str) -> UserCrate {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = files_below(&workspace.join("tests/fixtures").join(fixture));
        UserCrate::of_files(fixture, dependencies, files)
    }

    /// A crate of `files` (paths relative to its folder), named `name`, with `dependencies`
    /// as [`UserCrate::new`] takes them.
    pub fn of_files(
        name: &str,
        dependencies: &str,
        files: impl IntoIterator<Item = (PathBuf, Vec<u8>)>,
    ) -> UserCrate {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
        let holder = tempfile::tempdir().expect("a temporary folder");
        let root = holder.path().join(name);
        for (path, bytes) in files {
            let target = root.join(path);
            std::fs::create_dir_all(target.parent().expect("a file has a folder")).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        // The workspace's lock file pins the same dependency versions: no network is needed.
        std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
        let runtime = format!("{:?}", workspace.join("cached-stubs"));
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n{}\n\n\
             [workspace]\n",
            dependencies.replace("{cached_stubs}", &runtime)
        );
        std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
        UserCrate {
            root,
            _holder: holder,
            turn: Rc::new(take_turn()),
        }
    }

    /// A copy of the crate in another folder, as `cp -a` makes it: times kept, so that
    /// cargo finds its builds fresh and runs them again from the shared target folder.
    pub fn copied(&self) -> UserCrate {
        let holder = tempfile::tempdir().expect("a temporary folder");
        let root = holder
            .path()
            .join(self.root.file_name().expect("a named folder"));
        let copied = Command::new("cp")
            .arg("-a")
            .arg(&self.root)
            .arg(&root)
            .status()
            .expect("cp runs");
        assert!(copied.success(), "cp -a failed");
        UserCrate {
            root,
            _holder: holder,
            turn: Rc::clone(&self.turn),
        }
    }

    /// The crate moved to another folder, as `mv` moves it.
    pub fn moved(self) -> UserCrate {
        let holder = tempfile::tempdir().expect("a temporary folder");
        let root = holder
            .path()
            .join(self.root.file_name().expect("a named folder"));
        std::fs::rename(&self.root, &root).expect("the crate moves");
        UserCrate {
            root,
            _holder: holder,
            turn: self.turn,
        }
    }

    /// A path in the crate's folder.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Writes the file at `relative`, and the folders it needs.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("a file has a folder")).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces `from` by `to` in the file at `relative`, as a user edits a source.
    ///
    /// # Panics
    ///
    /// When the file doesn't hold `from`.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} holds no {from:?}");
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    }

    /// Runs `cargo --offline <args>` in the crate, with `RECORD` set to `record` (unset with
    /// `None`).
    pub fn cargo(&self, args: &[&str], record: Option<&str>) -> Ran {
        let mut command = self.command(env!("CARGO"));
        command.arg("--offline").args(args);
        if let Some(value) = record {
            command.env("RECORD", value);
        }
        run(command)
    }

    /// Runs a command line as a user pastes it into a shell in the crate's folder (with
    /// this process's cargo first on the `PATH`).
    pub fn shell(&self, line: &str) -> Ran {
        let mut command = self.command("sh");
        let cargo_folder = Path::new(env!("CARGO")).parent().expect("cargo's folder");
        let path = std::env::join_paths(std::iter::once(cargo_folder.to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .expect("a PATH");
        command
            .args(["-c", line])
            .env("PATH", path)
            .env("CARGO_NET_OFFLINE", "true");
        run(command)
    }

    /// The real calls the crate's functions logged so far (to `REAL_CALLS`), sorted.
    pub fn real_calls(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.path("real-calls.log")).unwrap_or_default();
        let mut calls: Vec<_> = log.lines().map(str::to_string).collect();
        calls.sort();
        calls
    }

    /// `program` in the crate's folder, as the user who ran cargo there starts it: `PWD`
    /// there, no stub settings but `REAL_CALLS`, and the build shared by every user crate.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        without_stub_settings(&mut command)
            .current_dir(&self.root)
            .env("PWD", &self.root)
            // Under `cargo nextest run`, the user's own `cargo test` is no nextest run.
            .env_remove("NEXTEST")
            .env("CARGO_TARGET_DIR", shared_target())
            .env("REAL_CALLS", self.path("real-calls.log"));
        command
    }
}

/// Waits for the user crates of other tests to be done, and holds them off until the file it
/// returns is dropped, across the threads of `cargo test` and the processes of `cargo nextest
/// run`. User crates share a target dir, and cargo names a path package's artifacts after its
/// place in its own workspace: two crates of one name at once, in two temporary folders,
/// would overwrite each other's test binaries.
fn take_turn() -> std::fs::File {
    let lock = shared_target().with_extension("lock");
    std::fs::create_dir_all(lock.parent().expect("target/tmp")).unwrap();
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)
        .unwrap();
    file.lock().expect("the user crates' lock");
    file
}

/// Where every user crate builds, kept between runs so that dependencies build once:
/// `target/tmp/user-crates`, beside the test binary's profile folder.
fn shared_target() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("target/<profile>/deps/<test>");
    target.join("tmp/user-crates")
}

fn run(mut command: Command) -> Ran {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the command starts");
    Ran {
        success: status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        ),
    }
}

impl Ran {
    /// What it printed, asserting that it succeeded.
    pub fn success(self) -> String {
        assert!(self.success, "the command failed:\n{}", self.output);
        self.output
    }

    /// What it printed, asserting that it failed.
    pub fn failure(self) -> String {
        assert!(!self.success, "the command succeeded:\n{}", self.output);
        self.output
    }
}
