//! `cargo stubs show FILE|FUNCTION`: stubs, with their arguments and what they recorded.

use crate::Stop;
use crate::catalog::Catalog;
use crate::output::line;
use cached_stubs::__cargo_stubs::{Inspected, InspectedBody, inspect_file, shown};
use std::io::Write;
use std::path::Path;

/// Shows the stub file `target`, or the stubs of the function or function folder `target`:
/// those in a folder of that path, and those its function recorded, renamed folder or not.
/// A relative path is taken from the current folder, or else from the workspace's `root`,
/// where a message printed it relative to when cargo ran there.
pub fn run(catalog: &Catalog, root: &Path, target: &str, out: &mut dyn Write) -> Result<(), Stop> {
    // A path, however written (`stubs/app/../app/greet`), as the catalog's are.
    let path = [Path::new(target), &root.join(target)]
        .into_iter()
        .find_map(|candidate| std::fs::canonicalize(candidate).ok());
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

/// Prints a stub read from `path`, or stops at what is wrong with it; each line escaped, so
/// that the strings a stub holds reach the terminal as text.
fn show(path: &Path, read: Result<Inspected, String>, out: &mut dyn Write) -> Result<(), Stop> {
    let stub = read.map_err(|error| format!("{}: {error}", shown(path)))?;
    line(out, shown(path))?;
    line(out, format_args!("  function:    {}", stub.function))?;
    line(out, format_args!("  source hash: {}", stub.source_hash))?;
    if !stub.depends.is_empty() {
        line(out, "  depends:")?;
        for (name, hash) in &stub.depends {
            line(out, format_args!("    {name}: {hash}"))?;
        }
    }
    line(out, "  args:")?;
    for (name, value) in &stub.args {
        line(out, format_args!("    {name}: {value}"))?;
    }
    if let Some(http) = &stub.http {
        line(
            out,
            format_args!("  http:        {} {}", http.status, http.content_type),
        )?;
    }
    if let Some(elapsed_ms) = stub.elapsed_ms {
        line(out, format_args!("  took:        {elapsed_ms} ms"))?;
    }
    show_body(&stub.body, "  ", out)?;
    line(out, "")?;
    Ok(())
}

/// Prints what a stub recorded, each line after `indent`.
fn show_body(body: &InspectedBody, indent: &str, out: &mut dyn Write) -> Result<(), Stop> {
    match body {
        InspectedBody::Output(output) => {
            line(out, format_args!("{indent}output:"))?;
            let pretty = serde_json::to_string_pretty(output).expect("JSON values serialize");
            for text in pretty.lines() {
                line(out, format_args!("{indent}  {text}"))?;
            }
        }
        InspectedBody::Items { items, offsets_ms } => {
            line(out, format_args!("{indent}items: {}", items.len()))?;
            for (at, item) in items.iter().enumerate() {
                match offsets_ms.as_ref().and_then(|offsets| offsets.get(at)) {
                    Some(offset) => line(
                        out,
                        format_args!("{indent}  {:>3}. {item}  (at {offset} ms)", at + 1),
                    )?,
                    None => line(out, format_args!("{indent}  {:>3}. {item}", at + 1))?,
                }
            }
        }
        InspectedBody::Sequence(answers) => {
            line(
                out,
                format_args!("{indent}sequence: {} answers, one per call", answers.len()),
            )?;
            for (at, answer) in answers.iter().enumerate() {
                line(out, format_args!("{indent}  call {}:", at + 1))?;
                show_body(answer, &format!("{indent}    "), out)?;
            }
        }
    }
    Ok(())
}
