//! The credit book: accounts, receivables, open orders and shipments per customer, kept up to date
//! incrementally as documents are posted, and the order credit check, which reads the book and
//! never changes it.

use chrono::{Days, NaiveDate};
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::account::{CreditAccount, RiskClass};
use super::policy::{CreditPolicy, ExposureKind, OverLimitAction};
use super::receivables::Receivables;
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{Check, Currency, CustomerId, Invoice, MAX_AMOUNT, OrderId, OrderStatus, Payment};

/// The largest order the book takes: an order's lines hold at most [`crate::model::MAX_QUANTITY`]
/// units at [`crate::model::MAX_UNIT_PRICE`] each, 10^18 a line: 10^21 is a thousand such lines,
/// and sums over millions of orders still fit a Decimal.
const MAX_ORDER_AMOUNT: Decimal = Decimal::from_parts(3_735_027_712, 902_409_669, 54, false, 0);

/// A customer's exposure by category; every amount is zero or positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    fn add(&mut self, other: &Exposure) {
        self.open_orders = self.open_orders.saturating_add(other.open_orders);
        self.shipped_not_invoiced = self.shipped_not_invoiced.saturating_add(other.shipped_not_invoiced);
        self.receivables_not_due = self.receivables_not_due.saturating_add(other.receivables_not_due);
        self.receivables_overdue = self.receivables_overdue.saturating_add(other.receivables_overdue);
        self.prepayments = self.prepayments.saturating_add(other.prepayments);
    }
}

/// Whether a check considers everything open, or only what falls due soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    /// Everything open counts.
    Static,
    /// Receivables count in full; open orders and shipments only where their expected date falls
    /// within this many days of the check (SAP's dynamic check with a horizon).
    Dynamic {
        /// The horizon in days.
        horizon_days: u32,
    },
}

/// The outcome of a credit check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Nothing against it.
    Approved,
    /// Passes, with warnings to read.
    ApprovedWithWarning,
    /// Stopped.
    Blocked,
}

/// Why a check warned or blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Reason {
    /// The account is blocked by hand.
    AccountBlocked {
        /// Why.
        why: String,
    },
    /// Exposure after the order is over the limit.
    LimitExceeded {
        /// The effective limit.
        limit: Decimal,
        /// Exposure with the order.
        exposure: Decimal,
        /// By how much.
        by: Decimal,
    },
    /// Exposure after the order passes the warning share of the limit.
    NearLimit {
        /// The effective limit.
        limit: Decimal,
        /// Exposure with the order.
        exposure: Decimal,
    },
    /// A category passes its own limit.
    CategoryLimitExceeded {
        /// The category.
        kind: ExposureKind,
        /// Its amount.
        value: Decimal,
        /// Its limit.
        limit: Decimal,
    },
    /// Invoices are overdue by more than the policy allows.
    Overdue {
        /// Days past due of the oldest open invoice.
        days: i64,
        /// Open amount overdue by more than the threshold.
        amount: Decimal,
        /// The threshold in days.
        threshold_days: u32,
    },
    /// The order is larger than the customer's risk class may place.
    RiskClassTooLow {
        /// The class.
        class: RiskClass,
        /// The order amount.
        order: Decimal,
        /// The cap of the class.
        max_order: Decimal,
    },
    /// A temporary increase the customer had has expired.
    TemporaryLimitExpired {
        /// The increase.
        amount: Decimal,
        /// Its last day.
        until: NaiveDate,
    },
}

impl Reason {
    /// The reason's code, as it is tagged in JSON: `"limit_exceeded"`, `"overdue"`, ...
    pub fn code(&self) -> &'static str {
        match self {
            Reason::AccountBlocked { .. } => "account_blocked",
            Reason::LimitExceeded { .. } => "limit_exceeded",
            Reason::NearLimit { .. } => "near_limit",
            Reason::CategoryLimitExceeded { .. } => "category_limit_exceeded",
            Reason::Overdue { .. } => "overdue",
            Reason::RiskClassTooLow { .. } => "risk_class_too_low",
            Reason::TemporaryLimitExpired { .. } => "temporary_limit_expired",
        }
    }
}

