//! The supply plan: what the plant makes on which line in which period, what it builds ahead of a
//! peak its lines cannot meet in time, what goes to the OEM supplier, and the materials all of it
//! needs (MRP through the bills of materials).
//!
//! From the finished goods required per product and period (the channel plan's top
//! requirements, [`super::ChannelPlan::top_requirements`]):
//! 1. each product is made on the line that makes it fastest (ties: the first line id); a product
//!    no line makes goes to an OEM supplier that delivers it, and one nobody can make or supply is
//!    refused;
//! 2. a line's load in a period is the hours its products need (`quantity / units_per_hour`);
//!    where it exceeds the line's hours, the excess is **built ahead** in the latest earlier
//!    periods with spare hours, the products cheapest to carry per hour first (standard cost /
//!    rate), in hundredths of a unit; each unit built `k` periods early adds `k x standard cost
//!    x holding rate` of carrying cost;
//! 3. what no earlier period can take goes to the **OEM supplier** of the product (its lead time
//!    and minimum order and multiple; an order that should have been placed before the first
//!    period is flagged late), or, without one, is **unmet**;
//! 4. a period whose required hours exceed the line's hours is flagged **over capacity** (搶產能),
//!    one whose planned hours stay below `idle_below` of them **idle** (等訂單);
//! 5. the production plan is exploded through the bills of materials level by level: each
//!    component's textbook MRP record ([`mrp_record`]) with its stock at the plants, its open
//!    purchase orders as scheduled receipts, its supplier's lead time, minimum and multiple, and
//!    the chosen lot-sizing rule; the planned releases of a made component are the gross
//!    requirements of its own components.
//!
//! A product that would need more than [`MAX_LINE_HOURS`] of its line over the horizon (a rate
//! mistyped as 10^-28 units an hour), or a bill of materials whose requirements do not fit a
//! decimal (a batch of 10^-28), is refused with an error naming the line's rate or the bill's
//! component.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::channel::{ChannelPlan, ChannelSettings, channel_plan_with};
use super::demand::Horizon;
use super::mrp::{LotSizing, MrpInput, MrpRecord, OrderModifiers, mrp_record};
use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::model::exact::saturating_div;
use crate::model::{
    Item, LineId, NodeKind, ProductId, ProductionLine, Supplier, SupplierId, SupplierKind, ValidationIssue,
};
use crate::spi::{NodeFilter, RecordFacts, StockFacts};
use rustc_hash::FxHashSet;

/// How the supply plan is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplySettings {
    /// Carrying cost of one unit for one period, as a share of its standard cost (0.02: 2 % a
    /// month).
    pub holding_rate: Decimal,
    /// A line planned below this share of its hours is idle (0.5).
    pub idle_below: Decimal,
    /// The lot-sizing rule of the materials (lot for lot).
    pub lot_sizing: LotSizing,
}

impl Default for SupplySettings {
    fn default() -> Self {
        SupplySettings {
            holding_rate: Decimal::new(2, 2),
            idle_below: Decimal::new(5, 1),
            lot_sizing: LotSizing::LotForLot,
        }
    }
}

/// One line in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineLoad {
    /// The line.
    pub line: LineId,
    /// Index of the period in the plan.
    pub period: usize,
    /// Hours available.
    pub capacity_hours: Decimal,
    /// Hours the period's own requirements need.
    pub required_hours: Decimal,
    /// Hours planned, building ahead included.
    pub planned_hours: Decimal,
    /// Required hours above the capacity (搶產能).
    pub over_capacity: bool,
    /// Planned hours below the idle share of the capacity (等訂單).
    pub idle: bool,
}

impl LineLoad {
    /// The load: hours the period's own requirements need over the line's hours, to four
    /// decimals (1.6: 60 % more than the line has); `None` for a period without hours.
    ///
    /// ```
    /// use omo_core::plan::LineLoad;
    /// use rust_decimal::Decimal;
    ///
    /// let april = LineLoad {
    ///     line: "L1".parse().unwrap(),
    ///     period: 2,
    ///     capacity_hours: Decimal::from(100),
    ///     required_hours: Decimal::from(160),
    ///     planned_hours: Decimal::from(100),
    ///     over_capacity: true,
    ///     idle: false,
    /// };
    /// assert_eq!(april.load(), Some(Decimal::new(16, 1)));
    /// // A capacity of 10^-28 hours: the largest load a decimal holds, not a panic.
    /// let tiny = LineLoad { capacity_hours: Decimal::new(1, 28), ..april };
    /// assert_eq!(tiny.load(), Some(Decimal::MAX.round_dp(4)));
    /// ```
    pub fn load(&self) -> Option<Decimal> {
        (!self.capacity_hours.is_zero())
            .then(|| crate::model::exact::saturating_div(self.required_hours, self.capacity_hours).round_dp(4))
    }
}

