//! An annotated function as the expansion describes it, and where its stubs live.

use crate::failure::Failure;
use crate::key::Key;
use crate::lock::lock;
use crate::report::shown;
use crate::stub_file::Expected;
use std::collections::BTreeMap;
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
    /// `CARGO_MANIFEST_DIR` of the defining crate.
    pub manifest_dir: &'static str,
}

/// One annotated function: a `static` in its expansion, so the folder is resolved once.
pub struct Site {
    pub(crate) definition: Definition,
    function: OnceLock<String>,
    folder: OnceLock<PathBuf>,
}

impl Site {
    /// The site of the function `definition` describes.
    pub const fn new(definition: Definition) -> Site {
        Site {
            definition,
            function: OnceLock::new(),
            folder: OnceLock::new(),
        }
    }

    /// The path a stub file names as its `function`: the module path and the name.
    pub(crate) fn function(&'static self) -> &'static str {
        self.function.get_or_init(|| {
            let Definition {
                module_path, name, ..
            } = self.definition;
            format!("{module_path}::{name}")
        })
    }

    /// `<stub dir>/<module path, :: as />/<name>`, where the stub dir is `CACHED_STUBS_DIR`
    /// if set (relative to the current directory when the process first reads it), else the
    /// attribute's `dir`, else `stubs`, both relative to the manifest dir.
    ///
    /// # Panics
    ///
    /// When another function of this process already uses the folder.
    #[track_caller]
    pub(crate) fn folder(&'static self) -> &'static Path {
        if let Some(folder) = self.folder.get() {
            return folder;
        }
        static OVERRIDE: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
            let dir = crate::env::var("CACHED_STUBS_DIR")?;
            Some(std::path::absolute(&dir).unwrap_or_else(|_| dir.into()))
        });
        let definition = &self.definition;
        let mut folder = match &*OVERRIDE {
            Some(dir) => dir.clone(),
            None => Path::new(definition.manifest_dir).join(definition.dir.unwrap_or("stubs")),
        };
        folder.extend(definition.module_path.split("::"));
        folder.push(definition.name);
        // Outside `get_or_init`, whose closure would be where a failed claim points.
        self.claim(&folder);
        self.folder.get_or_init(|| folder)
    }

    /// Registers this function as the one whose stubs `folder` holds in this process: two
    /// functions sharing a folder would take each other's stubs for stale or broken ones.
    #[track_caller]
    fn claim(&'static self, folder: &Path) {
        static OWNERS: Mutex<BTreeMap<PathBuf, (&str, &str)>> = Mutex::new(BTreeMap::new());
        let owner = (self.function(), self.definition.source_hash);
        let first = *lock(&OWNERS).entry(folder.to_path_buf()).or_insert(owner);
        if first != owner {
            Failure::SharedFolder {
                first: first.0.to_string(),
                second: self.function(),
                folder: shown(folder),
            }
            .raise();
        }
    }

    /// What this function's current stubs were recorded from.
    pub(crate) fn expected(&'static self) -> Expected<'static> {
        Expected {
            function: self.function(),
            source_hash: self.definition.source_hash,
        }
    }

    /// The file that holds the stub of the call with this key.
    #[track_caller]
    pub(crate) fn stub_path(&'static self, key: Key) -> PathBuf {
        self.folder().join(key.file_name())
    }
}
