//! A customer's position in the credit book: its exposure by category, from its order pipeline
//! and its receivables and overdue amounts on a day (kept current for the business day).

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::check::CheckMode;
use super::{CreditBook, Entry, Position};
use crate::credit::policy::{CreditPolicy, ExposureKind};
use crate::credit::receivables::Receivables;
use crate::model::CustomerId;

/// A customer's exposure by category; every amount is zero or positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Exposure {
    /// Sales orders not yet shipped.
    pub open_orders: Decimal,
    /// Shipped, not yet invoiced.
    pub shipped_not_invoiced: Decimal,
    /// Invoices not yet due.
    pub receivables_not_due: Decimal,
    /// Invoices past due.
    pub receivables_overdue: Decimal,
    /// Money held for the customer (unapplied payments, deposits, unapplied credit).
    pub prepayments: Decimal,
}

impl Exposure {
    /// The amount of one category.
    pub fn get(&self, kind: ExposureKind) -> Decimal {
        match kind {
            ExposureKind::OpenOrders => self.open_orders,
            ExposureKind::ShippedNotInvoiced => self.shipped_not_invoiced,
            ExposureKind::ReceivablesNotDue => self.receivables_not_due,
            ExposureKind::ReceivablesOverdue => self.receivables_overdue,
            ExposureKind::Prepayments => self.prepayments,
        }
    }

    /// Sum of the included categories, before money held: never negative.
    pub fn gross(&self, policy: &CreditPolicy) -> Decimal {
        ExposureKind::ALL
            .iter()
            .filter(|k| **k != ExposureKind::Prepayments && policy.rule(**k).include)
            .fold(Decimal::ZERO, |sum, k| sum.saturating_add(self.get(*k)))
    }

    /// Gross exposure less money held, when the policy nets it: negative when the customer has
    /// paid ahead of what it owes.
    pub fn net(&self, policy: &CreditPolicy) -> Decimal {
        if policy.net_prepayments { self.gross(policy).saturating_sub(self.prepayments) } else { self.gross(policy) }
    }

    /// Adds another exposure (a group member's); saturates rather than overflowing on amounts
    /// no validated dataset holds.
    pub(super) fn add(&mut self, other: &Exposure) {
        self.open_orders = self.open_orders.saturating_add(other.open_orders);
        self.shipped_not_invoiced = self.shipped_not_invoiced.saturating_add(other.shipped_not_invoiced);
        self.receivables_not_due = self.receivables_not_due.saturating_add(other.receivables_not_due);
        self.receivables_overdue = self.receivables_overdue.saturating_add(other.receivables_overdue);
        self.prepayments = self.prepayments.saturating_add(other.prepayments);
    }
}

impl CreditBook {
    /// Copies a customer's receivables on the business day into its entry.
    pub(super) fn refresh_position(&mut self, customer: &CustomerId) {
        let Some(day) = self.business_day else { return };
        if let Some(entry) = self.accounts.get_mut(customer.as_str()) {
            entry.position = Some(position_of(&self.receivables, customer, day, &self.overdue_thresholds));
        }
    }

    /// A customer's own exposure on `date`.
    pub fn exposure(&self, customer: &CustomerId, date: NaiveDate, mode: CheckMode) -> Exposure {
        self.exposure_of(self.accounts.get(customer.as_str()), customer, date, mode, &[]).0
    }

    /// A customer's exposure (with its order pipeline) and its overdue summary for `thresholds`.
    pub(super) fn exposure_of(
        &self,
        entry: Option<&Entry>,
        customer: &CustomerId,
        date: NaiveDate,
        mode: CheckMode,
        thresholds: &[u32],
    ) -> (Exposure, Position) {
        let pipeline = entry.map(|e| &e.pipeline);
        let (open_orders, shipped_not_invoiced) = match (mode, pipeline) {
            (_, None) => (Decimal::ZERO, Decimal::ZERO),
            (CheckMode::Static, Some(p)) => (p.open_orders, p.shipped_not_invoiced),
            (CheckMode::Dynamic { horizon_days }, Some(p)) => {
                // Within the horizon: the open and shipped amounts expected by then, split as the
                // totals are (shipped first: it is nearer to invoicing).
                let due: Decimal = p
                    .by_date
                    .range(..=date.checked_add_days(Days::new(u64::from(horizon_days))).unwrap_or(NaiveDate::MAX))
                    .map(|(_, a)| *a)
                    .sum();
                let shipped = due.min(p.shipped_not_invoiced);
                (due - shipped, shipped)
            }
        };
        let kept = entry
            .and_then(|e| e.position)
            .filter(|p| p.day == date && thresholds == self.overdue_thresholds.as_slice());
        let position = kept.unwrap_or_else(|| {
            let (receivable, unapplied, summary) = self.receivables.position(customer, date, thresholds);
            let mut beyond = [Decimal::ZERO; 2];
            for (slot, amount) in beyond.iter_mut().zip(&summary.beyond) {
                *slot = *amount;
            }
            Position {
                day: date,
                receivable,
                unapplied,
                overdue: summary.overdue,
                beyond,
                oldest_days: summary.oldest_days,
            }
        });
        let exposure = Exposure {
            open_orders,
            shipped_not_invoiced,
            receivables_not_due: position.receivable - position.overdue,
            receivables_overdue: position.overdue,
            prepayments: position.unapplied,
        };
        (exposure, position)
    }
}

/// A customer's receivables on `day`, with its overdue amounts beyond each of `thresholds` (at
/// most two), as its entry keeps them.
pub(super) fn position_of(
    receivables: &Receivables,
    customer: &CustomerId,
    day: NaiveDate,
    thresholds: &[u32],
) -> Position {
    let (receivable, unapplied, summary) = receivables.position(customer, day, thresholds);
    let mut beyond = [Decimal::ZERO; 2];
    for (slot, amount) in beyond.iter_mut().zip(&summary.beyond) {
        *slot = *amount;
    }
    Position { day, receivable, unapplied, overdue: summary.overdue, beyond, oldest_days: summary.oldest_days }
}
