//! Measures derived from S-P-I rows: days of cover, turnover, sell-through, stock-to-sales, and the
//! change against the previous period and the same period last year.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::ledger::SpiRow;
use super::period::Period;
use crate::model::exact::saturating_div;
use crate::model::{NodeId, ProductId};

/// Options of [`derive_measures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureOptions {
    /// Days of cover divide closing stock by the average daily net sales of a trailing window: the
    /// row's own period and as many earlier periods of the same node and product as it takes to
    /// span at least this many days (fewer at the start of the history). Default 90.
    pub cover_window_days: u32,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions { cover_window_days: 90 }
    }
}

/// Measures of one S-P-I row. Ratios are `None` where their denominator is zero or negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpiMeasures {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// First day of the period.
    pub period: NaiveDate,
    /// Closing stock over average daily net sales of the trailing window, in days.
    pub days_of_cover: Option<f64>,
    /// Net sales over average stock ((opening + closing) / 2) in the period (not annualised).
    pub turnover: Option<f64>,
    /// Sales over stock available (opening + receipts), 0 to 1 when nothing else came in.
    pub sell_through: Option<f64>,
    /// Closing stock over the period's net sales.
    pub stock_to_sales: Option<f64>,
    /// Net sales minus those of the previous period (none for the first period).
    pub sales_change: Option<Decimal>,
    /// `sales_change` relative to the previous period's net sales.
    pub sales_change_ratio: Option<f64>,
    /// Net sales minus those of the same period a year earlier, where the ledger has it.
    pub sales_vs_last_year: Option<Decimal>,
    /// `sales_vs_last_year` relative to last year's net sales.
    pub sales_vs_last_year_ratio: Option<f64>,
}

/// Days of cover: how many days the stock on hand lasts at the daily rate at which stock left
/// over a trailing window of `window_days` (what "left" is, net sales or every issue, is the
/// caller's choice and named there). Stock at or below zero covers 0 days; with nothing leaving
/// there is no rate to divide by: `None`, as when the cover is too long for a decimal (beyond
/// 10^28 days). The one definition the S-P-I measures, the inventory health and the KPI
/// catalogue use.
///
/// ```
/// use omo_core::spi::days_of_cover;
/// use rust_decimal::Decimal;
/// // 300 on hand, 900 sold over 90 days (10 a day): 30 days.
/// assert_eq!(days_of_cover(Decimal::from(300), Decimal::from(900), 90), Some(Decimal::from(30)));
/// assert_eq!(days_of_cover(Decimal::from(-5), Decimal::from(900), 90), Some(Decimal::ZERO));
/// assert_eq!(days_of_cover(Decimal::from(300), Decimal::ZERO, 90), None);
/// // Too large to multiply first: divided first.
/// assert_eq!(days_of_cover(Decimal::MAX, Decimal::MAX, 90), Some(Decimal::from(90)));
/// ```
pub fn days_of_cover(on_hand: Decimal, outflow: Decimal, window_days: u32) -> Option<Decimal> {
    if on_hand <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    if outflow <= Decimal::ZERO || window_days == 0 {
        return None;
    }
    let window = Decimal::from(window_days);
    match on_hand.checked_mul(window) {
        Some(held) => held.checked_div(outflow),
        None => on_hand.checked_div(outflow)?.checked_mul(window),
    }
}

/// Sell-through of a period at one node: the share of what it could sell (opening stock plus
/// receipts) that it sold; `None` when it had nothing. (The channel view's `sell_through` is the
/// channel's middle flow, a quantity, not this ratio.)
///
/// ```
/// use omo_core::spi::sell_through;
/// use rust_decimal::Decimal;
/// assert_eq!(sell_through(Decimal::from(30), Decimal::from(40), Decimal::from(60)), Some(Decimal::new(3, 1)));
/// // Where the ratio does not fit a decimal (10^-28 available), the largest one.
/// assert_eq!(sell_through(Decimal::from(30), Decimal::new(1, 28), Decimal::ZERO), Some(Decimal::MAX));
/// ```
pub fn sell_through(sales: Decimal, opening: Decimal, receipts: Decimal) -> Option<Decimal> {
    let available = opening.saturating_add(receipts);
    (available > Decimal::ZERO).then(|| saturating_div(sales, available))
}

