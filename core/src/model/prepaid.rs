//! Prepaid pre-season orders: the customer pays a deposit before the season for a bigger discount,
//! stock is reserved, and the goods are picked up later.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::ids::{CustomerId, NodeId, PrepaidOrderId, ProductId};
use super::issues::{Check, Issues};
use super::order::{SalesLine, lines_total};

/// Goods collected against a prepaid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pickup {
    /// When.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// What.
    pub product: ProductId,
    /// How much; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
}

/// A prepaid pre-season order with deferred pickup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepaidOrder {
    /// The order's id.
    pub id: PrepaidOrderId,
    /// Who ordered.
    pub customer: CustomerId,
    /// When the order was placed.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub order_date: NaiveDate,
    /// The node holding the reserved stock.
    pub reserve_at: NodeId,
    /// First day goods may be picked up.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub pickup_from: NaiveDate,
    /// Last day goods may be picked up.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub pickup_until: NaiveDate,
    /// Ordered lines (with the pre-season discount).
    pub lines: Vec<SalesLine>,
    /// Deposit received.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub deposit: Decimal,
    /// Pickups so far.
    #[serde(default)]
    pub pickups: Vec<Pickup>,
}

impl PrepaidOrder {
    /// Net amount of the order.
    pub fn total(&self) -> Decimal {
        lines_total(&self.lines)
    }

    /// Units of `product` still reserved (ordered minus picked up), never below zero.
    pub fn reserved(&self, product: &ProductId) -> Decimal {
        let ordered: Decimal = self.lines.iter().filter(|l| &l.product == product).map(|l| l.quantity).sum();
        let picked: Decimal = self.pickups.iter().filter(|p| &p.product == product).map(|p| p.quantity).sum();
        (ordered - picked).max(Decimal::ZERO)
    }
}

impl Check for PrepaidOrder {
    const ENTITY: &'static str = "prepaid_order";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.lines.is_empty() {
            issues.push("lines", "a prepaid order needs at least one line");
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.check(i, issues);
        }
        issues.amount("deposit", self.deposit);
        if self.deposit > self.total() {
            issues.push("deposit", format!("deposit {} exceeds the order total {}", self.deposit, self.total()));
        }
        issues.not_before("pickup_from", self.pickup_from, "order_date", self.order_date);
        issues.not_before("pickup_until", self.pickup_until, "pickup_from", self.pickup_from);
        for (i, pickup) in self.pickups.iter().enumerate() {
            issues.positive_quantity(format_args!("pickups[{i}].quantity"), pickup.quantity);
            if !self.lines.iter().any(|l| l.product == pickup.product) {
                issues.push(
                    format_args!("pickups[{i}].product"),
                    format!("product {} is not on the order", pickup.product),
                );
            }
        }
        let mut ordered: BTreeMap<&ProductId, Decimal> = BTreeMap::new();
        for line in &self.lines {
            *ordered.entry(&line.product).or_default() += line.quantity;
        }
        for (product, ordered) in ordered {
            let picked: Decimal = self.pickups.iter().filter(|p| &p.product == product).map(|p| p.quantity).sum();
            if picked > ordered {
                issues.push("pickups", format!("{picked} of {product} picked up but only {ordered} ordered"));
            }
        }
    }
}
