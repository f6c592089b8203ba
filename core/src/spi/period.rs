//! Period buckets of the S-P-I ledger: day, ISO week (starting Monday), month, quarter, year.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::error::OmoError;

/// A calendar bucket for S-P-I rows.
///
/// ```
/// use omo_core::spi::Period;
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2025, 5, 14).unwrap();   // a Wednesday
/// assert_eq!(Period::Week.start_of(d), NaiveDate::from_ymd_opt(2025, 5, 12).unwrap());
/// assert_eq!(Period::Quarter.start_of(d), NaiveDate::from_ymd_opt(2025, 4, 1).unwrap());
/// assert_eq!("month".parse::<Period>()?, Period::Month);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// One calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
}

impl Period {
    /// The period's name: `"day"`, `"week"`, `"month"`, `"quarter"` or `"year"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// A running number of the period containing `date`: consecutive periods have consecutive
    /// numbers.
    pub fn number(self, date: NaiveDate) -> i64 {
        let day = || i64::from(date.num_days_from_ce());
        match self {
            Period::Day => day(),
            // Day 1 of the common era (0001-01-01) was a Monday.
            Period::Week => (day() - 1).div_euclid(7),
            Period::Month => i64::from(date.year()) * 12 + i64::from(date.month0()),
            Period::Quarter => i64::from(date.year()) * 4 + i64::from(date.month0() / 3),
            Period::Year => i64::from(date.year()),
        }
    }

    /// The first day of the period numbered `number` (see [`Period::number`]); `None` outside the
    /// calendar chrono supports.
    pub fn start_of_number(self, number: i64) -> Option<NaiveDate> {
        let ymd = |year: i64, month0: i64| {
            NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, u32::try_from(month0 + 1).ok()?, 1)
        };
        match self {
            Period::Day => NaiveDate::from_num_days_from_ce_opt(i32::try_from(number).ok()?),
            Period::Week => {
                NaiveDate::from_num_days_from_ce_opt(i32::try_from(number.checked_mul(7)?.checked_add(1)?).ok()?)
            }
            Period::Month => ymd(number.div_euclid(12), number.rem_euclid(12)),
            Period::Quarter => ymd(number.div_euclid(4), number.rem_euclid(4) * 3),
            Period::Year => ymd(number, 0),
        }
    }

    /// The first day of the period containing `date`.
    pub fn start_of(self, date: NaiveDate) -> NaiveDate {
        self.start_of_number(self.number(date)).unwrap_or(date)
    }

    /// Number of days in the period that starts on `start`.
    pub fn days_in(self, start: NaiveDate) -> u32 {
        let next = self.start_of_number(self.number(start) + 1);
        next.map_or(1, |next| u32::try_from((next - start).num_days()).unwrap_or(1))
    }

    /// The period of the same kind one year earlier (52 weeks for weeks).
    pub fn year_before(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Week => start.checked_sub_days(Days::new(364)),
            Period::Day => start.with_year(start.year() - 1).or_else(|| start.checked_sub_days(Days::new(365))),
            _ => start.with_year(start.year() - 1),
        }
    }

    /// How many periods make a year (365 for days, 52 for weeks).
    pub fn per_year(self) -> i64 {
        match self {
            Period::Day => 365,
            Period::Week => 52,
            Period::Month => 12,
            Period::Quarter => 4,
            Period::Year => 1,
        }
    }
}

/// One value per period number, dense from the first period given a value to the last: what
/// each node x product keeps by month (its S-P-I columns, its sell-out, the plan's demand
/// history). It grows a year of slots at a time rather than by doubling: at the articles' size
/// (600,000 pairs of three years) doubling would leave nearly half of every pair's slots empty.
///
/// ```text
/// slot(5), slot(7)  ->  slots of periods 5, 6, 7 (6 at its default); slot(3) adds 3 and 4 before
/// ```
#[derive(Debug, Clone)]
pub(crate) struct PeriodRun<T> {
    /// The period number of `slots[0]`.
    first: i64,
    slots: Vec<T>,
}

impl<T> Default for PeriodRun<T> {
    fn default() -> Self {
        PeriodRun { first: 0, slots: Vec::new() }
    }
}

