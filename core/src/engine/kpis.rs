//! The standard KPIs kept live: per distributor, the month-to-date facts the catalogue's
//! formulas read ([`crate::kpi::MonthFacts`]), gathered from running totals by day instead of a
//! scan of history; their lights, rolled up the regions; and an alert state machine per
//! distributor and KPI, stepped at each month close.
//!
//! What one event costs here is bounded by what it touches: one customer's running totals, one
//! node's, one pair's, and the recomputation of the KPIs of the distributor it belongs to (its
//! own node's products, its own shops). Lights roll up the region tree only when a leaf light
//! changed.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::kpi::{
    AlertEvent, AlertEventKind, AlertMachine, AlertRule, COVER_WINDOW_DAYS, KpiDefinition, KpiInput, Light, MonthFacts,
    Scorecard, distributor_hierarchy, first_of_month, last_complete_month, on_time_in_full, standard_kpis,
    wape_of_terms, wape_terms,
};
use crate::model::{
    CustomerId, CustomerKind, Hierarchy, Invoice, InvoiceKind, MovementKind, NodeId, PosSale, ProductId, SalesOrder,
    Shipment, StockMovement, TargetScope,
};
use crate::spi::{HealthOptions, Period, StockStatus, stock_status};

use super::index::Index;
use super::stock::StockState;

/// A KPI's light that changed, or an alert's transition, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KpiChange {
    /// A member's light of a KPI changed colour.
    Light { kpi: String, member: String, from: Light, to: Light, value: Option<Decimal> },
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

impl From<AlertEvent<String>> for KpiChange {
    fn from(event: AlertEvent<String>) -> Self {
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

fn sum_between(days: &BTreeMap<NaiveDate, Decimal>, from: NaiveDate, to: NaiveDate) -> Decimal {
    if from > to { Decimal::ZERO } else { days.range(from..=to).map(|(_, v)| *v).sum() }
}

/// Per node: the month of its products' forecast-error terms, and the terms.
type WapeCache = FxHashMap<NodeId, (i64, FxHashMap<ProductId, Option<(f64, f64)>>)>;

/// Per node: the day and month of its products' (dead-or-slow value, value), and those.
type HealthCache = FxHashMap<NodeId, ((NaiveDate, i64), FxHashMap<ProductId, (Decimal, Decimal)>)>;

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
    /// A retailer's distributor, and each distributor's shops (their nodes).
    distributor_of: FxHashMap<CustomerId, CustomerId>,
    shops_of: FxHashMap<CustomerId, Vec<NodeId>>,
    /// The distributor operating each node, and the distributor of each shop's node.
    node_owner: FxHashMap<NodeId, CustomerId>,
    shop_owner: FxHashMap<NodeId, CustomerId>,
    /// Each node's products' forecast-error terms of a month, a product's kept until a sale of
    /// it at the node changes them.
    wape: WapeCache,
    /// Each node's products' (dead-or-slow value, value) on a day for a month, a product's kept
    /// until a movement of it at the node.
    health: HealthCache,
    customers: FxHashMap<CustomerId, CustomerDays>,
    /// Sales per node and day (days of cover).
    sales_days: FxHashMap<NodeId, BTreeMap<NaiveDate, Decimal>>,
    /// Issues per node x product and day (dead and slow stock).
    issue_days: FxHashMap<(NodeId, ProductId), BTreeMap<NaiveDate, Decimal>>,
    /// The first POS sale of each shop in each month.
    first_sale: FxHashMap<NodeId, BTreeMap<i64, NaiveDate>>,
    /// Month-to-date facts of each distributor (with the month they are of) and their values.
    facts: FxHashMap<CustomerId, (NaiveDate, MonthFacts)>,
    values: BTreeMap<String, BTreeMap<&'static str, Option<Decimal>>>,
    /// The scorecard of the month to date: every member's cells (distributors, regions, the
    /// root), kept current one distributor at a time.
    card: Scorecard<String>,
    /// The lights that changed since they were last reported: (member, KPI, from, to).
    pending: Vec<(String, String, Light, Light)>,
    /// Each distributor's alert on each KPI.
    alerts: BTreeMap<(String, String), AlertMachine>,
    /// The last month whose alerts have stepped (its first day).
    closed_through: Option<NaiveDate>,
}

impl KpiState {
    /// The state of a history on its `as_of`: running totals from every record, the lights of
    /// the month to date, and alerts run over the `warm_months` complete months before it.
    pub(crate) fn new(
        d: &Dataset,
        stock: &StockState,
        book: &CreditBook,
        index: &Index,
        rule: AlertRule,
    ) -> Result<Self> {
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
            shops_of: FxHashMap::default(),
            node_owner: FxHashMap::default(),
            shop_owner: FxHashMap::default(),
            wape: FxHashMap::default(),
            health: FxHashMap::default(),
            customers: FxHashMap::default(),
            sales_days: FxHashMap::default(),
            issue_days: FxHashMap::default(),
            first_sale: FxHashMap::default(),
            facts: FxHashMap::default(),
            values: BTreeMap::new(),
            card,
            pending: Vec::new(),
            alerts: BTreeMap::new(),
            closed_through: None,
        };
        state.refresh_customers(d)?;
        for m in &d.movements {
            state.on_movement(m);
        }
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
        for s in &d.pos_sales {
            state.on_pos_sale(s);
        }
        state.warm_alerts(d)?;
        if let Some(next) = state.closed_through.and_then(|m| m.checked_add_months(Months::new(1))) {
            state.forget_before(next);
        }
        state.recompute_all(d, stock, book, index);
        // The lights of the history are where the engine starts, not changes.
        state.pending.clear();
        Ok(state)
    }

