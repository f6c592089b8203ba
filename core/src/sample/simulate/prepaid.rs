//! The pre-season prepaid orders of the simulated year: booked with a deposit on 10 January and
//! picked up in spring, paid first out of the deposit.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::{
    Buyer, DEPOSIT_SHARE, PRESEASON_DISCOUNT, PRESEASON_SKUS, PrepaidState, Sim, Site, decimal_to_bags, round_up,
};
use crate::error::Result;
use crate::model::{
    InvoiceId, MovementKind, Payment, PaymentAllocation, PaymentId, Pickup, PrepaidOrder, PrepaidOrderId, lines_total,
};
use crate::sample::catalog::SKUS;

impl Sim<'_> {
    /// On 10 January every distributor books a prepaid pre-season order for spring and pays a deposit.
    pub(super) fn take_prepaid_orders(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        let spring = day + 80;
        for i in 0..self.layout.distributors.len() {
            let size = self.distributor_size.get(i).copied().unwrap_or(0.0);
            let mut lines = Vec::new();
            for sku in PRESEASON_SKUS {
                let Some(k) = SKUS.iter().position(|s| s.id == sku) else { continue };
                let bags = round_up(self.expected(spring, 0, 2, k, size).ceil() as i64, 10);
                if bags > 0 {
                    if let Some(r) = self.reserved.get_mut(k) {
                        *r += bags;
                    }
                    lines.push(self.priced_line(k, bags, PRESEASON_DISCOUNT));
                }
            }
            if lines.is_empty() {
                continue;
            }
            let customer = self.account(Buyer::Distributor(i)).customer.clone();
            let total = lines_total(&lines);
            let deposit = (total * DEPOSIT_SHARE).round_dp(2);
            let order = PrepaidOrder {
                id: PrepaidOrderId::new(format!("PP-{}-{customer}", date.year()))?,
                customer: customer.clone(),
                order_date: date,
                reserve_at: self.layout.plant.clone(),
                pickup_from: NaiveDate::from_ymd_opt(date.year(), 3, 1).unwrap_or(date),
                pickup_until: NaiveDate::from_ymd_opt(date.year(), 4, 30).unwrap_or(date),
                lines,
                deposit,
                pickups: Vec::new(),
            };
            let payment_index = self.d.payments.len();
            let payment = Payment::new(
                PaymentId::new(format!("PAY-{:06}", payment_index + 1))?,
                customer,
                date,
                deposit,
                self.layout.currency.clone(),
            )?;
            self.d.payments.push(payment);
            self.prepaid.push(PrepaidState {
                order: self.d.prepaid_orders.len(),
                deposit_payment: payment_index,
                deposit_left: deposit,
                distributor: i,
            });
            self.d.prepaid_orders.push(order);
        }
        Ok(())
    }

    /// Distributors collect a third of their prepaid goods (all that is left on the last pickup),
    /// which is invoiced and paid first out of the deposit.
    pub(super) fn prepaid_pickups(&mut self, day: usize, last: bool) -> Result<()> {
        let date = self.date(day);
        for p in 0..self.prepaid.len() {
            let Some(state) = self.prepaid.get(p) else { continue };
            let (order_index, distributor) = (state.order, state.distributor);
            let Some(order) = self.d.prepaid_orders.get(order_index).cloned() else { continue };
            if order.pickup_from > date || order.pickup_until < date {
                continue;
            }
            let mut invoice_lines = Vec::new();
            let mut pickups = Vec::new();
            for line in &order.lines {
                let Some(k) = self.layout.products.iter().position(|p| p == &line.product) else { continue };
                let left = decimal_to_bags(order.reserved(&line.product));
                let wanted = if last { left } else { (decimal_to_bags(line.quantity) / 3).min(left) };
                let bags = wanted.min((*self.stock(Site::Plant, k)).max(0));
                if bags <= 0 {
                    continue;
                }
                if let Some(r) = self.reserved.get_mut(k) {
                    *r -= bags;
                }
                self.book(day, Site::Plant, k, MovementKind::Sale, bags, Some(order.id.to_string()));
                self.book(
                    day,
                    Site::Distributor(distributor),
                    k,
                    MovementKind::Receipt,
                    bags,
                    Some(order.id.to_string()),
                );
                pickups.push(Pickup { date, product: line.product.clone(), quantity: Decimal::from(bags) });
                invoice_lines.push(self.priced_line(k, bags, PRESEASON_DISCOUNT));
            }
            if invoice_lines.is_empty() {
                continue;
            }
            if let Some(o) = self.d.prepaid_orders.get_mut(order_index) {
                o.pickups.extend(pickups);
            }
            let account = self.account(Buyer::Distributor(distributor)).clone();
            let invoice = self.invoice(day, &account, None, invoice_lines)?;
            let (invoice_id, amount) = self
                .d
                .invoices
                .get(invoice)
                .map(|i| (i.id.clone(), i.amount()))
                .unwrap_or((InvoiceId::new("-")?, Decimal::ZERO));
            let Some(state) = self.prepaid.get_mut(p) else { continue };
            let from_deposit = amount.min(state.deposit_left);
            state.deposit_left -= from_deposit;
            let payment_index = state.deposit_payment;
            if from_deposit > Decimal::ZERO
                && let Some(payment) = self.d.payments.get_mut(payment_index)
            {
                payment.allocations.push(PaymentAllocation { invoice: invoice_id, amount: from_deposit });
            }
            self.schedule_payments(day, &account, invoice, amount - from_deposit);
        }
        Ok(())
    }
}