impl<T: Clone + Default> PeriodRun<T> {
    /// The slot of period number `k`, the run extended to it (default values in between);
    /// `None` only for a period too far from the run to index.
    pub(crate) fn slot(&mut self, k: i64) -> Option<&mut T> {
        if self.slots.is_empty() {
            self.first = k;
        }
        if k < self.first {
            let before = usize::try_from(self.first - k).ok()?;
            self.slots.splice(0..0, std::iter::repeat_n(T::default(), before));
            self.first = k;
        }
        let at = usize::try_from(k - self.first).ok()?;
        if at >= self.slots.len() {
            if at >= self.slots.capacity() {
                self.slots.reserve_exact((at + 1 - self.slots.len()).max(12));
            }
            self.slots.resize(at + 1, T::default());
        }
        self.slots.get_mut(at)
    }
}

impl<T> PeriodRun<T> {
    /// The value of period number `k`; `None` outside the run.
    pub(crate) fn get(&self, k: i64) -> Option<&T> {
        usize::try_from(k - self.first).ok().and_then(|at| self.slots.get(at))
    }

    /// The first period number of the run; `None` when it is empty.
    pub(crate) fn first(&self) -> Option<i64> {
        (!self.slots.is_empty()).then_some(self.first)
    }

    /// The last period number of the run; `None` when it is empty.
    pub(crate) fn last(&self) -> Option<i64> {
        self.first().map(|first| first + self.slots.len() as i64 - 1)
    }

    /// Every period number of the run with its value, in order.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (i64, &T)> + '_ {
        self.slots.iter().enumerate().map(|(at, value)| (self.first + at as i64, value))
    }
}

impl FromStr for Period {
    type Err = OmoError;
    fn from_str(text: &str) -> Result<Self, OmoError> {
        match text {
            "day" | "D" => Ok(Period::Day),
            "week" | "W" | "W-MON" => Ok(Period::Week),
            "month" | "M" | "MS" => Ok(Period::Month),
            "quarter" | "Q" | "QS" => Ok(Period::Quarter),
            "year" | "Y" | "YS" => Ok(Period::Year),
            other => Err(OmoError::InvalidArgument {
                name: "period",
                message: format!("{other:?} is not one of day, week, month, quarter, year"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_period_run_reaches_back_and_forward_with_defaults_between() {
        let mut run: PeriodRun<u32> = PeriodRun::default();
        assert_eq!((run.first(), run.last(), run.get(0)), (None, None, None));
        *run.slot(5).unwrap() += 1;
        *run.slot(7).unwrap() += 2;
        *run.slot(3).unwrap() += 4;
        *run.slot(7).unwrap() += 8;
        let seen: Vec<(i64, u32)> = run.iter().map(|(k, v)| (k, *v)).collect();
        assert_eq!(seen, vec![(3, 4), (4, 0), (5, 1), (6, 0), (7, 10)]);
        assert_eq!((run.first(), run.last()), (Some(3), Some(7)));
        assert_eq!((run.get(2), run.get(6), run.get(8)), (None, Some(&0), None));
        // Room for a year more than it holds at a time, not a doubling.
        assert_eq!(run.slots.capacity(), 12);
        run.slot(15);
        assert_eq!((run.slots.len(), run.slots.capacity()), (13, 5 + 12));
    }

    #[test]
    fn starts_and_lengths() {
        assert_eq!(Period::Week.start_of(d(2025, 1, 1)), d(2024, 12, 30));
        assert_eq!(Period::Month.days_in(d(2024, 2, 1)), 29);
        assert_eq!(Period::Quarter.days_in(d(2025, 1, 1)), 90);
        assert_eq!(Period::Year.days_in(d(2024, 1, 1)), 366);
        assert_eq!(Period::Week.days_in(d(2024, 12, 30)), 7);
        assert_eq!(Period::Month.year_before(d(2024, 3, 1)), Some(d(2023, 3, 1)));
        assert!("fortnight".parse::<Period>().is_err());
    }

    proptest! {
        #[test]
        fn numbers_are_consecutive_and_round_trip(days in 0i32..200_000, which in 0usize..5) {
            let period = [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year][which];
            let date = NaiveDate::from_num_days_from_ce_opt(days + 1).unwrap();
            let start = period.start_of(date);
            prop_assert!(start <= date);
            prop_assert_eq!(period.number(start), period.number(date));
            let next = start + chrono::Days::new(u64::from(period.days_in(start)));
            prop_assert_eq!(period.number(next), period.number(date) + 1);
            prop_assert_eq!(period.start_of_number(period.number(date)), Some(start));
        }
    }
}
