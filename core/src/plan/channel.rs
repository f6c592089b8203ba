//! The channel plan (distribution requirements planning, DRP): from each shop's sell-out forecast,
//! every tier's planned orders up the chain — shop, distributor, plant — each by its own policy
//! and lead time, with stock on hand and open orders as scheduled receipts.
//!
//! For each planned node and product, per future period:
//! - **independent demand**: the node's own forecast (shops: POS sell-out; nodes supplying other
//!   planned nodes: the orders of customers that are not planned nodes), see [`super::demand`];
//! - **confirmed demand** consumes the forecast: open, unshipped orders of such customers due in
//!   the period (by requested date, else order date), and their prepaid units still to be picked
//!   up (in the period of the last pickup day). The period's independent requirement is **the
//!   greater of the forecast and the confirmed demand** — the usual rule inside the demand time
//!   fence;
//! - **dependent demand**: the planned order releases of the nodes it supplies, and their open
//!   orders on it not yet shipped (in the period they must ship: their due period less the
//!   ordering node's lead time) and their prepaid units it still holds for them;
//! - **scheduled receipts**: goods in transit to the node (at their promised date), its open orders
//!   not yet shipped (at their requested date, else order date plus its lead time), prepaid units
//!   held for it upstream (at the last pickup day); at the plant,
//!   open production orders (at their due date, less output already made) and open purchase orders
//!   of finished products (at their promised date);
//! - **on hand** at the plan's start; the plant's includes our stock consigned at OEM suppliers;
//! - the textbook MRP record ([`mrp_record`]): safety stock, periods-of-supply lot sizing over the
//!   tier's review periods, the tier's lead time in periods, and the product's pack and minimum
//!   order where the tier buys in packs.
//!
//! Nodes are supplied by their parent in the chain; a node under the manufacturer itself (a
//! distributor) is supplied by the plan's source plant. Plants and OEM suppliers are the top:
//! their planned orders are what production or the OEM must deliver (the supply plan's demand).
//!
//! The safety stock of a node covers the forecast error over its lead time and review period:
//! `z(service level) x sd x sqrt(lead + review)` (in periods), where `sd` pools the node's own
//! one-period forecast error with those of the nodes it supplies (`sd^2 = own^2 + sum child^2`,
//! errors taken as independent).

use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::demand::{DemandModel, Horizon, NodeDemand, independent_demand_with};
use super::mrp::{LotSizing, MrpInput, OrderModifiers, mrp_record};
use super::rows::PlanRows;
use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::forecast::Method;
use crate::model::{Item, Node, NodeId, NodeKind, OrderStatus, ProductId, ProductionStatus, SupplierKind};
use crate::spi::{NodeFilter, Period, RecordFacts, StockFacts, safety_stock};

/// How one tier of the chain plans its orders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierPolicy {
    /// The kind of node it applies to.
    pub kind: NodeKind,
    /// Days from placing an order to receiving it (at the plant: from releasing production to
    /// finished goods).
    pub lead_time_days: u32,
    /// Periods between orders: each planned order covers this many periods (at least 1).
    pub review_periods: usize,
    /// Cycle service level of the safety stock, strictly between 0 and 1.
    pub service_level: f64,
    /// Orders come in the product's packs and at least its minimum order.
    pub packs: bool,
    /// Closing stock lasting longer than this many days is overstock.
    pub max_days_of_cover: u32,
}

/// What a channel plan is made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSettings {
    /// The planning day: stock and orders as they stand at its end.
    pub as_of: NaiveDate,
    /// Weeks or months.
    pub period: Period,
    /// Periods ahead.
    pub horizon: usize,
    /// The forecasting method of the independent demand.
    pub method: Method,
    /// Periods in a season.
    pub season_length: usize,
    /// One policy per kind of node planned; nodes of other kinds are not planned.
    pub policies: Vec<TierPolicy>,
    /// The plant supplying nodes that sit directly under the manufacturer; `None`: the only plant.
    pub source: Option<NodeId>,
}

