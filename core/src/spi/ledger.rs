//! The S-P-I ledger: per node x product x period, opening stock, every kind of flow, and closing
//! stock, built from stock movements.
//!
//! `closing = opening + receipts + customer_returns + transfers_in + adjustments - sales -
//! supplier_returns - transfers_out` holds for every row, each row's opening is the previous row's
//! closing, and every period between a pair's first and last movement has a row (the stock did not
//! vanish in a quiet month).
//!
//! Negative stock is checked day by day: all movements of a day apply together (an extract rarely
//! says in which order a day's documents were booked), and the first day whose closing stock is
//! below zero is reported with node, product, date and quantities. The check costs almost nothing
//! where stock stays positive: a period is replayed day by day only when its opening stock minus
//! all its outflows could dip below zero.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::hash::Hash;

use super::period::Period;
use crate::error::{OmoError, Result};
use crate::model::{MAX_QUANTITY, MovementKind, NodeId, ProductId, StockMovement, ValidationIssue};

/// The quantities (or values) of one S-P-I row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SpiFlows {
    /// Stock at the start of the period.
    pub opening: Decimal,
    /// Purchases / goods received (進貨).
    pub receipts: Decimal,
    /// Sales (銷售).
    pub sales: Decimal,
    /// Goods customers brought back.
    pub customer_returns: Decimal,
    /// Goods sent back to suppliers.
    pub supplier_returns: Decimal,
    /// Transfers in from other nodes.
    pub transfers_in: Decimal,
    /// Transfers out to other nodes.
    pub transfers_out: Decimal,
    /// Net adjustments (signed).
    pub adjustments: Decimal,
    /// Stock at the end of the period (庫存).
    pub closing: Decimal,
}

impl SpiFlows {
    /// Adds one movement's quantity to its column (not to opening or closing).
    pub fn add(&mut self, kind: MovementKind, quantity: Decimal) {
        let column = match kind {
            MovementKind::Receipt => &mut self.receipts,
            MovementKind::Sale => &mut self.sales,
            MovementKind::CustomerReturn => &mut self.customer_returns,
            MovementKind::SupplierReturn => &mut self.supplier_returns,
            MovementKind::TransferIn => &mut self.transfers_in,
            MovementKind::TransferOut => &mut self.transfers_out,
            MovementKind::Adjustment => &mut self.adjustments,
        };
        *column += quantity;
    }

    /// Everything that came in, with the net adjustment.
    pub fn inflows(&self) -> Decimal {
        self.receipts + self.customer_returns + self.transfers_in + self.adjustments
    }

    /// Everything that went out.
    pub fn outflows(&self) -> Decimal {
        self.sales + self.supplier_returns + self.transfers_out
    }

    /// Sales net of customer returns (saturating at the ends of a decimal's range).
    pub fn net_sales(&self) -> Decimal {
        self.sales.saturating_sub(self.customer_returns)
    }

    /// Every column multiplied by `factor`: values at a unit cost.
    pub fn scaled(&self, factor: Decimal) -> SpiFlows {
        SpiFlows {
            opening: self.opening * factor,
            receipts: self.receipts * factor,
            sales: self.sales * factor,
            customer_returns: self.customer_returns * factor,
            supplier_returns: self.supplier_returns * factor,
            transfers_in: self.transfers_in * factor,
            transfers_out: self.transfers_out * factor,
            adjustments: self.adjustments * factor,
            closing: self.closing * factor,
        }
    }

    /// Adds another row's flows column by column (for roll-ups of the same period).
    pub fn accumulate(&mut self, other: &SpiFlows) {
        self.opening += other.opening;
        self.receipts += other.receipts;
        self.sales += other.sales;
        self.customer_returns += other.customer_returns;
        self.supplier_returns += other.supplier_returns;
        self.transfers_in += other.transfers_in;
        self.transfers_out += other.transfers_out;
        self.adjustments += other.adjustments;
        self.closing += other.closing;
    }
}

/// One row of the S-P-I ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SpiRow {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// First day of the period.
    pub period: NaiveDate,
    /// The quantities.
    #[serde(flatten)]
    pub flows: SpiFlows,
}

/// The same rows valued at each product's standard cost (quantities times cost, column by
/// column). A row of a product the dataset does not know is an error naming it.
pub fn value_at_standard_cost(rows: &[SpiRow], products: &[crate::model::Product]) -> Result<Vec<SpiRow>> {
    let cost: FxHashMap<&ProductId, Decimal> = products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    rows.iter()
        .map(|row| {
            let unit = cost
                .get(&row.product)
                .ok_or_else(|| OmoError::UnknownId { kind: "product", id: row.product.to_string() })?;
            Ok(SpiRow { flows: row.flows.scaled(*unit), ..row.clone() })
        })
        .collect()
}

/// Stock of a node and product before its first movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningStock {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// Quantity on hand.
    pub quantity: Decimal,
}

