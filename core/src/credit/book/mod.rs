//! The credit book: accounts, receivables, open orders and shipments per customer, kept up to date
//! incrementally as documents are posted, and the order credit check, which reads the book and
//! never changes it.
//!
//! The book's state and its accounts are here; what is posted to it is in `bookings`, a
//! customer's exposure and receivables position in `position`, and the order check in `check`.

mod audit;
mod bookings;
mod check;
mod position;

pub use audit::CreditDecisionRow;
pub(crate) use bookings::shipment_value;
pub use check::{CheckMode, CreditCheck, Decision, Finding, Reason, replay_order_checks};
pub use position::Exposure;
use position::position_of;

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

use super::policy::CreditPolicy;
use super::receivables::Receivables;
use crate::error::{OmoError, Result};
use crate::model::CreditAccount;
use crate::model::{Check, Currency, CustomerId, OrderId};

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

    /// Sets the business day (today): exposures and overdue amounts for that day are then kept
    /// current as documents are posted, and checks on that day read them in O(1).
    pub fn set_business_day(&mut self, date: NaiveDate) {
        self.business_day = Some(date);
        self.receivables.set_business_day(date, &self.overdue_thresholds);
        for entry in self.accounts.values_mut() {
            entry.position =
                Some(position_of(&self.receivables, &entry.account.customer, date, &self.overdue_thresholds));
        }
    }

    /// Customers with an account, sorted.
    pub fn customers(&self) -> Vec<&CustomerId> {
        let mut ids: Vec<&CustomerId> = self.accounts.values().map(|e| &e.account.customer).collect();
        ids.sort();
        ids
    }
}

/// The policy's overdue rules as (days, blocks), blocking first.
fn overdue_rules(policy: &CreditPolicy) -> Vec<(u32, bool)> {
    [(policy.block_overdue_days, true), (policy.warn_overdue_days, false)]
        .into_iter()
        .filter_map(|(days, blocks)| Some((days?, blocks)))
        .collect()
}
