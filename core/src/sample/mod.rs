//! A seeded, deterministic sample company: the fertilizer maker of the articles.
//!
//! One maker with a plant and an OEM supplier that holds consignment stock, distributors in four
//! regions and two business units, their retailers, farmers buying at the retailers, two enterprise
//! farms and a government buyer, 20 SKUs in 4 categories plus 3 bundles, and years of daily data:
//! POS sales with spring and autumn planting peaks, SKUs that sell only now and then, two SKUs
//! discontinued after the first year (dead stock in the channel), replenishment along the channel,
//! orders, shipments (some late), invoices, payments (some customers pay late or in parts),
//! pre-season prepaid orders, returns, and quarterly stock counts with a few book-vs-physical
//! differences (those of the last quarter not yet posted), and credit accounts set at the start
//! of the last year from each customer's purchases and payment habits, monthly sales plans
//! (last year's revenue plus 8 %), and the supply side: materials, bills of materials, three
//! production lines whose hours cannot meet the spring peak, production and purchase orders, and
//! an OEM supplier that is often late.
//!
//! All randomness comes from one ChaCha stream seeded by [`SampleConfig::seed`] and all
//! transcendental maths from `libm`, so the same seed gives the same data on every machine.
//!
//! ```
//! use omo_core::sample::{SampleConfig, sample_company};
//! let a = sample_company(&SampleConfig::small(3))?;
//! let b = sample_company(&SampleConfig::small(3))?;
//! assert_eq!(a, b);
//! # Ok::<(), omo_core::OmoError>(())
//! ```

mod catalog;
mod credit;
mod demand;
mod master;
mod plans;
mod simulate;
mod stream;
mod supply;

pub use stream::movement_stream;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{PosSale, StockMovement, ValidationIssue};

/// The size and seed of the sample company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleConfig {
    /// Seed of the random stream: the same seed gives the same company.
    pub seed: u64,
    /// Number of distributors (spread over the 4 regions and 2 BUs); 1 to 1,000.
    pub distributors: usize,
    /// Retailers per distributor; 1 to 1,000.
    pub retailers_per_distributor: usize,
    /// Farmers (end users, members of the retailers' loyalty schemes); at most 10 million.
    pub farmers: usize,
    /// Years of daily data; 1 to 20.
    pub years: u32,
    /// The first simulated year (data start on 1 January of it); 2000 to 2100.
    pub start_year: i32,
}

impl Default for SampleConfig {
    /// The company of the articles: 8 distributors, 80 retailers, 3,000 farmers, 2023 to 2025.
    fn default() -> Self {
        SampleConfig {
            seed: 42,
            distributors: 8,
            retailers_per_distributor: 10,
            farmers: 3_000,
            years: 3,
            start_year: 2023,
        }
    }
}

impl SampleConfig {
    /// A small company for examples and quick tests: 4 distributors, 12 retailers, 2 years.
    pub fn small(seed: u64) -> Self {
        SampleConfig { seed, distributors: 4, retailers_per_distributor: 3, farmers: 150, years: 2, start_year: 2024 }
    }

    /// The first simulated day.
    pub fn start(&self) -> Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.start_year, 1, 1).ok_or_else(|| self.invalid("start_year", "not a valid year"))
    }

    /// The last simulated day (31 December of the last year): the dataset's `as_of`.
    pub fn end(&self) -> Result<NaiveDate> {
        let last_year = i32::try_from(self.years).ok().and_then(|y| self.start_year.checked_add(y - 1));
        last_year
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31))
            .ok_or_else(|| self.invalid("years", "does not give a valid end date"))
    }

    fn check(&self) -> Result<()> {
        let mut issues = Vec::new();
        let mut bound = |field: &str, value: u64, low: u64, high: u64| {
            if value < low || value > high {
                issues.push(ValidationIssue::new(
                    "sample_config",
                    "-",
                    field,
                    format!("must lie between {low} and {high}, got {value}"),
                ));
            }
        };
        bound("distributors", self.distributors as u64, 1, 1_000);
        bound("retailers_per_distributor", self.retailers_per_distributor as u64, 1, 1_000);
        bound("farmers", self.farmers as u64, 0, 10_000_000);
        bound("years", u64::from(self.years), 1, 20);
        if !(2000..=2100).contains(&self.start_year) {
            issues.push(ValidationIssue::new(
                "sample_config",
                "-",
                "start_year",
                format!("must lie between 2000 and 2100, got {}", self.start_year),
            ));
        }
        if issues.is_empty() { Ok(()) } else { Err(OmoError::Invalid { issues }) }
    }

    fn invalid(&self, field: &str, message: &str) -> OmoError {
        OmoError::Invalid { issues: vec![ValidationIssue::new("sample_config", "-", field, message)] }
    }
}

