//! The textbook MRP record of one item over periods `1..n`.
//!
//! In each period `t` (opening stock `projected_on_hand[t-1]`, `on_hand` before period 1):
//!
//! - `net[t] = max(0, gross[t] + safety_stock - projected_on_hand[t-1] - scheduled[t])`;
//! - where `net[t] > 0` a planned order receipt arrives in `t`, sized by the [`LotSizing`] rule;
//! - `projected_on_hand[t] = projected_on_hand[t-1] + scheduled[t] + planned_receipt[t] - gross[t]`
//!   (at the period's end, after planned receipts; never below `safety_stock` once planned);
//! - the planned order release of a receipt in `t` is in period `t - lead_time`; a release that would
//!   fall before period 1 is past due ([`MrpRecord::past_due`], the total quantity), never dropped.
//!
//! Quantities are exact [`Decimal`]s; only the EOQ's square root goes through `f64`, and its
//! rounding to the nearest whole number (halves up) is then checked exactly.

use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// How a net requirement becomes a planned order receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum LotSizing {
    /// Lot for lot: the receipt is the net requirement.
    LotForLot,
    /// Fixed order quantity: the smallest multiple of `lot_size` not below the net requirement.
    FixedOrderQuantity {
        /// The lot size (positive).
        lot_size: Decimal,
    },
    /// Periods of supply (POQ): the larger of the net requirement and the quantity that leaves
    /// exactly `safety_stock` at the end of period `t + periods - 1` (or of period `n`, if sooner)
    /// when nothing else is ordered — the gross requirements less the scheduled receipts over
    /// those periods, plus `safety_stock`, less the opening stock of `t`.
    PeriodsOfSupply {
        /// How many periods each order covers (at least 1).
        periods: usize,
    },
    /// Economic order quantity: the larger of the net requirement and
    /// `sqrt(2 x mean gross requirement (over all n periods) x ordering_cost / holding_cost)`
    /// rounded to the nearest whole number, halves up.
    Eoq {
        /// The cost of placing one order (positive).
        ordering_cost: Decimal,
        /// The cost of holding one unit for one period (positive).
        holding_cost: Decimal,
    },
}

impl LotSizing {
    /// The names of the rules, as [`LotSizing::from_name`] reads them.
    pub const NAMES: [&'static str; 4] = ["lot_for_lot", "fixed_order_quantity", "periods_of_supply", "eoq"];

    /// The rule's name (`"lot_for_lot"`, `"fixed_order_quantity"`, `"periods_of_supply"`, `"eoq"`).
    pub fn name(&self) -> &'static str {
        match self {
            LotSizing::LotForLot => "lot_for_lot",
            LotSizing::FixedOrderQuantity { .. } => "fixed_order_quantity",
            LotSizing::PeriodsOfSupply { .. } => "periods_of_supply",
            LotSizing::Eoq { .. } => "eoq",
        }
    }

    /// The rule called `name`, with the parameter it needs: `lot_size` for
    /// `"fixed_order_quantity"`, `periods_of_supply` for `"periods_of_supply"`, `ordering_cost`
    /// and `holding_cost` for `"eoq"`. Parameters of the other rules are ignored; their values are
    /// checked by [`mrp_record`].
    ///
    /// # Errors
    /// [`OmoError::InvalidArgument`] naming `lot_sizing` for an unknown rule, or the missing
    /// parameter.
    ///
    /// ```
    /// use omo_core::plan::LotSizing;
    /// use rust_decimal::Decimal;
    /// let rule = LotSizing::from_name("fixed_order_quantity", Some(Decimal::from(50)), None, None, None)?;
    /// assert_eq!(rule, LotSizing::FixedOrderQuantity { lot_size: Decimal::from(50) });
    /// assert!(LotSizing::from_name("fixed_order_quantity", None, None, None, None).is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn from_name(
        name: &str,
        lot_size: Option<Decimal>,
        periods_of_supply: Option<usize>,
        ordering_cost: Option<Decimal>,
        holding_cost: Option<Decimal>,
    ) -> Result<Self> {
        let missing = |param: &'static str| invalid(param, format!("the {name} rule needs {param}; none was given"));
        match name {
            "lot_for_lot" => Ok(LotSizing::LotForLot),
            "fixed_order_quantity" => {
                Ok(LotSizing::FixedOrderQuantity { lot_size: lot_size.ok_or_else(|| missing("lot_size"))? })
            }
            "periods_of_supply" => Ok(LotSizing::PeriodsOfSupply {
                periods: periods_of_supply.ok_or_else(|| missing("periods_of_supply"))?,
            }),
            "eoq" => Ok(LotSizing::Eoq {
                ordering_cost: ordering_cost.ok_or_else(|| missing("ordering_cost"))?,
                holding_cost: holding_cost.ok_or_else(|| missing("holding_cost"))?,
            }),
            other => Err(invalid(
                "lot_sizing",
                format!("unknown rule {:?}: expected one of {}", crate::error::shown(other), Self::NAMES.join(", ")),
            )),
        }
    }
}

