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

    /// Sales net of customer returns.
    pub fn net_sales(&self) -> Decimal {
        self.sales - self.customer_returns
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
/// is refused; the first day stock goes negative when refused ([`OmoError::NegativeStock`]).
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
    check_quantities(movements)?;
    let openings = opening_map(opening, options.allow_negative)?;
    let entries = movements.iter().map(|m| ((&m.node, &m.product), m.date, m.kind, m.quantity));
    let rows = aggregate(entries, &openings, options)
        .map_err(|at| negative_stock_error(at, |(n, p)| (n.to_string(), p.to_string())))?;
    Ok(rows
        .into_iter()
        .filter_map(|((node, product), period, flows)| {
            Some(SpiRow {
                node: node.clone(),
                product: product.clone(),
                period: options.period.start_of_number(period)?,
                flows,
            })
        })
        .collect())
}

/// Checks every movement's quantity against its kind; names each offending row.
pub(crate) fn check_quantities(movements: &[StockMovement]) -> Result<()> {
    let mut issues = Vec::new();
    for (row, m) in movements.iter().enumerate() {
        let ok = if m.kind == MovementKind::Adjustment {
            m.quantity.abs() <= MAX_QUANTITY
        } else {
            m.quantity > Decimal::ZERO && m.quantity <= MAX_QUANTITY
        };
        if !ok {
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
/// into rows per key and period number, sorted by key and period.
///
/// Two passes over `entries` and no sorting of movements: pass one finds each key's period range,
/// pass two adds every quantity into its (key, period) bucket.
pub(crate) fn aggregate<K, I>(
    entries: I,
    openings: &FxHashMap<K, Decimal>,
    options: LedgerOptions,
) -> Result<Vec<(K, i64, SpiFlows)>, NegativeAt<K>>
where
    K: Hash + Eq + Ord + Clone,
    I: Iterator<Item = (K, NaiveDate, MovementKind, Decimal)> + Clone,
{
    let period = options.period;
    // Pass one: a dense index per key, and each key's first and last period.
    let mut index: FxHashMap<K, u32> = FxHashMap::default();
    let mut keys: Vec<K> = Vec::new();
    let mut range: Vec<(i64, i64)> = Vec::new();
    let mut key_of_entry: Vec<u32> = Vec::with_capacity(entries.size_hint().0);
    for (key, date, _, _) in entries.clone() {
        let p = period.number(date);
        let k = match index.get(&key) {
            Some(&k) => k,
            None => {
                let k = keys.len() as u32;
                index.insert(key.clone(), k);
                keys.push(key);
                range.push((p, p));
                k
            }
        };
        if let Some(r) = range.get_mut(k as usize) {
            r.0 = r.0.min(p);
            r.1 = r.1.max(p);
        }
        key_of_entry.push(k);
    }
    // Pass two: every quantity into its bucket; gross outflows kept apart for the negative check.
    let mut offset = Vec::with_capacity(keys.len() + 1);
    let mut total = 0usize;
    for &(first, last) in &range {
        offset.push(total);
        total += usize::try_from(last - first + 1).unwrap_or(0);
    }
    let mut buckets = vec![SpiFlows::default(); total];
    let mut gross_out = if options.allow_negative { Vec::new() } else { vec![Decimal::ZERO; total] };
    let slots = entries.clone().zip(&key_of_entry).filter_map(|((_, date, kind, quantity), &k)| {
        let (Some(&base), Some(&(first, _))) = (offset.get(k as usize), range.get(k as usize)) else { return None };
        Some((base + usize::try_from(period.number(date) - first).unwrap_or(0), kind, quantity))
    });
    let mut add = |slot: usize, kind: MovementKind, quantity: Decimal| {
        if let Some(bucket) = buckets.get_mut(slot) {
            bucket.add(kind, quantity);
        }
        if !options.allow_negative && (kind.sign() < Decimal::ZERO || quantity < Decimal::ZERO) {
            if let Some(out) = gross_out.get_mut(slot) {
                *out += quantity.abs();
            }
        }
    };
    if total <= BUCKETS_PER_BLOCK {
        slots.for_each(|(slot, kind, quantity)| add(slot, kind, quantity));
    } else {
        for (b, block) in in_blocks(slots, total, key_of_entry.len()).into_iter().enumerate() {
            for staged in block {
                add(b * BUCKETS_PER_BLOCK + staged.slot as usize, staged.kind, staged.quantity);
            }
        }
    }
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
        let dips = negative_days(entries, &key_of_entry, &suspects, period);
        // The earliest day; on a tie, the smallest key, so the answer does not depend on input order.
        let first = dips
            .into_iter()
            .filter_map(|(k, date, before, change)| Some((date, keys.get(k as usize)?, before, change)))
            .min_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        if let Some((date, key, before, change)) = first {
            return Err(NegativeAt { key: key.clone(), date, before, change });
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
            if let Some(bucket) = buckets.get(base + i) {
                rows.push((key.clone(), p, *bucket));
            }
        }
    }
    Ok(rows)
}

/// How many buckets one block of [`in_blocks`] covers: their flows (144 bytes each) fit in a
/// core's cache.
const BUCKETS_PER_BLOCK: usize = 4096;

/// One quantity on its way to its bucket (`slot`: the bucket's place in its block).
struct Staged {
    slot: u16,
    kind: MovementKind,
    quantity: Decimal,
}

/// The quantities of `slots` (bucket, kind, quantity) grouped by block of
/// [`BUCKETS_PER_BLOCK`] buckets, each block's in the order they came. Movements arrive in any
/// order and the buckets of a big ledger are far larger than the cache: adding block by block
/// touches one cache-sized stretch of buckets at a time instead of one at random per movement
/// (sums are exact, so the order of the additions does not change them).
fn in_blocks(
    slots: impl Iterator<Item = (usize, MovementKind, Decimal)>,
    buckets: usize,
    entries: usize,
) -> Vec<Vec<Staged>> {
    let count = buckets.div_ceil(BUCKETS_PER_BLOCK);
    let mut blocks: Vec<Vec<Staged>> = (0..count).map(|_| Vec::with_capacity(entries / count + 64)).collect();
    for (slot, kind, quantity) in slots {
        if let Some(block) = blocks.get_mut(slot / BUCKETS_PER_BLOCK) {
            // Below BUCKETS_PER_BLOCK, which is below u16::MAX.
            block.push(Staged { slot: (slot % BUCKETS_PER_BLOCK) as u16, kind, quantity });
        }
    }
    blocks
}

/// Replays the suspect periods day by day; returns, for each that dips, the first day stock ends
/// below zero as (key index, date, stock before the day, the day's change).
fn negative_days<K, I>(
    entries: I,
    key_of_entry: &[u32],
    suspects: &FxHashMap<(u32, i64), Decimal>,
    period: Period,
) -> Vec<(u32, NaiveDate, Decimal, Decimal)>
where
    I: Iterator<Item = (K, NaiveDate, MovementKind, Decimal)>,
{
    let mut days: FxHashMap<(u32, i64), Vec<(NaiveDate, Decimal)>> = FxHashMap::default();
    for ((_, date, kind, quantity), &k) in entries.zip(key_of_entry) {
        let p = period.number(date);
        if suspects.contains_key(&(k, p)) {
            let change = if kind == MovementKind::Adjustment { quantity } else { kind.sign() * quantity };
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
