//! Stock kept current movement by movement: the S-P-I rows of every node x product, the stock on
//! hand, and, for the open period only, the net change of each day (what the negative-stock rule
//! needs to accept or refuse a back-dated movement without reading history).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

use super::day_totals::DayTotals;
use super::open_moves::OpenMoves;
use super::pair_rows::PairRows;
use crate::error::{OmoError, Result};
use crate::model::{MovementKind, NodeId, ProductId, StockMovement};
use crate::spi::{FifoQueue, HealthOptions, NodeFilter, Period, RollUpRow, SpiFlows, SpiRow, StockHealth, pair_health};

/// One node x product: its monthly rows from its first movement on, and the daily net changes
/// of the open period.
#[derive(Debug, Clone, Default)]
struct PairLedger {
    /// Its rows by month, with the movements each month holds (a roll-up's rows run from a
    /// group's first month with a movement to its last).
    rows: PairRows,
    /// Transfers, per month and counterparty: a roll-up leaves out those inside a group.
    transfers: Vec<PairTransfer>,
    /// The days of the pair's first and last movements.
    first_day: Option<NaiveDate>,
    last_day: Option<NaiveDate>,
    /// FIFO stock layers of the movements before the open period, applied in date order.
    layers: FifoQueue<NaiveDate>,
    /// The open period's stock changes, in the order they were booked.
    open_moves: OpenMoves,
    /// Issues (sales, transfers out, returns to suppliers) by day: the days a cover window can
    /// still read, and the last issue day before them.
    issues: DayTotals,
    /// The day of the latest movement booked and the stock before that day's first movement: a
    /// day's opening stock while movements are booked in date order (a bulk load's stream).
    day: Option<(NaiveDate, Decimal)>,
}

/// A node and product's ledger as [`StockState::pair`] found it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeldPair<'a>(&'a PairLedger);

/// A pair's transfers with one counterparty in one month.
#[derive(Debug, Clone)]
struct PairTransfer {
    month: i64,
    counterparty: NodeId,
    received: Decimal,
    sent: Decimal,
    movements: u32,
}

impl PairLedger {
    fn on_hand(&self) -> Decimal {
        self.rows.on_hand()
    }

