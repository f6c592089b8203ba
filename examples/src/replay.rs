//! A replay of a year of replenishment: the distributors' suggested orders made at each month's
//! start with only the data known then (`Dataset::until`), played against the demand that then
//! happened, once with the forecast-driven suggestions and once with the trailing-mean rule.
//!
//! Per distributor and product, from the stock it really had at the start of the year and no
//! orders in the pipeline: on the first of each month the suggestion of that day (its reorder
//! point and order-up-to level) is applied to the replayed position (stock plus what is on its
//! way), and the order, in the product's packs and at least its minimum, arrives after the lead
//! time. Each day the orders due arrive, then the day's real sales are served from stock; what
//! stock cannot serve is lost. Measured: fill rate (units served over units demanded), stock-out
//! days (pairs and days with demand left unserved), average closing stock in units and at
//! standard cost.

use chrono::{Datelike, Days, NaiveDate};
use omo_core::Dataset;
use omo_core::model::{MovementKind, NodeKind};
use omo_core::spi::{DemandBasis, PlanSettings, ReorderRule, Rounding, Trigger, suggest_orders};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;

/// The outcome of one replay.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayScore {
    /// Units served over units demanded.
    pub fill_rate: f64,
    /// Pairs and days with demand left unserved.
    pub stockout_days: usize,
    /// Mean closing stock over the pairs and days, in units.
    pub average_stock: f64,
    /// The same at standard cost.
    pub average_stock_value: f64,
    /// Orders placed.
    pub orders: usize,
}

type Pair = (String, String);

/// Replays the 12 months from `start` (a first of the month) with suggestions on `basis`, lead
/// time `lead_time_days`, a month between reviews. With `up_to_every_review`, each review orders
/// up to the suggestion's order-up-to level whenever the position is below it (the periodic
/// review policy) instead of waiting for its reorder point: to tell the basis's effect from the
/// policy's.
///
/// # Errors
/// The suggested orders' errors, as text.
pub fn replay(
    company: &Dataset,
    start: NaiveDate,
    basis: DemandBasis,
    lead_time_days: u32,
    up_to_every_review: bool,
) -> Result<ReplayScore, String> {
    let end = start.checked_add_months(chrono::Months::new(12)).ok_or("no end date")?;
    let distributors: Vec<&str> =
        company.nodes.iter().filter(|n| n.kind == NodeKind::Distributor).map(|n| n.id.as_str()).collect();
    let mut demand: BTreeMap<(Pair, NaiveDate), Decimal> = BTreeMap::new();
    let mut stock: BTreeMap<Pair, Decimal> = BTreeMap::new();
    for m in company.movements.iter().filter(|m| distributors.contains(&m.node.as_str())) {
        let pair = (m.node.to_string(), m.product.to_string());
        if m.date < start {
            *stock.entry(pair).or_default() += m.stock_change();
        } else if m.date < end && m.kind == MovementKind::Sale {
            *demand.entry((pair, m.date)).or_default() += m.quantity;
        }
    }
    for (pair, _) in demand.keys() {
        stock.entry(pair.clone()).or_default();
    }
    let cost: BTreeMap<String, Decimal> =
        company.products.iter().map(|p| (p.id.to_string(), p.standard_cost)).collect();
    let mut arriving: BTreeMap<(Pair, NaiveDate), Decimal> = BTreeMap::new();
    let (mut served, mut wanted, mut stockout_days, mut stock_sum, mut value_sum, mut samples, mut orders) =
        (0.0, 0.0, 0usize, 0.0, 0.0, 0usize, 0usize);
    let mut day = start;
    while day < end {
        if day.day() == 1 {
            let as_of = day - Days::new(1);
            let settings = PlanSettings { review_days: 30, lead_time_days, demand: basis, ..PlanSettings::new(as_of) };
            for s in suggest_orders(&company.until(as_of), &settings).map_err(|e| e.to_string())? {
                let pair = (s.node.to_string(), s.product.to_string());
                let product = company.products.iter().find(|p| p.id == s.product);
                let on_way: Decimal =
                    arriving.iter().filter(|((p, d), _)| p == &pair && *d >= day).map(|(_, q)| *q).sum();
                let position = *stock.entry(pair.clone()).or_default() + on_way;
                let rule = ReorderRule {
                    reorder_level: if up_to_every_review { s.order_up_to } else { s.reorder_point },
                    order_up_to: s.order_up_to,
                    minimum_quantity: product.map_or(Decimal::ZERO, |p| p.minimum_order),
                    trigger: Trigger::AtOrBelow,
                    multiple: product.map_or(Decimal::ONE, |p| p.pack_size),
                    rounding: Rounding::Up,
                };
                let quantity = rule.order_quantity(position);
                if quantity > Decimal::ZERO {
                    orders += 1;
                    *arriving.entry((pair, day + Days::new(u64::from(lead_time_days)))).or_default() += quantity;
                }
            }
        }
        let pairs: Vec<Pair> = stock.keys().cloned().collect();
        for pair in pairs {
            let on_hand = stock.entry(pair.clone()).or_default();
            *on_hand += arriving.remove(&(pair.clone(), day)).unwrap_or_default();
            let want = demand.get(&(pair.clone(), day)).copied().unwrap_or_default();
            let give = want.min((*on_hand).max(Decimal::ZERO));
            *on_hand -= give;
            served += give.to_f64().unwrap_or(0.0);
            wanted += want.to_f64().unwrap_or(0.0);
            stockout_days += usize::from(give < want);
            let units = on_hand.to_f64().unwrap_or(0.0);
            stock_sum += units;
            value_sum += units * cost.get(&pair.1).and_then(|c| c.to_f64()).unwrap_or(0.0);
            samples += 1;
        }
        day = day.succ_opt().ok_or("no next day")?;
    }
    let samples = samples.max(1) as f64;
    Ok(ReplayScore {
        fill_rate: if wanted > 0.0 { served / wanted } else { 1.0 },
        stockout_days,
        average_stock: stock_sum / samples,
        average_stock_value: value_sum / samples,
        orders,
    })
}