/// One product in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSupply {
    /// The product.
    pub product: ProductId,
    /// Index of the period.
    pub period: usize,
    /// Finished goods required in the period.
    pub required: Decimal,
    /// Made on its line in the period (for this period or later ones).
    pub made: Decimal,
    /// Of `made`, units built ahead for later periods.
    pub built_ahead: Decimal,
    /// Received from the OEM supplier in the period.
    pub from_oem: Decimal,
    /// Required but neither made nor bought.
    pub unmet: Decimal,
}

/// A planned order on an OEM supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OemOrder {
    /// The OEM supplier.
    pub supplier: SupplierId,
    /// The product.
    pub product: ProductId,
    /// Period the goods must arrive in.
    pub receipt_period: usize,
    /// Period to place the order in (0 when late).
    pub release_period: usize,
    /// Quantity, after the supplier's minimum and multiple.
    pub quantity: Decimal,
    /// It should have been placed before the plan's first period.
    pub late: bool,
}

/// The MRP record of one component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentPlan {
    /// The component.
    pub item: Item,
    /// Its level in the bills of materials (1: a direct component of a finished product).
    pub level: usize,
    /// The supplier its planned orders go to, if any.
    pub supplier: Option<SupplierId>,
    /// The record.
    pub record: MrpRecord,
}

/// A supply plan (see the [module](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplyPlan {
    /// Per line and period, sorted by line then period.
    pub loads: Vec<LineLoad>,
    /// Per product and period, sorted by product then period.
    pub products: Vec<ProductSupply>,
    /// Orders on OEM suppliers, by receipt period and product.
    pub oem_orders: Vec<OemOrder>,
    /// Carrying cost of everything built ahead.
    pub carrying_cost: Decimal,
    /// The components' records, by level then item.
    pub components: Vec<ComponentPlan>,
}

/// The channel plan of `dataset` and the supply plan meeting the requirements at its top: the
/// whole plan from the shops' forecasts to the plant's lines, the OEM supplier and materials.
/// The supply plan is `None` for a company that gave no production lines and no suppliers (its
/// supply side is not modelled, so nothing can be said of its capacity).
///
/// # Errors
/// Those of [`super::channel_plan`] and [`supply_plan`].
pub fn plan_supply_chain(
    dataset: &impl DatasetInput,
    channel: &ChannelSettings,
    settings: &SupplySettings,
) -> Result<(ChannelPlan, Option<SupplyPlan>)> {
    let dataset = dataset.checked_stock()?;
    plan_supply_chain_with(dataset, &RecordFacts::new(dataset, channel.as_of), channel, settings)
}

/// [`plan_supply_chain`] with the stock and sales read from `facts` (the records' or the live
/// engine's, on `channel.as_of`).
pub(crate) fn plan_supply_chain_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    channel: &ChannelSettings,
    settings: &SupplySettings,
) -> Result<(ChannelPlan, Option<SupplyPlan>)> {
    let plan = channel_plan_with(dataset, facts, channel)?;
    if dataset.supply.production_lines.is_empty() && dataset.supply.suppliers.is_empty() {
        return Ok((plan, None));
    }
    let horizon = Horizon::after(channel.as_of, channel.period, channel.horizon)?;
    let supply = supply_plan_with(dataset, facts, &horizon, &plan.top_requirements(), settings)?;
    Ok((plan, Some(supply)))
}

/// The supply plan meeting `required` (finished goods per product, one quantity per period of
/// `horizon`).
///
/// # Errors
/// [`OmoError::InvalidArgument`] naming the product nobody can make or supply, a requirement of
/// another length than the horizon, a negative requirement, or a component whose supplier's lead
/// time is not shorter than the horizon.
pub fn supply_plan(
    dataset: &Dataset,
    horizon: &Horizon,
    required: &BTreeMap<ProductId, Vec<Decimal>>,
    settings: &SupplySettings,
) -> Result<SupplyPlan> {
    supply_plan_with(dataset, &RecordFacts::new(dataset, dataset.as_of), horizon, required, settings)
}

