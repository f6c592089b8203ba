//! Mobile bindings of omo-core, generated for Kotlin, Swift and Python by uniffi.
//!
//! An app creates an [`Engine`] from a JSON snapshot of its scope (the core's dataset format),
//! queries whole views of it offline — a customer's summary, S-P-I, inventory health, suggested
//! orders, forecasts, the credit position and order check, scorecards with drill-down, alerts —
//! and records the orders, payments and stock movements it takes while offline.
//!
//! This crate converts and maps errors only; every rule lives in `omo-core`. Money crosses as
//! [`Decimal`] over a string (Kotlin `BigDecimal`, Python `decimal.Decimal`, Swift `Decimal`),
//! never a float; dates cross as ISO `YYYY-MM-DD` strings. Amounts the app passes in are strings
//! too, so a malformed one is a typed error rather than a crash.

mod convert;
mod engine;
mod error;
mod views;

pub use engine::{Engine, forecast_series};
pub use error::OmoMobileError;
pub use views::*;

use rust_decimal::Decimal;

uniffi::setup_scaffolding!();

uniffi::custom_type!(Decimal, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| Ok(convert::parse_decimal("decimal", &s)?),
});
