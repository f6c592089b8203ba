//! Quantities by day with a running window sum: what the dead-and-slow-stock rule reads for
//! each product at a node (its issues of the last 90 days, and the last issue day).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The sum of `days` from `from` to `to`, both included.
pub(crate) fn sum_between(days: &BTreeMap<NaiveDate, Decimal>, from: NaiveDate, to: NaiveDate) -> Decimal {
    if from > to { Decimal::ZERO } else { days.range(from..=to).map(|(_, v)| *v).sum() }
}

/// Quantities by day, and the sum over the last window read, so that a window moved forward by
/// a day (the clock's next day) costs the days it gains and loses, not its length. Sums are
/// exact, so the running sum always equals the window's sum read afresh.
#[derive(Debug, Clone, Default)]
pub(crate) struct DayTotals {
    days: BTreeMap<NaiveDate, Decimal>,
    /// The last window summed: its first and last day, and the sum.
    window: Option<(NaiveDate, NaiveDate, Decimal)>,
}

impl DayTotals {
    /// Adds `quantity` on `day` (to the running sum too when the day is inside its window).
    pub(crate) fn add(&mut self, day: NaiveDate, quantity: Decimal) {
        *self.days.entry(day).or_default() += quantity;
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
                let gained = before_to.succ_opt().map_or(Decimal::ZERO, |after| sum_between(&self.days, after, to));
                let lost = from.pred_opt().map_or(Decimal::ZERO, |last| sum_between(&self.days, before_from, last));
                before + gained - lost
            }
            _ => sum_between(&self.days, from, to),
        };
        self.window = Some((from, to, sum));
        sum
    }

    /// The sum of the days from `from` to `to`, both included, read afresh.
    pub(crate) fn sum(&self, from: NaiveDate, to: NaiveDate) -> Decimal {
        sum_between(&self.days, from, to)
    }

    /// The last day with a quantity on or before `day`.
    pub(crate) fn last_on_or_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        self.days.range(..=day).next_back().map(|(d, _)| *d)
    }

    /// Drops the days before `start`, except the last of them (the last issue day, which dead
    /// stock counts from); the running sum is read afresh next time.
    pub(crate) fn forget_before(&mut self, start: NaiveDate) {
        let last = self.days.range(..start).next_back().map(|(day, quantity)| (*day, *quantity));
        self.days = self.days.split_off(&start);
        if let Some((day, quantity)) = last {
            self.days.insert(day, quantity);
        }
        self.window = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    /// A window moved forward day by day, back, and far, with quantities added inside, before
    /// and after it, always sums as the days read afresh.
    #[test]
    fn the_running_sum_equals_the_window_read_afresh() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let day = |n: u64| start + Days::new(n);
        let mut totals = DayTotals::default();
        for n in 0..200 {
            if n % 3 != 0 {
                totals.add(day(n), Decimal::from(n % 7 + 1));
            }
        }
        let mut to = 100;
        for step in [1, 1, 1, 5, 0, 1, 40, 1, 1] {
            to += step;
            let got = totals.window_sum(day(to - 89), day(to));
            assert_eq!(got, sum_between(&totals.days, day(to - 89), day(to)), "window ending day {to}");
            totals.add(day(to - 10), Decimal::new(25, 1)); // inside the window just read
            totals.add(day(to + 3), Decimal::ONE); // after it
            totals.add(day(to - 95), Decimal::ONE); // before it
        }
        // Back in time, and a window inside the last one: read afresh.
        assert_eq!(totals.window_sum(day(20), day(60)), sum_between(&totals.days, day(20), day(60)));
        assert_eq!(totals.window_sum(day(30), day(50)), sum_between(&totals.days, day(30), day(50)));
        // Day 99 had nothing of its own (a multiple of 3) until the window ending on day 109 added
        // to it: the last day before 100, kept.
        totals.forget_before(day(100));
        assert_eq!(totals.last_on_or_before(day(99)), Some(day(99)));
        assert_eq!(totals.last_on_or_before(day(98)), None);
        assert_eq!(totals.window_sum(day(100), day(189)), sum_between(&totals.days, day(100), day(189)));
    }
}
