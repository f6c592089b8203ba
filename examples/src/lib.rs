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

/// A company's dataset exported as JSON, read and validated: the main job's and the live
/// server's `--dataset`. Bytes, not text: the core names the byte where a file stops being
/// UTF-8 (and skips a BOM). Every error names the file.
///
/// # Errors
/// The file does not read, is not a dataset, or does not validate (every broken reference named).
pub fn read_dataset(path: &std::path::Path) -> Result<omo_core::Dataset, String> {
    let named = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let bytes = std::fs::read(path).map_err(|e| named(&e))?;
    let dataset =
        omo_core::Dataset::from_json_bytes(&bytes, &omo_core::JsonLimits::default()).map_err(|e| named(&e))?;
    dataset.validate().into_result().map_err(|e| named(&e))?;
    Ok(dataset)
}
