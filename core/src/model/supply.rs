//! The supply side of the business: what the plant can make (production lines, their capacity
//! and rates), what a product is made of (bills of materials), the materials in stock, who
//! supplies materials and finished products (suppliers and OEM suppliers, with their lead times,
//! minimum orders and agreed prices), and the purchase and production orders placed on them.
//!
//! ```
//! use omo_core::model::{Item, SupplyData};
//! let supply: SupplyData = serde_json::from_str(r#"{
//!   "materials": [{"id": "UREA", "name": "Urea", "unit": "t", "standard_cost": "2100"}],
//!   "boms": [{"product": "NPK", "components": [{"item": {"material": "UREA"}, "quantity": "0.02"}]}]
//! }"#)?;
//! assert_eq!(supply.boms[0].components[0].item, Item::Material("UREA".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{LineId, MaterialId, NodeId, ProductId, ProductionOrderId, PurchaseOrderId, SupplierId};
use super::issues::{Check, Issues};

/// Something that is planned, stocked and bought: a finished product or a material.
///
/// JSON: `{"product": "NPK-15"}` or `{"material": "UREA"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// A product of the catalogue (also an intermediate made in the plant).
    Product(ProductId),
    /// A material bought for production.
    Material(MaterialId),
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Item::Product(id) => write!(f, "product {id}"),
            Item::Material(id) => write!(f, "material {id}"),
        }
    }
}

/// A raw material or packaging item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// The material's id.
    pub id: MaterialId,
    /// Display name.
    pub name: String,
    /// Unit of measure (t, kg, piece).
    pub unit: String,
    /// Standard cost per unit, in the company's currency.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub standard_cost: Decimal,
}

/// Stock of a material on hand at a node (a plant), as of the dataset's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialStock {
    /// Where it is held.
    pub node: NodeId,
    /// The material.
    pub material: MaterialId,
    /// Quantity on hand.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
}

/// How fast a line makes one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRate {
    /// The product made.
    pub product: ProductId,
    /// Units made per hour of the line's time.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub units_per_hour: Decimal,
}

/// The hours a line has in one month, where they differ from its usual month (a shutdown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineHours {
    /// Any day of the month (its first day, by convention).
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub month: NaiveDate,
    /// Hours available that month.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub hours: Decimal,
}

/// A production line of a plant: its hours per month and the products it makes at what rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionLine {
    /// The line's id.
    pub id: LineId,
    /// Display name.
    pub name: String,
    /// The plant it stands in (a node of kind `plant`).
    pub node: NodeId,
    /// Hours available in a usual month.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub hours_per_month: Decimal,
    /// Months with other hours (maintenance, holidays).
    #[serde(default)]
    pub calendar: Vec<LineHours>,
    /// What it makes.
    pub rates: Vec<LineRate>,
}

impl ProductionLine {
    /// Hours available in the month starting on (or containing) `month`.
    ///
    /// ```
    /// use omo_core::model::{LineHours, ProductionLine};
    /// use rust_decimal::Decimal;
    /// let day = |m| chrono::NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
    /// let line = ProductionLine {
    ///     id: "L1".parse()?, name: "Granulation 1".into(), node: "PLANT-1".parse()?,
    ///     hours_per_month: Decimal::from(400),
    ///     calendar: vec![LineHours { month: day(8), hours: Decimal::ZERO }],
    ///     rates: vec![],
    /// };
    /// assert_eq!(line.hours_in(day(7)), Decimal::from(400));
    /// assert_eq!(line.hours_in(day(8)), Decimal::ZERO);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn hours_in(&self, month: NaiveDate) -> Decimal {
        use chrono::Datelike;
        self.calendar
            .iter()
            .find(|c| (c.month.year(), c.month.month()) == (month.year(), month.month()))
            .map_or(self.hours_per_month, |c| c.hours)
    }

    /// Units of `product` per hour on this line, if it makes it.
    pub fn rate_of(&self, product: &ProductId) -> Option<Decimal> {
        self.rates.iter().find(|r| &r.product == product).map(|r| r.units_per_hour)
    }
}

