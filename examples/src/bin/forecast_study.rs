//! The study behind `auto`'s rule (issue #18; the protocol is in `omo_examples::study`): every
//! declared rule on every training set at several forecast origins, against AutoETS, and the
//! rule the protocol chooses. The test parts are never read.
//!
//! ```text
//! cargo run --release -p omo-examples --bin forecast_study -- ../shared/data
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use omo_examples::study::{Errors, ORIGINS, RULES, averaged, chosen_rule, study_set, training_sets};

fn main() -> ExitCode {
    let shared = std::env::args().nth(1).unwrap_or_else(|| "../shared/data".to_owned());
    match run(Path::new(&shared)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("forecast_study: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(shared: &Path) -> Result<(), String> {
    let mut studied = Vec::new();
    for set in training_sets(shared)? {
        let started = Instant::now();
        let errors = study_set(&set)?;
        println!(
            "\n{} ({} series, h {}, {ORIGINS} origins; {:?} then MASE, relative to AutoETS; {:.0} s)",
            set.name,
            set.series.len(),
            set.horizon,
            set.primary,
            started.elapsed().as_secs_f64()
        );
        print_set(&errors);
        studied.push(errors);
    }
    match chosen_rule(&studied) {
        Some((rule, relative)) => println!("\nchosen: {rule} ({relative:.4} of AutoETS's error, geometric mean)"),
        None => println!("\nchosen: none is at or below AutoETS on every set"),
    }
    Ok(())
}

fn print_set(errors: &BTreeMap<&'static str, Vec<Errors>>) {
    let Some(ets) = errors.get("AutoETS").map(|e| averaged(e)) else { return };
    println!("{:<40} {:>9} {:>7} {:>9} {:>7}  per origin", "rule", "primary", "rel", "MASE", "rel");
    for rule in RULES {
        let Some(per_origin) = errors.get(rule.name) else { continue };
        let mean = averaged(per_origin);
        let origins: Vec<String> = per_origin.iter().map(|e| format!("{:.3}/{:.3}", e.primary, e.mase)).collect();
        println!(
            "{:<40} {:>9.4} {:>7.4} {:>9.4} {:>7.4}  {}",
            rule.name,
            mean.primary,
            mean.primary / ets.primary,
            mean.mase,
            mean.mase / ets.mase,
            origins.join("  ")
        );
    }
}
