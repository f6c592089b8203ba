//! Suggested orders per node and product: each node's inventory position (on hand, on order,
//! reserved for prepaid pickups), a reorder point and order-up-to level from its demand, and the
//! order that brings the position back up, in whole packs, each line saying why.
//!
//! The demand comes from one of two bases ([`DemandBasis`]):
//! - **the forecast** (有效備貨, the default): the textbook periodic-review order-up-to policy.
//!   The node's own demand forecast per month ([`crate::plan`]'s independent demand: a shop's POS
//!   sell-out, any other node's sales) summed over the lead time plus the review period (a month
//!   counted by its days), plus safety stock `z x sd x sqrt((L + R) / 30.4375)` from the
//!   forecast's own monthly error (the root mean square of its in-sample residuals), is the
//!   order-up-to level `S`; at each review the position is brought up to `S` (the reorder point is
//!   `S` too: an order placed now must last until the next review's order arrives);
//! - **the trailing mean**, the older rule kept for comparison: the mean and spread of the last
//!   `history_days` days of sales, a reorder point of the lead time's demand plus `z x sd x
//!   sqrt(L + R)` (days) and an order-up-to level of the lead time and review period's demand plus
//!   the same.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::formulas::{normal_quantile, probability};
use super::open_orders::open_order_quantities;
use super::rules::{InventoryPosition, ReorderRule, Rounding, Trigger};
use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::forecast::Method;
use crate::model::{MovementKind, NodeId, NodeKind, ProductId};
use crate::plan::{DemandModel, Horizon, independent_demand_with};
use crate::spi::{NodeFilter, Period, RecordFacts, StockFacts};

/// How suggested orders are computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSettings {
    /// The planning day.
    pub as_of: NaiveDate,
    /// Cycle service level for the safety stock, strictly between 0 and 1. Default 0.95.
    pub service_level: f64,
    /// Replenishment lead time in days. Default 7.
    pub lead_time_days: u32,
    /// Days between reviews (periodic review). Default 7.
    pub review_days: u32,
    /// Days of sales history behind the daily demand's mean and sd. Default 90.
    pub history_days: u32,
    /// Kinds of node to plan for. Default distributors.
    pub node_kinds: Vec<NodeKind>,
    /// Where the demand comes from. Default: the forecast, by `auto`.
    #[serde(default)]
    pub demand: DemandBasis,
}

/// Where suggested orders take their demand from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum DemandBasis {
    /// The node's monthly demand forecast by `method` (12-month season) and its error.
    Forecast {
        /// The forecasting method.
        method: Method,
    },
    /// The mean and spread of the last `history_days` days of sales.
    TrailingMean,
}

impl DemandBasis {
    /// The basis named `"forecast"` (by `auto`) or `"trailing_mean"`.
    ///
    /// ```
    /// use omo_core::spi::DemandBasis;
    /// assert_eq!(DemandBasis::from_name("trailing_mean")?, DemandBasis::TrailingMean);
    /// assert!(DemandBasis::from_name("guess").is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "forecast" => Ok(DemandBasis::default()),
            "trailing_mean" => Ok(DemandBasis::TrailingMean),
            other => Err(OmoError::InvalidArgument {
                name: "demand",
                message: format!("unknown basis {:?}: expected forecast or trailing_mean", crate::error::shown(other)),
            }),
        }
    }
}

impl Default for DemandBasis {
    fn default() -> Self {
        DemandBasis::Forecast { method: Method::Auto }
    }
}

impl PlanSettings {
    /// The defaults, planning on `as_of`.
    pub fn new(as_of: NaiveDate) -> Self {
        PlanSettings {
            as_of,
            service_level: 0.95,
            lead_time_days: 7,
            review_days: 7,
            history_days: 90,
            node_kinds: vec![NodeKind::Distributor],
            demand: DemandBasis::default(),
        }
    }
}

/// What to order for one node and product, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SuggestedOrder {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// On hand, on order and reserved.
    pub position: InventoryPosition,
    /// Mean daily demand over the history window.
    pub daily_demand: f64,
    /// Its standard deviation.
    pub daily_demand_sd: f64,
    /// Safety stock: `z sd sqrt(L + R)`.
    pub safety_stock: Decimal,
    /// Reorder point: mean demand over the lead time plus safety stock.
    pub reorder_point: Decimal,
    /// Order-up-to level: mean demand over lead time and review period plus safety stock.
    pub order_up_to: Decimal,
    /// The quantity to order: what brings the position up to the order-up-to level, at least the
    /// product's minimum order, in whole packs (zero when the position is above the reorder point).
    pub quantity: Decimal,
    /// Why, in words: the demand and its basis, the safety stock, the position against the
    /// reorder point, and the order.
    pub reason: String,
}

