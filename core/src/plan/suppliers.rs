//! The supplier and OEM scorecard: delivery time, cost and quality (the articles' 交期、成本和質量)
//! from the purchase orders, and the consignment stock an OEM supplier holds for us, book against
//! physical.
//!
//! Per supplier, over the purchase-order lines received up to `as_of`:
//! - **on-time rate**: the share of received lines that arrived on or before their promised date;
//! - **lead time**: mean and standard deviation (population) of the days from order to receipt,
//!   and the mean days late of the late lines;
//! - **price variance**: what was paid above the agreed price (`(price - agreed) x received`,
//!   over lines of items with agreed terms), also as a share of the agreed value;
//! - **rejected share**: units rejected over units received;
//! - **open lines** and how many of them are already past their promised date;
//! - **consignment**: at the supplier's node, each product's latest stock count against the book
//!   on that day ([`crate::spi::reconcile_counts`]) and the book stock at `as_of`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::dataset::{Dataset, DatasetInput};
use crate::error::Result;
use crate::model::{NodeId, ProductId, SupplierId, SupplierKind};
use crate::spi::{CountDifference, NodeFilter, RecordFacts, StockFacts, reconcile_with};
use rustc_hash::FxHashSet;

/// One supplier's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierScore {
    /// The supplier.
    pub supplier: SupplierId,
    /// Materials or OEM.
    pub kind: SupplierKind,
    /// Purchase-order lines received.
    pub lines_received: usize,
    /// Share of received lines on or before their promised date.
    pub on_time_rate: Option<f64>,
    /// Mean days from order to receipt.
    pub lead_time_mean_days: Option<f64>,
    /// Their standard deviation.
    pub lead_time_sd_days: Option<f64>,
    /// Mean days late over the late lines.
    pub days_late_mean: Option<f64>,
    /// Paid above the agreed prices (negative: below).
    pub price_variance: Decimal,
    /// `price_variance` over the agreed value of the same lines.
    pub price_variance_share: Option<f64>,
    /// Units rejected over units received.
    pub rejected_share: Option<f64>,
    /// Lines not yet received.
    pub open_lines: usize,
    /// Of those, lines already past their promised date.
    pub open_lines_overdue: usize,
    /// Our stock at the supplier's node, per product.
    pub consignment: Vec<ConsignedStock>,
}

/// Our stock of one product held at a supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsignedStock {
    /// The node holding it.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// Book stock at `as_of`.
    pub book: Decimal,
    /// The latest count there and its difference from the book on that day.
    pub last_count: Option<CountDifference>,
}

/// The scorecard of every supplier, in id order, as of `as_of`.
///
/// # Errors
/// The dataset's stock issues, when its movements and counts do not validate.
pub fn supplier_scorecard(dataset: &impl DatasetInput, as_of: NaiveDate) -> Result<Vec<SupplierScore>> {
    let dataset = dataset.checked_stock()?;
    supplier_scorecard_with(dataset, &RecordFacts::new(dataset, as_of), as_of)
}

/// [`supplier_scorecard`] with the stock and the count books read from `facts` (the records' or
/// the live engine's, on `as_of`).
pub(crate) fn supplier_scorecard_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    as_of: NaiveDate,
) -> Result<Vec<SupplierScore>> {
    let counts = reconcile_with(dataset, (NaiveDate::MIN, as_of), |at| facts.count_book(at))?;
    let mut out = Vec::new();
    for supplier in &dataset.supply.suppliers {
        let mut score = Score::default();
        for order in
            dataset.supply.purchase_orders.iter().filter(|o| o.supplier == supplier.id && o.order_date <= as_of)
        {
            for line in &order.lines {
                match line.received_date.filter(|d| *d <= as_of) {
                    Some(received) => {
                        let agreed = supplier.terms_of(&line.item).map(|t| t.price);
                        score.received(order.order_date, line.promised_date, received, line, agreed);
                    }
                    None => {
                        score.open += 1;
                        score.overdue += usize::from(line.promised_date < as_of);
                    }
                }
            }
        }
        out.push(score.finish(
            supplier.id.clone(),
            supplier.kind,
            consignment(facts, supplier.node.as_ref(), &counts.lines),
        ));
    }
    out.sort_by(|a, b| a.supplier.cmp(&b.supplier));
    Ok(out)
}

#[derive(Default)]
struct Score {
    lines: usize,
    on_time: usize,
    lead_days: Vec<f64>,
    late_days: Vec<f64>,
    variance: Decimal,
    agreed_value: Decimal,
    received_units: Decimal,
    rejected_units: Decimal,
    open: usize,
    overdue: usize,
}

impl Score {
    fn received(
        &mut self,
        ordered: NaiveDate,
        promised: NaiveDate,
        received: NaiveDate,
        line: &crate::model::PurchaseLine,
        agreed: Option<Decimal>,
    ) {
        self.lines += 1;
        self.on_time += usize::from(received <= promised);
        self.lead_days.push((received - ordered).num_days() as f64);
        if received > promised {
            self.late_days.push((received - promised).num_days() as f64);
        }
        if let Some(agreed) = agreed {
            self.variance += (line.price - agreed) * line.received_quantity;
            self.agreed_value += agreed * line.received_quantity;
        }
        self.received_units += line.received_quantity;
        self.rejected_units += line.rejected_quantity;
    }

    fn finish(self, supplier: SupplierId, kind: SupplierKind, consignment: Vec<ConsignedStock>) -> SupplierScore {
        let share = |num: Decimal, den: Decimal| if den.is_zero() { None } else { (num / den).to_f64() };
        let mean = |v: &[f64]| if v.is_empty() { None } else { Some(v.iter().sum::<f64>() / v.len() as f64) };
        let lead_mean = mean(&self.lead_days);
        SupplierScore {
            supplier,
            kind,
            lines_received: self.lines,
            on_time_rate: if self.lines == 0 { None } else { Some(self.on_time as f64 / self.lines as f64) },
            lead_time_mean_days: lead_mean,
            lead_time_sd_days: lead_mean.map(|m| {
                (self.lead_days.iter().map(|d| (d - m).powi(2)).sum::<f64>() / self.lead_days.len() as f64).sqrt()
            }),
            days_late_mean: mean(&self.late_days),
            price_variance: self.variance,
            price_variance_share: share(self.variance, self.agreed_value),
            rejected_share: share(self.rejected_units, self.received_units),
            open_lines: self.open,
            open_lines_overdue: self.overdue,
            consignment,
        }
    }
}

/// Book stock on the facts' day per product at `node`, with each product's latest count there.
fn consignment(facts: &dyn StockFacts, node: Option<&NodeId>, counts: &[CountDifference]) -> Vec<ConsignedStock> {
    let Some(node) = node else { return Vec::new() };
    facts
        .on_hand(NodeFilter::among(&FxHashSet::from_iter([node]), &|_| true))
        .into_iter()
        .map(|((node, product), book)| {
            let last_count =
                counts.iter().filter(|c| c.node == node && c.product == product).max_by_key(|c| c.date).cloned();
            ConsignedStock { node, product, book, last_count }
        })
        .collect()
}