    /// The sales of month number `month` as a float, as the forecast-accuracy KPI reads them.
    fn sales_f64(&self, month: i64) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.rows.sales_in(month).to_f64().unwrap_or(0.0)
    }

    /// Stock at the end of each day from `day` on, as (day, closing), `day` itself first (days
    /// without a movement after `day` change nothing, so they are left out).
    fn closings_from(&self, day: NaiveDate, open_from: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let mut stock = self.closing_before(open_from);
        let mut out = Vec::new();
        let mut placed = false;
        for (d, change) in self.day_changes() {
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

    /// The open period's net stock change per day, in day order (its changes are kept in the
    /// order they were booked, nearly always the days' order).
    fn day_changes(&self) -> Vec<(NaiveDate, Decimal)> {
        let moves = self.open_moves.by_day();
        let mut days: Vec<(NaiveDate, Decimal)> = Vec::with_capacity(moves.len());
        for (day, change) in moves {
            match days.last_mut() {
                Some(last) if last.0 == day => last.1 += change,
                _ => days.push((day, change)),
            }
        }
        days
    }

    /// The net stock change booked on `day` (in the open period).
    fn day_change(&self, day: NaiveDate) -> Decimal {
        self.open_moves.iter().filter(|(d, _)| *d == day).map(|(_, change)| change).sum()
    }

    /// Stock at the end of the day before `day` (`day` the first of a month at or after the
    /// pair's first row): the closing of the month before, or the opening of `day`'s month.
    fn closing_before(&self, day: NaiveDate) -> Decimal {
        self.rows.closing_in(Period::Month.number(day) - 1)
    }

    /// Adds a movement to the stock layers (those of the open period wait in `open_moves`,
    /// where a back-dated one can still come before them) and to the issues.
    fn layer(&mut self, movement: &StockMovement, open_from: NaiveDate) {
        if movement.date < open_from {
            self.layers.apply(movement.stock_change(), movement.date);
        } else {
            self.open_moves.push(movement.date, movement.stock_change());
        }
        if movement.kind.is_outflow() {
            self.issues.add(movement.date, movement.quantity);
        }
    }

    /// The stock layers after every movement, in date order (those of one day in the order
    /// they were booked, as the batch health reads the records).
    fn all_layers(&self) -> FifoQueue<NaiveDate> {
        let mut layers = self.layers.clone();
        for (day, change) in self.open_moves.by_day() {
            layers.apply(change, day);
        }
        layers
    }

    /// Records a movement of month number `month`: the pair's first day, and the month's transfers
    /// with the movement's counterparty when it is a transfer.
    fn note(&mut self, movement: &StockMovement, month: i64) {
        self.first_day = Some(self.first_day.map_or(movement.date, |first| first.min(movement.date)));
        self.last_day = Some(self.last_day.map_or(movement.date, |last| last.max(movement.date)));
        let Some(counterparty) = movement.counterparty.as_ref().filter(|_| movement.kind.is_transfer()) else {
            return;
        };
        let at = self.transfers.iter().position(|t| t.month == month && &t.counterparty == counterparty);
        let entry = match at.and_then(|i| self.transfers.get_mut(i)) {
            Some(entry) => entry,
            None => {
                self.transfers.push(PairTransfer {
                    month,
                    counterparty: counterparty.clone(),
                    received: Decimal::ZERO,
                    sent: Decimal::ZERO,
                    movements: 0,
                });
                let Some(entry) = self.transfers.last_mut() else { return };
                entry
            }
        };
        entry.movements += 1;
        match movement.kind {
            MovementKind::TransferIn => entry.received += movement.quantity,
            _ => entry.sent += movement.quantity,
        }
    }

    /// Adds a movement of `month` to its rows, its first day and its transfers.
    fn add(&mut self, movement: &StockMovement, month: i64) {
        if self.day.is_none_or(|(day, _)| day != movement.date) {
            self.day = Some((movement.date, self.on_hand()));
        }
        self.rows.add(movement.kind, movement.quantity, month);
        self.note(movement, month);
    }
}

/// Every node x product's ledger, hashed with Fx; looked up by [`PairKey`], with no id cloned.
type PairMap = hashbrown::HashMap<(NodeId, ProductId), Box<PairLedger>, rustc_hash::FxBuildHasher>;

/// A node and product borrowed, to look their ledger up in a [`PairMap`]: it hashes as the
/// owned pair does (the two ids in turn) and equals the pair with the same two ids.
#[derive(Hash)]
struct PairKey<'a>(&'a NodeId, &'a ProductId);

impl hashbrown::Equivalent<(NodeId, ProductId)> for PairKey<'_> {
    fn equivalent(&self, (node, product): &(NodeId, ProductId)) -> bool {
        self.0 == node && self.1 == product
    }
}

/// Stock of every node x product, kept current.
#[derive(Debug, Clone, Default)]
pub(crate) struct StockState {
    /// Boxed: the table's spare slots then cost a pointer each, not a whole ledger.
    pairs: PairMap,
    /// The products that ever moved at each node.
    by_node: FxHashMap<NodeId, Vec<ProductId>>,
}

impl StockState {
    /// The state of a history's movements: each pair's rows, stock layers and issues, and the
    /// stock changes of the days on or after `open_from`.
    pub(crate) fn from_movements(movements: &[StockMovement], open_from: NaiveDate, as_of: NaiveDate) -> Self {
        let mut by_pair: FxHashMap<(&NodeId, &ProductId), Vec<&StockMovement>> = FxHashMap::default();
        for m in movements {
            by_pair.entry((&m.node, &m.product)).or_default().push(m);
        }
        let mut pairs = PairMap::default();
        for ((node, product), mut moved) in by_pair {
            let pair = pairs.entry((node.clone(), product.clone())).or_default();
            moved.sort_by_key(|m| m.date);
            for m in moved {
                pair.add(m, Period::Month.number(m.date));
                pair.layer(m, open_from);
            }
            pair.issues.forget_before(issues_from(as_of));
        }
        let mut by_node: FxHashMap<NodeId, Vec<ProductId>> = FxHashMap::default();
        for (node, product) in pairs.keys() {
            by_node.entry(node.clone()).or_default().push(product.clone());
        }
        StockState { pairs, by_node }
    }

