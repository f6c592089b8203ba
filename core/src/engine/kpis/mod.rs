//! The standard KPIs kept live: per distributor, the month-to-date facts the catalogue's
//! formulas read ([`crate::kpi::MonthFacts`]), gathered from running totals by day instead of a
//! scan of history; their lights, rolled up the regions; and an alert state machine per
//! distributor and KPI, stepped at each month close.
//!
//! What one event costs here is bounded by what it touches: one customer's running totals, one
//! node's, one pair's, and the recomputation of the KPIs of the distributor it belongs to (its
//! own node's products, its own shops). Lights roll up the region tree only when a leaf light
//! changed.

mod alerts;
mod facts;
mod history;
mod lights;
mod totals;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::kpi::{
    AlertEvent, AlertEventKind, AlertMachine, AlertRule, KpiDefinition, KpiValues, Light, MonthFacts, Scorecard,
    distributor_hierarchy, standard_kpis,
};
use crate::model::{CustomerId, CustomerKind, Hierarchy, NodeId, ProductId};

use super::day_totals::{DayTotals, sum_between};
use super::index::Index;
use super::stock::StockState;

/// A KPI's light that changed, or an alert's transition, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KpiChange {
    /// A member's light of a KPI changed colour.
    Light { kpi: String, member: String, from: Light, to: Light, value: Option<Decimal>, red_below: Vec<String> },
    /// An alert was raised, escalated or resolved at a month close.
    Alert {
        kpi: String,
        member: String,
        month: NaiveDate,
        kind: AlertEventKind,
        light: Light,
        value: Option<Decimal>,
        threshold: Option<Decimal>,
    },
}

impl From<AlertEvent> for KpiChange {
    fn from(event: AlertEvent) -> Self {
        KpiChange::Alert {
            kpi: event.kpi,
            member: event.member,
            month: event.period,
            kind: event.kind,
            light: event.light,
            value: event.value,
            threshold: event.threshold,
        }
    }
}

/// A Grafana-style view of one alert: where it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertStatus {
    /// The distributor.
    pub member: String,
    /// The KPI.
    pub kpi: String,
    /// `normal`, `pending`, `firing`, `recovering` (firing, its condition gone, kept for its
    /// `keep_for_periods`) or `no_data` (no value last month).
    pub state: &'static str,
    /// The light it was raised at, while raised.
    pub raised: Option<Light>,
}

/// A distributor's alert on a KPI as an engine snapshot keeps it
/// ([`crate::engine::EngineSnapshot::kpi_alerts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiAlertRecord {
    /// The distributor.
    pub member: String,
    /// The KPI.
    pub kpi: String,
    /// The first day of the closed month before whose stepping the machine stood so (a month
    /// a late posting can still move); `None`: as it stands now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<NaiveDate>,
    /// The state machine.
    pub machine: AlertMachine,
}

/// The part of a distributor's month facts that one kind of event moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Facet {
    /// Its node's stock (a movement): flows, cover, dead and slow stock, forecast error.
    Stock,
    /// Its money (an invoice, a payment, a target): revenue, plan, collections, DSO, overdue.
    Money,
    /// Its orders (an order).
    Orders,
    /// Its deliveries (a shipment delivered).
    Deliveries,
    /// Its shops selling (a shop's first sale of the month).
    Shops,
}

impl Facet {
    /// Every facet.
    pub(crate) const ALL: [Facet; 5] = [Facet::Stock, Facet::Money, Facet::Orders, Facet::Deliveries, Facet::Shops];
}

/// One customer's running totals by day.
#[derive(Debug, Clone, Default)]
struct CustomerDays {
    revenue: BTreeMap<NaiveDate, Decimal>,
    due: BTreeMap<NaiveDate, Decimal>,
    orders: BTreeMap<NaiveDate, (Decimal, usize)>,
    paid: BTreeMap<NaiveDate, Decimal>,
    /// Deliveries by month number: (delivered, on time in full).
    deliveries: BTreeMap<i64, (u32, u32)>,
}

