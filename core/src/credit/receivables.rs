//! Receivables: open invoices per customer, payments and credit notes applied to them, unapplied
//! cash, aging, DSO and the overdue ratio.
//!
//! Application rules (as ERPNext and Odoo apply them):
//! - a payment with explicit allocations pays those invoices; what exceeds an invoice's open
//!   amount, and whatever the allocations leave, stays on the account as unapplied cash (an
//!   advance), never lost;
//! - a payment without allocations pays the customer's open invoices oldest due date first, and
//!   keeps what is left as unapplied cash;
//! - a credit note is applied the same way, oldest first, and what is left is unapplied credit;
//! - a book of a past day takes each payment as it stood then: an allocation counts from the
//!   later of the payment's day and its invoice's ([`crate::model::Payment::as_it_stood_on`]).
//!
//! Running totals per customer are kept as items are posted, so a balance is read in O(1).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::{OmoError, Result};
use crate::model::{Currency, CustomerId, Invoice, InvoiceId, InvoiceKind, Payment};

/// An invoice with something still to pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its date.
    pub date: NaiveDate,
    /// Its due date.
    pub due_date: NaiveDate,
    /// Its amount.
    pub amount: Decimal,
    /// What is still to pay.
    pub open: Decimal,
}

/// Overdue receivables of one customer on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueSummary {
    /// Open amount past its due date.
    pub overdue: Decimal,
    /// Open amount overdue by more than each threshold asked for.
    pub beyond: Vec<Decimal>,
    /// Days past due of the oldest open invoice (0 when none is overdue).
    pub oldest_days: i64,
}

impl OverdueSummary {
    fn empty(thresholds: usize) -> Self {
        OverdueSummary { overdue: Decimal::ZERO, beyond: vec![Decimal::ZERO; thresholds], oldest_days: 0 }
    }
}

/// Money applied to an invoice: by a payment (counts for payment behaviour) or a credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its due date.
    pub due_date: NaiveDate,
    /// The day the money came (the payment's or credit note's date).
    pub settled_on: NaiveDate,
    /// How much.
    pub amount: Decimal,
    /// True when a credit note, not a payment, settled it.
    pub by_credit_note: bool,
}

impl Settlement {
    /// Days after the due date the money came (negative when early).
    pub fn days_late(&self) -> i64 {
        (self.settled_on - self.due_date).num_days()
    }
}

#[derive(Debug, Clone, Default)]
struct CustomerLedger {
    /// Open invoices by (due date, posting sequence): the first is the oldest.
    open: BTreeMap<(NaiveDate, u64), OpenItem>,
    keys: HashMap<InvoiceId, (NaiveDate, u64)>,
    /// Sum of the open amounts.
    receivable: Decimal,
    /// Cash and credit not applied to any invoice.
    unapplied: Decimal,
    settlements: Vec<Settlement>,
    /// Invoiced (positive) and credited (negative) amounts by document date, summed per date
    /// (a window of dates is read without scanning the customer's history).
    sales: BTreeMap<NaiveDate, Decimal>,
    /// The overdue summary on the book's business date, kept current as items are posted.
    summary: Option<OverdueSummary>,
    /// The latest invoice's or credit note's day, and the latest payment's.
    last_invoiced: Option<NaiveDate>,
    last_paid: Option<NaiveDate>,
    /// The latest due date a payment without allocations reached applying its money oldest
    /// first (`NaiveDate::MAX` once one left cash over): an invoice due later is posted in
    /// place as the batch book posts it ([`Receivables::takes_in_place`]).
    oldest_first_reach: Option<NaiveDate>,
}

/// The receivables of every customer of one currency.
#[derive(Debug, Clone)]
pub struct Receivables {
    currency: Currency,
    customers: HashMap<CustomerId, CustomerLedger>,
    sequence: u64,
    /// The day and thresholds the cached overdue summaries are for.
    business_day: Option<(NaiveDate, Vec<u32>)>,
}

