//! What is posted to the credit book: orders booked, shipped and closed, invoices and payments,
//! and the book of a whole dataset built from them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

use std::borrow::Cow;

use super::{CreditBook, OrderLine};
use crate::credit::Receivables;
use crate::credit::policy::CreditPolicy;
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{Check, CustomerId, Invoice, InvoiceId, MAX_AMOUNT, OrderId, OrderStatus, Payment};

/// The largest order the book takes: an order's lines hold at most [`crate::model::MAX_QUANTITY`]
/// units at [`crate::model::MAX_UNIT_PRICE`] each, 10^18 a line: 10^21 is a thousand such lines,
/// and sums over millions of orders still fit a Decimal.
const MAX_ORDER_AMOUNT: Decimal = Decimal::from_parts(3_735_027_712, 902_409_669, 54, false, 0);

impl CreditBook {
    /// Books an order: its amount is open until shipped. `expected` is its requested delivery date.
    pub fn book_order(
        &mut self,
        order: OrderId,
        customer: &CustomerId,
        amount: Decimal,
        expected: NaiveDate,
    ) -> Result<()> {
        self.known(customer)?;
        if amount < Decimal::ZERO || amount > MAX_ORDER_AMOUNT {
            return Err(OmoError::InvalidArgument {
                name: "amount",
                message: format!("order {order} has an amount {amount} below zero or above {MAX_ORDER_AMOUNT}"),
            });
        }
        if self.orders.contains_key(&order) {
            return Err(OmoError::DuplicateId { kind: "order", id: order.to_string() });
        }
        let Some(pipeline) = self.accounts.get_mut(customer.as_str()).map(|e| &mut e.pipeline) else {
            return Err(OmoError::UnknownCreditAccount { customer: customer.to_string() });
        };
        pipeline.open_orders += amount;
        *pipeline.by_date.entry(expected).or_default() += amount;
        self.orders.insert(
            order,
            OrderLine { customer: customer.clone(), expected, open: amount, shipped_not_invoiced: Decimal::ZERO },
        );
        Ok(())
    }

    /// Ships part of an order: that much moves from open orders to shipped-not-invoiced.
    pub fn ship(&mut self, order: &OrderId, amount: Decimal) -> Result<()> {
        let line =
            self.orders.get_mut(order).ok_or_else(|| OmoError::UnknownId { kind: "order", id: order.to_string() })?;
        let moved = amount.max(Decimal::ZERO).min(line.open);
        line.open -= moved;
        line.shipped_not_invoiced += moved;
        if let Some(p) = self.accounts.get_mut(line.customer.as_str()).map(|e| &mut e.pipeline) {
            p.open_orders -= moved;
            p.shipped_not_invoiced += moved;
        }
        Ok(())
    }

