//! The main job: builds the sample company (or reads a company's JSON dataset) and prints its
//! report.
//!
//! ```text
//! cargo run --release -p omo-examples -- [--seed N] [--dataset company.json]
//! ```

use std::process::ExitCode;

use omo_core::Dataset;
use omo_core::sample::{SampleConfig, sample_company};
use omo_examples::report;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("omo-examples: {message}");
            ExitCode::FAILURE
        }
    }
}

fn number<T: std::str::FromStr<Err: std::fmt::Display>>(flag: &str, text: String) -> Result<T, String> {
    text.parse().map_err(|e| format!("{flag} {text:?}: {e}"))
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut config = SampleConfig::default();
    let mut dataset_path = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => config.seed = number(&flag, value()?)?,
            "--distributors" => config.distributors = number(&flag, value()?)?,
            "--retailers-per-distributor" => config.retailers_per_distributor = number(&flag, value()?)?,
            "--farmers" => config.farmers = number(&flag, value()?)?,
            "--years" => config.years = number(&flag, value()?)?,
            "--dataset" => dataset_path = Some(value()?),
            "--help" | "-h" => return Ok("usage: omo-examples [--seed N] [--dataset company.json]\n".into()),
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    let dataset = match dataset_path {
        Some(path) => {
            let json = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            Dataset::from_json_validated(&json).map_err(|e| format!("{path}: {e}"))?
        }
        None => sample_company(&config).map_err(|e| e.to_string())?,
    };
    report::render(&dataset).map_err(|e| e.to_string())
}
