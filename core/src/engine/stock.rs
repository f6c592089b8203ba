//! Stock kept current movement by movement: the S-P-I rows of every node x product, the stock on
//! hand, and, for the open period only, the net change of each day (what the negative-stock rule
//! needs to accept or refuse a back-dated movement without reading history).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

use crate::error::{OmoError, Result};
use crate::model::{NodeId, ProductId, StockMovement};
use crate::spi::{LedgerOptions, Period, SpiFlows, SpiRow, build_ledger};

/// One node x product: its monthly rows from its first movement on, and the daily net changes
/// of the open period.
#[derive(Debug, Clone, Default)]
struct PairLedger {
    /// Month number (see [`Period::number`]) of `rows[0]`.
    first: i64,
    /// One row per month, chained (each opening is the row before's closing).
    rows: Vec<SpiFlows>,
    /// Net change per day, for days on or after the open period's first day.
    days: BTreeMap<NaiveDate, Decimal>,
}

impl PairLedger {
    fn on_hand(&self) -> Decimal {
        self.rows.last().map(|r| r.closing).unwrap_or_default()
    }

    /// Stock at the end of each day from `day` on, as (day, closing), `day` itself first (days
    /// without a movement after `day` change nothing, so they are left out).
    fn closings_from(&self, day: NaiveDate, open_from: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let mut stock = self.closing_before(open_from);
        let mut out = Vec::new();
        let mut placed = false;
        for (&d, &change) in self.days.range(open_from..) {
            if d > day && !placed {
                out.push((day, stock));
                placed = true;
            }
            stock += change;
            if d >= day {
                out.push((d, stock));
                placed = true;
            }
        }
        if !placed {
            out.push((day, stock));
        }
        out
    }

    /// Stock at the end of the day before `day` (`day` the first of a month at or after the
    /// pair's first row): the closing of the month before, or the opening of `day`'s month.
    fn closing_before(&self, day: NaiveDate) -> Decimal {
        let month = Period::Month.number(day);
        match usize::try_from(month - self.first) {
            Ok(i) => self.rows.get(i).map_or_else(|| self.on_hand(), |r| r.opening),
            Err(_) => Decimal::ZERO,
        }
    }

    /// Adds a movement of `month` and re-chains the rows from it on.
    fn add(&mut self, movement: &StockMovement, month: i64) {
        if self.rows.is_empty() {
            self.first = month;
        }
        while month < self.first {
            self.rows.insert(0, SpiFlows::default());
            self.first -= 1;
        }
        let last = self.first + self.rows.len() as i64 - 1;
        for _ in last..month {
            let closing = self.on_hand();
            self.rows.push(SpiFlows { opening: closing, closing, ..SpiFlows::default() });
        }
        let Ok(at) = usize::try_from(month - self.first) else { return };
        if let Some(row) = self.rows.get_mut(at) {
            row.add(movement.kind, movement.quantity);
        }
        let mut stock = at.checked_sub(1).and_then(|i| self.rows.get(i)).map(|r| r.closing).unwrap_or_default();
        for row in self.rows.iter_mut().skip(at) {
            row.opening = stock;
            row.closing = stock + row.inflows() - row.outflows();
            stock = row.closing;
        }
    }
}

/// Stock of every node x product, kept current.
#[derive(Debug, Clone, Default)]
pub(crate) struct StockState {
    pairs: FxHashMap<(NodeId, ProductId), PairLedger>,
    /// The products that ever moved at each node.
    by_node: FxHashMap<NodeId, Vec<ProductId>>,
}

impl StockState {
    /// The state of a history's movements: its ledger (built by the batch S-P-I function, the
    /// one rule), and the daily changes of the days on or after `open_from`.
    pub(crate) fn from_movements(movements: &[StockMovement], open_from: NaiveDate) -> Result<Self> {
        let options = LedgerOptions { period: Period::Month, allow_negative: true };
        let mut pairs: FxHashMap<(NodeId, ProductId), PairLedger> = FxHashMap::default();
        for row in build_ledger(movements, &[], options)? {
            let pair = pairs.entry((row.node, row.product)).or_default();
            if pair.rows.is_empty() {
                pair.first = Period::Month.number(row.period);
            }
            pair.rows.push(row.flows);
        }
        let mut by_node: FxHashMap<NodeId, Vec<ProductId>> = FxHashMap::default();
        for (node, product) in pairs.keys() {
            by_node.entry(node.clone()).or_default().push(product.clone());
        }
        for m in movements.iter().filter(|m| m.date >= open_from) {
            if let Some(pair) = pairs.get_mut(&(m.node.clone(), m.product.clone())) {
                *pair.days.entry(m.date).or_default() += m.stock_change();
            }
        }
        Ok(StockState { pairs, by_node })
    }

