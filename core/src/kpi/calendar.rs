//! The calendar of the views: months, the last complete month a scorecard shows, and the
//! standard trailing window of the customer views, RFM and alert histories — one definition for
//! the report, the dashboard and every door.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::dataset::Dataset;

/// The months of the standard trailing window: customer summaries, RFM, payers and the alert
/// history look back this far.
pub const TRAILING_MONTHS: u32 = 12;

/// The days of sales a distributor's days of cover (the standard KPI) are computed over, in the
/// batch scorecard and in the live engine alike.
pub const COVER_WINDOW_DAYS: u32 = 90;

/// The day `days` days before `day`, or the calendar's first day when that is earlier: the start
/// of a trailing window (90 days of sales, a year of invoices) that the calendar cuts short.
pub(crate) fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// The month a scorecard shows (its first day): `month`'s month when given, else the last month
/// complete on `as_of` (or `as_of`'s own month, when none is).
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::kpi::scorecard_month;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// assert_eq!(scorecard_month(d(2025, 12, 30), None), d(2025, 11, 1));
/// assert_eq!(scorecard_month(d(2025, 12, 30), Some(d(2025, 6, 17))), d(2025, 6, 1));
/// ```
pub fn scorecard_month(as_of: NaiveDate, month: Option<NaiveDate>) -> NaiveDate {
    match month {
        Some(day) => first_of_month(day),
        None => last_complete_month(as_of).unwrap_or_else(|| first_of_month(as_of)),
    }
}

/// `months` clamped to the months from the dataset's first transaction to `last_month` (both
/// included; at least one): a window reaching back before the company's history holds nothing,
/// so `months = 1_000_000` costs what the data's span costs.
///
/// ```
/// use omo_core::kpi::months_in_data;
/// use omo_core::sample::{SampleConfig, sample_company};
/// let d = sample_company(&SampleConfig::small(7))?;          // two years: 2024 and 2025
/// let last = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
/// assert_eq!(months_in_data(&d, last, 12), 12);
/// assert_eq!(months_in_data(&d, last, 1_000_000), 24);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn months_in_data(dataset: &Dataset, last_month: NaiveDate, months: u32) -> u32 {
    months_since(dataset.first_date(), last_month, months)
}

/// [`months_in_data`] of a history whose first transaction is `first` (`None`: no transaction).
pub(crate) fn months_since(first: Option<NaiveDate>, last_month: NaiveDate, months: u32) -> u32 {
    let Some(first) = first else { return months.min(1) };
    let span = (last_month.year() - first.year()) * 12 + last_month.month() as i32 - first.month() as i32 + 1;
    months.min(u32::try_from(span).unwrap_or(1).max(1))
}

/// The first day of a "last `months` months" view ending on `end` (customer summaries, RFM): the
/// same day `months` months earlier, but never before the dataset's first transaction, so that a
/// window of a million months costs what the data's span costs. One definition for every door.
///
/// ```
/// use omo_core::kpi::window_start;
/// use omo_core::sample::{SampleConfig, sample_company};
/// let d = sample_company(&SampleConfig::small(7))?;
/// let end = d.as_of;
/// assert_eq!(window_start(&d, end, 12), end.checked_sub_months(chrono::Months::new(12)).unwrap());
/// assert_eq!(window_start(&d, end, u32::MAX), d.first_date().unwrap());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn window_start(dataset: &Dataset, end: NaiveDate, months: u32) -> NaiveDate {
    window_start_since(dataset.first_date(), end, months)
}

/// [`window_start`] of a history whose first transaction is `first` (`None`: no transaction).
pub(crate) fn window_start_since(first: Option<NaiveDate>, end: NaiveDate, months: u32) -> NaiveDate {
    let start = end.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN);
    match first {
        Some(first) => start.max(first.min(end)),
        None => end,
    }
}

/// The `count` months up to and including `last` (their first days), oldest first.
pub fn months_up_to(last: NaiveDate, count: u32) -> Vec<NaiveDate> {
    let first = first_of_month(last);
    (0..count).rev().filter_map(|n| first.checked_sub_months(Months::new(n))).collect()
}

/// The first day of `day`'s month: the key of a month's KPIs.
pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day)
}

/// The first day of the last month that ended on or before `as_of`: the month a scorecard shows
/// by default.
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::kpi::last_complete_month;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// assert_eq!(last_complete_month(d(2025, 12, 31)), Some(d(2025, 12, 1)));
/// assert_eq!(last_complete_month(d(2025, 3, 30)), Some(d(2025, 2, 1)));
/// ```
pub fn last_complete_month(as_of: NaiveDate) -> Option<NaiveDate> {
    first_of_month(as_of.succ_opt()?).checked_sub_months(Months::new(1))
}

/// How far `end` (a day of the month starting `start`) is into its month: the days elapsed,
/// `end` included, and the month's days. A month-to-date KPI measures the month at this pace
/// against a whole month's plan or forecast.
///
/// A dataset's `as_of`, and the live engine's clock, is the end of its day: on a month's first
/// day one day of it has elapsed.
pub(crate) fn days_into_month(start: NaiveDate, end: NaiveDate) -> (u32, u32) {
    let days_to = |day: NaiveDate| u32::try_from((day - start).num_days() + 1).unwrap_or(0);
    let last = start.checked_add_months(Months::new(1)).map_or(start, |d| d - Days::new(1));
    (days_to(end), days_to(last))
}

#[cfg(test)]
mod tests {
    use super::days_into_month;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn the_day_itself_counts_as_elapsed() {
        assert_eq!(days_into_month(d(2025, 10, 1), d(2025, 10, 11)), (11, 31));
        assert_eq!(days_into_month(d(2025, 11, 1), d(2025, 11, 1)), (1, 30));
        assert_eq!(days_into_month(d(2025, 12, 1), d(2025, 12, 31)), (31, 31));
        assert_eq!(days_into_month(d(2024, 2, 1), d(2024, 2, 29)), (29, 29));
        assert_eq!(days_into_month(d(2025, 2, 1), d(2025, 2, 10)), (10, 28));
    }
}
