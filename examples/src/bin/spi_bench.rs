//! Generates a synthetic movement stream, writes it as CSV for the pandas / polars comparison, and
//! times omo's monthly S-P-I ledger on it (single-threaded, best of three runs).
//!
//! ```text
//! cargo run --release -p omo-examples --bin spi_bench -- --movements 10000000 --csv /tmp/movements.csv
//! ```
//! Prints one JSON line: `{"movements":…, "rows":…, "closing_sum":"…", "omo_seconds":…}`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use omo_core::sample::movement_stream;
use omo_core::spi::{LedgerOptions, Period, build_ledger};
use rust_decimal::Decimal;

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("spi_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let mut count = 10_000_000usize;
    let mut csv_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--movements" => count = value.parse().map_err(|e| format!("--movements: {e}"))?,
            "--csv" => csv_path = Some(value),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let moves = movement_stream(100, 100, count, 1096, 7).map_err(|e| e.to_string())?;
    if let Some(path) = csv_path {
        let file = std::fs::File::create(&path).map_err(|e| format!("{path}: {e}"))?;
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "node,product,date,kind,quantity").map_err(|e| e.to_string())?;
        for m in &moves {
            writeln!(out, "{},{},{},{},{}", m.node, m.product, m.date, m.kind.as_str(), m.quantity)
                .map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }
    let options = LedgerOptions { period: Period::Month, allow_negative: true };
    let mut best = f64::INFINITY;
    let mut rows = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        rows = build_ledger(&moves, &[], options).map_err(|e| e.to_string())?;
        best = best.min(started.elapsed().as_secs_f64());
    }
    let closing: Decimal = rows.iter().map(|r| r.flows.closing).sum();
    Ok(format!(
        "{{\"movements\": {count}, \"rows\": {}, \"closing_sum\": \"{closing}\", \"omo_seconds\": {best:.4}}}",
        rows.len()
    ))
}