/// One component of a bill of materials: how much of an item one batch consumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// The item consumed.
    pub item: Item,
    /// Quantity consumed per batch of the parent.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
}

fn one() -> Decimal {
    Decimal::ONE
}

/// A product's bill of materials (配方): what one batch of `batch` units is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillOfMaterials {
    /// The product made.
    pub product: ProductId,
    /// Units of the product one batch yields (1 by default).
    #[serde(default = "one", deserialize_with = "crate::model::exact::decimal")]
    pub batch: Decimal,
    /// What a batch consumes.
    pub components: Vec<Component>,
}

/// Whether a supplier sells us materials or makes finished products for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplierKind {
    /// Sells raw materials or packaging.
    Material,
    /// Makes finished products to our specification (an OEM supplier).
    Oem,
}

impl SupplierKind {
    /// The kind as the dataset JSON writes it: `"material"` or `"oem"`.
    ///
    /// ```
    /// assert_eq!(omo_core::model::SupplierKind::Oem.as_str(), "oem");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SupplierKind::Material => "material",
            SupplierKind::Oem => "oem",
        }
    }
}

/// The agreed terms on which a supplier delivers one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyTerms {
    /// The item supplied.
    pub item: Item,
    /// Days from the order to the delivery.
    pub lead_time_days: u32,
    /// The smallest quantity an order may have.
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub minimum_order: Decimal,
    /// Orders come in whole multiples of this (1 by default).
    #[serde(default = "one", deserialize_with = "crate::model::exact::decimal")]
    pub multiple: Decimal,
    /// The agreed price per unit.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub price: Decimal,
}

/// A supplier of materials, or an OEM supplier, with the items it delivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    /// The supplier's id.
    pub id: SupplierId,
    /// Display name.
    pub name: String,
    /// Materials or finished products.
    pub kind: SupplierKind,
    /// Its node in the supply chain, where our consigned stock sits (an OEM supplier's).
    #[serde(default)]
    pub node: Option<NodeId>,
    /// The items it delivers and on what terms.
    pub items: Vec<SupplyTerms>,
}

impl Supplier {
    /// The terms for `item`, if the supplier delivers it.
    pub fn terms_of(&self, item: &Item) -> Option<&SupplyTerms> {
        self.items.iter().find(|t| &t.item == item)
    }
}

/// One line of a purchase order, with what arrived of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseLine {
    /// The item ordered.
    pub item: Item,
    /// Quantity ordered.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
    /// Price per unit on the order.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub price: Decimal,
    /// The delivery date the supplier promised.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub promised_date: NaiveDate,
    /// The day the goods arrived (the last delivery when split); `None` while open.
    #[serde(default, deserialize_with = "crate::model::exact::option_date")]
    pub received_date: Option<NaiveDate>,
    /// Quantity received, rejected units included.
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub received_quantity: Decimal,
    /// Of the received quantity, how much failed inspection and went back.
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub rejected_quantity: Decimal,
}

impl PurchaseLine {
    /// Units still to come: ordered less received, once nothing has arrived; zero once received.
    pub fn open_quantity(&self) -> Decimal {
        if self.received_date.is_some() {
            Decimal::ZERO
        } else {
            (self.quantity - self.received_quantity).max(Decimal::ZERO)
        }
    }
}

/// A purchase order to a supplier (materials) or an OEM supplier (finished products).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurchaseOrder {
    /// The order's id.
    pub id: PurchaseOrderId,
    /// Who it is placed with.
    pub supplier: SupplierId,
    /// When it was placed.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub order_date: NaiveDate,
    /// The node the goods go to.
    pub deliver_to: NodeId,
    /// What is ordered.
    pub lines: Vec<PurchaseLine>,
}

impl PurchaseOrder {
    /// The order as it stood at the end of `date`: its lines received later open again.
    pub fn as_of(&self, date: NaiveDate) -> PurchaseOrder {
        let line = |l: &PurchaseLine| match l.received_date {
            Some(d) if d > date => PurchaseLine {
                received_date: None,
                received_quantity: Decimal::ZERO,
                rejected_quantity: Decimal::ZERO,
                ..l.clone()
            },
            _ => l.clone(),
        };
        PurchaseOrder { lines: self.lines.iter().map(line).collect(), ..self.clone() }
    }