impl Receivables {
    /// An empty book in `currency` for `customers`.
    pub fn new(currency: Currency, customers: impl IntoIterator<Item = CustomerId>) -> Self {
        Receivables {
            currency,
            customers: customers.into_iter().map(|c| (c, CustomerLedger::default())).collect(),
            sequence: 0,
            business_day: None,
        }
    }

    /// The book's currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// Adds a customer (no effect when already there).
    pub fn add_customer(&mut self, customer: CustomerId) {
        self.customers.entry(customer).or_default();
    }

    fn ledger_mut(&mut self, customer: &CustomerId, currency: &Currency) -> Result<&mut CustomerLedger> {
        if currency != &self.currency {
            return Err(OmoError::CurrencyMismatch {
                customer: customer.to_string(),
                expected: self.currency.to_string(),
                got: currency.to_string(),
            });
        }
        self.customers
            .get_mut(customer)
            .ok_or_else(|| OmoError::UnknownId { kind: "customer", id: customer.to_string() })
    }

    /// Sets the business day: from now on every customer's overdue summary for that day and
    /// `thresholds` is kept current as items are posted, so checks on that day read it in O(1)
    /// instead of walking the customer's overdue invoices.
    pub fn set_business_day(&mut self, date: NaiveDate, thresholds: &[u32]) {
        self.business_day = Some((date, thresholds.to_vec()));
        for ledger in self.customers.values_mut() {
            ledger.summary = Some(scan_ledger(ledger, date, thresholds));
        }
    }

    fn refresh(&mut self, customer: &CustomerId) {
        let Some((date, thresholds)) = &self.business_day else { return };
        if let Some(ledger) = self.customers.get_mut(customer) {
            ledger.summary = Some(scan_ledger(ledger, *date, thresholds));
        }
    }

    /// Posts an invoice (opens an item) or a credit note (applied oldest first).
    pub fn post_invoice(&mut self, invoice: &Invoice) -> Result<()> {
        self.post_invoice_unrefreshed(invoice)?;
        self.refresh(&invoice.customer);
        Ok(())
    }

    fn post_invoice_unrefreshed(&mut self, invoice: &Invoice) -> Result<()> {
        self.sequence += 1;
        let sequence = self.sequence;
        let ledger = self.ledger_mut(&invoice.customer, &invoice.currency)?;
        if ledger.keys.contains_key(&invoice.id) {
            return Err(OmoError::DuplicateId { kind: "invoice", id: invoice.id.to_string() });
        }
        let amount = invoice.amount();
        ledger.last_invoiced = ledger.last_invoiced.max(Some(invoice.date));
        match invoice.kind {
            InvoiceKind::Invoice => {
                let key = (invoice.due_date, sequence);
                ledger.keys.insert(invoice.id.clone(), key);
                ledger.open.insert(
                    key,
                    OpenItem {
                        invoice: invoice.id.clone(),
                        date: invoice.date,
                        due_date: invoice.due_date,
                        amount,
                        open: amount,
                    },
                );
                ledger.receivable += amount;
                *ledger.sales.entry(invoice.date).or_default() += amount;
            }
            InvoiceKind::CreditNote => {
                *ledger.sales.entry(invoice.date).or_default() -= amount;
                let mut left = amount;
                if let Some(original) = invoice.against.as_ref().and_then(|id| ledger.keys.get(id).copied()) {
                    left -= apply_to(ledger, original, left, invoice.date, true);
                }
                let (left, _) = apply_oldest_first(ledger, left, invoice.date, true);
                ledger.unapplied += left;
            }
        }
        Ok(())
    }

    /// Posts a payment: explicit allocations first, the rest oldest first (without allocations)
    /// or as unapplied cash. Checks everything before changing anything.
    pub fn post_payment(&mut self, payment: &Payment) -> Result<()> {
        self.post_payment_unrefreshed(payment)?;
        self.refresh(&payment.customer);
        Ok(())
    }

