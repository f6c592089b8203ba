//! Forecasts of the business from its data: sell-out volume and revenue for the coming months
//! by region and category with last year's same months beside them, and projected stock at a
//! node driven by a forecast of its own sales.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::batch::{forecast_many, revenue_forecast};
use super::{ForecastOptions, Method, forecast};
use crate::analytics::SellOutMonths;
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{CategoryId, MovementKind, NodeId, ProductId, RegionId};
use crate::spi::{Period, Projection, project_stock};

/// The most years of history a forecast of the business's demand reads: the last ten (120
/// months, 520 weeks) before the periods forecast. Older periods are left out of
/// [`sell_out_forecast`], [`projected_stock_from_forecast`], [`super::sell_out_outlook`] and the
/// plan's demand, so one record dated far back (a mistyped year) neither stretches every series
/// over centuries of zeros nor slows the forecasts down with them.
///
/// ```
/// use omo_core::forecast::{DEMAND_HISTORY_YEARS, sell_out_forecast};
/// use omo_core::sample::{SampleConfig, sample_company};
/// let mut d = sample_company(&SampleConfig::small(7))?;
/// let before = sell_out_forecast(&d, d.as_of, 3)?;
/// let mut ancient = d.pos_sales[0].clone();
/// ancient.date = chrono::NaiveDate::from_ymd_opt(1925, 3, 4).unwrap();   // a year mistyped
/// d.pos_sales.push(ancient);
/// assert_eq!(sell_out_forecast(&d, d.as_of, 3)?, before);
/// assert_eq!(DEMAND_HISTORY_YEARS, 10);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub const DEMAND_HISTORY_YEARS: i64 = 10;

/// The first period number a demand forecast reads when its history ends with period number
/// `last`: [`DEMAND_HISTORY_YEARS`] of `period`s back.
pub(crate) fn first_period_read(period: Period, last: i64) -> i64 {
    last.saturating_sub(DEMAND_HISTORY_YEARS.saturating_mul(period.per_year())).saturating_add(1)
}

/// Forecast sell-out of one region and category in one future month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DemandForecast {
    /// The region (of the shop).
    pub region: RegionId,
    /// The product category.
    pub category: CategoryId,
    /// The month (its first day).
    pub month: NaiveDate,
    /// Forecast units.
    pub volume: f64,
    /// Forecast revenue: units at the last twelve months' average price.
    pub revenue: Decimal,
    /// The model that made it.
    pub model: String,
    /// Units sold in the same month a year earlier.
    pub volume_last_year: Decimal,
    /// Revenue of the same month a year earlier.
    pub revenue_last_year: Decimal,
}

/// Monthly sell-out (POS) forecasts for the `horizon` months after the last complete month on or
/// before `as_of`, per region and category, by `auto` with a 12-month season, in parallel.
pub fn sell_out_forecast(dataset: &Dataset, as_of: NaiveDate, horizon: usize) -> Result<Vec<DemandForecast>> {
    sell_out_forecast_of(dataset, &SellOutMonths::of(&dataset.pos_sales), as_of, horizon)
}

