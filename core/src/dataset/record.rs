//! Transactions recorded into a dataset after its snapshot was taken: orders, payments and stock
//! movements taken offline (a salesperson's phone in a village). Each is checked with the same
//! rules as a whole dataset; a rejected record leaves the dataset exactly as it was.

use chrono::NaiveDate;

use super::{Dataset, ValidationReport};
use crate::error::{OmoError, Result};
use crate::model::{Payment, SalesOrder, StockMovement};

impl Dataset {
    /// Records a sales order. Its customer, ship-from node and products must exist and its id
    /// must be new; an order dated after `as_of` moves `as_of` to its date.
    ///
    /// ```
    /// use omo_core::model::{OrderId, SalesLine, SalesOrder};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use rust_decimal::Decimal;
    /// let mut d = sample_company(&SampleConfig::small(7))?;
    /// let (customer, node) = (d.customers[0].id.clone(), d.nodes[0].id.clone());
    /// let line = SalesLine::new(d.products[0].id.clone(), Decimal::from(2), Decimal::from(100));
    /// let day = d.as_of.succ_opt().unwrap();
    /// let order = SalesOrder::new(OrderId::new("APP-1")?, customer, day, node, vec![line])?;
    /// d.record_order(order.clone())?;
    /// assert_eq!(d.as_of, day);
    /// assert!(d.record_order(order).is_err()); // the same id twice
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn record_order(&mut self, order: SalesOrder) -> Result<()> {
        let date = order.order_date;
        self.record(date, |d| d.orders.push(order), |d| d.orders.pop().map(drop), Dataset::validate_sales)
    }

    /// Records a payment received. Its customer and the invoices it is allocated to must exist
    /// (and belong to that customer) and its id must be new; a payment dated after `as_of` moves
    /// `as_of` to its date.
    ///
    /// A payment in another currency is converted at the dataset's exchange rate of its date
    /// (see [`Dataset::convert_currencies`]), or refused with [`OmoError::CurrencyMismatch`] when
    /// there is none.
    pub fn record_payment(&mut self, payment: Payment) -> Result<()> {
        let (customer, got) = (payment.customer.to_string(), payment.currency.to_string());
        let payment = self.payment_in_company_currency(payment).ok_or_else(|| OmoError::CurrencyMismatch {
            customer,
            expected: self.currency.to_string(),
            got,
        })?;
        let date = payment.date;
        self.record(date, |d| d.payments.push(payment), |d| d.payments.pop().map(drop), Dataset::validate_sales)
    }

    /// Records a stock movement. Its node, product and counterparty must exist, and it must not
    /// take the stock of its node and product below zero on any day; a movement dated after
    /// `as_of` moves `as_of` to its date.
    pub fn record_movement(&mut self, movement: StockMovement) -> Result<()> {
        let date = movement.date;
        self.record(date, |d| d.movements.push(movement), |d| d.movements.pop().map(drop), Dataset::validate_stock)
    }

    /// Adds a record with `push`, moving `as_of` to `date` when later, and keeps it only when
    /// `check` finds nothing wrong; otherwise `pop` and the old `as_of` restore the dataset.
    fn record(
        &mut self,
        date: NaiveDate,
        push: impl FnOnce(&mut Dataset),
        pop: impl FnOnce(&mut Dataset) -> Option<()>,
        check: impl FnOnce(&Dataset) -> ValidationReport,
    ) -> Result<()> {
        let as_of = self.as_of;
        self.as_of = as_of.max(date);
        push(self);
        let report = check(self);
        if report.is_ok() {
            return Ok(());
        }
        let _ = pop(self);
        self.as_of = as_of;
        Err(OmoError::Invalid { issues: report.issues })
    }
}
