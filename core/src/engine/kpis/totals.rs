//! The running totals by day an event adds to (a customer's revenue, amounts due, orders,
//! payments and deliveries; a node's sales and issues; a shop's first sale of each month), the
//! distributor an event touches, and the totals dropped once no open month reads them.

use chrono::{Months, NaiveDate};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{KpiState, NodeKpis};
use crate::kpi::{COVER_WINDOW_DAYS, on_time_in_full};
use crate::model::{
    CustomerId, Invoice, InvoiceKind, MovementKind, NodeId, PosSale, ProductId, SalesOrder, Shipment, StockMovement,
};
use crate::spi::{HealthOptions, Period};

impl KpiState {
    /// A product's master data changed (its standard cost values its stock): its cached stock
    /// facts are forgotten at every node; returns the distributors whose node holds it, whose
    /// stock facts must be read again.
    pub(crate) fn on_product(&mut self, product: &ProductId) -> Vec<CustomerId> {
        let mut touched = Vec::new();
        for node in self.nodes.values_mut() {
            if node.health.products.holds(product) {
                node.health.products.invalidate(product);
                touched.push(node.owner.clone());
            }
        }
        touched.sort();
        touched
    }

    /// A movement booked: at a distributor's node, its caches of the product forgotten and the
    /// movement added to the node's sales and issues by day. Returns the distributor operating
    /// the node, whose KPIs it touched.
    pub(crate) fn on_movement(&mut self, m: &StockMovement) -> Option<CustomerId> {
        let node = self.nodes.get_mut(&m.node)?;
        node.health.products.invalidate(&m.product);
        if m.kind == MovementKind::Sale {
            node.wape.invalidate(&m.product);
            node.forecasts.on_sale(&m.product, Period::Month.number(m.date));
        }
        node.add_days(m);
        Some(node.owner.clone())
    }

    /// Keeps a node entry for each distributor's node (no KPI reads a shop's): drops those of
    /// nodes no distributor operates any more, and starts those of nodes that became a
    /// distributor's, their day totals from the history's `movements`.
    pub(super) fn track_nodes(&mut self, movements: &[StockMovement]) {
        let owners: FxHashMap<NodeId, CustomerId> =
            self.distributors.iter().filter_map(|(c, n)| Some((n.clone()?, c.clone()))).collect();
        self.nodes.retain(|node, _| owners.contains_key(node));
        let mut added = FxHashSet::default();
        for (node, owner) in owners {
            match self.nodes.get_mut(&node) {
                Some(kept) => kept.owner = owner,
                None => {
                    self.nodes.insert(node.clone(), NodeKpis::new(owner));
                    added.insert(node);
                }
            }
        }
        if added.is_empty() {
            return;
        }
        for m in movements.iter().filter(|m| added.contains(&m.node)) {
            if let Some(node) = self.nodes.get_mut(&m.node) {
                node.add_days(m);
            }
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
        let months = match self.first_sale.get_mut(&s.node) {
            Some(months) => months,
            None => self.first_sale.entry(s.node.clone()).or_default(),
        };
        let month = Period::Month.number(s.date);
        let before = match months.get_mut(&month) {
            Some(first) if *first <= s.date => return false,
            Some(first) => Some(std::mem::replace(first, s.date)),
            None => {
                months.insert(month, s.date);
                None
            }
        };
        for distributor in self.shop_distributors.get(&s.node).into_iter().flatten() {
            let days = self.first_sales_of.entry(distributor.clone()).or_default().entry(month).or_default();
            if let Some(at) = before.and_then(|day| days.binary_search(&day).ok()) {
                days.remove(at);
            }
            let at = days.partition_point(|day| *day <= s.date);
            days.insert(at, s.date);
        }
        true
    }

    /// The distributor whose KPIs a record of `customer` moves: the customer itself, or the
    /// distributor of a retailer.
    pub(crate) fn distributor_touched(&self, customer: &CustomerId) -> Option<CustomerId> {
        if self.distributor_at.contains_key(customer) {
            return Some(customer.clone());
        }
        self.distributor_of.get(customer).cloned()
    }

    /// The distributor whose shop `node` is.
    pub(crate) fn shop_owner(&self, node: &NodeId) -> Option<CustomerId> {
        self.shop_owner.get(node).cloned()
    }

    /// Drops the running totals that no month from the one starting `next` on can read, so the
    /// state stays the size of its windows however long the history: day totals before the
    /// 90-day windows (sales for days of cover, issues for dead and slow stock, of which each
    /// product's last issue day is kept: dead stock counts the days since), revenue, orders
    /// and shops' first sales before last year's same month, payments and amounts falling due
    /// before `next`, and deliveries of earlier months.
    pub(super) fn forget_before(&mut self, next: NaiveDate) {
        let window_days = HealthOptions::new(next).cover_window_days.max(COVER_WINDOW_DAYS);
        let window = crate::kpi::days_before(next, u64::from(window_days));
        let last_year = next.checked_sub_months(Months::new(12)).unwrap_or(next);
        let month = Period::Month.number(next);
        for node in self.nodes.values_mut() {
            for days in std::iter::once(&mut node.sales_days).chain(node.issue_days.values_mut()) {
                days.forget_before(window);
            }
        }
        let last_year_month = Period::Month.number(last_year);
        for months in self.first_sale.values_mut() {
            *months = months.split_off(&last_year_month);
        }
        for months in self.first_sales_of.values_mut() {
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
}

impl NodeKpis {
    /// Adds a movement at the node to its sales and issues by day.
    fn add_days(&mut self, m: &StockMovement) {
        if m.kind == MovementKind::Sale {
            self.sales_days.add(m.date, m.quantity);
        }
        if matches!(m.kind, MovementKind::Sale | MovementKind::TransferOut | MovementKind::SupplierReturn) {
            let days = match self.issue_days.get_mut(&m.product) {
                Some(days) => days,
                None => self.issue_days.entry(m.product.clone()).or_default(),
            };
            days.add(m.date, m.quantity);
        }
    }
}
