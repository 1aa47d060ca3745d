//! An annotated function as the expansion describes it, and where its stubs live.

use crate::key::Key;
use crate::lock::lock;
use crate::message;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, OnceLock};

/// One annotated function: a `static` in its expansion, so the folder is resolved once.
pub struct Site {
    pub(crate) function: &'static str,
    module_path: &'static str,
    name: &'static str,
    pub(crate) source_hash: &'static str,
    dir: Option<&'static str>,
    manifest_dir: &'static str,
    folder: OnceLock<PathBuf>,
}

impl Site {
    /// `function` is the path a stub file names (`module_path!()` and the function's own
    /// name); `name` is its folder (the function's name or `name = "..."`); `dir` is the
    /// attribute's `dir = "..."`, relative to `manifest_dir`, the defining crate's.
    pub const fn new(
        function: &'static str,
        module_path: &'static str,
        name: &'static str,
        source_hash: &'static str,
        dir: Option<&'static str>,
        manifest_dir: &'static str,
    ) -> Site {
        Site {
            function,
            module_path,
            name,
            source_hash,
            dir,
            manifest_dir,
            folder: OnceLock::new(),
        }
    }

    /// `<stub dir>/<module path, :: as />/<name>`, where the stub dir is `CACHED_STUBS_DIR`
    /// if set (relative to the current directory when the process first reads it), else the
    /// attribute's `dir`, else `stubs`, both relative to the manifest dir.
    ///
    /// # Panics
    ///
    /// When another function of this process already uses the folder.
    pub(crate) fn folder(&self) -> &Path {
        self.folder.get_or_init(|| {
            static OVERRIDE: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
                let dir = std::env::var_os("CACHED_STUBS_DIR").filter(|dir| !dir.is_empty())?;
                Some(std::path::absolute(&dir).unwrap_or_else(|_| dir.into()))
            });
            let mut folder = match &*OVERRIDE {
                Some(dir) => dir.clone(),
                None => Path::new(self.manifest_dir).join(self.dir.unwrap_or("stubs")),
            };
            folder.extend(self.module_path.split("::"));
            folder.push(self.name);
            self.claim(&folder);
            folder
        })
    }

    /// Registers this function as the one whose stubs `folder` holds in this process: two
    /// functions sharing a folder would take each other's stubs for stale or broken ones.
    fn claim(&self, folder: &Path) {
        static OWNERS: Mutex<BTreeMap<PathBuf, (&str, &str)>> = Mutex::new(BTreeMap::new());
        let owner = (self.function, self.source_hash);
        let first = *lock(&OWNERS).entry(folder.to_path_buf()).or_insert(owner);
        if first != owner {
            panic!("{}", message::shared_folder(self, first.0, folder));
        }
    }

    /// The file that holds the stub of the call with this key.
    pub(crate) fn stub_path(&self, key: Key) -> PathBuf {
        self.folder().join(key.file_name())
    }
}
