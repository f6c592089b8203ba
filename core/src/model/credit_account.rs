//! Credit accounts: a customer's (or a credit group's) limit, terms, risk class, temporary
//! increases, manual block, and the audit trail of every change to them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Check, Currency, CustomerId, Issues, OrderId};
use crate::error::{OmoError, Result};

/// A risk class, from A (best) to E (worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum RiskClass {
    /// Excellent payer.
    A,
    /// Good payer.
    B,
    /// Average: the class of a new account.
    #[default]
    C,
    /// Weak: pays late, or owes a lot overdue.
    D,
    /// Bad: credit should be withdrawn.
    E,
}

impl RiskClass {
    /// Every class, best first.
    pub const ALL: [RiskClass; 5] = [RiskClass::A, RiskClass::B, RiskClass::C, RiskClass::D, RiskClass::E];

    /// `"A"` to `"E"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::A => "A",
            RiskClass::B => "B",
            RiskClass::C => "C",
            RiskClass::D => "D",
            RiskClass::E => "E",
        }
    }
}

/// A limit increase valid for a while (a season's peak, a big tender).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporaryIncrease {
    /// Added to the limit.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub amount: Decimal,
    /// First day it applies.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub from: NaiveDate,
    /// Last day it applies.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub until: NaiveDate,
}

/// When, by whom and why a change to an account was made: every change carries one.
///
/// ```
/// use omo_core::credit::AuditStamp;
/// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// let stamp = AuditStamp::new(day, "credit manager", "spring season");
/// assert_eq!(stamp.by, "credit manager");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditStamp {
    /// When the change was decided.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// Who decided it (a user, or `"omo"` for what happens by itself).
    pub by: String,
    /// Why.
    pub reason: String,
}

impl AuditStamp {
    /// A stamp of `date`, `by` and `reason`.
    pub fn new(date: NaiveDate, by: impl Into<String>, reason: impl Into<String>) -> Self {
        AuditStamp { date, by: by.into(), reason: reason.into() }
    }
}

/// What changed on an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AccountChange {
    /// The base limit changed.
    Limit {
        /// Before.
        #[serde(deserialize_with = "crate::model::exact::decimal")]
        old: Decimal,
        /// After.
        #[serde(deserialize_with = "crate::model::exact::decimal")]
        new: Decimal,
    },
    /// A temporary increase was granted.
    TemporaryIncrease(TemporaryIncrease),
    /// A temporary increase ended on its own at the end of its last day (written by
    /// [`CreditAccount::audit_trail`], never stored).
    IncreaseExpired(TemporaryIncrease),
    /// The account was blocked by hand.
    Block,
    /// The block was lifted.
    Unblock,
    /// The risk class changed.
    RiskClass {
        /// Before.
        old: RiskClass,
        /// After.
        new: RiskClass,
    },
    /// An order the credit check blocked was let through by hand.
    OverrideBlockedOrder {
        /// The order.
        order: OrderId,
        /// Its amount.
        #[serde(deserialize_with = "crate::model::exact::decimal")]
        amount: Decimal,
    },
}

impl AccountChange {
    /// The kind of change as a code: `limit`, `temporary_increase`, `increase_expired`, `block`,
    /// `unblock`, `risk_class`, `override_blocked_order` (the JSON's own tags).
    pub fn action(&self) -> &'static str {
        match self {
            AccountChange::Limit { .. } => "limit",
            AccountChange::TemporaryIncrease(_) => "temporary_increase",
            AccountChange::IncreaseExpired(_) => "increase_expired",
            AccountChange::Block => "block",
            AccountChange::Unblock => "unblock",
            AccountChange::RiskClass { .. } => "risk_class",
            AccountChange::OverrideBlockedOrder { .. } => "override_blocked_order",
        }
    }
}