/// The days of a customer with no record: what a distributor without any reads.
static NO_DAYS: CustomerDays = CustomerDays {
    revenue: BTreeMap::new(),
    due: BTreeMap::new(),
    orders: BTreeMap::new(),
    paid: BTreeMap::new(),
    deliveries: BTreeMap::new(),
};

/// What the KPIs keep of a distributor's node, found with one look-up per movement there: its
/// operator, its products' cached stock facts, forecast-error terms and forecasts, and its
/// sales and issues by day.
#[derive(Debug, Clone)]
struct NodeKpis {
    /// The distributor operating the node.
    owner: CustomerId,
    /// Its products' stock facts (dead-or-slow value, value, the month's row) on a day for a
    /// month, a product's kept until a movement of it at the node.
    health: NodeStock,
    /// Its products' forecast and sales of a month (the forecast error's parts), a product's
    /// kept until a sale of it at the node changes them.
    wape: ProductCache<i64, Option<(f64, f64)>>,
    /// Its products' seasonal naive forecasts of a month (the forecast-accuracy KPI's), made
    /// from the months before it, so kept through the month's own sales.
    forecasts: MonthForecasts,
    /// Its sales by day (days of cover), with the running sum of the cover window last read.
    sales_days: DayTotals,
    /// Its issues by product and day (dead and slow stock).
    issue_days: FxHashMap<ProductId, DayTotals>,
}

impl NodeKpis {
    /// A node of `owner`'s with nothing kept yet.
    fn new(owner: CustomerId) -> Self {
        NodeKpis {
            owner,
            health: NodeStock::default(),
            wape: ProductCache::default(),
            forecasts: MonthForecasts::default(),
            sales_days: DayTotals::default(),
            issue_days: FxHashMap::default(),
        }
    }
}

/// One node's values per product for a key (a day, a month): each product's kept until it is
/// invalidated (a movement of it at the node), then computed again when next brought up to date;
/// all of them for another key.
#[derive(Debug, Clone)]
struct ProductCache<K, V> {
    key: Option<K>,
    values: FxHashMap<ProductId, V>,
    /// The products invalidated since the values were last brought up to date, each with the
    /// value it had (none when it had none, or was invalidated before): the only ones to
    /// compute again for the same key.
    stale: Vec<(ProductId, Option<V>)>,
}

impl<K, V> Default for ProductCache<K, V> {
    fn default() -> Self {
        ProductCache { key: None, values: FxHashMap::default(), stale: Vec::new() }
    }
}

impl<K: PartialEq, V> ProductCache<K, V> {
    /// Forgets `product`'s value (a movement of it changed what it was computed from). Nothing
    /// to forget before the values were first brought up to date (a bulk load's movements):
    /// that computes every product.
    fn invalidate(&mut self, product: &ProductId) {
        if self.key.is_none() {
            return;
        }
        let old = self.values.remove(product);
        self.stale.push((product.clone(), old));
    }

    /// Brings the values up to date for `key`: for another key every one of `products`
    /// computed (returns true), else those invalidated since, each handed to `replaced` with
    /// the value it replaces. A product enters the node's `products` with its first movement
    /// there, which invalidates it, so none is missed.
    fn refresh(
        &mut self,
        key: K,
        products: &[ProductId],
        mut compute: impl FnMut(&ProductId) -> V,
        mut replaced: impl FnMut(Option<V>, &V),
    ) -> bool {
        if self.key.as_ref() != Some(&key) {
            (self.key, self.values) = (Some(key), FxHashMap::default());
            self.stale.clear();
            for product in products {
                let value = compute(product);
                self.values.insert(product.clone(), value);
            }
            return true;
        }
        // Drained, not taken: the vector keeps its room for the next day's invalidations.
        for (product, old) in self.stale.drain(..) {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.values.entry(product) {
                let value = compute(slot.key());
                replaced(old, &value);
                slot.insert(value);
            }
        }
        false
    }

    /// Moves the values kept to `key`, each brought to it in place by `update` (what differs
    /// between the keys); those invalidated stay to be computed by the next
    /// [`ProductCache::refresh`].
    fn rekey(&mut self, key: K, mut update: impl FnMut(&ProductId, &mut V)) {
        self.key = Some(key);
        for (product, value) in &mut self.values {
            update(product, value);
        }
    }