/// What an MRP record is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrpInput {
    /// Gross requirements of periods `1..n` (not negative; at least one period).
    pub gross_requirements: Vec<Decimal>,
    /// Scheduled receipts (open orders) of periods `1..n`, `None` for none; when given, exactly
    /// one per period and not negative.
    pub scheduled_receipts: Option<Vec<Decimal>>,
    /// Stock on hand before period 1 (not negative).
    pub on_hand: Decimal,
    /// The stock to keep at every period's end (not negative).
    pub safety_stock: Decimal,
    /// Periods between an order's release and its receipt (below `n`).
    pub lead_time: usize,
    /// The lot-sizing rule.
    pub lot_sizing: LotSizing,
    /// The supplier's minimum and multiple, applied to every planned receipt after the rule.
    #[serde(default)]
    pub modifiers: OrderModifiers,
}

/// Order modifiers: what a supplier (or a pallet) imposes on any order, whatever the lot-sizing
/// rule chose. A planned receipt is raised to `minimum`, then rounded up to a whole multiple of
/// `multiple`; zero means no constraint.
///
/// ```
/// use omo_core::plan::OrderModifiers;
/// use rust_decimal::Decimal;
/// let pallets = OrderModifiers { minimum: Decimal::from(30), multiple: Decimal::from(20) };
/// assert_eq!(pallets.apply(Decimal::from(5))?, Decimal::from(40));   // 30, then 2 pallets
/// assert_eq!(pallets.apply(Decimal::from(41))?, Decimal::from(60));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderModifiers {
    /// The smallest order (zero: none).
    pub minimum: Decimal,
    /// Orders come in whole multiples of this (zero: any quantity).
    pub multiple: Decimal,
}

impl OrderModifiers {
    /// `quantity` raised to the minimum and rounded up to the multiple.
    ///
    /// # Errors
    /// [`OmoError::InvalidArgument`] for a negative minimum or multiple, or a quantity too large.
    pub fn apply(&self, quantity: Decimal) -> Result<Decimal> {
        not_negative("minimum", self.minimum)?;
        not_negative("multiple", self.multiple)?;
        let raised = quantity.max(self.minimum);
        if self.multiple.is_zero() { Ok(raised) } else { round_up_to(raised, self.multiple) }
    }
}

/// The smallest multiple of `lot` (positive) not below `quantity`.
fn round_up_to(quantity: Decimal, lot: Decimal) -> Result<Decimal> {
    let lots = quantity.checked_div(lot).ok_or_else(overflow)?.ceil();
    let mut rounded = lots.checked_mul(lot).ok_or_else(overflow)?;
    // The quotient is rounded to 28 digits: make sure the multiple really covers the quantity.
    if rounded < quantity {
        rounded = add(rounded, lot)?;
    }
    Ok(rounded)
}

/// One period of an MRP record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrpRow {
    /// The period, from 1.
    pub period: usize,
    /// What is needed in the period.
    pub gross_requirements: Decimal,
    /// Open orders due in the period.
    pub scheduled_receipts: Decimal,
    /// Stock at the period's end, after planned receipts.
    pub projected_on_hand: Decimal,
    /// `max(0, gross + safety stock - previous projected on hand - scheduled receipts)`.
    pub net_requirements: Decimal,
    /// The planned order arriving in the period (sized by the lot-sizing rule where net > 0).
    pub planned_order_receipts: Decimal,
    /// The planned order to release in the period: the receipt `lead_time` periods later.
    pub planned_order_releases: Decimal,
}

/// An MRP record: one row per period and the releases that fall before period 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrpRecord {
    /// Periods `1..n`, in order.
    pub rows: Vec<MrpRow>,
    /// The total quantity of planned order releases that would fall before period 1 (zero when
    /// none): orders that are already late to release.
    pub past_due: Decimal,
}

