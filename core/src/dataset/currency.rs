//! The one currency rule: every money-carrying record is in the company's currency, or is
//! converted into it exactly from the dataset's exchange rates, or is refused naming the record.

use super::Dataset;
use crate::model::{Conversion, Currency, Invoice, Issues, Payment, RateTable, ValidationIssue, convert};

impl Dataset {
    /// Converts every invoice and payment written in another currency than the company's, at the
    /// latest of [`Dataset::exchange_rates`] dated on or before the record's date: unit prices and
    /// amounts are multiplied exactly, the record's currency becomes the company's, and the rate
    /// and its date are kept in its `converted_from`. A record without a rate is left as it is:
    /// [`Dataset::validate`] refuses it, naming it. Reading a dataset's JSON does this.
    ///
    /// ```
    /// use omo_core::Dataset;
    /// let json = r#"{"company": "Acme", "currency": "CNY", "as_of": "2025-03-31",
    ///   "exchange_rates": [{"currency": "USD", "date": "2025-03-01", "rate": "7.1"}],
    ///   "payments": [{"id": "P1", "customer": "C1", "date": "2025-03-02", "amount": "100.50", "currency": "USD"}]}"#;
    /// let d = Dataset::from_json(json)?;
    /// assert_eq!(d.payments[0].amount.to_string(), "713.550");
    /// assert_eq!(d.payments[0].currency.as_str(), "CNY");
    /// assert_eq!(d.payments[0].converted_from.as_ref().map(|c| c.currency.as_str()), Some("USD"));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn convert_currencies(&mut self) {
        let rates = RateTable::new(&self.exchange_rates);
        let company = self.currency.clone();
        for invoice in &mut self.invoices {
            convert_invoice(invoice, &rates, &company);
        }
        for payment in &mut self.payments {
            convert_payment(payment, &rates, &company);
        }
    }

    /// `payment` in the company's currency: as it is, converted at the rate of its date (as
    /// [`Dataset::convert_currencies`] does), or `None` when no rate is known.
    pub(crate) fn payment_in_company_currency(&self, mut payment: Payment) -> Option<Payment> {
        convert_payment(&mut payment, &RateTable::new(&self.exchange_rates), &self.currency);
        (payment.currency == self.currency).then_some(payment)
    }

    /// `invoice` in the company's currency: as it is, converted at the rate of its date (as
    /// [`Dataset::convert_currencies`] does), or `None` when no rate is known.
    pub(crate) fn invoice_in_company_currency(&self, mut invoice: Invoice) -> Option<Invoice> {
        convert_invoice(&mut invoice, &RateTable::new(&self.exchange_rates), &self.currency);
        (invoice.currency == self.currency).then_some(invoice)
    }

    /// Issues for every record left in another currency than the company's.
    pub(super) fn check_currencies(&self, out: &mut Vec<ValidationIssue>) {
        let company = &self.currency;
        let mut refuse = |entity: &'static str, id: &str, currency: &Currency| {
            if currency != company {
                Issues::new(entity, id, out).push(
                    "currency",
                    format!(
                        "{currency} is not the company's currency {company}, and no exchange rate for {currency} \
                         is given on or before the record's date"
                    ),
                );
            }
        };
        for invoice in &self.invoices {
            refuse("invoice", invoice.id.as_str(), &invoice.currency);
        }
        for payment in &self.payments {
            refuse("payment", payment.id.as_str(), &payment.currency);
        }
        for account in &self.credit_accounts {
            if account.currency != *company {
                Issues::new("credit_account", account.customer.as_str(), out).push(
                    "currency",
                    format!("{} is not the company's currency {company}: limits are kept in it", account.currency),
                );
            }
        }
    }
}

/// Converts `invoice` into `company`'s currency when it is in another one with a known rate (its
/// unit prices multiplied exactly, the rate kept); leaves it as it is otherwise.
fn convert_invoice(invoice: &mut Invoice, rates: &RateTable<'_>, company: &Currency) {
    let Some(conversion) = foreign(rates, company, &invoice.currency, invoice.date) else { return };
    let prices: Option<Vec<_>> = invoice.lines.iter().map(|l| convert(l.unit_price, &conversion)).collect();
    if let Some(prices) = prices {
        for (line, price) in invoice.lines.iter_mut().zip(prices) {
            line.unit_price = price;
        }
        invoice.currency = company.clone();
        invoice.converted_from = Some(conversion);
    }
}

/// Converts `payment` into `company`'s currency when it is in another one with a known rate (its
/// amount and allocations multiplied exactly, the rate kept); leaves it as it is otherwise.
fn convert_payment(payment: &mut Payment, rates: &RateTable<'_>, company: &Currency) {
    let Some(conversion) = foreign(rates, company, &payment.currency, payment.date) else { return };
    let amount = convert(payment.amount, &conversion);
    let allocations: Option<Vec<_>> = payment.allocations.iter().map(|a| convert(a.amount, &conversion)).collect();
    if let (Some(amount), Some(allocations)) = (amount, allocations) {
        payment.amount = amount;
        for (allocation, converted) in payment.allocations.iter_mut().zip(allocations) {
            allocation.amount = converted;
        }
        payment.currency = company.clone();
        payment.converted_from = Some(conversion);
    }
}

/// The conversion of a record in `currency` on `date`, when that is not the company's currency
/// and a rate is known.
fn foreign(
    rates: &RateTable<'_>,
    company: &Currency,
    currency: &Currency,
    date: chrono::NaiveDate,
) -> Option<Conversion> {
    if currency == company { None } else { rates.on(currency, date) }
}
