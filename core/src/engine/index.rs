//! The ids the engine knows, each with where its record sits in the engine's dataset: what an
//! event's references are checked against, and how a change finds the record it changes, in
//! O(1) whatever the length of history.

use chrono::NaiveDate;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::Hash;

use crate::dataset::{Dataset, ids_from_fields};
use crate::model::*;
use crate::spi::{OpenOrderRows, OpenOrders};

/// Positions of records by id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub categories: HashSet<CategoryId>,
    pub regions: HashSet<RegionId>,
    pub business_units: HashSet<BusinessUnitId>,
    pub salespeople: HashSet<SalespersonId>,
    pub products: HashMap<ProductId, usize>,
    pub customers: HashMap<CustomerId, usize>,
    pub nodes: HashMap<NodeId, usize>,
    pub orders: HashMap<OrderId, usize>,
    pub shipments: HashMap<ShipmentId, usize>,
    /// Each invoice's customer and day.
    pub invoices: HashMap<InvoiceId, (CustomerId, NaiveDate)>,
    pub payments: HashMap<PaymentId, usize>,
    pub prepaid_orders: HashMap<PrepaidOrderId, usize>,
    pub credit_accounts: HashMap<CustomerId, usize>,
    pub sales_targets: HashMap<(TargetScope, NaiveDate), usize>,
    pub purchase_orders: HashMap<PurchaseOrderId, usize>,
    pub production_orders: HashMap<ProductionOrderId, usize>,
    /// Each customer's invoices and payments, by row: what its receivables are posted again from.
    pub money: HashMap<CustomerId, MoneyRows>,
    /// The orders that may still bring goods and every order's shipments, by row: what an
    /// alert's suggested orders read as on order.
    pub open_orders: OpenOrderRows,
}

/// The rows of one customer's invoices and payments in the engine's dataset.
#[derive(Debug, Clone, Default)]
pub(crate) struct MoneyRows {
    pub invoices: Vec<usize>,
    pub payments: Vec<usize>,
}

/// Every customer's invoice and payment rows.
fn money_rows(d: &Dataset) -> HashMap<CustomerId, MoneyRows> {
    let mut rows: HashMap<CustomerId, MoneyRows> = HashMap::default();
    for (i, invoice) in d.invoices.iter().enumerate() {
        rows.entry(invoice.customer.clone()).or_default().invoices.push(i);
    }
    for (i, payment) in d.payments.iter().enumerate() {
        rows.entry(payment.customer.clone()).or_default().payments.push(i);
    }
    rows
}

fn positions<K: Clone + Eq + Hash, T>(rows: &[T], id: impl Fn(&T) -> &K) -> HashMap<K, usize> {
    rows.iter().enumerate().map(|(i, row)| (id(row).clone(), i)).collect()
}

impl Index {
    /// The index of a (validated) dataset.
    pub(crate) fn of(d: &Dataset) -> Self {
        let orders = positions(&d.orders, |o| &o.id);
        Index {
            open_orders: OpenOrderRows::of(d, &orders),
            categories: d.categories.iter().map(|c| c.id.clone()).collect(),
            regions: d.regions.iter().map(|r| r.id.clone()).collect(),
            business_units: d.business_units.iter().map(|b| b.id.clone()).collect(),
            salespeople: d.salespeople.iter().map(|s| s.id.clone()).collect(),
            products: positions(&d.products, |p| &p.id),
            customers: positions(&d.customers, |c| &c.id),
            nodes: positions(&d.nodes, |n| &n.id),
            orders,
            shipments: positions(&d.shipments, |s| &s.id),
            invoices: d.invoices.iter().map(|i| (i.id.clone(), (i.customer.clone(), i.date))).collect(),
            payments: positions(&d.payments, |p| &p.id),
            prepaid_orders: positions(&d.prepaid_orders, |p| &p.id),
            credit_accounts: positions(&d.credit_accounts, |a| &a.customer),
            sales_targets: d.sales_targets.iter().enumerate().map(|(i, t)| ((t.scope.clone(), t.month), i)).collect(),
            purchase_orders: positions(&d.supply.purchase_orders, |o| &o.id),
            production_orders: positions(&d.supply.production_orders, |o| &o.id),
            money: money_rows(d),
        }
    }

    /// The open orders kept, with the customers' rows, for the planners.
    pub(crate) fn open_order_facts(&self) -> OpenOrders<'_> {
        OpenOrders { rows: &self.open_orders, customers: &self.customers }
    }
}

ids_from_fields!(Index);