    /// Refuses `movement` when it would leave its stock below zero at the end of its day or of
    /// any later day (the batch rule: all of a day's movements apply together).
    pub(crate) fn check(&self, movement: &StockMovement, open_from: NaiveDate) -> Result<()> {
        let change = movement.stock_change();
        if change >= Decimal::ZERO {
            return Ok(());
        }
        let key = (movement.node.clone(), movement.product.clone());
        let closings = match self.pairs.get(&key) {
            Some(pair) => pair.closings_from(movement.date, open_from),
            None => vec![(movement.date, Decimal::ZERO)],
        };
        match closings.into_iter().find(|(_, closing)| closing + change < Decimal::ZERO) {
            None => Ok(()),
            Some((day, closing)) => {
                let booked = self.pairs.get(&key).and_then(|p| p.days.get(&day)).copied().unwrap_or_default();
                let day_net = if day == movement.date { booked + change } else { booked };
                let after = closing + change;
                Err(OmoError::NegativeStock {
                    node: movement.node.to_string(),
                    product: movement.product.to_string(),
                    date: day,
                    before: after - day_net,
                    change: day_net,
                    after,
                })
            }
        }
    }

    /// Books `movement`; returns the stock on hand after it.
    pub(crate) fn book(&mut self, movement: &StockMovement, open_from: NaiveDate) -> Decimal {
        let key = (movement.node.clone(), movement.product.clone());
        if !self.pairs.contains_key(&key) {
            self.by_node.entry(movement.node.clone()).or_default().push(movement.product.clone());
        }
        let pair = self.pairs.entry(key).or_default();
        pair.add(movement, Period::Month.number(movement.date));
        if movement.date >= open_from {
            *pair.days.entry(movement.date).or_default() += movement.stock_change();
        }
        pair.on_hand()
    }

    /// Forgets the daily changes of days before `open_from` (their period closed).
    pub(crate) fn close_before(&mut self, open_from: NaiveDate) {
        for pair in self.pairs.values_mut() {
            let kept = pair.days.split_off(&open_from);
            pair.days = kept;
        }
    }

    /// Stock on hand of a node and product (zero when it never moved).
    pub(crate) fn on_hand(&self, node: &NodeId, product: &ProductId) -> Decimal {
        self.pairs.get(&(node.clone(), product.clone())).map(PairLedger::on_hand).unwrap_or_default()
    }

    /// Every S-P-I row, sorted by node, product and month, as [`build_ledger`] gives them.
    pub(crate) fn rows(&self) -> Vec<SpiRow> {
        let mut keys: Vec<&(NodeId, ProductId)> = self.pairs.keys().collect();
        keys.sort();
        let mut out = Vec::new();
        for key in keys {
            let Some(pair) = self.pairs.get(key) else { continue };
            for (i, flows) in pair.rows.iter().enumerate() {
                if let Some(period) = Period::Month.start_of_number(pair.first + i as i64) {
                    out.push(SpiRow { node: key.0.clone(), product: key.1.clone(), period, flows: *flows });
                }
            }
        }
        out
    }

    /// Stock of a node and product at the end of month number `month`.
    pub(crate) fn closing_in(&self, node: &NodeId, product: &ProductId, month: i64) -> Decimal {
        let Some(pair) = self.pairs.get(&(node.clone(), product.clone())) else { return Decimal::ZERO };
        match usize::try_from(month - pair.first) {
            Err(_) => Decimal::ZERO,
            Ok(i) => pair.rows.get(i).map_or_else(|| pair.on_hand(), |r| r.closing),
        }
    }

    /// The products that ever moved at `node`.
    pub(crate) fn products_at(&self, node: &NodeId) -> &[ProductId] {
        self.by_node.get(node).map_or(&[], Vec::as_slice)
    }

    /// The flows of every product at `node` in month number `month`, summed: opening, receipts,
    /// sales and closing as the batch catalogue reads them (a product whose rows ended before
    /// the month holds its last closing; one that had not moved yet, nothing).
    pub(crate) fn node_month(&self, node: &NodeId, month: i64) -> SpiFlows {
        let mut total = SpiFlows::default();
        for product in self.products_at(node) {
            let Some(pair) = self.pairs.get(&(node.clone(), product.clone())) else { continue };
            let row = match usize::try_from(month - pair.first) {
                Err(_) => continue,
                Ok(i) => match pair.rows.get(i) {
                    Some(row) => *row,
                    None => SpiFlows { opening: pair.on_hand(), closing: pair.on_hand(), ..SpiFlows::default() },
                },
            };
            total.accumulate(&row);
        }
        total
    }

    /// A product's sales at `node` in the 25 months up to month number `month` (the last slot
    /// the month itself), as the forecast-accuracy KPI reads them.
    pub(crate) fn sales_history(&self, node: &NodeId, product: &ProductId, month: i64) -> [f64; 25] {
        use rust_decimal::prelude::ToPrimitive;
        let mut slots = [0.0; 25];
        let Some(pair) = self.pairs.get(&(node.clone(), product.clone())) else { return slots };
        for (slot, m) in slots.iter_mut().zip(month - 24..=month) {
            let row = usize::try_from(m - pair.first).ok().and_then(|i| pair.rows.get(i));
            *slot = row.and_then(|r| r.sales.to_f64()).unwrap_or(0.0);
        }
        slots
    }

    /// The stock on hand of every node x product that ever moved, sorted.
    pub(crate) fn on_hand_all(&self) -> Vec<(NodeId, ProductId, Decimal)> {
        let mut out: Vec<_> = self.pairs.iter().map(|((n, p), pair)| (n.clone(), p.clone(), pair.on_hand())).collect();
        out.sort();
        out
    }
}