/// [`supply_plan`] with the plants' stock read from `facts` (the records' or the live engine's).
pub(crate) fn supply_plan_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    horizon: &Horizon,
    required: &BTreeMap<ProductId, Vec<Decimal>>,
    settings: &SupplySettings,
) -> Result<SupplyPlan> {
    let n = horizon.len();
    let supply = &dataset.supply;
    let mut made: BTreeMap<&ProductId, (Option<&ProductionLine>, Vec<Decimal>)> = BTreeMap::new();
    for (product, quantities) in required {
        if quantities.len() != n || quantities.iter().any(|q| *q < Decimal::ZERO) {
            return Err(invalid("required", format!("product {product}: give {n} quantities, none negative")));
        }
        let line = fastest_line(&supply.production_lines, product);
        if line.is_none() && oem_for(&supply.suppliers, product).is_none() {
            return Err(invalid(
                "required",
                format!("product {product}: no line makes it and no supplier delivers it"),
            ));
        }
        made.insert(product, (line, quantities.clone()));
    }
    let cost: HashMap<&ProductId, Decimal> = dataset.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    let mut loads = Vec::new();
    let mut carrying_cost = Decimal::ZERO;
    let mut excess: BTreeMap<&ProductId, Vec<Decimal>> = BTreeMap::new();
    let mut ahead: BTreeMap<&ProductId, Vec<Decimal>> = BTreeMap::new();
    let mut on_line: BTreeMap<&ProductId, Vec<Decimal>> = BTreeMap::new();
    for line in &supply.production_lines {
        let mut level = Leveling::new(line, horizon, &made, &cost)?;
        carrying_cost += level.build_ahead(settings.holding_rate);
        for (product, over) in &level.excess {
            excess.insert(product, over.clone());
        }
        for (product, kept, _, _) in &level.items {
            let early = &level.ahead[product];
            on_line.insert(product, kept.iter().zip(early).map(|(k, e)| k + e).collect());
        }
        for (product, early) in &level.ahead {
            ahead.insert(product, early.clone());
        }
        for t in 0..n {
            let capacity = line.hours_in(horizon.starts[t]);
            let planned = level.hours(t);
            loads.push(LineLoad {
                line: line.id.clone(),
                period: t,
                capacity_hours: capacity,
                required_hours: level.required_hours[t],
                planned_hours: planned.round_dp(4),
                over_capacity: level.required_hours[t] > capacity,
                idle: planned < capacity * settings.idle_below,
            });
        }
    }
    for (product, (line, quantities)) in &made {
        if line.is_none() {
            excess.insert(product, quantities.clone());
        }
    }
    let (oem_orders, from_oem) = oem_orders(&supply.suppliers, horizon, &excess)?;
    let mut products = Vec::new();
    for (product, (_, quantities)) in &made {
        let over = excess.get(product);
        let early = ahead.get(product);
        let bought = from_oem.get(*product);
        let on_line = on_line.get(product);
        for t in 0..n {
            let over_t = over.map_or(Decimal::ZERO, |v| v[t]);
            let from_oem_t = bought.map_or(Decimal::ZERO, |v| v[t]);
            let built_ahead = early.map_or(Decimal::ZERO, |v| v[t]);
            products.push(ProductSupply {
                product: (*product).clone(),
                period: t,
                required: quantities[t],
                made: on_line.map_or(Decimal::ZERO, |v| v[t]),
                built_ahead,
                from_oem: from_oem_t,
                unmet: (over_t - from_oem_t).max(Decimal::ZERO),
            });
        }
    }
    let components = explode(dataset, horizon, &on_line, settings, facts)?;
    Ok(SupplyPlan { loads, products, oem_orders, carrying_cost: carrying_cost.round_dp(2), components })
}

/// The line that makes `product` fastest (ties: the first id).
fn fastest_line<'a>(lines: &'a [ProductionLine], product: &ProductId) -> Option<&'a ProductionLine> {
    lines
        .iter()
        .filter_map(|l| l.rate_of(product).map(|r| (r, l)))
        .max_by(|(ra, la), (rb, lb)| ra.cmp(rb).then_with(|| lb.id.cmp(&la.id)))
        .map(|(_, l)| l)
}

/// The OEM supplier delivering `product` with the shortest lead time (ties: the first id).
fn oem_for<'a>(
    suppliers: &'a [Supplier],
    product: &ProductId,
) -> Option<(&'a Supplier, &'a crate::model::SupplyTerms)> {
    let item = Item::Product(product.clone());
    suppliers
        .iter()
        .filter(|s| s.kind == SupplierKind::Oem)
        .filter_map(|s| s.terms_of(&item).map(|t| (s, t)))
        .min_by(|(sa, ta), (sb, tb)| ta.lead_time_days.cmp(&tb.lead_time_days).then_with(|| sa.id.cmp(&sb.id)))
}