    /// Whether a value of `product` is kept (up to date or not).
    fn holds(&self, product: &ProductId) -> bool {
        self.values.contains_key(product)
    }

    /// The value of `product`, when it is up to date for `key`.
    fn get(&self, key: &K, product: &ProductId) -> Option<&V> {
        self.values.get(product).filter(|_| self.key.as_ref() == Some(key))
    }
}

/// A node's products' forecasts of one month, each made when first read.
#[derive(Debug, Clone, Default)]
struct MonthForecasts {
    month: Option<i64>,
    values: FxHashMap<ProductId, Option<f64>>,
}

impl MonthForecasts {
    /// `product`'s forecast of month number `month`, from `make` when not kept (all of them
    /// forgotten first for another month).
    fn get_or_make(&mut self, month: i64, product: &ProductId, make: impl FnOnce() -> Option<f64>) -> Option<f64> {
        if self.month != Some(month) {
            (self.month, self.values) = (Some(month), FxHashMap::default());
        }
        if let Some(kept) = self.values.get(product) {
            return *kept;
        }
        let made = make();
        self.values.insert(product.clone(), made);
        made
    }

    /// A sale of `product` in month number `sold_in` was booked: a forecast it is part of
    /// (of a later month) is forgotten. (A sale in a closed month also has the months
    /// computed again, which moves this cache to another month; it does not rely on that.)
    fn on_sale(&mut self, product: &ProductId, sold_in: i64) {
        if self.month.is_some_and(|month| sold_in < month) {
            self.values.remove(product);
        }
    }
}

/// One product's stock at a node as a month's facts read it on a day.
#[derive(Debug, Clone, Copy, Default)]
struct ProductStock {
    /// Its stock at the end of the month (on the day read, for the month to date).
    on_hand: Decimal,
    /// What the node's facts sum of it.
    figures: StockFigures,
    /// The first day on which its dead or slow value may differ from `figures.dead_or_slow`
    /// while no movement of it at the node comes (see [`facts`]' `dead_or_slow_value`).
    dead_or_slow_until: NaiveDate,
}

/// The figures of a product's stock at a node that a month's facts sum over the node's
/// products.
#[derive(Debug, Clone, Copy, Default)]
struct StockFigures {
    /// The value of its dead or slow stock (zero when it is neither).
    dead_or_slow: Decimal,
    /// The value of its stock.
    value: Decimal,
    /// Its S-P-I row's opening, receipts, sales and closing of the month (zero before its
    /// first month).
    opening: Decimal,
    receipts: Decimal,
    sales: Decimal,
    closing: Decimal,
}

impl StockFigures {
    /// Adds another product's figures, field by field (decimal sums are exact: their order
    /// does not change them).
    fn accumulate(&mut self, other: &StockFigures) {
        self.dead_or_slow += other.dead_or_slow;
        self.value += other.value;
        self.opening += other.opening;
        self.receipts += other.receipts;
        self.sales += other.sales;
        self.closing += other.closing;
    }

    /// This sum with `old` (one of its terms) taken out and `new` put in; none where that could
    /// differ from the sum of the new terms made afresh, to the digit (see [`swap_term`]).
    fn replaced(&self, old: &StockFigures, new: &StockFigures) -> Option<StockFigures> {
        Some(StockFigures {
            dead_or_slow: swap_term(self.dead_or_slow, old.dead_or_slow, new.dead_or_slow)?,
            value: swap_term(self.value, old.value, new.value)?,
            opening: swap_term(self.opening, old.opening, new.opening)?,
            receipts: swap_term(self.receipts, old.receipts, new.receipts)?,
            sales: swap_term(self.sales, old.sales, new.sales)?,
            closing: swap_term(self.closing, old.closing, new.closing)?,
        })
    }
}

/// `sum - old + new`, when it equals the sum made afresh of the terms with `new` for `old`, to
/// the scale: a decimal sum carries its terms' largest scale, so when `old` may have been the
/// only term of that scale and `new` has less, the sum must be made afresh (none). None too
/// where the figures do not fit.
fn swap_term(sum: Decimal, old: Decimal, new: Decimal) -> Option<Decimal> {
    if old.serialize() == new.serialize() {
        // The same digits and scale (most of a product's figures on most days): the same sum.
        return Some(sum);
    }
    if new.scale() < old.scale() && old.scale() >= sum.scale() {
        return None;
    }
    sum.checked_sub(old)?.checked_add(new)
}

