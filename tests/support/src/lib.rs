//! Helpers shared by the tests of the omo crates.
//!
//! The reference data (`data/`, `reference/`) lives in `../shared/` beside the repository and is
//! read in place, never copied. A fresh clone may not have it: tests then skip with a message that
//! says why. Under `CI=true` the data must be there, and its absence fails the test.

use std::path::PathBuf;

/// The path of `relative` under the shared folder, or `None` (with a message on stderr) where the
/// folder is missing outside CI.
///
/// # Panics
/// Under `CI=true` when the file is missing: CI must run every test.
#[allow(clippy::panic)]
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is missing, and under CI=true this test must run", path.display());
    }
    eprintln!("SKIPPED: {} not found (the shared reference data sits beside the repository in CI)", path.display());
    None
}

/// The cases of a shared JSON reference file (`reference/inventory_cases.json`, ...), or `None`
/// where it is missing outside CI.
///
/// # Panics
/// When the file exists but is not the expected JSON: `{"cases": [...]}`.
#[allow(clippy::panic, clippy::expect_used)]
pub fn reference_cases(relative: &str) -> Option<Vec<serde_json::Value>> {
    let path = shared_file(relative)?;
    let text = std::fs::read_to_string(&path).expect("reference file readable");
    let json: serde_json::Value = serde_json::from_str(&text).expect("reference file is JSON");
    Some(json["cases"].as_array().expect("a cases array").clone())
}
