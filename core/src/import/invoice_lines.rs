//! Import of an invoice-line extract: one row per invoice line, as most ERPs export their sales
//! (and as the UCI "Online Retail" data set is laid out).
//!
//! The rules, applied row by row:
//! 1. A row with a negative quantity and a zero price on a document that is not a credit document
//!    is a **stock adjustment** (damage, loss, write-off) at the warehouse, not revenue.
//! 2. A row of a document whose number starts with the credit prefix (`"C"` by default), or with
//!    a negative unit price (a bad-debt adjustment), is a **credit-note** line; its quantity and
//!    price are taken as absolute values.
//! 3. Every other row is an **invoice** line; a zero quantity is an error.
//! 4. All lines of a document must be of one kind and one customer; the document takes the date
//!    of its first line. Documents carry no payment terms, so each is due on its own date.
//! 5. A row without a customer belongs to one walk-in customer ([`ImportOptions::walk_in_customer`]).
//!    Customer numbers written as floats (`"17850.0"`) lose the `".0"`. A customer's region is
//!    the country of its first row; imported customers are resellers (the ledger's buyers are
//!    shops), the walk-in customer an end user.
//! 6. Every stock code is a product, named by its first non-empty description, priced at its
//!    first positive unit price, with an unknown (zero) standard cost, in one category.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::*;

/// One row of an invoice-line extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineRecord {
    /// The row's number in the source (for messages): 1 for the first data row.
    pub row: usize,
    /// Document number.
    pub invoice_no: String,
    /// Product code.
    pub stock_code: String,
    /// Product description as printed on the line.
    pub description: String,
    /// Quantity; negative on cancellations and write-offs.
    pub quantity: Decimal,
    /// Document date and time.
    pub invoice_date: NaiveDateTime,
    /// Unit price; negative only on bad-debt adjustments.
    pub unit_price: Decimal,
    /// Customer number, if any.
    pub customer_id: Option<String>,
    /// Customer's country.
    pub country: String,
}

/// How an extract maps onto a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// The company's name.
    pub company: String,
    /// The currency of every amount.
    pub currency: Currency,
    /// The customer that rows without a customer number are booked to.
    pub walk_in_customer: CustomerId,
    /// The node where stock adjustments are booked.
    pub warehouse: NodeId,
    /// Document numbers starting with this are credit notes.
    pub credit_prefix: String,
}

impl ImportOptions {
    /// Options with walk-in customer `WALK-IN`, warehouse `MAIN` and credit prefix `C`.
    pub fn new(company: impl Into<String>, currency: Currency) -> Result<Self> {
        Ok(ImportOptions {
            company: company.into(),
            currency,
            walk_in_customer: CustomerId::new("WALK-IN")?,
            warehouse: NodeId::new("MAIN")?,
            credit_prefix: "C".into(),
        })
    }
}

/// Counts and totals of an import, for the caller to check against the source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Rows read.
    pub rows: usize,
    /// Invoices created.
    pub invoices: usize,
    /// Credit notes created.
    pub credit_notes: usize,
    /// Rows booked as stock adjustments.
    pub stock_adjustments: usize,
    /// Customers created, the walk-in customer included.
    pub customers: usize,
    /// Products created.
    pub products: usize,
    /// Rows booked to the walk-in customer.
    pub walk_in_rows: usize,
    /// Sum of invoice amounts.
    pub invoiced: Decimal,
    /// Sum of credit-note amounts (positive).
    pub credited: Decimal,
}

impl ImportSummary {
    /// Invoiced minus credited.
    pub fn net_revenue(&self) -> Decimal {
        self.invoiced - self.credited
    }
}

/// A validated dataset built from an extract, and what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedLedger {
    /// The dataset.
    pub dataset: Dataset,
    /// Counts and totals.
    pub summary: ImportSummary,
}

/// What a row becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Invoice,
    CreditNote,
    StockAdjustment,
}

/// Builds a validated dataset from invoice-line rows (see the module documentation for the rules).
///
/// Every problem is reported at once, each naming its row; nothing is built then.
///
/// ```
/// use omo_core::import::{ImportOptions, InvoiceLineRecord, import_invoice_lines};
/// use omo_core::model::Currency;
/// use rust_decimal::Decimal;
/// let at = chrono::NaiveDate::from_ymd_opt(2011, 1, 4).unwrap().and_hms_opt(10, 0, 0).unwrap();
/// let row = |row, no: &str, qty: i64| InvoiceLineRecord {
///     row, invoice_no: no.into(), stock_code: "85123A".into(), description: "T-LIGHT HOLDER".into(),
///     quantity: Decimal::from(qty), invoice_date: at, unit_price: Decimal::new(255, 2),
///     customer_id: Some("17850.0".into()), country: "United Kingdom".into(),
/// };
/// let options = ImportOptions::new("Gift wholesaler", Currency::new("GBP")?)?;
/// let ledger = import_invoice_lines(&[row(1, "536365", 6), row(2, "C536379", -2)], &options)?;
/// assert_eq!((ledger.summary.invoices, ledger.summary.credit_notes), (1, 1));
/// assert_eq!(ledger.summary.net_revenue(), Decimal::new(1020, 2)); // 6 x 2.55 - 2 x 2.55
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn import_invoice_lines(records: &[InvoiceLineRecord], options: &ImportOptions) -> Result<ImportedLedger> {
    let as_of = records
        .iter()
        .map(|r| r.invoice_date.date())
        .max()
        .ok_or_else(|| issue(0, "rows", "the extract has no rows"))?;
    let mut builder = Builder::new(options, as_of)?;
    for record in records {
        builder.add(record);
    }
    builder.finish()
}

