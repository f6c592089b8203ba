//! The checks of one record against the ids it refers to: the same rules for a whole dataset
//! ([`super::Dataset::validate`]) and for one event arriving at the live engine.

use chrono::NaiveDate;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::hash::Hash;

use crate::model::*;

/// A set of ids a reference can be checked against.
pub(crate) trait Knows<K> {
    /// True when `id` is known.
    fn knows(&self, id: &K) -> bool;
}

impl<K: Eq + Hash> Knows<K> for HashSet<&K> {
    fn knows(&self, id: &K) -> bool {
        self.contains(id)
    }
}

impl<K: Eq + Hash> Knows<K> for HashSet<K> {
    fn knows(&self, id: &K) -> bool {
        self.contains(id)
    }
}

impl<K: Eq + Hash, V> Knows<K> for HashMap<K, V> {
    fn knows(&self, id: &K) -> bool {
        self.contains_key(id)
    }
}

/// Who each known invoice belongs to.
pub(crate) trait Owners {
    /// The customer an invoice belongs to, when the invoice is known.
    fn owner(&self, invoice: &InvoiceId) -> Option<&CustomerId>;
}

impl Owners for HashMap<&InvoiceId, &CustomerId> {
    fn owner(&self, invoice: &InvoiceId) -> Option<&CustomerId> {
        self.get(invoice).copied()
    }
}

impl Owners for HashMap<InvoiceId, (CustomerId, NaiveDate)> {
    fn owner(&self, invoice: &InvoiceId) -> Option<&CustomerId> {
        self.get(invoice).map(|(customer, _)| customer)
    }
}

/// Every kind of id a record may refer to.
pub(crate) trait Ids {
    /// Product categories.
    fn categories(&self) -> &dyn Knows<CategoryId>;
    /// Products.
    fn products(&self) -> &dyn Knows<ProductId>;
    /// Regions.
    fn regions(&self) -> &dyn Knows<RegionId>;
    /// Business units.
    fn business_units(&self) -> &dyn Knows<BusinessUnitId>;
    /// Salespeople.
    fn salespeople(&self) -> &dyn Knows<SalespersonId>;
    /// Customers.
    fn customers(&self) -> &dyn Knows<CustomerId>;
    /// Supply-chain nodes.
    fn nodes(&self) -> &dyn Knows<NodeId>;
    /// Sales orders.
    fn orders(&self) -> &dyn Knows<OrderId>;
    /// Invoices and their customers.
    fn invoices(&self) -> &dyn Owners;
}

