//! One rule for stock in every door: a dataset whose movements take a node's stock of a product
//! below zero at the end of a day is refused when it is validated, as the S-P-I ledger refuses it,
//! instead of loading and showing negative stock in one view while another view fails.
//!
//! The check groups the movements by node x product through a hash of the pair (one pass, no
//! comparison of ids), orders each pair's few movements by date, and checks the pairs in
//! parallel; issues come out in the order of (node, product).

use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::Dataset;
use crate::model::{NodeId, ProductId, StockMovement, ValidationIssue};

impl Dataset {
    /// An issue for every node x product whose stock goes below zero at the end of some day (all
    /// that day's movements applied, from zero before the first): the first such day is named.
    pub(super) fn check_negative_stock(&self, out: &mut Vec<ValidationIssue>) {
        let movements = &self.movements;
        let (pairs, groups) = group_by_pair(movements);
        let mut issues: Vec<(&(&NodeId, &ProductId), ValidationIssue)> = groups
            .into_par_iter()
            .zip(pairs.par_iter())
            .filter_map(|(mut pair, key)| {
                pair.sort_by_key(|&i| movements.get(i).map(|m| m.date));
                first_negative_day(movements, &pair).map(|issue| (key, issue))
            })
            .collect();
        issues.sort_unstable_by(|a, b| a.0.cmp(b.0));
        out.extend(issues.into_iter().map(|(_, issue)| issue));
    }
}

/// The distinct node x product pairs of `movements`, in order of first appearance, and for each
/// the indices of its movements, in the movements' order.
fn group_by_pair(movements: &[StockMovement]) -> (Vec<(&NodeId, &ProductId)>, Vec<Vec<usize>>) {
    let mut index: FxHashMap<(&NodeId, &ProductId), usize> = FxHashMap::default();
    let mut pairs = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, m) in movements.iter().enumerate() {
        let at = *index.entry((&m.node, &m.product)).or_insert_with(|| {
            pairs.push((&m.node, &m.product));
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(at) {
            group.push(i);
        }
    }
    (pairs, groups)
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
