//! Holds out the last `h` months of every series of a monthly competition's *training* part
//! (tourism monthly: 24, M1 monthly: 18) and prints the sMAPE and MASE (scaled by the one-step
//! naive error) of omo's seasonal models, single-threaded: the validation on which forecasting
//! rules are chosen before a test part is scored (issue #18). The test parts are never read here.
//!
//! ```text
//! cargo run --release -p omo-examples --bin monthly_bench -- \
//!     ../shared/data/tourism_monthly_train.csv:24 ../shared/data/m1_monthly_train.csv:18
//! ```

use std::path::Path;
use std::process::ExitCode;

use omo_core::forecast::Method;
use omo_examples::hold_out::{M4_COLUMNS, print_table, read_long};

/// Months in a year: the season length of every table.
const SEASON: usize = 12;

fn main() -> ExitCode {
    let sets: Vec<String> = std::env::args().skip(1).collect();
    if sets.is_empty() {
        eprintln!("usage: monthly_bench PATH:HORIZON [PATH:HORIZON ...]");
        return ExitCode::FAILURE;
    }
    for set in &sets {
        if let Err(message) = validate(set) {
            eprintln!("monthly_bench: {set}: {message}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// One training set given as `PATH:HORIZON`: its last `HORIZON` months held out.
fn validate(set: &str) -> Result<(), String> {
    let (path, horizon) = set.rsplit_once(':').ok_or("expected PATH:HORIZON")?;
    let horizon: usize = horizon.parse().map_err(|e| format!("horizon {horizon:?}: {e}"))?;
    let series = read_long(Path::new(path))?;
    println!("\n{path}: {} series, the last {horizon} months of each training series held out", series.len());
    let rows = [
        ("SeasonalNaive", Some(Method::SeasonalNaive), SEASON),
        ("AutoETS", Some(Method::AutoEts), SEASON),
        ("auto", Some(Method::Auto), SEASON),
    ];
    print_table(&series, horizon, &rows, false, &M4_COLUMNS)
}