impl std::fmt::Display for Reason {
    /// One line a person reads, with exact amounts:
    /// `limit exceeded by 1200.50 (exposure 51200.50, limit 50000)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::AccountBlocked { why } => write!(f, "account blocked: {why}"),
            Reason::LimitExceeded { limit, exposure, by } => {
                write!(f, "limit exceeded by {by} (exposure {exposure}, limit {limit})")
            }
            Reason::NearLimit { limit, exposure } => write!(f, "near the limit (exposure {exposure}, limit {limit})"),
            Reason::CategoryLimitExceeded { kind, value, limit } => {
                write!(f, "{} of {value} over its limit {limit}", kind.as_str())
            }
            Reason::Overdue { days, amount, threshold_days } => {
                write!(f, "{amount} overdue, the oldest invoice {days} days past due (more than {threshold_days})")
            }
            Reason::RiskClassTooLow { class, order, max_order } => {
                write!(f, "order of {order} above the {max_order} that risk class {} may place", class.as_str())
            }
            Reason::TemporaryLimitExpired { amount, until } => {
                write!(f, "temporary limit increase of {amount} expired on {until}")
            }
        }
    }
}

/// One finding of a check: a reason and whether it blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// True when it blocks the order, false for a warning.
    pub blocks: bool,
    /// The reason, with its figures.
    #[serde(flatten)]
    pub reason: Reason,
}

/// A credit check of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditCheck {
    /// The customer ordering.
    pub customer: CustomerId,
    /// The account whose limit applies (the customer or its credit group).
    pub limit_holder: CustomerId,
    /// The day of the check.
    pub date: NaiveDate,
    /// The order amount.
    pub order_amount: Decimal,
    /// The outcome.
    pub decision: Decision,
    /// Every reason that applies.
    pub findings: Vec<Finding>,
    /// The effective limit on the day.
    pub limit: Decimal,
    /// The exposure by category before the order (of the whole group where there is one).
    pub breakdown: Exposure,
    /// Exposure before the order, as the policy counts it.
    pub exposure_before: Decimal,
    /// Exposure with the order.
    pub exposure_after: Decimal,
    /// Limit minus exposure before the order.
    pub available: Decimal,
}

impl CreditCheck {
    /// Exposure before the order over the limit (1.0: the whole limit used); `None` without a
    /// limit.
    pub fn limit_used(&self) -> Option<Decimal> {
        (!self.limit.is_zero()).then(|| self.exposure_before / self.limit)
    }

