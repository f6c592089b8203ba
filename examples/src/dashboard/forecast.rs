//! The next three months of sell-out against history, with prediction intervals and last year's
//! same months: for the company, per category and for the top SKUs.

use omo_core::forecast::OutlookScope;
use omo_core::views::{FORECAST_MONTHS, Views};

use super::charts::{Band, Line, PALETTE, line_chart};
use super::html::{escape, figure, table};
use super::{Result, month_labels};

/// How many of the best-selling SKUs get a chart.
const TOP_SKUS: usize = 3;

/// The section: one chart per series of the core's outlook, and a table of the forecasts.
pub fn section(views: &Views<'_>) -> Result<String> {
    let outlook = views.outlook(TOP_SKUS)?;
    let (history, future) = (&outlook.history_months, &outlook.months_ahead);
    let labels = month_labels(&history.iter().chain(future).copied().collect::<Vec<_>>());
    let mut charts = String::new();
    let mut rows = Vec::new();
    for series in &outlook.series {
        let name = match &series.scope {
            OutlookScope::Company => "The company".to_owned(),
            OutlookScope::Category(c) => format!("Category {c}"),
            OutlookScope::Product(p) => format!("SKU {p}"),
        };
        let f = &series.forecast;
        let shown = history.len();
        let actual: Vec<Option<f64>> =
            history.iter().map(|m| series.sold_in(*m).or(Some(0.0))).chain(future.iter().map(|_| None)).collect();
        let mut mean = vec![None; shown - 1];
        mean.push(actual.get(shown - 1).copied().flatten());
        mean.extend(f.mean.iter().map(|v| Some(*v)));
        let last_year: Vec<Option<f64>> =
            history.iter().map(|_| None).chain(series.last_year.iter().copied()).collect();
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
        charts.push_str(&figure(&chart, &format!("{name}: monthly units sold to end users, the next {FORECAST_MONTHS} months forecast by {} with an 80 % interval", f.model)));
        let wide = f.intervals.iter().find(|i| i.level == 95.0);
        for (k, month) in future.iter().enumerate() {
            let bound =
                |v: Option<&Vec<f64>>| v.and_then(|x| x.get(k)).map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
            rows.push(vec![
                escape(&name),
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
