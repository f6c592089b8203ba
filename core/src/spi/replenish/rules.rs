//! Reorder rules as ERP systems apply them, with every boundary an explicit option, so one rule
//! type reproduces ERPNext's material-request rule and Odoo's reordering rule exactly.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// What a node has and has coming for one product.
///
/// `projected()` is ERPNext's projected quantity and the inventory position of the textbooks:
/// on hand + on order + requested + planned - backorders - reserved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InventoryPosition {
    /// Physically on hand.
    pub on_hand: Decimal,
    /// Ordered from suppliers, not yet received.
    pub on_order: Decimal,
    /// Requested internally (material requests), not yet ordered.
    pub requested: Decimal,
    /// Planned production.
    pub planned: Decimal,
    /// Demand already owed to customers and not shipped.
    pub backorders: Decimal,
    /// Reserved: sales orders, prepaid pre-season pickups, production and subcontracting needs.
    pub reserved: Decimal,
}

impl InventoryPosition {
    /// The projected quantity (inventory position).
    ///
    /// ```
    /// use omo_core::spi::InventoryPosition;
    /// use rust_decimal::Decimal;
    /// let p = InventoryPosition { on_hand: Decimal::from(11), reserved: Decimal::from(20), ..Default::default() };
    /// assert_eq!(p.projected(), Decimal::from(-9)); // ERPNext bin.py set_projected_qty
    /// ```
    pub fn projected(&self) -> Decimal {
        self.on_hand + self.on_order + self.requested + self.planned - self.backorders - self.reserved
    }
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// When the projected quantity is at or below the reorder level (ERPNext).
    AtOrBelow,
    /// When it is strictly below the reorder level (Odoo).
    Below,
}

/// How an order is brought to a multiple of the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Up to the next multiple (never short of the target).
    Up,
    /// Down to the previous multiple (never above the maximum).
    Down,
}

/// A reorder rule: when the projected quantity reaches `reorder_level`, order what brings it up
/// to `order_up_to` (or to the reorder level when that is higher), at least `minimum_quantity`,
/// rounded to `multiple` (0: exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReorderRule {
    /// The level at which to order (min).
    pub reorder_level: Decimal,
    /// The level to order up to (max); zero for none.
    pub order_up_to: Decimal,
    /// The least quantity an order may have (ERPNext's re-order qty, a minimum order quantity).
    pub minimum_quantity: Decimal,
    /// At-or-below or strictly below.
    pub trigger: Trigger,
    /// Orders are a multiple of this (a pack size); zero for any quantity.
    pub multiple: Decimal,
    /// Up or down to the multiple.
    pub rounding: Rounding,
}

impl ReorderRule {
    /// ERPNext's item reorder rule: if `projected <= level`, order `max(qty, level - projected)`;
    /// a rule whose level and quantity are both zero is off.
    pub fn erpnext(reorder_level: Decimal, reorder_qty: Decimal) -> Self {
        ReorderRule {
            reorder_level,
            order_up_to: Decimal::ZERO,
            minimum_quantity: reorder_qty,
            trigger: Trigger::AtOrBelow,
            multiple: Decimal::ZERO,
            rounding: Rounding::Up,
        }
    }

    /// Odoo's reordering rule: if `forecast < min`, order `max(min, max) - forecast` rounded up to
    /// `qty_multiple` (the rounding of Odoo up to 17 and after 18's fix; choose
    /// [`Rounding::Down`] to reproduce 18.0 with a maximum set).
    pub fn odoo(min: Decimal, max: Decimal, qty_multiple: Decimal) -> Self {
        ReorderRule {
            reorder_level: min,
            order_up_to: max,
            minimum_quantity: Decimal::ZERO,
            trigger: Trigger::Below,
            multiple: qty_multiple,
            rounding: Rounding::Up,
        }
    }

    /// Checks the rule: no negative level, maximum, minimum or multiple.
    pub fn validated(self) -> Result<Self> {
        for (name, value) in [
            ("reorder_level", self.reorder_level),
            ("order_up_to", self.order_up_to),
            ("minimum_quantity", self.minimum_quantity),
            ("multiple", self.multiple),
        ] {
            if value < Decimal::ZERO {
                return Err(OmoError::InvalidArgument { name, message: format!("must not be negative, got {value}") });
            }
        }
        Ok(self)
    }

    /// True unless level, maximum and minimum quantity are all zero (a rule left blank).
    pub fn is_active(&self) -> bool {
        !(self.reorder_level.is_zero() && self.order_up_to.is_zero() && self.minimum_quantity.is_zero())
    }

    /// The quantity to order at projected quantity `projected` (zero when the rule does not fire).
    ///
    /// ```
    /// use omo_core::spi::ReorderRule;
    /// use rust_decimal::Decimal;
    /// let d = Decimal::from;
    /// assert_eq!(ReorderRule::erpnext(d(10), d(30)).order_quantity(d(10)), d(30));
    /// assert_eq!(ReorderRule::odoo(d(10), d(50), d(1)).order_quantity(d(10)), d(0)); // strict
    /// assert_eq!(ReorderRule::odoo(d(10), d(50), d(12)).order_quantity(d(5)), d(48));
    /// ```
    pub fn order_quantity(&self, projected: Decimal) -> Decimal {
        let fires = match self.trigger {
            Trigger::AtOrBelow => projected <= self.reorder_level,
            Trigger::Below => projected < self.reorder_level,
        };
        if !self.is_active() || !fires {
            return Decimal::ZERO;
        }
        let target = self.reorder_level.max(self.order_up_to);
        let wanted = (target - projected).max(self.minimum_quantity).max(Decimal::ZERO);
        self.round(wanted)
    }

    fn round(&self, quantity: Decimal) -> Decimal {
        if self.multiple <= Decimal::ZERO {
            return quantity;
        }
        // A multiple so small that the packs do not fit a decimal rounds nothing.
        let Some(packs) = quantity.checked_div(self.multiple) else { return quantity };
        let packs = match self.rounding {
            Rounding::Up => packs.ceil(),
            Rounding::Down => packs.floor(),
        };
        packs * self.multiple
    }
}