/// A node's products' stock facts ([`ProductStock`]) and the sum of their figures, kept as
/// products change.
#[derive(Debug, Clone, Default)]
struct NodeStock {
    products: ProductCache<(NaiveDate, i64), ProductStock>,
    total: StockFigures,
}

/// The live KPI state.
#[derive(Debug, Clone)]
pub(crate) struct KpiState {
    kpis: Vec<KpiDefinition>,
    rule: AlertRule,
    hierarchy: Hierarchy<String>,
    /// Every distributor with its node, in the dataset's order, and each one's place in it (an
    /// event finds its distributor in O(1)).
    distributors: Vec<(CustomerId, Option<NodeId>)>,
    distributor_at: FxHashMap<CustomerId, usize>,
    /// A retailer's distributor.
    distributor_of: FxHashMap<CustomerId, CustomerId>,
    /// Each distributor's node with what the KPIs keep of it, and the distributor of each
    /// shop's node.
    nodes: FxHashMap<NodeId, NodeKpis>,
    shop_owner: FxHashMap<NodeId, CustomerId>,
    customers: FxHashMap<CustomerId, CustomerDays>,
    /// The first POS sale of each shop in each month.
    first_sale: FxHashMap<NodeId, BTreeMap<i64, NaiveDate>>,
    /// The distributors whose shop each node is (one for each of their retailers there), and,
    /// kept from `first_sale`, each distributor's shops' first sale days in each month, sorted:
    /// active retailers count them without visiting the shops.
    shop_distributors: FxHashMap<NodeId, Vec<CustomerId>>,
    first_sales_of: FxHashMap<CustomerId, BTreeMap<i64, Vec<NaiveDate>>>,
    /// Month-to-date facts of each distributor (with the month they are of) and their values.
    facts: FxHashMap<CustomerId, (NaiveDate, MonthFacts)>,
    /// Each distributor's last DSO and overdue ratio as read in floating point, with their
    /// decimals ([`facts::KeptRatio`]).
    ratios: FxHashMap<CustomerId, [facts::KeptRatio; 2]>,
    values: BTreeMap<String, KpiValues>,
    /// The scorecard of the month to date: every member's cells (distributors, regions, the
    /// root), kept current one distributor at a time.
    card: Scorecard<String>,
    /// The lights that changed since they were last reported: (member, KPI, from, to).
    pending: Vec<(String, String, Light, Light)>,
    /// Each distributor's alert on each KPI.
    alerts: BTreeMap<(String, String), AlertMachine>,
    /// The alerts as they stood before each closed month a posting can still move was stepped:
    /// where a late posting into that month steps them again from.
    alerts_before: BTreeMap<NaiveDate, BTreeMap<(String, String), AlertMachine>>,
    /// The last month whose alerts have stepped (its first day).
    closed_through: Option<NaiveDate>,
    /// The first and last days of the month after it ([`KpiState::next_to_close`]).
    next_close: Option<(NaiveDate, NaiveDate)>,
    /// Every distributor's values of each closed month kept (see [`history`]).
    closed_values: BTreeMap<NaiveDate, crate::kpi::MonthValues>,
    /// How many months are open for postings (the running totals are kept back to the first).
    open_months: u32,
}

impl KpiState {
    /// The state of a history on its `as_of`: running totals from every record, the values of
    /// the months the standard window reads, the lights of the month to date, and alerts run
    /// over the complete months of the window.
    pub(crate) fn new(
        d: &Dataset,
        (stock, book, index): (&StockState, &CreditBook, &Index),
        rule: AlertRule,
        open_months: u32,
    ) -> Result<Self> {
        let mut state = KpiState::start(d, rule, open_months)?;
        for s in &d.pos_sales {
            state.on_pos_sale(s);
        }
        state.finish(d, d.first_date(), (stock, book, index))?;
        Ok(state)
    }

