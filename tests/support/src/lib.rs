//! Helpers shared by the tests of the omo crates, and the small series their goldens are
//! computed on.
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

/// The Box-Jenkins airline passengers, monthly totals in thousands, January 1949 to December 1960
/// (R's `AirPassengers`; the series statsforecast's, statsmodels' and R's goldens are computed on).
pub const AIR_PASSENGERS: [f64; 144] = [
    112., 118., 132., 129., 121., 135., 148., 148., 136., 119., 104., 118., 115., 126., 141., 135., 125., 149., 170.,
    170., 158., 133., 114., 140., 145., 150., 178., 163., 172., 178., 199., 199., 184., 162., 146., 166., 171., 180.,
    193., 181., 183., 218., 230., 242., 209., 191., 172., 194., 196., 196., 236., 235., 229., 243., 264., 272., 237.,
    211., 180., 201., 204., 188., 235., 227., 234., 264., 302., 293., 259., 229., 203., 229., 242., 233., 267., 269.,
    270., 315., 364., 347., 312., 274., 237., 278., 284., 277., 317., 313., 318., 374., 413., 405., 355., 306., 271.,
    306., 315., 301., 356., 348., 355., 422., 465., 467., 404., 347., 305., 336., 340., 318., 362., 348., 363., 435.,
    491., 505., 404., 359., 310., 337., 360., 342., 406., 396., 420., 472., 548., 559., 463., 407., 362., 405., 417.,
    391., 419., 461., 472., 535., 622., 606., 508., 461., 390., 432.,
];
