//! The independent demand of every node and product, forecast per future period, with the
//! forecast's own error: what the channel plan and the suggested orders start from.
//!
//! A shop's (retailer's) demand is its sell-out, the POS sales. A node that supplies other planned
//! nodes has as independent demand only the orders of customers that are not planned nodes
//! (enterprise farms, a government buyer) shipping from it, by order date, cancelled ones left
//! out: what it sells to the nodes it supplies is dependent demand, planned from their own
//! records. Any other node's independent demand is all it sells: its sale movements.

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::forecast::{ForecastOptions, Method, forecast};
use crate::model::{CustomerId, NodeId, NodeKind, OrderStatus, ProductId};
use crate::spi::Period;
use crate::spi::{NodeFilter, RecordFacts, StockFacts, UnitsByPeriod};

/// The planning periods: the first is the one holding the day after `as_of` (the rest of it when
/// `as_of` falls inside it), then `horizon - 1` whole periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Horizon {
    /// Weeks or months.
    pub period: Period,
    /// The number of the first period (as [`Period::number`] counts).
    pub first: i64,
    /// The first day of each period.
    pub starts: Vec<NaiveDate>,
    /// The share of the first period still ahead (1 when the plan starts on its first day).
    pub first_share: f64,
}

impl Horizon {
    /// The periods after `as_of`.
    ///
    /// # Errors
    /// [`OmoError::InvalidArgument`] for a period other than weeks or months, or a horizon of 0.
    pub fn after(as_of: NaiveDate, period: Period, horizon: usize) -> Result<Self> {
        if !matches!(period, Period::Week | Period::Month) {
            return Err(invalid("period", format!("plans are made by week or by month, not by {}", period.as_str())));
        }
        if horizon == 0 {
            return Err(invalid("horizon", "must be at least one period"));
        }
        let start = as_of.succ_opt().ok_or_else(|| invalid("as_of", "is the last day chrono knows"))?;
        let first = period.number(start);
        let starts: Vec<NaiveDate> =
            (0..horizon as i64).map(|k| period.start_of_number(first + k)).collect::<Option<_>>().ok_or_else(|| {
                invalid("horizon", format!("{horizon} periods after {as_of} run past the last day chrono knows"))
            })?;
        let first_start = starts[0];
        let days = f64::from(period.days_in(first_start));
        let ahead = (first_start - start).num_days() as f64 + days;
        Ok(Horizon { period, first, starts, first_share: (ahead / days).clamp(0.0, 1.0) })
    }

    /// The number of periods.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True for no periods (never, for a horizon built by [`Horizon::after`]).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The index in the plan of the period holding `day`: days before the plan fall in the first
    /// period, days after it in none.
    pub fn index_of(&self, day: NaiveDate) -> Option<usize> {
        let k = self.period.number(day) - self.first;
        if k >= self.len() as i64 { None } else { Some(k.max(0) as usize) }
    }

    /// A lead time in days as whole periods: divided by the period's nominal length (7 days or
    /// 30), rounded to the nearest period, halves up.
    pub fn periods_of(&self, days: u32) -> usize {
        let nominal = if self.period == Period::Week { 7 } else { 30 };
        ((days + nominal / 2) / nominal) as usize
    }

    /// Demand over the `days` after the plan's start, from `per_period` demand (the first period's
    /// already scaled to its share ahead): whole periods while they fit, then the share of the
    /// next one its days cover.
    pub fn demand_within(&self, per_period: &[Decimal], days: u32) -> f64 {
        let mut left = f64::from(days);
        let mut total = 0.0;
        for (t, q) in per_period.iter().enumerate() {
            let span = self.days_of(t);
            if left <= 0.0 || span <= 0.0 {
                break;
            }
            let q = q.to_f64().unwrap_or(0.0);
            total += if left >= span { q } else { q * left / span };
            left -= span;
        }
        total
    }

    /// The nominal days of period `index` (its calendar days; the first only its share).
    pub fn days_of(&self, index: usize) -> f64 {
        let days = self.starts.get(index).map_or(0.0, |s| f64::from(self.period.days_in(*s)));
        if index == 0 { days * self.first_share } else { days }
    }
}

