//! One rule for stock in every door: a dataset whose movements take a node's stock of a product
//! below zero at the end of a day is refused when it is validated, as the S-P-I ledger refuses it,
//! instead of loading and showing negative stock in one view while another view fails.

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::Dataset;
use crate::model::{StockMovement, ValidationIssue};

impl Dataset {
    /// An issue for every node x product whose stock goes below zero at the end of some day (all
    /// that day's movements applied, from zero before the first): the first such day is named.
    pub(super) fn check_negative_stock(&self, out: &mut Vec<ValidationIssue>) {
        let movements = &self.movements;
        let mut order: Vec<usize> = (0..movements.len()).collect();
        order.par_sort_unstable_by_key(|&i| movements.get(i).map(|m| (&m.node, &m.product, m.date)));
        let pair_of = |i: &usize| movements.get(*i).map(|m| (&m.node, &m.product));
        for pair in order.chunk_by(|a, b| pair_of(a) == pair_of(b)) {
            if let Some(issue) = first_negative_day(movements, pair) {
                out.push(issue);
            }
        }
    }
}

/// The first day on which the stock of one pair (its movements' indices in date order) ends
/// below zero.
fn first_negative_day(movements: &[StockMovement], pair: &[usize]) -> Option<ValidationIssue> {
    let mut stock = Decimal::ZERO;
    let day_of = |i: &usize| movements.get(*i).map(|m| m.date);
    for day in pair.chunk_by(|a, b| day_of(a) == day_of(b)) {
        let same_day: Vec<&StockMovement> = day.iter().filter_map(|&i| movements.get(i)).collect();
        let first = same_day.first()?;
        // Quantities are bounded by the records' own checks; sums that would still not fit a
        // Decimal end the check of this pair rather than overflow.
        let change = same_day.iter().try_fold(Decimal::ZERO, |sum, m| sum.checked_add(m.stock_change()))?;
        let before = stock;
        stock = stock.checked_add(change)?;
        if stock < Decimal::ZERO {
            return Some(ValidationIssue::new(
                "stock",
                format!("{} at {}", first.product, first.node),
                "quantity",
                format!("stock would go negative on {}: {before} on hand, change {change}, {stock} after", first.date),
            ));
        }
    }
    None
}
