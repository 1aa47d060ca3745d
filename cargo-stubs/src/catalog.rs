//! What is in the stub folders: stubs by function, the files that are no stubs, and what
//! could not be walked.

use crate::output::note;
use cached_stubs::__cargo_stubs::{is_stub_name, is_temporary_name, shown};
use std::collections::BTreeMap;
use std::fs::DirEntry;
use std::path::{Path, PathBuf};

/// Every file below the stub roots, each listed once, under the innermost root holding it.
#[derive(Default)]
pub struct Catalog {
    /// The stubs of each function's folder.
    pub folders: BTreeMap<Folder, Vec<PathBuf>>,
    /// Temporary files a killed recording left.
    pub temporary: Vec<PathBuf>,
    /// Files named neither as stubs nor as temporary files, hidden ones (`.gitkeep`) aside.
    pub strays: Vec<PathBuf>,
    /// What the walk did not enter, and why: symbolic links, which no command follows (one
    /// may loop, or lead out of the project), and what could not be read.
    pub skipped: Vec<(PathBuf, String)>,
}

/// A function's folder: `<root>/<module path>/<name>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Folder {
    /// The stub root it lies in.
    pub root: PathBuf,
    /// The folder below the root, its components the module path and the function's name.
    pub relative: PathBuf,
}

impl Folder {
    /// The folder as a function's path, `tests::geo::capital`: the path of the function
    /// whose stubs it holds, but for the last part when that was renamed with `name = "..."`.
    pub fn function(&self) -> String {
        let parts: Vec<_> = self
            .relative
            .iter()
            .map(|part| part.to_string_lossy())
            .collect();
        parts.join("::")
    }

    /// The folder itself.
    pub fn path(&self) -> PathBuf {
        self.root.join(&self.relative)
    }
}

impl Catalog {
    /// Walks the roots, canonical as [`Workspace::roots`](crate::workspace::Workspace) are:
    /// a root inside another is walked as a root of its own, and left out of the other's walk.
    pub fn of(roots: &[PathBuf]) -> Catalog {
        let mut catalog = Catalog::default();
        for root in roots {
            catalog.walk(roots, root, root);
        }
        catalog
    }

    /// Walks the roots as [`Catalog::of`] does and says on stderr what the walk skipped, for
    /// the commands that don't report it as a problem: their stubs are neither listed, nor
    /// shown, nor pruned.
    pub fn warned(roots: &[PathBuf]) -> Catalog {
        let catalog = Catalog::of(roots);
        for (path, why) in &catalog.skipped {
            note(format_args!("skipped {}: {why}", shown(path)));
        }
        catalog
    }

    fn walk(&mut self, roots: &[PathBuf], root: &Path, folder: &Path) {
        let mut entries: Vec<DirEntry> = Vec::new();
        match std::fs::read_dir(folder) {
            Ok(read) => {
                for entry in read {
                    match entry {
                        Ok(entry) => entries.push(entry),
                        Err(error) => self.unreadable(folder, &error),
                    }
                }
            }
            Err(error) => self.unreadable(folder, &error),
        }
        entries.sort_by_key(DirEntry::file_name);
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(error) => {
                    self.unreadable(&path, &error);
                    continue;
                }
            };
            if name.starts_with('.') && !is_temporary_name(&name) {
                // Hidden: the user's (`.gitkeep`, `.gitattributes`); no stub folder is.
            } else if kind.is_symlink() {
                let why = "a symbolic link, which cargo stubs does not follow";
                self.skipped.push((path, why.to_string()));
            } else if kind.is_dir() {
                if !roots.contains(&path) {
                    self.walk(roots, root, &path);
                }
            } else if is_stub_name(&name) {
                let folder = Folder {
                    root: root.to_path_buf(),
                    relative: folder.strip_prefix(root).unwrap_or(folder).to_path_buf(),
                };
                self.folders.entry(folder).or_default().push(path);
            } else if is_temporary_name(&name) {
                self.temporary.push(path);
            } else {
                self.strays.push(path);
            }
        }
    }

    fn unreadable(&mut self, path: &Path, error: &std::io::Error) {
        self.skipped
            .push((path.to_path_buf(), format!("can't be read: {error}")));
    }

    /// The files that their names say are no stubs, each with why: temporary files, then
    /// strays.
    pub fn misnamed(&self) -> impl Iterator<Item = (&PathBuf, &'static str)> {
        let temporary = "a temporary file left by a recording that was interrupted: delete it";
        let stray = "not a stub: stub files are named `<32 hex digits>.json`";
        let temporaries = self.temporary.iter().map(move |path| (path, temporary));
        temporaries.chain(self.strays.iter().map(move |path| (path, stray)))
    }

    /// Every file named as a stub, in order.
    pub fn stubs(&self) -> impl Iterator<Item = (&Folder, &PathBuf)> {
        self.folders
            .iter()
            .flat_map(|(folder, stubs)| stubs.iter().map(move |stub| (folder, stub)))
    }
}
