//! Forecast accuracy on the reference data: series read from the shared files, their last values
//! held out and forecast, and the errors scored as the M4 competition and the intermittent-demand
//! literature do. Used by the `m4_bench` program and by the accuracy tests.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use chrono::Datelike;
use omo_core::forecast::{ForecastOptions, Method, coverage, forecast, mae, mase, msis, rmse, smape};
use omo_core::import::InvoiceLineRecord;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Series in long format (`unique_id`, `ds`, `y`, the rows of a series in time order), by id.
///
/// # Errors
/// The file cannot be read, or a row has no id or a `y` that is not a number (named by row).
pub fn read_long(path: &Path) -> Result<BTreeMap<String, Vec<f64>>, String> {
    let shown = path.display();
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{shown}: row {}: {e}", row + 1))?;
        let id = record.get(0).ok_or_else(|| format!("{shown}: row {}: no unique_id", row + 1))?.to_owned();
        let y: f64 = record
            .get(2)
            .ok_or_else(|| format!("{shown}: row {}: no y", row + 1))?
            .parse()
            .map_err(|e| format!("{shown}: row {}: y: {e}", row + 1))?;
        series.entry(id).or_default().push(y);
    }
    Ok(series)
}

/// Each series summed over consecutive blocks of `k` periods (the oldest `len % k` periods
/// dropped, so the last block ends with the data), keeping the series with at least
/// `min_blocks` blocks: M4's weekly series become four-weekly ones with a yearly season of 13.
pub fn summed_blocks(series: &BTreeMap<String, Vec<f64>>, k: usize, min_blocks: usize) -> BTreeMap<String, Vec<f64>> {
    series
        .iter()
        .map(|(id, y)| {
            (id.clone(), y[y.len() % k.max(1)..].chunks(k.max(1)).map(|c| c.iter().sum()).collect::<Vec<f64>>())
        })
        .filter(|(_, blocks)| blocks.len() >= min_blocks)
        .collect()
}

/// Weekly demand (quantities sold, by week counted from Monday) of the `top` stock codes with
/// the most sales lines in an invoice ledger; cancellations and returns left out, the last
/// (partial) week dropped, weeks without sales zero.
pub fn weekly_demand_of_top_skus(rows: &[InvoiceLineRecord], top: usize) -> BTreeMap<String, Vec<f64>> {
    let week = |r: &InvoiceLineRecord| i64::from(r.invoice_date.date().num_days_from_ce() - 1).div_euclid(7);
    let sales: Vec<&InvoiceLineRecord> =
        rows.iter().filter(|r| !r.invoice_no.starts_with('C') && r.quantity > Decimal::ZERO).collect();
    let (Some(first_week), Some(last_week)) =
        (sales.iter().map(|r| week(r)).min(), sales.iter().map(|r| week(r)).max().map(|w| w - 1))
    else {
        return BTreeMap::new();
    };
    let mut lines: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &sales {
        *lines.entry(r.stock_code.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = lines.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let weeks = usize::try_from(last_week - first_week + 1).unwrap_or(0);
    let mut series: BTreeMap<String, Vec<f64>> =
        ranked.iter().take(top).map(|(code, _)| ((*code).to_owned(), vec![0.0; weeks])).collect();
    for r in &sales {
        let slot = usize::try_from(week(r) - first_week).ok().filter(|i| *i < weeks);
        if let (Some(demand), Some(i)) = (series.get_mut(r.stock_code.as_str()), slot) {
            demand[i] += r.quantity.to_f64().unwrap_or(0.0);
        }
    }
    series
}

/// Accuracy of the forecasts of the held-out last values of a set of series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HoldOutScores {
    /// Mean sMAPE per series (M4: percent, 0 to 200).
    pub smape: f64,
    /// Mean MASE per series, scaled by the in-sample one-step naive error (series with a zero
    /// scale left out).
    pub mase: f64,
    /// Total absolute error over total actual demand, all series pooled.
    pub wape: f64,
    /// Mean RMSE per series.
    pub rmse: f64,
    /// Mean MAE per series.
    pub mae: f64,
    /// Wall-clock seconds of the forecasts (one thread).
    pub seconds: f64,
}

/// Holds out the last `horizon` values of every series longer than that, forecasts them with
/// `forecaster` (given the values before them) and scores the forecasts.
///
/// # Errors
/// The forecaster's error, a forecast of the wrong length, or no series longer than `horizon`.
pub fn hold_out<E: std::fmt::Display>(
    series: &BTreeMap<String, Vec<f64>>,
    horizon: usize,
    forecaster: impl Fn(&[f64]) -> Result<Vec<f64>, E>,
) -> Result<HoldOutScores, String> {
    let started = Instant::now();
    let (mut smapes, mut mases, mut rmses, mut maes) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut absolute_error, mut demand) = (0.0, 0.0);
    for (id, y) in series.iter().filter(|(_, y)| y.len() > horizon) {
        let (train, test) = y.split_at(y.len() - horizon);
        let forecast = forecaster(train).map_err(|e| format!("{id}: {e}"))?;
        let scored = |e: omo_core::OmoError| format!("{id}: {e}");
        smapes.push(smape(test, &forecast).map_err(scored)?);
        mases.extend(mase(test, &forecast, train, 1).map_err(scored)?);
        rmses.push(rmse(test, &forecast).map_err(scored)?);
        maes.push(mae(test, &forecast).map_err(scored)?);
        absolute_error += test.iter().zip(&forecast).map(|(a, f)| (a - f).abs()).sum::<f64>();
        demand += test.iter().map(|a| a.abs()).sum::<f64>();
    }
    if smapes.is_empty() {
        return Err(format!("no series is longer than the horizon of {horizon}"));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Ok(HoldOutScores {
        smape: mean(&smapes),
        mase: mean(&mases),
        wape: absolute_error / demand,
        rmse: mean(&rmses),
        mae: mean(&maes),
        seconds,
    })
}

/// Quality of the prediction intervals at one level on held-out values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalScores {
    /// The share of held-out values inside their intervals, over all series.
    pub coverage: f64,
    /// Mean MSIS per series (M4's mean scaled interval score; series with a zero scale left out).
    pub msis: f64,
}

