//! Credit accounts: a customer's (or a credit group's) limit, terms, risk class, temporary
//! increases, manual block, and the audit trail of every change to them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};
use crate::model::{Check, Currency, CustomerId, Issues};

/// A risk class, from A (best) to E (worst).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
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
pub struct TemporaryIncrease {
    /// Added to the limit.
    pub amount: Decimal,
    /// First day it applies.
    pub from: NaiveDate,
    /// Last day it applies.
    pub until: NaiveDate,
}

/// One change to an account, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitChange {
    /// When.
    pub date: NaiveDate,
    /// Who.
    pub by: String,
    /// The limit before.
    pub old: Decimal,
    /// The limit after.
    pub new: Decimal,
    /// Why.
    pub reason: String,
}

/// A customer's credit account. A retailer may share the limit of its distributor: its `group`
/// then names the distributor, whose account holds the limit for all of them.
///
/// ```
/// use omo_core::credit::CreditAccount;
/// use omo_core::model::{Currency, CustomerId};
/// use rust_decimal::Decimal;
/// let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// let mut account = CreditAccount::new(CustomerId::new("D-01")?, Decimal::from(100_000), 30, Currency::new("CNY")?)?;
/// account.grant_temporary_increase(Decimal::from(50_000), day, day + chrono::Days::new(60))?;
/// assert_eq!(account.effective_limit(day), Decimal::from(150_000));
/// account.set_limit(Decimal::from(80_000), day, "credit manager", "late payments")?;
/// assert_eq!(account.history.len(), 1);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditAccount {
    /// The customer.
    pub customer: CustomerId,
    /// The customer whose account holds the shared limit, if the customer belongs to a group.
    #[serde(default)]
    pub group: Option<CustomerId>,
    /// The credit limit (0 with a blocking policy: no credit).
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
    /// Every change of the limit, oldest first.
    #[serde(default)]
    pub history: Vec<LimitChange>,
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

    /// Changes the limit and records who, when and why.
    pub fn set_limit(&mut self, new: Decimal, date: NaiveDate, by: &str, reason: &str) -> Result<()> {
        if new < Decimal::ZERO {
            return Err(OmoError::InvalidArgument {
                name: "limit",
                message: format!("a credit limit cannot be negative, got {new} for {}", self.customer),
            });
        }
        self.history.push(LimitChange { date, by: by.to_owned(), old: self.limit, new, reason: reason.to_owned() });
        self.limit = new;
        Ok(())
    }

    /// Adds a temporary increase valid from `from` to `until` (both included).
    pub fn grant_temporary_increase(&mut self, amount: Decimal, from: NaiveDate, until: NaiveDate) -> Result<()> {
        if amount <= Decimal::ZERO || until < from {
            return Err(OmoError::InvalidArgument {
                name: "temporary_increase",
                message: format!("needs a positive amount and until >= from, got {amount} from {from} until {until}"),
            });
        }
        self.temporary_increases.push(TemporaryIncrease { amount, from, until });
        Ok(())
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
            issues.amount(&format!("temporary_increases[{i}].amount"), t.amount);
            issues.not_before(&format!("temporary_increases[{i}].until"), t.until, "from", t.from);
        }
        if self.group.as_ref() == Some(&self.customer) {
            issues.push("group", "a customer cannot be its own credit group");
        }
    }
}
