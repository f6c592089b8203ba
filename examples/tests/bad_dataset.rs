//! The main job's `--dataset` door, one row per kind of broken file an ERP export can be: a small
//! valid dataset broken in one place, written to a file and given to the main job, which must exit
//! non-zero, name the culprit on stderr and write no dashboard. The rows that load (a BOM, a
//! float amount kept digit for digit) must give a report and a dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use omo_core::Dataset;
use omo_core::model::{Currency, RegionId};
use omo_core::sample::{SampleConfig, sample_company};

/// What the main job must do with a row's file.
enum Expect {
    /// Exit non-zero, stderr naming this, no dashboard.
    Refused(String),
    /// Exit zero with its report and dashboard; the core reads this text back from the file's
    /// dataset digit for digit, when given.
    Loads(Option<&'static str>),
}

/// One row: the file's content and what the main job must do with it.
struct Row {
    input: &'static str,
    file: Vec<u8>,
    expect: Expect,
}

/// `json` with the value of `field` in the first record of `collection` replaced by `raw`.
fn set_first(json: &str, collection: &str, field: &str, raw: &str) -> Vec<u8> {
    let start = json.find(&format!("\"{collection}\":[{{")).unwrap_or_else(|| panic!("no {collection}"));
    let key = format!("\"{field}\":");
    let at = start + json[start..].find(&key).unwrap_or_else(|| panic!("no {collection}[0].{field}")) + key.len();
    let rest = &json[at..];
    let len = match rest.strip_prefix('"') {
        Some(text) => text.find('"').unwrap() + 2,
        None => rest.find([',', '}']).unwrap(),
    };
    format!("{}{raw}{}", &json[..at], &json[at + len..]).into_bytes()
}

/// The small sample changed by `change`, as a file.
fn changed(base: &Dataset, change: impl FnOnce(&mut Dataset)) -> Vec<u8> {
    let mut d = base.clone();
    change(&mut d);
    d.to_json().unwrap().into_bytes()
}

fn refused(names: impl Into<String>) -> Expect {
    Expect::Refused(names.into())
}

fn catalogue(base: &Dataset) -> Vec<Row> {
    let json = base.to_json().unwrap();
    let account = base.credit_accounts[0].customer.to_string();
    let invoice = base.invoices[0].id.to_string();
    let product = base.products[0].id.to_string();
    let row = |input, file, expect| Row { input, file, expect };
    let mut not_utf8 = json.clone().into_bytes();
    let at = json.find("\"company\":\"").unwrap() + 11;
    not_utf8[at] = 0xFF;
    vec![
        row("empty file", Vec::new(), refused("EOF")),
        row(
            "truncated JSON",
            json[..(0..=json.len() / 2).rev().find(|&i| json.is_char_boundary(i)).unwrap()].into(),
            refused("EOF"),
        ),
        row("non-UTF-8 byte in the company's name", not_utf8, refused(format!("not UTF-8 text: byte {at}"))),
        row("UTF-8 BOM before the JSON", [b"\xEF\xBB\xBF".as_slice(), json.as_bytes()].concat(), Expect::Loads(None)),
        row(
            "customer in an unknown region",
            changed(base, |d| d.customers[0].region = RegionId::new("ATLANTIS").unwrap()),
            refused(format!("customer {}: region: unknown region \"ATLANTIS\"", base.customers[0].id)),
        ),
        row(
            "product listed twice",
            changed(base, |d| d.products.push(d.products[0].clone())),
            refused(format!("product {product}: id: duplicate id")),
        ),
        row(
            "region hierarchy cycle",
            changed(base, |d| {
                let child = d.regions.iter().find(|r| r.parent.is_some()).unwrap().clone();
                d.regions.iter_mut().find(|r| Some(&r.id) == child.parent.as_ref()).unwrap().parent = Some(child.id);
            }),
            refused("parent: cycle"),
        ),
        row(
            "credit limit of 10^30",
            set_first(&json, "credit_accounts", "limit", &format!("\"1{}\"", "0".repeat(30))),
            refused(format!("credit_accounts[0] {account}: limit")),
        ),
        row(
            "credit limit as the JSON float 1234567890123.456789",
            set_first(&json, "credit_accounts", "limit", "1234567890123.456789"),
            Expect::Loads(Some("\"limit\":\"1234567890123.456789\"")),
        ),
        row(
            "invoice date 2025-13-45",
            set_first(&json, "invoices", "date", "\"2025-13-45\""),
            refused(format!("invoices[0] {invoice}: date: \"2025-13-45\" is not a date")),
        ),
        row(
            "typo \"blockd\" in a credit account",
            set_first(&json, "credit_accounts", "customer", &format!("\"{account}\",\"blockd\":\"fraud\"")),
            refused(format!("credit_accounts[0] {account}: blockd: unknown field")),
        ),
        row(
            "invoice in USD, company in CNY",
            changed(base, |d| d.invoices[0].currency = Currency::new("USD").unwrap()),
            refused(format!("invoice {invoice}: currency: USD is not the company's currency")),
        ),
    ]
}

/// A path of this test's own in the temporary folder.
fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("omo-bad-dataset-{}-{name}", std::process::id()))
}

/// What the main job said on stderr about `row`'s file, and why that does not meet the row, if it
/// does not.
fn mismatch(row: &Row, n: usize) -> (String, Option<String>) {
    let (data, out) = (temp(&format!("{n}.json")), temp(&format!("{n}.html")));
    std::fs::write(&data, &row.file).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_omo-examples"))
        .arg("--dataset")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let (ok, stderr) = (run.status.success(), String::from_utf8_lossy(&run.stderr).into_owned());
    let wrote = out.exists() || out.with_extension("html.partial").exists();
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&data);
    if stderr.contains("panicked") {
        return (stderr.clone(), Some(format!("panicked: {stderr:.500}")));
    }
    let why = match &row.expect {
        Expect::Refused(_) if ok => Some("loaded".into()),
        Expect::Refused(_) if wrote => Some("refused, but wrote a dashboard".into()),
        Expect::Refused(names) if !stderr.contains(names.as_str()) => {
            Some(format!("stderr does not name {names:?}: {stderr:.500}"))
        }
        Expect::Refused(_) if stderr.len() > 2_000 => Some(format!("stderr is {} bytes long", stderr.len())),
        Expect::Refused(_) => None,
        Expect::Loads(_) if !ok => Some(format!("refused: {stderr:.500}")),
        Expect::Loads(_) if !wrote => Some("no dashboard written".into()),
        Expect::Loads(Some(kept)) => {
            let text = String::from_utf8(row.file.clone()).unwrap();
            let back = Dataset::from_json(&text).unwrap().to_json().unwrap();
            (!back.contains(kept)).then(|| format!("loaded, but {kept} was not kept digit for digit"))
        }
        Expect::Loads(None) => None,
    };
    (stderr, why)
}

#[test]
fn every_broken_dataset_is_refused_naming_the_culprit_and_writes_nothing() {
    let base = sample_company(&SampleConfig::small(7)).unwrap();
    let mut failures = Vec::new();
    for (n, row) in catalogue(&base).iter().enumerate() {
        let (stderr, why) = mismatch(row, n);
        match why {
            None => println!("ok   {}: {:.200}", row.input, stderr.trim()),
            Some(why) => failures.push(format!("{}: {why}", row.input)),
        }
    }
    assert!(failures.is_empty(), "{} row(s) failed:\n{}", failures.len(), failures.join("\n"));
}