    fn post_payment_unrefreshed(&mut self, payment: &Payment) -> Result<()> {
        let ledger = self.ledger_mut(&payment.customer, &payment.currency)?;
        if payment.amount <= Decimal::ZERO {
            return Err(OmoError::InvalidArgument {
                name: "amount",
                message: format!("payment {} must be positive", payment.id),
            });
        }
        if payment.unallocated() < Decimal::ZERO {
            return Err(OmoError::InvalidArgument {
                name: "allocations",
                message: format!("payment {} allocates more than its amount", payment.id),
            });
        }
        let mut left = payment.amount;
        for allocation in &payment.allocations {
            // An invoice paid already, or not this customer's: the money stays on account.
            if let Some(key) = ledger.keys.get(&allocation.invoice).copied() {
                left -= apply_to(ledger, key, allocation.amount, payment.date, false);
            }
        }
        if payment.allocations.is_empty() {
            let reach;
            (left, reach) = apply_oldest_first(ledger, left, payment.date, false);
            let reach = if left > Decimal::ZERO { Some(NaiveDate::MAX) } else { reach };
            ledger.oldest_first_reach = ledger.oldest_first_reach.max(reach);
        }
        ledger.last_paid = ledger.last_paid.max(Some(payment.date));
        ledger.unapplied += left;
        Ok(())
    }

    /// True when posting `invoice` now leaves the book as the batch book leaves it, which posts
    /// every invoice and credit note in date order before any payment. It must be dated on or
    /// after its customer's latest invoice or credit note, and:
    /// - an invoice: no payment of its customer without allocations reached, oldest first, an
    ///   invoice due on or after it, nor left cash over that would have paid it (explicit
    ///   allocations do not depend on the invoices' order);
    /// - a credit note: the invoice it corrects is open and untouched (no payment reached it, in
    ///   the batch order either) and takes the whole note, as it does there.
    pub fn takes_in_place(&self, invoice: &Invoice) -> bool {
        let Some(ledger) = self.customers.get(&invoice.customer) else {
            return invoice.kind == InvoiceKind::Invoice;
        };
        if ledger.last_invoiced.is_some_and(|d| d > invoice.date) {
            return false;
        }
        match invoice.kind {
            InvoiceKind::Invoice => ledger.oldest_first_reach.is_none_or(|reach| reach < invoice.due_date),
            InvoiceKind::CreditNote => invoice
                .against
                .as_ref()
                .and_then(|original| ledger.keys.get(original))
                .and_then(|key| ledger.open.get(key))
                .is_some_and(|item| item.open == item.amount && invoice.amount() <= item.open),
        }
    }

    /// True when posting `payment` now leaves the book as the batch book leaves it, which posts
    /// payments in date order: it is dated on or after its customer's latest payment.
    pub fn takes_payment_in_place(&self, payment: &Payment) -> bool {
        self.customers.get(&payment.customer).is_none_or(|l| l.last_paid.is_none_or(|d| d <= payment.date))
    }

    /// Replaces `customer`'s ledger with the one `from` holds for it (taken out of `from`), as
    /// it stands there; the business day's summary is made again. Postings after it sort after
    /// its items.
    pub(crate) fn take_customer(&mut self, customer: &CustomerId, from: &mut Receivables) {
        let ledger = from.customers.remove(customer).unwrap_or_default();
        self.customers.insert(customer.clone(), ledger);
        self.sequence = self.sequence.max(from.sequence);
        self.refresh(customer);
    }

    /// Applies a customer's unapplied cash and credit to its open invoices, oldest first, on `date`.
    pub fn apply_unapplied(&mut self, customer: &CustomerId, date: NaiveDate) -> Result<()> {
        let currency = self.currency.clone();
        let ledger = self.ledger_mut(customer, &currency)?;
        let cash = std::mem::take(&mut ledger.unapplied);
        ledger.unapplied = apply_oldest_first(ledger, cash, date, false).0;
        self.refresh(customer);
        Ok(())
    }

