//! Replays the last year of sample companies' distributor replenishment — with the
//! forecast-driven suggested orders, with the trailing-mean rule, and with the trailing mean under
//! the forecast rule's periodic-review policy (to tell the demand basis's effect from the
//! policy's) — against the demand that happened, and prints fill rate, stock-out days and average
//! stock (see `omo_examples::replay`).
//!
//! ```text
//! cargo run --release -p omo-examples --bin replenishment_replay -- [SEED ...]
//! ```

use std::process::ExitCode;

use omo_core::forecast::Method;
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::DemandBasis;
use omo_examples::replay::replay;

fn main() -> ExitCode {
    let seeds: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let seeds = if seeds.is_empty() { vec![42, 7, 2024] } else { seeds };
    println!("| seed | basis | fill rate | stock-out days | average stock (units) | average stock (value) | orders |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for seed in seeds {
        let config = SampleConfig { seed, ..SampleConfig::default() };
        let company = match sample_company(&config) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("replenishment_replay: seed {seed}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let start =
            chrono::NaiveDate::from_ymd_opt(config.start_year + config.years as i32 - 1, 1, 1).unwrap_or(company.as_of);
        let rules = [
            ("forecast (auto), order up to S each review", DemandBasis::Forecast { method: Method::Auto }, false),
            ("trailing 90-day mean, reorder point", DemandBasis::TrailingMean, false),
            ("trailing 90-day mean, order up to S each review", DemandBasis::TrailingMean, true),
        ];
        for (name, basis, up_to) in rules {
            match replay(&company, start, basis, 7, up_to) {
                Ok(s) => println!(
                    "| {seed} | {name} | {:.4} | {} | {:.1} | {:.0} | {} |",
                    s.fill_rate, s.stockout_days, s.average_stock, s.average_stock_value, s.orders
                ),
                Err(e) => {
                    eprintln!("replenishment_replay: seed {seed}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