impl std::fmt::Display for AccountChange {
    /// The change in words, as the report and the apps show it: `limit 100000 -> 80000`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountChange::Limit { old, new } => write!(f, "limit {old} -> {new}"),
            AccountChange::TemporaryIncrease(t) => {
                write!(f, "temporary increase of {} from {} until {}", t.amount, t.from, t.until)
            }
            AccountChange::IncreaseExpired(t) => {
                write!(f, "temporary increase of {} ended after {}", t.amount, t.until)
            }
            AccountChange::Block => f.write_str("blocked"),
            AccountChange::Unblock => f.write_str("unblocked"),
            AccountChange::RiskClass { old, new } => write!(f, "risk class {} -> {}", old.as_str(), new.as_str()),
            AccountChange::OverrideBlockedOrder { order, amount } => {
                write!(f, "blocked order {order} of {amount} let through")
            }
        }
    }
}

/// One entry of an account's audit trail: what changed, when, by whom and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// When, by whom, why.
    pub stamp: AuditStamp,
    /// What changed.
    pub change: AccountChange,
}

/// A customer's credit account. A retailer may share the limit of its distributor: its `group`
/// then names the distributor, whose account holds the limit for all of them.
///
/// ```
/// use omo_core::credit::{AuditStamp, CreditAccount};
/// use omo_core::model::{Currency, CustomerId};
/// use rust_decimal::Decimal;
/// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// let mut account = CreditAccount::new(CustomerId::new("D-01")?, Decimal::from(100_000), 30, Currency::new("CNY")?)?;
/// let stamp = |why| AuditStamp::new(day, "credit manager", why);
/// account.grant_temporary_increase(Decimal::from(50_000), day, day + chrono::Days::new(60), &stamp("spring"))?;
/// assert_eq!(account.effective_limit(day), Decimal::from(150_000));
/// account.set_limit(Decimal::from(80_000), &stamp("late payments"))?;
/// account.block(&stamp("cheque bounced"));
/// assert_eq!(account.history.len(), 3);
/// // the increase ends by itself after its last day, and the trail says so
/// let later = day + chrono::Days::new(61);
/// assert_eq!(account.effective_limit(later), Decimal::from(80_000));
/// assert_eq!(account.audit_trail(later).len(), 4);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditAccount {
    /// The customer.
    pub customer: CustomerId,
    /// The customer whose account holds the shared limit, if the customer belongs to a group.
    #[serde(default)]
    pub group: Option<CustomerId>,
    /// The credit limit (0 with a blocking policy: no credit).
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub limit: Decimal,
    /// Payment terms in days.
    pub terms_days: u32,
    /// The account's currency.
    pub currency: Currency,
    /// The risk class.
    #[serde(default)]
    pub risk_class: RiskClass,
    /// Temporary increases.
    #[serde(default)]
    pub temporary_increases: Vec<TemporaryIncrease>,
    /// Blocked by hand, with the reason.
    #[serde(default)]
    pub blocked: Option<String>,
    /// The audit trail: every change to the account (limit, increases, blocks, risk class,
    /// overridden orders), in the order made.
    #[serde(default)]
    pub history: Vec<AuditEntry>,
}

impl CreditAccount {
    /// An account of class C, not blocked, without increases or history.
    pub fn new(customer: CustomerId, limit: Decimal, terms_days: u32, currency: Currency) -> Result<Self> {
        CreditAccount {
            customer,
            group: None,
            limit,
            terms_days,
            currency,
            risk_class: RiskClass::C,
            temporary_increases: Vec::new(),
            blocked: None,
            history: Vec::new(),
        }
        .validated()
    }

    /// The limit on `date`: the base limit plus every temporary increase valid that day.
    pub fn effective_limit(&self, date: NaiveDate) -> Decimal {
        self.limit
            + self
                .temporary_increases
                .iter()
                .filter(|t| t.from <= date && date <= t.until)
                .map(|t| t.amount)
                .sum::<Decimal>()
    }

    /// The temporary increases that expired before `date` (the most recent last).
    pub fn expired_increases(&self, date: NaiveDate) -> impl Iterator<Item = &TemporaryIncrease> {
        self.temporary_increases.iter().filter(move |t| t.until < date)
    }