    /// Open invoices of a customer, oldest due date first.
    pub fn open_items(&self, customer: &CustomerId) -> Vec<&OpenItem> {
        self.customers.get(customer).map(|l| l.open.values().collect()).unwrap_or_default()
    }

    /// Sum of a customer's open invoices (gross of unapplied cash).
    pub fn receivable(&self, customer: &CustomerId) -> Decimal {
        self.customers.get(customer).map_or(Decimal::ZERO, |l| l.receivable)
    }

    /// A customer's unapplied cash and credit.
    pub fn unapplied(&self, customer: &CustomerId) -> Decimal {
        self.customers.get(customer).map_or(Decimal::ZERO, |l| l.unapplied)
    }

    /// A customer's overdue invoices on `date`: everything overdue, the open amount overdue by
    /// more than each of `thresholds` days, and the days past due of the oldest. Read from the
    /// kept summary on the business day, else in one pass over the overdue invoices.
    pub fn overdue_summary(
        &self,
        customer: &CustomerId,
        date: NaiveDate,
        thresholds: &[u32],
    ) -> std::borrow::Cow<'_, OverdueSummary> {
        if let Some((day, kept)) = &self.business_day
            && *day == date
            && kept.as_slice() == thresholds
            && let Some(summary) = self.customers.get(customer).and_then(|l| l.summary.as_ref())
        {
            return std::borrow::Cow::Borrowed(summary);
        }
        std::borrow::Cow::Owned(self.scan_overdue(customer, date, thresholds))
    }

    /// A customer's open receivables, unapplied cash and overdue summary, with one look-up.
    pub fn position(
        &self,
        customer: &CustomerId,
        date: NaiveDate,
        thresholds: &[u32],
    ) -> (Decimal, Decimal, std::borrow::Cow<'_, OverdueSummary>) {
        let Some(ledger) = self.customers.get(customer) else {
            return (Decimal::ZERO, Decimal::ZERO, std::borrow::Cow::Owned(OverdueSummary::empty(thresholds.len())));
        };
        let summary = match (&self.business_day, &ledger.summary) {
            (Some((day, kept)), Some(summary)) if *day == date && kept.as_slice() == thresholds => {
                std::borrow::Cow::Borrowed(summary)
            }
            _ => std::borrow::Cow::Owned(scan_ledger(ledger, date, thresholds)),
        };
        (ledger.receivable, ledger.unapplied, summary)
    }

    fn scan_overdue(&self, customer: &CustomerId, date: NaiveDate, thresholds: &[u32]) -> OverdueSummary {
        self.customers
            .get(customer)
            .map_or_else(|| OverdueSummary::empty(thresholds.len()), |ledger| scan_ledger(ledger, date, thresholds))
    }

    /// Every settlement of a customer (payments and credit notes applied), in posting order.
    pub fn settlements(&self, customer: &CustomerId) -> &[Settlement] {
        self.customers.get(customer).map_or(&[], |l| l.settlements.as_slice())
    }

    /// Net invoiced amount of a customer in `(from, to]`.
    pub fn invoiced_between(&self, customer: &CustomerId, from: NaiveDate, to: NaiveDate) -> Decimal {
        self.customers.get(customer).map_or(Decimal::ZERO, |l| {
            if from >= to {
                Decimal::ZERO
            } else {
                l.sales.range((std::ops::Bound::Excluded(from), std::ops::Bound::Included(to))).map(|(_, a)| *a).sum()
            }
        })
    }

    /// Customers in the book, sorted.
    pub fn customers(&self) -> Vec<&CustomerId> {
        let mut ids: Vec<&CustomerId> = self.customers.keys().collect();
        ids.sort();
        ids
    }

    /// Aging of open invoices on `as_of`, per customer (customers with nothing open left out) and
    /// in total. The buckets of a row add up to its open receivables exactly.
    pub fn aging(&self, as_of: NaiveDate, buckets: &AgingBuckets) -> AgingReport {
        let mut rows = Vec::new();
        let mut total = vec![Decimal::ZERO; buckets.len()];
        for customer in self.customers() {
            let mut amounts = vec![Decimal::ZERO; buckets.len()];
            for item in self.open_items(customer) {
                if let Some(slot) = amounts.get_mut(buckets.index((as_of - item.due_date).num_days())) {
                    *slot += item.open;
                }
            }
            if amounts.iter().any(|a| !a.is_zero()) {
                for (t, a) in total.iter_mut().zip(&amounts) {
                    *t += *a;
                }
                rows.push(AgingRow { customer: customer.clone(), amounts, unapplied: self.unapplied(customer) });
            }
        }
        AgingReport { labels: buckets.labels(), rows, total }
    }

    /// The share of open receivables overdue on `as_of`, for one customer or all (`None` when
    /// nothing is open).
    pub fn overdue_ratio(&self, customer: Option<&CustomerId>, as_of: NaiveDate) -> Option<f64> {
        let (mut open, mut overdue) = (Decimal::ZERO, Decimal::ZERO);
        for id in self.scope(customer) {
            for item in self.open_items(id) {
                open += item.open;
                if item.due_date < as_of {
                    overdue += item.open;
                }
            }
        }
        (open > Decimal::ZERO).then(|| (overdue / open).to_f64()).flatten()
    }

    /// DSO by the simple method: open receivables over the net invoiced amount of the last `days`
    /// days, times `days` (`None` without sales).
    pub fn dso_simple(&self, customer: Option<&CustomerId>, as_of: NaiveDate, days: u32) -> Option<f64> {
        let from = crate::kpi::days_before(as_of, u64::from(days));
        let (open, sales) = self.scope(customer).fold((Decimal::ZERO, Decimal::ZERO), |(o, s), id| {
            (o + self.receivable(id), s + self.invoiced_between(id, from, as_of))
        });
        (sales > Decimal::ZERO).then(|| open.checked_div(sales)?.checked_mul(Decimal::from(days))?.to_f64()).flatten()
    }

    /// DSO by the countback method: walk back month by month from `as_of`, taking each month's
    /// whole days while its net sales are less than the receivables still to explain, then the
    /// fraction of the last month's days that explains the rest. Months are calendar months, the
    /// current one counted up to `as_of`.
    pub fn dso_countback(&self, customer: Option<&CustomerId>, as_of: NaiveDate) -> Option<f64> {
        let mut left: Decimal = self.scope(customer).map(|id| self.receivable(id)).sum();
        if left <= Decimal::ZERO {
            return Some(0.0);
        }
        let mut end = as_of;
        let mut days = 0.0;
        for _ in 0..120 {
            let month_start = NaiveDate::from_ymd_opt(end.year(), end.month(), 1)?;
            let span = (end - month_start).num_days() + 1;
            let before = month_start.pred_opt()?;
            let sales: Decimal = self.scope(customer).map(|id| self.invoiced_between(id, before, end)).sum();
            if sales >= left {
                return Some(days + (left / sales).to_f64()? * span as f64);
            }
            days += span as f64;
            left -= sales.max(Decimal::ZERO);
            end = before;
        }
        None
    }

    fn scope<'a>(&'a self, customer: Option<&'a CustomerId>) -> Box<dyn Iterator<Item = &'a CustomerId> + 'a> {
        match customer {
            Some(id) => Box::new(std::iter::once(id)),
            None => Box::new(self.customers.keys()),
        }
    }
}