/// How to build a ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerOptions {
    /// The period bucket.
    pub period: Period,
    /// Whether stock may go below zero; when not, the first day it does is an error.
    pub allow_negative: bool,
}

impl Default for LedgerOptions {
    /// Monthly, negative stock refused.
    fn default() -> Self {
        LedgerOptions { period: Period::Month, allow_negative: false }
    }
}

/// Builds the S-P-I ledger from movements (in any order) and opening stock, sorted by node,
/// product and period.
///
/// Errors: a movement whose quantity is zero, negative (except adjustments) or too large
/// ([`OmoError::Invalid`], naming the row); an opening stock that is negative while negative stock
/// is refused; the first day stock goes negative when refused ([`OmoError::NegativeStock`]); a
/// node and product whose movements span more than [`MAX_LEDGER_PERIODS`] periods
/// ([`OmoError::Invalid`], naming the row of its latest movement).
///
/// ```
/// use omo_core::model::{MovementKind::*, NodeId, ProductId, StockMovement};
/// use omo_core::spi::{LedgerOptions, Period, build_ledger};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let (n, p) = (NodeId::new("DC")?, ProductId::new("UREA")?);
/// let mv = |m, d, kind, q| StockMovement::new(n.clone(), p.clone(), NaiveDate::from_ymd_opt(2025, m, d).unwrap(), kind, Decimal::from(q));
/// let rows = build_ledger(&[mv(1, 5, Receipt, 100)?, mv(1, 20, Sale, 30)?, mv(3, 2, Sale, 50)?], &[], LedgerOptions::default())?;
/// assert_eq!(rows.len(), 3);                        // February is there, with no movement
/// assert_eq!(rows[1].flows.opening, Decimal::from(70));
/// assert_eq!(rows[2].flows.closing, Decimal::from(20));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn build_ledger(
    movements: &[StockMovement],
    opening: &[OpeningStock],
    options: LedgerOptions,
) -> Result<Vec<SpiRow>> {
    let ids = PairIds::of(movements, options.period)?;
    let openings: FxHashMap<(u32, u32), Decimal> = opening_map(opening, options.allow_negative)?
        .into_iter()
        .filter_map(|((node, product), quantity)| Some((ids.numbers(node, product)?, quantity)))
        .collect();
    let flows = movements.iter().map(|m| (m.date, m.kind, m.quantity));
    let row = |&(n, p): &(u32, u32), period, flows| {
        let (node, product) = names(&ids.nodes, &ids.products, n, p)?;
        Some(SpiRow {
            node: node.clone(),
            product: product.clone(),
            period: options.period.start_of_number(period)?,
            flows,
        })
    };
    aggregate_keyed(&ids.keyed, flows, &openings, options, row).map_err(|stop| {
        let ids_of = |&(n, p): &(u32, u32)| names(&ids.nodes, &ids.products, n, p);
        match stop {
            LedgerStop::Negative(at) => negative_stock_error(at, |key| {
                ids_of(key).map(|(node, product)| (node.to_string(), product.to_string())).unwrap_or_default()
            }),
            LedgerStop::TooLong(span) => match ids_of(&span.key) {
                Some((node, product)) => span_error(movements, options.period, (node, product), &span),
                None => OmoError::InvalidArgument { name: "movements", message: span.describe(options.period) },
            },
        }
    })
}

/// The refusal of a pair whose movements span more than [`MAX_LEDGER_PERIODS`]: names the row of
/// its latest movement (the span's far end) and both ends.
fn span_error(
    movements: &[StockMovement],
    period: Period,
    (node, product): (&NodeId, &ProductId),
    span: &SpanAt<(u32, u32)>,
) -> OmoError {
    let row = movements
        .iter()
        .position(|m| &m.node == node && &m.product == product && period.number(m.date) == span.last)
        .map_or_else(|| "-".to_owned(), |row| format!("#{row}"));
    let message = format!("{product} at {node}: {}", span.describe(period));
    OmoError::Invalid { issues: vec![ValidationIssue::new("stock_movement", row, "date", message)] }
}

/// Pass one of [`build_ledger`]: each movement's (node, product) as a pair of numbers that sort as
/// the ids do, and the ids they stand for. Hashing two short strings against two small tables
/// that own copies of the ids (so they stay in cache), the passes never compare against a key
/// that points back into the (far bigger than cache) movements.
struct PairIds<'a> {
    keyed: Keyed<(u32, u32)>,
    nodes: Numbered<'a, NodeId>,
    products: Numbered<'a, ProductId>,
}

