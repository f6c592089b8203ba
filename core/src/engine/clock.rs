//! The engine's clock: time passing ([`Engine::advance_to`]), the day close (the book's business
//! day, the open period, month-to-date KPIs) and the month close (the alerts stepped with the
//! month's final values, the plan's alerts), and the changes they report.

use chrono::{Months, NaiveDate};

use super::Engine;
use super::change::{self, Change, ChangeKind};
use super::kpis::KpiChange;
use super::views::EngineFacts;
use crate::error::Result;
use crate::kpi::first_of_month;
use crate::model::CustomerId;
use crate::spi::Period;

impl Engine {
    /// Lets time pass to the end of `date`: the day and month close (overdue days, the open
    /// period). A date before the clock changes nothing. Returns the changes.
    pub fn advance_to(&mut self, date: NaiveDate) -> Result<Vec<Change>> {
        let mut changes = self.close_months(date, self.seq);
        if self.move_clock(date) {
            changes.extend(self.light_changes(self.seq, date));
        }
        self.deliver(&changes);
        Ok(changes)
    }

    /// Moves the clock to `date` when it is later: the book's business day, the open period,
    /// and every distributor's month-to-date KPIs (windows and ages moved). True when it moved.
    pub(super) fn move_clock(&mut self, date: NaiveDate) -> bool {
        if date <= self.dataset.as_of {
            return false;
        }
        let before = self.open_from();
        self.dataset.as_mut_unchecked().as_of = date;
        self.book.set_business_day(date);
        let after = self.open_from();
        if after > before {
            self.stock.close_before(after, date);
            self.fold_closed_records(after);
        }
        self.kpis.recompute_all(&self.dataset, &self.stock, &self.book, &self.index);
        true
    }

    /// Closes every month not closed yet that ends on or before `day` (a month is complete once
    /// its last day is over): each distributor's alerts step with the month's final values.
    /// Returns the transitions. An event dated in a new month closes the months before it; time
    /// passing to a month's last day ([`Engine::advance_to`]) closes that month.
    pub(super) fn close_months(&mut self, day: NaiveDate, seq: u64) -> Vec<Change> {
        let mut changes = Vec::new();
        while let Some(month) = self.kpis.next_to_close(day) {
            let parts = (&*self.dataset, &self.stock, &self.book, &self.index);
            for change in self.kpis.close_month(month, parts) {
                changes.push(self.kpi_change(seq, change));
            }
            if self.options.plan_alerts {
                let facts =
                    EngineFacts { stock: &self.stock, sell_out: &self.sell_out, count_books: &self.count_books };
                for change in self.plan_alerts.close_month(&self.dataset, &facts, month) {
                    changes.push(self.kpi_change(seq, change));
                }
            }
        }
        changes
    }

    /// The lights that changed since they were last reported, as changes of `date`.
    pub(super) fn light_changes(&mut self, seq: u64, date: NaiveDate) -> Vec<Change> {
        let found = self.kpis.light_changes();
        found.into_iter().map(|c| Change { date, ..self.kpi_change(seq, c) }).collect()
    }

    /// A KPI change as the engine reports it, with what to do about an alert.
    pub(super) fn kpi_change(&self, seq: u64, change: KpiChange) -> Change {
        match change {
            KpiChange::Light { kpi, member, from, to, value } => {
                Change { seq, date: self.dataset.as_of, what: ChangeKind::Light { kpi, member, from, to, value } }
            }
            KpiChange::Alert { kpi, member, month, kind, light, value, threshold } => {
                let target = self.kpis.target(&kpi);
                let action_code = change::action_code(&kpi, value, target);
                let invoices =
                    if action_code == "chase_invoices" { self.overdue_invoices(&member) } else { Vec::new() };
                let (from, to) = match kind {
                    crate::kpi::AlertEventKind::Raised => ("normal".to_owned(), "firing".to_owned()),
                    crate::kpi::AlertEventKind::Escalated => ("yellow".to_owned(), "red".to_owned()),
                    crate::kpi::AlertEventKind::Resolved => ("firing".to_owned(), "normal".to_owned()),
                };
                let end = month.checked_add_months(Months::new(1)).map_or(month, |d| d - chrono::Days::new(1));
                let what = ChangeKind::Alert {
                    kpi,
                    member,
                    month,
                    kind,
                    from,
                    to,
                    light,
                    value,
                    threshold,
                    action_code: action_code.to_owned(),
                    invoices,
                };
                Change { seq, date: end, what }
            }
        }
    }

    /// A customer's invoices past due today, oldest due first.
    fn overdue_invoices(&self, customer: &str) -> Vec<String> {
        let Ok(id) = CustomerId::new(customer) else { return Vec::new() };
        let today = self.dataset.as_of;
        self.book
            .receivables()
            .open_items(&id)
            .into_iter()
            .filter(|item| item.due_date < today)
            .map(|item| item.invoice.to_string())
            .collect()
    }
}

/// The first open day when the clock reads `as_of` and `months` months are open.
pub(super) fn open_from(as_of: NaiveDate, months: u32) -> NaiveDate {
    // Asked at every event: months counted by number, not by calendar arithmetic.
    let first = Period::Month.number(as_of) - i64::from(months.saturating_sub(1));
    Period::Month.start_of_number(first).unwrap_or_else(|| first_of_month(as_of))
}
