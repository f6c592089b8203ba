//! One node x product's S-P-I rows by month, in a compact form: what most pairs hold at the
//! articles' size (30,000 shops) is receipts and sales, month after month. Each month keeps
//! those two columns and its movement count (36 bytes, against 148 for a whole row); the rarer
//! columns (customer and supplier returns, transfers, adjustments) are kept apart, one entry per
//! month and kind that has them; the opening and closing are not kept at all but chained when a
//! row is read, back from the stock on hand (the last months, the ones read on every event,
//! cost the fewest steps). Receipts and sales are [`Packed`] (8 bytes each, exact), so a month
//! takes 20 bytes.

use rust_decimal::Decimal;

use crate::model::MovementKind;
use crate::packed::Packed;
use crate::spi::{PeriodRun, SpiFlows};

/// A month's receipts, sales and movement count.
#[derive(Debug, Clone, Copy, Default)]
struct MonthRow {
    receipts: Packed,
    sales: Packed,
    movements: u32,
}

impl MonthRow {
    /// The month's stock change from its receipts and sales.
    fn net(&self, aside: &[Decimal]) -> Decimal {
        self.receipts.get(aside) - self.sales.get(aside)
    }
}

/// The sum of one of the rarer kinds in one month.
#[derive(Debug, Clone, Copy)]
struct OtherFlow {
    month: i64,
    kind: MovementKind,
    quantity: Decimal,
}

impl OtherFlow {
    /// Its stock change.
    fn net(&self) -> Decimal {
        self.kind.stock_change(self.quantity)
    }
}

/// A pair's rows from its first month with a movement to its last, chained (each opening is the
/// month before's closing; a month between two with movements may hold none).
#[derive(Debug, Clone, Default)]
pub(super) struct PairRows {
    /// By month number (see [`crate::spi::Period::number`]).
    months: PeriodRun<MonthRow>,
    /// The values of `months` too large to pack (see [`Packed`]).
    aside: Vec<Decimal>,
    /// The rarer columns, sorted by month and kind.
    others: Vec<OtherFlow>,
    on_hand: Decimal,
}

impl PairRows {
    /// Stock on hand: the last month's closing.
    pub(super) fn on_hand(&self) -> Decimal {
        self.on_hand
    }

    /// Adds a movement of `kind` and `quantity` in month number `month` to its column and counts
    /// it; the rows reach from the earliest month to the latest either way.
    ///
    /// ```text
    /// receipt 10 in month 5, sale 4 in month 7  ->  rows 5, 6, 7: closings 10, 10, 6
    /// ```
    pub(super) fn add(&mut self, kind: MovementKind, quantity: Decimal, month: i64) {
        let Some(row) = self.months.slot(month) else { return };
        row.movements += 1;
        match kind {
            MovementKind::Receipt => row.receipts.add(quantity, &mut self.aside),
            MovementKind::Sale => row.sales.add(quantity, &mut self.aside),
            _ => self.add_other(month, kind, quantity),
        }
        self.on_hand += kind.stock_change(quantity);
    }

    fn add_other(&mut self, month: i64, kind: MovementKind, quantity: Decimal) {
        let key = |o: &OtherFlow| (o.month, o.kind);
        match self.others.binary_search_by_key(&(month, kind), key) {
            Ok(at) => {
                if let Some(other) = self.others.get_mut(at) {
                    other.quantity += quantity;
                }
            }
            Err(at) => self.others.insert(at, OtherFlow { month, kind, quantity }),
        }
    }

    /// The columns of month number `month` (opening and closing zero), with its movement count.
    fn columns(&self, month: i64) -> (SpiFlows, u32) {
        let mut flows = SpiFlows::default();
        let Some(row) = self.months.get(month) else { return (flows, 0) };
        flows.receipts = row.receipts.get(&self.aside);
        flows.sales = row.sales.get(&self.aside);
        let from = self.others.partition_point(|o| o.month < month);
        for other in self.others.iter().skip(from).take_while(|o| o.month == month) {
            flows.add(other.kind, other.quantity);
        }
        (flows, row.movements)
    }

