//! The product axis: categories as a tree, products (SKUs) and bundles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{BundleId, CategoryId, ProductId};
use super::issues::{Check, Issues};
use crate::error::Result;

/// A node of the product category tree (e.g. "Compound fertilizer" under "All products").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductCategory {
    /// The category's id.
    pub id: CategoryId,
    /// Its display name.
    pub name: String,
    /// The category it belongs to; `None` for a root.
    pub parent: Option<CategoryId>,
}

impl ProductCategory {
    /// A category; `parent` is `None` for a root.
    pub fn new(id: CategoryId, name: impl Into<String>, parent: Option<CategoryId>) -> Result<Self> {
        ProductCategory { id, name: name.into(), parent }.validated()
    }
}

impl Check for ProductCategory {
    const ENTITY: &'static str = "category";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        if self.parent.as_ref() == Some(&self.id) {
            issues.push("parent", "a category cannot be its own parent");
        }
    }
}

/// Where a product is in its life: new products and discontinued ones are judged differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStatus {
    /// Just launched: little history yet.
    New,
    /// Selling normally.
    #[default]
    Active,
    /// Being run down: no more purchases planned.
    PhasingOut,
    /// No longer sold.
    Discontinued,
}

/// A product: one SKU (material number) with its unit, pack, cost and price.
///
/// ```
/// use omo_core::model::{Product, ProductId, CategoryId};
/// use rust_decimal::Decimal;
/// let urea = Product::new(
///     ProductId::new("UREA-50")?, "Urea 46% 50 kg", CategoryId::new("N")?,
///     "bag", Decimal::new(9500, 2), Decimal::new(12800, 2),
/// )?;
/// assert_eq!(urea.margin(), Decimal::new(3300, 2));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// SKU / material number.
    pub id: ProductId,
    /// Display name.
    pub name: String,
    /// The (leaf) category the product belongs to.
    pub category: CategoryId,
    /// Brand; may be empty.
    #[serde(default)]
    pub brand: String,
    /// Unit of measure in which quantities of this product are booked ("bag", "kg", "t").
    pub unit: String,
    /// Units per pack (orders are rounded to whole packs); positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub pack_size: Decimal,
    /// The least quantity a replenishment order may have (a minimum order quantity); 0 for none.
    #[serde(default, deserialize_with = "crate::model::exact::decimal")]
    pub minimum_order: Decimal,
    /// Standard cost per unit, at which stock is valued.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub standard_cost: Decimal,
    /// List price per unit.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub list_price: Decimal,
    /// Lifecycle status.
    #[serde(default)]
    pub status: LifecycleStatus,
}

impl Product {
    /// An active product with pack size 1 and no brand; set the other fields afterwards.
    pub fn new(
        id: ProductId,
        name: impl Into<String>,
        category: CategoryId,
        unit: impl Into<String>,
        standard_cost: Decimal,
        list_price: Decimal,
    ) -> Result<Self> {
        Product {
            id,
            name: name.into(),
            category,
            brand: String::new(),
            unit: unit.into(),
            pack_size: Decimal::ONE,
            minimum_order: Decimal::ZERO,
            standard_cost,
            list_price,
            status: LifecycleStatus::Active,
        }
        .validated()
    }

    /// List price minus standard cost, per unit.
    pub fn margin(&self) -> Decimal {
        self.list_price - self.standard_cost
    }
}

impl Check for Product {
    const ENTITY: &'static str = "product";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        issues.non_blank("unit", &self.unit);
        issues.positive_quantity("pack_size", self.pack_size);
        issues.non_negative_quantity("minimum_order", self.minimum_order);
        issues.unit_price("standard_cost", self.standard_cost);
        issues.unit_price("list_price", self.list_price);
    }
}

/// One product of a bundle and how many units of it the bundle holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleComponent {
    /// The product.
    pub product: ProductId,
    /// Units of it per bundle; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub quantity: Decimal,
}

/// A bundle (產品套餐): a crop-nutrition plan sold as one set of products at one price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// The bundle's id.
    pub id: BundleId,
    /// Display name, e.g. "Rice plan, 1 mu".
    pub name: String,
    /// The products in the bundle; at least one, each product once.
    pub components: Vec<BundleComponent>,
    /// Price of one bundle.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub price: Decimal,
}

impl Bundle {
    /// A bundle of the given components at `price`.
    pub fn new(
        id: BundleId,
        name: impl Into<String>,
        components: Vec<BundleComponent>,
        price: Decimal,
    ) -> Result<Self> {
        Bundle { id, name: name.into(), components, price }.validated()
    }
}

impl Check for Bundle {
    const ENTITY: &'static str = "bundle";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        issues.unit_price("price", self.price);
        if self.components.is_empty() {
            issues.push("components", "a bundle needs at least one product");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, component) in self.components.iter().enumerate() {
            issues.positive_quantity(format_args!("components[{i}].quantity"), component.quantity);
            if !seen.insert(&component.product) {
                issues.push(
                    format_args!("components[{i}].product"),
                    format!("product {} appears twice", component.product),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OmoError;

    fn id(s: &str) -> ProductId {
        ProductId::new(s).unwrap()
    }

    #[test]
    fn product_constructor_reports_every_bad_field() {
        let err = Product::new(
            id("P1"),
            " ",
            CategoryId::new("C").unwrap(),
            "",
            Decimal::from(-1),
            Decimal::from(2_000_000_000i64),
        )
        .unwrap_err();
        let OmoError::Invalid { issues } = err else { panic!("expected Invalid") };
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["name", "unit", "standard_cost", "list_price"]);
        assert!(issues.iter().all(|i| i.entity == "product" && i.id == "P1"));
    }

    #[test]
    fn bundle_rejects_empty_and_repeated_products() {
        let empty = Bundle::new(BundleId::new("B").unwrap(), "Plan", vec![], Decimal::ONE);
        assert!(empty.is_err());
        let twice = vec![
            BundleComponent { product: id("P1"), quantity: Decimal::ONE },
            BundleComponent { product: id("P1"), quantity: Decimal::TWO },
        ];
        let err = Bundle::new(BundleId::new("B").unwrap(), "Plan", twice, Decimal::ONE).unwrap_err();
        assert!(err.to_string().contains("components[1].product: product P1 appears twice"), "{err}");
    }
}
