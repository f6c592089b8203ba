//! The stock facts the planners read — stock on hand, units sold per node x product x period,
//! the book stock at each count — from a dataset's records (the batch) or from what the live
//! engine keeps.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use std::cell::OnceCell;
use std::collections::BTreeMap;

use super::period::{Period, PeriodRun};
use super::reconcile::book_at_counts;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::{MovementKind, NodeId, ProductId};
use crate::packed::Packed;

/// Units per node x product x period number.
pub(crate) type UnitsByPeriod = BTreeMap<(NodeId, ProductId), PeriodUnits>;

/// A node x product's units per period number, from its first period with units to its last,
/// exact and dense ([`Packed`], 8 bytes a period): the plan reads every shop's history at once,
/// some 600,000 of them at the articles' size.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeriodUnits {
    units: PeriodRun<Packed>,
    /// The values of `units` too large to pack.
    aside: Vec<Decimal>,
}

impl PeriodUnits {
    /// Adds `quantity` to period number `k`.
    pub(crate) fn add(&mut self, k: i64, quantity: Decimal) {
        if let Some(slot) = self.units.slot(k) {
            slot.add(quantity, &mut self.aside);
        }
    }

    /// The first period number from `from` on whose units are not zero, if any.
    pub(crate) fn first_from(&self, from: i64) -> Option<i64> {
        let start = self.units.first()?.max(from);
        (start..=self.units.last()?).find(|&k| !self.get(k).is_zero())
    }

    /// The units of period number `k` (zero outside the periods added).
    pub(crate) fn get(&self, k: i64) -> Decimal {
        self.units.get(k).map_or(Decimal::ZERO, |units| units.get(&self.aside))
    }

    /// Every period number from the first to the last added, with its units.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, Decimal)> + '_ {
        self.units.iter().map(|(k, units)| (k, units.get(&self.aside)))
    }
}

/// The nodes a planner reads the facts of: those `keep` accepts, and when they are named (`among`:
/// the nodes of a plan, often one node's at an alert to reorder) only those, so that facts kept
/// by node (the live engine's) look the few up instead of asking `keep` of every node of the
/// company.
#[derive(Clone, Copy)]
pub(crate) struct NodeFilter<'a> {
    among: Option<&'a FxHashSet<&'a NodeId>>,
    keep: &'a dyn Fn(&NodeId) -> bool,
}

impl<'a> NodeFilter<'a> {
    /// The nodes `keep` accepts, of all.
    pub(crate) fn all(keep: &'a dyn Fn(&NodeId) -> bool) -> Self {
        NodeFilter { among: None, keep }
    }

    /// The nodes `keep` accepts among `nodes`.
    pub(crate) fn among(nodes: &'a FxHashSet<&'a NodeId>, keep: &'a dyn Fn(&NodeId) -> bool) -> Self {
        NodeFilter { among: Some(nodes), keep }
    }

    /// Whether `node` is one of the nodes.
    pub(crate) fn accepts(&self, node: &NodeId) -> bool {
        self.among.is_none_or(|among| among.contains(node)) && (self.keep)(node)
    }

    /// The nodes of a table keyed by node (each node's entry, once), through `get` when they are
    /// named, else through `entries` (every entry) filtered.
    pub(crate) fn entries<'t, V: 't>(
        self,
        entries: impl Iterator<Item = (&'t NodeId, &'t V)> + 't,
        get: impl Fn(&NodeId) -> Option<(&'t NodeId, &'t V)> + 't,
    ) -> impl Iterator<Item = (&'t NodeId, &'t V)> + 't
    where
        'a: 't,
    {
        let (named, every) = match self.among {
            Some(nodes) => (Some(nodes.iter().filter(move |n| (self.keep)(n)).filter_map(move |n| get(n))), None),
            None => (None, Some(entries.filter(move |(node, _)| (self.keep)(node)))),
        };
        named.into_iter().flatten().chain(every.into_iter().flatten())
    }
}

/// What the planners read of stock and sales, for the nodes of a [`NodeFilter`].
pub(crate) trait StockFacts {
    /// Stock on hand of every node x product that moved.
    fn on_hand(&self, nodes: NodeFilter<'_>) -> BTreeMap<(NodeId, ProductId), Decimal>;
    /// POS units per `period` up to period number `last`.
    ///
    /// # Errors
    /// A period the facts are not kept by (the live engine keeps whole months).
    fn pos_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod>;
    /// Units of sales movements per `period` up to period number `last`.
    ///
    /// # Errors
    /// As [`StockFacts::pos_units`].
    fn sale_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod>;
    /// The book stock at the end of the day of the dataset's count at position `at` (`None`:
    /// the node held no movement of the product up to then).
    fn count_book(&self, at: usize) -> Option<Decimal>;
    /// The rows of the dataset's orders that may still bring goods, where the facts keep them
    /// (the live engine); `None`: every order is read.
    fn open_orders(&self) -> Option<super::replenish::OpenOrders<'_>> {
        None
    }
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
    fn on_hand(&self, nodes: NodeFilter<'_>) -> BTreeMap<(NodeId, ProductId), Decimal> {
        let mut on_hand: BTreeMap<(&NodeId, &ProductId), Decimal> = BTreeMap::new();
        for m in self.dataset.movements.iter().filter(|m| m.date <= self.as_of && nodes.accepts(&m.node)) {
            *on_hand.entry((&m.node, &m.product)).or_default() += m.stock_change();
        }
        on_hand.into_iter().map(|((n, p), q)| ((n.clone(), p.clone()), q)).collect()
    }