/// One line's requirements, levelled: hours per period, with the excess built ahead.
struct Leveling<'a> {
    capacity: Vec<Decimal>,
    required_hours: Vec<Decimal>,
    /// Per product: units per period still on this line (after moving some earlier), the rate
    /// and the carrying cost per unit and period.
    items: Vec<(&'a ProductId, Vec<Decimal>, Decimal, Decimal)>,
    /// Units moved out of each period that no earlier period could take.
    excess: BTreeMap<&'a ProductId, Vec<Decimal>>,
    /// Units built in each period ahead of a later one.
    ahead: BTreeMap<&'a ProductId, Vec<Decimal>>,
}

impl<'a> Leveling<'a> {
    fn new(
        line: &ProductionLine,
        horizon: &Horizon,
        made: &BTreeMap<&'a ProductId, (Option<&ProductionLine>, Vec<Decimal>)>,
        cost: &HashMap<&ProductId, Decimal>,
    ) -> Result<Self> {
        let n = horizon.len();
        let mut items: Vec<(&ProductId, Vec<Decimal>, Decimal, Decimal)> = made
            .iter()
            .filter(|(_, (l, _))| l.is_some_and(|l| l.id == line.id))
            .filter_map(|(p, (_, q))| {
                Some((*p, q.clone(), line.rate_of(p)?, cost.get(*p).copied().unwrap_or_default()))
            })
            .collect();
        for (product, units, rate, _) in &items {
            within_line_hours(line, product, units, *rate)?;
        }
        // Cheapest to carry per hour of line time first: cost / rate ascending.
        items.sort_by(|a, b| saturating_div(a.3, a.2).cmp(&saturating_div(b.3, b.2)).then_with(|| a.0.cmp(b.0)));
        let required_hours =
            (0..n).map(|t| items.iter().map(|(_, q, rate, _)| q[t] / rate).sum::<Decimal>().round_dp(4)).collect();
        Ok(Leveling {
            capacity: horizon.starts.iter().map(|s| line.hours_in(*s)).collect(),
            required_hours,
            excess: items.iter().map(|(p, _, _, _)| (*p, vec![Decimal::ZERO; n])).collect(),
            ahead: items.iter().map(|(p, _, _, _)| (*p, vec![Decimal::ZERO; n])).collect(),
            items,
        })
    }

    /// Hours planned in period `t`.
    fn hours(&self, t: usize) -> Decimal {
        self.items.iter().map(|(p, q, rate, _)| (q[t] + self.ahead[p][t]) / rate).sum()
    }

    /// Moves each period's excess hours into the latest earlier periods with spare hours, the
    /// cheapest products first; what is left is excess. Returns the carrying cost added.
    fn build_ahead(&mut self, holding_rate: Decimal) -> Decimal {
        let mut cost = Decimal::ZERO;
        for t in 0..self.capacity.len() {
            for i in 0..self.items.len() {
                let (product, _, rate, unit_cost) = self.items[i].clone();
                // The excess in units of this product; less than a hundredth of one is none.
                let mut over = (self.hours(t) - self.capacity[t]) * rate;
                if over < UNIT_STEP {
                    continue;
                }
                for s in (0..t).rev() {
                    let spare = (self.capacity[s] - self.hours(s)) * rate;
                    let units = down(spare.min(over).min(self.items[i].1[t]));
                    if units <= Decimal::ZERO {
                        continue;
                    }
                    self.items[i].1[t] -= units;
                    if let Some(a) = self.ahead.get_mut(product) {
                        a[s] += units;
                    }
                    cost += units * unit_cost * holding_rate * Decimal::from(t - s);
                    over -= units;
                    if over < UNIT_STEP {
                        break;
                    }
                }
                if over >= UNIT_STEP {
                    let units = over.round_dp_with_strategy(2, RoundingStrategy::AwayFromZero).min(self.items[i].1[t]);
                    self.items[i].1[t] -= units;
                    if let Some(e) = self.excess.get_mut(product) {
                        e[t] += units;
                    }
                }
            }
        }
        cost
    }
}

