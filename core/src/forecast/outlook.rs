//! The sell-out outlook a dashboard shows: monthly units sold to end users for the company, each
//! category and the best-selling products, each with its forecast for the coming months (`auto`,
//! a 12-month season, 80 % and 95 % intervals, never below zero) and the same months a year
//! earlier — computed here once, in parallel, so every view shows the same numbers.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::batch::forecast_many;
use super::demand::first_period_read;
use super::{Forecast, ForecastOptions, Method};
use crate::analytics::SellOutMonths;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::kpi::last_complete_month;
use crate::model::{CategoryId, ProductId};
use crate::spi::Period;

/// Whose sell-out a series is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum OutlookScope {
    /// The whole company.
    Company,
    /// One product category.
    Category(CategoryId),
    /// One product.
    Product(ProductId),
}

/// One monthly sell-out series and its forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellOutOutlook {
    /// Whose sell-out.
    pub scope: OutlookScope,
    /// The first month of `history` (its first day).
    pub first_month: NaiveDate,
    /// Units sold each month, from `first_month` to the last complete month.
    pub history: Vec<f64>,
    /// The months forecast (first days).
    pub months_ahead: Vec<NaiveDate>,
    /// The forecast of those months, with 80 % and 95 % intervals.
    pub forecast: Forecast,
    /// Units sold in the same months a year earlier (`None` before the history starts).
    pub last_year: Vec<Option<f64>>,
}

impl SellOutOutlook {
    /// Units sold in `month` (its first day), if it is in the history.
    pub fn sold_in(&self, month: NaiveDate) -> Option<f64> {
        let k = Period::Month.number(month) - Period::Month.number(self.first_month);
        usize::try_from(k).ok().and_then(|k| self.history.get(k)).copied()
    }
}

/// The outlook of the `horizon` months after the last month complete on `as_of`: the company,
/// then each category (by id), then the `top_products` best-selling products over the whole
/// history (most units first, then by id). Series without a sale are left out.
///
/// ```
/// use omo_core::forecast::{OutlookScope, sell_out_outlook};
/// use omo_core::sample::{SampleConfig, sample_company};
/// let d = sample_company(&SampleConfig::small(7))?;
/// let outlook = sell_out_outlook(&d, d.as_of, 3, 2)?;
/// assert_eq!(outlook[0].scope, OutlookScope::Company);
/// assert_eq!(outlook[0].forecast.mean.len(), 3);
/// // The company's December is the sum of the categories' Decembers.
/// let december = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
/// let categories: f64 = outlook.iter().filter(|o| matches!(o.scope, OutlookScope::Category(_)))
///     .filter_map(|o| o.sold_in(december)).sum();
/// assert!((outlook[0].sold_in(december).unwrap() - categories).abs() < 1e-6);
/// assert_eq!(outlook.iter().filter(|o| matches!(o.scope, OutlookScope::Product(_))).count(), 2);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
///
/// # Errors
/// A forecast that fails (it names the reason).
pub fn sell_out_outlook(
    dataset: &Dataset,
    as_of: NaiveDate,
    horizon: usize,
    top_products: usize,
) -> Result<Vec<SellOutOutlook>> {
    sell_out_outlook_of(dataset, &SellOutMonths::of(&dataset.pos_sales), as_of, horizon, top_products)
}

/// [`sell_out_outlook`] of the sell-out `months` (the records' or the live engine's).
pub(crate) fn sell_out_outlook_of(
    dataset: &Dataset,
    months: &SellOutMonths,
    as_of: NaiveDate,
    horizon: usize,
    top_products: usize,
) -> Result<Vec<SellOutOutlook>> {
    let Some(last) = last_complete_month(as_of) else { return Ok(Vec::new()) };
    let last_number = Period::Month.number(last);
    let category: BTreeMap<&ProductId, &CategoryId> = dataset.products.iter().map(|p| (&p.id, &p.category)).collect();
    // Units summed exactly, each month's sum read as a float once.
    let mut company: BTreeMap<i64, Decimal> = BTreeMap::new();
    let mut categories: BTreeMap<&CategoryId, BTreeMap<i64, Decimal>> = BTreeMap::new();
    let mut products: BTreeMap<&ProductId, BTreeMap<i64, Decimal>> = BTreeMap::new();
    let read = first_period_read(Period::Month, last_number)..=last_number;
    for (_, product, month, sold) in months.months().filter(|(_, _, month, _)| read.contains(month)) {
        *company.entry(month).or_default() += sold.units;
        if let Some(c) = category.get(product) {
            *categories.entry(c).or_default().entry(month).or_default() += sold.units;
        }
        *products.entry(product).or_default().entry(month).or_default() += sold.units;
    }
    let floats = |months: BTreeMap<i64, Decimal>| -> BTreeMap<i64, f64> {
        months.into_iter().map(|(m, units)| (m, units.to_f64().unwrap_or(0.0))).collect()
    };
    let company = floats(company);
    let categories: BTreeMap<&CategoryId, BTreeMap<i64, f64>> =
        categories.into_iter().map(|(c, m)| (c, floats(m))).collect();
    let products: BTreeMap<&ProductId, BTreeMap<i64, f64>> =
        products.into_iter().map(|(p, m)| (p, floats(m))).collect();
    let mut best: Vec<(&ProductId, BTreeMap<i64, f64>)> = products.into_iter().collect();
    best.sort_by(|a, b| b.1.values().sum::<f64>().total_cmp(&a.1.values().sum::<f64>()).then(a.0.cmp(b.0)));
    let mut series: Vec<(OutlookScope, BTreeMap<i64, f64>)> = Vec::new();
    if !company.is_empty() {
        series.push((OutlookScope::Company, company));
    }
    series.extend(categories.into_iter().map(|(c, m)| (OutlookScope::Category(c.clone()), m)));
    series.extend(best.into_iter().take(top_products).map(|(p, m)| (OutlookScope::Product(p.clone()), m)));

    let history: Vec<(usize, (i64, Vec<f64>))> = series
        .iter()
        .enumerate()
        .map(|(i, (_, months))| {
            let first = months.keys().next().copied().unwrap_or(last_number);
            (i, (first, (first..=last_number).map(|m| months.get(&m).copied().unwrap_or(0.0)).collect()))
        })
        .collect();
    let inputs: Vec<(usize, &[f64])> = history.iter().map(|(i, (_, y))| (*i, y.as_slice())).collect();
    let options = ForecastOptions {
        season_length: 12,
        levels: vec![80.0, 95.0],
        non_negative: true,
        ..ForecastOptions::new(horizon)
    };
    let forecasts = forecast_many(&inputs, Method::Auto, &options);
    let months_ahead: Vec<NaiveDate> =
        (1..=horizon as u32).filter_map(|n| last.checked_add_months(Months::new(n))).collect();
    series
        .into_iter()
        .zip(history)
        .zip(forecasts)
        .map(|(((scope, months), (_, (first, y))), forecast)| {
            let last_year =
                months_ahead.iter().map(|m| months.get(&(Period::Month.number(*m) - 12)).copied()).collect();
            Ok(SellOutOutlook {
                scope,
                first_month: Period::Month.start_of_number(first).unwrap_or(last),
                history: y,
                months_ahead: months_ahead.clone(),
                forecast: forecast?,
                last_year,
            })
        })
        .collect()
}
