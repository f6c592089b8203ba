//! The invoices and payments of the simulated year: an invoice per delivery or pickup, and the
//! payments each payer's habit schedules.

use chrono::Days;
use rust_decimal::Decimal;

use super::{Event, Sim};
use crate::error::Result;
use crate::model::{Invoice, InvoiceId, OrderId, Payment, PaymentAllocation, PaymentId, SalesLine};
use crate::sample::demand::Draws;
use crate::sample::master::{Account, PayHabit};

impl Sim<'_> {
    pub(super) fn invoice(
        &mut self,
        day: usize,
        account: &Account,
        order: Option<OrderId>,
        lines: Vec<SalesLine>,
    ) -> Result<usize> {
        let date = self.date(day);
        let index = self.d.invoices.len();
        let due = date.checked_add_days(Days::new(account.terms_days)).unwrap_or(date);
        let mut invoice = Invoice::new(
            InvoiceId::new(format!("INV-{:06}", index + 1))?,
            account.customer.clone(),
            date,
            due,
            self.layout.currency.clone(),
            lines,
        )?;
        invoice.order = order;
        self.d.invoices.push(invoice);
        Ok(index)
    }

    /// Schedules the payment(s) of `amount` against an invoice according to the payer's habit.
    pub(super) fn schedule_payments(&mut self, day: usize, account: &Account, invoice: usize, amount: Decimal) {
        if amount <= Decimal::ZERO {
            return;
        }
        let due = day + account.terms_days as usize;
        let late =
            |draws: &mut Draws, low: i64, high: i64| (due as i64 + draws.between(low, high)).max(day as i64) as usize;
        match account.habit {
            PayHabit::InParts => {
                let first = (amount * Decimal::new(60, 2)).round_dp(2);
                let (d1, d2) = (late(self.draws, 2, 8), late(self.draws, 40, 60));
                self.schedule(d1, Event::Pay { invoice, amount: first });
                self.schedule(d2, Event::Pay { invoice, amount: amount - first });
            }
            habit => {
                let (low, high) = match habit {
                    PayHabit::Punctual => (-5, 0),
                    PayHabit::SlightlyLate => (3, 20),
                    PayHabit::ChronicallyLate => (30, 75),
                    PayHabit::Bureaucratic | PayHabit::InParts => (60, 120),
                };
                let when = late(self.draws, low, high);
                self.schedule(when, Event::Pay { invoice, amount });
            }
        }
    }

    pub(super) fn pay(&mut self, day: usize, invoice: usize, amount: Decimal) -> Result<()> {
        let Some(target) = self.d.invoices.get(invoice) else { return Ok(()) };
        let (customer, invoice_id) = (target.customer.clone(), target.id.clone());
        let index = self.d.payments.len();
        let mut payment = Payment::new(
            PaymentId::new(format!("PAY-{:06}", index + 1))?,
            customer,
            self.date(day),
            amount,
            self.layout.currency.clone(),
        )?;
        payment.allocations.push(PaymentAllocation { invoice: invoice_id, amount });
        self.d.payments.push(payment);
        Ok(())
    }
}