impl<'a> PairIds<'a> {
    /// Numbers the ids of `movements` and finds each pair's periods in one pass, checking each
    /// quantity on the way (an error names every offending row, as [`check_quantities`] does).
    fn of(movements: &'a [StockMovement], period: Period) -> Result<Self> {
        let mut nodes = Numbered::default();
        let mut products = Numbered::default();
        // Per node, each product's key number and periods; a node's few products make this a
        // small table, read without hashing, and one place to read per movement.
        let mut key_of: Vec<Vec<PairSlot>> = Vec::new();
        let mut keyed = Keyed::with_capacity(movements.len());
        let mut quantities_ok = true;
        for m in movements {
            quantities_ok &= quantity_ok(m);
            let pair = (nodes.number(&m.node), products.number(&m.product));
            let p = period.number(m.date);
            match pair_slot(&mut key_of, pair) {
                Some(slot) if slot.key == PairSlot::UNSEEN => {
                    *slot = PairSlot { key: keyed.keys.len() as u32, first: period_i32(p), last: period_i32(p) };
                    keyed.push(slot.key, || pair, p, m.kind, m.quantity);
                }
                Some(slot) => {
                    (slot.first, slot.last) = (slot.first.min(period_i32(p)), slot.last.max(period_i32(p)));
                    keyed.stage(slot.key, p, m.kind, m.quantity);
                }
                None => keyed.push(keyed.keys.len() as u32, || pair, p, m.kind, m.quantity),
            }
        }
        if !quantities_ok {
            check_quantities(movements)?;
        }
        for slot in key_of.iter().flatten().filter(|slot| slot.key != PairSlot::UNSEEN) {
            if let Some(range) = keyed.range.get_mut(slot.key as usize) {
                *range = (i64::from(slot.first), i64::from(slot.last));
            }
        }
        let (node_rank, product_rank) = (nodes.sort(), products.sort());
        for key in &mut keyed.keys {
            *key = (rank(&node_rank, key.0), rank(&product_rank, key.1));
        }
        Ok(PairIds { keyed, nodes, products })
    }

    /// The numbers of a node and product, when both moved.
    fn numbers(&self, node: &NodeId, product: &ProductId) -> Option<(u32, u32)> {
        Some((*self.nodes.index.get(node)?, *self.products.index.get(product)?))
    }
}

/// A (node, product) pair's key number and its first and last period, in pass one.
#[derive(Clone, Copy)]
struct PairSlot {
    key: u32,
    first: i32,
    last: i32,
}

impl PairSlot {
    /// The key number of a pair not seen yet.
    const UNSEEN: u32 = u32::MAX;
}

/// The slot of a (node, product) pair in `key_of`, made (unseen) when missing.
fn pair_slot(key_of: &mut Vec<Vec<PairSlot>>, (node, product): (u32, u32)) -> Option<&mut PairSlot> {
    let (node, product) = (node as usize, product as usize);
    if key_of.len() <= node {
        key_of.resize_with(node + 1, Vec::new);
    }
    let products = key_of.get_mut(node)?;
    if products.len() <= product {
        products.resize(product + 1, PairSlot { key: PairSlot::UNSEEN, first: 0, last: 0 });
    }
    products.get_mut(product)
}

/// A period number as pass one keeps it: a date's day number, the largest, stays within 10^8.
fn period_i32(p: i64) -> i32 {
    i32::try_from(p).unwrap_or(if p < 0 { i32::MIN } else { i32::MAX })
}

/// The ids behind a pair of numbers.
fn names<'a>(
    nodes: &Numbered<'a, NodeId>,
    products: &Numbered<'a, ProductId>,
    node: u32,
    product: u32,
) -> Option<(&'a NodeId, &'a ProductId)> {
    Some((*nodes.ids.get(node as usize)?, *products.ids.get(product as usize)?))
}

/// Distinct ids numbered as they are first seen, then renumbered in sorted order by
/// [`Numbered::sort`]. The index owns copies of the ids, so it stays small and in cache.
struct Numbered<'a, T> {
    index: FxHashMap<T, u32>,
    ids: Vec<&'a T>,
}

impl<T> Default for Numbered<'_, T> {
    fn default() -> Self {
        Numbered { index: FxHashMap::default(), ids: Vec::new() }
    }
}

impl<'a, T: Hash + Eq + Ord + Clone> Numbered<'a, T> {
    fn number(&mut self, id: &'a T) -> u32 {
        let n = number_in(&mut self.index, id);
        if n as usize == self.ids.len() {
            self.ids.push(id);
        }
        n
    }

    /// Sorts the ids; returns, for each number given so far, its place in that order.
    fn sort(&mut self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.ids.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.ids.get(a as usize).cmp(&self.ids.get(b as usize)));
        let mut places = vec![0; order.len()];
        for (place, &n) in order.iter().enumerate() {
            if let Some(r) = places.get_mut(n as usize) {
                *r = place as u32;
            }
        }
        self.ids = order.iter().filter_map(|&n| self.ids.get(n as usize).copied()).collect();
        for n in self.index.values_mut() {
            *n = rank(&places, *n);
        }
        places
    }
}