    /// Runs the alerts over the twelve complete months up to the clock (a month is complete once
    /// the clock reaches its last day), with the batch catalogue (once, at bulk load), so that
    /// their timers stand where the history left them.
    fn warm_alerts(&mut self, d: &Dataset) -> Result<()> {
        let Some(last) = last_complete_month(d.as_of) else { return Ok(()) };
        self.closed_through = Some(last);
        let months = crate::kpi::months_in_data(d, last, 12);
        if d.first_date().is_none_or(|first| first > last) {
            return Ok(());
        }
        let periods = crate::kpi::months_up_to(last, months);
        let history = crate::kpi::standard_history(d, &periods)?;
        for (period, inputs) in periods.iter().zip(&history) {
            for (member, _) in &self.distributors {
                for kpi in &self.kpis {
                    let value = inputs.get(&(member.to_string(), kpi.id.clone())).and_then(|i| i.value);
                    let machine = self
                        .alerts
                        .entry((member.to_string(), kpi.id.clone()))
                        .or_insert_with(|| AlertMachine::new(&self.rule));
                    machine.step(kpi, &self.rule, &member.to_string(), *period, value);
                }
            }
        }
        Ok(())
    }

    /// Re-reads the distributors, their nodes and shops, and the region tree (a customer or a
    /// node changed).
    pub(crate) fn refresh_customers(&mut self, d: &Dataset) -> Result<()> {
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
        self.node_owner = self.distributors.iter().filter_map(|(c, n)| Some((n.clone()?, c.clone()))).collect();
        self.shops_of.clear();
        self.shop_owner.clear();
        self.distributor_of.clear();
        for retailer in &d.customers {
            if let Some(parent) = &retailer.parent {
                self.distributor_of.insert(retailer.id.clone(), parent.clone());
                if let Some(node) = &retailer.node {
                    self.shops_of.entry(parent.clone()).or_default().push(node.clone());
                    self.shop_owner.insert(node.clone(), parent.clone());
                }
            }
        }
        Ok(())
    }