    /// The ledger of `node` and `product`, looked up once for an event's checks; `None` when
    /// they never moved together.
    pub(crate) fn pair(&self, node: &NodeId, product: &ProductId) -> Option<HeldPair<'_>> {
        self.pairs.get(&PairKey(node, product)).map(|pair| HeldPair(pair))
    }

    /// Refuses `movement` when it would leave its stock below zero at the end of its day or of
    /// any later day (the batch rule: all of a day's movements apply together); `held` is its
    /// node and product's ledger ([`StockState::pair`]).
    pub(crate) fn check(held: Option<HeldPair<'_>>, movement: &StockMovement, open_from: NaiveDate) -> Result<()> {
        let change = movement.stock_change();
        if change >= Decimal::ZERO {
            return Ok(());
        }
        let below_zero = |(_, closing): &(NaiveDate, Decimal)| closing + change < Decimal::ZERO;
        let held = held.map(|HeldPair(pair)| pair);
        let first_below = match held {
            // Nothing booked after its day (the live feed's usual case): that day closes at the
            // stock on hand, and no later day can go below zero.
            Some(pair) if pair.last_day.is_none_or(|last| last <= movement.date) => {
                Some((movement.date, pair.on_hand())).filter(below_zero)
            }
            Some(pair) => pair.closings_from(movement.date, open_from).into_iter().find(below_zero),
            None => Some((movement.date, Decimal::ZERO)).filter(below_zero),
        };
        match first_below {
            None => Ok(()),
            Some((day, closing)) => {
                let booked = held.map_or(Decimal::ZERO, |p| p.day_change(day));
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
        let pair = match self.pairs.get_mut(&PairKey(&movement.node, &movement.product)) {
            Some(pair) => pair,
            None => {
                self.by_node.entry(movement.node.clone()).or_default().push(movement.product.clone());
                self.pairs.entry((movement.node.clone(), movement.product.clone())).or_default()
            }
        };
        pair.add(movement, Period::Month.number(movement.date));
        pair.layer(movement, open_from);
        pair.on_hand()
    }

    /// Moves the stock changes of days before `open_from` (their period closed) into the stock
    /// layers, and forgets the issues no cover window read on `as_of` (the clock's day) or later
    /// reaches.
    pub(crate) fn close_before(&mut self, open_from: NaiveDate, as_of: NaiveDate) {
        for pair in self.pairs.values_mut() {
            for (day, change) in pair.open_moves.take_before(open_from) {
                pair.layers.apply(change, day);
            }
            pair.issues.forget_before(issues_from(as_of));
        }
    }

    /// The health of every node x product that ever moved on `options.as_of` (the clock's day,
    /// in the open period), those of `options.nodes` when given, sorted by node and product;
    /// `None` when the cover window is longer than the issues kept.
    pub(crate) fn health(
        &self,
        options: &HealthOptions,
        unit_cost: impl Fn(&ProductId) -> Decimal,
    ) -> Option<Vec<StockHealth>> {
        let window = u64::from(options.cover_window_days);
        if window > ISSUE_DAYS {
            return None;
        }
        let wanted: Option<rustc_hash::FxHashSet<&NodeId>> = options.nodes.as_ref().map(|n| n.iter().collect());
        let mut keys: Vec<&(NodeId, ProductId)> =
            self.pairs.keys().filter(|(node, _)| wanted.as_ref().is_none_or(|w| w.contains(node))).collect();
        keys.sort();
        let window_start = crate::kpi::days_before(options.as_of, window);
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let Some(pair) = self.pairs.get(key) else { continue };
            let issues = (
                pair.issues.last_on_or_before(options.as_of),
                pair.issues.sum(window_start.succ_opt()?, options.as_of),
            );
            out.push(pair_health((&key.0, &key.1), &pair.all_layers(), issues, unit_cost(&key.1), options));
        }
        Some(out)
    }

    /// Every node's sales of every product by month, as (node, product, month number, units),
    /// the months without a sale left out.
    pub(crate) fn monthly_sales(&self) -> impl Iterator<Item = (&NodeId, &ProductId, i64, Decimal)> {
        self.monthly_sales_at(NodeFilter::all(&|_| true))
    }

    /// [`StockState::monthly_sales`] of the pairs of `nodes` (asked once a node, not once a
    /// pair or a month).
    pub(crate) fn monthly_sales_at<'a>(
        &'a self,
        nodes: NodeFilter<'a>,
    ) -> impl Iterator<Item = (&'a NodeId, &'a ProductId, i64, Decimal)> + 'a {
        self.pairs_at(nodes).flat_map(|(node, product, pair)| {
            pair.rows.sales().map(move |(month, units)| (node, product, month, units))
        })
    }

    /// The pairs of `nodes`, found through each node's products.
    fn pairs_at<'a>(
        &'a self,
        nodes: NodeFilter<'a>,
    ) -> impl Iterator<Item = (&'a NodeId, &'a ProductId, &'a PairLedger)> + 'a {
        nodes.entries(self.by_node.iter(), |node| self.by_node.get_key_value(node)).flat_map(move |(node, products)| {
            products
                .iter()
                .filter_map(move |product| self.pairs.get(&PairKey(node, product)).map(|pair| (node, product, &**pair)))
        })
    }

    /// The book stock of a node and product at the end of `day` (on or after `open_from`);
    /// `None` when it had not moved by then.
    pub(crate) fn book_at_end_of(
        &self,
        node: &NodeId,
        product: &ProductId,
        day: NaiveDate,
        open_from: NaiveDate,
    ) -> Option<Decimal> {
        let pair = self.pairs.get(&PairKey(node, product))?;
        pair.first_day.filter(|first| *first <= day)?;
        pair.closings_from(day, open_from).first().map(|(_, closing)| *closing)
    }

    /// Stock on hand of a node and product with its stock before the first movement of the day
    /// of its latest (that day's opening while movements are booked in date order), as
    /// (opening, on hand); `None` when it never moved.
    pub(crate) fn held_since_day(&self, node: &NodeId, product: &ProductId) -> Option<(Decimal, Decimal)> {
        let pair = self.pairs.get(&PairKey(node, product))?;
        pair.day.map(|(_, opening)| (opening, pair.on_hand()))
    }

    /// Stock on hand of a node and product; `None` when it never moved.
    pub(crate) fn held(&self, node: &NodeId, product: &ProductId) -> Option<Decimal> {
        self.pairs.get(&PairKey(node, product)).map(|pair| pair.on_hand())
    }

    /// Stock on hand of a node and product (zero when it never moved).
    pub(crate) fn on_hand(&self, node: &NodeId, product: &ProductId) -> Decimal {
        self.pairs.get(&PairKey(node, product)).map(|pair| pair.on_hand()).unwrap_or_default()
    }

    /// Every S-P-I row, sorted by node, product and month, as [`build_ledger`] gives them.
    pub(crate) fn rows(&self) -> Vec<SpiRow> {
        let mut keys: Vec<&(NodeId, ProductId)> = self.pairs.keys().collect();
        keys.sort();
        let mut out = Vec::new();
        for key in keys {
            let Some(pair) = self.pairs.get(key) else { continue };
            for (month, flows) in pair.rows.rows() {
                if let Some(period) = Period::Month.start_of_number(month) {
                    out.push(SpiRow { node: key.0.clone(), product: key.1.clone(), period, flows });
                }
            }
        }
        out
    }

    /// The products that ever moved at `node`.
    pub(crate) fn products_at(&self, node: &NodeId) -> &[ProductId] {
        self.by_node.get(node).map_or(&[], Vec::as_slice)
    }

    /// The flows of `product` at `node` in month number `month` as the batch catalogue reads
    /// them: none before its first month; a product whose rows ended before the month holds its
    /// last closing.
    pub(crate) fn pair_month(&self, node: &NodeId, product: &ProductId, month: i64) -> Option<SpiFlows> {
        self.pairs.get(&PairKey(node, product)).and_then(|pair| pair.rows.row(month))
    }

    /// A product's sales at `node` in the 25 months up to month number `month` (the last slot
    /// the month itself), as the forecast-accuracy KPI reads them.
    pub(crate) fn sales_history(&self, node: &NodeId, product: &ProductId, month: i64) -> [f64; 25] {
        let mut slots = [0.0; 25];
        let Some(pair) = self.pairs.get(&PairKey(node, product)) else { return slots };
        for (slot, m) in slots.iter_mut().zip(month - 24..=month) {
            *slot = pair.sales_f64(m);
        }
        slots
    }

    /// A product's sales at `node` in month number `month`: the last slot of
    /// [`StockState::sales_history`].
    pub(crate) fn month_sales(&self, node: &NodeId, product: &ProductId, month: i64) -> f64 {
        self.pairs.get(&PairKey(node, product)).map_or(0.0, |pair| pair.sales_f64(month))
    }

    /// Stock on hand of every node x product that moved, of the nodes `keep` accepts.
    pub(crate) fn on_hand_at(&self, nodes: NodeFilter<'_>) -> BTreeMap<(NodeId, ProductId), Decimal> {
        self.pairs_at(nodes).map(|(n, p, pair)| ((n.clone(), p.clone()), pair.on_hand())).collect()
    }

    /// The stock on hand of every node x product that ever moved, sorted.
    pub(crate) fn on_hand_all(&self) -> Vec<(NodeId, ProductId, Decimal)> {
        let mut out: Vec<_> = self.pairs.iter().map(|((n, p), pair)| (n.clone(), p.clone(), pair.on_hand())).collect();
        out.sort();
        out
    }

    /// The S-P-I rows of node groups x product groups per `period` (whole months: month,
    /// quarter or year) over the pairs whose node `keep` accepts, a transfer between two nodes
    /// of one group left out: [`crate::spi::roll_up`] from the monthly rows instead of the
    /// movements. A group's rows run from its first period with a movement to its last, as the
    /// batch roll-up's do; sorted by node group, product group and period.
    pub(crate) fn roll_up<'g>(
        &self,
        period: Period,
        (node_group, product_group): (impl Fn(&NodeId) -> &'g str, impl Fn(&ProductId) -> &'g str),
        keep: &dyn Fn(&NodeId) -> bool,
    ) -> Vec<RollUpRow> {
        let mut groups: BTreeMap<(&str, &str), BTreeMap<i64, SpiFlows>> = BTreeMap::new();
        for ((node, product), pair) in self.pairs.iter().filter(|((node, _), _)| keep(node)) {
            let group = node_group(node);
            let months = groups.entry((group, product_group(product))).or_default();
            for (month, mut flows, mut count) in pair.rows.flows() {
                for inside in pair.transfers.iter().filter(|t| t.month == month && node_group(&t.counterparty) == group)
                {
                    flows.transfers_in -= inside.received;
                    flows.transfers_out -= inside.sent;
                    count = count.saturating_sub(inside.movements);
                }
                let Some(start) = Period::Month.start_of_number(month) else { continue };
                if count > 0 {
                    months.entry(period.number(start)).or_default().accumulate(&flows);
                }
            }
        }
        let mut out = Vec::new();
        for ((nodes, products), numbers) in groups {
            let (Some(&first), Some(&last)) = (numbers.keys().next(), numbers.keys().next_back()) else { continue };
            let mut stock = Decimal::ZERO;
            for number in first..=last {
                let mut flows = numbers.get(&number).copied().unwrap_or_default();
                flows.opening = stock;
                flows.closing = stock + flows.inflows() - flows.outflows();
                stock = flows.closing;
                if let Some(period) = period.start_of_number(number) {
                    out.push(RollUpRow { nodes: nodes.to_owned(), products: products.to_owned(), period, flows });
                }
            }
        }
        out
    }
}

/// How many days of issues a pair keeps before the clock's day: the longest cover window a
/// health view reads (the standard 90 days). The engine's health is read on the clock's day
/// only, and the clock never goes back.
const ISSUE_DAYS: u64 = 90;

/// The first day whose issues a pair keeps while the clock reads `as_of`.
fn issues_from(as_of: NaiveDate) -> NaiveDate {
    crate::kpi::days_before(as_of, ISSUE_DAYS)
}
