//! `cargo stubs check`: every stub reads as a replay would read it, holds no secret (as a
//! recording scans for them, with this process's environment), and lies in a folder of its
//! function's module, a folder that holds that function's stubs only, and nothing else is in
//! the stub folders. What it prints is escaped: stubs and file names may hold anything; a
//! secret is named by where it is and the rule that found it, never by its value.
//!
//! A folder is `<module path>/<name>`, where the name is the function's or the one given
//! with `name = "..."`, which no stub records: a folder named otherwise is taken for a
//! rename, unless the same version of the function has stubs in a folder named after it.

use crate::Stop;
use crate::catalog::{Catalog, Folder};
use crate::output::{counted, line};
use cached_stubs::__cargo_stubs::{SecretFound, inspect_file, secrets_in, shown};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A readable stub: where it is, and the function and version that recorded it.
struct Recorded<'a> {
    folder: &'a Folder,
    path: &'a Path,
    function: String,
    source_hash: String,
}

/// Prints the problems, if any, and says whether there were none.
pub fn run(catalog: &Catalog, out: &mut dyn Write) -> Result<bool, Stop> {
    let mut problems: Vec<(PathBuf, String)> = Vec::new();
    let mut recorded = Vec::new();
    for (folder, path) in catalog.stubs() {
        match inspect_file(path) {
            Ok(stub) => {
                let secrets = secrets_in(&stub).into_iter();
                problems.extend(secrets.map(|found| (path.clone(), secret(&found))));
                recorded.push(Recorded {
                    folder,
                    path,
                    function: stub.function,
                    source_hash: stub.source_hash,
                })
            }
            Err(problem) => problems.push((path.clone(), problem)),
        }
    }
    problems.extend(outside_their_module(&recorded));
    problems.extend(shared_folders(&recorded));
    problems.extend(versions_in_two_folders(&recorded));
    problems.extend(
        catalog
            .misnamed()
            .map(|(path, problem)| (path.clone(), problem.to_string())),
    );
    problems.extend(catalog.skipped.iter().cloned());
    if problems.is_empty() {
        let stubs = counted(catalog.stubs().count(), "stub");
        let functions = counted(catalog.folders.len(), "function");
        line(
            out,
            format_args!(
                "{stubs} of {functions}: all readable, in the current format, in folders of their modules, one function per folder, no secret found"
            ),
        )?;
        return Ok(true);
    }
    problems.sort();
    line(
        out,
        format_args!("{} in the stubs:", counted(problems.len(), "problem")),
    )?;
    for (path, problem) in &problems {
        line(out, format_args!("  {}: {problem}", shown(path)))?;
    }
    Ok(false)
}

/// A secret found in a stub, and what to do about it.
fn secret(found: &SecretFound) -> String {
    format!(
        "{found}: revoke it and record without it, or, if it is no secret, add \
         `allow_secret({:?})` to the function and record again",
        found.allowance()
    )
}

/// `my_crate::llm::answer` as `("my_crate::llm", "answer")`.
fn split(function: &str) -> (&str, &str) {
    function.rsplit_once("::").unwrap_or(("", function))
}

/// Stubs in a folder of another module than their function's: no replay reads them.
fn outside_their_module(recorded: &[Recorded]) -> Vec<(PathBuf, String)> {
    let mut problems = Vec::new();
    for stub in recorded {
        let folder = stub.folder.function();
        let (module, _) = split(&stub.function);
        let (folder_module, _) = split(&folder);
        if module == folder_module {
            continue;
        }
        let mut problem = format!(
            "recorded by `{}`, but in the folder of `{folder}`",
            stub.function
        );
        if let Some(hint) = root_hint(stub.folder, module, folder_module) {
            problem = format!("{problem}; {hint}");
        }
        problems.push((stub.path.to_path_buf(), problem));
    }
    problems
}

/// When the stub is in its module's folder as seen from another root, which one.
fn root_hint(folder: &Folder, module: &str, folder_module: &str) -> Option<String> {
    // `dir = "stubs/sub"` puts a function's folders in `stubs/sub`, a stub folder of its own.
    if let Some(prefix) = folder_module.strip_suffix(&format!("::{module}")) {
        let root = folder.root.join(prefix.replace("::", "/"));
        return Some(format!(
            "for a function with `dir = \"...\"`, pass `--dir {}`",
            shown(&root)
        ));
    }
    // `--dir stubs/app`: the folder of module `app`, given as a stub folder.
    let module_folder: PathBuf = module.split("::").collect();
    let parent = folder.relative.parent().unwrap_or(Path::new(""));
    folder.root.join(parent).ends_with(module_folder).then(|| {
        format!(
            "`--dir {}` names the folder of a module, not a stub folder",
            shown(&folder.root)
        )
    })
}

/// Folders holding the stubs of more than one function: a function reads the others' as
/// stale, or, recorded again, overwrites them.
fn shared_folders(recorded: &[Recorded]) -> Vec<(PathBuf, String)> {
    let mut functions: BTreeMap<&Folder, BTreeSet<&str>> = BTreeMap::new();
    for stub in recorded {
        functions
            .entry(stub.folder)
            .or_default()
            .insert(&stub.function);
    }
    functions
        .into_iter()
        .filter(|(_, functions)| functions.len() > 1)
        .map(|(folder, functions)| {
            let names: Vec<String> = functions.iter().map(|name| format!("`{name}`")).collect();
            let problem = format!(
                "holds the stubs of {} functions, {}: each function has a folder of its own",
                names.len(),
                names.join(", ")
            );
            (folder.path(), problem)
        })
        .collect()
}

/// Stubs of one version of a function (its path and source hash) found in two folders: one
/// function has one folder. The folder named after the function is taken for its own; when
/// none is, every copy is reported.
fn versions_in_two_folders(recorded: &[Recorded]) -> Vec<(PathBuf, String)> {
    let mut folders: BTreeMap<(&str, &str), BTreeSet<&Folder>> = BTreeMap::new();
    for stub in recorded {
        let version = (stub.function.as_str(), stub.source_hash.as_str());
        folders.entry(version).or_default().insert(stub.folder);
    }
    let mut problems = Vec::new();
    for stub in recorded {
        let (_, name) = split(&stub.function);
        if stub.folder.relative.file_name() == Some(OsStr::new(name)) {
            continue;
        }
        let others: Vec<String> = folders[&(stub.function.as_str(), stub.source_hash.as_str())]
            .iter()
            .filter(|other| other.relative != stub.folder.relative)
            .map(|other| shown(&other.path()))
            .collect();
        if !others.is_empty() {
            let problem = format!(
                "the same version of `{}` has stubs in {}: one function keeps its stubs in one folder",
                stub.function,
                others.join(", ")
            );
            problems.push((stub.path.to_path_buf(), problem));
        }
    }
    problems
}