    /// The day of its last change: the latest of its order date and its lines' receipts.
    pub fn last_change(&self) -> NaiveDate {
        self.lines.iter().filter_map(|l| l.received_date).fold(self.order_date, NaiveDate::max)
    }

    /// Good units of `material` received: received less rejected, over its lines.
    pub fn good_received(&self, material: &MaterialId) -> Decimal {
        self.lines
            .iter()
            .filter(|l| l.received_date.is_some() && l.item == Item::Material(material.clone()))
            .map(|l| l.received_quantity - l.rejected_quantity)
            .sum()
    }
}

/// Where a production order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductionStatus {
    /// Planned, not yet released to the floor.
    Planned,
    /// Released: materials issued, running.
    Released,
    /// Finished: output and scrap booked.
    Done,
}

/// A production order: a quantity of one product to make on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductionOrder {
    /// The order's id.
    pub id: ProductionOrderId,
    /// The line it runs on.
    pub line: LineId,
    /// The product made.
    pub product: ProductId,
    /// Quantity planned.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
    /// Planned start.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub start: NaiveDate,
    /// Planned finish.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub due: NaiveDate,
    /// Where it stands.
    pub status: ProductionStatus,
    /// Good units made (done orders).
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub output: Decimal,
    /// Units scrapped (done orders).
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub scrap: Decimal,
    /// The day it finished (done orders).
    #[serde(default, deserialize_with = "crate::model::exact::option_date")]
    pub finished: Option<NaiveDate>,
}

impl ProductionOrder {
    /// The order as it stood at the end of `date`: one finished later was still released.
    pub fn as_of(&self, date: NaiveDate) -> ProductionOrder {
        match self.finished {
            Some(d) if d > date => ProductionOrder {
                status: ProductionStatus::Released,
                output: Decimal::ZERO,
                scrap: Decimal::ZERO,
                finished: None,
                ..self.clone()
            },
            _ => self.clone(),
        }
    }

    /// The day of its last change: when it finished, else its start.
    pub fn last_change(&self) -> NaiveDate {
        self.finished.unwrap_or(self.start)
    }
}

/// Every supply-side record of a company: the `supply` section of the dataset's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyData {
    /// Materials.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Materials on hand.
    #[serde(default)]
    pub material_stock: Vec<MaterialStock>,
    /// Production lines.
    #[serde(default)]
    pub production_lines: Vec<ProductionLine>,
    /// Bills of materials, one per product made.
    #[serde(default)]
    pub boms: Vec<BillOfMaterials>,
    /// Suppliers and OEM suppliers.
    #[serde(default)]
    pub suppliers: Vec<Supplier>,
    /// Purchase orders, open and received.
    #[serde(default)]
    pub purchase_orders: Vec<PurchaseOrder>,
    /// Production orders, planned to done.
    #[serde(default)]
    pub production_orders: Vec<ProductionOrder>,
}

impl SupplyData {
    /// What `order`'s output and scrap used of each material by its product's bill of materials,
    /// at its line's plant: `(plant, material, quantity)`; nothing without a line, a bill of
    /// materials or a batch size.
    pub fn materials_used(&self, order: &ProductionOrder) -> Vec<(NodeId, MaterialId, Decimal)> {
        let (Some(bom), Some(line)) = (
            self.boms.iter().find(|b| b.product == order.product),
            self.production_lines.iter().find(|l| l.id == order.line),
        ) else {
            return Vec::new();
        };
        if bom.batch.is_zero() {
            return Vec::new();
        }
        bom.components
            .iter()
            .filter_map(|c| match &c.item {
                Item::Material(m) => {
                    Some((line.node.clone(), m.clone(), c.quantity * (order.output + order.scrap) / bom.batch))
                }
                Item::Product(_) => None,
            })
            .collect()
    }

    /// True when the company gave no supply-side data.
    pub fn is_empty(&self) -> bool {
        *self == SupplyData::default()
    }

    /// How many records it holds.
    pub fn record_count(&self) -> usize {
        self.materials.len()
            + self.material_stock.len()
            + self.production_lines.len()
            + self.boms.len()
            + self.suppliers.len()
            + self.purchase_orders.len()
            + self.production_orders.len()
    }
}

