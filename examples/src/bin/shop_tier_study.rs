//! The study behind the plan's shop-tier forecasts (issue #15, item 7): at the articles' size the
//! company plan forecasts 600,000 shop x product series, and `auto`'s SCUM (the median of AutoETS,
//! AutoCES, AutoARIMA and DOTM) costs about 2.7 ms of CPU each, some 14 minutes on two cores.
//! Is there a cheaper rule that is still accurate by the standard `auto` itself was held to?
//!
//! Protocol, declared before the figures it judges were read:
//! - **Candidates**: the rules of the forecast study (`omo_examples::study::RULES`).
//! - **Gate**: the forecast study's own, on its training sets (M4 weekly, tourism and M1 monthly,
//!   car parts, the Online Retail SKUs, tourism and M1 cut to 24-36 months; three origins, test
//!   parts never read): a rule's origin-averaged primary error and MASE at or below AutoETS's on
//!   every set.
//! - **Cost**: CPU time of each model on every shop x product series of the sample company (the
//!   plan's own input: monthly POS units, the whole history, horizon 6, season 12), one thread,
//!   all in this run. On a smooth or erratic series a rule costs the sum of its members; on an
//!   intermittent one every rule takes `auto`'s intermittent forecast and costs what `auto` does.
//! - **Choice**: among the rules through the gate, the cheapest; adopted for the shop tier only if
//!   it costs at most half of SCUM, otherwise SCUM stays.
//!
//! ```text
//! cargo run --release -p omo-examples --bin shop_tier_study -- ../shared/data
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use omo_core::forecast::{DemandClass, ForecastOptions, Method, demand_class, forecast};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::Period;
use omo_examples::study::{RULES, averaged, study_set, training_sets};
use rust_decimal::prelude::ToPrimitive;

/// The plan's horizon and season (`ChannelSettings::new`).
const HORIZON: usize = 6;
const SEASON: usize = 12;

/// The rule `auto` uses on smooth and erratic demand.
const SCUM: &str = "SCUM: median of ETS, CES, ARIMA, DOTM";

fn main() -> ExitCode {
    let shared = std::env::args().nth(1).unwrap_or_else(|| "../shared/data".to_owned());
    match run(Path::new(&shared)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shop_tier_study: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(shared: &Path) -> Result<(), String> {
    let costs = rule_costs(&shop_series()?)?;
    let through = gated_rules(shared)?;
    println!("\n{:<40} {:>12} {:>9}  gate", "rule", "ms a series", "of SCUM");
    let scum = costs.get(SCUM).copied().ok_or("SCUM has no cost")?;
    for rule in RULES {
        let Some(cost) = costs.get(rule.name) else { continue };
        let gate = if through.contains(&rule.name) { "through" } else { "-" };
        println!("{:<40} {:>12.3} {:>9.3}  {gate}", rule.name, cost * 1e3, cost / scum);
    }
    let cheapest =
        through.iter().filter_map(|name| costs.get(name).map(|c| (*name, *c))).min_by(|a, b| a.1.total_cmp(&b.1));
    match cheapest {
        Some((name, cost)) if cost <= scum / 2.0 => {
            println!("\nchosen for the shop tier: {name} ({:.3} of SCUM's cost)", cost / scum);
        }
        Some((name, cost)) => {
            println!("\nthe cheapest rule through the gate, {name}, costs {:.3} of SCUM: SCUM stays", cost / scum);
        }
        None => println!("\nno rule is through the gate: SCUM stays"),
    }
    Ok(())
}

/// Every shop x product series of the sample company with any demand: monthly POS units from the
/// first month with a sale to the last whole month before the company's day.
fn shop_series() -> Result<Vec<Vec<f64>>, String> {
    let company = sample_company(&SampleConfig::default()).map_err(|e| e.to_string())?;
    let first = company.pos_sales.iter().map(|s| Period::Month.number(s.date)).min().ok_or("no POS sales")?;
    let last = Period::Month.number(company.as_of) - 1;
    let months = usize::try_from(last - first + 1).map_err(|e| e.to_string())?;
    let mut series: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for sale in &company.pos_sales {
        let Some(slot) = usize::try_from(Period::Month.number(sale.date) - first).ok().filter(|i| *i < months) else {
            continue;
        };
        let values =
            series.entry((sale.node.to_string(), sale.product.to_string())).or_insert_with(|| vec![0.0; months]);
        values[slot] += sale.quantity.to_f64().unwrap_or(0.0);
    }
    Ok(series.into_values().filter(|y| y.iter().any(|v| *v != 0.0)).collect())
}

/// Each rule's mean CPU time a series on `series`, one thread (see the protocol).
fn rule_costs(series: &[Vec<f64>]) -> Result<BTreeMap<&'static str, f64>, String> {
    let options = ForecastOptions { season_length: SEASON, non_negative: true, ..ForecastOptions::new(HORIZON) };
    let mut names: Vec<&'static str> = RULES.iter().flat_map(|r| r.members.iter().copied()).collect();
    names.push("auto");
    names.sort_unstable();
    names.dedup();
    let mut times: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    for name in names {
        let method = Method::from_name(name).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let per_series = series
            .iter()
            .map(|y| {
                let start = Instant::now();
                forecast(y, method, &options).map(|_| start.elapsed()).map_err(|e| format!("{name}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        println!("{name:<26} {:>8.2} s over {} series", started.elapsed().as_secs_f64(), series.len());
        times.insert(name, per_series);
    }
    let smooth: Vec<bool> = series
        .iter()
        .map(|y| matches!(demand_class(y), Some((DemandClass::Smooth | DemandClass::Erratic, _, _))))
        .collect();
    println!("{} of {} series smooth or erratic", smooth.iter().filter(|s| **s).count(), series.len());
    let mut costs = BTreeMap::new();
    for rule in RULES {
        let mut total = Duration::ZERO;
        for (i, (is_smooth, y)) in smooth.iter().zip(series).enumerate() {
            let short = y.len() < 2 * SEASON + 1 && !rule.short_members.is_empty();
            let members: &[&str] = match (is_smooth, short) {
                (false, _) => &["auto"],
                (true, true) => rule.short_members,
                (true, false) => rule.members,
            };
            total += members.iter().map(|m| times.get(m).map_or(Duration::ZERO, |t| t[i])).sum::<Duration>();
        }
        costs.insert(rule.name, total.as_secs_f64() / series.len().max(1) as f64);
    }
    Ok(costs)
}

/// The rules whose origin-averaged primary error and MASE are at or below AutoETS's on every
/// training set of the forecast study.
fn gated_rules(shared: &Path) -> Result<Vec<&'static str>, String> {
    let mut through: Vec<&'static str> = RULES.iter().map(|r| r.name).filter(|n| *n != "AutoETS").collect();
    for set in training_sets(shared)? {
        let errors = study_set(&set)?;
        let ets = averaged(errors.get("AutoETS").ok_or("AutoETS missing")?);
        through.retain(|name| {
            errors
                .get(name)
                .map(|e| averaged(e))
                .is_some_and(|ours| ours.primary <= ets.primary && ours.mase <= ets.mase)
        });
        println!("{}: {} rules through so far", set.name, through.len());
    }
    Ok(through)
}
