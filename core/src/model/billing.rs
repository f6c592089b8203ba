//! Receivables: invoices and credit notes, and payments with their allocation to invoices.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::currency::Conversion;
use super::ids::{Currency, CustomerId, InvoiceId, OrderId, PaymentId};
use super::issues::{Check, Issues};
use super::order::{SalesLine, lines_total};
use crate::error::Result;

/// Whether a document raises or lowers what the customer owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// An invoice: the customer owes its amount.
    #[default]
    Invoice,
    /// A credit note (a return, a cancellation, a price correction): lowers what is owed.
    CreditNote,
}

/// An invoice or credit note. Lines carry positive quantities and prices; the kind gives the sign.
///
/// ```
/// use omo_core::model::*;
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let day = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
/// let mut note = Invoice::new(
///     InvoiceId::new("CN-7")?, CustomerId::new("D-01")?, day, day, Currency::new("CNY")?,
///     vec![SalesLine::new(ProductId::new("P1")?, Decimal::from(2), Decimal::from(50))],
/// )?;
/// note.kind = InvoiceKind::CreditNote;
/// assert_eq!(note.signed_amount(), Decimal::from(-100));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    /// The document's id.
    pub id: InvoiceId,
    /// Invoice or credit note.
    #[serde(default)]
    pub kind: InvoiceKind,
    /// Who owes (or is owed).
    pub customer: CustomerId,
    /// Document date.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// Date payment is due.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub due_date: NaiveDate,
    /// Currency of all amounts.
    pub currency: Currency,
    /// The order it bills, if any.
    #[serde(default)]
    pub order: Option<OrderId>,
    /// For a credit note, the invoice it corrects (ERPNext's "return against"): it is applied to
    /// that invoice first.
    #[serde(default)]
    pub against: Option<InvoiceId>,
    /// The lines; at least one.
    pub lines: Vec<SalesLine>,
    /// Set when the invoice arrived in a foreign currency and was converted into the company's
    /// (see [`crate::model::Conversion`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_from: Option<Conversion>,
}

impl Invoice {
    /// An invoice (not a credit note) with no order reference.
    pub fn new(
        id: InvoiceId,
        customer: CustomerId,
        date: NaiveDate,
        due_date: NaiveDate,
        currency: Currency,
        lines: Vec<SalesLine>,
    ) -> Result<Self> {
        Invoice {
            id,
            kind: InvoiceKind::Invoice,
            customer,
            date,
            due_date,
            currency,
            order: None,
            against: None,
            lines,
            converted_from: None,
        }
        .validated()
    }

    /// The document's amount, positive.
    pub fn amount(&self) -> Decimal {
        lines_total(&self.lines)
    }

    /// The amount with its sign: positive for invoices, negative for credit notes.
    pub fn signed_amount(&self) -> Decimal {
        match self.kind {
            InvoiceKind::Invoice => self.amount(),
            InvoiceKind::CreditNote => -self.amount(),
        }
    }
}

impl Check for Invoice {
    const ENTITY: &'static str = "invoice";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.lines.is_empty() {
            issues.push("lines", "an invoice needs at least one line");
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check(i, issues);
        }
        issues.not_before("due_date", self.due_date, "date", self.date);
        if self.against.is_some() && self.kind == InvoiceKind::Invoice {
            issues.push("against", "only a credit note corrects another invoice");
        }
    }
}

/// A part of a payment applied to one invoice.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentAllocation {
    /// The invoice paid.
    pub invoice: InvoiceId,
    /// How much of the payment goes to it; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub amount: Decimal,
}

/// A payment received from a customer (回款), optionally allocated to invoices. Whatever is not
/// allocated stays on the customer's account as unapplied credit.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The payment's id.
    pub id: PaymentId,
    /// Who paid.
    pub customer: CustomerId,
    /// Value date.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// Amount received; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub amount: Decimal,
    /// Currency.
    pub currency: Currency,
    /// Explicit allocation to invoices; empty to leave it to the receivables rules (oldest first).
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub allocations: Vec<PaymentAllocation>,
    /// Set when the payment arrived in a foreign currency and was converted into the company's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub converted_from: Option<Conversion>,
}

impl Payment {
    /// An unallocated payment.
    pub fn new(
        id: PaymentId,
        customer: CustomerId,
        date: NaiveDate,
        amount: Decimal,
        currency: Currency,
    ) -> Result<Self> {
        Payment { id, customer, date, amount, currency, allocations: Vec::new(), converted_from: None }.validated()
    }

    /// The payment as it stood at the end of `date`. An allocation is made on the later of the
    /// payment's day and its invoice's day (an advance allocated to an invoice issued later), so
    /// the allocations to invoices issued after `date` are not made yet; `issued` gives an
    /// invoice's day (`None`: unknown, kept). `None` when every allocation stands.
    ///
    /// A payment left with no allocation is applied by the receivables rules (oldest first).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::model::{Currency, CustomerId, InvoiceId, Payment, PaymentAllocation, PaymentId};
    /// let day = |d| NaiveDate::from_ymd_opt(2025, 1, d).unwrap();
    /// let mut deposit = Payment::new(PaymentId::new("PAY-1")?, CustomerId::new("D1")?, day(10),
    ///     "500".parse().unwrap(), Currency::new("CNY")?)?;
    /// let pickup = InvoiceId::new("INV-9")?;
    /// deposit.allocations.push(PaymentAllocation { invoice: pickup.clone(), amount: "300".parse().unwrap() });
    /// let issued = |i: &InvoiceId| (*i == pickup).then(|| day(20));
    /// assert!(deposit.as_it_stood_on(day(12), issued).is_some_and(|p| p.allocations.is_empty()));
    /// assert_eq!(deposit.as_it_stood_on(day(20), issued), None);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn as_it_stood_on(&self, date: NaiveDate, issued: impl Fn(&InvoiceId) -> Option<NaiveDate>) -> Option<Payment> {
        let made = |a: &PaymentAllocation| issued(&a.invoice).is_none_or(|d| d <= date);
        if self.allocations.iter().all(made) {
            return None;
        }
        let allocations = self.allocations.iter().filter(|a| made(a)).cloned().collect();
        Some(Payment { allocations, ..self.clone() })
    }

    /// What is left after the explicit allocations.
    pub fn unallocated(&self) -> Decimal {
        let allocated = self.allocations.iter().fold(Decimal::ZERO, |sum, a| sum.saturating_add(a.amount));
        self.amount.saturating_sub(allocated)
    }
}

impl Check for Payment {
    const ENTITY: &'static str = "payment";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.amount("amount", self.amount);
        if self.amount.is_zero() {
            issues.push("amount", "a payment must be positive");
        }
        for (i, allocation) in self.allocations.iter().enumerate() {
            issues.amount(format_args!("allocations[{i}].amount"), allocation.amount);
        }
        if self.unallocated() < Decimal::ZERO {
            issues.push(
                "allocations",
                format!("allocations exceed the payment of {} by {}", self.amount, -self.unallocated()),
            );
        }
    }
}
