//! A node plan's rows as it keeps them: each period's eight quantities in 8 bytes each
//! ([`Packed`]), not 16, so that a row takes 80 bytes instead of a [`ChannelRow`]'s 152. At the
//! articles' size a channel plan holds some 3.7 million rows (600,000 shops and distributors x
//! products, six months): about 260 MB less. The rows read back are the ones written, every
//! quantity exact, scale and sign included.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::channel::ChannelRow;
use crate::packed::Packed;

/// The rows of one node plan, one per period (see the [module](self)). Read them as
/// [`ChannelRow`]s with [`PlanRows::iter`] or [`PlanRows::get`]; they serialize as a list of
/// `ChannelRow`s, and cross to mobile apps as one.
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::plan::{ChannelRow, PlanRows};
/// use rust_decimal::Decimal;
///
/// let row = ChannelRow {
///     period: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
///     forecast: Decimal::new(1205, 1),
///     confirmed: Decimal::ZERO,
///     dependent: Decimal::ZERO,
///     gross: Decimal::new(1205, 1),
///     scheduled_receipts: Decimal::from(100),
///     planned_receipts: Decimal::from(40),
///     planned_releases: Decimal::ZERO,
///     closing: Decimal::new(195, 1),
///     days_of_cover: Some(4.5),
///     stockout: false,
///     overstock: false,
/// };
/// let rows: PlanRows = vec![row.clone()].into();
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows.get(0), Some(row.clone()));
/// assert_eq!(rows.get(0).unwrap().forecast.to_string(), "120.5");
/// assert_eq!(rows.iter().map(|r| r.closing).sum::<Decimal>(), Decimal::new(195, 1));
/// ```
#[derive(Clone, Default)]
pub struct PlanRows {
    rows: Vec<KeptRow>,
    /// The quantities too large to pack.
    aside: Vec<Decimal>,
}

/// One row as kept: the quantities in the order of [`ChannelRow`]'s fields.
#[derive(Debug, Clone, Copy, PartialEq)]
struct KeptRow {
    quantities: [Packed; 8],
    days_of_cover: f64,
    period: NaiveDate,
    flags: u8,
}

const HAS_COVER: u8 = 1;
const STOCKOUT: u8 = 2;
const OVERSTOCK: u8 = 4;

impl PlanRows {
    /// No rows yet, with room for `periods` of them.
    pub fn with_capacity(periods: usize) -> Self {
        PlanRows { rows: Vec::with_capacity(periods), aside: Vec::new() }
    }

    /// How many periods.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no period.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of period `t` (0 the first), if the plan reaches it.
    pub fn get(&self, t: usize) -> Option<ChannelRow> {
        self.rows.get(t).map(|row| row.read(&self.aside))
    }

    /// The rows in period order.
    pub fn iter(&self) -> PlanRowsIter<'_> {
        PlanRowsIter { rows: self.rows.iter(), aside: &self.aside }
    }

    /// Adds the row of the next period.
    pub fn push(&mut self, row: &ChannelRow) {
        let mut quantities = [Packed::default(); 8];
        for (slot, value) in quantities.iter_mut().zip(quantities_of(row)) {
            slot.set(value, &mut self.aside);
        }
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        self.rows.push(KeptRow {
            quantities,
            days_of_cover: row.days_of_cover.unwrap_or_default(),
            period: row.period,
            flags: flag(row.days_of_cover.is_some(), HAS_COVER)
                | flag(row.stockout, STOCKOUT)
                | flag(row.overstock, OVERSTOCK),
        });
    }
}

impl KeptRow {
    /// The row as a [`ChannelRow`], its quantities too large to pack read from `aside`.
    fn read(&self, aside: &[Decimal]) -> ChannelRow {
        let [forecast, confirmed, dependent, gross, scheduled_receipts, planned_receipts, planned_releases, closing] =
            self.quantities.map(|q| q.get(aside));
        ChannelRow {
            period: self.period,
            forecast,
            confirmed,
            dependent,
            gross,
            scheduled_receipts,
            planned_receipts,
            planned_releases,
            closing,
            days_of_cover: (self.flags & HAS_COVER != 0).then_some(self.days_of_cover),
            stockout: self.flags & STOCKOUT != 0,
            overstock: self.flags & OVERSTOCK != 0,
        }
    }
}