/// [`sell_out_forecast`] of the sell-out `months` (the records' or the live engine's).
pub(crate) fn sell_out_forecast_of(
    dataset: &Dataset,
    months: &SellOutMonths,
    as_of: NaiveDate,
    horizon: usize,
) -> Result<Vec<DemandForecast>> {
    let next = as_of.succ_opt().unwrap_or(as_of);
    let first_future = NaiveDate::from_ymd_opt(next.year(), next.month(), 1)
        .ok_or_else(|| OmoError::InvalidArgument { name: "as_of", message: "no month".into() })?;
    let last_month = Period::Month.number(first_future) - 1;
    let region: BTreeMap<&NodeId, &RegionId> =
        dataset.nodes.iter().filter_map(|n| Some((&n.id, n.region.as_ref()?))).collect();
    let category: BTreeMap<&ProductId, &CategoryId> = dataset.products.iter().map(|p| (&p.id, &p.category)).collect();
    type Key<'a> = (&'a RegionId, &'a CategoryId);
    let mut volume: BTreeMap<Key, BTreeMap<i64, (Decimal, Decimal)>> = BTreeMap::new();
    let read = first_period_read(Period::Month, last_month)..=last_month;
    for (node, product, month, sold) in months.months().filter(|(_, _, month, _)| read.contains(month)) {
        let (Some(r), Some(c)) = (region.get(node), category.get(product)) else { continue };
        let slot = volume.entry((r, c)).or_default().entry(month).or_default();
        slot.0 += sold.units;
        slot.1 += sold.revenue;
    }
    let first_month = volume.values().filter_map(|m| m.keys().next().copied()).min().unwrap_or(last_month);
    let keys: Vec<Key> = volume.keys().copied().collect();
    let series: Vec<(usize, Vec<f64>)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                i,
                (first_month..=last_month)
                    .map(|m| volume.get(k).and_then(|v| v.get(&m)).map_or(0.0, |x| x.0.to_f64().unwrap_or(0.0)))
                    .collect(),
            )
        })
        .collect();
    let options = ForecastOptions { season_length: 12, non_negative: true, ..ForecastOptions::new(horizon) };
    let forecasts = forecast_many(&series, Method::Auto, &options);
    let mut out = Vec::new();
    for ((key, months), result) in keys.iter().map(|k| (k, volume.get(k))).zip(forecasts) {
        let f = result?;
        let recent: Vec<&(Decimal, Decimal)> =
            months.map(|m| m.range(last_month - 11..=last_month).map(|(_, v)| v).collect()).unwrap_or_default();
        let (units, money) = recent.iter().fold((Decimal::ZERO, Decimal::ZERO), |(u, r), v| (u + v.0, r + v.1));
        let price = crate::model::exact::saturating_div(money, units);
        let revenue = revenue_forecast(&f.mean, &[price])?;
        for (step, (v, r)) in f.mean.iter().zip(revenue).enumerate() {
            let month_number = last_month + 1 + step as i64;
            let month = Period::Month.start_of_number(month_number).unwrap_or(first_future);
            let last_year = months.and_then(|m| m.get(&(month_number - 12))).copied().unwrap_or_default();
            out.push(DemandForecast {
                region: key.0.clone(),
                category: key.1.clone(),
                month,
                volume: *v,
                revenue: r,
                model: f.model.clone(),
                volume_last_year: last_year.0,
                revenue_last_year: last_year.1,
            });
        }
    }
    Ok(out)
}

/// Projected stock of `product` at `node` over the `horizon` months after `as_of`'s month: stock
/// on hand at `as_of`, no further receipts, and a forecast (by `auto`, 12-month season) of the
/// node's monthly sales of the product; the first stock-out month is flagged.
pub fn projected_stock_from_forecast(
    dataset: &Dataset,
    node: &NodeId,
    product: &ProductId,
    as_of: NaiveDate,
    horizon: usize,
) -> Result<Projection> {
    if dataset.node(node).is_none() {
        return Err(OmoError::UnknownId { kind: "node", id: node.to_string() });
    }
    let last_month = Period::Month.number(as_of);
    let read = first_period_read(Period::Month, last_month)..=last_month;
    let mut on_hand = Decimal::ZERO;
    let mut monthly: BTreeMap<i64, f64> = BTreeMap::new();
    for m in dataset.movements.iter().filter(|m| &m.node == node && &m.product == product && m.date <= as_of) {
        on_hand += m.stock_change();
        let month = Period::Month.number(m.date);
        if m.kind == MovementKind::Sale && read.contains(&month) {
            *monthly.entry(month).or_default() += m.quantity.to_f64().unwrap_or(0.0);
        }
    }
    let first = monthly.keys().next().copied().unwrap_or(last_month);
    let history: Vec<f64> = (first..=last_month).map(|k| monthly.get(&k).copied().unwrap_or(0.0)).collect();
    let f = forecast(
        &history,
        Method::Auto,
        &ForecastOptions { season_length: 12, non_negative: true, ..ForecastOptions::new(horizon) },
    )?;
    let demand: Vec<Decimal> = f.mean.iter().map(|v| Decimal::from_f64(*v).unwrap_or_default().round_dp(2)).collect();
    let start = as_of.checked_add_months(Months::new(1)).unwrap_or(as_of);
    project_stock(start, Period::Month, on_hand, &[], &demand, None)
}
