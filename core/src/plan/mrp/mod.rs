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
mod tests;
