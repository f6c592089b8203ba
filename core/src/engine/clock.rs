//! The engine's clock: time passing ([`Engine::advance_to`]), the day close (the book's business
//! day, the open period, month-to-date KPIs) and the month close (the alerts stepped with the
//! month's final values, the plan's alerts), and the changes they report.

use chrono::{Months, NaiveDate};

use super::Engine;
use super::change::{self, Change, ChangeKind, Reorder};
use super::kpis::KpiChange;
use super::views::EngineFacts;
use crate::error::Result;
use crate::forecast::Method;
use crate::kpi::{AlertEventKind, first_of_month};
use crate::model::{CustomerId, NodeId};
use crate::spi::{DemandBasis, Period, PlanSettings};
use rust_decimal::Decimal;

impl Engine {
    /// Lets time pass to the end of `date`: the day and month close (overdue days, the open
    /// period). A date before the clock changes nothing. Returns the changes.
    pub fn advance_to(&mut self, date: NaiveDate) -> Result<Vec<Change>> {
        let mut changes = Vec::new();
        self.close_months(date, date, self.seq, &mut changes);
        if self.move_clock(date) {
            let mut run = super::Unsettled::default();
            run.add(&[], true, (self.seq, date));
            changes.extend(self.settle(&mut run));
        }
        self.deliver(&changes);
        Ok(changes)
    }

    /// Moves the clock to `date` when it is later: the book's business day and the open period.
    /// True when it moved: then every distributor's month-to-date KPIs are to be computed again
    /// (windows and ages moved), which [`Engine::settle`] does.
    pub(super) fn move_clock(&mut self, date: NaiveDate) -> bool {
        if date <= self.dataset.as_of {
            return false;
        }
        let before = self.open_from;
        self.dataset.as_mut_unchecked().as_of = date;
        self.book.set_business_day(date);
        let after = open_from(date, self.options.open_months);
        self.open_from = after;
        if after > before {
            self.stock.close_before(after, date);
            self.fold_closed_records(after);
        }
        true
    }

    /// Closes every month not closed yet that ends on or before `day` (a month is complete once
    /// its last day is over): each distributor's alerts step with the month's final values.
    /// Adds the transitions to `changes`. An event dated in a new month closes the months before
    /// it; time passing to a month's last day ([`Engine::advance_to`]) closes that month.
    /// `clock` is the day the clock moves to: what a closed month keeps for postings follows
    /// its open period (on a month's last day, that month is still open).
    pub(super) fn close_months(&mut self, day: NaiveDate, clock: NaiveDate, seq: u64, changes: &mut Vec<Change>) {
        let clock = clock.max(self.dataset.as_of);
        while let Some(month) = self.kpis.next_to_close(day) {
            let parts = (&*self.dataset, &self.stock, &self.book, &self.index);
            for change in self.kpis.close_month(month, clock, parts) {
                changes.push(self.kpi_change(seq, change));
            }
            if self.options.plan_alerts {
                let facts = EngineFacts {
                    stock: &self.stock,
                    sell_out: &self.sell_out,
                    count_books: &self.count_books,
                    open_orders: self.index.open_order_facts(),
                };
                for change in self.plan_alerts.close_month(&self.dataset, &facts, month) {
                    changes.push(self.kpi_change(seq, change));
                }
            }
        }
    }

    /// The lights that changed since they were last reported, as changes of `date`.
    pub(super) fn light_changes(&mut self, seq: u64, date: NaiveDate) -> Vec<Change> {
        let found = self.kpis.light_changes();
        found.into_iter().map(|c| Change { date, ..self.kpi_change(seq, c) }).collect()
    }