    /// Stock at the end of month number `month`: zero before the first row, the stock on hand
    /// from the last on (the months after it taken back off the stock on hand).
    pub(super) fn closing_in(&self, month: i64) -> Decimal {
        if self.months.first().is_none_or(|first| month < first) {
            return Decimal::ZERO;
        }
        let later: Decimal =
            self.months.iter().rev().take_while(|(k, _)| *k > month).map(|(_, row)| row.net(&self.aside)).sum();
        let from = self.others.partition_point(|o| o.month <= month);
        let later_others: Decimal = self.others.iter().skip(from).map(OtherFlow::net).sum();
        self.on_hand - later - later_others
    }

    /// The row of month number `month` with its opening and closing; a month after the last row
    /// carries the stock on hand forward (no flows); `None` before the first row or with none.
    pub(super) fn row(&self, month: i64) -> Option<SpiFlows> {
        let (first, last) = (self.months.first()?, self.months.last()?);
        if month < first {
            return None;
        }
        if month > last {
            return Some(SpiFlows { opening: self.on_hand, closing: self.on_hand, ..SpiFlows::default() });
        }
        let (mut flows, _) = self.columns(month);
        flows.closing = self.closing_in(month);
        flows.opening = flows.closing - flows.inflows() + flows.outflows();
        Some(flows)
    }

    /// The month's sales (zero outside the rows).
    pub(super) fn sales_in(&self, month: i64) -> Decimal {
        self.months.get(month).map_or(Decimal::ZERO, |r| r.sales.get(&self.aside))
    }

    /// Every month with its columns (opening and closing zero) and movement count, in order.
    pub(super) fn flows(&self) -> impl Iterator<Item = (i64, SpiFlows, u32)> + '_ {
        self.months.iter().map(|(month, _)| {
            let (flows, movements) = self.columns(month);
            (month, flows, movements)
        })
    }

    /// Every row with its opening and closing, in month order (chained back from the stock on
    /// hand once, not month by month).
    pub(super) fn rows(&self) -> Vec<(i64, SpiFlows)> {
        let mut out: Vec<(i64, SpiFlows)> = self.flows().map(|(month, flows, _)| (month, flows)).collect();
        let mut stock = self.on_hand;
        for (_, flows) in out.iter_mut().rev() {
            flows.closing = stock;
            flows.opening = stock - flows.inflows() + flows.outflows();
            stock = flows.opening;
        }
        out
    }

    /// Every month with a sale, as (month number, units).
    pub(super) fn sales(&self) -> impl Iterator<Item = (i64, Decimal)> + '_ {
        self.months.iter().map(|(month, row)| (month, row.sales.get(&self.aside))).filter(|(_, sales)| !sales.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `units` tenths.
    fn tenths(units: i64) -> Decimal {
        Decimal::new(units, 1)
    }

    #[test]
    fn rows_chain_back_from_the_stock_on_hand() -> Result<(), &'static str> {
        let mut rows = PairRows::default();
        rows.add(MovementKind::Receipt, tenths(100), 5);
        rows.add(MovementKind::Sale, tenths(40), 7);
        rows.add(MovementKind::Adjustment, tenths(-15), 6);
        // Back-dated before the first month: the rows grow at the front.
        rows.add(MovementKind::TransferIn, tenths(20), 3);
        let months: Vec<i64> = rows.rows().iter().map(|(month, _)| *month).collect();
        assert_eq!(months, [3, 4, 5, 6, 7]);
        assert_eq!(rows.on_hand(), tenths(65));
        let closings: Vec<Decimal> = rows.rows().iter().map(|(_, r)| r.closing).collect();
        assert_eq!(closings, [tenths(20), tenths(20), tenths(120), tenths(105), tenths(65)]);
        let june = rows.row(6).ok_or("no June")?;
        assert_eq!((june.opening, june.adjustments, june.closing), (tenths(120), tenths(-15), tenths(105)));
        assert_eq!(rows.closing_in(2), Decimal::ZERO);
        assert_eq!(rows.closing_in(9), tenths(65));
        let august = rows.row(8).ok_or("no August")?;
        assert_eq!((august.opening, august.sales, august.closing), (tenths(65), Decimal::ZERO, tenths(65)));
        assert_eq!(rows.row(2), None);
        let counts: Vec<u32> = rows.flows().map(|(_, _, n)| n).collect();
        assert_eq!(counts, [1, 0, 1, 1, 1]);
        Ok(())
    }
}
