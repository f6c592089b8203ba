//! What an event or the passing of time changed, as the engine reports it to its caller and its
//! subscribers: each change carries the sequence number of the event that caused it (or of the
//! last event, for time passing), its business date, and what to do about it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::{CustomerId, NodeId, OrderId, ProductId};

/// One change.
///
/// ```
/// use omo_core::engine::{Change, ChangeKind};
/// use omo_core::model::{NodeId, ProductId};
/// let change = Change {
///     seq: 7,
///     date: chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
///     what: ChangeKind::StockOut { node: NodeId::new("DC")?, product: ProductId::new("UREA")?, on_hand: 0.into() },
/// };
/// let json = serde_json::to_value(&change).unwrap();
/// assert_eq!(json["type"], "stock_out");
/// assert_eq!(json["seq"], 7);
/// assert_eq!(change.action(), "replenish UREA at DC: nothing left on hand");
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The sequence number of the event that caused it.
    pub seq: u64,
    /// The business date it happened on.
    pub date: NaiveDate,
    /// What changed.
    #[serde(flatten)]
    pub what: ChangeKind,
}

/// The kinds of change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A node ran out of a product: a movement left nothing (or less) on hand.
    StockOut {
        /// The node.
        node: NodeId,
        /// The product.
        product: ProductId,
        /// Stock on hand after the movement (zero, or below where negative stock is allowed).
        on_hand: Decimal,
    },
    /// An order came in that the credit check blocks: it is recorded (the ERP took it) and
    /// should be held until the customer pays or the limit is raised.
    OrderBlocked {
        /// The order.
        order: OrderId,
        /// Who ordered.
        customer: CustomerId,
        /// The order's amount.
        amount: Decimal,
        /// The credit available before the order.
        available: Decimal,
        /// Why, as codes (`limit_exceeded`, `overdue`, `account_blocked`, ...).
        codes: Vec<String>,
        /// Why, in words.
        reasons: Vec<String>,
    },
}

impl Change {
    /// What to do about the change, in words.
    pub fn action(&self) -> String {
        match &self.what {
            ChangeKind::StockOut { node, product, .. } => {
                format!("replenish {product} at {node}: nothing left on hand")
            }
            ChangeKind::OrderBlocked { order, customer, amount, reasons, .. } => {
                format!("hold order {order} of {amount} for customer {customer}: {}", reasons.join("; "))
            }
        }
    }
}