    /// A KPI change as the engine reports it, with what to do about an alert.
    pub(super) fn kpi_change(&self, seq: u64, change: KpiChange) -> Change {
        match change {
            KpiChange::Light { kpi, member, from, to, value, red_below } => {
                let what = ChangeKind::Light { kpi, member, from, to, value, red_below };
                Change { seq, date: self.dataset.as_of, what }
            }
            KpiChange::Alert { kpi, member, month, kind, light, value, threshold } => {
                let target = self.kpis.target(&kpi);
                let action_code = change::action_code(&kpi, value, target);
                let (invoices, hold_above, reorders) = self.to_act_on(action_code, &member, kind);
                let (from, to) = match kind {
                    AlertEventKind::Raised => ("normal".to_owned(), "firing".to_owned()),
                    AlertEventKind::Escalated => ("yellow".to_owned(), "red".to_owned()),
                    AlertEventKind::Resolved => ("firing".to_owned(), "normal".to_owned()),
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
                    hold_above,
                    reorders,
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

    /// What an alert with `code` of `member` carries to act on: the overdue invoices to chase,
    /// the credit left above which to hold orders, the lines to reorder (the last two only for
    /// an alert raised or escalated: a resolved one has nothing to do).
    fn to_act_on(
        &self,
        code: &str,
        member: &str,
        kind: AlertEventKind,
    ) -> (Vec<String>, Option<Decimal>, Vec<Reorder>) {
        let chase = code == "chase_invoices";
        let invoices = if chase { self.overdue_invoices(member) } else { Vec::new() };
        let acting = kind != AlertEventKind::Resolved;
        let hold_above = if chase && acting { self.credit_left(member) } else { None };
        let reorders = match code {
            "reorder" if acting => self.reorders_of_customer(member),
            "reorder_now" if acting => NodeId::new(member).map(|node| self.reorders_at(&node)).unwrap_or_default(),
            _ => Vec::new(),
        };
        (invoices, hold_above, reorders)
    }

    /// A customer's credit left today (its limit less its exposure, zero when it is over), where
    /// it has an account.
    fn credit_left(&self, customer: &str) -> Option<Decimal> {
        let id = CustomerId::new(customer).ok()?;
        self.book.credit_position(&id, self.dataset.as_of).ok().map(|check| check.available.max(Decimal::ZERO))
    }

    /// What to reorder today at a customer's node (see [`Engine::reorders_at`]).
    fn reorders_of_customer(&self, customer: &str) -> Vec<Reorder> {
        // Through the index: `Dataset::customer` walks every customer.
        let row = CustomerId::new(customer).ok().and_then(|id| self.index.customers.get(&id).copied());
        let node = row.and_then(|i| self.dataset.customers.get(i)?.node.clone());
        node.map(|node| self.reorders_at(&node)).unwrap_or_default()
    }

    /// The engine's suggested orders at `node` with something to order, largest value first: what
    /// an alert to reorder names. Their demand is forecast by seasonal naive (the forecast the
    /// forecast-error KPI measures; [`reorder_settings`]), so that a month close fits no model per
    /// product. None when the suggestion cannot be made (the alert still fires).
    fn reorders_at(&self, node: &NodeId) -> Vec<Reorder> {
        let settings = reorder_settings(self.dataset.as_of);
        let Ok(orders) = self.views().suggested_orders(Some(node), Some(settings)) else { return Vec::new() };
        orders
            .rows
            .into_iter()
            .filter(|row| row.order.quantity > Decimal::ZERO)
            .map(|row| Reorder { node: row.order.node, product: row.order.product, quantity: row.order.quantity })
            .collect()
    }
}

/// The settings of the suggested orders an alert to reorder names on `as_of`: the defaults
/// ([`PlanSettings::new`]) with the demand forecast by seasonal naive.
///
/// ```
/// use omo_core::engine::reorder_settings;
/// use omo_core::forecast::Method;
/// use omo_core::spi::DemandBasis;
/// let settings = reorder_settings(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default());
/// assert_eq!(settings.demand, DemandBasis::Forecast { method: Method::SeasonalNaive });
/// assert_eq!(settings.service_level, 0.95);
/// ```
pub fn reorder_settings(as_of: NaiveDate) -> PlanSettings {
    PlanSettings { demand: DemandBasis::Forecast { method: Method::SeasonalNaive }, ..PlanSettings::new(as_of) }
}

/// The first open day when the clock reads `as_of` and `months` months are open.
pub(super) fn open_from(as_of: NaiveDate, months: u32) -> NaiveDate {
    // Asked at every event: months counted by number, not by calendar arithmetic.
    let first = Period::Month.number(as_of) - i64::from(months.saturating_sub(1));
    Period::Month.start_of_number(first).unwrap_or_else(|| first_of_month(as_of))
}
