//! Holds out the last 13 weeks of every M4 weekly training series, forecasts them with omo's
//! models, and prints sMAPE and MASE (M4 definitions, MASE scaled by the one-step naive error)
//! and the time taken, single-threaded. With the Online Retail ledger as a second argument, does
//! the same for the weekly demand of its 500 SKUs with most sales lines (WAPE over all of them,
//! mean MASE).
//!
//! ```text
//! cargo run --release -p omo-examples --bin m4_bench -- ../shared/data/m4_weekly_train.csv ../shared/data/online_retail.csv.gz
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
    let methods: [(&str, Method); 9] = [
        ("Naive", Method::Naive),
        ("SES", Method::Ses),
        ("Holt", Method::Holt),
        ("Damped", Method::HoltDamped),
        ("Theta", Method::Theta),
        ("OptimizedTheta", Method::OptimizedTheta),
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
    if let Some(retail) = std::env::args().nth(2) {
        retail_weekly(&retail)?;
    }
    Ok(())
}

/// Weekly demand of the 500 SKUs with most sales lines in the Online Retail ledger (ISO weeks,
/// the last, partial week dropped), last 13 weeks held out.
fn retail_weekly(path: &str) -> Result<(), String> {
    use chrono::Datelike;
    let rows = omo_examples::online_retail::read_rows(std::path::Path::new(path)).map_err(|e| e.to_string())?;
    let week = |d: chrono::NaiveDate| i64::from(d.num_days_from_ce() - 1).div_euclid(7);
    let sales: Vec<_> =
        rows.iter().filter(|r| !r.invoice_no.starts_with('C') && r.quantity > rust_decimal::Decimal::ZERO).collect();
    let last_week = sales.iter().map(|r| week(r.invoice_date.date())).max().unwrap_or(0) - 1;
    let first_week = sales.iter().map(|r| week(r.invoice_date.date())).min().unwrap_or(0);
    let mut lines: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &sales {
        *lines.entry(r.stock_code.as_str()).or_default() += 1;
    }
    let mut top: Vec<(&str, usize)> = lines.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let chosen: std::collections::HashSet<&str> = top.iter().take(500).map(|(k, _)| *k).collect();
    let weeks = usize::try_from(last_week - first_week + 1).map_err(|e| e.to_string())?;
    let mut series: BTreeMap<&str, Vec<f64>> = chosen.iter().map(|k| (*k, vec![0.0; weeks])).collect();
    for r in sales.iter().filter(|r| chosen.contains(r.stock_code.as_str())) {
        let w = week(r.invoice_date.date());
        if w > last_week {
            continue;
        }
        if let (Some(s), Ok(i)) = (series.get_mut(r.stock_code.as_str()), usize::try_from(w - first_week)) {
            if let Some(slot) = s.get_mut(i) {
                *slot += rust_decimal::prelude::ToPrimitive::to_f64(&r.quantity).unwrap_or(0.0);
            }
        }
    }
    println!(
        "\nOnline Retail weekly SKU demand: {} SKUs, {weeks} weeks, last {HORIZON} held out (one thread)",
        series.len()
    );
    println!("{:<18} {:>8} {:>8} {:>10}", "model", "WAPE", "MASE", "seconds");
    let methods = [
        ("Zero", None),
        ("Naive", Some(Method::Naive)),
        ("SES", Some(Method::Ses)),
        ("Croston", Some(Method::Croston)),
        ("SBA", Some(Method::Sba)),
        ("TSB", Some(Method::Tsb)),
        ("AutoETS", Some(Method::AutoEts)),
        ("auto", Some(Method::Auto)),
    ];
    for (name, method) in methods {
        let started = Instant::now();
        let (mut error, mut total, mut mases) = (0.0, 0.0, Vec::new());
        for y in series.values() {
            let (train, test) = y.split_at(y.len() - HORIZON);
            let mean = match method {
                None => vec![0.0; HORIZON],
                Some(m) => {
                    forecast(train, m, &ForecastOptions { non_negative: true, ..ForecastOptions::new(HORIZON) })
                        .map_err(|e| e.to_string())?
                        .mean
                }
            };
            error += test.iter().zip(&mean).map(|(a, f)| (a - f).abs()).sum::<f64>();
            total += test.iter().map(|a| a.abs()).sum::<f64>();
            if let Some(m) = mase(test, &mean, train, 1).map_err(|e| e.to_string())? {
                mases.push(m);
            }
        }
        let mase_mean = mases.iter().sum::<f64>() / mases.len().max(1) as f64;
        println!("{name:<18} {:>8.3} {:>8.3} {:>10.3}", error / total, mase_mean, started.elapsed().as_secs_f64());
    }
    Ok(())
}
