//! `cargo stubs show FILE|FUNCTION`: stubs, with their arguments and what they recorded.

use crate::Stop;
use crate::catalog::{Catalog, shown};
use cached_stubs::__cargo_stubs::{InspectedBody, inspect};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(catalog: &Catalog, target: &str, out: &mut dyn Write) -> Result<(), Stop> {
    let wanted = std::path::absolute(target).unwrap_or_else(|_| PathBuf::from(target));
    if wanted.is_file() {
        return show(&wanted, out);
    }
    let files: Vec<&PathBuf> = catalog
        .folders
        .iter()
        .filter(|(folder, _)| folder.function() == target || folder.path() == wanted)
        .flat_map(|(_, stubs)| stubs)
        .collect();
    if files.is_empty() {
        let message = format!(
            "no stub file, function or function folder `{target}`; `cargo stubs list` shows the functions"
        );
        return Err(Stop::Message(message));
    }
    for file in files {
        show(file, out)?;
    }
    Ok(())
}

fn show(path: &Path, out: &mut dyn Write) -> Result<(), Stop> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("can't read {}: {error}", shown(path)))?;
    let stub = inspect(&bytes).map_err(|error| format!("{}: {error}", shown(path)))?;
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