/// The MRP record of one item over periods `1..n` (see the [module](self) for the rules).
///
/// # Errors
/// [`OmoError::InvalidArgument`] naming the argument: no periods, a negative quantity (naming its
/// period), scheduled receipts of another length than the gross requirements, a lead time of `n`
/// periods or more, a lot size or cost that is not positive, zero periods of supply, or quantities
/// too large to add up.
///
/// ```
/// use omo_core::plan::{LotSizing, MrpInput, mrp_record};
/// use rust_decimal::Decimal;
/// let d = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
/// let record = mrp_record(&MrpInput {
///     gross_requirements: d(&[20, 30, 40]),
///     scheduled_receipts: Some(d(&[0, 10, 0])),
///     on_hand: Decimal::from(25),
///     safety_stock: Decimal::from(5),
///     lead_time: 1,
///     lot_sizing: LotSizing::LotForLot,
///     modifiers: Default::default(),
/// })?;
/// // Period 1: 25 - 20 = 5 left, no need. Period 2: 30 + 5 - 5 - 10 = 20 net, received, released
/// // in period 1. Period 3: 40 + 5 - 5 = 40 net, released in period 2.
/// let net: Vec<Decimal> = record.rows.iter().map(|r| r.net_requirements).collect();
/// let releases: Vec<Decimal> = record.rows.iter().map(|r| r.planned_order_releases).collect();
/// assert_eq!(net, d(&[0, 20, 40]));
/// assert_eq!(releases, d(&[20, 40, 0]));
/// assert_eq!(record.past_due, Decimal::ZERO);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn mrp_record(input: &MrpInput) -> Result<MrpRecord> {
    let gross = &input.gross_requirements;
    let n = gross.len();
    if n == 0 {
        return Err(invalid("gross_requirements", "is empty: the record needs at least one period"));
    }
    not_negative_each("gross_requirements", gross)?;
    let zeros;
    let scheduled: &[Decimal] = match &input.scheduled_receipts {
        None => {
            zeros = vec![Decimal::ZERO; n];
            &zeros
        }
        Some(s) if s.len() != n => {
            return Err(invalid(
                "scheduled_receipts",
                format!("has {} periods, but gross_requirements has {n}: give one per period", s.len()),
            ));
        }
        Some(s) => {
            not_negative_each("scheduled_receipts", s)?;
            s
        }
    };
    not_negative("on_hand", input.on_hand)?;
    let safety_stock = not_negative("safety_stock", input.safety_stock)?;
    if input.lead_time >= n {
        return Err(invalid(
            "lead_time",
            format!(
                "{} is not below the record's {n} period(s): every planned order would be released before period 1",
                input.lead_time
            ),
        ));
    }
    let rule = Rule::new(&input.lot_sizing, gross)?;

    let mut rows = Vec::with_capacity(n);
    let mut before = input.on_hand;
    for (index, (&g, &s)) in gross.iter().zip(scheduled).enumerate() {
        let available = add(before, s)?;
        let net = sub(add(g, safety_stock)?, available)?.max(Decimal::ZERO);
        let receipt = if net > Decimal::ZERO {
            input.modifiers.apply(rule.receipt(net, index, gross, scheduled, safety_stock, before)?)?
        } else {
            Decimal::ZERO
        };
        let after = sub(add(available, receipt)?, g)?;
        rows.push(MrpRow {
            period: index + 1,
            gross_requirements: g,
            scheduled_receipts: s,
            projected_on_hand: after,
            net_requirements: net,
            planned_order_receipts: receipt,
            planned_order_releases: Decimal::ZERO,
        });
        before = after;
    }

    // Lead-time offsetting: the release of period t is the receipt of period t + lead_time; the
    // receipts of the first lead_time periods would be released before period 1.
    let receipts: Vec<Decimal> = rows.iter().map(|r| r.planned_order_receipts).collect();
    let mut past_due = Decimal::ZERO;
    for receipt in receipts.iter().take(input.lead_time) {
        past_due = add(past_due, *receipt)?;
    }
    let later = receipts.iter().skip(input.lead_time).chain(std::iter::repeat(&Decimal::ZERO));
    for (row, receipt) in rows.iter_mut().zip(later) {
        row.planned_order_releases = *receipt;
    }
    Ok(MrpRecord { rows, past_due })
}

/// A lot-sizing rule with its parameters checked (and the EOQ computed once).
enum Rule {
    LotForLot,
    Fixed(Decimal),
    Periods(usize),
    Eoq(Decimal),
}

impl Rule {
    fn new(rule: &LotSizing, gross: &[Decimal]) -> Result<Self> {
        Ok(match *rule {
            LotSizing::LotForLot => Rule::LotForLot,
            LotSizing::FixedOrderQuantity { lot_size } => Rule::Fixed(positive("lot_size", lot_size)?),
            LotSizing::PeriodsOfSupply { periods } => {
                if periods == 0 {
                    return Err(invalid("periods_of_supply", "is 0: each order must cover at least one period"));
                }
                Rule::Periods(periods)
            }
            LotSizing::Eoq { ordering_cost, holding_cost } => Rule::Eoq(eoq(
                gross,
                positive("ordering_cost", ordering_cost)?,
                positive("holding_cost", holding_cost)?,
            )?),
        })
    }