impl Check for Material {
    const ENTITY: &'static str = "material";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        issues.non_blank("unit", &self.unit);
        issues.unit_price("standard_cost", self.standard_cost);
    }
}

impl Check for MaterialStock {
    const ENTITY: &'static str = "material_stock";
    fn issue_id(&self) -> Option<String> {
        None
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_negative_quantity("quantity", self.quantity);
    }
}

impl Check for ProductionLine {
    const ENTITY: &'static str = "production_line";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        issues.non_negative_quantity("hours_per_month", self.hours_per_month);
        for (i, month) in self.calendar.iter().enumerate() {
            issues.non_negative_quantity(format_args!("calendar[{i}].hours"), month.hours);
        }
        if self.rates.is_empty() {
            issues.push("rates", "a line must make at least one product");
        }
        for (i, rate) in self.rates.iter().enumerate() {
            issues.positive_quantity(format_args!("rates[{i}].units_per_hour"), rate.units_per_hour);
        }
    }
}

impl Check for BillOfMaterials {
    const ENTITY: &'static str = "bom";
    fn issue_id(&self) -> Option<String> {
        Some(self.product.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.positive_quantity("batch", self.batch);
        if self.components.is_empty() {
            issues.push("components", "a bill of materials needs at least one component");
        }
        for (i, component) in self.components.iter().enumerate() {
            issues.positive_quantity(format_args!("components[{i}].quantity"), component.quantity);
            if component.item == Item::Product(self.product.clone()) {
                issues.push(format_args!("components[{i}].item"), "a product cannot be its own component");
            }
        }
    }
}

impl Check for Supplier {
    const ENTITY: &'static str = "supplier";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        for (i, terms) in self.items.iter().enumerate() {
            issues.non_negative_quantity(format_args!("items[{i}].minimum_order"), terms.minimum_order);
            issues.positive_quantity(format_args!("items[{i}].multiple"), terms.multiple);
            issues.unit_price(format_args!("items[{i}].price"), terms.price);
            if terms.lead_time_days > 3_650 {
                issues.push(
                    format_args!("items[{i}].lead_time_days"),
                    format!("{} is more than ten years", terms.lead_time_days),
                );
            }
        }
    }
}

impl Check for PurchaseOrder {
    const ENTITY: &'static str = "purchase_order";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.lines.is_empty() {
            issues.push("lines", "a purchase order needs at least one line");
        }
        for (i, line) in self.lines.iter().enumerate() {
            issues.positive_quantity(format_args!("lines[{i}].quantity"), line.quantity);
            issues.unit_price(format_args!("lines[{i}].price"), line.price);
            issues.non_negative_quantity(format_args!("lines[{i}].received_quantity"), line.received_quantity);
            issues.non_negative_quantity(format_args!("lines[{i}].rejected_quantity"), line.rejected_quantity);
            if line.rejected_quantity > line.received_quantity {
                issues.push(
                    format_args!("lines[{i}].rejected_quantity"),
                    format!("{} is more than the {} received", line.rejected_quantity, line.received_quantity),
                );
            }
            issues.not_before(
                format_args!("lines[{i}].promised_date"),
                line.promised_date,
                "order_date",
                self.order_date,
            );
            if let Some(received) = line.received_date {
                issues.not_before(format_args!("lines[{i}].received_date"), received, "order_date", self.order_date);
            }
        }
    }
}

impl Check for ProductionOrder {
    const ENTITY: &'static str = "production_order";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.positive_quantity("quantity", self.quantity);
        issues.non_negative_quantity("output", self.output);
        issues.non_negative_quantity("scrap", self.scrap);
        issues.not_before("due", self.due, "start", self.start);
        match (self.status, self.finished) {
            (ProductionStatus::Done, None) => issues.push("finished", "a done order needs the day it finished"),
            (ProductionStatus::Done, Some(day)) => issues.not_before("finished", day, "start", self.start),
            (_, Some(_)) => issues.push("finished", "only a done order has a finishing day"),
            (_, None) => {}
        }
    }
}