    pub(crate) fn on_movement(&mut self, m: &StockMovement) {
        if let Some((_, products)) = self.health.get_mut(&m.node) {
            products.remove(&m.product);
        }
        if m.kind == MovementKind::Sale {
            if let Some((_, products)) = self.wape.get_mut(&m.node) {
                products.remove(&m.product);
            }
            *self.sales_days.entry(m.node.clone()).or_default().entry(m.date).or_default() += m.quantity;
        }
        if matches!(m.kind, MovementKind::Sale | MovementKind::TransferOut | MovementKind::SupplierReturn) {
            let days = self.issue_days.entry((m.node.clone(), m.product.clone())).or_default();
            *days.entry(m.date).or_default() += m.quantity;
        }
    }

    pub(crate) fn on_invoice(&mut self, i: &Invoice) {
        let days = self.customers.entry(i.customer.clone()).or_default();
        *days.revenue.entry(i.date).or_default() += i.signed_amount();
        if i.kind == InvoiceKind::Invoice {
            *days.due.entry(i.due_date).or_default() += i.amount();
        }
    }

    pub(crate) fn on_order(&mut self, o: &SalesOrder) {
        let slot = self.customers.entry(o.customer.clone()).or_default().orders.entry(o.order_date).or_default();
        *slot = (slot.0 + o.total(), slot.1 + 1);
    }

    pub(crate) fn on_payment(&mut self, p: &crate::model::Payment) {
        *self.customers.entry(p.customer.clone()).or_default().paid.entry(p.date).or_default() += p.amount;
    }

    /// A shipment of `order` delivered (or delivered again: `before` is its earlier delivery).
    pub(crate) fn on_delivery(&mut self, order: &SalesOrder, shipment: &Shipment, before: Option<&Shipment>) {
        let deliveries = &mut self.customers.entry(order.customer.clone()).or_default().deliveries;
        if let Some(old) = before
            && let Some(day) = old.delivered_date
            && let Some(slot) = deliveries.get_mut(&Period::Month.number(day))
        {
            let good = u32::from(on_time_in_full(order, old));
            *slot = (slot.0.saturating_sub(1), slot.1.saturating_sub(good));
        }
        if let Some(day) = shipment.delivered_date {
            let slot = deliveries.entry(Period::Month.number(day)).or_default();
            *slot = (slot.0 + 1, slot.1 + u32::from(on_time_in_full(order, shipment)));
        }
    }

    /// Notes a POS sale; true when it is its shop's first of the month (or earlier than the
    /// first known): only then can it move a KPI (active retailers).
    pub(crate) fn on_pos_sale(&mut self, s: &PosSale) -> bool {
        let months = self.first_sale.entry(s.node.clone()).or_default();
        match months.get_mut(&Period::Month.number(s.date)) {
            Some(first) if *first <= s.date => false,
            Some(first) => {
                *first = s.date;
                true
            }
            None => {
                months.insert(Period::Month.number(s.date), s.date);
                true
            }
        }
    }

    /// The distributor whose KPIs a record of `customer` or at `node` moves.
    pub(crate) fn distributor_touched(
        &self,
        customer: Option<&CustomerId>,
        node: Option<&NodeId>,
    ) -> Option<CustomerId> {
        if let Some(owner) = node.and_then(|n| self.node_owner.get(n)) {
            return Some(owner.clone());
        }
        let customer = customer?;
        if self.distributor_at.contains_key(customer) {
            return Some(customer.clone());
        }
        self.distributor_of.get(customer).cloned()
    }

    /// The distributor whose shop `node` is.
    pub(crate) fn shop_owner(&self, node: &NodeId) -> Option<CustomerId> {
        self.shop_owner.get(node).cloned()
    }

    /// A node's forecast error of month number `month`: each product's terms from the cache
    /// while no sale of it at the node changed them.
    fn wape_of(&mut self, node: &NodeId, month: i64, stock: &StockState) -> Option<Decimal> {
        let entry = self.wape.entry(node.clone()).or_default();
        if entry.0 != month {
            *entry = (month, FxHashMap::default());
        }
        let products = stock.products_at(node);
        for product in products {
            if !entry.1.contains_key(product) {
                entry.1.insert(product.clone(), wape_terms(&stock.sales_history(node, product, month)));
            }
        }
        wape_of_terms(products.iter().filter_map(|p| entry.1.get(p).copied().flatten()))
    }

