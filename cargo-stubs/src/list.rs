//! `cargo stubs list`: the stubs of each function, how many and how large.

use crate::Stop;
use crate::catalog::Catalog;
use crate::output::{counted, escaped, line};
use cached_stubs::__cargo_stubs::shown;
use serde_json::json;
use std::io::Write;

/// Prints each function's folder with its number of stubs and their size, as a table or as
/// JSON; a folder's name is printed escaped, as the file system may hold anything.
pub fn run(catalog: &Catalog, json: bool, out: &mut dyn Write) -> Result<(), Stop> {
    let rows: Vec<_> = catalog
        .folders
        .iter()
        .map(|(folder, stubs)| {
            let bytes = stubs
                .iter()
                .filter_map(|stub| stub.metadata().ok())
                .map(|m| m.len())
                .sum::<u64>();
            (folder, stubs.len(), bytes)
        })
        .collect();
    if json {
        let rows: Vec<_> = rows
            .iter()
            .map(|(folder, stubs, bytes)| {
                json!({
                    "function": folder.function(),
                    "folder": shown(&folder.path()),
                    "stubs": stubs,
                    "bytes": bytes,
                })
            })
            .collect();
        // Its strings escape C0 characters already, and only its strings can hold others.
        let text = serde_json::to_string_pretty(&rows).expect("JSON values serialize");
        for text in text.lines() {
            line(out, text)?;
        }
        return Ok(());
    }
    if rows.is_empty() {
        line(out, "no stubs yet: `RECORD=1 cargo test` records them")?;
        return Ok(());
    }
    let functions: Vec<_> = (rows.iter())
        .map(|(folder, ..)| escaped(&folder.function()).into_owned())
        .collect();
    let width = functions
        .iter()
        .map(|function| function.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    line(
        out,
        format_args!("{:width$}  {:>6}  {:>9}", "function", "stubs", "size"),
    )?;
    for (function, (_, stubs, bytes)) in functions.iter().zip(&rows) {
        line(
            out,
            format_args!("{function:width$}  {stubs:>6}  {:>9}", size(*bytes)),
        )?;
    }
    let total_stubs: usize = rows.iter().map(|(_, stubs, _)| stubs).sum();
    let total_bytes: u64 = rows.iter().map(|(.., bytes)| bytes).sum();
    line(
        out,
        format_args!(
            "{} of {}, {}",
            counted(total_stubs, "stub"),
            counted(rows.len(), "function"),
            size(total_bytes)
        ),
    )?;
    Ok(())
}

/// A size in bytes, for people: `219 B`, `8.2 KiB`, `1.4 MiB`.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}
