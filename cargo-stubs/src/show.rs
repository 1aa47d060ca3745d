//! `cargo stubs show FILE|FUNCTION`: stubs, with their arguments and what they recorded.

use crate::Stop;
use crate::catalog::Catalog;
use cached_stubs::__cargo_stubs::{Inspected, InspectedBody, inspect_file, shown};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Shows the stub file `target`, or the stubs of the function or function folder `target`:
/// those in a folder of that path, and those its function recorded, renamed folder or not.
pub fn run(catalog: &Catalog, target: &str, out: &mut dyn Write) -> Result<(), Stop> {
    // A path, however written (`stubs/app/../app/greet`), as the catalog's are.
    let path = std::fs::canonicalize(target).ok();
    if let Some(file) = path.as_ref().filter(|path| !path.is_dir()) {
        return show(file, inspect_file(file), out);
    }
    let mut found = false;
    for (folder, stub) in catalog.stubs() {
        let in_folder = folder.function() == target || path.as_ref() == Some(&folder.path());
        let read = inspect_file(stub);
        if in_folder || read.as_ref().is_ok_and(|read| read.function == target) {
            show(stub, read, out)?;
            found = true;
        }
    }
    if !found {
        let message = format!(
            "no stub file, function or function folder `{target}`; `cargo stubs list` shows the functions"
        );
        return Err(Stop::Message(message));
    }
    Ok(())
}

/// Prints a stub read from `path`, or stops at what is wrong with it.
fn show(path: &Path, read: Result<Inspected, String>, out: &mut dyn Write) -> Result<(), Stop> {
    let stub = read.map_err(|error| format!("{}: {error}", shown(path)))?;
    writeln!(out, "{}", shown(path))?;
    writeln!(out, "  function:    {}", stub.function)?;
    writeln!(out, "  source hash: {}", stub.source_hash)?;
    writeln!(out, "  args:")?;
    for (name, value) in &stub.args {
        writeln!(out, "    {name}: {value}")?;
    }
    match stub.body {
        InspectedBody::Output(output) => {
            writeln!(out, "  output:")?;
            writeln!(out, "{}", indented(&output))?;
        }
        InspectedBody::Items { items, offsets_ms } => {
            writeln!(out, "  items: {}", items.len())?;
            for (at, item) in items.iter().enumerate() {
                match offsets_ms.as_ref().and_then(|offsets| offsets.get(at)) {
                    Some(offset) => writeln!(out, "    {:>3}. {item}  (at {offset} ms)", at + 1)?,
                    None => writeln!(out, "    {:>3}. {item}", at + 1)?,
                }
            }
        }
    }
    writeln!(out)?;
    Ok(())
}

/// A value as pretty JSON, indented under its label.
fn indented(value: &Value) -> String {
    let pretty = serde_json::to_string_pretty(value).expect("JSON values serialize");
    pretty
        .lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