    /// Brings `node`'s stock health on `end` (for month number `month`) up to date: each
    /// product's from the cache while no movement of it changed it.
    fn refresh_health(&mut self, node: &NodeId, month: i64, end: NaiveDate, parts: (&Dataset, &StockState, &Index)) {
        let (d, stock, index) = parts;
        let entry = self.health.entry(node.clone()).or_default();
        if entry.0 != (end, month) {
            *entry = ((end, month), FxHashMap::default());
        }
        let options = HealthOptions::new(end);
        let window_from = (end - Days::new(u64::from(options.cover_window_days))) + Days::new(1);
        for product in stock.products_at(node) {
            if entry.1.contains_key(product) {
                continue;
            }
            let issues = self.issue_days.get(&(node.clone(), product.clone()));
            let last_issue = issues.and_then(|days| days.range(..=end).next_back().map(|(day, _)| *day));
            let window = issues.map_or(Decimal::ZERO, |days| sum_between(days, window_from, end));
            let on_hand = stock.closing_in(node, product, month);
            let (status, _) = stock_status(on_hand, last_issue, window, &options);
            let cost =
                index.products.get(product).and_then(|&i| d.products.get(i)).map_or(Decimal::ZERO, |p| p.standard_cost);
            let value = on_hand.max(Decimal::ZERO) * cost;
            let bad = if matches!(status, StockStatus::Dead | StockStatus::Slow) { value } else { Decimal::ZERO };
            entry.1.insert(product.clone(), (bad, value));
        }
    }

