//! One value holding a whole company's data, as an ERP hands it over, its validation, and the
//! transactions recorded into it after the snapshot (offline, on a phone).

mod currency;
mod json;
mod negative_stock;
mod record;
pub(crate) mod references;
mod summary;
mod supply;
mod valid;

pub use json::JsonLimits;
pub use summary::DatasetSummary;
pub(crate) use valid::Checked;
pub use valid::{DatasetInput, ValidDataset};

use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::fmt::Display;
use std::hash::Hash;

use crate::error::{OmoError, Result};
use crate::model::*;
use references::*;
pub(crate) use references::{Ids, ids_from_fields};
pub(crate) use supply::{SupplyIds, check_production_order, check_purchase_order};

/// Everything the library knows about one company: master data of the three axes and the
/// transactions up to `as_of`. Serializes to and from JSON without loss (Decimals as strings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// The company's name.
    pub company: String,
    /// The company's reporting currency.
    pub currency: Currency,
    /// The snapshot date: no transaction may be dated after it.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub as_of: NaiveDate,
    /// The product category tree.
    #[serde(default)]
    pub categories: Vec<ProductCategory>,
    /// Products (SKUs).
    #[serde(default)]
    pub products: Vec<Product>,
    /// Bundles of products.
    #[serde(default)]
    pub bundles: Vec<Bundle>,
    /// Sales regions.
    #[serde(default)]
    pub regions: Vec<Region>,
    /// Business units.
    #[serde(default)]
    pub business_units: Vec<BusinessUnit>,
    /// Salespeople.
    #[serde(default)]
    pub salespeople: Vec<Salesperson>,
    /// Customers of every tier.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// Supply-chain nodes.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Stock movements.
    #[serde(default)]
    pub movements: Vec<StockMovement>,
    /// Physical stock counts.
    #[serde(default)]
    pub counts: Vec<StockCount>,
    /// POS sell-out records.
    #[serde(default)]
    pub pos_sales: Vec<PosSale>,
    /// Sales orders.
    #[serde(default)]
    pub orders: Vec<SalesOrder>,
    /// Shipments.
    #[serde(default)]
    pub shipments: Vec<Shipment>,
    /// Invoices and credit notes.
    #[serde(default)]
    pub invoices: Vec<Invoice>,
    /// Payments received.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Prepaid pre-season orders.
    #[serde(default)]
    pub prepaid_orders: Vec<PrepaidOrder>,
    /// Credit accounts of the customers who buy on credit.
    #[serde(default)]
    pub credit_accounts: Vec<CreditAccount>,
    /// Monthly revenue targets.
    #[serde(default)]
    pub sales_targets: Vec<SalesTarget>,
    /// Exchange rates into `currency`, for records that arrive in another currency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchange_rates: Vec<ExchangeRate>,
    /// The company books stock below zero (ERPNext's "Allow Negative Stock"; a sales ledger
    /// without its purchases): validation then does not refuse stock that ends a day below zero.
    /// `false` by default: such stock is refused, in every door.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_negative_stock: bool,
    /// The supply side: materials, production lines, bills of materials, suppliers, purchase and
    /// production orders (what planning reads). Empty by default.
    #[serde(default, skip_serializing_if = "SupplyData::is_empty")]
    pub supply: SupplyData,
}

/// The outcome of [`Dataset::validate`]: every issue found, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationReport {
    /// Every problem found; empty when the dataset is sound.
    pub issues: Vec<ValidationIssue>,
}

impl ValidationReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.issues.is_empty()
    }

    /// `Ok(())` when nothing is wrong, else [`OmoError::Invalid`] carrying every issue.
    pub fn into_result(self) -> Result<()> {
        if self.is_ok() { Ok(()) } else { Err(OmoError::Invalid { issues: self.issues }) }
    }
}