/// The demand of one node and product over the lead time and the whole cycle, and its safety
/// stock, on one basis.
struct Demand {
    over_lead: f64,
    over_cycle: f64,
    safety: f64,
    daily: f64,
    daily_sd: f64,
    basis: String,
}

/// Suggested orders for every node of the chosen kinds and every product it sold in the history
/// window, sorted by node and product; lines with nothing to order are included (quantity 0).
pub fn suggest_orders(dataset: &impl DatasetInput, settings: &PlanSettings) -> Result<Vec<SuggestedOrder>> {
    let dataset = dataset.checked_stock()?;
    suggest_orders_with(dataset, &RecordFacts::new(dataset, settings.as_of), settings, None)
}

/// [`suggest_orders`] with the stock on hand and the sales history read from `facts` (the
/// records' or the live engine's), for the one node `only` where it is given (of one of the
/// settings' kinds: the others' demand is not forecast).
pub(crate) fn suggest_orders_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    settings: &PlanSettings,
    only: Option<&NodeId>,
) -> Result<Vec<SuggestedOrder>> {
    let z = normal_quantile(probability("service_level", settings.service_level)?)?;
    if settings.history_days == 0 {
        return Err(OmoError::InvalidArgument { name: "history_days", message: "must be at least 1".into() });
    }
    // Asked once a node x product pair of the company: hashed with Fx, not SipHash.
    let nodes: FxHashSet<&NodeId> = dataset
        .nodes
        .iter()
        .filter(|n| settings.node_kinds.contains(&n.kind) && only.is_none_or(|id| &n.id == id))
        .map(|n| &n.id)
        .collect();
    let pack: FxHashMap<&ProductId, (Decimal, Decimal)> =
        dataset.products.iter().map(|p| (&p.id, (p.pack_size, p.minimum_order))).collect();
    let on_hand = facts.on_hand(NodeFilter::among(&nodes, &|_| true));
    let demand = match settings.demand {
        DemandBasis::TrailingMean => trailing_demand(dataset, settings, &nodes, z),
        DemandBasis::Forecast { method } => forecast_demand((dataset, facts), settings, &nodes, z, method)?,
    };
    let on_order = open_order_quantities(dataset, &nodes, settings.as_of, facts.open_orders());
    let reserved = prepaid_reservations(dataset, &nodes, settings.as_of);
    let to_decimal = |x: f64| Decimal::from_f64(x).unwrap_or_default().round_dp(2);
    let mut out = Vec::new();
    for ((node, product), d) in demand {
        let on_hand = on_hand.get(&(node.clone(), product.clone())).copied().unwrap_or_default();
        let (node, product) = (&node, &product);
        let (reorder_point, order_up_to) = (to_decimal(d.over_lead + d.safety), to_decimal(d.over_cycle + d.safety));
        let position = InventoryPosition {
            on_hand,
            on_order: on_order.get(&(node, product)).copied().unwrap_or_default(),
            reserved: reserved.get(&(node, product)).copied().unwrap_or_default(),
            ..InventoryPosition::default()
        };
        let (pack_size, minimum_order) = pack.get(product).copied().unwrap_or((Decimal::ONE, Decimal::ZERO));
        let rule = ReorderRule {
            reorder_level: reorder_point,
            order_up_to,
            minimum_quantity: minimum_order,
            trigger: Trigger::AtOrBelow,
            multiple: pack_size,
            rounding: Rounding::Up,
        };
        let quantity = rule.order_quantity(position.projected());
        let reason = format!(
            "{}; safety stock {} for {:.0} % service; position {} {} the reorder point {}: {}",
            d.basis,
            to_decimal(d.safety),
            settings.service_level * 100.0,
            position.projected(),
            if position.projected() <= reorder_point { "at or below" } else { "above" },
            reorder_point,
            if quantity.is_zero() {
                "nothing to order".to_owned()
            } else {
                format!("order {quantity} up to {order_up_to} (packs of {pack_size}, at least {minimum_order})")
            },
        );
        out.push(SuggestedOrder {
            node: node.clone(),
            product: product.clone(),
            quantity,
            position,
            daily_demand: d.daily,
            daily_demand_sd: d.daily_sd,
            safety_stock: to_decimal(d.safety),
            reorder_point,
            order_up_to,
            reason,
        });
    }
    out.sort_by(|a, b| (&a.node, &a.product).cmp(&(&b.node, &b.product)));
    Ok(out)
}

