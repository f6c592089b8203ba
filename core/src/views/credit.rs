//! Credit as the doors show it: every account's position ranked by the share of its limit in
//! use, with its status and risk class, and the orders of a window a credit check blocks.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Views, Window};
use chrono::NaiveDate;

use crate::credit::{CheckMode, CreditBook, CreditCheck, CreditDecisionRow, Decision, replay_order_checks};
use crate::error::Result;
use crate::model::{CustomerId, CustomerKind, OrderId, RiskClass};

/// Where an account stands against its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum LimitStatus {
    /// Exposure above the limit (the finding `limit_exceeded`).
    Over,
    /// Exposure above the policy's warning share of the limit (the finding `near_limit`).
    Near,
    /// Neither.
    Within,
}

impl LimitStatus {
    fn of(check: &CreditCheck) -> Self {
        if check.finding("limit_exceeded").is_some() {
            LimitStatus::Over
        } else if check.finding("near_limit").is_some() {
            LimitStatus::Near
        } else {
            LimitStatus::Within
        }
    }
}

/// One account's credit position on the views' day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Position {
    /// The position, as a check of an order of nothing.
    pub check: CreditCheck,
    /// The account's risk class, if it has one.
    pub risk_class: Option<RiskClass>,
    /// Exposure over the limit (1: all of it used); `None` without a limit.
    pub used: Option<rust_decimal::Decimal>,
    /// Over, near or within the limit.
    pub status: LimitStatus,
}

/// One order a credit check blocked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockedOrder {
    /// The order.
    pub order: OrderId,
    /// The check on the order's day.
    pub check: CreditCheck,
    /// The reasons that block it, in words.
    pub reasons: Vec<String>,
}

/// The orders of a window replayed through the credit check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockedOrders {
    /// The window.
    pub window: Window,
    /// How many orders were checked.
    pub checked: u64,
    /// Those blocked, in order of their day.
    pub blocked: Vec<BlockedOrder>,
}

/// Every account's position in `book` on `day`, most of its limit used first, then by customer
/// id; accounts without a limit last (the ranking of [`Views::positions`], for a door that holds
/// a book of its own).
///
/// # Errors
/// Those of [`CreditBook::credit_position`].
pub fn ranked_positions(book: &CreditBook, day: NaiveDate) -> Result<Vec<Position>> {
    let mut positions = Vec::new();
    for customer in book.customers() {
        let check = book.credit_position(customer, day)?;
        positions.push(position(book, check));
    }
    positions.sort_by(|a, b| b.used.cmp(&a.used).then_with(|| a.check.customer.cmp(&b.check.customer)));
    Ok(positions)
}

/// The position of `check`'s customer in `book`.
fn position(book: &CreditBook, check: CreditCheck) -> Position {
    let risk_class = book.account(&check.customer).map(|a| a.risk_class);
    Position { used: check.limit_used(), status: LimitStatus::of(&check), risk_class, check }
}

impl Views<'_> {
    /// One account's position on the views' day.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// let first = &views.positions(None)?[0];
    /// assert_eq!(&views.position(&first.check.customer)?, first);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`crate::OmoError::UnknownCreditAccount`] for a customer without an account.
    pub fn position(&self, customer: &CustomerId) -> Result<Position> {
        let book = self.credit_book()?;
        Ok(position(book, book.credit_position(customer, self.dataset().as_of)?))
    }

    /// Every account's position on the views' day (of one kind of customer when given), most
    /// of its limit used first, then by customer id; accounts without a limit last.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let positions = Views::new(&company).positions(None)?;
    /// assert_eq!(positions.len(), company.credit_accounts.len());
    /// assert!(positions.windows(2).all(|w| w[0].used >= w[1].used));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of the credit book.
    pub fn positions(&self, kind: Option<CustomerKind>) -> Result<Vec<Position>> {
        let d = self.dataset();
        let mut positions = ranked_positions(self.credit_book()?, d.as_of)?;
        if let Some(kind) = kind {
            let wanted: HashSet<&CustomerId> = d.customers.iter().filter(|c| c.kind == kind).map(|c| &c.id).collect();
            positions.retain(|p| wanted.contains(&p.check.customer));
        }
        Ok(positions)
    }

    /// Every account's credit decisions up to `as_of` (the views' day by default), newest first
    /// ([`CreditBook::credit_decisions`]).
    ///
    /// # Errors
    /// Those of building the credit book.
    pub fn credit_decisions(&self, as_of: Option<NaiveDate>) -> Result<Vec<CreditDecisionRow>> {
        Ok(self.credit_book()?.credit_decisions(as_of.unwrap_or(self.as_of())))
    }

    /// The orders taken in `window` (the trailing month by default) that a static credit check
    /// under the book's policy blocks.
    ///
    /// # Errors
    /// Those of [`crate::credit::replay_order_checks`].
    pub fn blocked_orders(&self, window: Option<Window>) -> Result<BlockedOrders> {
        let d = self.dataset();
        let window = window.unwrap_or_else(|| Window::trailing_month(d.as_of));
        let policy = self.credit_book()?.policy();
        let checks = replay_order_checks(d, window.from, window.to, policy, CheckMode::Static)?;
        let checked = checks.len() as u64;
        let blocked = checks
            .into_iter()
            .filter(|(_, c)| c.decision == Decision::Blocked)
            .map(|(order, check)| {
                let reasons = check.findings.iter().filter(|f| f.blocks).map(|f| f.reason.to_string()).collect();
                BlockedOrder { order, check, reasons }
            })
            .collect();
        Ok(BlockedOrders { window, checked, blocked })
    }
}
