//! The study behind the plan's shop demand (issue #15, item 7): each shop's demand for a
//! product forecast on its own with `auto` (bottom-up, what the plan did), or the group's
//! demand (a distributor's shops, a product's customers) forecast with `auto` once and split
//! among its members by their shares of the history (Gross & Sohl's historical proportions).
//! At the articles' size the first is 600,000 forecasts, the second 12,000.
//!
//! Protocol, fixed before any figure was seen:
//! - **Data**: two two-level panels, training parts only. The UCI Online Retail ledger (real):
//!   weekly units of each customer for each of the 100 stock codes with the most sales lines,
//!   a group a stock code, its members its customers; the last 13 weeks (the test part) are
//!   never read. The sample company (synthetic, our generator): monthly POS units of each shop
//!   for each product, a group a distributor's shops x product; the last 3 months never read.
//! - **Origins**: 3 per set; origin `k` holds out the `h` values (4 weeks; 3 months) ending
//!   `k h` before the end of the training part and fits on everything before them. A member
//!   with no demand in its fitting part sits the origin out (the plan leaves such pairs out),
//!   as does a group left with fewer than two members.
//! - **Rules**: bottom-up `auto`; top-down `auto` split by the shares of the whole fitting part;
//!   top-down split by the shares of its last 12 periods (the group's own when those are all
//!   zero).
//! - **Errors**: pooled WAPE of the members' forecasts per period (first) and of their horizon
//!   totals (what a replenishment plan orders against), averaged over the origins.
//! - **Choice**: a top-down rule replaces bottom-up when both its errors are at or below
//!   bottom-up's on both sets; of two such, the lower mean of the first error.
//!
//! ```text
//! cargo run --release -p omo-examples --bin shop_demand_study -- ../shared/data
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use omo_core::forecast::{ForecastOptions, Method, forecast_many, historical_shares};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::Period;
use rust_decimal::prelude::ToPrimitive;

/// Forecast origins per set.
const ORIGINS: usize = 3;

/// A two-level panel: groups of members, each member's series (all of one length).
struct Panel {
    name: &'static str,
    groups: Vec<Vec<Vec<f64>>>,
    horizon: usize,
    season: usize,
}

/// The rules compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    BottomUp,
    TopDownAll,
    TopDownLast12,
}

const RULES: [Rule; 3] = [Rule::BottomUp, Rule::TopDownAll, Rule::TopDownLast12];

