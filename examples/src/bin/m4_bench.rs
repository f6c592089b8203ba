//! Holds out the last 13 weeks of every M4 weekly training series, forecasts them with omo's
//! models, and prints sMAPE and MASE (M4 definitions, MASE scaled by the one-step naive error)
//! and the time taken, single-threaded.
//!
//! ```text
//! cargo run --release -p omo-examples --bin m4_bench -- ../shared/data/m4_weekly_train.csv
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use omo_core::forecast::{ForecastOptions, Method, forecast, mase, smape};

const HORIZON: usize = 13;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("m4_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/m4_weekly_train.csv".to_owned());
    let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", row + 1))?;
        let id = record.get(0).ok_or_else(|| format!("row {}: no unique_id", row + 1))?.to_owned();
        let y: f64 = record
            .get(2)
            .ok_or_else(|| format!("row {}: no y", row + 1))?
            .parse()
            .map_err(|e| format!("row {}: y: {e}", row + 1))?;
        series.entry(id).or_default().push(y);
    }
    let methods: [(&str, Method); 8] = [
        ("Naive", Method::Naive),
        ("SES", Method::Ses),
        ("Holt", Method::Holt),
        ("Damped", Method::HoltDamped),
        ("Theta", Method::Theta),
        ("AutoETS", Method::AutoEts),
        ("SeasonalNaive(52)", Method::SeasonalNaive),
        ("auto", Method::Auto),
    ];
    println!("M4 weekly, {} series, last {HORIZON} weeks held out (one thread)", series.len());
    println!("{:<18} {:>8} {:>8} {:>10}", "model", "sMAPE", "MASE", "seconds");
    for (name, method) in methods {
        let season = if name.starts_with("Seasonal") { 52 } else { 1 };
        let options = ForecastOptions { season_length: season, ..ForecastOptions::new(HORIZON) };
        let started = Instant::now();
        let (mut smapes, mut mases) = (Vec::new(), Vec::new());
        for y in series.values() {
            let (train, test) = y.split_at(y.len() - HORIZON);
            let f = forecast(train, method, &options).map_err(|e| e.to_string())?;
            smapes.push(smape(test, &f.mean).map_err(|e| e.to_string())?);
            if let Some(m) = mase(test, &f.mean, train, 1).map_err(|e| e.to_string())? {
                mases.push(m);
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        println!("{name:<18} {:>8.3} {:>8.3} {:>10.3}", mean(&smapes), mean(&mases), started.elapsed().as_secs_f64());
    }
    Ok(())
}
