//! What is on order at each node: the ordered quantities of its customer's orders that may still
//! bring goods, less what their shipments delivered. Read from every order of the records (the
//! batch), or from the rows the live engine keeps of the orders still open, so that a suggestion
//! at a month close reads those orders and their shipments, not the whole history.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;

use crate::dataset::Dataset;
use crate::model::{CustomerId, NodeId, OrderId, OrderStatus, ProductId, SalesOrder, Shipment};

/// The rows of a dataset's orders that may still bring goods (open, partly shipped or shipped),
/// and the shipment rows of every order, kept as orders, statuses and shipments arrive.
///
/// Its rows are positions in the dataset's `orders` and `shipments`, which only grow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OpenOrderRows {
    orders: BTreeSet<usize>,
    shipments: FxHashMap<usize, Vec<usize>>,
}

impl OpenOrderRows {
    /// The rows of `dataset`, whose orders sit at the rows `order_rows` gives.
    pub(crate) fn of(dataset: &Dataset, order_rows: &FxHashMap<OrderId, usize>) -> Self {
        let mut rows = OpenOrderRows::default();
        for (row, order) in dataset.orders.iter().enumerate() {
            rows.set_status(row, order.status);
        }
        for (row, shipment) in dataset.shipments.iter().enumerate() {
            if let Some(&order) = order_rows.get(&shipment.order) {
                rows.add_shipment(order, row);
            }
        }
        rows
    }

    /// Notes the status of the order at row `order` (a new order, or its status changed).
    pub(crate) fn set_status(&mut self, order: usize, status: OrderStatus) {
        if may_still_bring_goods(status) {
            self.orders.insert(order);
        } else {
            self.orders.remove(&order);
        }
    }

    /// Notes the shipment at row `shipment` of the order at row `order`.
    pub(crate) fn add_shipment(&mut self, order: usize, shipment: usize) {
        self.shipments.entry(order).or_default().push(shipment);
    }
}

/// The open orders the live engine keeps, with where each customer sits in the dataset (to find
/// an order's node without a map of every customer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenOrders<'a> {
    /// The rows of the orders that may still bring goods, and of every order's shipments.
    pub(crate) rows: &'a OpenOrderRows,
    /// Each customer's row in the dataset.
    pub(crate) customers: &'a FxHashMap<CustomerId, usize>,
}

/// Whether an order in `status` may still bring goods.
fn may_still_bring_goods(status: OrderStatus) -> bool {
    matches!(status, OrderStatus::Open | OrderStatus::PartiallyShipped | OrderStatus::Shipped)
}

/// Ordered but not yet delivered to each of `nodes` on `as_of`, from the orders that may still
/// bring goods of the customer each node belongs to: all of the dataset's orders are read, or
/// only those `open` keeps.
pub(super) fn open_order_quantities<'a>(
    dataset: &'a Dataset,
    nodes: &FxHashSet<&'a NodeId>,
    as_of: NaiveDate,
    open: Option<OpenOrders<'_>>,
) -> FxHashMap<(&'a NodeId, &'a ProductId), Decimal> {
    // The engine finds a customer's node through its index; the batch maps every customer once.
    let every_customer: Option<FxHashMap<&CustomerId, &NodeId>> =
        open.is_none().then(|| dataset.customers.iter().filter_map(|c| Some((&c.id, c.node.as_ref()?))).collect());
    let node_of = |customer: &CustomerId| -> Option<&'a NodeId> {
        match (open, &every_customer) {
            (Some(open), _) => dataset.customers.get(*open.customers.get(customer)?)?.node.as_ref(),
            (None, Some(nodes)) => nodes.get(customer).copied(),
            (None, None) => None,
        }
    };
    let candidates: Vec<(usize, &SalesOrder)> = match open {
        Some(open) => open.rows.orders.iter().filter_map(|&row| Some((row, dataset.orders.get(row)?))).collect(),
        None => dataset.orders.iter().enumerate().collect(),
    };
    // The open orders of the planned nodes first: only their shipments are read.
    let orders: Vec<(usize, &SalesOrder, &NodeId)> = candidates
        .into_iter()
        .filter(|(_, o)| o.order_date <= as_of && may_still_bring_goods(o.status))
        .filter_map(|(row, o)| {
            let node = node_of(&o.customer).filter(|node| nodes.contains(*node))?;
            Some((row, o, node))
        })
        .collect();
    let shipments: Vec<&Shipment> = match open.map(|open| open.rows) {
        Some(rows) => orders
            .iter()
            .flat_map(|(row, _, _)| rows.shipments.get(row).into_iter().flatten())
            .filter_map(|&row| dataset.shipments.get(row))
            .collect(),
        None => {
            let ids: FxHashSet<&OrderId> = orders.iter().map(|(_, o, _)| &o.id).collect();
            dataset.shipments.iter().filter(|s| ids.contains(&s.order)).collect()
        }
    };
    let mut delivered: FxHashMap<(&OrderId, &ProductId), Decimal> = FxHashMap::default();
    for s in shipments.into_iter().filter(|s| s.delivered_date.is_some_and(|d| d <= as_of)) {
        for line in &s.lines {
            *delivered.entry((&s.order, &line.product)).or_default() += line.quantity;
        }
    }
    let mut on_order = FxHashMap::default();
    for (_, order, node) in orders {
        for line in &order.lines {
            let arrived = delivered.get(&(&order.id, &line.product)).copied().unwrap_or_default();
            *on_order.entry((node, &line.product)).or_default() += (line.quantity - arrived).max(Decimal::ZERO);
        }
    }
    on_order
}