/// One pass over a ledger's overdue invoices on `date`.
fn scan_ledger(ledger: &CustomerLedger, date: NaiveDate, thresholds: &[u32]) -> OverdueSummary {
    let mut summary = OverdueSummary::empty(thresholds.len());
    for item in ledger.open.values().take_while(|item| item.due_date < date) {
        let days = (date - item.due_date).num_days();
        summary.oldest_days = summary.oldest_days.max(days);
        summary.overdue += item.open;
        for (slot, threshold) in summary.beyond.iter_mut().zip(thresholds) {
            if days > i64::from(*threshold) {
                *slot += item.open;
            }
        }
    }
    summary
}

/// Applies up to `amount` to the open invoice at `key`; returns what was applied. A settled
/// invoice leaves the open items.
fn apply_to(
    ledger: &mut CustomerLedger,
    key: (NaiveDate, u64),
    amount: Decimal,
    date: NaiveDate,
    by_credit_note: bool,
) -> Decimal {
    let Some(item) = ledger.open.get_mut(&key) else { return Decimal::ZERO };
    let applied = amount.max(Decimal::ZERO).min(item.open);
    item.open -= applied;
    ledger.receivable -= applied;
    ledger.settlements.push(Settlement {
        invoice: item.invoice.clone(),
        due_date: item.due_date,
        settled_on: date,
        amount: applied,
        by_credit_note,
    });
    if item.open.is_zero()
        && let Some(closed) = ledger.open.remove(&key)
    {
        ledger.keys.remove(&closed.invoice);
    }
    applied
}

