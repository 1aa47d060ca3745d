//! Compile cost: a crate of 50 functions with `#[cached_stub]` against the same crate
//! without it, both loading cached-stubs, dependencies built already. A build of the crate (no `record-replay`: the
//! function as written, the macro's own cost), its test build (the record/replay version,
//! compiled), and a rebuild after editing one function.

use cached_stubs_benches::{Row, alternate, print_table};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const FUNCTIONS: usize = 50;

fn main() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("target");
    let plain = Fixture::new(root.path(), "plain", false, &target);
    let stubbed = Fixture::new(root.path(), "stubbed", true, &target);
    for fixture in [&plain, &stubbed] {
        fixture.cargo(&["build"]);
        fixture.cargo(&["test", "--no-run"]);
    }
    let rows = vec![
        row("clean build of the crate", &plain, &stubbed, |fixture| {
            fixture.cargo(&["clean", "-p", &fixture.name]);
            fixture.timed(&["build"])
        }),
        row(
            "clean test build of the crate",
            &plain,
            &stubbed,
            |fixture| {
                fixture.cargo(&["clean", "-p", &fixture.name]);
                fixture.timed(&["test", "--no-run"])
            },
        ),
        row(
            "rebuild after editing one function",
            &plain,
            &stubbed,
            |fixture| {
                fixture.edit_one_function();
                fixture.timed(&["build"])
            },
        ),
        row(
            "test rebuild after editing one function",
            &plain,
            &stubbed,
            |fixture| {
                fixture.edit_one_function();
                fixture.timed(&["test", "--no-run"])
            },
        ),
    ];
    print_table(
        &format!("Compile time of a crate of {FUNCTIONS} functions"),
        "without the attribute",
        "with `#[cached_stub]`",
        &rows,
    );
}

/// Medians of six timings of each fixture, taken in ABBA order.
fn row(case: &str, plain: &Fixture, stubbed: &Fixture, time: impl Fn(&Fixture) -> f64) -> Row {
    alternate(case, 3, || time(plain), || time(stubbed))
}

/// A generated crate.
struct Fixture {
    name: String,
    dir: PathBuf,
    target: PathBuf,
    annotated: bool,
    edits: std::cell::Cell<u32>,
}

impl Fixture {
    fn new(root: &Path, name: &str, annotated: bool, target: &Path) -> Fixture {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let runtime = workspace.join("cached-stubs");
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [dependencies]\ncached-stubs = {{ path = {runtime:?} }}\n\n\
             [dev-dependencies]\ncached-stubs = {{ path = {runtime:?}, features = [\"record-replay\"] }}\n\n\
             [workspace]\n"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        let fixture = Fixture {
            name: name.to_string(),
            dir,
            target: target.to_path_buf(),
            annotated,
            edits: std::cell::Cell::new(0),
        };
        fixture.write_source();
        fixture
    }

    /// Writes the crate's source. Both crates load cached-stubs, so that a debug build of
    /// either reuses its copies of generic std code (`fmt::format`, `to_vec`): a crate that
    /// did not load it would compile its own, and build slower than with the attribute.
    fn write_source(&self) {
        let edit = self.edits.get();
        let attribute = if self.annotated {
            "#[cached_stubs::cached_stub]\n"
        } else {
            ""
        };
        let functions: String = (0..FUNCTIONS)
            .map(|at| {
                let tail = if at == 7 { format!("edit {edit}") } else { String::new() };
                format!(
                    "{attribute}pub fn answer_{at}(prompt: &str, temperature: f32) -> String {{\n    \
                     format!(\"{{prompt}} at {{temperature}}: {at} {tail}\")\n}}\n\n"
                )
            })
            .collect();
        let source = format!("use cached_stubs as _;\n\n{functions}");
        std::fs::write(self.dir.join("src/lib.rs"), source).unwrap();
    }

    fn edit_one_function(&self) {
        self.edits.set(self.edits.get() + 1);
        self.write_source();
    }

    fn cargo(&self, args: &[&str]) {
        let output = Command::new(env!("CARGO"))
            .args(args)
            .arg("--offline")
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Nanoseconds that `cargo args` takes.
    fn timed(&self, args: &[&str]) -> f64 {
        let started = Instant::now();
        self.cargo(args);
        started.elapsed().as_nanos() as f64
    }
}
