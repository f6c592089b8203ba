//! The records of this crate's own: what an app sends (orders, payments and movements, their
//! amounts, dates and ids as text, so a malformed one is a typed error), the engine's summary and
//! a series forecast. Every view the engine returns is the core's own record.

use omo_core::forecast::Interval;
use omo_core::model::MovementKind;

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SnapshotInfo {
    /// The company.
    pub company: String,
    /// Its reporting currency (ISO 4217).
    pub currency: String,
    /// The snapshot date: the latest transaction's day (moves forward as the app records).
    pub as_of: String,
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

/// A line of an order taken offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewOrderLine {
    /// The product id.
    pub product: String,
    /// Units, a decimal number as text (`"12.5"`).
    pub quantity: String,
    /// Unit price, a decimal number as text.
    pub unit_price: String,
    /// Discount as a share of the price (`"0.05"`), if any.
    pub discount: Option<String>,
}

/// An order taken offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewOrder {
    /// A new order id.
    pub id: String,
    /// The customer id.
    pub customer: String,
    /// The day taken (ISO).
    pub date: String,
    /// The node that will ship it.
    pub ship_from: String,
    /// The lines.
    pub lines: Vec<NewOrderLine>,
}

/// A payment received offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewPayment {
    /// A new payment id.
    pub id: String,
    /// The customer id.
    pub customer: String,
    /// The day received (ISO).
    pub date: String,
    /// The amount, a decimal number as text.
    pub amount: String,
    /// Its currency (ISO 4217); the snapshot's currency when None.
    pub currency: Option<String>,
}

/// A stock movement recorded offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewMovement {
    /// The event's id, unique among the company's movements (a UUID the app makes): a movement
    /// synced twice is booked once.
    pub event_id: String,
    /// The node.
    pub node: String,
    /// The product.
    pub product: String,
    /// The day (ISO).
    pub date: String,
    /// What happened.
    pub kind: MovementKind,
    /// Units, a decimal number as text (positive; signed for adjustments).
    pub quantity: String,
}
