//! Stock transactions: movements in and out of a node, physical counts, and POS sell-out.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, NodeId, ProductId};
use super::issues::{Check, Issues};
use crate::error::Result;

/// The kind of a stock movement, which fixes its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Goods received (from production, a supplier, or an upstream seller): a purchase (進貨).
    Receipt,
    /// Goods sold out of the node (銷售).
    Sale,
    /// Goods a customer brought back.
    CustomerReturn,
    /// Goods sent back to the supplier.
    SupplierReturn,
    /// Goods arriving from another node of ours.
    TransferIn,
    /// Goods leaving for another node of ours.
    TransferOut,
    /// A correction (count difference, damage, write-off): the only signed kind.
    Adjustment,
}

impl MovementKind {
    /// Every kind.
    pub const ALL: [MovementKind; 7] = [
        MovementKind::Receipt,
        MovementKind::Sale,
        MovementKind::CustomerReturn,
        MovementKind::SupplierReturn,
        MovementKind::TransferIn,
        MovementKind::TransferOut,
        MovementKind::Adjustment,
    ];

    /// +1 for kinds that add stock, -1 for kinds that take it; adjustments carry their own sign (+1).
    pub fn sign(self) -> Decimal {
        if self.is_outflow() { Decimal::NEGATIVE_ONE } else { Decimal::ONE }
    }

    /// The signed change a movement of this kind and `quantity` makes to the node's stock.
    ///
    /// ```
    /// use omo_core::model::MovementKind;
    /// use rust_decimal::Decimal;
    /// assert_eq!(MovementKind::Sale.stock_change(Decimal::from(3)), Decimal::from(-3));
    /// assert_eq!(MovementKind::Adjustment.stock_change(Decimal::from(-2)), Decimal::from(-2));
    /// // Exactly `sign() * quantity`: the scale kept, and a zero without one.
    /// let sold = MovementKind::Sale.stock_change(Decimal::new(250, 2));
    /// assert_eq!(sold.to_string(), (MovementKind::Sale.sign() * Decimal::new(250, 2)).to_string());
    /// assert_eq!(sold.to_string(), "-2.50");
    /// assert_eq!(MovementKind::Adjustment.stock_change(Decimal::new(0, 2)).to_string(), "0");
    /// ```
    pub fn stock_change(self, quantity: Decimal) -> Decimal {
        // The product of `sign()` and `quantity` without multiplying (it is asked several
        // times an event): negated or not, and a zero as a product makes it, without a scale.
        if quantity.is_zero() {
            Decimal::ZERO
        } else if self.is_outflow() {
            -quantity
        } else {
            quantity
        }
    }

    /// True for the kinds that take stock out of the node: sale, supplier return, transfer out.
    ///
    /// ```
    /// use omo_core::model::MovementKind;
    /// assert!(MovementKind::Sale.is_outflow());
    /// assert!(!MovementKind::Adjustment.is_outflow()); // signed: its quantity says
    /// ```
    pub fn is_outflow(self) -> bool {
        matches!(self, MovementKind::Sale | MovementKind::SupplierReturn | MovementKind::TransferOut)
    }

    /// The kind's name as used in JSON and data frames (`"customer_return"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Receipt => "receipt",
            MovementKind::Sale => "sale",
            MovementKind::CustomerReturn => "customer_return",
            MovementKind::SupplierReturn => "supplier_return",
            MovementKind::TransferIn => "transfer_in",
            MovementKind::TransferOut => "transfer_out",
            MovementKind::Adjustment => "adjustment",
        }
    }

    /// True for the two transfer kinds, which name the other node.
    pub fn is_transfer(self) -> bool {
        matches!(self, MovementKind::TransferIn | MovementKind::TransferOut)
    }
}

/// One stock movement of one product at one node on one day.
///
/// `quantity` is positive for every kind except [`MovementKind::Adjustment`], which is signed.
///
/// ```
/// use omo_core::model::{StockMovement, MovementKind, NodeId, ProductId};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let sale = StockMovement::new(
///     NodeId::new("R-001")?, ProductId::new("UREA-50")?, NaiveDate::from_ymd_opt(2025, 3, 14).unwrap(),
///     MovementKind::Sale, Decimal::from(12),
/// )?;
/// assert_eq!(sale.stock_change(), Decimal::from(-12));
/// assert!(StockMovement::new(sale.node.clone(), sale.product.clone(), sale.date, MovementKind::Sale, Decimal::ZERO).is_err());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockMovement {
    /// Where the stock moved.
    pub node: NodeId,
    /// What moved.
    pub product: ProductId,
    /// When (the booking date).
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// What kind of movement.
    pub kind: MovementKind,
    /// How much, in the product's unit.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
    /// For transfers, the other node.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub counterparty: Option<NodeId>,
    /// The document behind it (order, shipment, count), free text.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub reference: Option<String>,
}

impl StockMovement {
    /// A movement with no counterparty or reference.
    pub fn new(
        node: NodeId,
        product: ProductId,
        date: NaiveDate,
        kind: MovementKind,
        quantity: Decimal,
    ) -> Result<Self> {
        StockMovement { node, product, date, kind, quantity, counterparty: None, reference: None }.validated()
    }

    /// The signed change this movement makes to the node's stock.
    pub fn stock_change(&self) -> Decimal {
        self.kind.stock_change(self.quantity)
    }
}

impl Check for StockMovement {
    const ENTITY: &'static str = "stock_movement";
    fn issue_id(&self) -> Option<String> {
        None
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.kind == MovementKind::Adjustment {
            issues.signed_quantity("quantity", self.quantity);
        } else {
            issues.positive_quantity("quantity", self.quantity);
        }
        if self.counterparty.as_ref() == Some(&self.node) {
            issues.push("counterparty", "a transfer cannot go to the node it comes from");
        }
        if self.counterparty.is_some() && !self.kind.is_transfer() {
            issues.push("counterparty", format!("only transfers name a counterparty, not a {}", self.kind.as_str()));
        }
    }
}

/// A physical stock count: what was found at a node on a day (after that day's movements).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockCount {
    /// Where.
    pub node: NodeId,
    /// What.
    pub product: ProductId,
    /// When (counted at the end of the day).
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// Quantity found.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub counted: Decimal,
}

impl StockCount {
    /// A count.
    pub fn new(node: NodeId, product: ProductId, date: NaiveDate, counted: Decimal) -> Result<Self> {
        StockCount { node, product, date, counted }.validated()
    }
}

impl Check for StockCount {
    const ENTITY: &'static str = "stock_count";
    fn issue_id(&self) -> Option<String> {
        None
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_negative_quantity("counted", self.counted);
    }
}

/// A point-of-sale record: a sale to an end user at a retailer (sell-out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PosSale {
    /// The retailer's node.
    pub node: NodeId,
    /// What was sold.
    pub product: ProductId,
    /// When.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// How much; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
    /// What the end user paid in all.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub revenue: Decimal,
    /// The end user, where known (a member farmer).
    #[serde(default)]
    pub customer: Option<CustomerId>,
}

impl PosSale {
    /// A POS sale to an anonymous end user.
    pub fn new(node: NodeId, product: ProductId, date: NaiveDate, quantity: Decimal, revenue: Decimal) -> Result<Self> {
        PosSale { node, product, date, quantity, revenue, customer: None }.validated()
    }
}

impl Check for PosSale {
    const ENTITY: &'static str = "pos_sale";
    fn issue_id(&self) -> Option<String> {
        None
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.positive_quantity("quantity", self.quantity);
        issues.amount("revenue", self.revenue);
    }
}