impl ChannelSettings {
    /// Monthly, six months ahead, `auto` with a 12-month season; shops order weekly-delivered
    /// stock (lead 7 days) with no packs, distributors whole packs (lead 14 days), the plant
    /// plans production a month at a time (lead 10 days); 95 % service everywhere; overstock
    /// beyond 60 days of cover at a shop, 90 at a distributor, 120 at the plant.
    pub fn new(as_of: NaiveDate) -> Self {
        let tier = |kind, lead_time_days, packs, max_days_of_cover| TierPolicy {
            kind,
            lead_time_days,
            review_periods: 1,
            service_level: 0.95,
            packs,
            max_days_of_cover,
        };
        ChannelSettings {
            as_of,
            period: Period::Month,
            horizon: 6,
            method: Method::Auto,
            season_length: 12,
            policies: vec![
                tier(NodeKind::Retailer, 7, false, 60),
                tier(NodeKind::Distributor, 14, true, 90),
                tier(NodeKind::Plant, 10, false, 120),
            ],
            source: None,
        }
    }

    /// The defaults of [`ChannelSettings::new`], planned by `period` (weeks or months) with a
    /// season of a year of them.
    pub fn by(as_of: NaiveDate, period: Period, horizon: usize) -> Self {
        ChannelSettings { period, horizon, season_length: period.per_year() as usize, ..ChannelSettings::new(as_of) }
    }

    fn policy(&self, kind: NodeKind) -> Option<&TierPolicy> {
        self.policies.iter().find(|p| p.kind == kind)
    }
}

/// One future period of one node and product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record), uniffi(name = "PlanRow"))]
pub struct ChannelRow {
    /// First day of the period.
    pub period: NaiveDate,
    /// Forecast independent demand.
    pub forecast: Decimal,
    /// Confirmed independent demand (open orders of direct customers, prepaid pickups).
    pub confirmed: Decimal,
    /// Demand of the nodes it supplies: their planned releases and unshipped open orders.
    pub dependent: Decimal,
    /// `max(forecast, confirmed) + dependent`.
    pub gross: Decimal,
    /// Open orders, transit, production and purchases due in the period.
    pub scheduled_receipts: Decimal,
    /// Planned orders arriving in the period.
    pub planned_receipts: Decimal,
    /// Planned orders to place in the period.
    pub planned_releases: Decimal,
    /// Stock at the period's end, with every planned order arriving as planned.
    pub closing: Decimal,
    /// Days the closing stock lasts at the following periods' gross requirements (beyond the
    /// horizon at the horizon's mean daily requirement); `None` when nothing more is required.
    pub days_of_cover: Option<f64>,
    /// The stock runs out: closing stock without the planned orders that are already too late
    /// to place (past due) is below zero.
    pub stockout: bool,
    /// The closing stock lasts longer than the tier's maximum days of cover.
    pub overstock: bool,
}

/// The plan of one node and product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NodePlan {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// The node's kind (its tier).
    pub kind: NodeKind,
    /// The node that supplies it in the plan (`None` at the top).
    pub supplied_from: Option<NodeId>,
    /// Stock on hand at the start.
    pub on_hand: Decimal,
    /// Safety stock kept at every period's end.
    pub safety_stock: Decimal,
    /// Lead time in periods.
    pub lead_time: usize,
    /// The forecasting model of its independent demand, if it has any.
    pub model: Option<String>,
    /// Planned orders that should have been placed before the first period.
    pub past_due: Decimal,
    /// The first period whose stock runs out.
    pub first_stockout: Option<NaiveDate>,
    /// The periods with overstock.
    pub overstock: Vec<NaiveDate>,
    /// One row per period.
    pub rows: PlanRows,
}

/// A channel plan: every planned node and product, sorted by node and product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelPlan {
    /// The first day of each period.
    pub periods: Vec<NaiveDate>,
    /// The records.
    pub nodes: Vec<NodePlan>,
}

impl ChannelPlan {
    /// The record of `node` and `product`, if planned.
    pub fn get(&self, node: &NodeId, product: &ProductId) -> Option<&NodePlan> {
        self.nodes.iter().find(|p| &p.node == node && &p.product == product)
    }

