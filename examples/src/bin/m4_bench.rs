//! Holds out the last 13 weeks of every M4 weekly training series, forecasts them with omo's
//! models, and prints sMAPE and MASE (M4 definitions, MASE scaled by the one-step naive error)
//! and the time taken, single-threaded. With the Online Retail ledger as a second argument, does
//! the same for the weekly demand of its 500 SKUs with most sales lines (WAPE over all of them,
//! mean MASE). With the car-parts series as a third argument, holds out the last 12 months of each
//! and prints the mean RMSE and MAE per series of the intermittent-demand methods.
//!
//! ```text
//! cargo run --release -p omo-examples --bin m4_bench -- ../shared/data/m4_weekly_train.csv \
//!     ../shared/data/online_retail.csv.gz ../shared/data/carparts_train.csv
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use omo_core::forecast::{ForecastOptions, Method, forecast};
use omo_examples::hold_out::{
    Columns, M4_COLUMNS, hold_out_intervals, print_table, read_long, summed_blocks, weekly_demand_of_top_skus,
};

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
    m4_weekly(Path::new(&path))?;
    // An empty second argument skips the Online Retail table.
    if let Some(retail) = std::env::args().nth(2).filter(|p| !p.is_empty()) {
        retail_weekly(Path::new(&retail))?;
    }
    if let Some(carparts) = std::env::args().nth(3) {
        car_parts(Path::new(&carparts))?;
    }
    Ok(())
}

fn m4_weekly(path: &Path) -> Result<(), String> {
    let series = read_long(path)?;
    println!("M4 weekly, {} series, last {HORIZON} weeks held out (one thread)", series.len());
    let rows = [
        ("Naive", Some(Method::Naive), 1),
        ("SES", Some(Method::Ses), 1),
        ("Holt", Some(Method::Holt), 1),
        ("Damped", Some(Method::HoltDamped), 1),
        ("Theta", Some(Method::Theta), 1),
        ("OptimizedTheta", Some(Method::OptimizedTheta), 1),
        ("AutoETS", Some(Method::AutoEts), 1),
        ("SeasonalNaive(52)", Some(Method::SeasonalNaive), 52),
        ("auto", Some(Method::Auto), 1),
    ];
    print_table(&series, HORIZON, &rows, false, &M4_COLUMNS)?;
    m4_intervals(&series)?;
    four_weekly(&series)
}

/// Prediction intervals on the M4 weekly hold-out: the share of held-out weeks inside the 80 %
/// and 95 % intervals, and the M4 competition's MSIS of the 95 % interval.
fn m4_intervals(series: &BTreeMap<String, Vec<f64>>) -> Result<(), String> {
    println!("\nM4 weekly prediction intervals, last {HORIZON} weeks held out");
    println!("{:<18} {:>8} {:>8} {:>8}", "model", "cover80", "cover95", "MSIS95");
    for (name, method) in [("Naive", Method::Naive), ("AutoETS", Method::AutoEts), ("auto", Method::Auto)] {
        let bounds = |level: f64| {
            let options = ForecastOptions { levels: vec![level], ..ForecastOptions::new(HORIZON) };
            move |train: &[f64]| {
                forecast(train, method, &options)
                    .map(|f| f.intervals.into_iter().next().map(|i| (i.lower, i.upper)).unwrap_or_default())
            }
        };
        let eighty = hold_out_intervals(series, HORIZON, 80.0, bounds(80.0))?;
        let ninety_five = hold_out_intervals(series, HORIZON, 95.0, bounds(95.0))?;
        println!("{name:<18} {:>8.3} {:>8.3} {:>8.3}", eighty.coverage, ninety_five.coverage, ninety_five.msis);
    }
    Ok(())
}

/// The M4 weekly series summed to four-week periods (13 a year), those with at least four years,
/// the last year held out: seasonal forecasting with a season ETS can fit.
fn four_weekly(weekly: &BTreeMap<String, Vec<f64>>) -> Result<(), String> {
    const SEASON: usize = 13;
    let series = summed_blocks(weekly, 4, 4 * SEASON);
    println!(
        "\nM4 weekly summed to 4-week periods, {} series of 4+ years, last {SEASON} held out (one thread)",
        series.len()
    );
    let rows = [
        ("SeasonalNaive(13)", Some(Method::SeasonalNaive), SEASON),
        ("AutoETS", Some(Method::AutoEts), 1),
        ("AutoETS(13)", Some(Method::AutoEts), SEASON),
        ("auto(13)", Some(Method::Auto), SEASON),
    ];
    print_table(&series, SEASON, &rows, false, &M4_COLUMNS)
}

/// Weekly demand of the 500 SKUs with most sales lines in the Online Retail ledger, the last 13
/// weeks held out.
fn retail_weekly(path: &Path) -> Result<(), String> {
    let rows = omo_examples::online_retail::read_rows(path).map_err(|e| e.to_string())?;
    let series = weekly_demand_of_top_skus(&rows, 500);
    let weeks = series.values().next().map_or(0, Vec::len);
    println!(
        "\nOnline Retail weekly SKU demand: {} SKUs, {weeks} weeks, last {HORIZON} held out (one thread)",
        series.len()
    );
    let rows = [
        ("Zero", None, 1),
        ("Naive", Some(Method::Naive), 1),
        ("SES", Some(Method::Ses), 1),
        ("Croston", Some(Method::Croston), 1),
        ("SBA", Some(Method::Sba), 1),
        ("TSB", Some(Method::Tsb), 1),
        ("ADIDA", Some(Method::Adida), 1),
        ("IMAPA", Some(Method::Imapa), 1),
        ("AutoETS", Some(Method::AutoEts), 1),
        ("auto", Some(Method::Auto), 1),
    ];
    print_table(&series, HORIZON, &rows, true, &Columns { names: ["WAPE", "MASE"], pick: |s| (s.wape, s.mase) })
}

/// Monthly car-part demand, the last 12 months of each series held out: mean RMSE and MAE per
/// series (an all-zero forecast has the lowest MAE on such data, so both are shown).
fn car_parts(path: &Path) -> Result<(), String> {
    const MONTHS: usize = 12;
    let series = read_long(path)?;
    println!("\nCar parts, {} monthly series, last {MONTHS} months held out (one thread)", series.len());
    let rows = [
        ("Zero", None, 1),
        ("Croston", Some(Method::Croston), 1),
        ("SBA", Some(Method::Sba), 1),
        ("TSB", Some(Method::Tsb), 1),
        ("ADIDA", Some(Method::Adida), 1),
        ("IMAPA", Some(Method::Imapa), 1),
        ("SES", Some(Method::Ses), 1),
        ("AutoETS", Some(Method::AutoEts), 1),
        ("auto", Some(Method::Auto), 1),
    ];
    print_table(&series, MONTHS, &rows, true, &Columns { names: ["RMSE", "MAE"], pick: |s| (s.rmse, s.mae) })
}
