//! S-P-I (銷售-進貨-庫存): sales, purchases and inventory per node x product x period, and what a
//! planner derives from them.
//!
//! - [`build_ledger`]: the ledger rows from stock movements, with conservation and chaining;
//! - [`derive_measures`]: days of cover, turnover, sell-through, stock-to-sales, changes.

mod ledger;
mod measures;
mod period;

pub use ledger::{LedgerOptions, OpeningStock, SpiFlows, SpiRow, build_ledger};
pub use measures::{MeasureOptions, SpiMeasures, derive_measures};
pub use period::Period;

use crate::dataset::Dataset;
use crate::error::Result;

/// The ledger of every movement of a dataset, after checking that each names a known node and
/// product and is dated no later than the dataset's `as_of`.
pub fn dataset_ledger(dataset: &Dataset, options: LedgerOptions) -> Result<Vec<SpiRow>> {
    dataset.validate_stock().into_result()?;
    build_ledger(&dataset.movements, &[], options)
}