    /// The finding with this reason `code` (`"limit_exceeded"`, `"near_limit"`, ...), if any.
    pub fn finding(&self, code: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.reason.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OrderLine {
    customer: CustomerId,
    expected: NaiveDate,
    open: Decimal,
    shipped_not_invoiced: Decimal,
}

#[derive(Debug, Clone)]
struct Entry {
    account: CreditAccount,
    pipeline: Pipeline,
    /// The customer's receivables on the business day, copied here on every posting so a check
    /// reads one entry.
    position: Option<Position>,
}

/// Receivables and overdue amounts of one customer on one day, for at most two thresholds (the
/// policy's blocking and warning days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Position {
    day: NaiveDate,
    receivable: Decimal,
    unapplied: Decimal,
    overdue: Decimal,
    beyond: [Decimal; 2],
    oldest_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Pipeline {
    open_orders: Decimal,
    shipped_not_invoiced: Decimal,
    /// Open plus shipped-not-invoiced amounts by expected date, for dynamic checks.
    by_date: BTreeMap<NaiveDate, Decimal>,
}

/// Accounts, receivables and the order pipeline of every customer, updated as documents are
/// posted. Checks read it in O(log n) per customer.
#[derive(Debug, Clone)]
pub struct CreditBook {
    policy: CreditPolicy,
    /// The policy's overdue rules as (days, blocks), and their thresholds, worked out once.
    overdue_rules: Vec<(u32, bool)>,
    overdue_thresholds: Vec<u32>,
    business_day: Option<NaiveDate>,
    /// Each customer's account and order pipeline, together: a check reads one entry.
    /// Entries by customer id, the id stored inline (no pointer to follow on a lookup).
    accounts: HashMap<CompactString, Entry>,
    members: HashMap<CustomerId, Vec<CustomerId>>,
    receivables: Receivables,
    orders: HashMap<OrderId, OrderLine>,
}

impl CreditBook {
    /// An empty book in `currency` under `policy`.
    pub fn new(currency: Currency, policy: CreditPolicy) -> Self {
        let overdue_rules = overdue_rules(&policy);
        CreditBook {
            overdue_thresholds: overdue_rules.iter().map(|r| r.0).collect(),
            overdue_rules,
            business_day: None,
            policy,
            accounts: HashMap::default(),
            members: HashMap::default(),
            receivables: Receivables::new(currency, []),
            orders: HashMap::default(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &CreditPolicy {
        &self.policy
    }

    /// The receivables.
    pub fn receivables(&self) -> &Receivables {
        &self.receivables
    }

    /// Opens (or replaces) an account. Its currency must be the book's.
    pub fn open_account(&mut self, account: CreditAccount) -> Result<()> {
        let account = account.validated()?;
        if &account.currency != self.receivables.currency() {
            return Err(OmoError::CurrencyMismatch {
                customer: account.customer.to_string(),
                expected: self.receivables.currency().to_string(),
                got: account.currency.to_string(),
            });
        }
        self.receivables.add_customer(account.customer.clone());
        if let Some(head) = &account.group {
            self.members.entry(head.clone()).or_default().push(account.customer.clone());
        }
        let pipeline = self.accounts.remove(account.customer.as_str()).map(|e| e.pipeline).unwrap_or_default();
        let customer = account.customer.clone();
        self.accounts.insert(CompactString::from(customer.as_str()), Entry { account, pipeline, position: None });
        self.refresh_position(&customer);
        Ok(())
    }

    /// An account.
    pub fn account(&self, customer: &CustomerId) -> Option<&CreditAccount> {
        self.accounts.get(customer.as_str()).map(|e| &e.account)
    }

    /// An account to change (limit, increases, block): every change is on its audit trail.
    pub fn account_mut(&mut self, customer: &CustomerId) -> Result<&mut CreditAccount> {
        self.accounts
            .get_mut(customer.as_str())
            .map(|e| &mut e.account)
            .ok_or_else(|| OmoError::UnknownCreditAccount { customer: customer.to_string() })
    }

    fn known(&self, customer: &CustomerId) -> Result<()> {
        if self.accounts.contains_key(customer.as_str()) {
            Ok(())
        } else {
            Err(OmoError::UnknownCreditAccount { customer: customer.to_string() })
        }
    }

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

    /// Applies a customer's unapplied cash to its open invoices, oldest first, on `date` (a live
    /// book does this when an invoice arrives after money the customer paid ahead).
    pub fn apply_unapplied(&mut self, customer: &CustomerId, date: NaiveDate) -> Result<()> {
        self.known(customer)?;
        if self.receivables.unapplied(customer) > Decimal::ZERO {
            self.receivables.apply_unapplied(customer, date)?;
            self.refresh_position(customer);
        }
        Ok(())
    }

    /// Posts a payment (see [`Receivables::post_payment`] for how it is applied).
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

    /// Copies a customer's receivables on the business day into its entry.
    fn refresh_position(&mut self, customer: &CustomerId) {
        let Some(day) = self.business_day else { return };
        let (receivable, unapplied, summary) = self.receivables.position(customer, day, &self.overdue_thresholds);
        let mut beyond = [Decimal::ZERO; 2];
        for (slot, amount) in beyond.iter_mut().zip(&summary.beyond) {
            *slot = *amount;
        }
        let position =
            Position { day, receivable, unapplied, overdue: summary.overdue, beyond, oldest_days: summary.oldest_days };
        if let Some(entry) = self.accounts.get_mut(customer.as_str()) {
            entry.position = Some(position);
        }
    }

    /// A customer's own exposure on `date`.
    pub fn exposure(&self, customer: &CustomerId, date: NaiveDate, mode: CheckMode) -> Exposure {
        self.exposure_of(self.accounts.get(customer.as_str()), customer, date, mode, &[]).0
    }

    /// A customer's exposure (with its order pipeline) and its overdue summary for `thresholds`.
    fn exposure_of(
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

    /// Checks an order of `amount` for `customer` on `date`: the decision, every reason that
    /// applies, exposure before and after, and the credit available. The book is not changed.
    ///
    /// ```
    /// use omo_core::credit::{CheckMode, CreditAccount, CreditBook, CreditPolicy, Decision};
    /// use omo_core::model::{Currency, CustomerId, OrderId};
    /// use rust_decimal::Decimal;
    /// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    /// let cny = Currency::new("CNY")?;
    /// let d01 = CustomerId::new("D-01")?;
    /// let mut book = CreditBook::new(cny.clone(), CreditPolicy::default());
    /// book.open_account(CreditAccount::new(d01.clone(), Decimal::from(100_000), 30, cny)?)?;
    /// book.book_order(OrderId::new("SO-1")?, &d01, Decimal::from(70_000), day)?;
    /// let check = book.check_order(&d01, Decimal::from(40_000), day, CheckMode::Static)?;
    /// assert_eq!(check.decision, Decision::Blocked);          // 110,000 > 100,000
    /// assert_eq!(check.available, Decimal::from(30_000));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn check_order(
        &self,
        customer: &CustomerId,
        amount: Decimal,
        date: NaiveDate,
        mode: CheckMode,
    ) -> Result<CreditCheck> {
        if amount < Decimal::ZERO {
            return Err(OmoError::InvalidArgument {
                name: "amount",
                message: format!("order amount must not be negative, got {amount}"),
            });
        }
        let entry = self
            .accounts
            .get(customer.as_str())
            .ok_or_else(|| OmoError::UnknownCreditAccount { customer: customer.to_string() })?;
        let account = &entry.account;
        let holder_id = account.group.as_ref().unwrap_or(customer);
        let holder_entry = match &account.group {
            None => entry,
            Some(head) => self
                .accounts
                .get(head.as_str())
                .ok_or_else(|| OmoError::UnknownCreditAccount { customer: head.to_string() })?,
        };
        let holder = &holder_entry.account;
        let policy = &self.policy;
        let (mut breakdown, overdue) =
            self.exposure_of(Some(holder_entry), holder_id, date, mode, &self.overdue_thresholds);
        let members = if self.members.is_empty() {
            &[][..]
        } else {
            self.members.get(holder_id).map(Vec::as_slice).unwrap_or_default()
        };
        for member in members {
            breakdown.add(&self.exposure(member, date, mode));
        }
        let limit = holder.effective_limit(date);
        let before = breakdown.net(policy);
        let after = before.checked_add(amount).ok_or_else(|| OmoError::InvalidArgument {
            name: "amount",
            message: format!("order amount {amount} with exposure {before} is more than a Decimal holds"),
        })?;
        let mut findings = Vec::new();
        let mut add = |blocks: bool, reason: Reason| findings.push(Finding { blocks, reason });
        for blocked in [&account.blocked, &holder.blocked].into_iter().flatten() {
            add(true, Reason::AccountBlocked { why: blocked.clone() });
        }
        if policy.over(after, limit) {
            add(
                policy.over_limit == OverLimitAction::Block,
                Reason::LimitExceeded { limit, exposure: after, by: after.saturating_sub(limit) },
            );
            if let Some(expired) = holder.expired_increases(date).max_by_key(|t| t.until) {
                add(false, Reason::TemporaryLimitExpired { amount: expired.amount, until: expired.until });
            }
        } else if let Some(share) = policy.warn_share
            && limit > Decimal::ZERO
            && after > limit.checked_mul(share).unwrap_or(Decimal::MAX)
        {
            add(false, Reason::NearLimit { limit, exposure: after });
        }
        for kind in ExposureKind::ALL {
            let rule = policy.rule(kind);
            let value = breakdown.get(kind).saturating_add(if kind == ExposureKind::OpenOrders {
                amount
            } else {
                Decimal::ZERO
            });
            if let Some(cap) = rule.limit.filter(|cap| rule.include && !cap.is_zero() && value > *cap) {
                add(true, Reason::CategoryLimitExceeded { kind, value, limit: cap });
            }
        }
        // The first overdue rule that applies (blocking before warning).
        if let Some(((threshold, blocks), amount_overdue)) =
            self.overdue_rules.iter().zip(&overdue.beyond).find(|(_, amount)| !amount.is_zero())
        {
            add(
                *blocks,
                Reason::Overdue { days: overdue.oldest_days, amount: *amount_overdue, threshold_days: *threshold },
            );
        }
        if let Some(cap) = policy.max_order(holder.risk_class).filter(|cap| amount > *cap) {
            add(true, Reason::RiskClassTooLow { class: holder.risk_class, order: amount, max_order: cap });
        }
        let decision = if findings.iter().any(|f| f.blocks) {
            Decision::Blocked
        } else if findings.is_empty() {
            Decision::Approved
        } else {
            Decision::ApprovedWithWarning
        };
        Ok(CreditCheck {
            customer: customer.clone(),
            limit_holder: holder_id.clone(),
            date,
            order_amount: amount,
            decision,
            findings,
            limit,
            breakdown,
            exposure_before: before,
            exposure_after: after,
            available: limit.saturating_sub(before),
        })
    }

    /// A customer's credit position on `date`: the static check of an order of nothing (exposure
    /// by category, limit, available credit, and what already stands against the account).
    pub fn credit_position(&self, customer: &CustomerId, date: NaiveDate) -> Result<CreditCheck> {
        self.check_order(customer, Decimal::ZERO, date, CheckMode::Static)
    }

    /// Sets the business day (today): exposures and overdue amounts for that day are then kept
    /// current as documents are posted, and checks on that day read them in O(1).
    pub fn set_business_day(&mut self, date: NaiveDate) {
        self.business_day = Some(date);
        self.receivables.set_business_day(date, &self.overdue_thresholds);
        let customers: Vec<CustomerId> = self.accounts.values().map(|e| e.account.customer.clone()).collect();
        for customer in customers {
            self.refresh_position(&customer);
        }
    }

    /// The book of a dataset on `as_of`: its credit accounts, open and shipped orders, and the
    /// invoices and payments dated up to then (all invoices first, then payments, each in date
    /// order, so a payment can settle any invoice it names).
    pub fn from_dataset(dataset: &Dataset, as_of: NaiveDate, policy: CreditPolicy) -> Result<Self> {
        let mut book = CreditBook::new(dataset.currency.clone(), policy);
        for account in &dataset.credit_accounts {
            book.open_account(account.clone())?;
        }
        let shipped = shipped_values(dataset, as_of);
        let with_account: std::collections::HashSet<&CustomerId> =
            dataset.credit_accounts.iter().map(|a| &a.customer).collect();
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
        let mut invoices: Vec<&Invoice> =
            dataset.invoices.iter().filter(|i| i.date <= as_of && with_account.contains(&i.customer)).collect();
        invoices.sort_by_key(|i| i.date);
        for invoice in invoices {
            book.post_invoice(invoice)?;
        }
        let mut payments: Vec<&Payment> =
            dataset.payments.iter().filter(|p| p.date <= as_of && with_account.contains(&p.customer)).collect();
        payments.sort_by_key(|p| p.date);
        for payment in payments {
            book.post_payment(payment)?;
        }
        book.set_business_day(as_of);
        Ok(book)
    }

    /// Customers with an account, sorted.
    pub fn customers(&self) -> Vec<&CustomerId> {
        let mut ids: Vec<&CustomerId> = self.accounts.values().map(|e| &e.account.customer).collect();
        ids.sort();
        ids
    }
}

/// Replays the credit check of every order taken after `from` up to `to` by a customer with a
/// credit account, each against the book as it stood the evening before the order's day (one
/// book per day), in order-date order: which orders a check would have blocked or warned about.
pub fn replay_order_checks(
    dataset: &Dataset,
    from: NaiveDate,
    to: NaiveDate,
    policy: &CreditPolicy,
    mode: CheckMode,
) -> Result<Vec<(OrderId, CreditCheck)>> {
    let with_account: std::collections::HashSet<&CustomerId> =
        dataset.credit_accounts.iter().map(|a| &a.customer).collect();
    let mut orders: Vec<&crate::model::SalesOrder> = dataset
        .orders
        .iter()
        .filter(|o| o.order_date > from && o.order_date <= to && with_account.contains(&o.customer))
        .collect();
    orders.sort_by(|a, b| (a.order_date, &a.id).cmp(&(b.order_date, &b.id)));
    let mut out = Vec::with_capacity(orders.len());
    let mut book: Option<(NaiveDate, CreditBook)> = None;
    for order in orders {
        let evening_before = order.order_date.pred_opt().unwrap_or(order.order_date);
        if book.as_ref().is_none_or(|(day, _)| *day != evening_before) {
            book = Some((evening_before, CreditBook::from_dataset(dataset, evening_before, policy.clone())?));
        }
        if let Some((_, b)) = &book {
            out.push((order.id.clone(), b.check_order(&order.customer, order.total(), order.order_date, mode)?));
        }
    }
    Ok(out)
}

/// The policy's overdue rules as (days, blocks), blocking first.
fn overdue_rules(policy: &CreditPolicy) -> Vec<(u32, bool)> {
    [(policy.block_overdue_days, true), (policy.warn_overdue_days, false)]
        .into_iter()
        .filter_map(|(days, blocks)| Some((days?, blocks)))
        .collect()
}

/// Value shipped (at the order's net prices) per order, from shipments dated up to `as_of`.
fn shipped_values(dataset: &Dataset, as_of: NaiveDate) -> HashMap<OrderId, Decimal> {
    let orders: HashMap<&OrderId, &crate::model::SalesOrder> = dataset.orders.iter().map(|o| (&o.id, o)).collect();
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