/// The trailing-mean basis: each pair that sold in the last `history_days` days.
fn trailing_demand(
    dataset: &Dataset,
    settings: &PlanSettings,
    nodes: &FxHashSet<&NodeId>,
    z: f64,
) -> BTreeMap<(NodeId, ProductId), Demand> {
    let start = crate::kpi::days_before(settings.as_of, u64::from(settings.history_days));
    // Days in date order, so that the float sums (and the safety stock rounded from them) are the
    // same on every run.
    let mut daily: BTreeMap<(&NodeId, &ProductId), BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for m in dataset.movements.iter().filter(|m| {
        nodes.contains(&m.node) && m.kind == MovementKind::Sale && m.date > start && m.date <= settings.as_of
    }) {
        *daily.entry((&m.node, &m.product)).or_default().entry(m.date).or_default() +=
            m.quantity.to_f64().unwrap_or(0.0);
    }
    let (lead, cycle) = (f64::from(settings.lead_time_days), f64::from(settings.lead_time_days + settings.review_days));
    let days = f64::from(settings.history_days);
    daily
        .into_iter()
        .map(|(key, sales)| {
            let mean = sales.values().sum::<f64>() / days;
            let variance = (sales.values().map(|q| (q - mean) * (q - mean)).sum::<f64>()
                + (days - sales.len() as f64) * mean * mean)
                / days;
            let sd = variance.max(0.0).sqrt();
            let basis = format!(
                "trailing mean {mean:.2} a day (sd {sd:.2}) over the last {} days: {:.2} over the {} days of lead time and review",
                settings.history_days,
                mean * cycle,
                settings.lead_time_days + settings.review_days
            );
            let d = Demand { over_lead: mean * lead, over_cycle: mean * cycle, safety: z * sd * cycle.sqrt(), daily: mean, daily_sd: sd, basis };
            ((key.0.clone(), key.1.clone()), d)
        })
        .collect()
}

/// The forecast basis: each pair with any demand in its history, forecast by month.
fn forecast_demand(
    (dataset, facts): (&Dataset, &dyn StockFacts),
    settings: &PlanSettings,
    nodes: &FxHashSet<&NodeId>,
    z: f64,
    method: Method,
) -> Result<BTreeMap<(NodeId, ProductId), Demand>> {
    const MONTH_DAYS: f64 = 30.4375;
    let cycle = settings.lead_time_days + settings.review_days;
    let months = (f64::from(cycle) / 28.0).ceil() as usize + 1;
    let horizon = Horizon::after(settings.as_of, Period::Month, months)?;
    let model = DemandModel { method, season_length: 12 };
    let forecasts = independent_demand_with(dataset, facts, &horizon, model, (nodes, &FxHashSet::default()))?;
    let mut out = BTreeMap::new();
    for (key, f) in forecasts {
        let over = |days: u32| horizon.demand_within(&f.forecast, days);
        // Periodic review: the position must last until the next review's order arrives.
        let over_cycle = over(cycle);
        let safety = z * f.error_sd * (f64::from(cycle) / MONTH_DAYS).sqrt();
        let basis = format!(
            "forecast {over_cycle:.2} over the {cycle} days of lead time and review ({}, monthly error sd {:.2})",
            f.model, f.error_sd
        );
        let daily = if cycle == 0 { 0.0 } else { over_cycle / f64::from(cycle) };
        out.insert(
            key,
            Demand {
                over_lead: over_cycle,
                over_cycle,
                safety,
                daily,
                daily_sd: f.error_sd / MONTH_DAYS.sqrt(),
                basis,
            },
        );
    }
    Ok(out)
}

/// Units of prepaid pre-season orders still to be picked up, at the node holding them.
fn prepaid_reservations<'a>(
    dataset: &'a Dataset,
    nodes: &FxHashSet<&'a NodeId>,
    as_of: NaiveDate,
) -> FxHashMap<(&'a NodeId, &'a ProductId), Decimal> {
    let mut reserved = FxHashMap::default();
    for order in dataset
        .prepaid_orders
        .iter()
        .filter(|o| nodes.contains(&o.reserve_at) && o.order_date <= as_of && o.pickup_until >= as_of)
    {
        for line in &order.lines {
            *reserved.entry((&order.reserve_at, &line.product)).or_default() += order.reserved(&line.product);
        }
    }
    reserved
}