/// Generates the sample company described by `config`.
///
/// Fails only for a configuration out of its documented bounds; the result always validates.
pub fn sample_company(config: &SampleConfig) -> Result<Dataset> {
    let (mut movements, mut pos_sales) = (Vec::new(), Vec::new());
    let mut dataset = sample_company_streamed(config, &mut |record| match record {
        StockRecord::Movement(m) => movements.push(m),
        StockRecord::PosSale(s) => pos_sales.push(s),
    })?;
    dataset.movements = movements;
    dataset.pos_sales = pos_sales;
    Ok(dataset)
}

/// A stock record of the sample company's stream: the two kinds that grow with the number of
/// shops and days. Its JSON names the kind, the record as the dataset JSON writes it:
/// `{"movement": {...}}` or `{"pos_sale": {...}}`.
///
/// ```
/// use omo_core::sample::StockRecord;
/// let json = r#"{"pos_sale": {"node": "R-1", "product": "NPK", "date": "2025-03-02", "quantity": "2", "revenue": "90.50"}}"#;
/// let record: StockRecord = serde_json::from_str(json)?;
/// assert_eq!(record.date().to_string(), "2025-03-02");
/// assert!(serde_json::to_string(&record)?.starts_with(r#"{"pos_sale":{"node":"R-1""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockRecord {
    /// A stock movement.
    Movement(StockMovement),
    /// A POS sale at a retailer.
    PosSale(PosSale),
}

impl StockRecord {
    /// The record's day.
    pub fn date(&self) -> chrono::NaiveDate {
        match self {
            StockRecord::Movement(m) => m.date,
            StockRecord::PosSale(s) => s.date,
        }
    }

    /// A whole dataset as [`crate::engine::Engine::load`] takes it: the dataset without its
    /// movements and POS sales (its master data and every other record), and those as one
    /// stream in date order (within a day, the movements in the dataset's order, then the POS
    /// sales).
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, StockRecord, sample_company};
    /// let company = sample_company(&SampleConfig::small(3))?;
    /// let (master, records) = StockRecord::stream_of(company.clone());
    /// assert!(master.movements.is_empty() && master.pos_sales.is_empty());
    /// assert!(records.windows(2).all(|w| w[0].date() <= w[1].date()));
    /// let loaded = Engine::load(master, records, EngineOptions::default())?;
    /// assert_eq!(loaded.spi_rows(), Engine::new(company, EngineOptions::default())?.spi_rows());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn stream_of(mut dataset: Dataset) -> (Dataset, Vec<StockRecord>) {
        let movements = std::mem::take(&mut dataset.movements).into_iter().map(StockRecord::Movement);
        let sales = std::mem::take(&mut dataset.pos_sales).into_iter().map(StockRecord::PosSale);
        let mut records: Vec<StockRecord> = movements.chain(sales).collect();
        records.sort_by_key(StockRecord::date);
        (dataset, records)
    }
}

/// [`sample_company`] with its movements and POS sales handed to `sink` as they are made, in
/// date order, instead of kept: the returned dataset holds every other record (master data,
/// orders, shipments, invoices, payments, counts, accounts, targets, the supply side) and no
/// movement or POS sale. Memory then follows the company's size, not its history's length, so
/// a company of the articles' size (600 distributors, 30,000 shops, 3 years: hundreds of
/// millions of records) can be streamed into a store or an engine's bulk load.
///
/// ```
/// use omo_core::sample::{SampleConfig, StockRecord, sample_company, sample_company_streamed};
/// let config = SampleConfig::small(2);
/// let (mut movements, mut sales) = (0, 0);
/// let rest = sample_company_streamed(&config, &mut |record| match record {
///     StockRecord::Movement(_) => movements += 1,
///     StockRecord::PosSale(_) => sales += 1,
/// })?;
/// let whole = sample_company(&config)?;
/// assert_eq!((movements, sales), (whole.movements.len(), whole.pos_sales.len()));
/// assert!(rest.movements.is_empty() && rest.invoices == whole.invoices);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn sample_company_streamed(config: &SampleConfig, sink: &mut dyn FnMut(StockRecord)) -> Result<Dataset> {
    config.check()?;
    let start = config.start()?;
    let end = config.end()?;
    let mut draws = demand::Draws::new(config.seed);
    let (mut dataset, layout) = master::master_data(config, start, end, &mut draws)?;
    let batches = simulate::simulate(&mut dataset, sink, &layout, start, end, &mut draws)?;
    credit::credit_accounts(&mut dataset, &layout, end)?;
    plans::sales_targets(&mut dataset, start);
    supply::supply_side(&mut dataset, &batches, &layout, end, &mut draws)?;
    Ok(dataset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_out_of_bounds_names_every_field() {
        let config = SampleConfig { distributors: 0, years: 99, start_year: 1800, ..SampleConfig::default() };
        let OmoError::Invalid { issues } = sample_company(&config).unwrap_err() else { panic!() };
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["distributors", "years", "start_year"]);
    }
}