/// Applies `amount` to the oldest open invoices; returns what is left and the latest due date
/// it reached.
fn apply_oldest_first(
    ledger: &mut CustomerLedger,
    mut amount: Decimal,
    date: NaiveDate,
    by_credit_note: bool,
) -> (Decimal, Option<NaiveDate>) {
    let mut reach = None;
    while amount > Decimal::ZERO {
        let Some(&key) = ledger.open.keys().next() else { break };
        reach = Some(key.0);
        amount -= apply_to(ledger, key, amount, date, by_credit_note);
    }
    (amount, reach)
}

/// Aging buckets by days past due: "not due", then one bucket per upper bound, then the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBuckets {
    /// Upper bounds in days past due, increasing (default 30, 60, 90).
    pub bounds: Vec<u32>,
}

impl Default for AgingBuckets {
    fn default() -> Self {
        AgingBuckets { bounds: vec![30, 60, 90] }
    }
}

impl AgingBuckets {
    /// Buckets with these upper bounds (must increase).
    pub fn new(bounds: Vec<u32>) -> Result<Self> {
        if bounds.windows(2).any(|w| w[1] <= w[0]) || bounds.first() == Some(&0) {
            return Err(OmoError::InvalidArgument {
                name: "bounds",
                message: format!("must be positive and increase, got {bounds:?}"),
            });
        }
        Ok(AgingBuckets { bounds })
    }

    /// Number of buckets (bounds + 2).
    pub fn len(&self) -> usize {
        self.bounds.len() + 2
    }

    /// Never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bucket of an item `days_past_due` days past its due date (0 or less: not due).
    pub fn index(&self, days_past_due: i64) -> usize {
        if days_past_due <= 0 {
            return 0;
        }
        1 + self.bounds.iter().position(|&b| days_past_due <= i64::from(b)).unwrap_or(self.bounds.len())
    }

    /// `"not due"`, `"1-30"`, `"31-60"`, `"61-90"`, `"over 90"`.
    pub fn labels(&self) -> Vec<String> {
        let mut labels = vec!["not due".to_owned()];
        let mut low = 1;
        for &b in &self.bounds {
            labels.push(format!("{low}-{b}"));
            low = u64::from(b) + 1;
        }
        labels.push(format!("over {}", self.bounds.last().copied().unwrap_or(0)));
        labels
    }
}

/// One customer's aging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingRow {
    /// The customer.
    pub customer: CustomerId,
    /// Open amounts per bucket.
    pub amounts: Vec<Decimal>,
    /// Unapplied cash and credit on the account (not aged).
    pub unapplied: Decimal,
}

impl AgingRow {
    /// The customer's open receivables: the sum of its buckets.
    pub fn total(&self) -> Decimal {
        self.amounts.iter().sum()
    }
}

/// Aging of all receivables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingReport {
    /// The bucket labels.
    pub labels: Vec<String>,
    /// One row per customer with something open.
    pub rows: Vec<AgingRow>,
    /// Totals per bucket.
    pub total: Vec<Decimal>,
}
