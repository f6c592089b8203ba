//! The book stock at each stock count — what a reconciliation compares the count with — kept
//! as counts and movements arrive instead of read from the movements.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::stock::StockState;
use crate::model::{NodeId, ProductId, StockCount, StockMovement};
use crate::spi::book_at_counts;

/// Each count's book stock at the end of its day.
#[derive(Debug, Clone, Default)]
pub(crate) struct CountBooks {
    /// In the order of the dataset's counts; `None` while the node has held no movement of the
    /// product up to the count's day.
    books: Vec<Option<Decimal>>,
    /// The days and positions of each node x product's counts, sorted by day, by node then
    /// product (a movement looks its pair up without making a key of its own, and reads only
    /// the counts on its day or later, the last ones).
    by_pair: FxHashMap<NodeId, FxHashMap<ProductId, Vec<(NaiveDate, usize)>>>,
}

impl CountBooks {
    /// The books of a history's counts, from its movements.
    pub(crate) fn of(movements: &[StockMovement], counts: &[StockCount]) -> Self {
        CountBooks::from_books(book_at_counts(movements, counts, |_| true), counts)
    }

    /// The books of `counts` given in their order.
    pub(crate) fn from_books(books: Vec<Option<Decimal>>, counts: &[StockCount]) -> Self {
        let mut books = CountBooks { books, by_pair: FxHashMap::default() };
        for (i, c) in counts.iter().enumerate() {
            books.note(c, i);
        }
        books
    }

    /// Every count's book stock, in the order of the dataset's counts.
    pub(crate) fn books(&self) -> &[Option<Decimal>] {
        &self.books
    }

    /// A count booked (the dataset's next one), dated in the open period from `open_from`.
    pub(crate) fn on_count(&mut self, count: &StockCount, stock: &StockState, open_from: NaiveDate) {
        let at = self.books.len();
        self.books.push(stock.book_at_end_of(&count.node, &count.product, count.date, open_from));
        self.note(count, at);
    }

    /// Notes that the count at position `at` is of its node and product.
    fn note(&mut self, count: &StockCount, at: usize) {
        let products = self.by_pair.entry(count.node.clone()).or_default();
        let positions = products.entry(count.product.clone()).or_default();
        let after = positions.partition_point(|&(day, _)| day <= count.date);
        positions.insert(after, (count.date, at));
    }

    /// A movement booked (`stock` holds it): the counts of its node and product on its day or
    /// later move by its stock change.
    pub(crate) fn on_movement(
        &mut self,
        movement: &StockMovement,
        counts: &[StockCount],
        stock: &StockState,
        open_from: NaiveDate,
    ) {
        let Some(positions) = self.by_pair.get(&movement.node).and_then(|p| p.get(&movement.product)) else { return };
        for &(_, at) in positions.iter().rev().take_while(|(day, _)| *day >= movement.date) {
            let Some(count) = counts.get(at) else { continue };
            if let Some(book) = self.books.get_mut(at) {
                *book = match book {
                    Some(before) => Some(*before + movement.stock_change()),
                    None => stock.book_at_end_of(&count.node, &count.product, count.date, open_from),
                };
            }
        }
    }
}
