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
        let day = i64::from(date.num_days_from_ce());
        match self {
            Period::Day => day,
            // Day 1 of the common era (0001-01-01) was a Monday.
            Period::Week => (day - 1).div_euclid(7),
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

/// Makes room in a vector of months kept per node x product for `len` of them, a year at a time
/// rather than by doubling: at the articles' size (600,000 pairs of three years) doubling would
/// leave nearly half of every pair's slots empty.
pub(crate) fn reserve_months<T>(months: &mut Vec<T>, len: usize) {
    if len > months.capacity() {
        months.reserve_exact((len - months.len()).max(12));
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