/// The most hours the plan may ask of a line for one product over its horizon: 10^15 (some
/// hundred billion years). More means a mistyped rate, and the levelling's sums and products of
/// hours and rates would not fit a decimal.
pub const MAX_LINE_HOURS: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Refuses `product` when its `units` over the horizon need more than [`MAX_LINE_HOURS`] of
/// `line` at `rate` units an hour, naming the line's rate.
fn within_line_hours(line: &ProductionLine, product: &ProductId, units: &[Decimal], rate: Decimal) -> Result<()> {
    let total = units.iter().try_fold(Decimal::ZERO, |sum, q| sum.checked_add(*q));
    if total.and_then(|units| units.checked_div(rate)).is_some_and(|hours| hours <= MAX_LINE_HOURS) {
        return Ok(());
    }
    let at = line.rates.iter().position(|r| &r.product == product).unwrap_or_default();
    let message = format!(
        "{product} at {rate} an hour would need more than {MAX_LINE_HOURS} hours of the line over the plan's horizon"
    );
    let issue =
        ValidationIssue::new("production_line", line.id.as_str(), format!("rates[{at}].units_per_hour"), message);
    Err(OmoError::Invalid { issues: vec![issue] })
}

/// Plans move units in hundredths.
const UNIT_STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

/// `units` rounded down to a hundredth.
fn down(units: Decimal) -> Decimal {
    units.round_dp_with_strategy(2, RoundingStrategy::ToZero)
}

/// Quantities per product and period.
type PerPeriod = HashMap<ProductId, Vec<Decimal>>;

/// OEM orders for the quantities no line can make, and what they deliver per product and period.
fn oem_orders(
    suppliers: &[Supplier],
    horizon: &Horizon,
    excess: &BTreeMap<&ProductId, Vec<Decimal>>,
) -> Result<(Vec<OemOrder>, PerPeriod)> {
    let mut orders = Vec::new();
    let mut received: PerPeriod = HashMap::new();
    for (product, over) in excess {
        let Some((supplier, terms)) = oem_for(suppliers, product) else { continue };
        let lead = horizon.periods_of(terms.lead_time_days);
        let modifiers = OrderModifiers { minimum: terms.minimum_order, multiple: terms.multiple };
        for (t, q) in over.iter().enumerate().filter(|(_, q)| **q > Decimal::ZERO) {
            let quantity = modifiers.apply(*q)?;
            received.entry((*product).clone()).or_insert_with(|| vec![Decimal::ZERO; horizon.len()])[t] += quantity;
            orders.push(OemOrder {
                supplier: supplier.id.clone(),
                product: (*product).clone(),
                receipt_period: t,
                release_period: t.saturating_sub(lead),
                quantity,
                late: lead > t,
            });
        }
    }
    orders.sort_by(|a, b| (a.receipt_period, &a.product).cmp(&(b.receipt_period, &b.product)));
    Ok((orders, received))
}