fn main() -> ExitCode {
    let shared = std::env::args().nth(1).unwrap_or_else(|| "../shared/data".to_owned());
    match run(Path::new(&shared)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shop_demand_study: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(shared: &Path) -> Result<(), String> {
    let panels = [online_retail(shared)?, sample_shops()?];
    let mut results: Vec<BTreeMap<&'static str, (f64, f64)>> = Vec::new();
    for panel in &panels {
        let members: usize = panel.groups.iter().map(Vec::len).sum();
        println!(
            "\n{} ({} groups, {} members, h {}, {ORIGINS} origins; pooled WAPE per period, of horizon totals; seconds)",
            panel.name,
            panel.groups.len(),
            members,
            panel.horizon
        );
        let mut by_rule = BTreeMap::new();
        for rule in RULES {
            let started = Instant::now();
            let mut sums = (0.0, 0.0);
            for k in 0..ORIGINS {
                let (per_period, totals) = score(panel, rule, k)?;
                sums = (sums.0 + per_period, sums.1 + totals);
            }
            let errors = (sums.0 / ORIGINS as f64, sums.1 / ORIGINS as f64);
            println!(
                "  {:<40} {:>7.4} {:>7.4} {:>7.1}",
                format!("{rule:?}"),
                errors.0,
                errors.1,
                started.elapsed().as_secs_f64()
            );
            by_rule.insert(name(rule), errors);
        }
        results.push(by_rule);
    }
    let bottom_up = name(Rule::BottomUp);
    let chosen = RULES
        .iter()
        .filter(|r| **r != Rule::BottomUp)
        .filter(|r| {
            results.iter().all(|set| match (set.get(name(**r)), set.get(bottom_up)) {
                (Some(td), Some(bu)) => td.0 <= bu.0 && td.1 <= bu.1,
                _ => false,
            })
        })
        .min_by(|a, b| mean_first(&results, **a).total_cmp(&mean_first(&results, **b)));
    match chosen {
        Some(rule) => println!("\nchosen: {rule:?}"),
        None => println!("\nchosen: BottomUp (no top-down rule is at or below it on both sets)"),
    }
    Ok(())
}

fn name(rule: Rule) -> &'static str {
    match rule {
        Rule::BottomUp => "bottom-up",
        Rule::TopDownAll => "top-down, whole history",
        Rule::TopDownLast12 => "top-down, last 12",
    }
}

fn mean_first(results: &[BTreeMap<&'static str, (f64, f64)>], rule: Rule) -> f64 {
    results.iter().filter_map(|set| set.get(name(rule)).map(|e| e.0)).sum::<f64>() / results.len() as f64
}

/// The pooled WAPE per period and of the horizon totals of `rule` at origin `k`.
fn score(panel: &Panel, rule: Rule, k: usize) -> Result<(f64, f64), String> {
    let h = panel.horizon;
    let options = ForecastOptions { season_length: panel.season, non_negative: true, ..ForecastOptions::new(h) };
    // Each group's members at this origin: (fitting part, held-out part), those with demand.
    let groups: Vec<Vec<(&[f64], &[f64])>> = panel
        .groups
        .iter()
        .map(|members| {
            members
                .iter()
                .filter_map(|y| {
                    let end = y.len().checked_sub(k * h)?;
                    let fit = y.get(..end.checked_sub(h)?)?;
                    let actual = y.get(end - h..end)?;
                    (fit.len() >= 2 * h && fit.iter().any(|v| *v > 0.0)).then_some((fit, actual))
                })
                .collect::<Vec<_>>()
        })
        .filter(|members| members.len() >= 2)
        .collect();
    let forecasts: Vec<Vec<Vec<f64>>> = match rule {
        Rule::BottomUp => {
            let series: Vec<(usize, &[f64])> = groups.iter().flatten().map(|(fit, _)| (0, *fit)).collect();
            let mut made = forecast_many(&series, Method::Auto, &options).into_iter();
            let mut out = Vec::new();
            for members in &groups {
                let mut group = Vec::new();
                for _ in members {
                    let f = made.next().ok_or("a forecast is missing")?.map_err(|e| e.to_string())?;
                    group.push(f.mean);
                }
                out.push(group);
            }
            out
        }
        Rule::TopDownAll | Rule::TopDownLast12 => {
            let totals: Vec<(usize, Vec<f64>)> = groups
                .iter()
                .map(|members| {
                    let len = members.first().map_or(0, |(fit, _)| fit.len());
                    (
                        0,
                        (0..len)
                            .map(|t| members.iter().map(|(fit, _)| fit.get(t).copied().unwrap_or(0.0)).sum())
                            .collect(),
                    )
                })
                .collect();
            let made = forecast_many(&totals, Method::Auto, &options);
            let mut out = Vec::new();
            for (members, total) in groups.iter().zip(made) {
                let total = total.map_err(|e| e.to_string())?.mean;
                let window = if rule == Rule::TopDownLast12 { 12 } else { usize::MAX };
                let recent: Vec<&[f64]> =
                    members.iter().map(|(fit, _)| fit.get(fit.len().saturating_sub(window)..).unwrap_or(fit)).collect();
                let whole: Vec<&[f64]> = members.iter().map(|(fit, _)| *fit).collect();
                let shares =
                    historical_shares(&recent).or_else(|| historical_shares(&whole)).ok_or("a group without demand")?;
                out.push(shares.iter().map(|s| total.iter().map(|v| v * s).collect()).collect());
            }
            out
        }
    };
    let (mut error, mut total_error, mut actual_sum) = (0.0, 0.0, 0.0);
    for (members, made) in groups.iter().zip(&forecasts) {
        for ((_, actual), forecast) in members.iter().zip(made) {
            error += actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()).sum::<f64>();
            total_error += (actual.iter().sum::<f64>() - forecast.iter().sum::<f64>()).abs();
            actual_sum += actual.iter().sum::<f64>();
        }
    }
    if actual_sum <= 0.0 {
        return Err(format!("{}: no demand held out at origin {k}", panel.name));
    }
    Ok((error / actual_sum, total_error / actual_sum))
}

/// Online Retail: weekly units per customer of the 100 stock codes with the most sales lines,
/// the last 13 weeks (the test part) cut off.
fn online_retail(shared: &Path) -> Result<Panel, String> {
    let rows =
        omo_examples::online_retail::read_rows(&shared.join("online_retail.csv.gz")).map_err(|e| e.to_string())?;
    let sales: Vec<_> = rows
        .iter()
        .filter(|r| !r.invoice_no.starts_with('C') && r.quantity.is_sign_positive() && r.customer_id.is_some())
        .collect();
    let week = |d: chrono::NaiveDateTime| {
        use chrono::Datelike;
        i64::from(d.date().num_days_from_ce() - 1).div_euclid(7)
    };
    let first = sales.iter().map(|r| week(r.invoice_date)).min().ok_or("no sales")?;
    // The last week is partial: dropped; the 13 before it are the test part.
    let last = sales.iter().map(|r| week(r.invoice_date)).max().ok_or("no sales")? - 1 - 13;
    let weeks = usize::try_from(last - first + 1).map_err(|e| e.to_string())?;
    let mut lines: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &sales {
        *lines.entry(r.stock_code.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = lines.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: BTreeMap<&str, usize> = ranked.iter().take(100).enumerate().map(|(i, (code, _))| (*code, i)).collect();
    let mut groups: Vec<BTreeMap<&str, Vec<f64>>> = vec![BTreeMap::new(); top.len()];
    for r in &sales {
        let (Some(&g), Some(customer)) = (top.get(r.stock_code.as_str()), r.customer_id.as_deref()) else { continue };
        let Some(slot) = usize::try_from(week(r.invoice_date) - first).ok().filter(|i| *i < weeks) else { continue };
        if let Some(group) = groups.get_mut(g) {
            let series = group.entry(customer).or_insert_with(|| vec![0.0; weeks]);
            series[slot] += r.quantity.to_f64().unwrap_or(0.0);
        }
    }
    Ok(Panel {
        name: "Online Retail (customers x stock code, weekly)",
        groups: groups.into_iter().map(|g| g.into_values().collect()).collect(),
        horizon: 4,
        season: 1,
    })
}

/// The sample company (default size): monthly POS units per shop and product, grouped by the
/// shop's distributor and product, the last 3 months (the test part) cut off.
fn sample_shops() -> Result<Panel, String> {
    let company = sample_company(&SampleConfig::default()).map_err(|e| e.to_string())?;
    let parent: BTreeMap<_, _> = company.nodes.iter().map(|n| (&n.id, n.parent.as_ref())).collect();
    let first = company.pos_sales.iter().map(|s| Period::Month.number(s.date)).min().ok_or("no POS sales")?;
    let last = Period::Month.number(company.as_of) - 3;
    let months = usize::try_from(last - first + 1).map_err(|e| e.to_string())?;
    let mut groups: BTreeMap<(String, String), BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for sale in &company.pos_sales {
        let Some(slot) = usize::try_from(Period::Month.number(sale.date) - first).ok().filter(|i| *i < months) else {
            continue;
        };
        let distributor = parent.get(&sale.node).copied().flatten().map_or_else(String::new, |p| p.to_string());
        let series = groups
            .entry((distributor, sale.product.to_string()))
            .or_default()
            .entry(sale.node.to_string())
            .or_insert_with(|| vec![0.0; months]);
        series[slot] += sale.quantity.to_f64().unwrap_or(0.0);
    }
    Ok(Panel {
        name: "sample company (shops x product by distributor, monthly)",
        groups: groups.into_values().map(|g| g.into_values().collect()).collect(),
        horizon: 3,
        season: 12,
    })
}
