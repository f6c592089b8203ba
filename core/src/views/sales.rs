//! Sales as the doors show them: a region x category pivot of sell-in or sell-out over a window
//! (the last complete quarter by default), with the totals of each row and column.

use chrono::Datelike;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Views, Window};
use crate::analytics::{SalesSource, sales_by_region_and_category, sell_out_by_region_and_category};
use crate::error::Result;
use crate::model::CategoryId;
use crate::spi::Period;

/// Units and revenue of one cell of the pivot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesAmount {
    /// Units, net of credit notes.
    pub quantity: Decimal,
    /// Revenue, net of credit notes and discounts.
    pub revenue: Decimal,
}

impl SalesAmount {
    fn add(&mut self, other: SalesAmount) {
        self.quantity += other.quantity;
        self.revenue += other.revenue;
    }
}

/// One row of the pivot: a region, or the total of all regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesPivotRow {
    /// The region's id (`"total"` for the total row).
    pub key: String,
    /// Its name.
    pub name: String,
    /// One amount per category of the pivot, in their order.
    pub cells: Vec<SalesAmount>,
    /// The row's total.
    pub total: SalesAmount,
}

/// Sales per region and category over a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesPivot {
    /// The window.
    pub window: Window,
    /// Sell-in (invoiced) or sell-out (POS).
    pub source: SalesSource,
    /// The categories with sales, sorted: the columns.
    pub categories: Vec<CategoryId>,
    /// One row per region with sales, sorted by id.
    pub rows: Vec<SalesPivotRow>,
    /// The column totals and the grand total.
    pub total: SalesPivotRow,
}

impl Views<'_> {
    /// Sell-in or sell-out per region and category over `window` (the last complete quarter by
    /// default).
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::analytics::SalesSource;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let pivot = Views::new(&company).sales(SalesSource::Invoiced, None)?;
    /// assert_eq!(pivot.window.from.to_string(), "2025-10-01");
    /// let by_rows: rust_decimal::Decimal = pivot.rows.iter().map(|r| r.total.revenue).sum();
    /// assert_eq!(by_rows, pivot.total.total.revenue);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`crate::analytics::sales_by_region_and_category`].
    pub fn sales(&self, source: SalesSource, window: Option<Window>) -> Result<SalesPivot> {
        let window = window.unwrap_or_else(|| Window::last_complete_quarter(self.as_of()));
        let cells = match (source, whole_months(&window)) {
            (SalesSource::SellOut, Some(months)) => {
                sell_out_by_region_and_category(self.dataset(), self.sell_out_months(), months)?
            }
            _ => {
                if source == SalesSource::SellOut {
                    self.needs_records_from(window.from, "the sell-out of a window that is not whole months")?;
                }
                sales_by_region_and_category(self.dataset(), window.from, window.to, source)?
            }
        };
        let mut categories: Vec<CategoryId> = cells.iter().map(|c| c.category.clone()).collect();
        categories.sort();
        categories.dedup();
        let column: BTreeMap<&CategoryId, usize> = categories.iter().enumerate().map(|(i, c)| (c, i)).collect();
        let names = self.member_names();
        let empty = |key: &str, name: &str| SalesPivotRow {
            key: key.to_owned(),
            name: name.to_owned(),
            cells: vec![SalesAmount::default(); categories.len()],
            total: SalesAmount::default(),
        };
        let mut rows: BTreeMap<&str, SalesPivotRow> = BTreeMap::new();
        let mut total = empty("total", "total");
        for cell in &cells {
            let amount = SalesAmount { quantity: cell.quantity, revenue: cell.revenue };
            let region = cell.region.as_str();
            let row = rows.entry(region).or_insert_with(|| empty(region, names.name(region)));
            if let Some(&i) = column.get(&cell.category) {
                row.cells[i].add(amount);
                total.cells[i].add(amount);
            }
            row.total.add(amount);
            total.total.add(amount);
        }
        Ok(SalesPivot { window, source, categories, rows: rows.into_values().collect(), total })
    }
}

/// The first and last month numbers of a window of whole months (from a month's first day to a
/// month's last), read from the sell-out by month; `None` for any other window.
fn whole_months(window: &Window) -> Option<(i64, i64)> {
    let starts_a_month = window.from.day() == 1;
    let ends_a_month = window.to.succ_opt().is_some_and(|next| next.day() == 1);
    (starts_a_month && ends_a_month && window.from <= window.to)
        .then(|| (Period::Month.number(window.from), Period::Month.number(window.to)))
}
