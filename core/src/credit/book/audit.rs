//! The credit decisions of every account, newest first: what the credit manager reads and what
//! an auditor asks for.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CreditBook;
use crate::model::CustomerId;

/// One credit decision: a limit set, a temporary increase granted or ended, a block or unblock, a
/// risk class, an order let through over the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreditDecisionRow {
    /// The account.
    pub customer: CustomerId,
    /// When it was decided (or took effect).
    pub date: NaiveDate,
    /// What kind of change, as a code (`limit`, `temporary_increase`, `increase_expired`, ...).
    pub action: String,
    /// The change in words.
    pub change: String,
    /// Who decided (`omo` for what follows by itself, such as an increase's end).
    pub by: String,
    /// Why.
    pub reason: String,
}

impl CreditBook {
    /// Every account's decisions up to `as_of`, newest first (accounts by id within a day).
    ///
    /// ```
    /// use omo_core::credit::{CreditBook, CreditPolicy};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(7))?;
    /// let book = CreditBook::from_dataset(&company, company.as_of, CreditPolicy::default())?;
    /// let trail = book.credit_decisions(company.as_of);
    /// assert!(trail.windows(2).all(|w| w[0].date >= w[1].date));
    /// assert!(trail.iter().any(|d| d.action == "limit"));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn credit_decisions(&self, as_of: NaiveDate) -> Vec<CreditDecisionRow> {
        let mut rows: Vec<CreditDecisionRow> = self
            .customers()
            .into_iter()
            .filter_map(|customer| self.account(customer))
            .flat_map(|account| {
                account.audit_trail(as_of).into_iter().map(|entry| CreditDecisionRow {
                    customer: account.customer.clone(),
                    date: entry.stamp.date,
                    action: entry.change.action().to_owned(),
                    change: entry.change.to_string(),
                    by: entry.stamp.by,
                    reason: entry.stamp.reason,
                })
            })
            .collect();
        rows.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.customer.cmp(&b.customer)));
        rows
    }
}