    /// The running totals of `d`'s records but its POS sales (a distributor's node's day totals
    /// from its movements), before a bulk load adds the POS sales ([`KpiState::on_pos_sale`])
    /// and movements it streams ([`KpiState::on_movement`]).
    pub(crate) fn start(d: &Dataset, rule: AlertRule, open_months: u32) -> Result<Self> {
        let kpis = standard_kpis()?;
        let hierarchy = distributor_hierarchy(d)?;
        let card = Scorecard::build(&hierarchy, &kpis, &HashMap::new(), &HashMap::new())?;
        let mut state = KpiState {
            kpis,
            rule,
            hierarchy,
            distributors: Vec::new(),
            distributor_at: FxHashMap::default(),
            distributor_of: FxHashMap::default(),
            nodes: FxHashMap::default(),
            shop_owner: FxHashMap::default(),
            customers: FxHashMap::default(),
            first_sale: FxHashMap::default(),
            shop_distributors: FxHashMap::default(),
            first_sales_of: FxHashMap::default(),
            facts: FxHashMap::default(),
            ratios: FxHashMap::default(),
            values: BTreeMap::new(),
            card,
            pending: Vec::new(),
            alerts: BTreeMap::new(),
            alerts_before: BTreeMap::new(),
            closed_through: None,
            next_close: None,
            closed_values: BTreeMap::new(),
            open_months,
        };
        // The distributors' nodes' day totals start here, from every movement.
        // No alert stands yet to retire.
        state.refresh_customers(d)?;
        for i in &d.invoices {
            state.on_invoice(i);
        }
        for o in &d.orders {
            state.on_order(o);
        }
        for p in &d.payments {
            state.on_payment(p);
        }
        let orders: FxHashMap<_, _> = d.orders.iter().map(|o| (&o.id, o)).collect();
        for s in &d.shipments {
            if let Some(order) = orders.get(&s.order) {
                state.on_delivery(order, s, None);
            }
        }
        Ok(state)
    }

    /// Ends a bulk load whose history starts on `first`: the values of the months the
    /// standard window reads, the alerts run over its complete months, the totals no open month
    /// reads dropped, and the lights of the month to date.
    pub(crate) fn finish(
        &mut self,
        d: &Dataset,
        first: Option<NaiveDate>,
        (stock, book, index): (&StockState, &CreditBook, &Index),
    ) -> Result<()> {
        self.warm_alerts(d, first, stock, index, book.policy())?;
        // Kept back to the first month open on the clock (on a month's last day, that month).
        self.forget_before(self.first_to_keep(crate::kpi::first_of_month(d.as_of)));
        self.recompute_all(d, stock, book, index);
        // The lights of the history are where the engine starts, not changes.
        self.pending.clear();
        Ok(())
    }

    /// Re-reads the distributors, their nodes and shops, and the region tree (a customer or a
    /// node changed); the alerts of a distributor made another kind of customer are dropped,
    /// and those it had raised returned as resolved ([`KpiState::retire_alerts`]).
    pub(crate) fn refresh_customers(&mut self, d: &Dataset) -> Result<Vec<KpiChange>> {
        self.hierarchy = distributor_hierarchy(d)?;
        self.values.retain(|member, _| self.hierarchy.contains(member));
        self.rebuild_card()?;
        self.distributors = d
            .customers
            .iter()
            .filter(|c| c.kind == CustomerKind::Distributor)
            .map(|c| (c.id.clone(), c.node.clone()))
            .collect();
        self.distributor_at = self.distributors.iter().enumerate().map(|(i, (c, _))| (c.clone(), i)).collect();
        self.ratios.retain(|c, _| self.distributor_at.contains_key(c));
        let retired = self.retire_alerts();
        self.track_nodes(&d.movements);
        self.shop_owner.clear();
        self.distributor_of.clear();
        let mut shop_distributors: FxHashMap<NodeId, Vec<CustomerId>> = FxHashMap::default();
        for retailer in &d.customers {
            if let Some(parent) = &retailer.parent {
                self.distributor_of.insert(retailer.id.clone(), parent.clone());
                if let Some(node) = &retailer.node {
                    self.shop_owner.insert(node.clone(), parent.clone());
                    shop_distributors.entry(node.clone()).or_default().push(parent.clone());
                }
            }
        }
        // The first sale days by distributor follow the shops: kept while no shop moved.
        if shop_distributors == self.shop_distributors {
            return Ok(retired);
        }
        self.shop_distributors = shop_distributors;
        self.first_sales_of.clear();
        for (node, months) in &self.first_sale {
            for distributor in self.shop_distributors.get(node).into_iter().flatten() {
                let by_month = self.first_sales_of.entry(distributor.clone()).or_default();
                for (&month, &day) in months {
                    by_month.entry(month).or_default().push(day);
                }
            }
        }
        for days in self.first_sales_of.values_mut().flat_map(BTreeMap::values_mut) {
            days.sort_unstable();
        }
        Ok(retired)
    }