    /// Takes an order out of the pipeline (cancelled, or invoiced): what was still open, or
    /// shipped and not invoiced, no longer counts. An order the book does not hold is left alone.
    ///
    /// ```
    /// use omo_core::credit::{CheckMode, CreditAccount, CreditBook, CreditPolicy};
    /// use omo_core::model::{Currency, CustomerId, OrderId};
    /// use rust_decimal::Decimal;
    /// let (cny, day) = (Currency::new("CNY")?, chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
    /// let d01 = CustomerId::new("D-01")?;
    /// let mut book = CreditBook::new(cny.clone(), CreditPolicy::default());
    /// book.open_account(CreditAccount::new(d01.clone(), Decimal::from(100_000), 30, cny)?)?;
    /// book.book_order(OrderId::new("SO-1")?, &d01, Decimal::from(70_000), day)?;
    /// book.close_order(&OrderId::new("SO-1")?);
    /// assert_eq!(book.exposure(&d01, day, CheckMode::Static).open_orders, Decimal::ZERO);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn close_order(&mut self, order: &OrderId) {
        let Some(line) = self.orders.remove(order) else { return };
        if let Some(p) = self.accounts.get_mut(line.customer.as_str()).map(|e| &mut e.pipeline) {
            p.open_orders -= line.open;
            p.shipped_not_invoiced -= line.shipped_not_invoiced;
            if let Some(slot) = p.by_date.get_mut(&line.expected) {
                *slot -= line.open + line.shipped_not_invoiced;
                if slot.is_zero() {
                    p.by_date.remove(&line.expected);
                }
            }
        }
    }

    /// True when the book holds `order` in its pipeline.
    pub fn holds_order(&self, order: &OrderId) -> bool {
        self.orders.contains_key(order)
    }

    /// Posts an invoice or credit note; an invoice of a booked order first clears what was
    /// shipped and not invoiced, then what was open, of that order.
    pub fn post_invoice(&mut self, invoice: &Invoice) -> Result<()> {
        self.known(&invoice.customer)?;
        // Fields in their bounds (quantities, prices, discounts) before any amount is formed.
        invoice.check()?;
        self.receivables.post_invoice(invoice)?;
        self.refresh_position(&invoice.customer);
        if invoice.kind == crate::model::InvoiceKind::Invoice
            && let Some(order) = &invoice.order
            && let Some(line) = self.orders.get_mut(order)
        {
            let mut left = invoice.amount();
            let from_shipped = left.min(line.shipped_not_invoiced);
            line.shipped_not_invoiced -= from_shipped;
            left -= from_shipped;
            let from_open = left.min(line.open);
            line.open -= from_open;
            if let Some(p) = self.accounts.get_mut(line.customer.as_str()).map(|e| &mut e.pipeline) {
                p.shipped_not_invoiced -= from_shipped;
                p.open_orders -= from_open;
                if let Some(slot) = p.by_date.get_mut(&line.expected) {
                    *slot -= from_shipped + from_open;
                    if slot.is_zero() {
                        p.by_date.remove(&line.expected);
                    }
                }
            }
        }
        Ok(())
    }

    /// Posts a payment (see [`Receivables::post_payment`] for how it is applied).
    ///
    /// [`Receivables::post_payment`]: crate::credit::Receivables::post_payment
    pub fn post_payment(&mut self, payment: &Payment) -> Result<()> {
        self.known(&payment.customer)?;
        // Amounts in their bounds before they are summed (the record's own check sums them).
        if let Some(amount) = std::iter::once(payment.amount)
            .chain(payment.allocations.iter().map(|a| a.amount))
            .find(|a| a.abs() > MAX_AMOUNT)
        {
            return Err(OmoError::InvalidArgument {
                name: "amount",
                message: format!("payment {}: amount {amount} is above {MAX_AMOUNT}", payment.id),
            });
        }
        payment.check()?;
        self.receivables.post_payment(payment)?;
        self.refresh_position(&payment.customer);
        Ok(())
    }

    /// The book of a dataset on `as_of`: its credit accounts, open and shipped orders, and the
    /// invoices and payments dated up to then (all invoices first, then payments, each in date
    /// order, so a payment can settle any invoice it names; each payment as it stood on `as_of`,
    /// without its allocations to invoices issued later: [`Payment::as_it_stood_on`]).
    pub fn from_dataset(dataset: &Dataset, as_of: NaiveDate, policy: CreditPolicy) -> Result<Self> {
        CreditBook::from_dataset_where(dataset, as_of, policy, |_| true)
    }

    /// [`CreditBook::from_dataset`] with one customer's account only: the same position for
    /// it, at the cost of reading its records alone (the live engine's KPIs of a month gone
    /// by read a distributor's receivables as they stood on the month's last day).
    ///
    /// ```
    /// use omo_core::credit::{CreditBook, CreditPolicy};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(3))?;
    /// let customer = company.credit_accounts[0].customer.clone();
    /// let whole = CreditBook::from_dataset(&company, company.as_of, CreditPolicy::default())?;
    /// let one = CreditBook::from_dataset_for(&company, company.as_of, CreditPolicy::default(), &customer)?;
    /// assert_eq!(one.receivables().receivable(&customer), whole.receivables().receivable(&customer));
    /// assert_eq!(one.receivables().customers(), [&customer]);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn from_dataset_for(
        dataset: &Dataset,
        as_of: NaiveDate,
        policy: CreditPolicy,
        customer: &CustomerId,
    ) -> Result<Self> {
        CreditBook::from_dataset_where(dataset, as_of, policy, |c| c == customer)
    }

    /// Posts `customer`'s receivables again from its `invoices` and `payments` (all of them:
    /// those dated after `as_of` are left out), as [`CreditBook::from_dataset`] posts them on
    /// `as_of`: its open invoices, unapplied cash and settlements become the batch book's on
    /// the same records. The live engine calls it where a posting in arrival order could leave
    /// something else (money applied oldest first, then an invoice due earlier; a payment
    /// allocated after it was booked). Costs the customer's own records, nothing else's.
    ///
    /// ```
    /// use omo_core::credit::{CreditBook, CreditPolicy};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(3))?;
    /// let customer = company.credit_accounts[0].customer.clone();
    /// let mut book = CreditBook::from_dataset(&company, company.as_of, CreditPolicy::default())?;
    /// let before = book.credit_position(&customer, company.as_of)?;
    /// let invoices = company.invoices.iter().filter(|i| i.customer == customer);
    /// let payments = company.payments.iter().filter(|p| p.customer == customer);
    /// book.repost_receivables(&customer, invoices, payments, company.as_of)?;
    /// assert_eq!(book.credit_position(&customer, company.as_of)?, before);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn repost_receivables<'a>(
        &mut self,
        customer: &CustomerId,
        invoices: impl IntoIterator<Item = &'a Invoice>,
        payments: impl IntoIterator<Item = &'a Payment>,
        as_of: NaiveDate,
    ) -> Result<()> {
        self.known(customer)?;
        let mut fresh = Receivables::new(self.receivables.currency().clone(), [customer.clone()]);
        let (invoices, payments) = in_batch_order(invoices, payments, as_of);
        for invoice in invoices {
            fresh.post_invoice(invoice)?;
        }
        for payment in &payments {
            fresh.post_payment(payment)?;
        }
        self.receivables.take_customer(customer, &mut fresh);
        self.refresh_position(customer);
        Ok(())
    }

    /// The book of the accounts of `dataset` whose customer `keep` accepts.
    fn from_dataset_where(
        dataset: &Dataset,
        as_of: NaiveDate,
        policy: CreditPolicy,
        keep: impl Fn(&CustomerId) -> bool,
    ) -> Result<Self> {
        let mut book = CreditBook::new(dataset.currency.clone(), policy);
        for account in dataset.credit_accounts.iter().filter(|a| keep(&a.customer)) {
            book.open_account(account.clone())?;
        }
        let shipped = shipped_values(dataset, as_of, &keep);
        let with_account: std::collections::HashSet<&CustomerId> =
            dataset.credit_accounts.iter().map(|a| &a.customer).filter(|c| keep(c)).collect();
        for order in dataset.orders.iter().filter(|o| o.order_date <= as_of && with_account.contains(&o.customer)) {
            let invoiced = matches!(order.status, OrderStatus::Invoiced | OrderStatus::Cancelled);
            if invoiced {
                continue;
            }
            book.book_order(
                order.id.clone(),
                &order.customer,
                order.total(),
                order.requested_date.unwrap_or(order.order_date),
            )?;
            if let Some(value) = shipped.get(&order.id) {
                book.ship(&order.id, *value)?;
            }
        }
        let (invoices, payments) = in_batch_order(
            dataset.invoices.iter().filter(|i| with_account.contains(&i.customer)),
            dataset.payments.iter().filter(|p| with_account.contains(&p.customer)),
            as_of,
        );
        for invoice in invoices {
            book.post_invoice(invoice)?;
        }
        for payment in &payments {
            book.post_payment(payment)?;
        }
        book.set_business_day(as_of);
        Ok(book)
    }
}

