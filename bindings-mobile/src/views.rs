//! The records of this crate's own: the engine's summary and a series forecast. Every view the
//! engine returns, and every record an app passes in, is the core's own.

use chrono::NaiveDate;
use omo_core::forecast::Interval;
use omo_core::model::Currency;

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SnapshotInfo {
    /// The company.
    pub company: String,
    /// Its reporting currency (ISO 4217).
    pub currency: Currency,
    /// The snapshot date: the latest transaction's day (moves forward as the app records).
    pub as_of: NaiveDate,
    /// Customers in scope.
    pub customers: u64,
    /// Products.
    pub products: u64,
    /// Supply-chain nodes.
    pub nodes: u64,
    /// Sales orders, including those recorded offline.
    pub orders: u64,
    /// Payments, including those recorded offline.
    pub payments: u64,
    /// Stock movements, including those recorded offline.
    pub movements: u64,
}

/// A forecast of one series.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SeriesForecast {
    /// The model fitted, named exactly (e.g. `"ETS(A,N,N)"`).
    pub model: String,
    /// Point forecasts.
    pub mean: Vec<f64>,
    /// One interval per requested level.
    pub intervals: Vec<Interval>,
}