impl Dataset {
    /// How many records the dataset holds, in every collection: what its size, and the cost of
    /// writing it whole, follow.
    ///
    /// ```
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let d = sample_company(&SampleConfig::small(1))?;
    /// assert!(d.record_count() > d.movements.len() + d.pos_sales.len());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn record_count(&self) -> usize {
        let masters = self.categories.len()
            + self.products.len()
            + self.bundles.len()
            + self.regions.len()
            + self.business_units.len()
            + self.salespeople.len()
            + self.customers.len()
            + self.nodes.len();
        let transactions = self.movements.len()
            + self.counts.len()
            + self.pos_sales.len()
            + self.orders.len()
            + self.shipments.len()
            + self.invoices.len()
            + self.payments.len()
            + self.prepaid_orders.len();
        masters
            + transactions
            + self.credit_accounts.len()
            + self.sales_targets.len()
            + self.exchange_rates.len()
            + self.supply.record_count()
    }

    /// An empty dataset of `company`, reporting in `currency`, as of `as_of`.
    pub fn new(company: impl Into<String>, currency: Currency, as_of: NaiveDate) -> Self {
        Dataset {
            company: company.into(),
            currency,
            as_of,
            categories: Vec::new(),
            products: Vec::new(),
            bundles: Vec::new(),
            regions: Vec::new(),
            business_units: Vec::new(),
            salespeople: Vec::new(),
            customers: Vec::new(),
            nodes: Vec::new(),
            movements: Vec::new(),
            counts: Vec::new(),
            pos_sales: Vec::new(),
            orders: Vec::new(),
            shipments: Vec::new(),
            invoices: Vec::new(),
            payments: Vec::new(),
            prepaid_orders: Vec::new(),
            credit_accounts: Vec::new(),
            sales_targets: Vec::new(),
            exchange_rates: Vec::new(),
            allow_negative_stock: false,
            supply: SupplyData::default(),
        }
    }

    /// The same company with `movements` as its only stock records (no counts, no POS sales):
    /// the slice of a dataset a calculation over some nodes reads, built without copying the
    /// rest of the stock records.
    ///
    /// ```
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(1))?;
    /// let plant = company.nodes[0].id.clone();
    /// let part = company.with_movements(company.movements.iter().filter(|m| m.node == plant).cloned().collect());
    /// assert!(part.pos_sales.is_empty() && part.customers == company.customers);
    /// assert!(part.movements.iter().all(|m| m.node == plant));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn with_movements(&self, movements: Vec<StockMovement>) -> Dataset {
        let Dataset {
            company,
            currency,
            as_of,
            categories,
            products,
            bundles,
            regions,
            business_units,
            salespeople,
            customers,
            nodes,
            movements: _,
            counts: _,
            pos_sales: _,
            orders,
            shipments,
            invoices,
            payments,
            prepaid_orders,
            credit_accounts,
            sales_targets,
            exchange_rates,
            allow_negative_stock,
            supply,
        } = self;
        Dataset {
            company: company.clone(),
            currency: currency.clone(),
            as_of: *as_of,
            categories: categories.clone(),
            products: products.clone(),
            bundles: bundles.clone(),
            regions: regions.clone(),
            business_units: business_units.clone(),
            salespeople: salespeople.clone(),
            customers: customers.clone(),
            nodes: nodes.clone(),
            movements,
            counts: Vec::new(),
            pos_sales: Vec::new(),
            orders: orders.clone(),
            shipments: shipments.clone(),
            invoices: invoices.clone(),
            payments: payments.clone(),
            prepaid_orders: prepaid_orders.clone(),
            credit_accounts: credit_accounts.clone(),
            sales_targets: sales_targets.clone(),
            exchange_rates: exchange_rates.clone(),
            allow_negative_stock: *allow_negative_stock,
            supply: supply.clone(),
        }
    }

    /// Checks every record's fields and every reference between records and reports all problems:
    /// duplicate ids, unknown parents and cycles in the hierarchies, references to unknown ids,
    /// transactions dated after `as_of`, records in another currency than the company's. Once
    /// those are sound, stock is checked: no node's stock of a product may end a day below zero
    /// (the rule the S-P-I ledger applies, so every view sees the same data). Never panics.
    pub fn validate(&self) -> ValidationReport {
        let mut out = Vec::new();
        if self.company.trim().is_empty() {
            out.push(ValidationIssue::new("dataset", "-", "company", "must not be empty"));
        }
        let known = Known::collect(self, &mut out);
        self.check_master_data(&known, &mut out);
        self.check_stock(&known, &mut out);
        self.check_sales(&known, &mut out);
        self.check_currencies(&mut out);
        self.check_hierarchies(&mut out);
        self.check_supply(&known, &mut out);
        if out.is_empty() && !self.allow_negative_stock {
            self.check_negative_stock(&mut out);
        }
        ValidationReport { issues: out }
    }

    /// Checks only what stock computations need: the master data's ids, and every movement, count
    /// and POS sale (fields, known node and product, dated no later than `as_of`).
    pub fn validate_stock(&self) -> ValidationReport {
        let mut out = Vec::new();
        let known = Known::collect(self, &mut out);
        self.check_stock(&known, &mut out);
        if out.is_empty() && !self.allow_negative_stock {
            self.check_negative_stock(&mut out);
        }
        ValidationReport { issues: out }
    }

    /// Checks only the ids and the sales side: orders, shipments, invoices, payments, prepaid
    /// orders, credit accounts and targets (fields, references, dates).
    pub fn validate_sales(&self) -> ValidationReport {
        let mut out = Vec::new();
        let known = Known::collect(self, &mut out);
        self.check_sales(&known, &mut out);
        self.check_currencies(&mut out);
        ValidationReport { issues: out }
    }

    /// The date of the earliest transaction (movement, count, POS sale, order, shipment, invoice,
    /// payment, prepaid order), if there is any: where the company's history starts, so that
    /// windows reaching further back can be clamped to it.
    pub fn first_date(&self) -> Option<NaiveDate> {
        let dates = [
            self.movements.iter().map(|m| m.date).min(),
            self.counts.iter().map(|c| c.date).min(),
            self.pos_sales.iter().map(|s| s.date).min(),
            self.orders.iter().map(|o| o.order_date).min(),
            self.shipments.iter().map(|s| s.shipped_date).min(),
            self.invoices.iter().map(|i| i.date).min(),
            self.payments.iter().map(|p| p.date).min(),
            self.prepaid_orders.iter().map(|p| p.order_date).min(),
        ];
        dates.into_iter().flatten().min()
    }

    /// The product-category tree.
    pub fn category_tree(&self) -> Result<Hierarchy<CategoryId>> {
        Hierarchy::from_parent_links("category", self.categories.iter().map(|c| (c.id.clone(), c.parent.clone())))
    }

    /// The region tree.
    pub fn region_tree(&self) -> Result<Hierarchy<RegionId>> {
        Hierarchy::from_parent_links("region", self.regions.iter().map(|r| (r.id.clone(), r.parent.clone())))
    }

    /// The business-unit tree.
    pub fn business_unit_tree(&self) -> Result<Hierarchy<BusinessUnitId>> {
        Hierarchy::from_parent_links(
            "business unit",
            self.business_units.iter().map(|b| (b.id.clone(), b.parent.clone())),
        )
    }

    /// The sales organisation (salespeople under their managers).
    pub fn sales_tree(&self) -> Result<Hierarchy<SalespersonId>> {
        Hierarchy::from_parent_links("salesperson", self.salespeople.iter().map(|s| (s.id.clone(), s.manager.clone())))
    }

    /// The supply chain (nodes under their parents).
    pub fn node_tree(&self) -> Result<Hierarchy<NodeId>> {
        Hierarchy::from_parent_links("node", self.nodes.iter().map(|n| (n.id.clone(), n.parent.clone())))
    }

    /// The channel (customers under the customer they buy through).
    pub fn channel_tree(&self) -> Result<Hierarchy<CustomerId>> {
        Hierarchy::from_parent_links("customer", self.customers.iter().map(|c| (c.id.clone(), c.parent.clone())))
    }

    /// Looks up a product.
    pub fn product(&self, id: &ProductId) -> Option<&Product> {
        self.products.iter().find(|p| &p.id == id)
    }

    /// Looks up a customer.
    pub fn customer(&self, id: &CustomerId) -> Option<&Customer> {
        self.customers.iter().find(|c| &c.id == id)
    }

    /// Looks up a node.
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.nodes.iter().find(|n| &n.id == id)
    }

    fn check_master_data(&self, known: &Known<'_>, out: &mut Vec<ValidationIssue>) {
        for category in &self.categories {
            let mut is = issues_of(category, None, out);
            refers(&mut is, "parent", known.categories(), category.parent.as_ref());
        }
        for product in &self.products {
            check_product(product, known, out);
        }
        for bundle in &self.bundles {
            let mut is = issues_of(bundle, None, out);
            for (i, component) in bundle.components.iter().enumerate() {
                refers(&mut is, format_args!("components[{i}].product"), known.products(), Some(&component.product));
            }
        }
        for region in &self.regions {
            let mut is = issues_of(region, None, out);
            refers(&mut is, "parent", known.regions(), region.parent.as_ref());
        }
        for unit in &self.business_units {
            let mut is = issues_of(unit, None, out);
            refers(&mut is, "parent", known.business_units(), unit.parent.as_ref());
        }
        for person in &self.salespeople {
            let mut is = issues_of(person, None, out);
            refers(&mut is, "manager", known.salespeople(), person.manager.as_ref());
            refers(&mut is, "region", known.regions(), person.region.as_ref());
            refers(&mut is, "business_unit", known.business_units(), person.business_unit.as_ref());
        }
        for customer in &self.customers {
            check_customer(customer, known, out);
        }
        for node in &self.nodes {
            check_node(node, known, out);
        }
    }

    /// The stock records, checked in parallel chunks (they are most of a dataset's rows); the
    /// issues come out in row order whatever the number of threads.
    fn check_stock(&self, known: &Known<'_>, out: &mut Vec<ValidationIssue>) {
        let as_of = self.as_of;
        out.extend(rows_checked(&self.movements, |row, m, out| check_movement(m, Some(row), known, as_of, false, out)));
        out.extend(rows_checked(&self.counts, |row, c, out| check_count(c, Some(row), known, as_of, out)));
        out.extend(rows_checked(&self.pos_sales, |row, s, out| check_pos_sale(s, Some(row), known, as_of, false, out)));
    }

    fn check_sales(&self, known: &Known<'_>, out: &mut Vec<ValidationIssue>) {
        let as_of = self.as_of;
        for order in &self.orders {
            check_order(order, known, as_of, out);
        }
        for shipment in &self.shipments {
            check_shipment(shipment, known, as_of, out);
        }
        for invoice in &self.invoices {
            check_invoice(invoice, known, as_of, out);
        }
        for payment in &self.payments {
            check_payment(payment, known, as_of, out);
        }
        for prepaid in &self.prepaid_orders {
            check_prepaid(prepaid, known, as_of, out);
        }
        let mut accounts = HashSet::default();
        for account in &self.credit_accounts {
            if !accounts.insert(&account.customer) {
                out.push(ValidationIssue::new(
                    "credit_account",
                    account.customer.to_string(),
                    "customer",
                    "duplicate credit account",
                ));
            }
            check_credit_account(account, known, out);
        }
        for rate in &self.exchange_rates {
            issues_of(rate, None, out);
        }
        for (row, target) in self.sales_targets.iter().enumerate() {
            check_target(target, Some(row), known, out);
        }
    }

    /// Cycles in each hierarchy, over the links whose parents exist (unknown parents are reported
    /// by the reference checks already).
    fn check_hierarchies(&self, out: &mut Vec<ValidationIssue>) {
        cycle_issue("category", self.categories.iter().map(|c| (&c.id, c.parent.as_ref())), out);
        cycle_issue("region", self.regions.iter().map(|r| (&r.id, r.parent.as_ref())), out);
        cycle_issue("business_unit", self.business_units.iter().map(|b| (&b.id, b.parent.as_ref())), out);
        cycle_issue("salesperson", self.salespeople.iter().map(|s| (&s.id, s.manager.as_ref())), out);
        cycle_issue("customer", self.customers.iter().map(|c| (&c.id, c.parent.as_ref())), out);
        cycle_issue("node", self.nodes.iter().map(|n| (&n.id, n.parent.as_ref())), out);
    }
}