/// Invoices and payments in the order the book of `as_of` posts them: every invoice and credit
/// note dated by then, in date order, then every payment dated by then, in date order, as it
/// stood on `as_of` (allocations to invoices issued later, among `invoices`, not made yet). Ties
/// keep the given order.
fn in_batch_order<'a>(
    invoices: impl IntoIterator<Item = &'a Invoice>,
    payments: impl IntoIterator<Item = &'a Payment>,
    as_of: NaiveDate,
) -> (Vec<&'a Invoice>, Vec<Cow<'a, Payment>>) {
    let invoices: Vec<&Invoice> = invoices.into_iter().collect();
    let issued: HashMap<&InvoiceId, NaiveDate> = invoices.iter().map(|i| (&i.id, i.date)).collect();
    let mut posted: Vec<&Invoice> = invoices.iter().copied().filter(|i| i.date <= as_of).collect();
    posted.sort_by_key(|i| i.date);
    let mut paid: Vec<&Payment> = payments.into_iter().filter(|p| p.date <= as_of).collect();
    paid.sort_by_key(|p| p.date);
    let paid = paid
        .into_iter()
        .map(|p| p.as_it_stood_on(as_of, |i| issued.get(i).copied()).map_or(Cow::Borrowed(p), Cow::Owned))
        .collect();
    (posted, paid)
}

/// Value shipped (at the order's net prices) per order of the customers `keep` accepts, from
/// shipments dated up to `as_of`.
fn shipped_values(
    dataset: &Dataset,
    as_of: NaiveDate,
    keep: impl Fn(&CustomerId) -> bool,
) -> HashMap<OrderId, Decimal> {
    let orders: HashMap<&OrderId, &crate::model::SalesOrder> =
        dataset.orders.iter().filter(|o| keep(&o.customer)).map(|o| (&o.id, o)).collect();
    let mut values = HashMap::default();
    for shipment in dataset.shipments.iter().filter(|s| s.shipped_date <= as_of) {
        let Some(order) = orders.get(&shipment.order) else { continue };
        *values.entry(shipment.order.clone()).or_default() += shipment_value(order, shipment);
    }
    values
}

/// What a shipment of `order` is worth at the order's net prices (a product the order does not
/// have is worth nothing to its credit).
pub(crate) fn shipment_value(order: &crate::model::SalesOrder, shipment: &crate::model::Shipment) -> Decimal {
    let mut value = Decimal::ZERO;
    for line in &shipment.lines {
        if let Some(priced) = order.lines.iter().find(|l| l.product == line.product) {
            value += line.quantity * priced.unit_price * (Decimal::ONE - priced.discount);
        }
    }
    value
}