/// `numerator / denominator` as a float; `None` when the denominator is not positive. A quotient
/// too large for a decimal reads as the largest one, as [`sell_through`]'s does.
fn ratio(numerator: Decimal, denominator: Decimal) -> Option<f64> {
    (denominator > Decimal::ZERO).then(|| saturating_div(numerator, denominator).to_f64()).flatten()
}

/// Derives the measures of every row. Rows are grouped by node and product and ordered by period
/// (any input order); the result follows the input order.
pub fn derive_measures(rows: &[SpiRow], period: Period, options: MeasureOptions) -> Vec<SpiMeasures> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        (&x.node, &x.product, x.period).cmp(&(&y.node, &y.product, y.period))
    });
    let mut out: Vec<Option<SpiMeasures>> = vec![None; rows.len()];
    for run in order.chunk_by(|&a, &b| rows[a].node == rows[b].node && rows[a].product == rows[b].product) {
        let by_period: HashMap<NaiveDate, usize> = run.iter().map(|&i| (rows[i].period, i)).collect();
        let mut window = CoverWindow::default();
        for (position, &i) in run.iter().enumerate() {
            let row = &rows[i];
            let f = &row.flows;
            let net_sales = f.net_sales();
            let (window_sales, window_days) =
                window.slide(position, |at| run.get(at).map(|&j| &rows[j]), period, options.cover_window_days);
            let days_of_cover = days_of_cover(f.closing, window_sales, window_days).and_then(|d| d.to_f64());
            let previous = position.checked_sub(1).and_then(|p| run.get(p)).map(|&j| rows[j].flows.net_sales());
            let last_year =
                period.year_before(row.period).and_then(|d| by_period.get(&d)).map(|&j| rows[j].flows.net_sales());
            out[i] = Some(SpiMeasures {
                node: row.node.clone(),
                product: row.product.clone(),
                period: row.period,
                days_of_cover,
                turnover: ratio(net_sales, f.opening.saturating_add(f.closing) / Decimal::TWO),
                sell_through: sell_through(f.sales, f.opening, f.receipts).and_then(|r| r.to_f64()),
                stock_to_sales: ratio(f.closing, net_sales),
                sales_change: previous.map(|p| net_sales.saturating_sub(p)),
                sales_change_ratio: previous.and_then(|p| ratio(net_sales.saturating_sub(p), p)),
                sales_vs_last_year: last_year.map(|p| net_sales.saturating_sub(p)),
                sales_vs_last_year_ratio: last_year.and_then(|p| ratio(net_sales.saturating_sub(p), p)),
            });
        }
    }
    out.into_iter().flatten().collect()
}

/// The cover window of the rows of one node x product in period order: a row and the rows
/// before it, back to the first that brings its days to the window's length (or the first row),
/// its sales and days kept as it slides along (each row added once and dropped once, however
/// long the window: a window of `u32::MAX` days over a long daily ledger costs no more than one
/// of 90).
#[derive(Debug, Default)]
struct CoverWindow {
    /// The position of the window's oldest row.
    from: usize,
    /// Its net sales.
    sales: Decimal,
    /// Its days.
    days: u64,
}

impl CoverWindow {
    /// Moves the window's end to the row at `position` (the next one; `row` reads the rows by
    /// position) and drops the oldest rows while the rest still cover `length` days; returns
    /// its net sales and days.
    fn slide<'r>(
        &mut self,
        position: usize,
        row: impl Fn(usize) -> Option<&'r SpiRow>,
        period: Period,
        length: u32,
    ) -> (Decimal, u32) {
        let days = |r: &SpiRow| u64::from(period.days_in(r.period));
        if let Some(newest) = row(position) {
            self.sales = self.sales.saturating_add(newest.flows.net_sales());
            self.days += days(newest);
        }
        while self.from < position {
            let Some(oldest) = row(self.from) else { break };
            let without = self.days - days(oldest);
            if without < u64::from(length) {
                break;
            }
            self.sales = self.sales.saturating_sub(oldest.flows.net_sales());
            (self.days, self.from) = (without, self.from + 1);
        }
        (self.sales, u32::try_from(self.days).unwrap_or(u32::MAX))
    }
}