    fn pos_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod> {
        let sold = self.dataset.pos_sales.iter().filter(|s| nodes.accepts(&s.node));
        units_by_period(sold.map(|s| Ok((&s.node, &s.product, period.number(s.date), s.quantity))), last)
    }

    fn sale_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod> {
        let sold = self.dataset.movements.iter().filter(|m| m.kind == MovementKind::Sale && nodes.accepts(&m.node));
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
    let mut units: BTreeMap<(&NodeId, &ProductId), PeriodUnits> = BTreeMap::new();
    // A pair's periods mostly come one after another: its entry is looked up once for them.
    let mut current: Option<((&NodeId, &ProductId), &mut PeriodUnits)> = None;
    for sale in sold {
        let (node, product, k, quantity) = sale?;
        if k > last {
            continue;
        }
        let pair = match current.take() {
            Some((key, pair)) if key == (node, product) => pair,
            _ => units.entry((node, product)).or_default(),
        };
        pair.add(k, quantity);
        current = Some(((node, product), pair));
    }
    Ok(units.into_iter().map(|((n, p), months)| ((n.clone(), p.clone()), months)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn units_are_summed_per_pair_and_period_up_to_the_last_exactly() -> Result<()> {
        let (n, p, q) = (NodeId::new("N")?, ProductId::new("P")?, ProductId::new("Q")?);
        let sold = [(&p, 5, "2"), (&p, 3, "1.5"), (&q, 4, "7"), (&p, 5, "0.25"), (&p, 9, "4"), (&p, 1, "0.1")];
        let by_period = units_by_period(sold.into_iter().map(|(product, k, u)| Ok((&n, product, k, units(u)))), 6)?;
        let of_p = &by_period[&(n.clone(), p.clone())];
        // Period 9 is after the last; the gaps read zero, and the values keep their scale.
        let expected = [(1, "0.1"), (2, "0"), (3, "1.5"), (4, "0"), (5, "2.25")];
        let read: Vec<String> = of_p.iter().map(|(k, u)| format!("{k} {u}")).collect();
        assert_eq!(read, expected.map(|(k, u)| format!("{k} {u}")));
        assert_eq!((of_p.first_from(i64::MIN), of_p.first_from(2), of_p.first_from(6)), (Some(1), Some(3), None));
        assert_eq!((of_p.get(0), of_p.get(5), of_p.get(6)), (Decimal::ZERO, units("2.25"), Decimal::ZERO));
        assert_eq!(by_period[&(n, q)].iter().collect::<Vec<_>>(), [(4, units("7"))]);
        assert_eq!(PeriodUnits::default().first_from(i64::MIN), None);
        Ok(())
    }

    #[test]
    fn a_filter_reads_the_nodes_its_predicate_accepts_among_those_named_through_the_table() -> Result<()> {
        let ids = ["A", "B", "C", "D", "E"].map(NodeId::new).into_iter().collect::<Result<Vec<_>>>()?;
        let table: std::collections::HashMap<NodeId, usize> = ids.iter().take(4).cloned().zip(0..).collect();
        let not_c = |n: &NodeId| n.as_str() != "C";
        let read = |filter: NodeFilter<'_>| {
            let mut seen: Vec<usize> =
                filter.entries(table.iter(), |n| table.get_key_value(n)).map(|(_, v)| *v).collect();
            seen.sort_unstable();
            seen
        };
        // Named: B, C and E (E not in the table, C refused); of all: every entry but C.
        let named: FxHashSet<&NodeId> = [&ids[1], &ids[2], &ids[4]].into_iter().collect();
        assert_eq!(read(NodeFilter::among(&named, &not_c)), [1]);
        assert_eq!(read(NodeFilter::all(&not_c)), [0, 1, 3]);
        let accepted = |filter: NodeFilter<'_>| ids.iter().filter(|n| filter.accepts(n)).count();
        assert_eq!((accepted(NodeFilter::among(&named, &not_c)), accepted(NodeFilter::all(&not_c))), (2, 4));
        Ok(())
    }
}
