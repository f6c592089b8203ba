//! Quantities by day with a running window sum: what the dead-and-slow-stock rule reads for
//! each product at a node (its issues of the last 90 days, and the last issue day).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::packed::Packed;

/// The sum of `days` from `from` to `to`, both included.
pub(crate) fn sum_between(days: &BTreeMap<NaiveDate, Decimal>, from: NaiveDate, to: NaiveDate) -> Decimal {
    if from > to { Decimal::ZERO } else { days.range(from..=to).map(|(_, v)| *v).sum() }
}

/// Quantities by day, and the sum over the last window read, so that a window moved forward by
/// a day (the clock's next day) costs the days it gains and loses, not its length. Sums are
/// exact, so the running sum always equals the window's sum read afresh. The days are a vector
/// sorted by day: movements arrive nearly in date order, so adding one is mostly a push. Each
/// day's quantity is [`Packed`] (a day takes 12 bytes). The vector grows by a quarter of its
/// length at a time and gives back what the days forgotten leave, rather than doubling and
/// keeping it: at the articles' size (600,000 pairs) doubling left half of every pair's slots
/// empty.
#[derive(Debug, Clone, Default)]
pub(crate) struct DayTotals {
    days: Vec<(NaiveDate, Packed)>,
    /// The quantities of `days` too large to pack.
    aside: Vec<Decimal>,
    /// The last window summed: its first and last day, and the sum.
    window: Option<(NaiveDate, NaiveDate, Decimal)>,
}

impl DayTotals {
    /// Adds `quantity` on `day` (to the running sum too when the day is inside its window).
    pub(crate) fn add(&mut self, day: NaiveDate, quantity: Decimal) {
        let at = match self.days.last() {
            Some(last) if last.0 == day => Ok(self.days.len() - 1),
            Some(last) if last.0 > day => self.days.binary_search_by_key(&day, |d| d.0),
            _ => Err(self.days.len()),
        };
        match at {
            Ok(at) => {
                if let Some(slot) = self.days.get_mut(at) {
                    slot.1.add(quantity, &mut self.aside);
                }
            }
            Err(at) => {
                if self.days.len() == self.days.capacity() {
                    self.days.reserve_exact(room(self.days.len()));
                }
                let mut packed = Packed::default();
                packed.set(quantity, &mut self.aside);
                self.days.insert(at, (day, packed));
            }
        }
        if let Some((from, to, sum)) = &mut self.window
            && *from <= day
            && day <= *to
        {
            *sum += quantity;
        }
    }

    /// The sum of the days from `from` to `to`, both included: from the last window's sum when
    /// this window starts and ends no earlier than it, by the days gained and lost.
    pub(crate) fn window_sum(&mut self, from: NaiveDate, to: NaiveDate) -> Decimal {
        let sum = match self.window {
            Some((before_from, before_to, before)) if before_from <= from && before_to <= to && from <= to => {
                let gained = before_to.succ_opt().map_or(Decimal::ZERO, |after| self.sum(after, to));
                let lost = from.pred_opt().map_or(Decimal::ZERO, |last| self.sum(before_from, last));
                before + gained - lost
            }
            _ => self.sum(from, to),
        };
        self.window = Some((from, to, sum));
        sum
    }

    /// The sum of the days from `from` to `to`, both included, read afresh.
    pub(crate) fn sum(&self, from: NaiveDate, to: NaiveDate) -> Decimal {
        if from > to {
            return Decimal::ZERO;
        }
        let start = self.days.partition_point(|d| d.0 < from);
        self.days[start..].iter().take_while(|d| d.0 <= to).map(|d| d.1.get(&self.aside)).sum()
    }