    /// The planned receipt of period `index` (0-based) for a positive `net` requirement, with
    /// `before` the stock at the end of the previous period.
    fn receipt(
        &self,
        net: Decimal,
        index: usize,
        gross: &[Decimal],
        scheduled: &[Decimal],
        safety_stock: Decimal,
        before: Decimal,
    ) -> Result<Decimal> {
        match *self {
            Rule::LotForLot => Ok(net),
            Rule::Fixed(lot) => round_up_to(net, lot),
            Rule::Periods(periods) => {
                let mut cover = Decimal::ZERO;
                for (&g, &s) in gross.iter().zip(scheduled).skip(index).take(periods) {
                    cover = add(cover, sub(g, s)?)?;
                }
                let quantity = sub(add(cover, safety_stock)?, before)?;
                Ok(quantity.max(net))
            }
            Rule::Eoq(quantity) => Ok(quantity.max(net)),
        }
    }
}

/// `sqrt(2 x mean(gross) x ordering / holding)` rounded to the nearest whole number, halves up:
/// the square root taken in `f64`, the rounding then checked exactly on `2 x sum x ordering`
/// against `n x holding` (k is right when `(2k - 1)^2 x den <= 4 x num < (2k + 1)^2 x den`).
fn eoq(gross: &[Decimal], ordering: Decimal, holding: Decimal) -> Result<Decimal> {
    let mut sum = Decimal::ZERO;
    for &g in gross {
        sum = add(sum, g)?;
    }
    let periods = Decimal::from_usize(gross.len()).ok_or_else(overflow)?;
    let num = Decimal::TWO.checked_mul(sum).and_then(|v| v.checked_mul(ordering)).ok_or_else(overflow)?;
    let den = periods.checked_mul(holding).ok_or_else(overflow)?;
    let ratio = match (num.to_f64(), den.to_f64()) {
        (Some(a), Some(b)) if b > 0.0 => a / b,
        _ => return Err(overflow()),
    };
    let estimate = ratio.max(0.0).sqrt().round();
    let mut k = Decimal::from_f64(estimate).ok_or_else(overflow)?.trunc();
    // `(2k + side)^2 x den` against `4 x num`; `None` when too large to compute (then above it).
    let four_num = Decimal::from(4).checked_mul(num).ok_or_else(overflow)?;
    let edge = |k: Decimal, side: i64| -> Option<Decimal> {
        let odd = Decimal::TWO.checked_mul(k)?.checked_add(Decimal::from(side))?;
        odd.checked_mul(odd)?.checked_mul(den)
    };
    // The f64 estimate is off by at most one or two; a few exact steps settle it.
    for _ in 0..4 {
        if k > Decimal::ZERO && edge(k, -1).is_none_or(|e| e > four_num) {
            k -= Decimal::ONE;
        } else if edge(k, 1).is_some_and(|e| e <= four_num) {
            k += Decimal::ONE;
        } else {
            break;
        }
    }
    Ok(k)
}

fn invalid(name: &'static str, message: impl Into<String>) -> OmoError {
    OmoError::InvalidArgument { name, message: message.into() }
}

fn overflow() -> OmoError {
    invalid(
        "gross_requirements",
        "quantities too large: the record's sums of stock, receipts and requirements overflow a Decimal",
    )
}

fn add(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_add(b).ok_or_else(overflow)
}

fn sub(a: Decimal, b: Decimal) -> Result<Decimal> {
    a.checked_sub(b).ok_or_else(overflow)
}

fn not_negative(name: &'static str, value: Decimal) -> Result<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(name, format!("{value} is negative")));
    }
    Ok(value)
}

fn not_negative_each(name: &'static str, values: &[Decimal]) -> Result<()> {
    match values.iter().position(|v| v.is_sign_negative() && !v.is_zero()) {
        Some(at) => {
            let value = values.get(at).copied().unwrap_or_default();
            Err(invalid(name, format!("period {} (index {at}): {value} is negative", at + 1)))
        }
        None => Ok(()),
    }
}