    /// The facts of `distributor`'s month starting `start`, up to `end`: every facet.
    fn facts(
        &self,
        who: (&CustomerId, Option<&NodeId>),
        days: (NaiveDate, NaiveDate),
        forecast_wape: Option<Decimal>,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> MonthFacts {
        let mut facts = MonthFacts::default();
        for facet in Facet::ALL {
            self.fill(&mut facts, facet, who, days, forecast_wape, parts);
        }
        facts
    }

    /// Fills one facet of `facts` (the fields one kind of event moves).
    fn fill(
        &self,
        facts: &mut MonthFacts,
        facet: Facet,
        (id, node): (&CustomerId, Option<&NodeId>),
        (start, end): (NaiveDate, NaiveDate),
        forecast_wape: Option<Decimal>,
        (d, stock, book, index): (&Dataset, &StockState, &CreditBook, &Index),
    ) {
        let month = Period::Month.number(start);
        let year_before = |day: NaiveDate| day.checked_sub_months(Months::new(12)).unwrap_or(day);
        let blank = CustomerDays::default();
        let c = self.customers.get(id).unwrap_or(&blank);
        match facet {
            Facet::Stock => {
                let flows = node.map(|n| stock.node_month(n, month)).unwrap_or_default();
                let window_from = (end - Days::new(u64::from(COVER_WINDOW_DAYS))) + Days::new(1);
                (facts.opening, facts.receipts, facts.sales, facts.closing) =
                    (flows.opening, flows.receipts, flows.sales, flows.closing);
                facts.window_sales = node
                    .and_then(|n| self.sales_days.get(n))
                    .map_or(Decimal::ZERO, |s| sum_between(s, window_from, end));
                (facts.dead_or_slow, facts.stock_value) =
                    node.map_or((Decimal::ZERO, Decimal::ZERO), |n| self.stock_health(n));
                facts.forecast_wape = forecast_wape;
            }
            Facet::Money => {
                facts.revenue = sum_between(&c.revenue, start, end);
                facts.revenue_last_year = sum_between(&c.revenue, year_before(start), year_before(end));
                facts.plan = index
                    .sales_targets
                    .get(&(TargetScope::Customer(id.clone()), start))
                    .and_then(|&i| d.sales_targets.get(i))
                    .map_or(Decimal::ZERO, |t| t.revenue);
                facts.paid = sum_between(&c.paid, start, end);
                facts.due = sum_between(&c.due, start, end);
                let float = |x: Option<f64>| {
                    x.and_then(rust_decimal::prelude::FromPrimitive::from_f64).map(|v: Decimal| v.round_dp(4))
                };
                facts.dso = float(book.receivables().dso_simple(Some(id), end, 90));
                facts.overdue_ratio = float(book.receivables().overdue_ratio(Some(id), end));
            }
            Facet::Orders => {
                let between = |from: NaiveDate, to: NaiveDate| {
                    if from > to {
                        return (Decimal::ZERO, 0);
                    }
                    c.orders.range(from..=to).fold((Decimal::ZERO, 0), |(s, n), (_, (v, k))| (s + v, n + k))
                };
                facts.orders = between(start, end);
                facts.orders_last_year = between(year_before(start), year_before(end));
            }
            Facet::Deliveries => {
                let (delivered, good) = c.deliveries.get(&month).copied().unwrap_or_default();
                facts.otif = (delivered > 0).then(|| Decimal::from(good) / Decimal::from(delivered));
            }
            Facet::Shops => {
                facts.selling_shops = self.selling_shops(id, start, end);
                facts.selling_shops_last_year = self.selling_shops(id, year_before(start), year_before(end));
            }
        }
    }

    /// Dead-or-slow and total stock value at `node` (the inventory-health rule), from the cache
    /// [`KpiState::refresh_health`] brought up to date.
    fn stock_health(&self, node: &NodeId) -> (Decimal, Decimal) {
        self.health.get(node).map_or((Decimal::ZERO, Decimal::ZERO), |(_, products)| {
            products.values().fold((Decimal::ZERO, Decimal::ZERO), |(b, a), (bad, value)| (b + bad, a + value))
        })
    }

    /// How many of a distributor's shops first sold in `from`'s month between `from` and `to`.
    fn selling_shops(&self, distributor: &CustomerId, from: NaiveDate, to: NaiveDate) -> usize {
        let month = Period::Month.number(from);
        self.shops_of.get(distributor).map_or(0, |shops| {
            shops
                .iter()
                .filter(|n| self.first_sale.get(*n).and_then(|m| m.get(&month)).is_some_and(|d| *d >= from && *d <= to))
                .count()
        })
    }

    /// Recomputes the `facets` of one distributor's month-to-date facts (every facet when they
    /// are of another day), then its values; returns whether a light of its own, or a value a
    /// roll-up weighs (a weighted score), changed: only then do the roll-ups move.
    pub(crate) fn recompute(
        &mut self,
        distributor: &CustomerId,
        facets: &[Facet],
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> bool {
        let found = self.distributor_at.get(distributor).and_then(|&i| self.distributors.get(i));
        let Some((id, node)) = found.cloned() else {
            return false;
        };
        let as_of = parts.0.as_of;
        let start = first_of_month(as_of);
        let stale = self.facts.get(&id).is_none_or(|(day, _)| *day != as_of);
        let wape = if facets.contains(&Facet::Stock) || stale {
            let month = Period::Month.number(start);
            if let Some(n) = &node {
                self.refresh_health(n, month, as_of, (parts.0, parts.1, parts.3));
            }
            node.as_ref().and_then(|n| self.wape_of(n, month, parts.1))
        } else {
            None
        };
        let facts = match self.facts.remove(&id) {
            Some((day, mut facts)) if day == as_of => {
                for facet in facets {
                    self.fill(&mut facts, *facet, (&id, node.as_ref()), (start, as_of), wape, parts);
                }
                facts
            }
            _ => self.facts((&id, node.as_ref()), (start, as_of), wape, parts),
        };
        let values = facts.values();
        self.facts.insert(id.clone(), (as_of, facts));
        let key = id.to_string();
        let inputs = inputs_of(&values);
        self.values.insert(key.clone(), values);
        // The distributors and the card's tree come from the same customers
        // (`refresh_customers`), and the values from the same catalogue as the card's KPIs: the
        // card knows every member and KPI it is given here.
        match self.card.set_inputs(&self.hierarchy, &key, &inputs, &HashMap::new()) {
            Ok(changed) => {
                let moved = !changed.is_empty();
                self.pending.extend(changed);
                moved
            }
            Err(_) => false,
        }
    }

    /// Recomputes every distributor's values (the day changed: windows and ages moved).
    pub(crate) fn recompute_all(&mut self, d: &Dataset, stock: &StockState, book: &CreditBook, index: &Index) {
        let ids: Vec<CustomerId> = self.distributors.iter().map(|(c, _)| c.clone()).collect();
        for id in ids {
            self.facts.remove(&id);
            self.recompute(&id, &Facet::ALL, (d, stock, book, index));
        }
    }

    /// The card rebuilt from every distributor's values (the tree changed); the lights that
    /// differ from the card before are pending changes.
    fn rebuild_card(&mut self) -> Result<()> {
        let inputs: HashMap<(String, String), KpiInput> = self
            .values
            .iter()
            .flat_map(|(member, values)| {
                inputs_of(values).into_iter().map(move |(kpi, input)| ((member.clone(), kpi), input))
            })
            .collect();
        let card = Scorecard::build(&self.hierarchy, &self.kpis, &inputs, &HashMap::new())?;
        let (before, after) = (card_lights(&self.card), card_lights(&card));
        for key in before.keys().chain(after.keys()) {
            let from = before.get(key).copied().unwrap_or(Light::Grey);
            let to = after.get(key).copied().unwrap_or(Light::Grey);
            if from != to {
                self.pending.push((key.0.clone(), key.1.clone(), from, to));
            }
        }
        self.card = card;
        Ok(())
    }

    /// The lights that changed since the last call, in member and KPI order: a light that
    /// changed more than once since is reported once, from where it was to where it is.
    pub(crate) fn light_changes(&mut self) -> Vec<KpiChange> {
        let mut net: BTreeMap<(String, String), (Light, Light)> = BTreeMap::new();
        for (member, kpi, from, to) in self.pending.drain(..) {
            net.entry((member, kpi)).and_modify(|(_, last)| *last = to).or_insert((from, to));
        }
        net.into_iter()
            .filter(|(_, (from, to))| from != to)
            .map(|((member, kpi), (from, to))| {
                let value = self.values.get(&member).and_then(|v| v.get(kpi.as_str()).copied().flatten());
                KpiChange::Light { member, kpi, from, to, value }
            })
            .collect()
    }

    /// Drops the running totals that no month from the one starting `next` on can read, so the
    /// state stays the size of its windows however long the history: day totals before the
    /// 90-day windows (sales for days of cover, issues for dead and slow stock, of which each
    /// product's last issue day is kept: dead stock counts the days since), revenue, orders
    /// and shops' first sales before last year's same month, payments and amounts falling due
    /// before `next`, and deliveries of earlier months.
    fn forget_before(&mut self, next: NaiveDate) {
        let window_days = HealthOptions::new(next).cover_window_days.max(COVER_WINDOW_DAYS);
        let window = next - Days::new(u64::from(window_days));
        let last_year = next.checked_sub_months(Months::new(12)).unwrap_or(next);
        let month = Period::Month.number(next);
        for days in self.sales_days.values_mut() {
            *days = days.split_off(&window);
        }
        for days in self.issue_days.values_mut() {
            let last = days.range(..window).next_back().map(|(day, quantity)| (*day, *quantity));
            *days = days.split_off(&window);
            if let Some((day, quantity)) = last {
                days.insert(day, quantity);
            }
        }
        let last_year_month = Period::Month.number(last_year);
        for months in self.first_sale.values_mut() {
            *months = months.split_off(&last_year_month);
        }
        for c in self.customers.values_mut() {
            c.revenue = c.revenue.split_off(&last_year);
            c.orders = c.orders.split_off(&last_year);
            c.paid = c.paid.split_off(&next);
            c.due = c.due.split_off(&next);
            c.deliveries = c.deliveries.split_off(&month);
        }
    }

    /// The first month not closed yet, when it ends on or before `day`.
    pub(crate) fn next_to_close(&self, day: NaiveDate) -> Option<NaiveDate> {
        let next = match self.closed_through {
            Some(closed) => closed.checked_add_months(Months::new(1))?,
            None => first_of_month(day),
        };
        let end = next.checked_add_months(Months::new(1))? - Days::new(1);
        (end <= day).then_some(next)
    }

    /// Closes the month starting `month` (the engine's state stands on its last day): steps
    /// every alert with the month's final values; returns the transitions.
    pub(crate) fn close_month(
        &mut self,
        month: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Vec<KpiChange> {
        self.closed_through = Some(month);
        let end = month.checked_add_months(Months::new(1)).map_or(month, |d| d - Days::new(1));
        let mut changes = Vec::new();
        let distributors = self.distributors.clone();
        for (id, node) in &distributors {
            let number = Period::Month.number(month);
            if let Some(n) = node {
                self.refresh_health(n, number, end, (parts.0, parts.1, parts.3));
            }
            let wape = node.as_ref().and_then(|n| self.wape_of(n, number, parts.1));
            let values = self.facts((id, node.as_ref()), (month, end), wape, parts).values();
            for kpi in &self.kpis {
                let value = values.get(kpi.id.as_str()).copied().flatten();
                let machine = self
                    .alerts
                    .entry((id.to_string(), kpi.id.clone()))
                    .or_insert_with(|| AlertMachine::new(&self.rule));
                if let Some(event) = machine.step(kpi, &self.rule, &id.to_string(), month, value) {
                    changes.push(event.into());
                }
            }
        }
        if let Some(next) = month.checked_add_months(Months::new(1)) {
            self.forget_before(next);
        }
        changes
    }

    /// A KPI's target, if it has one.
    pub(crate) fn target(&self, kpi: &str) -> Option<Decimal> {
        self.kpis.iter().find(|k| k.id == kpi).and_then(|k| k.target)
    }

    /// The month-to-date value of a distributor's KPI.
    pub(crate) fn value(&self, member: &str, kpi: &str) -> Option<Decimal> {
        self.values.get(member).and_then(|v| v.get(kpi).copied().flatten())
    }

    /// Every member's light of every KPI, sorted.
    pub(crate) fn lights(&self) -> BTreeMap<(String, String), Light> {
        card_lights(&self.card)
    }

    /// Where every alert stands, Grafana's way.
    pub(crate) fn alert_states(&self) -> Vec<AlertStatus> {
        self.alerts
            .iter()
            .map(|((member, kpi), machine)| {
                let last = self.values.get(member).and_then(|v| v.get(kpi.as_str()).copied().flatten());
                let state = AlertStatus::state_name(machine, last.is_some());
                AlertStatus { member: member.clone(), kpi: kpi.clone(), state, raised: machine.raised() }
            })
            .collect()
    }
}

/// A distributor's values as the scorecard's inputs (this period's value only).
fn inputs_of(values: &BTreeMap<&'static str, Option<Decimal>>) -> HashMap<String, KpiInput> {
    values
        .iter()
        .map(|(kpi, value)| ((*kpi).to_owned(), KpiInput { value: *value, previous: None, last_year: None }))
        .collect()
}

/// Every cell's light of a card, by (member, KPI).
fn card_lights(card: &Scorecard<String>) -> BTreeMap<(String, String), Light> {
    card.cells
        .iter()
        .flat_map(|(member, row)| row.iter().map(move |(kpi, cell)| ((member.clone(), kpi.clone()), cell.light())))
        .collect()
}
