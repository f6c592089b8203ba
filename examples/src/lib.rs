//! The programs around `omo-core`: the main job's terminal report of a company, and a reader for
//! the real Online Retail ledger (CSV, optionally gzip-compressed).

pub mod dashboard;
pub mod online_retail;
pub mod report;