/// Runs `check` on every row of `rows` (row number, record, issues out), in parallel chunks,
/// and returns the issues in row order.
fn rows_checked<T: Sync>(
    rows: &[T],
    check: impl Fn(usize, &T, &mut Vec<ValidationIssue>) + Sync,
) -> Vec<ValidationIssue> {
    const CHUNK: usize = 1 << 15;
    let per_chunk: Vec<Vec<ValidationIssue>> = rows
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut out = Vec::new();
            for (i, row) in chunk.iter().enumerate() {
                check(c * CHUNK + i, row, &mut out);
            }
            out
        })
        .collect();
    per_chunk.into_iter().flatten().collect()
}

/// The ids of every collection, with duplicates reported as they are collected.
struct Known<'a> {
    categories: HashSet<&'a CategoryId>,
    products: HashSet<&'a ProductId>,
    regions: HashSet<&'a RegionId>,
    business_units: HashSet<&'a BusinessUnitId>,
    salespeople: HashSet<&'a SalespersonId>,
    customers: HashSet<&'a CustomerId>,
    nodes: HashSet<&'a NodeId>,
    orders: HashSet<&'a OrderId>,
    invoices: HashMap<&'a InvoiceId, &'a CustomerId>,
}

impl<'a> Known<'a> {
    fn collect(d: &'a Dataset, out: &mut Vec<ValidationIssue>) -> Self {
        unique("bundle", d.bundles.iter().map(|b| &b.id), out);
        unique("shipment", d.shipments.iter().map(|s| &s.id), out);
        unique("invoice", d.invoices.iter().map(|i| &i.id), out);
        unique("payment", d.payments.iter().map(|p| &p.id), out);
        unique("prepaid_order", d.prepaid_orders.iter().map(|p| &p.id), out);
        Known {
            categories: unique("category", d.categories.iter().map(|c| &c.id), out),
            products: unique("product", d.products.iter().map(|p| &p.id), out),
            regions: unique("region", d.regions.iter().map(|r| &r.id), out),
            business_units: unique("business_unit", d.business_units.iter().map(|b| &b.id), out),
            salespeople: unique("salesperson", d.salespeople.iter().map(|s| &s.id), out),
            customers: unique("customer", d.customers.iter().map(|c| &c.id), out),
            nodes: unique("node", d.nodes.iter().map(|n| &n.id), out),
            orders: unique("sales_order", d.orders.iter().map(|o| &o.id), out),
            invoices: d.invoices.iter().map(|i| (&i.id, &i.customer)).collect(),
        }
    }
}