/// The forecast independent demand of one node and product.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeDemand {
    /// Forecast units per plan period (the first scaled to its share still ahead).
    pub forecast: Vec<Decimal>,
    /// The standard deviation of the forecast's one-period errors: the root mean square of the
    /// in-sample residuals (history less fitted values) over the periods the model fitted.
    pub error_sd: f64,
    /// The model that made the forecast.
    pub model: String,
}

/// How the independent demand is forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandModel {
    /// The forecasting method (`auto` by default).
    pub method: Method,
    /// Periods in a season (12 for months, 52 for weeks by default).
    pub season_length: usize,
}

/// Each planned node's independent demand history per period before the plan, per product, then
/// forecast over the horizon by `model` (in parallel). Pairs whose history holds no demand at all
/// are left out. `suppliers` are the planned nodes that supply other planned nodes.
///
/// # Errors
/// [`OmoError::InSeries`] naming the node and product whose forecast failed.
pub fn independent_demand(
    dataset: &Dataset,
    horizon: &Horizon,
    model: DemandModel,
    planned: &HashSet<&NodeId>,
    suppliers: &HashSet<&NodeId>,
) -> Result<BTreeMap<(NodeId, ProductId), NodeDemand>> {
    let facts = RecordFacts::new(dataset, dataset.as_of);
    independent_demand_with(dataset, &facts, horizon, model, (planned, suppliers))
}

/// [`independent_demand`] with the POS and sales history read from `facts` (the records' or the
/// live engine's).
pub(crate) fn independent_demand_with<S: BuildHasher, T: BuildHasher>(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    horizon: &Horizon,
    model: DemandModel,
    (planned, suppliers): (&HashSet<&NodeId, S>, &HashSet<&NodeId, T>),
) -> Result<BTreeMap<(NodeId, ProductId), NodeDemand>> {
    let last = horizon.first - 1;
    let period = horizon.period;
    // Asked once a node x product pair of the company: hashed with Fx, not SipHash.
    let retailers: FxHashSet<&NodeId> =
        dataset.nodes.iter().filter(|n| n.kind == NodeKind::Retailer).map(|n| &n.id).collect();
    let listed: FxHashSet<&NodeId> = planned.iter().copied().collect();
    let mut history = facts.pos_units(period, last, NodeFilter::among(&listed, &|n| retailers.contains(n)))?;
    let sold = facts.sale_units(
        period,
        last,
        NodeFilter::among(&listed, &|n| !retailers.contains(n) && !suppliers.contains(n)),
    )?;
    for (pair, periods) in sold {
        let slot = history.entry(pair).or_default();
        for (k, units) in periods.iter() {
            slot.add(k, units);
        }
    }
    add_supplier_orders(dataset, (planned, suppliers), (period, last), &mut history);
    // The series start at the first period with units of the last years a forecast reads; a
    // pair with none there is not forecast.
    let read = crate::forecast::first_period_read(period, last);
    let mut first: Option<i64> = None;
    history.retain(|_, h| {
        let own = h.first_from(read);
        if let Some(k) = own {
            first = Some(first.map_or(k, |f| f.min(k)));
        }
        own.is_some()
    });
    let Some(first) = first else {
        return Ok(BTreeMap::new());
    };
    let options = ForecastOptions {
        season_length: model.season_length,
        non_negative: true,
        ..ForecastOptions::new(horizon.len())
    };
    // The history is consumed as the series are built: the two are never held whole together.
    let series: Vec<((NodeId, ProductId), Vec<f64>)> = history
        .into_iter()
        .map(|(key, h)| {
            let values = (first..=last).map(|k| h.get(k).to_f64().unwrap_or(0.0)).collect();
            (key, values)
        })
        .collect();
    // Each series is dropped once forecast: the histories and the forecasts are never held
    // whole together either.
    series
        .into_par_iter()
        .map(|((node, product), y)| {
            let f = forecast(&y, model.method, &options).map_err(|e| OmoError::InSeries {
                series: format!("node {node}, product {product}"),
                source: Box::new(e),
            })?;
            let scaled = f.mean.iter().enumerate().map(|(i, v)| if i == 0 { v * horizon.first_share } else { *v });
            let demand = NodeDemand {
                forecast: scaled.map(|v| Decimal::from_f64(v.max(0.0)).unwrap_or_default().round_dp(2)).collect(),
                error_sd: residual_sd(&y, &f.fitted),
                model: f.model,
            };
            Ok(((node, product), demand))
        })
        .collect()
}