    /// What the top of the chain (plants, OEM suppliers) must supply: per product, its planned
    /// receipts per period summed over the top nodes, with past-due orders added to the first.
    pub fn top_requirements(&self) -> BTreeMap<ProductId, Vec<Decimal>> {
        let mut out: BTreeMap<ProductId, Vec<Decimal>> = BTreeMap::new();
        for plan in self.nodes.iter().filter(|p| p.supplied_from.is_none()) {
            let row = out.entry(plan.product.clone()).or_insert_with(|| vec![Decimal::ZERO; self.periods.len()]);
            for (slot, r) in row.iter_mut().zip(plan.rows.iter()) {
                *slot += r.planned_receipts;
            }
        }
        out
    }
}

/// The channel plan of `dataset` (see the [module](self) for the rules).
///
/// # Errors
/// [`OmoError::InvalidArgument`] for settings out of range, a lead time that is not shorter than
/// the horizon (naming the tier), no plant to supply the distributors, or an unknown source;
/// [`OmoError::InSeries`] naming the node and product whose forecast failed; the dataset's stock
/// issues when its movements do not validate.
pub fn channel_plan(dataset: &impl DatasetInput, settings: &ChannelSettings) -> Result<ChannelPlan> {
    let dataset = dataset.checked_stock()?;
    channel_plan_with(dataset, &RecordFacts::new(dataset, settings.as_of), settings)
}

/// [`channel_plan`] with the stock and sales read from `facts` (the records' or the live
/// engine's, on `settings.as_of`).
pub(crate) fn channel_plan_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    settings: &ChannelSettings,
) -> Result<ChannelPlan> {
    let horizon = Horizon::after(settings.as_of, settings.period, settings.horizon)?;
    let chain = Chain::of(dataset, settings)?;
    let planned: FxHashSet<&NodeId> = chain.order.iter().collect();
    let suppliers: FxHashSet<&NodeId> = chain.supplier.values().collect();
    let model = DemandModel { method: settings.method, season_length: settings.season_length };
    let demand = independent_demand_with(dataset, facts, &horizon, model, (&planned, &suppliers))?;
    channel_plan_of_with(dataset, facts, settings, Cow::Owned(demand))
}

/// The channel plan of `dataset` from independent demand already forecast (one
/// [`NodeDemand`] per node and product, as [`super::independent_demand`] makes them, each with one
/// quantity per period of the horizon): the plan without its forecasting step, for a forecast
/// made elsewhere (or in advance, for many plans).
///
/// # Errors
/// Those of [`channel_plan`], and [`OmoError::InvalidArgument`] for a forecast of another length
/// than the horizon.
pub fn channel_plan_of(
    dataset: &Dataset,
    settings: &ChannelSettings,
    demand: &BTreeMap<(NodeId, ProductId), NodeDemand>,
) -> Result<ChannelPlan> {
    channel_plan_of_with(dataset, &RecordFacts::new(dataset, settings.as_of), settings, Cow::Borrowed(demand))
}

/// The forecasts a plan is made from: its own, each taken out of the map as its node and product
/// is planned (moved into the plan, the map's nodes freed as they empty), or a caller's, copied.
type Demand<'a> = Cow<'a, BTreeMap<(NodeId, ProductId), NodeDemand>>;

/// The forecast of `key`, taken out of `demand` when the plan owns it.
fn take_demand(demand: &mut Demand<'_>, key: &(NodeId, ProductId)) -> Option<NodeDemand> {
    match demand {
        Cow::Owned(map) => map.remove(key),
        Cow::Borrowed(map) => map.get(key).cloned(),
    }
}

