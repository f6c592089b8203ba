//! The forecast section of the report: the next three months of sell-out volume and revenue by
//! region and by category, with last year's same months beside them.

use omo_core::OmoError;
use omo_core::views::{ForecastRollupRow, RollupBy, Views};
use rust_decimal::Decimal;

use super::{Table, money, quantity};

/// The whole forecast section.
pub fn section(views: &Views<'_>) -> Result<String, OmoError> {
    let by_region = views.forecast_rollup(RollupBy::Region)?;
    if by_region.is_empty() {
        return Ok("== Forecast ==\nNo sell-out history to forecast from.\n".to_owned());
    }
    let mut out = String::from(
        "== Forecast: the next 3 months of sell-out (auto model per region x category; last year beside) ==\n",
    );
    let mut regions = by_region;
    regions.extend(views.forecast_rollup(RollupBy::Company)?);
    for (title, rows) in [("region", regions), ("category", views.forecast_rollup(RollupBy::Category)?)] {
        let mut t = Table::new(
            [title, "month", "units", "last year", "change", "revenue", "last year"].map(String::from).to_vec(),
        );
        for row in &rows {
            t.row(cells(row));
        }
        out.push_str(&t.render());
    }
    Ok(out)
}

fn cells(row: &ForecastRollupRow) -> Vec<String> {
    vec![
        row.name.clone(),
        row.month.format("%Y-%m").to_string(),
        quantity(row.volume.round_dp(0)),
        quantity(row.volume_last_year),
        row.change.map_or_else(|| "-".to_owned(), |c| format!("{:+}%", (c * Decimal::ONE_HUNDRED).round_dp(0))),
        money(row.revenue),
        money(row.revenue_last_year),
    ]
}
