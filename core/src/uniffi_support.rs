//! How the core's values cross to Kotlin, Swift and Python through uniffi (feature `uniffi`, which
//! the mobile bindings turn on): the core's records and enums derive uniffi's traits where they are
//! declared, so apps receive them as they are — no second copy in the binding crate.
//!
//! Three kinds of value need a rule here. Money (`Decimal`) crosses as its exact text, which
//! `core/uniffi.toml` turns into `BigDecimal` (Kotlin), `decimal.Decimal` (Python) and `Decimal`
//! (Swift): never a float. Dates (`NaiveDate`) cross as ISO `YYYY-MM-DD` text. Counts (`usize`)
//! cross as unsigned 64-bit integers. Ids cross as their text (see `model::ids`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::credit::Reason;
use crate::kpi::Thresholds;

uniffi::custom_type!(Decimal, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| crate::model::exact::parse_decimal(s.trim()).map_err(|why| anyhow_text(format!("decimal: {why}"))),
});

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| s.trim().parse::<NaiveDate>().map_err(|_| anyhow_text(format!("{s:?} is not a date (YYYY-MM-DD)"))),
});

/// A count of records, rows or periods.
type Count = usize;

uniffi::custom_type!(Count, u64, {
    remote,
    lower: |n| n as u64,
    try_lift: |n| usize::try_from(n).map_err(|_| anyhow_text(format!("{n} is too large a count here"))),
});

// A KPI's thresholds cross as their JSON (`{"mode": "zones", ...}`, as the KPI catalogue writes
// them): apps show them, the core evaluates them.
uniffi::custom_type!(Thresholds, String, {
    lower: |t| serde_json::to_string(&t).unwrap_or_default(),
    try_lift: |s| serde_json::from_str(&s).map_err(|e| anyhow_text(format!("thresholds: {e}"))),
});

/// What apps may ask a credit finding's reason besides its variant and fields.
#[uniffi::export]
impl Reason {
    /// The reason as a code: `limit_exceeded`, `near_limit`, `overdue`, ... (as in JSON).
    pub fn reason_code(&self) -> String {
        self.code().to_owned()
    }

    /// The reason in words, with its figures.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// A conversion failure as uniffi reports it.
fn anyhow_text(message: String) -> uniffi::deps::anyhow::Error {
    uniffi::deps::anyhow::Error::msg(message)
}
