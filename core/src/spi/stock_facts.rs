//! The stock facts the planners read — stock on hand, units sold per node x product x period,
//! the book stock at each count — from a dataset's records (the batch) or from what the live
//! engine keeps.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cell::OnceCell;
use std::collections::BTreeMap;

use super::period::Period;
use super::reconcile::book_at_counts;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::{MovementKind, NodeId, ProductId};

/// Units per node x product x period number (periods without a sale left out).
pub(crate) type UnitsByPeriod = BTreeMap<(NodeId, ProductId), BTreeMap<i64, Decimal>>;

/// What the planners read of stock and sales, for the nodes a filter accepts.
pub(crate) trait StockFacts {
    /// Stock on hand of every node x product that moved.
    fn on_hand(&self, keep: &dyn Fn(&NodeId) -> bool) -> BTreeMap<(NodeId, ProductId), Decimal>;
    /// POS units per `period` up to period number `last`.
    ///
    /// # Errors
    /// A period the facts are not kept by (the live engine keeps whole months).
    fn pos_units(&self, period: Period, last: i64, keep: &dyn Fn(&NodeId) -> bool) -> Result<UnitsByPeriod>;
    /// Units of sales movements per `period` up to period number `last`.
    ///
    /// # Errors
    /// As [`StockFacts::pos_units`].
    fn sale_units(&self, period: Period, last: i64, keep: &dyn Fn(&NodeId) -> bool) -> Result<UnitsByPeriod>;
    /// The book stock at the end of the day of the dataset's count at position `at` (`None`:
    /// the node held no movement of the product up to then).
    fn count_book(&self, at: usize) -> Option<Decimal>;
}

/// The facts of a dataset's records on `as_of` (later records ignored for the stock on hand).
pub(crate) struct RecordFacts<'a> {
    dataset: &'a Dataset,
    as_of: NaiveDate,
    /// The book stock at every count, read from the movements when first asked.
    count_books: OnceCell<Vec<Option<Decimal>>>,
}

impl<'a> RecordFacts<'a> {
    /// The facts of `dataset`'s records with the stock on hand of `as_of`.
    pub(crate) fn new(dataset: &'a Dataset, as_of: NaiveDate) -> Self {
        RecordFacts { dataset, as_of, count_books: OnceCell::new() }
    }
}

impl StockFacts for RecordFacts<'_> {
    fn on_hand(&self, keep: &dyn Fn(&NodeId) -> bool) -> BTreeMap<(NodeId, ProductId), Decimal> {
        let mut on_hand: BTreeMap<(&NodeId, &ProductId), Decimal> = BTreeMap::new();
        for m in self.dataset.movements.iter().filter(|m| keep(&m.node) && m.date <= self.as_of) {
            *on_hand.entry((&m.node, &m.product)).or_default() += m.stock_change();
        }
        on_hand.into_iter().map(|((n, p), q)| ((n.clone(), p.clone()), q)).collect()
    }

    fn pos_units(&self, period: Period, last: i64, keep: &dyn Fn(&NodeId) -> bool) -> Result<UnitsByPeriod> {
        let sold = self.dataset.pos_sales.iter().filter(|s| keep(&s.node));
        units_by_period(sold.map(|s| Ok((&s.node, &s.product, period.number(s.date), s.quantity))), last)
    }

    fn sale_units(&self, period: Period, last: i64, keep: &dyn Fn(&NodeId) -> bool) -> Result<UnitsByPeriod> {
        let sold = self.dataset.movements.iter().filter(|m| m.kind == MovementKind::Sale && keep(&m.node));
        units_by_period(sold.map(|m| Ok((&m.node, &m.product, period.number(m.date), m.quantity))), last)
    }

    fn count_book(&self, at: usize) -> Option<Decimal> {
        let d = self.dataset;
        let books = self.count_books.get_or_init(|| book_at_counts(&d.movements, &d.counts, |_| true));
        books.get(at).copied().flatten()
    }
}

/// `sold` (node, product, period number, units) summed per node x product x period, up to
/// period number `last`; the first error of `sold`, if any, instead. Read as it passes: the
/// sales are never held.
pub(crate) fn units_by_period<'a>(
    sold: impl Iterator<Item = Result<(&'a NodeId, &'a ProductId, i64, Decimal)>>,
    last: i64,
) -> Result<UnitsByPeriod> {
    let mut units: BTreeMap<(&NodeId, &ProductId), BTreeMap<i64, Decimal>> = BTreeMap::new();
    for sale in sold {
        let (node, product, k, quantity) = sale?;
        if k <= last {
            *units.entry((node, product)).or_default().entry(k).or_default() += quantity;
        }
    }
    Ok(units.into_iter().map(|((n, p), months)| ((n.clone(), p.clone()), months)).collect())
}
