//! The programs around `omo-core`: the main job's terminal report and HTML dashboard of a
//! company (sharing the results they both show), and a reader for the real Online Retail ledger
//! (CSV, optionally gzip-compressed).

pub mod dashboard;
pub mod online_retail;
pub mod report;
pub mod views;
