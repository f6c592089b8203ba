//! The order credit check: its modes, decision, reasons and findings, the check of one order
//! against the book (which never changes it), and the replay of past orders' checks.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::CreditBook;
use super::position::Exposure;
use crate::credit::policy::{CreditPolicy, ExposureKind, OverLimitAction};
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::RiskClass;
use crate::model::exact::saturating_div;
use crate::model::{CustomerId, OrderId};

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
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum), uniffi(name = "CreditDecision"))]
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Finding {
    /// True when it blocks the order, false for a warning.
    pub blocks: bool,
    /// The reason, with its figures.
    #[serde(flatten)]
    pub reason: Reason,
}

/// A credit check of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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
    /// limit; the largest Decimal where the quotient does not fit one (a limit of 10^-28).
    ///
    /// ```
    /// use omo_core::credit::{CheckMode, CreditAccount, CreditBook, CreditPolicy};
    /// use omo_core::model::{Currency, CustomerId, OrderId};
    /// use rust_decimal::Decimal;
    /// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
    /// let (cny, d01) = (Currency::new("CNY")?, CustomerId::new("D-01")?);
    /// let used = |limit: Decimal| -> Result<Option<Decimal>, omo_core::OmoError> {
    ///     let mut book = CreditBook::new(cny.clone(), CreditPolicy::default());
    ///     book.open_account(CreditAccount::new(d01.clone(), limit, 30, cny.clone())?)?;
    ///     book.book_order(OrderId::new("SO-1")?, &d01, Decimal::from(70_000), day)?;
    ///     Ok(book.check_order(&d01, Decimal::ZERO, day, CheckMode::Static)?.limit_used())
    /// };
    /// assert_eq!(used(Decimal::from(100_000))?, Some(Decimal::new(7, 1)));
    /// assert_eq!(used(Decimal::new(1, 28))?, Some(Decimal::MAX)); // found by fuzz_engine
    /// assert_eq!(used(Decimal::ZERO)?, None);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn limit_used(&self) -> Option<Decimal> {
        (!self.limit.is_zero()).then(|| saturating_div(self.exposure_before, self.limit))
    }

    /// The finding with this reason `code` (`"limit_exceeded"`, `"near_limit"`, ...), if any.
    pub fn finding(&self, code: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.reason.code() == code)
    }
}

impl CreditBook {
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