/// The components' MRP records, level by level from the production plan.
fn explode(
    dataset: &Dataset,
    horizon: &Horizon,
    production: &BTreeMap<&ProductId, Vec<Decimal>>,
    settings: &SupplySettings,
    facts: &dyn StockFacts,
) -> Result<Vec<ComponentPlan>> {
    let supply = &dataset.supply;
    let n = horizon.len();
    let levels = low_level_codes(dataset);
    let mut gross: BTreeMap<Item, Vec<Decimal>> = BTreeMap::new();
    let add_parent =
        |gross: &mut BTreeMap<Item, Vec<Decimal>>, product: &ProductId, releases: &[Decimal]| -> Result<()> {
            let Some(bom) = supply.boms.iter().find(|b| &b.product == product) else { return Ok(()) };
            for (k, c) in bom.components.iter().enumerate() {
                let slots = gross.entry(c.item.clone()).or_insert_with(|| vec![Decimal::ZERO; n]);
                for (slot, q) in slots.iter_mut().zip(releases) {
                    let need = q.checked_mul(c.quantity).and_then(|units| units.checked_div(bom.batch));
                    *slot = need.and_then(|need| slot.checked_add(need)).ok_or_else(|| {
                        let message = format!(
                            "{} of {} a batch of {}, for {q} made: the requirement does not fit a decimal",
                            c.quantity, c.item, bom.batch
                        );
                        OmoError::Invalid {
                            issues: vec![ValidationIssue::new(
                                "bom",
                                product.as_str(),
                                format!("components[{k}].quantity"),
                                message,
                            )],
                        }
                    })?;
                }
            }
            Ok(())
        };
    for (product, quantities) in production {
        add_parent(&mut gross, product, quantities)?;
    }
    let plants: FxHashSet<&crate::model::NodeId> =
        dataset.nodes.iter().filter(|n| n.kind == NodeKind::Plant).map(|n| &n.id).collect();
    let mut plant_stock: BTreeMap<ProductId, Decimal> = BTreeMap::new();
    for ((_, product), quantity) in facts.on_hand(NodeFilter::among(&plants, &|_| true)) {
        *plant_stock.entry(product).or_default() += quantity;
    }
    let mut order: Vec<(usize, Item)> = levels.iter().map(|(item, level)| (*level, item.clone())).collect();
    order.sort();
    let mut out = Vec::new();
    for (level, item) in order {
        let Some(requirements) = gross.get(&item).cloned() else { continue };
        let supplier = cheapest_supplier(&supply.suppliers, &item);
        let lead = supplier.map_or(0, |(_, t)| horizon.periods_of(t.lead_time_days));
        let modifiers = supplier.map_or_else(OrderModifiers::default, |(_, t)| OrderModifiers {
            minimum: t.minimum_order,
            multiple: t.multiple,
        });
        let mut scheduled = vec![Decimal::ZERO; n];
        for order in &supply.purchase_orders {
            for line in order.lines.iter().filter(|l| l.item == item) {
                if let Some(t) = horizon.index_of(line.promised_date) {
                    scheduled[t] += line.open_quantity();
                }
            }
        }
        let on_hand = on_hand_at(dataset, &plants, &plant_stock, &item);
        let record = mrp_record(&MrpInput {
            gross_requirements: requirements.iter().map(|q| q.round_dp(4)).collect(),
            scheduled_receipts: Some(scheduled),
            on_hand,
            safety_stock: Decimal::ZERO,
            lead_time: lead,
            lot_sizing: settings.lot_sizing,
            modifiers,
        })
        .map_err(|e| OmoError::InSeries { series: item.to_string(), source: Box::new(e) })?;
        if let Item::Product(p) = &item {
            let releases: Vec<Decimal> = record.rows.iter().map(|r| r.planned_order_releases).collect();
            add_parent(&mut gross, p, &releases)?;
        }
        out.push(ComponentPlan { item, level, supplier: supplier.map(|(s, _)| s.id.clone()), record });
    }
    Ok(out)
}

/// Stock of `item` at the plants: materials from the material stock, products from the
/// plants' stock on hand (`plant_stock`, summed over the plants).
fn on_hand_at(
    dataset: &Dataset,
    plants: &FxHashSet<&crate::model::NodeId>,
    plant_stock: &BTreeMap<ProductId, Decimal>,
    item: &Item,
) -> Decimal {
    match item {
        Item::Material(m) => dataset
            .supply
            .material_stock
            .iter()
            .filter(|s| &s.material == m && plants.contains(&s.node))
            .map(|s| s.quantity)
            .sum(),
        Item::Product(p) => plant_stock.get(p).copied().unwrap_or_default().max(Decimal::ZERO),
    }
}

/// The supplier of `item` with the lowest agreed price (ties: shorter lead time, then id).
fn cheapest_supplier<'a>(
    suppliers: &'a [Supplier],
    item: &Item,
) -> Option<(&'a Supplier, &'a crate::model::SupplyTerms)> {
    suppliers
        .iter()
        .filter_map(|s| s.terms_of(item).map(|t| (s, t)))
        .min_by(|(sa, ta), (sb, tb)| (ta.price, ta.lead_time_days, &sa.id).cmp(&(tb.price, tb.lead_time_days, &sb.id)))
}

/// Each component's level: one more than the deepest product it goes into (finished products
/// are level 0). The bills of materials are acyclic once the dataset validates; a longest path is
/// then at most the number of bills.
fn low_level_codes(dataset: &Dataset) -> BTreeMap<Item, usize> {
    let boms = &dataset.supply.boms;
    let mut level: BTreeMap<Item, usize> = BTreeMap::new();
    for _ in 0..=boms.len() {
        let mut changed = false;
        for bom in boms {
            let parent = level.get(&Item::Product(bom.product.clone())).copied().unwrap_or(0);
            for c in &bom.components {
                let slot = level.entry(c.item.clone()).or_insert(0);
                if *slot < parent + 1 {
                    *slot = parent + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    level
}

fn invalid(name: &'static str, message: impl Into<String>) -> OmoError {
    OmoError::InvalidArgument { name, message: message.into() }
}
