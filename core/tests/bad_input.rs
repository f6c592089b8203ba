//! The bad-input catalogue of the Rust door: one table, every row an input an ERP export or a
//! careless caller could hand over, the typed error it must give (naming the culprit), and a
//! check that nothing was changed. The README's table lists the same rows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use omo_core::credit::CreditPolicy;
use omo_core::forecast::{ForecastOptions, Method, forecast};
use omo_core::model::{MovementKind, NodeId, ProductId, StockMovement};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::{Dataset, JsonLimits, OmoError, Snapshot};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Instant;

/// A small sound company, as a JSON tree to break in one place per row.
fn company() -> &'static Value {
    static TREE: OnceLock<Value> = OnceLock::new();
    TREE.get_or_init(|| {
        let d = sample_company(&SampleConfig { years: 1, ..SampleConfig::small(11) }).unwrap();
        serde_json::from_str(&d.to_json().unwrap()).unwrap()
    })
}

fn with(change: impl FnOnce(&mut Value)) -> String {
    let mut tree = company().clone();
    change(&mut tree);
    tree.to_string()
}

/// What a row expects: the kind of error and words its message must contain.
enum Expect {
    Refused { kind: &'static str, says: &'static [&'static str] },
    Loads,
}

use Expect::*;

fn kind(e: &OmoError) -> &'static str {
    match e {
        OmoError::Invalid { .. } => "Invalid",
        OmoError::Json(_) => "Json",
        OmoError::LimitExceeded { .. } => "LimitExceeded",
        OmoError::InvalidArgument { .. } => "InvalidArgument",
        OmoError::InvalidId { .. } => "InvalidId",
        OmoError::NegativeStock { .. } => "NegativeStock",
        _ => "other",
    }
}

fn check(name: &str, result: Result<Dataset, OmoError>, expect: &Expect) {
    match (result, expect) {
        (Ok(_), Loads) => {}
        (Err(e), Refused { kind: k, says }) => {
            let text = e.to_string();
            assert_eq!(kind(&e), *k, "{name}: {text}");
            for word in *says {
                assert!(text.contains(word), "{name}: {word:?} missing from {text}");
            }
            assert!(text.len() < 2_000, "{name}: a message of {} bytes", text.len());
        }
        (Ok(_), Refused { .. }) => panic!("{name}: loaded, but should be refused"),
        (Err(e), Loads) => panic!("{name}: refused: {e}"),
    }
}

fn deep_regions(levels: usize) -> String {
    with(|t| {
        let regions = t["regions"].as_array_mut().unwrap();
        let top = regions[0]["id"].as_str().unwrap().to_owned();
        let mut parent = top;
        for level in 0..levels {
            let id = format!("DEEP-{level}");
            regions.push(json!({"id": id, "name": "deep", "parent": parent}));
            parent = id;
        }
    })
}

#[test]
fn every_bad_dataset_is_refused_naming_the_culprit() {
    let first_customer = company()["customers"][0]["id"].as_str().unwrap().to_owned();
    let rows: Vec<(&str, String, Expect)> = vec![
        ("empty input", String::new(), Refused { kind: "Json", says: &["EOF"] }),
        ("truncated JSON", company().to_string()[..5_000].to_owned(), Refused { kind: "Json", says: &["EOF"] }),
        ("not JSON", "company: Acme".into(), Refused { kind: "Json", says: &["expected value"] }),
        (
            "NaN as a quantity",
            with(|t| t["movements"][0]["quantity"] = json!("NaN")),
            Refused { kind: "Json", says: &["movements[0]", "quantity", "not a decimal number"] },
        ),
        (
            "infinity as a price (1e400)",
            with(|t| t["products"][0]["list_price"] = serde_json::from_str("1e400").unwrap()),
            Refused { kind: "Json", says: &["products[0]", "list_price", "too large"] },
        ),
        (
            "10^30 as an amount",
            with(|t| t["payments"][0]["amount"] = serde_json::from_str("1000000000000000000000000000000").unwrap()),
            Refused { kind: "Json", says: &["payments[0]", "amount", "too large"] },
        ),
        (
            "an amount over the largest allowed",
            with(|t| t["payments"][0]["amount"] = json!("1000000000000000000000")),
            Refused { kind: "Invalid", says: &["payment", "amount", "larger than the largest allowed"] },
        ),
        (
            "float money with more digits than an f64 (kept exactly)",
            with(|t| t["credit_accounts"][0]["limit"] = serde_json::from_str("123456789012.123456789").unwrap()),
            Loads,
        ),
        (
            "negative quantity on an order line",
            with(|t| t["orders"][0]["lines"][0]["quantity"] = json!("-3")),
            Refused { kind: "Invalid", says: &["sales_order", "lines[0].quantity", "must be positive"] },
        ),
        (
            "date out of range",
            with(|t| t["invoices"][0]["date"] = json!("2025-13-45")),
            Refused { kind: "Json", says: &["invoices[0]", "date", "\"2025-13-45\" is not a date"] },
        ),
        (
            "malformed date",
            with(|t| t["payments"][0]["date"] = json!("yesterday")),
            Refused { kind: "Json", says: &["payments[0]", "date", "not a date"] },
        ),
        (
            "year 1 million",
            with(|t| t["payments"][0]["date"] = json!("+1000000-01-01")),
            Refused { kind: "Json", says: &["payments[0]", "date"] },
        ),
        (
            "an ISO date-time (read as its date)",
            with(|t| t["payments"][0]["date"] = json!("2024-06-01T10:30:00+08:00")),
            Loads,
        ),
        ("a UTF-8 byte-order mark", format!("\u{feff}{}", company()), Loads),
        (
            "duplicated id",
            with(|t| {
                let copy = t["customers"][1].clone();
                t["customers"][0]["id"] = copy["id"].clone();
            }),
            Refused { kind: "Invalid", says: &["duplicate id"] },
        ),
        (
            "duplicated row",
            with(|t| {
                let copy = t["payments"][0].clone();
                t["payments"].as_array_mut().unwrap().push(copy);
            }),
            Refused { kind: "Invalid", says: &["payment", "duplicate id"] },
        ),
        (
            "unknown reference",
            with(|t| t["orders"][0]["customer"] = json!("NOBODY")),
            Refused { kind: "Invalid", says: &["customer", "unknown customer \"NOBODY\""] },
        ),
        (
            "unknown field (a typo)",
            with(|t| t["credit_accounts"][0]["blockd"] = json!("fraud")),
            Refused { kind: "Json", says: &["credit_accounts[0]", "blockd", "unknown field"] },
        ),
        (
            "hierarchy cycle",
            with(|t| {
                let (a, b) = (t["regions"][0]["id"].clone(), t["regions"][1]["id"].clone());
                t["regions"][0]["parent"] = b;
                t["regions"][1]["parent"] = a;
            }),
            Refused { kind: "Invalid", says: &["region", "cycle"] },
        ),
        ("a hierarchy 100,000 levels deep", deep_regions(100_000), Loads),
        (
            "an id of a megabyte",
            with(|t| t["customers"][0]["id"] = json!("C".repeat(1 << 20))),
            Refused { kind: "LimitExceeded", says: &["customers[0].id", "string bytes", "65536"] },
        ),
        (
            "a name over the string limit",
            with(|t| t["customers"][0]["name"] = json!("n".repeat(JsonLimits::DEFAULT_MAX_STRING_BYTES + 1))),
            Refused { kind: "LimitExceeded", says: &["customers[0].name", "65537"] },
        ),
        (
            "an id over 128 characters",
            with(|t| t["payments"][0]["id"] = json!("P".repeat(129))),
            Refused { kind: "Json", says: &["payments[0]", "id", "longer than 128"] },
        ),
        (
            "another currency without a rate",
            with(|t| t["invoices"][0]["currency"] = json!("USD")),
            Refused { kind: "Invalid", says: &["invoice", "currency: USD is not the company's currency"] },
        ),
        (
            "stock that goes negative",
            with(|t| {
                let sale = t["movements"].as_array().unwrap().iter().find(|m| m["kind"] == "sale").unwrap().clone();
                let mut huge = sale;
                huge["quantity"] = json!("999999999");
                t["movements"].as_array_mut().unwrap().push(huge);
            }),
            Refused { kind: "Invalid", says: &["stock", "would go negative"] },
        ),
    ];
    for (name, json, expect) in &rows {
        let started = Instant::now();
        check(name, Dataset::from_json_validated(json), expect);
        assert!(started.elapsed().as_secs() < 60, "{name}: took {:?}", started.elapsed());
    }
    // The id of a megabyte under a limit large enough for it: refused as an id, message short.
    let huge_id = with(|t| t["customers"][0]["id"] = json!("C".repeat(1 << 20)));
    let limits = JsonLimits { max_string_bytes: 2 << 20 };
    let err = Dataset::from_json_with(&huge_id, &limits).unwrap_err().to_string();
    assert!(err.contains("longer than 128") && err.len() < 500, "{} bytes: {}", err.len(), &err[..200]);
    // Not UTF-8, and one byte over a small limit.
    let mut bytes = company().to_string().into_bytes();
    bytes[40] = 0xff;
    let err = Dataset::from_json_bytes(&bytes, &JsonLimits::default()).unwrap_err().to_string();
    assert!(err.contains("not UTF-8") && err.contains("byte 40"), "{err}");
    let small = JsonLimits { max_string_bytes: first_customer.len() - 1 };
    let err = Dataset::from_json_with(&company().to_string(), &small).unwrap_err();
    assert!(matches!(err, OmoError::LimitExceeded { .. }), "{err}");
}

#[test]
fn a_string_of_a_gigabyte_is_refused_without_building_it() {
    let mut json = String::with_capacity((1 << 30) + 100);
    json.push_str(r#"{"company": ""#);
    json.extend(std::iter::repeat_n('x', 1 << 30));
    json.push_str(r#"", "currency": "CNY", "as_of": "2025-01-01"}"#);
    let err = Dataset::from_json(&json).unwrap_err();
    assert_eq!(
        err,
        OmoError::LimitExceeded {
            what: "company: string bytes".into(),
            limit: JsonLimits::DEFAULT_MAX_STRING_BYTES as u64,
            actual: 1 << 30
        }
    );
}

#[test]
fn bad_calls_are_refused_and_change_nothing() {
    let d = Dataset::from_json_validated(&company().to_string()).unwrap();
    let mut snapshot = Snapshot::new(d, CreditPolicy::default()).unwrap();
    let before = snapshot.dataset().to_json().unwrap();
    let (node, product) = (snapshot.dataset().nodes[0].id.clone(), snapshot.dataset().products[0].id.clone());
    let movement = |node: NodeId, product: ProductId, quantity: i64| StockMovement {
        node,
        product,
        date: snapshot.dataset().as_of,
        kind: MovementKind::Sale,
        quantity: Decimal::from(quantity),
        counterparty: None,
        reference: None,
    };
    let refused = [
        ("a sale of more than is on hand", movement(node.clone(), product.clone(), 900_000_000)),
        ("an unknown node", movement(NodeId::new("NOWHERE").unwrap(), product.clone(), 1)),
        ("a negative sale", movement(node.clone(), product.clone(), -5)),
    ];
    for (name, m) in refused {
        let err = snapshot.record_movement(m).unwrap_err().to_string();
        assert!(!err.is_empty(), "{name}");
        assert_eq!(snapshot.dataset().to_json().unwrap(), before, "{name} changed the snapshot");
    }
}

#[test]
fn bad_series_are_refused_naming_the_value() {
    let rows: Vec<(&str, Vec<f64>, usize, &str)> = vec![
        ("NaN", vec![1.0, f64::NAN, 3.0], 3, "position 1"),
        ("infinity", vec![1.0, 2.0, f64::INFINITY], 3, "position 2"),
        ("-infinity", vec![f64::NEG_INFINITY], 3, "position 0"),
        ("empty", vec![], 3, "empty"),
        ("zero horizon", vec![1.0, 2.0], 0, "horizon"),
    ];
    for (name, y, h, says) in rows {
        let err = forecast(&y, Method::Auto, &ForecastOptions::new(h)).unwrap_err().to_string();
        assert!(err.contains(says), "{name}: {err}");
    }
    // One value is a series: every model forecasts it without failing.
    let one = forecast(&[5.0], Method::Auto, &ForecastOptions::new(3)).unwrap();
    assert_eq!(one.mean, vec![5.0; 3]);
}
