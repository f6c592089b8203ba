//! Mobile bindings of omo-core, generated for Kotlin, Swift and Python by uniffi.
//!
//! An app creates an [`Engine`] (the core's live engine) from a JSON snapshot of its scope, queries
//! its views offline (customers, RFM and teams, S-P-I and the channel, stock health and stock-takes,
//! suggested orders and plans, forecasts, credit, scorecards with drill-down, alerts), records the
//! orders, payments and movements it takes (or any event of the core's), hears each change through
//! a [`ChangeListener`], and syncs by sequence numbers ([`Engine::events_since`],
//! [`Engine::apply_remote`], with a refusal and its reason per event).
//!
//! This crate converts and maps errors only; every rule lives in `omo-core`, whose records and
//! enums (feature `uniffi`) reach apps as they are, in their own module (`omo.core` in Kotlin,
//! `omo_core` in Python and Swift). Money crosses as exact text (Kotlin `BigDecimal`, Python
//! `decimal.Decimal`, Swift `Decimal`), never a float; dates as ISO `YYYY-MM-DD` strings; ids as
//! strings. A value that cannot cross in (a malformed date or id, an amount a `Decimal` cannot
//! hold) fails the call with `OmoMobileError.InvalidInput` naming it, never a crash.

mod engine;

pub use engine::{ChangeListener, Engine, RemoteOutcome, SeriesForecast, SyncedEvent, forecast_series};
pub use omo_core::OmoMobileError;

uniffi::setup_scaffolding!();

// The core's records, enums and custom types (money, dates, ids) live in the core's own namespace
// (`omo_core`): this brings their scaffolding into the one library an app links.
omo_core::uniffi_reexport_scaffolding!();

// Dates and money in this crate's own signatures cross as the core declares them.
use chrono::NaiveDate;
use rust_decimal::Decimal;
uniffi::use_remote_type!(omo_core::NaiveDate);
uniffi::use_remote_type!(omo_core::Decimal);
