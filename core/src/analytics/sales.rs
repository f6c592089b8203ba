//! Sales summarised by region and product category over a date range.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{CategoryId, InvoiceKind, ProductId, RegionId};

/// Which sales to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SalesSource {
    /// The maker's invoices net of credit notes (sell-in), by the customer's region.
    Invoiced,
    /// POS sales to end users (sell-out), by the region of the retailer's node.
    SellOut,
}

/// Sales of one region and one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesCell {
    /// The region (of the customer for invoices, of the shop for POS sales).
    pub region: RegionId,
    /// The product's category.
    pub category: CategoryId,
    /// Units, net of credit notes.
    pub quantity: Decimal,
    /// Revenue, net of credit notes and discounts.
    pub revenue: Decimal,
}

/// Sales from `from` to `to` (both included) per region and category, sorted by region then
/// category; regions and categories without sales are left out.
///
/// Fails with [`OmoError::UnknownId`] naming the id when a record names a customer, node or
/// product that the dataset does not hold, or a POS sale's node has no region.
///
/// ```
/// use omo_core::analytics::{SalesSource, sales_by_region_and_category};
/// use omo_core::sample::{SampleConfig, sample_company};
/// let company = sample_company(&SampleConfig::small(1))?;
/// let year = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
/// let cells = sales_by_region_and_category(&company, year, company.as_of, SalesSource::SellOut)?;
/// assert!(cells.iter().all(|c| c.quantity > rust_decimal::Decimal::ZERO));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn sales_by_region_and_category(
    dataset: &Dataset,
    from: NaiveDate,
    to: NaiveDate,
    source: SalesSource,
) -> Result<Vec<SalesCell>> {
    let category: HashMap<&ProductId, &CategoryId> = dataset.products.iter().map(|p| (&p.id, &p.category)).collect();
    let category_of = |product: &ProductId| {
        category.get(product).copied().ok_or_else(|| OmoError::UnknownId { kind: "product", id: product.to_string() })
    };
    let mut cells: BTreeMap<(&RegionId, &CategoryId), (Decimal, Decimal)> = BTreeMap::new();
    match source {
        SalesSource::Invoiced => {
            let region: HashMap<_, _> = dataset.customers.iter().map(|c| (&c.id, &c.region)).collect();
            for invoice in dataset.invoices.iter().filter(|i| (from..=to).contains(&i.date)) {
                let region = region
                    .get(&invoice.customer)
                    .copied()
                    .ok_or_else(|| OmoError::UnknownId { kind: "customer", id: invoice.customer.to_string() })?;
                let sign = if invoice.kind == InvoiceKind::CreditNote { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
                for line in &invoice.lines {
                    let cell = cells.entry((region, category_of(&line.product)?)).or_default();
                    cell.0 += sign * line.quantity;
                    cell.1 += sign * line.amount();
                }
            }
        }
        SalesSource::SellOut => {
            let region: HashMap<_, _> = dataset.nodes.iter().map(|n| (&n.id, n.region.as_ref())).collect();
            for sale in dataset.pos_sales.iter().filter(|s| (from..=to).contains(&s.date)) {
                let region = region
                    .get(&sale.node)
                    .copied()
                    .flatten()
                    .ok_or_else(|| OmoError::UnknownId { kind: "node with a region", id: sale.node.to_string() })?;
                let cell = cells.entry((region, category_of(&sale.product)?)).or_default();
                cell.0 += sale.quantity;
                cell.1 += sale.revenue;
            }
        }
    }
    Ok(cells
        .into_iter()
        .map(|((region, category), (quantity, revenue))| SalesCell {
            region: region.clone(),
            category: category.clone(),
            quantity,
            revenue,
        })
        .collect())
}