/// Holds out the last `horizon` values of every series longer than that and scores the
/// prediction intervals at `level` percent that `intervals` gives (lower and upper bounds, from
/// the values before them).
///
/// # Errors
/// The forecaster's error, bounds of the wrong length, or no series longer than `horizon`.
pub fn hold_out_intervals<E: std::fmt::Display>(
    series: &BTreeMap<String, Vec<f64>>,
    horizon: usize,
    level: f64,
    intervals: impl Fn(&[f64]) -> Result<(Vec<f64>, Vec<f64>), E>,
) -> Result<IntervalScores, String> {
    let (mut inside, mut total, mut scores) = (0.0, 0usize, Vec::new());
    for (id, y) in series.iter().filter(|(_, y)| y.len() > horizon) {
        let (train, test) = y.split_at(y.len() - horizon);
        let (lower, upper) = intervals(train).map_err(|e| format!("{id}: {e}"))?;
        let scored = |e: omo_core::OmoError| format!("{id}: {e}");
        inside += coverage(test, &lower, &upper).map_err(scored)? * test.len() as f64;
        total += test.len();
        scores.extend(msis(test, &lower, &upper, train, 1, level).map_err(scored)?);
    }
    if total == 0 {
        return Err(format!("no series is longer than the horizon of {horizon}"));
    }
    Ok(IntervalScores {
        coverage: inside / total as f64,
        msis: scores.iter().sum::<f64>() / scores.len().max(1) as f64,
    })
}

/// What one table shows: its two scores, by name, and how to read them from the scores.
pub struct Columns {
    /// The two scores' names.
    pub names: [&'static str; 2],
    /// Reads them from the scores.
    pub pick: fn(&HoldOutScores) -> (f64, f64),
}

/// sMAPE and MASE, as the M4 competition reports them.
pub const M4_COLUMNS: Columns = Columns { names: ["sMAPE", "MASE"], pick: |s| (s.smape, s.mase) };

/// A table row per model: its name, its method (`None`: an all-zero forecast, the yardstick of
/// intermittent demand) and season length; demand clipped at zero where `non_negative`.
///
/// # Errors
/// What [`hold_out`] returns.
pub fn print_table(
    series: &BTreeMap<String, Vec<f64>>,
    horizon: usize,
    rows: &[(&str, Option<Method>, usize)],
    non_negative: bool,
    columns: &Columns,
) -> Result<(), String> {
    println!("{:<18} {:>8} {:>8} {:>10}", "model", columns.names[0], columns.names[1], "seconds");
    for &(name, method, season_length) in rows {
        let options = ForecastOptions { season_length, non_negative, ..ForecastOptions::new(horizon) };
        let scores = hold_out(series, horizon, |train| match method {
            Some(method) => forecast(train, method, &options).map(|f| f.mean),
            None => Ok::<_, omo_core::OmoError>(vec![0.0; horizon]),
        })?;
        let (a, b) = (columns.pick)(&scores);
        println!("{name:<18} {a:>8.3} {b:>8.3} {:>10.3}", scores.seconds);
    }
    Ok(())
}