    /// The last day with a quantity on or before `day`.
    pub(crate) fn last_on_or_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        let upto = self.days.partition_point(|d| d.0 <= day);
        upto.checked_sub(1).and_then(|at| self.days.get(at)).map(|d| d.0)
    }

    /// The first day with a quantity on or after `day`.
    pub(crate) fn first_on_or_after(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.days.get(self.days.partition_point(|d| d.0 < day)).map(|d| d.0)
    }

    /// Drops the days before `start`, except the last of them (the last issue day, which dead
    /// stock counts from); the running sum is read afresh next time.
    pub(crate) fn forget_before(&mut self, start: NaiveDate) {
        let before = self.days.partition_point(|d| d.0 < start);
        if before > 1 {
            self.days.drain(..before - 1);
            self.days.shrink_to(self.days.len() + room(self.days.len()));
        }
        self.window = None;
    }
}

/// The slots a per-pair vector of `len` entries grows by: a quarter of it, at least four (the
/// issue days here, the open period's stock changes in `open_moves`).
pub(super) fn room(len: usize) -> usize {
    (len / 4).max(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    /// Adds to both the totals and the map that checks them.
    fn add(totals: &mut DayTotals, expected: &mut BTreeMap<NaiveDate, Decimal>, day: NaiveDate, q: Decimal) {
        totals.add(day, q);
        *expected.entry(day).or_default() += q;
    }

    /// A window moved forward day by day, back, and far, with quantities added inside, before
    /// and after it, always sums as the same days kept in a map and read afresh.
    #[test]
    fn the_running_sum_equals_the_window_read_afresh() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let day = |n: u64| start + Days::new(n);
        let (mut totals, mut days) = (DayTotals::default(), BTreeMap::new());
        for n in 0..200 {
            if n % 3 != 0 {
                add(&mut totals, &mut days, day(n), Decimal::from(n % 7 + 1));
            }
        }
        let mut to = 100;
        for step in [1, 1, 1, 5, 0, 1, 40, 1, 1] {
            to += step;
            let got = totals.window_sum(day(to - 89), day(to));
            assert_eq!(got, sum_between(&days, day(to - 89), day(to)), "window ending day {to}");
            add(&mut totals, &mut days, day(to - 10), Decimal::new(25, 1)); // inside the window just read
            add(&mut totals, &mut days, day(to + 3), Decimal::ONE); // after it
            add(&mut totals, &mut days, day(to - 95), Decimal::ONE); // before it
        }
        // Back in time, and a window inside the last one: read afresh.
        assert_eq!(totals.window_sum(day(20), day(60)), sum_between(&days, day(20), day(60)));
        assert_eq!(totals.window_sum(day(30), day(50)), sum_between(&days, day(30), day(50)));
        // Day 99 had nothing of its own (a multiple of 3) until the window ending on day 109 added
        // to it: the last day before 100, kept.
        totals.forget_before(day(100));
        assert_eq!(totals.last_on_or_before(day(99)), Some(day(99)));
        assert_eq!(totals.last_on_or_before(day(98)), None);
        assert_eq!(totals.first_on_or_after(day(0)), Some(day(99)));
        // Days 101 and 102 have quantities (not multiples of 3), day 300 none after day 199's.
        assert_eq!(totals.first_on_or_after(day(101)), Some(day(101)));
        assert_eq!(totals.first_on_or_after(day(300)), None);
        assert_eq!(totals.window_sum(day(100), day(189)), sum_between(&days, day(100), day(189)));
        assert_eq!(totals.sum(day(0), day(300)), sum_between(&days, day(99), day(300)));
    }

    /// Days added one by one leave at most a quarter of the slots empty (doubling would leave up
    /// to half), and forgetting days gives their slots back.
    #[test]
    fn its_slots_follow_its_days() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut totals = DayTotals::default();
        for n in 0..150 {
            totals.add(start + Days::new(n), Decimal::ONE);
            let (len, capacity) = (totals.days.len(), totals.days.capacity());
            assert!(capacity <= len + room(len), "{len} days in {capacity} slots");
        }
        totals.forget_before(start + Days::new(120));
        // Day 119 stays, the last issue before the days kept.
        assert_eq!(totals.days.len(), 31);
        assert!(totals.days.capacity() <= 31 + 7, "{} slots", totals.days.capacity());
        assert_eq!(totals.sum(start, start + Days::new(200)), Decimal::from(31));
    }
}