/// The number of `key` in `index`; a new key gets the next number.
fn number_in<T: Hash + Eq + Clone>(index: &mut FxHashMap<T, u32>, key: &T) -> u32 {
    if let Some(&n) = index.get(key) {
        return n;
    }
    let n = index.len() as u32;
    index.insert(key.clone(), n);
    n
}

/// The place of number `n` in sorted order.
fn rank(ranks: &[u32], n: u32) -> u32 {
    ranks.get(n as usize).copied().unwrap_or(n)
}

/// Checks every movement's quantity against its kind; names each offending row.
pub(crate) fn check_quantities(movements: &[StockMovement]) -> Result<()> {
    let mut issues = Vec::new();
    for (row, m) in movements.iter().enumerate() {
        if !quantity_ok(m) {
            let rule = if m.kind == MovementKind::Adjustment { "signed" } else { "positive" };
            issues.push(ValidationIssue::new(
                "stock_movement",
                format!("#{row}"),
                "quantity",
                format!(
                    "{} of {} at {} on {}: quantity {} must be {rule} and at most {MAX_QUANTITY}",
                    m.kind.as_str(),
                    m.product,
                    m.node,
                    m.date,
                    m.quantity
                ),
            ));
        }
    }
    if issues.is_empty() { Ok(()) } else { Err(OmoError::Invalid { issues }) }
}

/// [`MAX_QUANTITY`]'s digits (its scale is 0).
const MAX_WHOLE_QUANTITY: i128 = MAX_QUANTITY.mantissa();

/// Whether a movement's quantity fits its kind: positive, or signed for adjustments; at most
/// [`MAX_QUANTITY`].
fn quantity_ok(m: &StockMovement) -> bool {
    let parts = m.quantity.unpack();
    if parts.hi == 0 && parts.mid == 0 && parts.scale == 0 && parts.lo != 0 {
        // A whole number of at most 32 bits, the common case, checked without decimal compares.
        let fits = i128::from(parts.lo) <= MAX_WHOLE_QUANTITY;
        return fits && (m.kind == MovementKind::Adjustment || !parts.negative);
    }
    if m.kind == MovementKind::Adjustment {
        m.quantity.abs() <= MAX_QUANTITY
    } else {
        m.quantity > Decimal::ZERO && m.quantity <= MAX_QUANTITY
    }
}

fn opening_map(opening: &[OpeningStock], allow_negative: bool) -> Result<FxHashMap<(&NodeId, &ProductId), Decimal>> {
    let mut map = FxHashMap::default();
    for (row, o) in opening.iter().enumerate() {
        if (o.quantity < Decimal::ZERO && !allow_negative) || o.quantity.abs() > MAX_QUANTITY {
            let message =
                format!("opening stock {} of {} at {} is negative or too large", o.quantity, o.product, o.node);
            return Err(OmoError::Invalid {
                issues: vec![ValidationIssue::new("opening_stock", format!("#{row}"), "quantity", message)],
            });
        }
        if map.insert((&o.node, &o.product), o.quantity).is_some() {
            let message = format!("{} at {} has two opening balances", o.product, o.node);
            return Err(OmoError::Invalid {
                issues: vec![ValidationIssue::new("opening_stock", format!("#{row}"), "node", message)],
            });
        }
    }
    Ok(map)
}

/// The most periods the ledger holds for one key (a node and product, or a roll-up group): a
/// hundred years of days. Every period between a key's first and last movement has a row, so two
/// movements dated at the ends of the calendar (year 1 and year 9999, a mistyped year) would ask
/// for millions of rows by day; such a key is refused instead, naming it and its span.
///
/// ```
/// use omo_core::model::{MovementKind::*, NodeId, ProductId, StockMovement};
/// use omo_core::spi::{LedgerOptions, MAX_LEDGER_PERIODS, Period, build_ledger};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let (n, p) = (NodeId::new("DC")?, ProductId::new("UREA")?);
/// let mv = |y, kind| StockMovement::new(n.clone(), p.clone(), NaiveDate::from_ymd_opt(y, 1, 5).unwrap(), kind, Decimal::ONE);
/// let movements = [mv(2025, Receipt)?, mv(20250, Sale)?];       // a year typed with a digit too many
/// let by = |period| LedgerOptions { period, allow_negative: false };
/// let refused = build_ledger(&movements, &[], by(Period::Day)).unwrap_err();
/// assert!(refused.to_string().contains("UREA at DC"), "{refused}");
/// assert_eq!(build_ledger(&movements, &[], by(Period::Year))?.len(), 18_226);
/// assert_eq!(MAX_LEDGER_PERIODS, 36_525);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub const MAX_LEDGER_PERIODS: i64 = 36_525;

/// Why the ledger engine stopped, for the caller to name the key.
#[derive(Debug, Clone)]
pub(crate) enum LedgerStop<K> {
    /// Stock went below zero.
    Negative(NegativeAt<K>),
    /// A key's movements span more than [`MAX_LEDGER_PERIODS`].
    TooLong(SpanAt<K>),
}