    /// Changes the limit; the change goes on the audit trail.
    pub fn set_limit(&mut self, new: Decimal, stamp: &AuditStamp) -> Result<()> {
        if new < Decimal::ZERO {
            return Err(OmoError::InvalidArgument {
                name: "limit",
                message: format!("a credit limit cannot be negative, got {new} for {}", self.customer),
            });
        }
        self.record(stamp, AccountChange::Limit { old: self.limit, new });
        self.limit = new;
        Ok(())
    }

    /// Adds a temporary increase valid from `from` to `until` (both included); it ends by itself
    /// after `until` ([`CreditAccount::effective_limit`]). On the audit trail.
    pub fn grant_temporary_increase(
        &mut self,
        amount: Decimal,
        from: NaiveDate,
        until: NaiveDate,
        stamp: &AuditStamp,
    ) -> Result<()> {
        if amount <= Decimal::ZERO || until < from {
            return Err(OmoError::InvalidArgument {
                name: "temporary_increase",
                message: format!("needs a positive amount and until >= from, got {amount} from {from} until {until}"),
            });
        }
        let increase = TemporaryIncrease { amount, from, until };
        self.record(stamp, AccountChange::TemporaryIncrease(increase.clone()));
        self.temporary_increases.push(increase);
        Ok(())
    }

    /// Blocks the account by hand: every order is held until [`CreditAccount::unblock`]. The
    /// stamp's reason is the block's reason.
    pub fn block(&mut self, stamp: &AuditStamp) {
        self.blocked = Some(stamp.reason.clone());
        self.record(stamp, AccountChange::Block);
    }

    /// Lifts a block.
    pub fn unblock(&mut self, stamp: &AuditStamp) {
        self.blocked = None;
        self.record(stamp, AccountChange::Unblock);
    }

    /// Changes the risk class.
    pub fn set_risk_class(&mut self, class: RiskClass, stamp: &AuditStamp) {
        self.record(stamp, AccountChange::RiskClass { old: self.risk_class, new: class });
        self.risk_class = class;
    }

    /// Records that an order the credit check blocked was let through by hand.
    pub fn override_blocked_order(&mut self, order: OrderId, amount: Decimal, stamp: &AuditStamp) {
        self.record(stamp, AccountChange::OverrideBlockedOrder { order, amount });
    }

    /// The audit trail as it stands on `as_of`: every recorded change made on or before it, and
    /// the end of every temporary increase whose last day was before it (dated the day after that
    /// last day, by `"omo"`), in date order (recorded order within a day).
    pub fn audit_trail(&self, as_of: NaiveDate) -> Vec<AuditEntry> {
        let expired = self.expired_increases(as_of).map(|t| AuditEntry {
            stamp: AuditStamp::new(t.until.succ_opt().unwrap_or(t.until), "omo", "temporary increase ended"),
            change: AccountChange::IncreaseExpired(t.clone()),
        });
        let mut trail: Vec<AuditEntry> =
            self.history.iter().filter(|e| e.stamp.date <= as_of).cloned().chain(expired).collect();
        trail.sort_by_key(|e| e.stamp.date);
        trail
    }

    fn record(&mut self, stamp: &AuditStamp, change: AccountChange) {
        self.history.push(AuditEntry { stamp: stamp.clone(), change });
    }
}

impl Check for CreditAccount {
    const ENTITY: &'static str = "credit_account";
    fn issue_id(&self) -> Option<String> {
        Some(self.customer.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.amount("limit", self.limit);
        for (i, t) in self.temporary_increases.iter().enumerate() {
            issues.amount(format_args!("temporary_increases[{i}].amount"), t.amount);
            issues.not_before(format_args!("temporary_increases[{i}].until"), t.until, "from", t.from);
        }
        if self.group.as_ref() == Some(&self.customer) {
            issues.push("group", "a customer cannot be its own credit group");
        }
    }
}
