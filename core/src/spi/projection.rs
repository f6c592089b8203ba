//! Projected stock: from stock on hand, planned receipts and a demand forecast per future period,
//! the closing stock of each period, the first stock-out and the periods above a maximum.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::period::Period;
use crate::error::{OmoError, Result};

/// One future period of a projection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectedPeriod {
    /// First day of the period.
    pub period: NaiveDate,
    /// Stock at its start.
    pub opening: Decimal,
    /// Receipts planned in it.
    pub receipts: Decimal,
    /// Demand forecast for it.
    pub demand: Decimal,
    /// `opening + receipts - demand` (negative: demand that cannot be met).
    pub closing: Decimal,
    /// True when closing stock is below zero.
    pub stockout: bool,
    /// True when closing stock is above the maximum.
    pub above_maximum: bool,
}

/// A projection and its warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    /// Every period, in order.
    pub periods: Vec<ProjectedPeriod>,
    /// The first period whose closing stock is below zero.
    pub first_stockout: Option<NaiveDate>,
    /// The periods whose closing stock is above the maximum.
    pub above_maximum: Vec<NaiveDate>,
}

/// Projects stock over `demand.len()` periods starting with the one containing `start`.
///
/// `receipts` may be shorter than `demand` (no receipts after it). Demand and receipts must not be
/// negative.
///
/// ```
/// use omo_core::spi::{Period, project_stock};
/// use rust_decimal::Decimal;
/// let d = Decimal::from;
/// let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
/// let p = project_stock(start, Period::Month, d(100), &[d(0), d(50)], &[d(60), d(60), d(60)], Some(d(80)))?;
/// assert_eq!(p.periods.iter().map(|x| x.closing).collect::<Vec<_>>(), [d(40), d(30), d(-30)]);
/// assert_eq!(p.first_stockout, Some(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn project_stock(
    start: NaiveDate,
    period: Period,
    on_hand: Decimal,
    receipts: &[Decimal],
    demand: &[Decimal],
    maximum: Option<Decimal>,
) -> Result<Projection> {
    if receipts.len() > demand.len() {
        return Err(OmoError::InvalidArgument {
            name: "receipts",
            message: format!("{} periods of receipts for {} periods of demand", receipts.len(), demand.len()),
        });
    }
    if let Some((i, q)) = receipts.iter().chain(demand).enumerate().find(|(_, q)| **q < Decimal::ZERO) {
        let name = if i < receipts.len() { "receipts" } else { "demand" };
        return Err(OmoError::InvalidArgument { name, message: format!("must not be negative, got {q}") });
    }
    let first = period.number(start);
    let mut stock = on_hand;
    let mut periods = Vec::with_capacity(demand.len());
    for (i, &wanted) in demand.iter().enumerate() {
        let Some(day) = period.start_of_number(first + i as i64) else { break };
        let incoming = receipts.get(i).copied().unwrap_or_default();
        let closing = stock + incoming - wanted;
        periods.push(ProjectedPeriod {
            period: day,
            opening: stock,
            receipts: incoming,
            demand: wanted,
            closing,
            stockout: closing < Decimal::ZERO,
            above_maximum: maximum.is_some_and(|max| closing > max),
        });
        stock = closing;
    }
    Ok(Projection {
        first_stockout: periods.iter().find(|p| p.stockout).map(|p| p.period),
        above_maximum: periods.iter().filter(|p| p.above_maximum).map(|p| p.period).collect(),
        periods,
    })
}
