//! The forecast section of the report: the next three months of sell-out volume and revenue by
//! region and by category, with last year's same months beside them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use omo_core::forecast::sell_out_forecast;
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

use super::{Table, money, quantity, region_name};

/// The whole forecast section.
pub fn section(d: &Dataset) -> Result<String, OmoError> {
    let forecasts = sell_out_forecast(d, d.as_of, 3)?;
    if forecasts.is_empty() {
        return Ok("== Forecast ==\nNo sell-out history to forecast from.\n".to_owned());
    }
    let mut out = String::from(
        "== Forecast: the next 3 months of sell-out (auto model per region x category; last year beside) ==\n",
    );
    let mut by_region: BTreeMap<(String, NaiveDate), [Decimal; 4]> = BTreeMap::new();
    let mut by_category: BTreeMap<(String, NaiveDate), [Decimal; 4]> = BTreeMap::new();
    for f in &forecasts {
        let row = [Decimal::from_f64(f.volume).unwrap_or_default(), f.revenue, f.volume_last_year, f.revenue_last_year];
        for (table, key) in
            [(&mut by_region, region_name(d, f.region.as_str())), (&mut by_category, f.category.to_string())]
        {
            let cell = table.entry((key, f.month)).or_insert([Decimal::ZERO; 4]);
            for (c, v) in cell.iter_mut().zip(row) {
                *c += v;
            }
        }
    }
    for (title, table) in [("region", by_region), ("category", by_category)] {
        let mut t = Table::new(
            [title, "month", "units", "last year", "change", "revenue", "last year"].map(String::from).to_vec(),
        );
        let mut total: BTreeMap<NaiveDate, [Decimal; 4]> = BTreeMap::new();
        for ((key, month), [units, revenue, units_ly, revenue_ly]) in &table {
            t.row(vec![
                key.clone(),
                month.format("%Y-%m").to_string(),
                quantity(units.round_dp(0)),
                quantity(*units_ly),
                change(*units, *units_ly),
                money(*revenue),
                money(*revenue_ly),
            ]);
            let cell = total.entry(*month).or_insert([Decimal::ZERO; 4]);
            for (c, v) in cell.iter_mut().zip([*units, *revenue, *units_ly, *revenue_ly]) {
                *c += v;
            }
        }
        if title == "region" {
            for (month, [units, revenue, units_ly, revenue_ly]) in total {
                t.row(vec![
                    "total".into(),
                    month.format("%Y-%m").to_string(),
                    quantity(units.round_dp(0)),
                    quantity(units_ly),
                    change(units, units_ly),
                    money(revenue),
                    money(revenue_ly),
                ]);
            }
        }
        out.push_str(&t.render());
    }
    Ok(out)
}

fn change(now: Decimal, before: Decimal) -> String {
    if before.is_zero() {
        return "-".to_owned();
    }
    format!("{:+}%", ((now / before - Decimal::ONE) * Decimal::ONE_HUNDRED).round_dp(0))
}
