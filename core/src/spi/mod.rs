//! S-P-I (銷售-進貨-庫存): sales, purchases and inventory per node x product x period, and what a
//! planner derives from them.
//!
//! - [`build_ledger`]: the ledger rows from stock movements, with conservation and chaining;
//! - [`derive_measures`]: days of cover, turnover, sell-through, stock-to-sales, changes;
//! - replenishment: safety stock, reorder points, EOQ, newsvendor, optimal (s, S) and (r, Q)
//!   policies, lot sizing, multi-echelon safety stock, and ERP reorder rules.

mod health;
mod ledger;
mod measures;
mod period;
mod projection;
mod reconcile;
mod replenish;
mod rollup;
mod stock_facts;

pub use health::{
    AbcClass, AbcCuts, AbcItem, Cut, FifoLayer, FifoQueue, HealthOptions, HealthReport, ProductAbc, ProductXyz,
    StockHealth, StockStatus, XyzClass, abc_classes, inventory_health, xyz_class,
};
pub(crate) use health::{health_report, pair_health, product_xyz, stock_status};
pub use ledger::{
    LedgerOptions, MAX_LEDGER_PERIODS, OpeningStock, SpiFlows, SpiRow, build_ledger, value_at_standard_cost,
};
pub use measures::{MeasureOptions, SpiMeasures, days_of_cover, derive_measures, sell_through};
pub use period::Period;
pub(crate) use period::PeriodRun;
pub use projection::{ProjectedPeriod, Projection, project_stock};
pub use reconcile::{CountDifference, Reconciliation, ReconciliationSummary, reconcile_counts};
pub(crate) use reconcile::{book_at_counts, reconcile_with};
pub use replenish::*;
pub use rollup::{ALL, ChannelRow, NodeLevel, ProductLevel, RollUpRow, channel_view, kind_name, roll_up};
pub(crate) use rollup::{channel_from, node_groups, product_groups, roll_up_of};
pub(crate) use stock_facts::{NodeFilter, RecordFacts, StockFacts, UnitsByPeriod, units_by_period};

use crate::dataset::DatasetInput;
use crate::error::Result;

/// The ledger of every movement of a dataset, after checking that each names a known node and
/// product and is dated no later than the dataset's `as_of`.
pub fn dataset_ledger(dataset: &impl DatasetInput, options: LedgerOptions) -> Result<Vec<SpiRow>> {
    let dataset = dataset.checked_stock()?;
    build_ledger(&dataset.movements, &[], options)
}