/// Implements [`Ids`] for a type whose fields of the same names hold each kind of id.
macro_rules! ids_from_fields {
    ($type:ty) => {
        impl $crate::dataset::references::Ids for $type {
            fn categories(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::CategoryId> {
                &self.categories
            }
            fn products(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::ProductId> {
                &self.products
            }
            fn regions(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::RegionId> {
                &self.regions
            }
            fn business_units(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::BusinessUnitId> {
                &self.business_units
            }
            fn salespeople(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::SalespersonId> {
                &self.salespeople
            }
            fn customers(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::CustomerId> {
                &self.customers
            }
            fn nodes(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::NodeId> {
                &self.nodes
            }
            fn orders(&self) -> &dyn $crate::dataset::references::Knows<$crate::model::OrderId> {
                &self.orders
            }
            fn invoices(&self) -> &dyn $crate::dataset::references::Owners {
                &self.invoices
            }
        }
    };
}
pub(crate) use ids_from_fields;

/// Starts the issues of one record and checks its own fields; a record without an id of its own
/// is named by `row`, or left for the caller to name.
pub(crate) fn issues_of<'o, T: Check>(record: &T, row: Option<usize>, out: &'o mut Vec<ValidationIssue>) -> Issues<'o> {
    let mut issues = match (record.issue_id(), row) {
        (Some(id), _) => Issues::new(T::ENTITY, id, out),
        (None, Some(row)) => Issues::for_row(T::ENTITY, row, out),
        (None, None) => Issues::new(T::ENTITY, String::new(), out),
    };
    record.check_fields(&mut issues);
    issues
}

/// `id`, when given, must be one `known` holds; else an issue on `field`.
pub(crate) fn refers<K: AsRef<str>>(
    issues: &mut Issues<'_>,
    field: impl std::fmt::Display,
    known: &dyn Knows<K>,
    id: Option<&K>,
) {
    if let Some(id) = id
        && !known.knows(id)
    {
        let field = field.to_string();
        let what = field.rsplit('.').next().unwrap_or(&field);
        let message = format!("unknown {what} {:?}", id.as_ref());
        issues.push(field, message);
    }
}

fn lines_refer(issues: &mut Issues<'_>, products: &dyn Knows<ProductId>, lines: &[SalesLine]) {
    for (i, line) in lines.iter().enumerate() {
        refers(issues, format_args!("lines[{i}].product"), products, Some(&line.product));
    }
}

/// An invoice named in `field` must exist and belong to `customer`.
fn owned_invoice(
    issues: &mut Issues<'_>,
    ids: &impl Ids,
    field: impl std::fmt::Display,
    invoice: &InvoiceId,
    customer: &CustomerId,
) {
    match ids.invoices().owner(invoice) {
        None => issues.push(field, format!("unknown invoice {:?}", invoice.as_str())),
        Some(owner) if owner != customer => {
            issues.push(field, format!("invoice {invoice} belongs to customer {owner}, not {customer}"));
        }
        Some(_) => {}
    }
}

/// A customer: its fields and the region, business unit, salesperson, parent and node it names.
pub(crate) fn check_customer(customer: &Customer, ids: &impl Ids, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(customer, None, out);
    refers(&mut is, "region", ids.regions(), Some(&customer.region));
    refers(&mut is, "business_unit", ids.business_units(), Some(&customer.business_unit));
    refers(&mut is, "salesperson", ids.salespeople(), customer.salesperson.as_ref());
    refers(&mut is, "parent", ids.customers(), customer.parent.as_ref());
    refers(&mut is, "node", ids.nodes(), customer.node.as_ref());
}

/// A node: its fields and the parent, region and customer it names.
pub(crate) fn check_node(node: &Node, ids: &impl Ids, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(node, None, out);
    refers(&mut is, "parent", ids.nodes(), node.parent.as_ref());
    refers(&mut is, "region", ids.regions(), node.region.as_ref());
    refers(&mut is, "customer", ids.customers(), node.customer.as_ref());
}

/// A product: its fields and its category.
pub(crate) fn check_product(product: &Product, ids: &impl Ids, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(product, None, out);
    refers(&mut is, "category", ids.categories(), Some(&product.category));
}

/// A stock movement at `row` (or unnamed): fields, node, product, counterparty, date; the node
/// and product taken as known when `pair_known` (they moved together before).
pub(crate) fn check_movement(
    movement: &StockMovement,
    row: Option<usize>,
    ids: &impl Ids,
    as_of: NaiveDate,
    pair_known: bool,
    out: &mut Vec<ValidationIssue>,
) {
    let mut is = issues_of(movement, row, out);
    if !pair_known {
        refers(&mut is, "node", ids.nodes(), Some(&movement.node));
        refers(&mut is, "product", ids.products(), Some(&movement.product));
    }
    refers(&mut is, "counterparty", ids.nodes(), movement.counterparty.as_ref());
    is.not_before("as_of", as_of, "date", movement.date);
}

/// A stock count at `row` (or unnamed): fields, node, product, date.
pub(crate) fn check_count(
    count: &StockCount,
    row: Option<usize>,
    ids: &impl Ids,
    as_of: NaiveDate,
    out: &mut Vec<ValidationIssue>,
) {
    let mut is = issues_of(count, row, out);
    refers(&mut is, "node", ids.nodes(), Some(&count.node));
    refers(&mut is, "product", ids.products(), Some(&count.product));
    is.not_before("as_of", as_of, "date", count.date);
}

/// A POS sale at `row` (or unnamed): fields, node, product, customer, date; the node and
/// product taken as known when `pair_known` (stock of the product moved at the node before).
pub(crate) fn check_pos_sale(
    sale: &PosSale,
    row: Option<usize>,
    ids: &impl Ids,
    as_of: NaiveDate,
    pair_known: bool,
    out: &mut Vec<ValidationIssue>,
) {
    let mut is = issues_of(sale, row, out);
    if !pair_known {
        refers(&mut is, "node", ids.nodes(), Some(&sale.node));
        refers(&mut is, "product", ids.products(), Some(&sale.product));
    }
    refers(&mut is, "customer", ids.customers(), sale.customer.as_ref());
    is.not_before("as_of", as_of, "date", sale.date);
}

/// A sales order: fields, customer, ship-from node, products, date.
pub(crate) fn check_order(order: &SalesOrder, ids: &impl Ids, as_of: NaiveDate, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(order, None, out);
    refers(&mut is, "customer", ids.customers(), Some(&order.customer));
    refers(&mut is, "ship_from", ids.nodes(), Some(&order.ship_from));
    lines_refer(&mut is, ids.products(), &order.lines);
    is.not_before("as_of", as_of, "order_date", order.order_date);
}

/// A shipment: fields, order, nodes, products, date.
pub(crate) fn check_shipment(shipment: &Shipment, ids: &impl Ids, as_of: NaiveDate, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(shipment, None, out);
    refers(&mut is, "order", ids.orders(), Some(&shipment.order));
    refers(&mut is, "from", ids.nodes(), Some(&shipment.from));
    refers(&mut is, "to", ids.nodes(), shipment.to.as_ref());
    for (i, line) in shipment.lines.iter().enumerate() {
        refers(&mut is, format_args!("lines[{i}].product"), ids.products(), Some(&line.product));
    }
    is.not_before("as_of", as_of, "shipped_date", shipment.shipped_date);
}

/// An invoice or credit note: fields, customer, the invoice it corrects, order, products, date.
pub(crate) fn check_invoice(invoice: &Invoice, ids: &impl Ids, as_of: NaiveDate, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(invoice, None, out);
    refers(&mut is, "customer", ids.customers(), Some(&invoice.customer));
    if let Some(original) = &invoice.against {
        owned_invoice(&mut is, ids, "against", original, &invoice.customer);
    }
    refers(&mut is, "order", ids.orders(), invoice.order.as_ref());
    lines_refer(&mut is, ids.products(), &invoice.lines);
    is.not_before("as_of", as_of, "date", invoice.date);
}

/// A payment: fields, customer, the invoices it is allocated to, date.
pub(crate) fn check_payment(payment: &Payment, ids: &impl Ids, as_of: NaiveDate, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(payment, None, out);
    refers(&mut is, "customer", ids.customers(), Some(&payment.customer));
    for (i, allocation) in payment.allocations.iter().enumerate() {
        owned_invoice(&mut is, ids, format_args!("allocations[{i}].invoice"), &allocation.invoice, &payment.customer);
    }
    is.not_before("as_of", as_of, "date", payment.date);
}

/// A prepaid order: fields, customer, reserving node, products, date.
pub(crate) fn check_prepaid(prepaid: &PrepaidOrder, ids: &impl Ids, as_of: NaiveDate, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(prepaid, None, out);
    refers(&mut is, "customer", ids.customers(), Some(&prepaid.customer));
    refers(&mut is, "reserve_at", ids.nodes(), Some(&prepaid.reserve_at));
    lines_refer(&mut is, ids.products(), &prepaid.lines);
    is.not_before("as_of", as_of, "order_date", prepaid.order_date);
}

/// A credit account: fields, customer and group head (not the uniqueness of accounts).
pub(crate) fn check_credit_account(account: &CreditAccount, ids: &impl Ids, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(account, None, out);
    refers(&mut is, "customer", ids.customers(), Some(&account.customer));
    refers(&mut is, "group", ids.customers(), account.group.as_ref());
}

/// A sales target at `row` (or unnamed): fields and whose target it is.
pub(crate) fn check_target(target: &SalesTarget, row: Option<usize>, ids: &impl Ids, out: &mut Vec<ValidationIssue>) {
    let mut is = issues_of(target, row, out);
    match &target.scope {
        TargetScope::Customer(id) => refers(&mut is, "customer", ids.customers(), Some(id)),
        TargetScope::Salesperson(id) => refers(&mut is, "salesperson", ids.salespeople(), Some(id)),
        TargetScope::Region(id) => refers(&mut is, "region", ids.regions(), Some(id)),
        TargetScope::BusinessUnit(id) => refers(&mut is, "business_unit", ids.business_units(), Some(id)),
        TargetScope::Company => {}
    }
}
