//! What a dataset holds at a glance: the company, its currency and date, and its record counts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::model::Currency;

/// The company, its reporting currency, its date and how many records of each main kind it holds.
///
/// ```
/// use omo_core::sample::{SampleConfig, sample_company};
/// let company = sample_company(&SampleConfig::small(7))?;
/// let summary = company.summary();
/// assert_eq!((summary.customers, summary.movements), (company.customers.len(), company.movements.len()));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DatasetSummary {
    /// The company.
    pub company: String,
    /// Its reporting currency (ISO 4217).
    pub currency: Currency,
    /// The dataset's date: the latest transaction's day, or later.
    pub as_of: NaiveDate,
    /// Products.
    pub products: usize,
    /// Customers of every tier.
    pub customers: usize,
    /// Supply-chain nodes.
    pub nodes: usize,
    /// Stock movements.
    pub movements: usize,
    /// Point-of-sale sales.
    pub pos_sales: usize,
    /// Sales orders.
    pub orders: usize,
    /// Invoices and credit notes.
    pub invoices: usize,
    /// Payments.
    pub payments: usize,
    /// Credit accounts.
    pub credit_accounts: usize,
}

impl Dataset {
    /// The dataset at a glance.
    pub fn summary(&self) -> DatasetSummary {
        DatasetSummary {
            company: self.company.clone(),
            currency: self.currency.clone(),
            as_of: self.as_of,
            products: self.products.len(),
            customers: self.customers.len(),
            nodes: self.nodes.len(),
            movements: self.movements.len(),
            pos_sales: self.pos_sales.len(),
            orders: self.orders.len(),
            invoices: self.invoices.len(),
            payments: self.payments.len(),
            credit_accounts: self.credit_accounts.len(),
        }
    }
}