    /// A KPI's target, if it has one.
    pub(crate) fn target(&self, kpi: &str) -> Option<Decimal> {
        self.kpis.iter().find(|k| k.id == kpi).and_then(|k| k.target)
    }

    /// The month-to-date value of a distributor's KPI.
    pub(crate) fn value(&self, member: &str, kpi: &str) -> Option<Decimal> {
        self.values.get(member).and_then(|v| v.get(kpi))
    }
}

#[cfg(test)]
mod tests {
    use super::{ProductCache, swap_term};
    use crate::model::ProductId;
    use rust_decimal::Decimal;

    /// A bulk load's movements invalidate the caches of every distributor's node before any
    /// was read: they must not pile up (one entry a movement over the whole history, 90 MB of
    /// the main job's 250 at a thirtieth of the articles' size when they did).
    #[test]
    fn a_cache_never_read_keeps_nothing_to_compute_again() -> crate::Result<()> {
        let (a, b) = (ProductId::new("A")?, ProductId::new("B")?);
        let mut cache: ProductCache<u32, u32> = ProductCache::default();
        for _ in 0..1_000 {
            cache.invalidate(&a);
        }
        assert!(cache.stale.is_empty());
        let mut computed = Vec::new();
        assert!(cache.refresh(1, &[a.clone(), b.clone()], |p| u32::from(p == &b), |_, _| {}));
        cache.invalidate(&b);
        assert!(!cache.refresh(
            1,
            &[a.clone(), b.clone()],
            |p| {
                computed.push(p.clone());
                7
            },
            |old, _| assert_eq!(old, Some(1))
        ));
        assert_eq!((computed, cache.get(&1, &b)), (vec![b.clone()], Some(&7)));
        Ok(())
    }

    #[test]
    fn a_term_swapped_in_a_sum_gives_the_fresh_sum_to_the_scale_or_nothing() {
        let d = |text: &str| text.parse::<Decimal>().unwrap_or_default();
        // 1.50 + 2 + 3.25 = 6.75; 1.50 swapped for 4.15: 9.40, as 4.15 + 2 + 3.25 makes it.
        let swapped = swap_term(d("6.75"), d("1.50"), d("4.15"));
        assert_eq!(swapped.map(|s| s.to_string()), Some("9.40".to_owned()));
        // For 4.1 the fresh sum is 9.35 only because 3.25 keeps two places: not known here.
        assert_eq!(swap_term(d("6.75"), d("1.50"), d("4.1")), None);
        // 1.125 + 2 = 3.125; 1.125 swapped for 1: the fresh sum is "3", not "3.000".
        assert_eq!(swap_term(d("3.125"), d("1.125"), d("1")), None);
        // A term of a smaller scale than the sum's swapped for a smaller one still: exact.
        let swapped = swap_term(d("3.125"), d("1.5"), d("1"));
        assert_eq!(swapped.map(|s| s.to_string()), Some("2.625".to_owned()));
        assert_eq!(swap_term(Decimal::MAX, Decimal::MIN, Decimal::ONE), None);
        // The same digits and scale: the sum as it was; the same value at another scale is not.
        let same = swap_term(d("6.75"), d("1.50"), d("1.50"));
        assert_eq!(same.map(|s| s.to_string()), Some("6.75".to_owned()));
        assert_eq!(swap_term(d("6.75"), d("1.50"), d("1.5")), None);
    }
}
