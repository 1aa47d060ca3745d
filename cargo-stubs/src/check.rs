//! `cargo stubs check`: every stub reads as a replay would read it and lies where its function
//! looks for it, and nothing else is in the stub folders.

use crate::Stop;
use crate::catalog::{Catalog, Folder, shown};
use cached_stubs::__cargo_stubs::inspect;
use std::io::Write;
use std::path::Path;

/// Prints the problems, if any, and says whether there were none.
pub fn run(catalog: &Catalog, out: &mut dyn Write) -> Result<bool, Stop> {
    let mut problems: Vec<(String, String)> = Vec::new();
    for (folder, stub) in catalog.stubs() {
        if let Err(problem) = check(folder, stub) {
            problems.push((shown(stub), problem));
        }
    }
    for temporary in &catalog.temporary {
        let problem = "a temporary file left by a recording that was interrupted: delete it";
        problems.push((shown(temporary), problem.to_string()));
    }
    for stray in &catalog.strays {
        let problem = "not a stub: stub files are named `<32 hex digits>.json`";
        problems.push((shown(stray), problem.to_string()));
    }
    if problems.is_empty() {
        let (stubs, functions) = (catalog.stubs().count(), catalog.folders.len());
        writeln!(
            out,
            "{stubs} stubs of {functions} functions: all readable, in the current format, where their functions look for them"
        )?;
        return Ok(true);
    }
    writeln!(out, "{} problems in the stubs:", problems.len())?;
    for (path, problem) in &problems {
        writeln!(out, "  {path}: {problem}")?;
    }
    Ok(false)
}

fn check(folder: &Folder, stub: &Path) -> Result<(), String> {
    let metadata = std::fs::metadata(stub).map_err(|error| error.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".to_string());
    }
    let bytes = std::fs::read(stub).map_err(|error| error.to_string())?;
    let recorded = inspect(&bytes)?;
    // The folder is `<module path>/<name>`; the name may be the attribute's `name = "..."`.
    let module_of = |path: &str| {
        path.rsplit_once("::")
            .map_or(String::new(), |(module, _)| module.to_string())
    };
    if module_of(&recorded.function) != module_of(&folder.function()) {
        return Err(format!(
            "recorded by `{}`, but in the folder of `{}`",
            recorded.function,
            folder.function()
        ));
    }
    Ok(())
}