/// Adds to `history` the demand on the planned `suppliers` (OEM suppliers, plants) from the
/// orders shipped from them up to period number `last`, but those of the planned nodes' own
/// buyers (their demand is planned at those nodes). With no supplier planned (an alert's
/// reorder lines plan one node) neither the customers nor the orders are read.
fn add_supplier_orders<S: BuildHasher, T: BuildHasher>(
    dataset: &Dataset,
    (planned, suppliers): (&HashSet<&NodeId, S>, &HashSet<&NodeId, T>),
    (period, last): (Period, i64),
    history: &mut UnitsByPeriod,
) {
    if suppliers.is_empty() {
        return;
    }
    let planned_buyer: HashSet<&CustomerId> = dataset
        .customers
        .iter()
        .filter(|c| c.node.as_ref().is_some_and(|n| planned.contains(n)))
        .map(|c| &c.id)
        .collect();
    for order in dataset.orders.iter().filter(|o| {
        suppliers.contains(&o.ship_from) && o.status != OrderStatus::Cancelled && !planned_buyer.contains(&o.customer)
    }) {
        let k = period.number(order.order_date);
        if k <= last {
            for line in &order.lines {
                let pair = (order.ship_from.clone(), line.product.clone());
                history.entry(pair).or_default().add(k, line.quantity);
            }
        }
    }
}

/// The root mean square of `actual - fitted` over the periods with a finite fitted value; the
/// history's own standard deviation when the model gave no fitted values.
fn residual_sd(actual: &[f64], fitted: &[f64]) -> f64 {
    let errors: Vec<f64> = actual.iter().zip(fitted).filter(|(_, f)| f.is_finite()).map(|(a, f)| a - f).collect();
    if errors.is_empty() {
        let mean = actual.iter().sum::<f64>() / actual.len().max(1) as f64;
        return (actual.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / actual.len().max(1) as f64).sqrt();
    }
    (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt()
}

fn invalid(name: &'static str, message: impl Into<String>) -> OmoError {
    OmoError::InvalidArgument { name, message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_plan_made_mid_month_starts_with_the_rest_of_it() -> Result<()> {
        // Planned at the end of 10 April: 20 of April's 30 days are still ahead.
        let h = Horizon::after(day(2026, 4, 10), Period::Month, 3)?;
        assert_eq!(h.starts, [day(2026, 4, 1), day(2026, 5, 1), day(2026, 6, 1)]);
        assert!((h.first_share - 20.0 / 30.0).abs() < 1e-12);
        assert_eq!(h.index_of(day(2026, 3, 2)), Some(0));
        assert_eq!(h.index_of(day(2026, 6, 30)), Some(2));
        assert_eq!(h.index_of(day(2026, 7, 1)), None);
        let whole = Horizon::after(day(2026, 3, 31), Period::Month, 1)?;
        assert_eq!((whole.starts[0], whole.first_share), (day(2026, 4, 1), 1.0));
        Ok(())
    }

    #[test]
    fn lead_times_round_to_the_nearest_period() -> Result<()> {
        let months = Horizon::after(day(2026, 3, 31), Period::Month, 6)?;
        assert_eq!([0, 14, 15, 44, 45, 60].map(|d| months.periods_of(d)), [0, 0, 1, 1, 2, 2]);
        let weeks = Horizon::after(day(2026, 3, 31), Period::Week, 6)?;
        assert_eq!([3, 4, 7, 10, 11].map(|d| weeks.periods_of(d)), [0, 1, 1, 1, 2]);
        assert!(Horizon::after(day(2026, 3, 31), Period::Day, 6).is_err());
        assert!(Horizon::after(day(2026, 3, 31), Period::Month, 0).is_err());
        Ok(())
    }

    #[test]
    fn residuals_give_the_error_sd() {
        assert!((residual_sd(&[10.0, 12.0, 8.0], &[f64::NAN, 10.0, 10.0]) - 2.0).abs() < 1e-12);
        assert!((residual_sd(&[1.0, 3.0], &[]) - 1.0).abs() < 1e-12);
    }
}
