//! Sales orders and their shipments with tracking events.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, NodeId, OrderId, ProductId, ShipmentId};
use super::issues::{Check, Issues};
use crate::error::Result;

/// A priced line of an order, an invoice or a prepaid order.
///
/// ```
/// use omo_core::model::{SalesLine, ProductId};
/// use rust_decimal::Decimal;
/// let line = SalesLine::new(ProductId::new("P1")?, Decimal::from(10), Decimal::new(1250, 2))
///     .with_discount(Decimal::new(10, 2));
/// assert_eq!(line.amount(), Decimal::new(11250, 2)); // 10 x 12.50 x (1 - 0.10)
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesLine {
    /// The product.
    pub product: ProductId,
    /// Units; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
    /// Price per unit before discount.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub unit_price: Decimal,
    /// Discount as a share of the price, in `[0, 1]`.
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub discount: Decimal,
}

impl SalesLine {
    /// A line without discount.
    pub fn new(product: ProductId, quantity: Decimal, unit_price: Decimal) -> Self {
        SalesLine { product, quantity, unit_price, discount: Decimal::ZERO }
    }

    /// The same line with a discount (a share of the price).
    pub fn with_discount(mut self, discount: Decimal) -> Self {
        self.discount = discount;
        self
    }

    /// Net amount: quantity x unit price x (1 - discount).
    pub fn amount(&self) -> Decimal {
        self.quantity * self.unit_price * (Decimal::ONE - self.discount)
    }

    pub(crate) fn check(&self, index: usize, issues: &mut Issues<'_>) {
        issues.positive_quantity(format_args!("lines[{index}].quantity"), self.quantity);
        issues.unit_price(format_args!("lines[{index}].unit_price"), self.unit_price);
        issues.rate(format_args!("lines[{index}].discount"), self.discount);
    }
}

/// Sum of the net amounts of `lines`.
pub fn lines_total(lines: &[SalesLine]) -> Decimal {
    lines.iter().map(SalesLine::amount).sum()
}

/// Where an order stands.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Taken, nothing shipped yet.
    Open,
    /// Some lines shipped.
    PartiallyShipped,
    /// Everything shipped, not all invoiced.
    Shipped,
    /// Shipped and invoiced.
    Invoiced,
    /// Cancelled before shipping.
    Cancelled,
}

impl OrderStatus {
    /// The status as the dataset's JSON writes it: `open`, `partially_shipped`, `shipped`,
    /// `invoiced`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Open => "open",
            OrderStatus::PartiallyShipped => "partially_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Invoiced => "invoiced",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// A customer's sales order.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesOrder {
    /// The order's id.
    pub id: OrderId,
    /// Who ordered.
    pub customer: CustomerId,
    /// When the order was taken.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub order_date: NaiveDate,
    /// When the customer wants it, if said.
    #[serde(default, deserialize_with = "crate::model::exact::option_date")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub requested_date: Option<NaiveDate>,
    /// The node it ships from.
    pub ship_from: NodeId,
    /// Where it stands.
    pub status: OrderStatus,
    /// The lines; at least one.
    pub lines: Vec<SalesLine>,
}

impl SalesOrder {
    /// An open order.
    pub fn new(
        id: OrderId,
        customer: CustomerId,
        order_date: NaiveDate,
        ship_from: NodeId,
        lines: Vec<SalesLine>,
    ) -> Result<Self> {
        SalesOrder { id, customer, order_date, requested_date: None, ship_from, status: OrderStatus::Open, lines }
            .validated()
    }

    /// Net amount of all lines.
    pub fn total(&self) -> Decimal {
        lines_total(&self.lines)
    }
}

impl Check for SalesOrder {
    const ENTITY: &'static str = "sales_order";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.lines.is_empty() {
            issues.push("lines", "an order needs at least one line");
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check(i, issues);
        }
        if let Some(requested) = self.requested_date {
            issues.not_before("requested_date", requested, "order_date", self.order_date);
        }
    }
}

/// A quantity of one product in a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentLine {
    /// The product.
    pub product: ProductId,
    /// Units shipped; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
}

/// A step a shipment went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    /// Picked and packed at the warehouse.
    Picked,
    /// Left the warehouse.
    Dispatched,
    /// On the road.
    InTransit,
    /// Handed to the customer.
    Delivered,
    /// Something went wrong (damage, refusal, wrong address).
    Exception,
}

/// One tracking event of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackingEvent {
    /// When.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// What happened.
    pub status: TrackingStatus,
    /// Free text (carrier's note, place).
    #[serde(default)]
    pub note: String,
}

/// A shipment of (part of) an order, with its promised and actual dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    /// The shipment's id.
    pub id: ShipmentId,
    /// The order it fulfils.
    pub order: OrderId,
    /// The node it left from.
    pub from: NodeId,
    /// The node it goes to, where the customer's stock is tracked.
    pub to: Option<NodeId>,
    /// The delivery date promised to the customer.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub promised_date: NaiveDate,
    /// When it left.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub shipped_date: NaiveDate,
    /// When it arrived; `None` while on the way.
    #[serde(default, deserialize_with = "crate::model::exact::option_date")]
    pub delivered_date: Option<NaiveDate>,
    /// What it carries; at least one line.
    pub lines: Vec<ShipmentLine>,
    /// Tracking events in date order.
    #[serde(default)]
    pub events: Vec<TrackingEvent>,
}

impl Shipment {
    /// True when delivered on or before the promised date; `None` while not delivered.
    pub fn on_time(&self) -> Option<bool> {
        self.delivered_date.map(|delivered| delivered <= self.promised_date)
    }

    /// Days between promised and actual delivery (positive when late); `None` while not delivered.
    pub fn days_late(&self) -> Option<i64> {
        self.delivered_date.map(|delivered| (delivered - self.promised_date).num_days())
    }
}

impl Check for Shipment {
    const ENTITY: &'static str = "shipment";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.lines.is_empty() {
            issues.push("lines", "a shipment needs at least one line");
        }
        for (i, line) in self.lines.iter().enumerate() {
            issues.positive_quantity(format_args!("lines[{i}].quantity"), line.quantity);
        }
        if let Some(delivered) = self.delivered_date {
            issues.not_before("delivered_date", delivered, "shipped_date", self.shipped_date);
        }
        if self.events.windows(2).any(|pair| matches!(pair, [a, b] if b.date < a.date)) {
            issues.push("events", "tracking events must be in date order");
        }
    }
}