/// A row's quantities in the order [`KeptRow`] keeps them.
fn quantities_of(row: &ChannelRow) -> [Decimal; 8] {
    [
        row.forecast,
        row.confirmed,
        row.dependent,
        row.gross,
        row.scheduled_receipts,
        row.planned_receipts,
        row.planned_releases,
        row.closing,
    ]
}

/// The rows of a [`PlanRows`] in period order, read as [`ChannelRow`]s.
#[derive(Debug, Clone)]
pub struct PlanRowsIter<'a> {
    rows: std::slice::Iter<'a, KeptRow>,
    aside: &'a [Decimal],
}

impl Iterator for PlanRowsIter<'_> {
    type Item = ChannelRow;

    fn next(&mut self) -> Option<ChannelRow> {
        self.rows.next().map(|row| row.read(self.aside))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }
}

impl ExactSizeIterator for PlanRowsIter<'_> {}

impl DoubleEndedIterator for PlanRowsIter<'_> {
    fn next_back(&mut self) -> Option<ChannelRow> {
        self.rows.next_back().map(|row| row.read(self.aside))
    }
}

impl<'a> IntoIterator for &'a PlanRows {
    type Item = ChannelRow;
    type IntoIter = PlanRowsIter<'a>;

    fn into_iter(self) -> PlanRowsIter<'a> {
        self.iter()
    }
}

impl FromIterator<ChannelRow> for PlanRows {
    fn from_iter<I: IntoIterator<Item = ChannelRow>>(rows: I) -> Self {
        let rows = rows.into_iter();
        let mut out = PlanRows::with_capacity(rows.size_hint().0);
        for row in rows {
            out.push(&row);
        }
        out
    }
}

impl From<Vec<ChannelRow>> for PlanRows {
    fn from(rows: Vec<ChannelRow>) -> Self {
        rows.into_iter().collect()
    }
}

impl From<PlanRows> for Vec<ChannelRow> {
    fn from(rows: PlanRows) -> Self {
        rows.iter().collect()
    }
}

/// Equal when every row reads back equal (quantities compared as `Decimal` compares them).
impl PartialEq for PlanRows {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for PlanRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for PlanRows {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PlanRows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<ChannelRow>::deserialize(deserializer).map(PlanRows::from)
    }
}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(PlanRows, Vec<ChannelRow>, {
    lower: |rows| rows.into(),
    try_lift: |rows| Ok(rows.into()),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: u32, quantity: Decimal, cover: Option<f64>, stockout: bool) -> ChannelRow {
        ChannelRow {
            period: NaiveDate::from_ymd_opt(2026, t, 1).unwrap(),
            forecast: quantity,
            confirmed: Decimal::new(-3, 0),
            dependent: Decimal::new(1000, 3),
            gross: quantity + Decimal::ONE,
            scheduled_receipts: Decimal::ZERO,
            planned_receipts: Decimal::MAX,
            planned_releases: Decimal::new(7, 28),
            closing: -quantity,
            days_of_cover: cover,
            stockout,
            overstock: !stockout,
        }
    }

    /// Every field comes back as written, scales and signs included, also a quantity too large
    /// to pack; the JSON is a list of rows, read back the same.
    #[test]
    fn rows_come_back_as_written() {
        let written =
            vec![row(1, Decimal::new(12_345, 2), Some(31.25), true), row(2, Decimal::from(1u64 << 60), None, false)];
        let rows = PlanRows::from(written.clone());
        assert_eq!(std::mem::size_of::<KeptRow>(), 80);
        let shown = |r: &ChannelRow| quantities_of(r).map(|q| format!("{q:?}/{}", q.scale()));
        for (read, expected) in rows.iter().zip(&written) {
            assert_eq!(read, *expected);
            assert_eq!(shown(&read), shown(expected));
        }
        assert_eq!(rows.get(2), None);
        let json = serde_json::to_string(&rows).unwrap();
        assert_eq!(json, serde_json::to_string(&written).unwrap());
        assert_eq!(serde_json::from_str::<PlanRows>(&json).unwrap(), rows);
        assert_eq!(Vec::from(rows), written);
    }
}