/// A key whose movements span more than [`MAX_LEDGER_PERIODS`]: its first and last period numbers.
#[derive(Debug, Clone)]
pub(crate) struct SpanAt<K> {
    pub key: K,
    pub first: i64,
    pub last: i64,
}

impl<K> SpanAt<K> {
    /// The span in words: its ends, its length in periods and the limit.
    pub(crate) fn describe(&self, period: Period) -> String {
        let start = |number| period.start_of_number(number).map_or_else(|| number.to_string(), |d| d.to_string());
        format!(
            "movements from the {unit} of {} to the {unit} of {} span {} {unit}s, more than the {MAX_LEDGER_PERIODS} \
             a ledger holds for one pair or group; check the dates or ask for a longer period",
            start(self.first),
            start(self.last),
            self.last.saturating_sub(self.first).saturating_add(1),
            unit = period.as_str(),
        )
    }
}

/// Where stock first went below zero, for the caller to name the key.
#[derive(Debug, Clone)]
pub(crate) struct NegativeAt<K> {
    pub key: K,
    pub date: NaiveDate,
    pub before: Decimal,
    pub change: Decimal,
}

pub(crate) fn negative_stock_error<K>(at: NegativeAt<K>, names: impl Fn(&K) -> (String, String)) -> OmoError {
    let (node, product) = names(&at.key);
    OmoError::NegativeStock {
        node,
        product,
        date: at.date,
        before: at.before,
        change: at.change,
        after: at.before + at.change,
    }
}

/// The ledger engine: movements keyed by any key (a node and product, or a roll-up group of them)
/// into rows per key and period number, sorted by key and period, each made by `row` from its
/// key, period number and flows (a row it does not make is left out).
///
/// One pass over `entries` and no sorting of movements: pass one finds each key's period range
/// and stages each entry in 16 bytes ([`Keyed::of`]), pass two adds every staged quantity into
/// its (key, period) bucket. `entries` is read again only to name the day stock went below zero.
pub(crate) fn aggregate<K, I, R>(
    entries: I,
    openings: &FxHashMap<K, Decimal>,
    options: LedgerOptions,
    row: impl Fn(&K, i64, SpiFlows) -> Option<R>,
) -> Result<Vec<R>, LedgerStop<K>>
where
    K: Hash + Eq + Ord + Clone,
    I: Iterator<Item = (K, NaiveDate, MovementKind, Decimal)> + Clone,
{
    let keyed = Keyed::of(entries.clone(), options.period);
    aggregate_keyed(&keyed, entries.map(|(_, date, kind, quantity)| (date, kind, quantity)), openings, options, row)
}

/// Pass one of the ledger: each entry's key as a dense number, the keys, each key's first and
/// last period, and each entry staged for pass two (so that pass two reads 16 bytes an entry, not
/// the entry).
pub(crate) struct Keyed<K> {
    keys: Vec<K>,
    range: Vec<(i64, i64)>,
    entries: Vec<Entry>,
    /// The quantities too long to stage compactly, in entry order ([`Staged::is_wide`]).
    wide: Vec<Decimal>,
}

/// One entry as pass one stages it: its key's number, its period's number, its kind and quantity.
#[derive(Clone, Copy)]
struct Entry {
    key: u32,
    /// See [`period_i32`].
    period: i32,
    /// The kind and quantity, its slot not known yet.
    staged: Staged,
}

// Pass two reads each staged entry; keep it at 16 bytes.
const _: () = assert!(std::mem::size_of::<Entry>() == 16);

impl<K> Keyed<K> {
    /// Room for `entries` entries.
    fn with_capacity(entries: usize) -> Self {
        Keyed { keys: Vec::new(), range: Vec::new(), entries: Vec::with_capacity(entries), wide: Vec::new() }
    }

    /// Records the next entry: of key number `k` (a new key when `k` is the count so far), in
    /// period `p`, a movement of `kind` and `quantity`.
    fn push(&mut self, k: u32, new_key: impl FnOnce() -> K, p: i64, kind: MovementKind, quantity: Decimal) {
        match self.range.get_mut(k as usize) {
            Some(r) => *r = (r.0.min(p), r.1.max(p)),
            None => {
                self.keys.push(new_key());
                self.range.push((p, p));
            }
        }
        self.stage(k, p, kind, quantity);
    }

    /// Records the next entry of key number `k`, whose range its caller keeps.
    fn stage(&mut self, k: u32, p: i64, kind: MovementKind, quantity: Decimal) {
        let staged = Staged::new(kind, quantity, &mut self.wide);
        self.entries.push(Entry { key: k, period: period_i32(p), staged });
    }
}

