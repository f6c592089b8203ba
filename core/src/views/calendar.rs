//! The windows the views read: a period of days, the trailing month of the credit checks, the
//! last complete month and quarter. One definition for every door.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::kpi::{first_of_month, last_complete_month, window_start};

/// A period of days, both ends included.
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::views::Window;
/// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
/// let june = Window::new(d(6, 1), d(6, 30))?;
/// assert!(june.contains(d(6, 30)) && !june.contains(d(7, 1)));
/// assert!(Window::new(d(7, 1), d(6, 1)).is_err());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Window {
    /// The days from `from` to `to`; a window that ends before it starts is an
    /// [`OmoError::InvalidArgument`].
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        if to < from {
            return Err(OmoError::InvalidArgument {
                name: "window",
                message: format!("ends {to} before it starts {from}"),
            });
        }
        Ok(Window { from, to })
    }

    /// The days from `from` to `to`, either end open when `None` (to the first or the last day a
    /// date can name).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::views::Window;
    /// let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    /// let after = Window::between(Some(day), None)?;
    /// assert!(after.contains(NaiveDate::from_ymd_opt(9999, 1, 1).unwrap()) && !after.contains(day.pred_opt().unwrap()));
    /// assert!(Window::between(Some(day), day.pred_opt()).is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Window::new`].
    pub fn between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Self> {
        Window::new(from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX))
    }

    /// Whether `day` falls in the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// The whole month `day` falls in.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::views::Window;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    /// assert_eq!(Window::month_of(d(2, 10)), Window { from: d(2, 1), to: d(2, 29) });
    /// ```
    pub fn month_of(day: NaiveDate) -> Self {
        let from = first_of_month(day);
        let to = from.checked_add_months(Months::new(1)).and_then(|next| next.pred_opt()).unwrap_or(day);
        Window { from, to }
    }

    /// The month up to `as_of`: from the same day a month earlier to `as_of` (the window of the
    /// orders a credit check would have blocked).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::views::Window;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
    /// assert_eq!(Window::trailing_month(d(3, 31)), Window { from: d(2, 28), to: d(3, 31) });
    /// ```
    pub fn trailing_month(as_of: NaiveDate) -> Self {
        Window { from: as_of.checked_sub_months(Months::new(1)).unwrap_or(as_of), to: as_of }
    }

    /// The last month complete on `as_of` (`as_of`'s own month when none is): the default
    /// window of the team's performance.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::views::Window;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
    /// assert_eq!(Window::last_complete_month(d(3, 30)), Window { from: d(2, 1), to: d(2, 28) });
    /// assert_eq!(Window::last_complete_month(d(3, 31)), Window { from: d(3, 1), to: d(3, 31) });
    /// ```
    pub fn last_complete_month(as_of: NaiveDate) -> Self {
        Window::month_of(last_complete_month(as_of).unwrap_or(as_of))
    }

    /// The `months` months up to `end`: from the same day `months` months earlier, but never
    /// before the company's first transaction (see [`crate::kpi::window_start`]), to `end`.
    ///
    /// ```
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Window;
    /// let d = sample_company(&SampleConfig::small(7))?;
    /// let year = Window::trailing(&d, d.as_of, 12);
    /// assert_eq!((year.from.to_string(), year.to.to_string()), ("2024-12-31".to_owned(), "2025-12-31".to_owned()));
    /// assert_eq!(Window::trailing(&d, d.as_of, u32::MAX).from, d.first_date().unwrap());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn trailing(dataset: &Dataset, end: NaiveDate, months: u32) -> Self {
        Window { from: window_start(dataset, end, months), to: end }
    }

    /// The last quarter that ended on or before `as_of` (the sales pivot's window).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::views::Window;
    /// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    /// assert_eq!(Window::last_complete_quarter(d(2025, 12, 31)), Window { from: d(2025, 10, 1), to: d(2025, 12, 31) });
    /// assert_eq!(Window::last_complete_quarter(d(2011, 12, 9)), Window { from: d(2011, 7, 1), to: d(2011, 9, 30) });
    /// assert_eq!(Window::last_complete_quarter(d(2024, 3, 30)), Window { from: d(2023, 10, 1), to: d(2023, 12, 31) });
    /// ```
    pub fn last_complete_quarter(as_of: NaiveDate) -> Self {
        let end_exclusive = quarter_start(as_of.succ_opt().unwrap_or(as_of));
        let from = end_exclusive.checked_sub_months(Months::new(3)).unwrap_or(end_exclusive);
        Window { from, to: end_exclusive.pred_opt().unwrap_or(end_exclusive) }
    }
}

/// The first day of the quarter `day` falls in.
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::views::quarter_start;
/// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
/// assert_eq!(quarter_start(d(5, 17)), d(4, 1));
/// assert_eq!(quarter_start(d(4, 1)), d(4, 1));
/// ```
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day)
}
