//! Compile cost: a crate of 50 functions with `#[cached_stub]` against the same crate
//! without it, both loading cached-stubs, dependencies built already. A build of the crate
//! (no `record-replay`: the function as written, the macro's own cost), its test build (the
//! record/replay version, compiled), and a rebuild after editing one function. Then the macro
//! crate itself, as a production build compiles it, against a proc-macro crate of one
//! attribute that gives its item back.

use cached_stubs_benches::{Row, alternate, print_table};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const FUNCTIONS: usize = 50;

/// ABBA blocks per row: a build takes a tenth of a second, and differs by a few
/// milliseconds from one run to the next, so a row needs more samples than a call does.
const BLOCKS: usize = 6;

fn main() {
    let root = tempfile::tempdir().unwrap();
    let target = root.path().join("target");
    let plain = Fixture::functions(root.path(), "plain", false, &target);
    let stubbed = Fixture::functions(root.path(), "stubbed", true, &target);
    for fixture in [&plain, &stubbed] {
        fixture.cargo(&["build"]);
        fixture.cargo(&["test", "--no-run"]);
    }
    let empty_attribute = Fixture::empty_attribute(root.path(), &target);
    let macro_crate = Fixture::macro_crate(root.path(), &target);
    for fixture in [&empty_attribute, &macro_crate] {
        fixture.cargo(&["build"]);
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
    let macro_row = alternate(
        "clean build of the macro crate, and of one function it annotates",
        BLOCKS,
        || empty_attribute.rebuilt_with_its_macro(),
        || macro_crate.rebuilt_with_its_macro(),
    );
    print_table(
        "Compile time of the macro crate, without `record-replay`",
        "an attribute that gives its item back",
        "cached-stubs-macros",
        &[macro_row],
    );
}

/// Medians of twelve timings of each fixture, taken in ABBA order.
fn row(case: &str, plain: &Fixture, stubbed: &Fixture, time: impl Fn(&Fixture) -> f64) -> Row {
    alternate(case, BLOCKS, || time(plain), || time(stubbed))
}

/// A generated crate.
struct Fixture {
    name: String,
    dir: PathBuf,
    target: PathBuf,
    /// The proc-macro crate whose clean build [`Fixture::rebuilt_with_its_macro`] times.
    macro_crate: &'static str,
    annotated: bool,
    edits: std::cell::Cell<u32>,
}

impl Fixture {
    /// A crate of [`FUNCTIONS`] functions, each with `#[cached_stub]` if `annotated`.
    fn functions(root: &Path, name: &str, annotated: bool, target: &Path) -> Fixture {
        let runtime = workspace().join("cached-stubs");
        let fixture = Fixture::new(
            root,
            name,
            target,
            &format!(
                "[dependencies]\ncached-stubs = {{ path = {runtime:?} }}\n\n\
                 [dev-dependencies]\ncached-stubs = {{ path = {runtime:?}, features = [\"record-replay\"] }}\n"
            ),
        );
        let fixture = Fixture {
            annotated,
            ..fixture
        };
        fixture.write_source();
        fixture
    }

    /// A crate of one function annotated by `cached-stubs-macros` alone, as a production
    /// build compiles it (the crate's own `record-replay` feature off).
    fn macro_crate(root: &Path, target: &Path) -> Fixture {
        let macros = workspace().join("cached-stubs-macros");
        let fixture = Fixture::new(
            root,
            "annotated-once",
            target,
            &format!("[dependencies]\ncached-stubs-macros = {{ path = {macros:?} }}\n"),
        );
        fixture.write(
            "src/lib.rs",
            &ANNOTATED_ONCE.replace("ATTRIBUTE", "cached_stubs_macros::cached_stub"),
        );
        Fixture {
            macro_crate: "cached-stubs-macros",
            ..fixture
        }
    }

    /// The floor of [`Fixture::macro_crate`]: the same function, annotated by a proc-macro
    /// crate of one attribute that gives its item back, and no dependency.
    fn empty_attribute(root: &Path, target: &Path) -> Fixture {
        let empty = Fixture::new(
            root,
            "empty-attribute",
            target,
            "[lib]\nproc-macro = true\n",
        );
        empty.write(
            "src/lib.rs",
            "use proc_macro::TokenStream;\n\n\
             #[proc_macro_attribute]\n\
             pub fn stub(_: TokenStream, item: TokenStream) -> TokenStream {\n    item\n}\n",
        );
        let path = empty.dir.clone();
        let fixture = Fixture::new(
            root,
            "annotated-by-empty",
            target,
            &format!("[dependencies]\nempty-attribute = {{ path = {path:?} }}\n"),
        );
        fixture.write(
            "src/lib.rs",
            &ANNOTATED_ONCE.replace("ATTRIBUTE", "empty_attribute::stub"),
        );
        Fixture {
            macro_crate: "empty-attribute",
            ..fixture
        }
    }

    fn new(root: &Path, name: &str, target: &Path, tables: &str) -> Fixture {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             {tables}\n[workspace]\n"
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        Fixture {
            name: name.to_string(),
            dir,
            target: target.to_path_buf(),
            macro_crate: "",
            annotated: false,
            edits: std::cell::Cell::new(0),
        }
    }

    fn write(&self, path: &str, contents: &str) {
        std::fs::write(self.dir.join(path), contents).unwrap();
    }

    /// Nanoseconds that a build takes after cleaning the crate's proc-macro crate: that
    /// crate's build, then this one's.
    fn rebuilt_with_its_macro(&self) -> f64 {
        self.cargo(&["clean", "-p", self.macro_crate]);
        self.timed(&["build"])
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
        self.write(
            "src/lib.rs",
            &format!("use cached_stubs as _;\n\n{functions}"),
        );
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

/// The crate of one annotated function, `ATTRIBUTE` replaced by the attribute's path.
const ANNOTATED_ONCE: &str =
    "#[ATTRIBUTE]\npub fn answer(prompt: &str) -> String {\n    prompt.to_uppercase()\n}\n";

/// The workspace of cached-stubs.
fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}
