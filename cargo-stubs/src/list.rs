//! `cargo stubs list`: the stubs of each function, how many and how large.

use crate::Stop;
use crate::catalog::{Catalog, shown, size};
use serde_json::json;
use std::io::Write;

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
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).expect("JSON values serialize")
        )?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "no stubs yet: `RECORD=1 cargo test` records them")?;
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|(folder, ..)| folder.function().len())
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(out, "{:width$}  {:>6}  {:>9}", "function", "stubs", "size")?;
    for (folder, stubs, bytes) in &rows {
        writeln!(
            out,
            "{:width$}  {stubs:>6}  {:>9}",
            folder.function(),
            size(*bytes)
        )?;
    }
    let total_stubs: usize = rows.iter().map(|(_, stubs, _)| stubs).sum();
    let total_bytes: u64 = rows.iter().map(|(.., bytes)| bytes).sum();
    writeln!(
        out,
        "{total_stubs} stubs of {} functions, {}",
        rows.len(),
        size(total_bytes)
    )?;
    Ok(())
}
