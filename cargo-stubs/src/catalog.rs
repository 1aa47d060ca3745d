//! What is in the stub folders: stubs by function, and the files that are no stubs.

use cached_stubs::__cargo_stubs::{is_stub_name, is_temporary_name};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file below the stub roots.
#[derive(Default)]
pub struct Catalog {
    /// The stubs of each function's folder.
    pub folders: BTreeMap<Folder, Vec<PathBuf>>,
    /// Temporary files a killed recording left.
    pub temporary: Vec<PathBuf>,
    /// Files named neither as stubs nor as temporary files.
    pub strays: Vec<PathBuf>,
}

/// A function's folder: `<root>/<module path>/<name>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Folder {
    pub root: PathBuf,
    /// The folder below the root, its components the module path and the function's name.
    pub relative: PathBuf,
}

impl Folder {
    /// The function the folder is for, as written in code: `tests::geo::capital`.
    pub fn function(&self) -> String {
        let parts: Vec<_> = self
            .relative
            .iter()
            .map(|part| part.to_string_lossy())
            .collect();
        parts.join("::")
    }

    pub fn path(&self) -> PathBuf {
        self.root.join(&self.relative)
    }
}

impl Catalog {
    /// Walks the roots.
    pub fn of(roots: &[PathBuf]) -> Catalog {
        let mut catalog = Catalog::default();
        for root in roots {
            catalog.walk(root, root);
        }
        catalog
    }

    fn walk(&mut self, root: &Path, folder: &Path) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| Some(entry.ok()?.path()))
            .collect();
        paths.sort();
        for path in paths {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.is_dir() {
                self.walk(root, &path);
            } else if is_stub_name(&name) {
                let relative = folder.strip_prefix(root).unwrap_or(folder).to_path_buf();
                let folder = Folder {
                    root: root.to_path_buf(),
                    relative,
                };
                self.folders.entry(folder).or_default().push(path);
            } else if is_temporary_name(&name) {
                self.temporary.push(path);
            } else {
                self.strays.push(path);
            }
        }
    }

    /// Every stub, in order.
    pub fn stubs(&self) -> impl Iterator<Item = (&Folder, &PathBuf)> {
        self.folders
            .iter()
            .flat_map(|(folder, stubs)| stubs.iter().map(move |stub| (folder, stub)))
    }
}

/// A path as the user would type it: relative to the current folder when below it.
pub fn shown(path: &Path) -> String {
    let current = std::env::current_dir().ok();
    let relative = current
        .as_deref()
        .and_then(|current| path.strip_prefix(current).ok());
    relative.unwrap_or(path).display().to_string()
}

/// A size in bytes, for people: `219 B`, `8.2 KiB`, `1.4 MiB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}