fn issue(row: usize, field: &str, message: impl Into<String>) -> OmoError {
    OmoError::Invalid { issues: vec![ValidationIssue::new("invoice_line", format!("row {row}"), field, message)] }
}

struct Builder<'o> {
    options: &'o ImportOptions,
    dataset: Dataset,
    summary: ImportSummary,
    issues: Vec<ValidationIssue>,
    documents: HashMap<String, (usize, RowKind)>,
    customers: HashSet<CustomerId>,
    regions: HashMap<String, RegionId>,
    products: HashMap<String, usize>,
    root_region: RegionId,
    unit: BusinessUnitId,
    category: CategoryId,
}

impl<'o> Builder<'o> {
    fn new(options: &'o ImportOptions, as_of: chrono::NaiveDate) -> Result<Self> {
        let mut dataset = Dataset::new(options.company.clone(), options.currency.clone(), as_of);
        // An invoice-lines extract holds the sales and returns, not the purchases: the warehouse's
        // book stock runs below zero, as it does in the ERP that allowed it.
        dataset.allow_negative_stock = true;
        let root_region = RegionId::new("WORLD")?;
        let unit = BusinessUnitId::new("ALL")?;
        let category = CategoryId::new("UNCATEGORISED")?;
        dataset.regions.push(Region::new(root_region.clone(), "All countries", None)?);
        dataset.business_units.push(BusinessUnit::new(unit.clone(), "Whole business", None)?);
        dataset.categories.push(ProductCategory::new(category.clone(), "Uncategorised", None)?);
        dataset.nodes.push(Node::new(options.warehouse.clone(), "Warehouse", NodeKind::Warehouse, None)?);
        Ok(Builder {
            options,
            dataset,
            summary: ImportSummary::default(),
            issues: Vec::new(),
            documents: HashMap::new(),
            customers: HashSet::new(),
            regions: HashMap::new(),
            products: HashMap::new(),
            root_region,
            unit,
            category,
        })
    }

    fn push_issue(&mut self, row: usize, field: &str, message: impl Into<String>) {
        self.issues.push(ValidationIssue::new("invoice_line", format!("row {row}"), field, message));
    }

    fn classify(&mut self, record: &InvoiceLineRecord) -> Option<RowKind> {
        let credit_document = record.invoice_no.starts_with(&self.options.credit_prefix);
        if record.quantity.is_zero() {
            self.push_issue(record.row, "quantity", "must not be zero");
            return None;
        }
        if record.quantity < Decimal::ZERO && record.unit_price.is_zero() && !credit_document {
            return Some(RowKind::StockAdjustment);
        }
        if credit_document || record.unit_price < Decimal::ZERO {
            return Some(RowKind::CreditNote);
        }
        if record.quantity < Decimal::ZERO {
            self.push_issue(
                record.row,
                "quantity",
                format!("negative quantity {} on invoice {} with a price", record.quantity, record.invoice_no),
            );
            return None;
        }
        Some(RowKind::Invoice)
    }

    fn add(&mut self, record: &InvoiceLineRecord) {
        self.summary.rows += 1;
        let Some(kind) = self.classify(record) else { return };
        let Some(product) = self.product(record) else { return };
        if kind == RowKind::StockAdjustment {
            self.summary.stock_adjustments += 1;
            self.dataset.movements.push(StockMovement {
                node: self.options.warehouse.clone(),
                product,
                date: record.invoice_date.date(),
                kind: MovementKind::Adjustment,
                quantity: record.quantity,
                counterparty: None,
                reference: Some(format!("{} {}", record.invoice_no, record.description).trim().to_owned()),
            });
            return;
        }
        let Some(customer) = self.customer(record) else { return };
        let line = SalesLine::new(product, record.quantity.abs(), record.unit_price.abs());
        let amount = line.amount();
        match self.documents.get(&record.invoice_no).copied() {
            Some((_, existing)) if existing != kind => {
                self.push_issue(
                    record.row,
                    "invoice_no",
                    format!("document {} mixes invoice and credit lines", record.invoice_no),
                );
            }
            Some((index, _)) => {
                let Some(document) = self.dataset.invoices.get_mut(index) else { return };
                if document.customer != customer {
                    let message = format!(
                        "document {} is for customer {}, this row for {customer}",
                        record.invoice_no, document.customer
                    );
                    self.push_issue(record.row, "customer_id", message);
                    return;
                }
                document.lines.push(line);
            }
            None => self.open_document(record, kind, customer, line),
        }
        match kind {
            RowKind::CreditNote => self.summary.credited += amount,
            _ => self.summary.invoiced += amount,
        }
    }

