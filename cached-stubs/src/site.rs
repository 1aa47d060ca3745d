//! An annotated function as the expansion describes it ([`Site`]), and each instance of it
//! that is called ([`Instance`]): its identity and the folder where its stubs live.

use crate::crate_dir;
use crate::failure::Failure;
use crate::identity::{Identity, identity};
use crate::lock::lock;
use crate::report::{record_command, shown};
use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, OnceLock};

/// What the expansion declares about an annotated function.
pub struct Definition {
    /// `module_path!()` where the function is defined.
    pub module_path: &'static str,
    /// The function's name for its stubs: its own, or `name = "..."`. Functions given one
    /// name are one function to their stubs, each version of the other.
    pub name: &'static str,
    /// The hash of its tokens; see the macro's `source_hash`.
    pub source_hash: &'static str,
    /// The attribute's `dir = "..."`, relative to `manifest_dir`.
    pub dir: Option<&'static str>,
    /// `CARGO_MANIFEST_DIR` of the defining crate, when it was built.
    pub manifest_dir: &'static str,
    /// `CARGO_PKG_NAME` of the defining crate, to find it again if it moved since.
    pub package: &'static str,
    /// Whether identical calls are recorded as a sequence, an answer per call and per test.
    pub sequence: bool,
    /// The attribute's `allow_secret("path", ...)`: JSON paths of the stub whose values are
    /// no secrets, though the guard would take them for some (see `secrets`).
    pub allow_secret: &'static [&'static str],
}

/// One annotated function: a `static` in its expansion, so that each of its instances is
/// worked out once.
pub struct Site {
    pub(crate) definition: Definition,
    /// The root of its stubs, worked out at its first call.
    root: OnceLock<PathBuf>,
    /// The instance called first; almost every function has only that one.
    first: OnceLock<Instance>,
    /// The others, of a generic function or `impl`.
    others: Mutex<Vec<&'static Instance>>,
}

/// One instance of an annotated function, as [`identity`] names it.
pub(crate) struct Instance {
    pub(crate) site: &'static Site,
    /// The type name of a closure in its body, which tells instances apart.
    name: &'static str,
    /// The stub's `function`: see [`Identity`].
    function: String,
    /// The owner as Rust prints it, when it is part of the key as `<Self>`.
    pub(crate) self_key: Option<&'static str>,
    /// The folder of its stubs.
    pub(crate) folder: PathBuf,
    /// Its `function` and the folder of its stubs in cached-stubs 0.1, when they were others.
    pub(crate) in_0_1: Option<(String, PathBuf)>,
}

impl Site {
    /// The site of the function `definition` describes.
    pub const fn new(definition: Definition) -> Site {
        Site {
            definition,
            root: OnceLock::new(),
            first: OnceLock::new(),
            others: Mutex::new(Vec::new()),
        }
    }

    /// The instance of this function whose closures are named `name` (see [`identity`]).
    ///
    /// # Panics
    ///
    /// When another function of this process already keeps its stubs in its folder.
    #[track_caller]
    pub(crate) fn instance(&'static self, name: &'static str) -> &'static Instance {
        let first = match self.first.get() {
            Some(first) => first,
            // Claimed outside `get_or_init`, whose closure would be where a failed claim points.
            None => {
                let instance = self.new_instance(name);
                instance.claim();
                self.first.get_or_init(|| instance)
            }
        };
        if first.name == name {
            return first;
        }
        let mut others = lock(&self.others);
        if let Some(other) = others.iter().find(|other| other.name == name) {
            return other;
        }
        let other: &'static Instance = Box::leak(Box::new(self.new_instance(name)));
        other.claim();
        others.push(other);
        other
    }

    #[track_caller]
    fn new_instance(&'static self, name: &'static str) -> Instance {
        let definition = &self.definition;
        let Identity {
            function,
            folder,
            self_key,
            in_0_1,
        } = identity(definition.module_path, definition.name, name);
        let root = self.root();
        Instance {
            site: self,
            name,
            function,
            self_key,
            folder: root.join(folder),
            in_0_1: in_0_1.map(|(function, folder)| (function, root.join(folder))),
        }
    }
}

impl Site {
    /// Where its stubs are: `CACHED_STUBS_DIR` (relative to where the user ran cargo, not
    /// to the package's folder the tests run in), else the attribute's `dir`, else `stubs`,
    /// both relative to the defining crate's folder as it is now.
    ///
    /// # Panics
    ///
    /// When that folder can't be found: the crate moved since this binary was built.
    #[track_caller]
    fn root(&'static self) -> &'static Path {
        static OVERRIDE: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
            let dir = PathBuf::from(crate::env::var("CACHED_STUBS_DIR")?);
            let from = crate::env::invocation_dir().unwrap_or_default();
            Some(from.join(dir))
        });
        if let Some(root) = self.root.get() {
            return root;
        }
        let definition = &self.definition;
        let root = match &*OVERRIDE {
            Some(dir) => dir.clone(),
            None => {
                let compiled_at = Path::new(definition.manifest_dir);
                match crate_dir::manifest_dir(definition.package, compiled_at) {
                    Some(manifest_dir) => manifest_dir.join(definition.dir.unwrap_or("stubs")),
                    None => Failure::CrateMoved {
                        package: definition.package,
                        compiled_at: definition.manifest_dir,
                    }
                    .raise(),
                }
            }
        };
        self.root.get_or_init(|| root)
    }
}

impl Instance {
    /// The stub's `function`.
    pub(crate) fn function(&'static self) -> &'static str {
        &self.function
    }

    /// Panics: the stub at `path` can't be used, for the reason `error` gives.
    #[track_caller]
    pub(crate) fn unreadable(&'static self, path: &Path, error: &dyn Display) -> ! {
        Failure::Unreadable {
            function: self.function(),
            file: shown(path),
            error: error.to_string(),
            command: record_command("all"),
        }
        .raise()
    }

    /// Panics: the stub at `path` can't be written, for the reason `error` gives.
    #[track_caller]
    pub(crate) fn unwritable(&'static self, path: &Path, error: &dyn Display) -> ! {
        Failure::Unwritable {
            function: self.function(),
            file: shown(path),
            error: error.to_string(),
        }
        .raise()
    }

    /// Registers this function as the one whose stubs its folder holds in this process: two
    /// functions sharing a folder would take each other's stubs for stale or broken ones.
    #[track_caller]
    fn claim(&self) {
        static OWNERS: Mutex<BTreeMap<PathBuf, (String, &str)>> = Mutex::new(BTreeMap::new());
        let owner = (self.function.clone(), self.site.definition.source_hash);
        let first = lock(&OWNERS)
            .entry(self.folder.clone())
            .or_insert_with(|| owner.clone())
            .clone();
        if first != owner {
            Failure::SharedFolder {
                first: first.0,
                second: self.function.clone(),
                folder: shown(&self.folder),
            }
            .raise();
        }
    }
}