ids_from_fields!(Known<'_>);

fn unique<'a, K: Eq + Hash + Display + 'a>(
    entity: &'static str,
    ids: impl Iterator<Item = &'a K>,
    out: &mut Vec<ValidationIssue>,
) -> HashSet<&'a K> {
    let mut seen = HashSet::default();
    for id in ids {
        if !seen.insert(id) {
            out.push(ValidationIssue::new(entity, id.to_string(), "id", "duplicate id"));
        }
    }
    seen
}

fn cycle_issue<'a, K>(
    entity: &'static str,
    links: impl Iterator<Item = (&'a K, Option<&'a K>)>,
    out: &mut Vec<ValidationIssue>,
) where
    K: Clone + Eq + Hash + Display + 'a,
{
    let links: Vec<(&K, Option<&K>)> = links.collect();
    let ids: HashSet<&K> = links.iter().map(|(id, _)| *id).collect();
    let mut seen = HashSet::default();
    let usable = links
        .into_iter()
        .filter(|(id, _)| seen.insert(*id))
        .map(|(id, parent)| (id.clone(), parent.filter(|p| ids.contains(p)).cloned()));
    if let Err(OmoError::Cycle { ids, .. }) = Hierarchy::from_parent_links(entity, usable) {
        let first = ids.first().cloned().unwrap_or_default();
        out.push(ValidationIssue::new(entity, first, "parent", format!("cycle {}", crate::error::shown_path(&ids))));
    }
}