    fn open_document(&mut self, record: &InvoiceLineRecord, kind: RowKind, customer: CustomerId, line: SalesLine) {
        let id = match InvoiceId::new(record.invoice_no.clone()) {
            Ok(id) => id,
            Err(e) => return self.push_issue(record.row, "invoice_no", e.to_string()),
        };
        let date = record.invoice_date.date();
        let invoice_kind = if kind == RowKind::CreditNote { InvoiceKind::CreditNote } else { InvoiceKind::Invoice };
        match invoice_kind {
            InvoiceKind::CreditNote => self.summary.credit_notes += 1,
            InvoiceKind::Invoice => self.summary.invoices += 1,
        }
        self.documents.insert(record.invoice_no.clone(), (self.dataset.invoices.len(), kind));
        self.dataset.invoices.push(Invoice {
            id,
            kind: invoice_kind,
            customer,
            date,
            due_date: date,
            currency: self.options.currency.clone(),
            order: None,
            against: None,
            lines: vec![line],
            converted_from: None,
        });
    }

    fn product(&mut self, record: &InvoiceLineRecord) -> Option<ProductId> {
        if let Some(&index) = self.products.get(&record.stock_code) {
            let product = self.dataset.products.get_mut(index)?;
            if product.name == product.id.as_str() && !record.description.trim().is_empty() {
                product.name = record.description.trim().to_owned();
            }
            if product.list_price.is_zero() && record.unit_price > Decimal::ZERO {
                product.list_price = record.unit_price;
            }
            return Some(product.id.clone());
        }
        let id = match ProductId::new(record.stock_code.clone()) {
            Ok(id) => id,
            Err(e) => {
                self.push_issue(record.row, "stock_code", e.to_string());
                return None;
            }
        };
        let name =
            if record.description.trim().is_empty() { id.to_string() } else { record.description.trim().to_owned() };
        self.products.insert(record.stock_code.clone(), self.dataset.products.len());
        self.dataset.products.push(Product {
            id: id.clone(),
            name,
            category: self.category.clone(),
            brand: String::new(),
            unit: "unit".into(),
            pack_size: Decimal::ONE,
            minimum_order: Decimal::ZERO,
            standard_cost: Decimal::ZERO,
            list_price: record.unit_price.max(Decimal::ZERO),
            status: LifecycleStatus::Active,
        });
        Some(id)
    }

    fn customer(&mut self, record: &InvoiceLineRecord) -> Option<CustomerId> {
        let number = record.customer_id.as_deref().map(str::trim).filter(|c| !c.is_empty());
        let id = match number {
            None => {
                self.summary.walk_in_rows += 1;
                self.options.walk_in_customer.clone()
            }
            Some(text) => match CustomerId::new(text.strip_suffix(".0").unwrap_or(text)) {
                Ok(id) => id,
                Err(e) => {
                    self.push_issue(record.row, "customer_id", e.to_string());
                    return None;
                }
            },
        };
        if !self.customers.contains(&id) {
            let region = self.region(record)?;
            let walk_in = number.is_none();
            let (name, kind) = if walk_in {
                ("Walk-in customers".to_owned(), CustomerKind::EndUser)
            } else {
                (format!("Customer {id}"), CustomerKind::Retailer)
            };
            self.dataset.customers.push(Customer {
                id: id.clone(),
                name,
                kind,
                region,
                business_unit: self.unit.clone(),
                salesperson: None,
                parent: None,
                node: None,
                since: Some(record.invoice_date.date()),
            });
            self.customers.insert(id.clone());
        }
        Some(id)
    }

    fn region(&mut self, record: &InvoiceLineRecord) -> Option<RegionId> {
        let country = record.country.trim();
        if let Some(region) = self.regions.get(country) {
            return Some(region.clone());
        }
        match RegionId::new(country) {
            Ok(region) => {
                self.dataset.regions.push(Region {
                    id: region.clone(),
                    name: country.to_owned(),
                    parent: Some(self.root_region.clone()),
                });
                self.regions.insert(country.to_owned(), region.clone());
                Some(region)
            }
            Err(e) => {
                self.push_issue(record.row, "country", e.to_string());
                None
            }
        }
    }

    fn finish(mut self) -> Result<ImportedLedger> {
        if !self.issues.is_empty() {
            return Err(OmoError::Invalid { issues: self.issues });
        }
        self.dataset.validate().into_result()?;
        self.summary.customers = self.dataset.customers.len();
        self.summary.products = self.dataset.products.len();
        Ok(ImportedLedger { dataset: self.dataset, summary: self.summary })
    }
}