fn positive(name: &'static str, value: Decimal) -> Result<Decimal> {
    if value <= Decimal::ZERO {
        return Err(invalid(name, format!("{value} is not positive")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(values: &[i64]) -> Vec<Decimal> {
        values.iter().map(|&v| Decimal::from(v)).collect()
    }

    fn input(gross: &[i64], on_hand: i64, lead_time: usize, lot_sizing: LotSizing) -> MrpInput {
        MrpInput {
            gross_requirements: d(gross),
            scheduled_receipts: None,
            on_hand: Decimal::from(on_hand),
            safety_stock: Decimal::ZERO,
            lead_time,
            lot_sizing,
            modifiers: OrderModifiers::default(),
        }
    }

    #[test]
    fn modifiers_raise_to_the_minimum_then_round_to_the_multiple() -> Result<()> {
        // GR 7 0 25, lot for lot, minimum 10, multiple 4: t1 net 7 -> 10 -> 12 (POH 5);
        // t3 net 25 - 5 = 20 -> 20 (already >= 10 and a multiple of 4), POH 0.
        let mut i = input(&[7, 0, 25], 0, 1, LotSizing::LotForLot);
        i.modifiers = OrderModifiers { minimum: Decimal::from(10), multiple: Decimal::from(4) };
        assert_record(&mrp_record(&i)?, &[5, 5, 0], &[7, 0, 20], &[12, 0, 20], &[0, 20, 0], 12);
        i.modifiers.multiple = Decimal::from(-1);
        assert!(matches!(mrp_record(&i), Err(OmoError::InvalidArgument { name: "multiple", .. })));
        Ok(())
    }

    fn column(record: &MrpRecord, pick: fn(&MrpRow) -> Decimal) -> Vec<Decimal> {
        record.rows.iter().map(pick).collect()
    }

    /// Checks every computed column of a record against the hand-worked numbers.
    fn assert_record(record: &MrpRecord, poh: &[i64], net: &[i64], receipts: &[i64], releases: &[i64], past_due: i64) {
        assert_eq!(record.rows.iter().map(|r| r.period).collect::<Vec<_>>(), (1..=poh.len()).collect::<Vec<_>>());
        assert_eq!(column(record, |r| r.projected_on_hand), d(poh), "projected on hand");
        assert_eq!(column(record, |r| r.net_requirements), d(net), "net requirements");
        assert_eq!(column(record, |r| r.planned_order_receipts), d(receipts), "planned order receipts");
        assert_eq!(column(record, |r| r.planned_order_releases), d(releases), "planned order releases");
        assert_eq!(record.past_due, Decimal::from(past_due), "past due");
    }

    #[test]
    fn lot_for_lot_with_safety_stock_scheduled_receipt_and_past_due_releases() -> Result<()> {
        // GR 20 30 40 10 50 30, SR 25 in period 2, on hand 25, safety stock 10, lead time 2.
        // t1: net = 20+10-25-0 = 5 -> receive 5, POH = 25+0+5-20 = 10
        // t2: net = 30+10-10-25 = 5 -> receive 5, POH = 10+25+5-30 = 10
        // t3: net = 40+10-10 = 40, POH 10; t4: net 10, POH 10; t5: net 50; t6: net 30 (POH 10).
        // Releases two periods earlier: t1 and t2 fall before period 1 (past due 5 + 5 = 10),
        // t3..t6 go to periods 1..4.
        let mut i = input(&[20, 30, 40, 10, 50, 30], 25, 2, LotSizing::LotForLot);
        i.scheduled_receipts = Some(d(&[0, 25, 0, 0, 0, 0]));
        i.safety_stock = Decimal::from(10);
        let record = mrp_record(&i)?;
        assert_eq!(column(&record, |r| r.gross_requirements), d(&[20, 30, 40, 10, 50, 30]));
        assert_eq!(column(&record, |r| r.scheduled_receipts), d(&[0, 25, 0, 0, 0, 0]));
        assert_record(
            &record,
            &[10, 10, 10, 10, 10, 10],
            &[5, 5, 40, 10, 50, 30],
            &[5, 5, 40, 10, 50, 30],
            &[40, 10, 50, 30, 0, 0],
            10,
        );
        Ok(())
    }

    #[test]
    fn on_hand_below_safety_stock_is_made_up_in_period_one() -> Result<()> {
        // GR 0 0, on hand 3, safety stock 8: t1 net = 0+8-3 = 5 -> POH 8; t2 net 0, POH 8.
        let mut i = input(&[0, 0], 3, 0, LotSizing::LotForLot);
        i.safety_stock = Decimal::from(8);
        assert_record(&mrp_record(&i)?, &[8, 8], &[5, 0], &[5, 0], &[5, 0], 0);
        Ok(())
    }

    #[test]
    fn fixed_order_quantity() -> Result<()> {
        // GR 20 30 40 10 100 30, SR 50 in period 3, on hand 40, lot 50, lead time 1.
        // t1: net max(0, 20-40) = 0, POH 20
        // t2: net 30-20 = 10 -> one lot 50, POH 20+50-30 = 40
        // t3: net 40-40-50 < 0 -> 0, POH 40+50-40 = 50
        // t4: net 10-50 < 0 -> 0, POH 40
        // t5: net 100-40 = 60 -> two lots 100, POH 40+100-100 = 40
        // t6: net 30-40 < 0 -> 0, POH 10
        let mut i =
            input(&[20, 30, 40, 10, 100, 30], 40, 1, LotSizing::FixedOrderQuantity { lot_size: Decimal::from(50) });
        i.scheduled_receipts = Some(d(&[0, 0, 50, 0, 0, 0]));
        assert_record(
            &mrp_record(&i)?,
            &[20, 40, 50, 40, 40, 10],
            &[0, 10, 0, 0, 60, 0],
            &[0, 50, 0, 0, 100, 0],
            &[50, 0, 0, 100, 0, 0],
            0,
        );
        Ok(())
    }

    #[test]
    fn fixed_order_quantity_with_fractional_lots() -> Result<()> {
        // GR 1.2, lot 0.5: the smallest multiple of 0.5 not below 1.2 is 1.5; POH 0.3.
        let i = MrpInput {
            gross_requirements: vec![Decimal::new(12, 1)],
            scheduled_receipts: None,
            on_hand: Decimal::ZERO,
            safety_stock: Decimal::ZERO,
            lead_time: 0,
            lot_sizing: LotSizing::FixedOrderQuantity { lot_size: Decimal::new(5, 1) },
            modifiers: OrderModifiers::default(),
        };
        let record = mrp_record(&i)?;
        assert_eq!(column(&record, |r| r.planned_order_receipts), vec![Decimal::new(15, 1)]);
        assert_eq!(column(&record, |r| r.projected_on_hand), vec![Decimal::new(3, 1)]);
        Ok(())
    }

    #[test]
    fn periods_of_supply() -> Result<()> {
        // GR 10 40 20 0 30 50 20, SR 10 in period 3, on hand 15, safety stock 5, P = 3, lead time 1.
        // t1: net 10+5-15 = 0, POH 5
        // t2: net 40+5-5 = 40; cover t2..t4: (40-0)+(20-10)+(0-0) = 50, +5 -5 = 50 -> 50, POH 15
        // t3: net 20+5-15-10 = 0, POH 5;  t4: net 0+5-5 = 0, POH 5 (= safety stock, as planned)
        // t5: net 30+5-5 = 30; cover t5..t7: 30+50+20 = 100, +5 -5 = 100 -> 100, POH 75
        // t6: net 50+5-75 < 0, POH 25;  t7: net 20+5-25 = 0, POH 5
        let mut i = input(&[10, 40, 20, 0, 30, 50, 20], 15, 1, LotSizing::PeriodsOfSupply { periods: 3 });
        i.scheduled_receipts = Some(d(&[0, 0, 10, 0, 0, 0, 0]));
        i.safety_stock = Decimal::from(5);
        assert_record(
            &mrp_record(&i)?,
            &[5, 15, 5, 5, 75, 25, 5],
            &[0, 40, 0, 0, 30, 0, 0],
            &[0, 50, 0, 0, 100, 0, 0],
            &[50, 0, 0, 100, 0, 0, 0],
            0,
        );
        Ok(())
    }

    #[test]
    fn periods_of_supply_window_is_cut_at_the_horizon() -> Result<()> {
        // GR 0 0 0 0 0 10 10, P = 3: the order of t6 covers t6..t7 only (period 8 does not exist):
        // 10 + 10 = 20, POH 10 then 0.
        let i = input(&[0, 0, 0, 0, 0, 10, 10], 0, 0, LotSizing::PeriodsOfSupply { periods: 3 });
        assert_record(
            &mrp_record(&i)?,
            &[0, 0, 0, 0, 0, 10, 0],
            &[0, 0, 0, 0, 0, 10, 0],
            &[0, 0, 0, 0, 0, 20, 0],
            &[0, 0, 0, 0, 0, 20, 0],
            0,
        );
        Ok(())
    }

    #[test]
    fn periods_of_supply_never_below_the_net() -> Result<()> {
        // GR 10 0, SR 30 in period 2, P = 2: cover = (10-0)+(0-30) = -20 -> the net 10 wins.
        // t1 POH 0; t2 net 0, POH 30.
        let mut i = input(&[10, 0], 0, 0, LotSizing::PeriodsOfSupply { periods: 2 });
        i.scheduled_receipts = Some(d(&[0, 30]));
        assert_record(&mrp_record(&i)?, &[0, 30], &[10, 0], &[10, 0], &[10, 0], 0);
        Ok(())
    }

    #[test]
    fn economic_order_quantity() -> Result<()> {
        // GR 30 0 50 20 0 40 10 50: sum 200, mean 25; ordering 100, holding 2:
        // sqrt(2 x 25 x 100 / 2) = sqrt(2500) = 50. On hand 20, lead time 2.
        // t1: net 30-20 = 10 -> 50, POH 40;  t2: 0, POH 40
        // t3: net 50-40 = 10 -> 50, POH 40;  t4: 0, POH 20;  t5: 0, POH 20
        // t6: net 40-20 = 20 -> 50, POH 30;  t7: 0, POH 20
        // t8: net 50-20 = 30 -> 50, POH 20
        // Releases 2 earlier: t1 past due (50), t3 -> 1, t6 -> 4, t8 -> 6.
        let i = input(
            &[30, 0, 50, 20, 0, 40, 10, 50],
            20,
            2,
            LotSizing::Eoq { ordering_cost: Decimal::from(100), holding_cost: Decimal::from(2) },
        );
        assert_record(
            &mrp_record(&i)?,
            &[40, 40, 40, 20, 20, 30, 20, 20],
            &[10, 0, 10, 0, 0, 20, 0, 30],
            &[50, 0, 50, 0, 0, 50, 0, 50],
            &[50, 0, 0, 50, 0, 50, 0, 0],
            50,
        );
        Ok(())
    }

    #[test]
    fn economic_order_quantity_rounds_halves_up_and_never_below_the_net() -> Result<()> {
        let eoq_rule =
            |s: i64, h: i64| LotSizing::Eoq { ordering_cost: Decimal::from(s), holding_cost: Decimal::from(h) };
        // Mean 1, ordering 121, holding 8: sqrt(2 x 1 x 121 / 8) = sqrt(30.25) = 5.5 -> 6.
        assert_record(&mrp_record(&input(&[1], 0, 0, eoq_rule(121, 8)))?, &[5], &[1], &[6], &[6], 0);
        // Mean 1, ordering 15, holding 1: sqrt(30) = 5.48 -> 5.
        assert_record(&mrp_record(&input(&[1], 0, 0, eoq_rule(15, 1)))?, &[4], &[1], &[5], &[5], 0);
        // GR 2 18: mean 10, ordering 5, holding 4: sqrt(25) = 5. t1: net 2 -> 5, POH 3;
        // t2: net 18-3 = 15 > 5 -> 15, POH 0.
        assert_record(&mrp_record(&input(&[2, 18], 0, 0, eoq_rule(5, 4)))?, &[3, 0], &[2, 15], &[5, 15], &[5, 15], 0);
        Ok(())
    }

    #[test]
    fn eoq_rounding_is_exact_at_large_halves() -> Result<()> {
        // sqrt of (k + 0.5)^2 for a large k is exactly k + 0.5: rounds up to k + 1.
        let k = Decimal::from(123_456_789_i64);
        let half = Decimal::new(5, 1);
        let square = (k + half) * (k + half);
        // One period of `square / 2` with ordering 1 and holding 1: 2 x mean x 1 / 1 = square.
        let gross = square / Decimal::TWO;
        assert_eq!(eoq(&[gross], Decimal::ONE, Decimal::ONE)?, k + Decimal::ONE);
        // A hair below the half rounds down.
        let below = gross - Decimal::new(1, 6);
        assert_eq!(eoq(&[below], Decimal::ONE, Decimal::ONE)?, k);
        Ok(())
    }

    #[test]
    fn rules_by_name() -> Result<()> {
        let fifty = Some(Decimal::from(50));
        assert_eq!(LotSizing::from_name("lot_for_lot", None, None, None, None)?, LotSizing::LotForLot);
        assert_eq!(LotSizing::from_name("periods_of_supply", None, Some(2), None, None)?.name(), "periods_of_supply");
        assert_eq!(
            LotSizing::from_name("eoq", fifty, None, Some(Decimal::ONE), Some(Decimal::TWO))?,
            LotSizing::Eoq { ordering_cost: Decimal::ONE, holding_cost: Decimal::TWO }
        );
        for name in LotSizing::NAMES {
            let rule = LotSizing::from_name(name, fifty, Some(1), fifty, fifty)?;
            assert_eq!(rule.name(), name);
        }
        let named = |r: Result<LotSizing>| match r {
            Err(OmoError::InvalidArgument { name, .. }) => name,
            other => panic!("expected an invalid argument, got {other:?}"),
        };
        assert_eq!(named(LotSizing::from_name("silver_meal", None, None, None, None)), "lot_sizing");
        assert_eq!(named(LotSizing::from_name("fixed_order_quantity", None, None, None, None)), "lot_size");
        assert_eq!(named(LotSizing::from_name("periods_of_supply", None, None, None, None)), "periods_of_supply");
        assert_eq!(named(LotSizing::from_name("eoq", None, None, None, Some(Decimal::ONE))), "ordering_cost");
        assert_eq!(named(LotSizing::from_name("eoq", None, None, Some(Decimal::ONE), None)), "holding_cost");
        Ok(())
    }

    #[test]
    fn bad_input_names_the_argument() {
        let ok = || input(&[10, 20, 30], 0, 1, LotSizing::LotForLot);
        let named = |i: MrpInput| match mrp_record(&i) {
            Err(OmoError::InvalidArgument { name, .. }) => name,
            other => panic!("expected an invalid argument, got {other:?}"),
        };
        assert_eq!(named(MrpInput { gross_requirements: vec![], lead_time: 0, ..ok() }), "gross_requirements");
        assert_eq!(named(MrpInput { gross_requirements: d(&[1, -2, 3]), ..ok() }), "gross_requirements");
        assert_eq!(named(MrpInput { scheduled_receipts: Some(d(&[1, 2])), ..ok() }), "scheduled_receipts");
        assert_eq!(named(MrpInput { scheduled_receipts: Some(d(&[0, 0, -1])), ..ok() }), "scheduled_receipts");
        assert_eq!(named(MrpInput { scheduled_receipts: Some(vec![]), ..ok() }), "scheduled_receipts");
        assert_eq!(named(MrpInput { on_hand: Decimal::from(-1), ..ok() }), "on_hand");
        assert_eq!(named(MrpInput { safety_stock: Decimal::from(-1), ..ok() }), "safety_stock");
        assert_eq!(named(MrpInput { lead_time: 3, ..ok() }), "lead_time");
        assert_eq!(named(MrpInput { lead_time: 7, ..ok() }), "lead_time");
        let fixed = |lot_size| LotSizing::FixedOrderQuantity { lot_size };
        assert_eq!(named(MrpInput { lot_sizing: fixed(Decimal::ZERO), ..ok() }), "lot_size");
        assert_eq!(named(MrpInput { lot_sizing: fixed(Decimal::from(-5)), ..ok() }), "lot_size");
        assert_eq!(
            named(MrpInput { lot_sizing: LotSizing::PeriodsOfSupply { periods: 0 }, ..ok() }),
            "periods_of_supply"
        );
        let eoq_rule = |s, h| LotSizing::Eoq { ordering_cost: Decimal::from(s), holding_cost: Decimal::from(h) };
        assert_eq!(named(MrpInput { lot_sizing: eoq_rule(0, 1), ..ok() }), "ordering_cost");
        assert_eq!(named(MrpInput { lot_sizing: eoq_rule(1, -1), ..ok() }), "holding_cost");
        // Stock that overflows a Decimal is refused, not wrapped.
        assert_eq!(
            named(MrpInput { scheduled_receipts: Some(vec![Decimal::MAX, Decimal::MAX, Decimal::ZERO]), ..ok() }),
            "gross_requirements"
        );
        // The message names the period of a negative quantity.
        let err = mrp_record(&MrpInput { gross_requirements: d(&[1, -2, 3]), ..ok() });
        assert!(matches!(err, Err(e) if e.to_string().contains("period 2")));
    }

    #[test]
    fn a_zero_lead_time_releases_in_the_period_of_receipt_and_zero_demand_orders_nothing() -> Result<()> {
        let record = mrp_record(&input(&[0, 0, 0], 0, 0, LotSizing::LotForLot))?;
        assert_record(&record, &[0, 0, 0], &[0, 0, 0], &[0, 0, 0], &[0, 0, 0], 0);
        let eoq_rule = LotSizing::Eoq { ordering_cost: Decimal::ONE, holding_cost: Decimal::ONE };
        assert_record(&mrp_record(&input(&[0, 0], 0, 0, eoq_rule))?, &[0, 0], &[0, 0], &[0, 0], &[0, 0], 0);
        Ok(())
    }

    #[test]
    fn records_serialize() -> Result<()> {
        let rule = LotSizing::PeriodsOfSupply { periods: 2 };
        let json = serde_json::to_string(&rule).map_err(|e| OmoError::Json(e.to_string()))?;
        assert_eq!(json, r#"{"rule":"periods_of_supply","periods":2}"#);
        let back: LotSizing = serde_json::from_str(&json).map_err(|e| OmoError::Json(e.to_string()))?;
        assert_eq!(back, rule);
        Ok(())
    }
}
