//! Runs the benchmarks a number of times and prints each of their tables once, every cell
//! the lowest and the highest value that the runs printed in it:
//!
//! ```sh
//! cargo run --release -p cached-stubs-benches --bin bench-ranges -- 5                # all
//! cargo run --release -p cached-stubs-benches --bin bench-ranges -- 5 --bench tee    # one
//! ```
//!
//! Arguments after the number of runs go to `cargo bench`.

use cached_stubs_benches::{Table, nanoseconds};
use std::path::Path;
use std::process::{Command, Stdio};

const USAGE: &str = "usage: bench-ranges RUNS [ARGUMENTS FOR CARGO BENCH]";

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args
        .next()
        .and_then(|runs| runs.parse().ok())
        .filter(|&runs| runs > 0)
        .expect(USAGE);
    let bench_args: Vec<String> = args.collect();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let printed: Vec<Vec<Table>> = (1..=runs)
        .map(|run| {
            eprintln!("bench-ranges: run {run} of {runs}");
            let output = Command::new(env!("CARGO"))
                .args(["bench", "-p", "cached-stubs-benches"])
                .args(&bench_args)
                .current_dir(workspace)
                .stderr(Stdio::inherit())
                .output()
                .expect("cargo runs");
            assert!(output.status.success(), "cargo bench failed in run {run}");
            Table::parse(&String::from_utf8(output.stdout).expect("UTF-8 tables"))
        })
        .collect();
    assert!(
        printed
            .iter()
            .all(|tables| shape(tables) == shape(&printed[0])),
        "the runs printed different tables"
    );

    println!("Every cell: the lowest and the highest of {runs} runs.");
    for (at, table) in printed[0].iter().enumerate() {
        let rows = (0..table.rows.len()).map(|row| {
            let cells = |column: usize| {
                printed
                    .iter()
                    .map(move |tables| &tables[at].rows[row][column])
            };
            [
                table.rows[row][0].clone(),
                range(cells(1), nanoseconds),
                range(cells(2), nanoseconds),
                range(cells(3), ratio),
            ]
        });
        Table {
            title: table.title.clone(),
            columns: table.columns.clone(),
            rows: rows.collect(),
        }
        .print();
    }
}

/// The lowest and the highest of `cells` as `value` orders them, or the one cell if they
/// read the same.
fn range<'a>(cells: impl Iterator<Item = &'a String>, value: fn(&str) -> f64) -> String {
    let mut cells: Vec<&String> = cells.collect();
    cells.sort_by(|a, b| value(a).total_cmp(&value(b)));
    let (lowest, highest) = (cells[0], cells[cells.len() - 1]);
    if lowest == highest {
        lowest.clone()
    } else {
        format!("{lowest}–{highest}")
    }
}

/// The titles of `tables` and the cases of each: what every run must print alike.
fn shape(tables: &[Table]) -> Vec<(&str, Vec<&str>)> {
    tables
        .iter()
        .map(|table| {
            (
                table.title.as_str(),
                table.rows.iter().map(|row| row[0].as_str()).collect(),
            )
        })
        .collect()
}

/// The value of a ratio's cell.
fn ratio(cell: &str) -> f64 {
    cell.parse().expect("a ratio")
}
