//! Book versus physical (賬實差異): stock counts against the ledger's book stock on the count date,
//! with consignment stock held at OEM suppliers shown apart from stock in our own sites.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::model::{NodeId, ProductId, StockCount, StockMovement, ValidationIssue};

/// One count against the book.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountDifference {
    /// The node counted.
    pub node: NodeId,
    /// The product counted.
    pub product: ProductId,
    /// The count date (the book is taken at the end of it).
    pub date: NaiveDate,
    /// Book stock at the end of the count date.
    pub book: Decimal,
    /// What was found.
    pub counted: Decimal,
    /// `counted - book`: negative where stock is missing.
    pub difference: Decimal,
    /// The difference at standard cost.
    pub difference_value: Decimal,
    /// The book stock at standard cost.
    pub book_value: Decimal,
    /// True where the stock is ours but held by someone else (an OEM supplier).
    pub consigned: bool,
}

/// Totals of a set of counts.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationSummary {
    /// Count lines.
    pub lines: usize,
    /// Count lines with a difference.
    pub lines_with_difference: usize,
    /// Book value of every counted line.
    pub book_value: Decimal,
    /// Book value of the lines with a difference.
    pub affected_book_value: Decimal,
    /// Signed sum of the differences' values (negative: stock missing).
    pub difference_value: Decimal,
}

impl ReconciliationSummary {
    fn add(&mut self, line: &CountDifference) {
        self.lines += 1;
        self.book_value += line.book_value;
        self.difference_value += line.difference_value;
        if !line.difference.is_zero() {
            self.lines_with_difference += 1;
            self.affected_book_value += line.book_value;
        }
    }

    /// The share of book value on lines with a difference (0 without book value).
    pub fn affected_share(&self) -> Decimal {
        if self.book_value.is_zero() { Decimal::ZERO } else { self.affected_book_value / self.book_value }
    }
}

/// Every count of a period compared with the book, and totals for own and consigned stock.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Every count line, sorted by date, node and product.
    pub lines: Vec<CountDifference>,
    /// Totals over our own sites.
    pub own: ReconciliationSummary,
    /// Totals over consignment stock held at OEM suppliers.
    pub consigned: ReconciliationSummary,
}

/// Compares the dataset's stock counts dated `from` to `to` (both included) with the book.
///
/// A count of a product the node never held (no movement up to the count date) is an error naming
/// node, product and date: it points at a wrong code or a missing receipt.
pub fn reconcile_counts(dataset: &impl DatasetInput, from: NaiveDate, to: NaiveDate) -> Result<Reconciliation> {
    let dataset = dataset.checked_stock()?;
    let in_window = |c: &StockCount| c.date >= from && c.date <= to;
    let books = book_at_counts(&dataset.movements, &dataset.counts, in_window);
    reconcile_with(dataset, (from, to), |i| books.get(i).copied().flatten())
}

/// The book stock at the end of each count's day, from `movements` (`None`: the node held no
/// movement of the product up to then, or `wanted` left the count out).
pub(crate) fn book_at_counts(
    movements: &[StockMovement],
    counts: &[StockCount],
    wanted: impl Fn(&StockCount) -> bool,
) -> Vec<Option<Decimal>> {
    let pairs: std::collections::HashSet<(&NodeId, &ProductId)> =
        counts.iter().filter(|c| wanted(c)).map(|c| (&c.node, &c.product)).collect();
    // Running book stock per counted pair: (date, stock at the end of that date), in date order.
    let mut daily: HashMap<(&NodeId, &ProductId), Vec<(NaiveDate, Decimal)>> = HashMap::new();
    for m in movements.iter().filter(|m| pairs.contains(&(&m.node, &m.product))) {
        daily.entry((&m.node, &m.product)).or_default().push((m.date, m.stock_change()));
    }
    for changes in daily.values_mut() {
        changes.sort_by_key(|c| c.0);
        let mut stock = Decimal::ZERO;
        for change in changes.iter_mut() {
            stock += change.1;
            change.1 = stock;
        }
    }
    counts
        .iter()
        .map(|count| {
            let history = daily.get(&(&count.node, &count.product)).filter(|_| wanted(count))?;
            let upto = history.partition_point(|c| c.0 <= count.date);
            upto.checked_sub(1).and_then(|i| history.get(i)).map(|c| c.1)
        })
        .collect()
}

/// [`reconcile_counts`] of the counts dated `from` to `to`, `book_of` giving the book stock of
/// the dataset's count at a position (`None`: never stocked): the batch reads it from the
/// movements, the live engine from the books it keeps.
pub(crate) fn reconcile_with(
    dataset: &Dataset,
    (from, to): (NaiveDate, NaiveDate),
    book_of: impl Fn(usize) -> Option<Decimal>,
) -> Result<Reconciliation> {
    let cost: HashMap<&ProductId, Decimal> = dataset.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    let consigned: HashMap<&NodeId, bool> = dataset.nodes.iter().map(|n| (&n.id, n.holds_consigned_stock())).collect();
    let counts: Vec<_> = dataset.counts.iter().enumerate().filter(|(_, c)| c.date >= from && c.date <= to).collect();
    let mut lines = Vec::with_capacity(counts.len());
    let mut issues = Vec::new();
    for (row, (at, count)) in counts.iter().enumerate() {
        let Some(book) = book_of(*at) else {
            issues.push(ValidationIssue::new(
                "stock_count",
                format!("#{row}"),
                "product",
                format!("{} counted at {} on {} but never stocked there", count.product, count.node, count.date),
            ));
            continue;
        };
        let unit_cost = cost.get(&count.product).copied().unwrap_or_default();
        let difference = count.counted - book;
        lines.push(CountDifference {
            node: count.node.clone(),
            product: count.product.clone(),
            date: count.date,
            book,
            counted: count.counted,
            difference,
            difference_value: difference * unit_cost,
            book_value: book.max(Decimal::ZERO) * unit_cost,
            consigned: consigned.get(&count.node).copied().unwrap_or(false),
        });
    }
    if !issues.is_empty() {
        return Err(OmoError::Invalid { issues });
    }
    lines.sort_by(|a, b| (a.date, &a.node, &a.product).cmp(&(b.date, &b.node, &b.product)));
    let (mut own, mut consigned_summary) = (ReconciliationSummary::default(), ReconciliationSummary::default());
    for line in &lines {
        if line.consigned { consigned_summary.add(line) } else { own.add(line) }
    }
    Ok(Reconciliation { lines, own, consigned: consigned_summary })
}
