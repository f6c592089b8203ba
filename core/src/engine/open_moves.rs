//! One node x product's stock changes of the open period, kept in the order they were booked (a
//! back-dated movement may still come before them): what the negative-stock rule and the FIFO
//! layers read until the period closes. Each change is [`Packed`], so one takes 12 bytes, not
//! 20; the vector grows by a quarter of its length at a time.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::day_totals::room;
use crate::packed::Packed;

/// The open period's stock changes of one pair, in booking order.
#[derive(Debug, Clone, Default)]
pub(super) struct OpenMoves {
    moves: Vec<(NaiveDate, Packed)>,
    /// The changes of `moves` too large to pack.
    aside: Vec<Decimal>,
}

impl OpenMoves {
    /// Adds the stock change `change` booked on `day`.
    pub(super) fn push(&mut self, day: NaiveDate, change: Decimal) {
        if self.moves.len() == self.moves.capacity() {
            self.moves.reserve_exact(room(self.moves.len()));
        }
        let mut packed = Packed::default();
        packed.set(change, &mut self.aside);
        self.moves.push((day, packed));
    }

    /// Every change with its day, in booking order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (NaiveDate, Decimal)> + '_ {
        self.moves.iter().map(|(day, change)| (*day, change.get(&self.aside)))
    }

    /// Every change with its day, sorted by day (those of one day in booking order).
    pub(super) fn by_day(&self) -> Vec<(NaiveDate, Decimal)> {
        let mut moves: Vec<(NaiveDate, Decimal)> = self.iter().collect();
        if !moves.is_sorted_by_key(|(day, _)| *day) {
            moves.sort_by_key(|(day, _)| *day);
        }
        moves
    }

    /// Takes out the changes of days before `open_from` (their period closed), sorted by day;
    /// the others stay, in booking order, in place when none is set aside.
    pub(super) fn take_before(&mut self, open_from: NaiveDate) -> Vec<(NaiveDate, Decimal)> {
        let closing = self.moves.iter().filter(|(day, _)| *day < open_from).count();
        if closing == 0 {
            return Vec::new();
        }
        let mut closed = Vec::with_capacity(closing);
        closed.extend(self.iter().filter(|(day, _)| *day < open_from));
        closed.sort_by_key(|(day, _)| *day);
        if self.aside.is_empty() {
            self.moves.retain(|(day, _)| *day >= open_from);
            self.moves.shrink_to(self.moves.len() + room(self.moves.len()));
        } else {
            // Packed anew, so that the closed changes' values aside are given back.
            let open: Vec<_> = self.iter().filter(|(day, _)| *day >= open_from).collect();
            *self = OpenMoves::default();
            self.moves.reserve_exact(open.len());
            for (day, change) in open {
                self.push(day, change);
            }
        }
        closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_come_back_as_booked_and_leave_as_their_period_closes() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let huge = Decimal::MAX; // too large to pack: kept aside
        let mut moves = OpenMoves::default();
        for (d, change) in [(5, Decimal::new(-25, 1)), (2, huge), (9, Decimal::from(7)), (2, Decimal::new(1, 3))] {
            moves.push(day(d), change);
        }
        let booked: Vec<_> = moves.iter().collect();
        assert_eq!(
            booked,
            [(day(5), Decimal::new(-25, 1)), (day(2), huge), (day(9), Decimal::from(7)), (day(2), Decimal::new(1, 3))]
        );
        assert_eq!(moves.by_day()[..2], [(day(2), huge), (day(2), Decimal::new(1, 3))]);
        assert_eq!(
            moves.take_before(day(6)),
            [(day(2), huge), (day(2), Decimal::new(1, 3)), (day(5), Decimal::new(-25, 1))]
        );
        assert_eq!(moves.iter().collect::<Vec<_>>(), [(day(9), Decimal::from(7))]);
        assert!(moves.aside.is_empty(), "the closed value's slot aside is given back");
        assert!(moves.take_before(day(6)).is_empty());
    }

    #[test]
    fn with_nothing_aside_the_open_changes_stay_in_place_in_booking_order() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let q = |units: i64| Decimal::new(units, 1);
        let mut moves = OpenMoves::default();
        for (d, units) in [(5, 10), (2, -20), (9, 30), (3, 40), (12, -50), (2, 60)] {
            moves.push(day(d), q(units));
        }
        assert_eq!(moves.take_before(day(6)), [(day(2), q(-20)), (day(2), q(60)), (day(3), q(40)), (day(5), q(10))]);
        assert_eq!(moves.iter().collect::<Vec<_>>(), [(day(9), q(30)), (day(12), q(-50))]);
        moves.push(day(1), q(70));
        assert_eq!(moves.take_before(day(10)), [(day(1), q(70)), (day(9), q(30))]);
        assert_eq!(moves.iter().collect::<Vec<_>>(), [(day(12), q(-50))]);
        assert!(moves.moves.capacity() <= 1 + room(1), "the slots the closed changes left are given back");
    }
}