/// [`channel_plan_of`] with the stock read from `facts`.
fn channel_plan_of_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    settings: &ChannelSettings,
    mut demand: Demand<'_>,
) -> Result<ChannelPlan> {
    let horizon = Horizon::after(settings.as_of, settings.period, settings.horizon)?;
    check_policies(settings, &horizon)?;
    if let Some(((node, product), d)) = demand.iter().find(|(_, d)| d.forecast.len() != horizon.len()) {
        return Err(invalid(
            "demand",
            format!(
                "node {node}, product {product}: {} periods of forecast for a {}-period horizon",
                d.forecast.len(),
                horizon.len()
            ),
        ));
    }
    let chain = Chain::of(dataset, settings)?;
    let facts = Facts::gather(dataset, facts, settings, &horizon, &chain)?;

    let mut dependent: HashMap<(NodeId, ProductId), Vec<Decimal>> = facts.allocated.clone();
    let mut products = facts.products(&demand);
    let mut pooled_variance: HashMap<(NodeId, ProductId), f64> = HashMap::new();
    let mut out = Vec::new();
    // A level's nodes supply none of each other: their records are planned in parallel, then
    // passed up in the order a sequential walk would (the same sums, to the last bit).
    for level in chain.levels() {
        let size = level.iter().map(|node| products.get(node).map_or(0, BTreeSet::len)).sum();
        let mut jobs = Vec::with_capacity(size);
        for node in level {
            let kind = chain.kind[node];
            let policy =
                settings.policy(kind).ok_or_else(|| invalid("policies", format!("no policy for {kind:?} nodes")))?;
            for product in products.remove(node).unwrap_or_default() {
                let key = (node.clone(), product);
                let own = take_demand(&mut demand, &key);
                let variance = pooled_variance.get(&key).copied().unwrap_or(0.0)
                    + own.as_ref().map_or(0.0, |d| d.error_sd.powi(2));
                jobs.push((policy, key, own, variance));
            }
        }
        let plans: Vec<Result<NodePlan>> = jobs
            .par_iter_mut()
            .map(|(policy, key, own, variance)| {
                let up = chain.supplier.get(&key.0).cloned();
                plan_one(dataset, &horizon, policy, key, up, own.take(), &facts, dependent.get(key).cloned(), *variance)
            })
            .collect();
        // The first failure in the level's order; collected in place (no second buffer of the
        // shops' plans, some 600,000 at the articles' size).
        let plans: Vec<NodePlan> = plans.into_iter().collect::<Result<_>>()?;
        for ((_, key, _, variance), plan) in jobs.into_iter().zip(&plans) {
            if let Some(up) = &plan.supplied_from {
                let up_key = (up.clone(), key.1.clone());
                let slots = dependent.entry(up_key.clone()).or_insert_with(|| vec![Decimal::ZERO; horizon.len()]);
                slots[0] += plan.past_due;
                for (slot, row) in slots.iter_mut().zip(plan.rows.iter()) {
                    *slot += row.planned_releases;
                }
                *pooled_variance.entry(up_key).or_default() += variance;
                products.entry(up.clone()).or_default().insert(key.1.clone());
            }
        }
        if out.is_empty() {
            out = plans;
        } else {
            out.extend(plans);
        }
    }
    // Each node and product is planned once: an unstable sort gives the same order, without
    // a stable sort's buffer of half the plans.
    out.sort_unstable_by(|a, b| (&a.node, &a.product).cmp(&(&b.node, &b.product)));
    Ok(ChannelPlan { periods: horizon.starts.clone(), nodes: out })
}

