//! The programs around `omo-core`: the main job's terminal report and HTML dashboard of a
//! company (sharing the results they both show), a reader for the real Online Retail ledger
//! (CSV, optionally gzip-compressed), and forecast accuracy on held-out reference data.

pub mod dashboard;
pub mod hold_out;
pub mod live;
pub mod online_retail;
pub mod process;
pub mod replay;
pub mod report;
pub mod serve;
pub mod study;