impl<K: Hash + Eq + Clone> Keyed<K> {
    /// Pass one over entries given as (key, date, kind, quantity).
    fn of(entries: impl Iterator<Item = (K, NaiveDate, MovementKind, Decimal)>, period: Period) -> Self {
        let mut index: FxHashMap<K, u32> = FxHashMap::default();
        let mut keyed = Keyed::with_capacity(entries.size_hint().0);
        for (key, date, kind, quantity) in entries {
            let k = number_in(&mut index, &key);
            keyed.push(k, || key, period.number(date), kind, quantity);
        }
        keyed
    }
}

/// Pass two onwards: `flows` are the entries' (date, kind, quantity) in the order [`Keyed`] saw
/// them, read only when a period could dip below zero; `row` as [`aggregate`]'s.
fn aggregate_keyed<K, I, R>(
    keyed: &Keyed<K>,
    flows: I,
    openings: &FxHashMap<K, Decimal>,
    options: LedgerOptions,
    row: impl Fn(&K, i64, SpiFlows) -> Option<R>,
) -> Result<Vec<R>, LedgerStop<K>>
where
    K: Hash + Eq + Ord + Clone,
    I: Iterator<Item = (NaiveDate, MovementKind, Decimal)>,
{
    let Keyed { keys, range, entries, wide } = keyed;
    let too_long = keys.iter().zip(range).find(|(_, (first, last))| last.saturating_sub(*first) >= MAX_LEDGER_PERIODS);
    if let Some((key, &(first, last))) = too_long {
        return Err(LedgerStop::TooLong(SpanAt { key: key.clone(), first, last }));
    }
    // Pass two: every quantity into its bucket; gross outflows kept apart for the negative check.
    let mut offset = Vec::with_capacity(keys.len() + 1);
    let mut total = 0usize;
    for &(first, last) in range {
        offset.push(total);
        total += usize::try_from(last - first + 1).unwrap_or(0);
    }
    let mut sink = Buckets {
        flows: vec![SpiFlows::default(); total],
        gross_out: if options.allow_negative { Vec::new() } else { vec![Decimal::ZERO; total] },
    };
    let slots = entries.iter().filter_map(|e| {
        let k = e.key as usize;
        let (Some(&base), Some(&(first, _))) = (offset.get(k), range.get(k)) else { return None };
        Some((base + usize::try_from(i64::from(e.period) - first).unwrap_or(0), e.staged))
    });
    if total <= BUCKETS_PER_BLOCK {
        slots.for_each(|(slot, staged)| sink.add(slot, staged.kind, staged.quantity(wide)));
    } else {
        let mut sums = BlockSums::default();
        for (b, block) in in_blocks(slots, total, entries.len(), wide).into_iter().enumerate() {
            let base = b * BUCKETS_PER_BLOCK;
            for (slot, kind, quantity) in block.wide {
                sink.add(base + usize::from(slot), kind, quantity);
            }
            // The compact quantities, summed per bucket and kind first (the gross outflow too).
            sums.add_up(&block.narrow, |slot, column, sum| sink.add_sum(base + slot, column, sum));
        }
    }
    let Buckets { flows: mut buckets, gross_out } = sink;
    // Chain the periods of each key; note the periods that could dip below zero.
    let mut suspects: FxHashMap<(u32, i64), Decimal> = FxHashMap::default();
    for (k, key) in keys.iter().enumerate() {
        let (Some(&base), Some(&(first, last))) = (offset.get(k), range.get(k)) else { continue };
        let mut stock = openings.get(key).copied().unwrap_or_default();
        for (i, p) in (first..=last).enumerate() {
            let Some(bucket) = buckets.get_mut(base + i) else { continue };
            bucket.opening = stock;
            bucket.closing = stock + bucket.inflows() - bucket.outflows();
            if !options.allow_negative && stock - gross_out.get(base + i).copied().unwrap_or_default() < Decimal::ZERO {
                suspects.insert((k as u32, p), stock);
            }
            stock = bucket.closing;
        }
    }
    if !suspects.is_empty() {
        let dips = negative_days(flows, entries, &suspects);
        // The earliest day; on a tie, the smallest key, so the answer does not depend on input order.
        let first = dips
            .into_iter()
            .filter_map(|(k, date, before, change)| Some((date, keys.get(k as usize)?, before, change)))
            .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        if let Some((date, key, before, change)) = first {
            return Err(LedgerStop::Negative(NegativeAt { key: key.clone(), date, before, change }));
        }
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
    let mut rows = Vec::with_capacity(total);
    for k in order {
        let (Some(key), Some(&base), Some(&(first, last))) = (keys.get(k), offset.get(k), range.get(k)) else {
            continue;
        };
        for (i, p) in (first..=last).enumerate() {
            if let Some(made) = buckets.get(base + i).and_then(|bucket| row(key, p, *bucket)) {
                rows.push(made);
            }
        }
    }
    Ok(rows)
}

/// How many buckets one block of [`in_blocks`] covers: their flows (144 bytes each) fit in a
/// core's cache.
const BUCKETS_PER_BLOCK: usize = 4096;

/// One quantity on its way to its bucket, in 8 bytes: `slot` is the bucket's place in its block
/// (set in pass two), `digits` the quantity's digits when they fit in 32 bits (most quantities),
/// `scale_and_sign` its scale with the sign in the top bit. Half the bytes of a staged
/// [`Decimal`] to write and read back. A longer quantity is kept aside: marked wide, `digits` is
/// its place among those.
#[derive(Clone, Copy)]
struct Staged {
    slot: u16,
    kind: MovementKind,
    scale_and_sign: u8,
    digits: u32,
}

impl Staged {
    const NEGATIVE: u8 = 0x80;
    /// A decimal's scale is at most 28, below this bit and the sign's.
    const WIDE: u8 = 0x40;
    const SCALE: u8 = 0x3f;

    /// `quantity` staged, in the compact form when its digits fit in 32 bits, else pushed to
    /// `wide` (a ledger's entries, and so those aside, are counted in `u32`: the key numbers are).
    fn new(kind: MovementKind, quantity: Decimal, wide: &mut Vec<Decimal>) -> Staged {
        let parts = quantity.unpack();
        if parts.mid == 0 && parts.hi == 0 {
            let sign = if parts.negative { Self::NEGATIVE } else { 0 };
            return Staged { slot: 0, kind, scale_and_sign: parts.scale as u8 | sign, digits: parts.lo };
        }
        let digits = u32::try_from(wide.len()).unwrap_or(u32::MAX);
        wide.push(quantity);
        Staged { slot: 0, kind, scale_and_sign: Self::WIDE, digits }
    }

    /// The quantity, read from `wide` when it is kept there.
    fn quantity(&self, wide: &[Decimal]) -> Decimal {
        if self.is_wide() {
            return wide.get(self.digits as usize).copied().unwrap_or_default();
        }
        Decimal::from_parts(self.digits, 0, 0, self.is_negative(), self.scale())
    }

    fn is_wide(&self) -> bool {
        self.scale_and_sign & Self::WIDE != 0
    }

    fn scale(&self) -> u32 {
        u32::from(self.scale_and_sign & Self::SCALE)
    }

    fn is_negative(&self) -> bool {
        self.scale_and_sign & Self::NEGATIVE != 0
    }
}

/// The ledger's buckets while quantities are added: the flows, and (when negative stock is
/// refused) each bucket's gross outflow, which finds the periods that could dip below zero.
struct Buckets {
    flows: Vec<SpiFlows>,
    gross_out: Vec<Decimal>,
}

impl Buckets {
    /// Adds one movement's quantity to bucket `slot`.
    fn add(&mut self, slot: usize, kind: MovementKind, quantity: Decimal) {
        if let Some(bucket) = self.flows.get_mut(slot) {
            bucket.add(kind, quantity);
        }
        if kind.is_outflow() || quantity.is_sign_negative() {
            if let Some(out) = self.gross_out.get_mut(slot) {
                *out += quantity.abs();
            }
        }
    }

    /// Adds a [`BlockSums`] cell to bucket `slot`: a kind's sum, or the gross outflow.
    fn add_sum(&mut self, slot: usize, column: usize, sum: Decimal) {
        match MovementKind::ALL.get(column) {
            Some(&kind) => {
                if let Some(bucket) = self.flows.get_mut(slot) {
                    bucket.add(kind, sum);
                }
            }
            None => {
                if let Some(out) = self.gross_out.get_mut(slot) {
                    *out += sum;
                }
            }
        }
    }
}

/// Whole-number sums of one block's compact quantities, one scale at a time: per bucket, each
/// kind's sum and the gross outflow. Adding integers and turning each cell into a [`Decimal`] once
/// is exact and several times cheaper than a decimal addition per movement.
#[derive(Default)]
struct BlockSums {
    cells: Vec<i64>,
}

impl BlockSums {
    /// Columns per bucket: the seven kinds, then the gross outflow.
    const COLUMNS: usize = MovementKind::ALL.len() + 1;
    const GROSS_OUT: usize = MovementKind::ALL.len();

    /// Sums `staged` and hands each non-zero cell to `emit` as (slot, column, sum); column
    /// [`Self::GROSS_OUT`] is the gross outflow (outflows and negative adjustments, as
    /// magnitudes). A cell's sum is below 2^32 times the entries staged, inside `i64` because
    /// [`in_blocks`] stages compactly only below [`MAX_COMPACT_ENTRIES`] entries. A kind's column
    /// is its discriminant, which is its place in [`MovementKind::ALL`] (checked at compile time).
    fn add_up(&mut self, staged: &[Staged], mut emit: impl FnMut(usize, usize, Decimal)) {
        let scales = staged.iter().fold(0u32, |seen, s| seen | 1 << s.scale());
        for scale in (0..=Decimal::MAX_SCALE).filter(|scale| scales & 1 << scale != 0) {
            self.cells.clear();
            self.cells.resize(BUCKETS_PER_BLOCK * Self::COLUMNS, 0);
            for s in staged.iter().filter(|s| s.scale() == scale) {
                let row = usize::from(s.slot) * Self::COLUMNS;
                let digits = i64::from(s.digits);
                let negative = s.is_negative();
                if let Some(cell) = self.cells.get_mut(row + s.kind as usize) {
                    *cell += if negative { -digits } else { digits };
                }
                if negative || s.kind.is_outflow() {
                    if let Some(cell) = self.cells.get_mut(row + Self::GROSS_OUT) {
                        *cell += digits;
                    }
                }
            }
            for (i, &sum) in self.cells.iter().enumerate().filter(|(_, sum)| **sum != 0) {
                emit(i / Self::COLUMNS, i % Self::COLUMNS, Decimal::new(sum, scale));
            }
        }
    }
}

// BlockSums reads a kind's column as `kind as usize` and maps it back through `ALL`.
const _: () = {
    let mut i = 0;
    while i < MovementKind::ALL.len() {
        assert!(MovementKind::ALL[i] as usize == i);
        i += 1;
    }
};

/// Below this many entries, every cell of [`BlockSums`] (at most the entries' digits, each below
/// 2^32) fits in an `i64`; a ledger this big or bigger stages every quantity as a [`Decimal`].
const MAX_COMPACT_ENTRIES: usize = 1 << 31;

/// The quantities staged for one block of buckets: compact ones, and the few too long for it.
#[derive(Default)]
struct Block {
    narrow: Vec<Staged>,
    wide: Vec<(u16, MovementKind, Decimal)>,
}

/// The staged quantities of `slots` (bucket, staged) grouped by block of [`BUCKETS_PER_BLOCK`]
/// buckets, each block's in the order they came; those kept in `wide` (and every one from
/// [`MAX_COMPACT_ENTRIES`] entries on) as decimals. Movements arrive in any order and the buckets
/// of a big ledger are far larger than the cache: adding block by block touches one cache-sized
/// stretch of buckets at a time instead of one at random per movement (sums are exact, so the
/// order of the additions does not change them).
fn in_blocks(
    slots: impl Iterator<Item = (usize, Staged)>,
    buckets: usize,
    entries: usize,
    wide: &[Decimal],
) -> Vec<Block> {
    let count = buckets.div_ceil(BUCKETS_PER_BLOCK);
    let mut blocks: Vec<Block> =
        (0..count).map(|_| Block { narrow: Vec::with_capacity(entries / count + 64), wide: Vec::new() }).collect();
    for (slot, mut staged) in slots {
        if let Some(block) = blocks.get_mut(slot / BUCKETS_PER_BLOCK) {
            // Below BUCKETS_PER_BLOCK, which is below u16::MAX.
            let slot = (slot % BUCKETS_PER_BLOCK) as u16;
            if staged.is_wide() || entries >= MAX_COMPACT_ENTRIES {
                block.wide.push((slot, staged.kind, staged.quantity(wide)));
            } else {
                staged.slot = slot;
                block.narrow.push(staged);
            }
        }
    }
    blocks
}

/// Replays the suspect periods day by day; returns, for each that dips, the first day stock ends
/// below zero as (key index, date, stock before the day, the day's change).
fn negative_days<I>(
    flows: I,
    entries: &[Entry],
    suspects: &FxHashMap<(u32, i64), Decimal>,
) -> Vec<(u32, NaiveDate, Decimal, Decimal)>
where
    I: Iterator<Item = (NaiveDate, MovementKind, Decimal)>,
{
    let mut days: FxHashMap<(u32, i64), Vec<(NaiveDate, Decimal)>> = FxHashMap::default();
    for ((date, kind, quantity), e) in flows.zip(entries) {
        let (k, p) = (e.key, i64::from(e.period));
        if suspects.contains_key(&(k, p)) {
            let change = kind.stock_change(quantity);
            days.entry((k, p)).or_default().push((date, change));
        }
    }
    let mut dips = Vec::new();
    for ((k, p), mut changes) in days {
        changes.sort_unstable_by_key(|c| c.0);
        let mut stock = suspects.get(&(k, p)).copied().unwrap_or_default();
        let mut i = 0;
        while let Some(&(date, _)) = changes.get(i) {
            let day_change: Decimal = changes[i..].iter().take_while(|c| c.0 == date).map(|c| c.1).sum();
            i += changes[i..].iter().take_while(|c| c.0 == date).count();
            if stock + day_change < Decimal::ZERO {
                dips.push((k, date, stock, day_change));
                break;
            }
            stock += day_change;
        }
    }
    dips
}
