//! The KPI history the engine keeps: every distributor's values of each closed month, computed
//! from the running totals and the stock as the month closes (and, at bulk load, for the months
//! the standard window reads), so that the scorecard of a month gone by, a KPI's series and the
//! alerts of the last twelve months are read from the engine's state instead of from its
//! records.
//!
//! A posting dated in a closed month of the open period moves that month's values again for
//! the distributor it touches (its receivables as they stood on the month's last day); a change
//! of master data (a customer moved to another node) moves the months closed after it only.

use chrono::{Days, Months, NaiveDate};

use super::{KpiChange, KpiState};
use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::error::{OmoError, Result};
use crate::kpi::{
    KpiValues, MonthValues, TRAILING_MONTHS, inputs_of_months, months_since, months_up_to, scorecard_month,
};
use crate::model::{CustomerId, NodeId};
use crate::views::KpiHistory;

/// How many months of values the engine keeps: the standard window's months, each with the
/// same month a year before.
const KEPT_MONTHS: u32 = TRAILING_MONTHS + 12;

/// The last day of the month starting `month`.
pub(super) fn month_end(month: NaiveDate) -> NaiveDate {
    month.checked_add_months(Months::new(1)).map_or(month, |d| d - Days::new(1))
}

/// The months whose values the bulk load computes when `last` is the last complete one: the
/// [`KEPT_MONTHS`] up to it, whether or not the history reaches back that far (a month before
/// the first record has values too, as the batch catalogue computes them), so that every
/// month of the standard window, now and as months close, finds its month before and its
/// last year's.
pub(super) fn warm_months(last: NaiveDate) -> Vec<NaiveDate> {
    months_up_to(last, KEPT_MONTHS)
}

impl KpiState {
    /// Every distributor's values of the month starting `month`, up to `end`, `parts.2` the
    /// credit book as it stood on `end`.
    pub(super) fn month_values(
        &mut self,
        month: NaiveDate,
        end: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> MonthValues {
        let distributors = self.distributors.clone();
        let mut out = MonthValues::new();
        for (id, node) in &distributors {
            out.insert(id.clone(), self.distributor_values((id, node.as_ref()), month, end, parts));
        }
        out
    }

    /// One distributor's values of the month starting `month`, up to `end`.
    fn distributor_values(
        &mut self,
        who: (&CustomerId, Option<&NodeId>),
        month: NaiveDate,
        end: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> KpiValues {
        let reads = self.stock_reads(who.1, (month, end), (parts.0, parts.1, parts.3));
        self.facts(who.0, (month, end), reads, parts).values()
    }

    /// Keeps the values of a closed month, and forgets those no window reads any more.
    pub(super) fn keep_month(&mut self, month: NaiveDate, values: MonthValues) {
        self.closed_values.insert(month, values);
        if let Some(oldest) = month.checked_sub_months(Months::new(KEPT_MONTHS - 1)) {
            self.closed_values = self.closed_values.split_off(&oldest);
        }
    }

    /// The first month whose values a posting can still move once the month before `next` has
    /// closed: the open period's first (its running totals are kept back to it).
    pub(super) fn first_to_keep(&self, next: NaiveDate) -> NaiveDate {
        next.checked_sub_months(Months::new(self.open_months.saturating_sub(1))).unwrap_or(next)
    }

    /// Computes again the values of `distributor` in every closed month from the one `date`
    /// falls in (a posting dated then was booked), each with its receivables as they stood on
    /// the month's last day, and steps its alerts again over them; returns the alerts whose
    /// standing moved ([`KpiState::restep_alerts`]).
    pub(crate) fn reclose(
        &mut self,
        distributor: &CustomerId,
        date: NaiveDate,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> Result<Vec<KpiChange>> {
        let from = crate::kpi::first_of_month(date);
        let mut month = from;
        let Some(closed) = self.closed_through.filter(|closed| month <= *closed) else { return Ok(Vec::new()) };
        let found = self.distributor_at.get(distributor).and_then(|&i| self.distributors.get(i));
        let Some((id, node)) = found.cloned() else { return Ok(Vec::new()) };
        while month <= closed {
            let end = month_end(month);
            let book = CreditBook::from_dataset_for(parts.0, end, parts.2.policy().clone(), &id)?;
            let values = self.distributor_values((&id, node.as_ref()), month, end, (parts.0, parts.1, &book, parts.3));
            if let Some(kept) = self.closed_values.get_mut(&month) {
                kept.insert(id.clone(), values);
            }
            let Some(next) = month.checked_add_months(Months::new(1)) else { break };
            month = next;
        }
        Ok(self.restep_alerts(&id, from))
    }

    /// The standard KPI inputs over the standard window, read from the values kept (the month
    /// to date's for a window that ends in the clock's month).
    pub(crate) fn history(&self, d: &Dataset, first: Option<NaiveDate>) -> Result<KpiHistory> {
        let last = scorecard_month(d.as_of, None);
        let months = months_up_to(last, months_since(first, last, TRAILING_MONTHS));
        let today = crate::kpi::first_of_month(d.as_of);
        let inputs = inputs_of_months(&months, |month| {
            if let Some(kept) = self.closed_values.get(&month) {
                return Ok(kept.clone());
            }
            if month == today {
                return self.month_to_date();
            }
            Err(OmoError::InvalidArgument {
                name: "month",
                message: format!(
                    "the engine keeps no KPI values of {month}: only the {KEPT_MONTHS} months up to the last closed one"
                ),
            })
        })?;
        Ok(KpiHistory { months, inputs })
    }

    /// Every distributor's values of the month to date.
    fn month_to_date(&self) -> Result<MonthValues> {
        self.values.iter().map(|(member, values)| Ok((CustomerId::new(member)?, *values))).collect()
    }
}
