//! Sales summarised by region and product category over a date range.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::SellOutMonths;
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{CategoryId, InvoiceKind, NodeId, ProductId, RegionId};

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
    if source == SalesSource::SellOut {
        let sold = dataset.pos_sales.iter().filter(|s| (from..=to).contains(&s.date));
        return sell_out_cells(dataset, sold.map(|s| (&s.node, &s.product, s.quantity, s.revenue)));
    }
    let category = Categories::of(dataset);
    let region: HashMap<_, _> = dataset.customers.iter().map(|c| (&c.id, &c.region)).collect();
    let mut cells: BTreeMap<(&RegionId, &CategoryId), (Decimal, Decimal)> = BTreeMap::new();
    for invoice in dataset.invoices.iter().filter(|i| (from..=to).contains(&i.date)) {
        let region = region
            .get(&invoice.customer)
            .copied()
            .ok_or_else(|| OmoError::UnknownId { kind: "customer", id: invoice.customer.to_string() })?;
        let sign = if invoice.kind == InvoiceKind::CreditNote { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
        for line in &invoice.lines {
            let cell = cells.entry((region, category.of_product(&line.product)?)).or_default();
            cell.0 += sign * line.quantity;
            cell.1 += sign * line.amount();
        }
    }
    Ok(sales_cells(cells))
}

/// Each product's category.
struct Categories<'a>(HashMap<&'a ProductId, &'a CategoryId>);

impl<'a> Categories<'a> {
    fn of(dataset: &'a Dataset) -> Self {
        Categories(dataset.products.iter().map(|p| (&p.id, &p.category)).collect())
    }

    /// `product`'s category; an unknown product is an [`OmoError::UnknownId`].
    fn of_product(&self, product: &ProductId) -> Result<&'a CategoryId> {
        self.0.get(product).copied().ok_or_else(|| OmoError::UnknownId { kind: "product", id: product.to_string() })
    }
}

/// [`sales_by_region_and_category`]'s sell-out of the whole months from `first` to `last`
/// (month numbers, see [`crate::spi::Period::number`]) read from the sell-out by month.
pub(crate) fn sell_out_by_region_and_category(
    dataset: &Dataset,
    months: &SellOutMonths,
    (first, last): (i64, i64),
) -> Result<Vec<SalesCell>> {
    let sold = months.months().filter(|(_, _, month, _)| (first..=last).contains(month));
    sell_out_cells(dataset, sold.map(|(node, product, _, m)| (node, product, m.units, m.revenue)))
}

/// The sell-out cells of `sold` (node, product, units, revenue), by the node's region and the
/// product's category.
fn sell_out_cells<'a>(
    dataset: &'a Dataset,
    sold: impl Iterator<Item = (&'a NodeId, &'a ProductId, Decimal, Decimal)>,
) -> Result<Vec<SalesCell>> {
    let category = Categories::of(dataset);
    let region: HashMap<_, _> = dataset.nodes.iter().map(|n| (&n.id, n.region.as_ref())).collect();
    let mut cells: BTreeMap<(&RegionId, &CategoryId), (Decimal, Decimal)> = BTreeMap::new();
    for (node, product, quantity, revenue) in sold {
        let region = region
            .get(node)
            .copied()
            .flatten()
            .ok_or_else(|| OmoError::UnknownId { kind: "node with a region", id: node.to_string() })?;
        let cell = cells.entry((region, category.of_product(product)?)).or_default();
        cell.0 += quantity;
        cell.1 += revenue;
    }
    Ok(sales_cells(cells))
}

fn sales_cells(cells: BTreeMap<(&RegionId, &CategoryId), (Decimal, Decimal)>) -> Vec<SalesCell> {
    cells
        .into_iter()
        .map(|((region, category), (quantity, revenue))| SalesCell {
            region: region.clone(),
            category: category.clone(),
            quantity,
            revenue,
        })
        .collect()
}