fn check_policies(settings: &ChannelSettings, horizon: &Horizon) -> Result<()> {
    for p in &settings.policies {
        crate::spi::normal_quantile(p.service_level).map_err(|_| {
            invalid(
                "service_level",
                format!("{:?}: must lie strictly between 0 and 1, got {}", p.kind, p.service_level),
            )
        })?;
        if p.review_periods == 0 {
            return Err(invalid("review_periods", format!("{:?}: must be at least 1", p.kind)));
        }
        let lead = horizon.periods_of(p.lead_time_days);
        if lead >= horizon.len() {
            return Err(invalid(
                "lead_time_days",
                format!(
                    "{:?}: {} days is {lead} period(s), not shorter than the {}-period horizon: every order would be past due",
                    p.kind,
                    p.lead_time_days,
                    horizon.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Plans one node and product.
#[allow(clippy::too_many_arguments)]
fn plan_one(
    dataset: &Dataset,
    horizon: &Horizon,
    policy: &TierPolicy,
    key: &(NodeId, ProductId),
    supplied_from: Option<NodeId>,
    own: Option<NodeDemand>,
    facts: &Facts,
    dependent: Option<Vec<Decimal>>,
    variance: f64,
) -> Result<NodePlan> {
    let n = horizon.len();
    let zeros = || vec![Decimal::ZERO; n];
    let (forecast, model) = own.map_or_else(|| (zeros(), None), |d| (d.forecast, Some(d.model)));
    let confirmed = facts.confirmed.get(key).cloned().unwrap_or_else(zeros);
    let dependent = dependent.unwrap_or_else(zeros);
    let scheduled = facts.scheduled.get(key).cloned().unwrap_or_else(zeros);
    let gross: Vec<Decimal> = (0..n).map(|t| forecast[t].max(confirmed[t]) + dependent[t]).collect();
    let on_hand = facts.on_hand.get(key).copied().unwrap_or_default().max(Decimal::ZERO);
    let lead = horizon.periods_of(policy.lead_time_days);
    let exposure = (lead + policy.review_periods) as f64;
    let safety = safety_stock(policy.service_level, variance.sqrt(), exposure, 0.0, 0.0)?;
    let safety = Decimal::from_f64(safety).unwrap_or_default().round_dp(2);
    let modifiers = match dataset.products.iter().find(|p| p.id == key.1) {
        Some(p) if policy.packs => OrderModifiers { minimum: p.minimum_order, multiple: p.pack_size },
        _ => OrderModifiers::default(),
    };
    let record = mrp_record(&MrpInput {
        gross_requirements: gross.clone(),
        scheduled_receipts: Some(scheduled.clone()),
        on_hand,
        safety_stock: safety,
        lead_time: lead,
        lot_sizing: LotSizing::PeriodsOfSupply { periods: policy.review_periods },
        modifiers,
    })
    .map_err(|e| in_record(key, e))?;
    let mean_daily = {
        let days: f64 = (0..n).map(|t| horizon.days_of(t)).sum();
        gross.iter().filter_map(Decimal::to_f64).sum::<f64>() / days.max(1.0)
    };
    let mut late = Decimal::ZERO;
    let (mut rows, mut first_stockout, mut overstock) = (PlanRows::with_capacity(n), None, Vec::new());
    for (t, r) in record.rows.iter().enumerate() {
        if t < lead {
            late += r.planned_order_receipts;
        }
        let cover =
            forward_days_of_cover(r.projected_on_hand, &gross[t + 1..], |k| horizon.days_of(t + 1 + k), mean_daily);
        let row = ChannelRow {
            period: horizon.starts[t],
            forecast: forecast[t],
            confirmed: confirmed[t],
            dependent: dependent[t],
            gross: gross[t],
            scheduled_receipts: scheduled[t],
            planned_receipts: r.planned_order_receipts,
            planned_releases: r.planned_order_releases,
            closing: r.projected_on_hand,
            days_of_cover: cover,
            stockout: r.projected_on_hand - late < Decimal::ZERO,
            overstock: r.projected_on_hand > Decimal::ZERO
                && cover.is_none_or(|days| days > f64::from(policy.max_days_of_cover)),
        };
        if row.stockout && first_stockout.is_none() {
            first_stockout = Some(row.period);
        }
        if row.overstock {
            overstock.push(row.period);
        }
        rows.push(&row);
    }
    Ok(NodePlan {
        node: key.0.clone(),
        product: key.1.clone(),
        kind: policy.kind,
        supplied_from,
        on_hand,
        safety_stock: safety,
        lead_time: lead,
        model,
        past_due: record.past_due,
        first_stockout,
        overstock,
        rows,
    })
}

/// Days `stock` lasts when the next periods require `next` (period `k` lasting `days(k)` days),
/// and after them `mean_daily` a day; `None` when nothing more is required.
///
/// The forward-looking days of cover of a plan: stock measured against the demand to come, not
/// against past sales as the S-P-I measures' and the KPI catalogue's `days_of_cover` are.
///
/// ```
/// use omo_core::plan::forward_days_of_cover;
/// use rust_decimal::Decimal;
/// // 150 units against 100 then 100 in 30-day months: the first month, then half the second.
/// let months = [Decimal::from(100), Decimal::from(100)];
/// assert_eq!(forward_days_of_cover(Decimal::from(150), &months, |_| 30.0, 0.0), Some(45.0));
/// // Past the periods, the mean daily demand: 250 units last 60 days, then 50 more at 1 a day.
/// assert_eq!(forward_days_of_cover(Decimal::from(250), &months, |_| 30.0, 1.0), Some(110.0));
/// ```
pub fn forward_days_of_cover(
    stock: Decimal,
    next: &[Decimal],
    days: impl Fn(usize) -> f64,
    mean_daily: f64,
) -> Option<f64> {
    let mut left = stock.to_f64().unwrap_or(0.0);
    if left <= 0.0 {
        return Some(0.0);
    }
    let mut covered = 0.0;
    for (k, need) in next.iter().enumerate() {
        let need = need.to_f64().unwrap_or(0.0);
        let span = days(k);
        if need > left {
            return Some(covered + span * left / need);
        }
        left -= need;
        covered += span;
    }
    if mean_daily > 0.0 { Some(covered + left / mean_daily) } else { None }
}

/// The chain as the plan walks it: who supplies whom, and the planned nodes, deepest first.
struct Chain {
    supplier: HashMap<NodeId, NodeId>,
    kind: HashMap<NodeId, NodeKind>,
    /// The planned nodes, deepest first.
    order: Vec<NodeId>,
    /// How many nodes of `order` each depth holds, deepest first.
    levels: Vec<usize>,
}

impl Chain {
    /// The planned nodes by depth, deepest first: a level's nodes supply none of each other.
    fn levels(&self) -> impl Iterator<Item = &[NodeId]> {
        let mut start = 0;
        self.levels.iter().map(move |&n| {
            let level = &self.order[start..start + n];
            start += n;
            level
        })
    }

    fn of(dataset: &Dataset, settings: &ChannelSettings) -> Result<Self> {
        let by_id: HashMap<&NodeId, &Node> = dataset.nodes.iter().map(|n| (&n.id, n)).collect();
        let planned: Vec<&Node> = dataset.nodes.iter().filter(|n| settings.policy(n.kind).is_some()).collect();
        let source = source_plant(dataset, settings)?;
        let is_top = |n: &Node| matches!(n.kind, NodeKind::Plant | NodeKind::OemSupplier | NodeKind::Manufacturer);
        let mut supplier = HashMap::new();
        for node in planned.iter().filter(|n| !is_top(n)) {
            let up = match node.parent.as_ref().and_then(|p| by_id.get(p)) {
                Some(parent) if parent.kind != NodeKind::Manufacturer => Some(parent.id.clone()),
                _ => source.clone(),
            };
            if let Some(up) = up.filter(|u| by_id.get(u).is_some_and(|n| settings.policy(n.kind).is_some())) {
                supplier.insert(node.id.clone(), up);
            }
        }
        let depth = |id: &NodeId| {
            let mut d = 0usize;
            let mut at = id;
            while let Some(up) = supplier.get(at) {
                d += 1;
                at = up;
                if d > by_id.len() {
                    break;
                }
            }
            d
        };
        let mut order: Vec<(usize, NodeId)> = planned.iter().map(|n| (depth(&n.id), n.id.clone())).collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let levels = order.chunk_by(|a, b| a.0 == b.0).map(|level| level.len()).collect();
        Ok(Chain {
            kind: planned.iter().map(|n| (n.id.clone(), n.kind)).collect(),
            order: order.into_iter().map(|(_, id)| id).collect(),
            levels,
            supplier,
        })
    }
}

fn source_plant(dataset: &Dataset, settings: &ChannelSettings) -> Result<Option<NodeId>> {
    if let Some(source) = &settings.source {
        return match dataset.node(source) {
            Some(n) if n.kind == NodeKind::Plant => Ok(Some(source.clone())),
            Some(n) => Err(invalid("source", format!("node {source} is a {:?}, not a plant", n.kind))),
            None => Err(OmoError::UnknownId { kind: "node", id: source.to_string() }),
        };
    }
    let plants: Vec<&NodeId> = dataset.nodes.iter().filter(|n| n.kind == NodeKind::Plant).map(|n| &n.id).collect();
    match plants.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(invalid(
            "source",
            format!("{} plants ({}...): name the one that supplies the distributors", many.len(), many[0]),
        )),
    }
}

/// Stock, receipts and confirmed demand at the plan's start, per node and product and period.
struct Facts {
    on_hand: HashMap<(NodeId, ProductId), Decimal>,
    scheduled: HashMap<(NodeId, ProductId), Vec<Decimal>>,
    confirmed: HashMap<(NodeId, ProductId), Vec<Decimal>>,
    /// Open orders of planned nodes not yet shipped: demand on the node they ship from.
    allocated: HashMap<(NodeId, ProductId), Vec<Decimal>>,
}

impl Facts {
    fn gather(
        dataset: &Dataset,
        stock: &dyn StockFacts,
        settings: &ChannelSettings,
        horizon: &Horizon,
        chain: &Chain,
    ) -> Result<Self> {
        let as_of = settings.as_of;
        let n = horizon.len();
        let mut facts = Facts {
            on_hand: HashMap::new(),
            scheduled: HashMap::new(),
            confirmed: HashMap::new(),
            allocated: HashMap::new(),
        };
        let add = |map: &mut HashMap<(NodeId, ProductId), Vec<Decimal>>, node: &NodeId, product: &ProductId, day, q| {
            if let Some(t) = horizon.index_of(day) {
                map.entry((node.clone(), product.clone())).or_insert_with(|| vec![Decimal::ZERO; n])[t] += q;
            }
        };
        let top = source_plant(dataset, settings)?;
        let oem: HashSet<&NodeId> =
            dataset.nodes.iter().filter(|n| n.kind == NodeKind::OemSupplier).map(|n| &n.id).collect();
        let held = stock.on_hand(NodeFilter::all(&|node| oem.contains(node) || chain.kind.contains_key(node)));
        for ((node, product), quantity) in held {
            let at = if oem.contains(&node) { top.clone() } else { Some(node) };
            if let Some(at) = at.filter(|a| chain.kind.contains_key(a)) {
                *facts.on_hand.entry((at, product)).or_default() += quantity;
            }
        }
        let node_of: HashMap<_, _> = dataset.customers.iter().filter_map(|c| Some((&c.id, c.node.as_ref()?))).collect();
        let mut shipped: HashMap<(&crate::model::OrderId, &ProductId), Decimal> = HashMap::new();
        for s in dataset.shipments.iter().filter(|s| s.shipped_date <= as_of) {
            let arrived = s.delivered_date.is_some_and(|d| d <= as_of);
            for line in &s.lines {
                *shipped.entry((&s.order, &line.product)).or_default() += line.quantity;
                if let Some(to) = s.to.as_ref().filter(|to| !arrived && chain.kind.contains_key(*to)) {
                    add(&mut facts.scheduled, to, &line.product, s.promised_date, line.quantity);
                }
            }
        }
        for order in dataset
            .orders
            .iter()
            .filter(|o| o.order_date <= as_of && matches!(o.status, OrderStatus::Open | OrderStatus::PartiallyShipped))
        {
            let buyer = node_of.get(&order.customer).copied().filter(|b| chain.kind.contains_key(*b));
            for line in &order.lines {
                let open = line.quantity - shipped.get(&(&order.id, &line.product)).copied().unwrap_or_default();
                if open <= Decimal::ZERO {
                    continue;
                }
                match buyer {
                    Some(buyer) => {
                        let lead = settings.policy(chain.kind[buyer]).map_or(0, |p| p.lead_time_days);
                        let due = order.requested_date.unwrap_or(order.order_date + Days::new(u64::from(lead)));
                        add(&mut facts.scheduled, buyer, &line.product, due, open);
                        if chain.kind.contains_key(&order.ship_from) {
                            let ship = due.checked_sub_days(Days::new(u64::from(lead))).unwrap_or(due);
                            add(&mut facts.allocated, &order.ship_from, &line.product, ship, open);
                        }
                    }
                    None if chain.kind.contains_key(&order.ship_from) => {
                        let due = order.requested_date.unwrap_or(order.order_date);
                        add(&mut facts.confirmed, &order.ship_from, &line.product, due, open);
                    }
                    None => {}
                }
            }
        }
        // Prepaid units still to pick up: a planned buyer's receipt and demand allocated at the
        // node holding them; anyone else's confirmed demand there.
        for prepaid in dataset.prepaid_orders.iter().filter(|p| p.order_date <= as_of && p.pickup_until > as_of) {
            if !chain.kind.contains_key(&prepaid.reserve_at) {
                continue;
            }
            let buyer = node_of.get(&prepaid.customer).copied().filter(|b| chain.kind.contains_key(*b));
            for line in &prepaid.lines {
                let left = prepaid.reserved(&line.product);
                let (at, day) = (&prepaid.reserve_at, prepaid.pickup_until);
                match buyer {
                    Some(buyer) => {
                        add(&mut facts.scheduled, buyer, &line.product, day, left);
                        add(&mut facts.allocated, at, &line.product, day, left);
                    }
                    None => add(&mut facts.confirmed, at, &line.product, day, left),
                }
            }
        }
        facts.supply_receipts(dataset, horizon, top.as_ref(), &oem, chain, n);
        Ok(facts)
    }

    /// Open production orders and purchase orders of finished products, as the top's receipts.
    fn supply_receipts(
        &mut self,
        dataset: &Dataset,
        horizon: &Horizon,
        top: Option<&NodeId>,
        oem: &HashSet<&NodeId>,
        chain: &Chain,
        n: usize,
    ) {
        let supply = &dataset.supply;
        let mut add = |node: &NodeId, product: &ProductId, day: NaiveDate, q: Decimal| {
            if let (Some(t), true) = (horizon.index_of(day), chain.kind.contains_key(node)) {
                self.scheduled.entry((node.clone(), product.clone())).or_insert_with(|| vec![Decimal::ZERO; n])[t] += q;
            }
        };
        for order in supply.production_orders.iter().filter(|o| o.status != ProductionStatus::Done) {
            if let Some(line) = supply.production_lines.iter().find(|l| l.id == order.line) {
                add(&line.node, &order.product, order.due, (order.quantity - order.output).max(Decimal::ZERO));
            }
        }
        let oem_suppliers: HashSet<_> =
            supply.suppliers.iter().filter(|s| s.kind == SupplierKind::Oem).map(|s| &s.id).collect();
        for order in supply.purchase_orders.iter().filter(|o| oem_suppliers.contains(&o.supplier)) {
            let at = if oem.contains(&order.deliver_to) { top } else { Some(&order.deliver_to) };
            for line in &order.lines {
                if let (Item::Product(product), Some(at)) = (&line.item, at) {
                    add(at, product, line.promised_date, line.open_quantity());
                }
            }
        }
    }

    /// The products to plan at each node: those it has demand, stock, receipts or allocated
    /// orders of (the nodes it supplies add theirs as they are planned).
    fn products(&self, demand: &BTreeMap<(NodeId, ProductId), NodeDemand>) -> HashMap<NodeId, BTreeSet<ProductId>> {
        let mut out: HashMap<NodeId, BTreeSet<ProductId>> = HashMap::new();
        let stocked = self.on_hand.iter().filter(|(_, q)| **q > Decimal::ZERO).map(|(k, _)| k);
        let keys = demand.keys().chain(self.scheduled.keys()).chain(self.confirmed.keys()).chain(self.allocated.keys());
        for (node, product) in keys.chain(stocked) {
            out.entry(node.clone()).or_default().insert(product.clone());
        }
        out
    }
}

fn in_record(key: &(NodeId, ProductId), error: OmoError) -> OmoError {
    OmoError::InSeries { series: format!("node {}, product {}", key.0, key.1), source: Box::new(error) }
}

fn invalid(name: &'static str, message: impl Into<String>) -> OmoError {
    OmoError::InvalidArgument { name, message: message.into() }
}
