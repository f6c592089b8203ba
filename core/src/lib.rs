//! # omo-core
//!
//! The computing core of an OMO ("online merge offline") business-visualization system for B2B
//! companies that sell through distributors and retailers: the entities of the three axes
//! (products, customers, supply chain) and their transactions ([`model`]), one [`Dataset`] that an
//! ERP hands over as JSON, a deterministic [`sample`] company, an importer of ERP invoice-line
//! extracts ([`import`]) and sales summaries ([`analytics`]).
//!
//! Money and ledger quantities are exact ([`rust_decimal::Decimal`]), dates are
//! [`chrono::NaiveDate`], and no function panics on bad input: every failure is an [`OmoError`]
//! that names what was wrong.
//!
//! ```
//! use omo_core::sample::{SampleConfig, sample_company};
//! let company = sample_company(&SampleConfig::small(7))?;
//! assert!(company.validate().is_ok());
//! # Ok::<(), omo_core::OmoError>(())
//! ```

pub mod analytics;
pub mod credit;
mod dataset;
pub mod engine;
pub mod error;
pub mod forecast;
pub mod import;
pub mod kpi;
pub mod model;
mod packed;
pub mod plan;
pub mod sample;
mod snapshot;
pub mod spi;
#[cfg(feature = "uniffi")]
mod uniffi_support;
pub mod views;

pub use dataset::{Dataset, DatasetInput, DatasetSummary, JsonLimits, ValidDataset, ValidationReport};
pub use error::{OmoError, Result};
pub use snapshot::Snapshot;
#[cfg(feature = "uniffi")]
pub use uniffi_support::OmoMobileError;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
