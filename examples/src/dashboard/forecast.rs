//! The next three months of sell-out against history, with prediction intervals and last year's
//! same months: for the company, per category and for the top SKUs.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use omo_core::Dataset;
use omo_core::forecast::{ForecastOptions, Method, forecast};
use omo_core::model::PosSale;

use super::charts::{Band, Line, PALETTE, line_chart};
use super::html::{escape, figure, table};
use super::{Result, float, month_labels, month_number};
use omo_core::kpi::months_up_to;

/// Months of history on each chart, and months forecast.
const HISTORY: u32 = 24;
const HORIZON: usize = 3;
/// How many of the best-selling SKUs get a chart.
const TOP_SKUS: usize = 3;

/// Monthly sell-out (units) of the complete months up to `last`, per key, oldest first.
fn monthly_sell_out(
    d: &Dataset,
    last: NaiveDate,
    key: impl Fn(&PosSale) -> Option<String>,
) -> BTreeMap<String, BTreeMap<i64, f64>> {
    let last = month_number(last);
    let mut out: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    for sale in d.pos_sales.iter().filter(|s| month_number(s.date) <= last) {
        if let Some(k) = key(sale) {
            *out.entry(k).or_default().entry(month_number(sale.date)).or_default() += float(sale.quantity);
        }
    }
    out
}

/// The section: one chart per series, and a table of the forecasts.
pub fn section(d: &Dataset) -> Result<String> {
    let Some(last) = crate::report::last_complete_month(d.as_of) else { return Ok(String::new()) };
    let category: BTreeMap<_, _> = d.products.iter().map(|p| (&p.id, p.category.to_string())).collect();
    let mut series: Vec<(String, BTreeMap<i64, f64>)> = Vec::new();
    if let Some(all) = monthly_sell_out(d, last, |_| Some("company".into())).remove("company") {
        series.push(("The company".into(), all));
    }
    for (name, months) in monthly_sell_out(d, last, |s| category.get(&s.product).cloned()) {
        series.push((format!("Category {name}"), months));
    }
    let mut skus: Vec<_> = monthly_sell_out(d, last, |s| Some(s.product.to_string())).into_iter().collect();
    skus.sort_by(|a, b| b.1.values().sum::<f64>().total_cmp(&a.1.values().sum::<f64>()).then(a.0.cmp(&b.0)));
    series.extend(skus.into_iter().take(TOP_SKUS).map(|(sku, months)| (format!("SKU {sku}"), months)));

    let history = months_up_to(last, HISTORY);
    let future: Vec<NaiveDate> = (1..=HORIZON as u32).filter_map(|n| last.checked_add_months(Months::new(n))).collect();
    let labels = month_labels(&history.iter().chain(&future).copied().collect::<Vec<_>>());
    let mut charts = String::new();
    let mut rows = Vec::new();
    for (name, months) in &series {
        let (Some(first), Some(end)) = (months.keys().next().copied(), Some(month_number(last))) else { continue };
        let y: Vec<f64> = (first..=end).map(|m| months.get(&m).copied().unwrap_or(0.0)).collect();
        let options = ForecastOptions {
            season_length: 12,
            levels: vec![80.0, 95.0],
            non_negative: true,
            ..ForecastOptions::new(HORIZON)
        };
        let f = forecast(&y, Method::Auto, &options)?;
        let shown = history.len();
        let actual: Vec<Option<f64>> = history
            .iter()
            .map(|m| months.get(&month_number(*m)).copied().or(Some(0.0)))
            .chain(future.iter().map(|_| None))
            .collect();
        let mut mean = vec![None; shown - 1];
        mean.push(actual.get(shown - 1).copied().flatten());
        mean.extend(f.mean.iter().map(|v| Some(*v)));
        let last_year: Vec<Option<f64>> = history
            .iter()
            .map(|_| None)
            .chain(future.iter().map(|m| months.get(&(month_number(*m) - 12)).copied()))
            .collect();
        let band_of = |level: f64| {
            f.intervals.iter().find(|i| i.level == level).map(|i| Band {
                name: format!("{level:.0}% interval"),
                lower: vec![None; shown].into_iter().chain(i.lower.iter().map(|v| Some(*v))).collect(),
                upper: vec![None; shown].into_iter().chain(i.upper.iter().map(|v| Some(*v))).collect(),
                colour: PALETTE[0],
            })
        };
        let band = band_of(80.0);
        let chart = line_chart(
            &format!("{name}: sell-out"),
            "units per month",
            &labels,
            &[
                Line { name: "history".into(), values: actual, colour: PALETTE[2], dashed: false },
                Line {
                    name: "same month last year".into(),
                    values: last_year.clone(),
                    colour: PALETTE[1],
                    dashed: true,
                },
                // The model's exact name is in the caption and the table: a combination's name is
                // too long for a legend.
                Line { name: "forecast".into(), values: mean, colour: PALETTE[0], dashed: false },
            ],
            band.as_ref(),
        )?;
        charts.push_str(&figure(&chart, &format!("{name}: monthly units sold to end users, the next {HORIZON} months forecast by {} with an 80 % interval", f.model)));
        let wide = f.intervals.iter().find(|i| i.level == 95.0);
        for (k, month) in future.iter().enumerate() {
            let bound =
                |v: Option<&Vec<f64>>| v.and_then(|x| x.get(k)).map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
            rows.push(vec![
                escape(name),
                month.format("%Y-%m").to_string(),
                format!("{:.0}", f.mean.get(k).copied().unwrap_or(0.0)),
                format!("{} – {}", bound(wide.map(|i| &i.lower)), bound(wide.map(|i| &i.upper))),
                last_year
                    .get(history.len() + k)
                    .copied()
                    .flatten()
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.0}")),
                escape(&f.model),
            ]);
        }
    }
    Ok(format!(
        r#"<div class="charts">{charts}</div><h3>The forecasts</h3>{}"#,
        table("forecasts", &["series", "month", "forecast", "95 % interval", "last year", "model"], &rows)
    ))
}
