//! The mobile door's bad-input catalogue, one row per kind of bad input an app (or a broken sync)
//! can hand the engine: the call, the typed error it must raise, and a piece of the error's detail
//! that names the culprit. A call on an existing engine must change nothing (its `to_json` is the
//! same before and after), every detail stays short, and no row panics or takes more than seconds.
//!
//! Non-UTF-8 text cannot reach the mobile door (a Kotlin `String`, a Swift `String` and a Python
//! `str` are always valid Unicode, and uniffi passes them as UTF-8), so it has no row here; the
//! main job's `--dataset` catalogue (`examples/tests/bad_dataset.rs`) has one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use omo_core::Dataset;
use omo_core::model::{
    Currency, MovementKind, OrderStatus, Payment, Region, RegionId, SalesLine, SalesOrder, StockMovement,
};
use omo_core::sample::{SampleConfig, sample_company};
use omo_mobile::*;
use rust_decimal::Decimal;

type Outcome = Result<String, OmoMobileError>;
/// A row's call on the engine over the valid snapshot; `Ok` carries a snapshot's JSON (for
/// loading rows) or nothing.
type Run = Arc<dyn Fn(&Engine) -> Outcome + Send + Sync>;

/// What a row must give.
enum Expect {
    /// This error variant, its detail containing this text.
    Error(&'static str, String),
    /// Success: extreme but valid input.
    Ok,
    /// Either refused (this variant, naming this), or accepted with this text kept in the snapshot
    /// the call returns: never silently changed.
    RefusedOrKept(&'static str, String, String),
}

/// One row of the catalogue.
struct Row {
    /// The bad input, as the README's table names it.
    input: &'static str,
    /// The call it is given to, as an app writes it.
    call: &'static str,
    /// Runs the call.
    run: Run,
    expect: Expect,
}

fn variant(e: &OmoMobileError) -> &'static str {
    match e {
        OmoMobileError::InvalidData { .. } => "InvalidData",
        OmoMobileError::InvalidInput { .. } => "InvalidInput",
        OmoMobileError::UnknownId { .. } => "UnknownId",
        OmoMobileError::NegativeStock { .. } => "NegativeStock",
        OmoMobileError::CurrencyMismatch { .. } => "CurrencyMismatch",
        OmoMobileError::Unexpected { .. } => "Unexpected",
    }
}

fn detail(e: &OmoMobileError) -> &str {
    match e {
        OmoMobileError::InvalidData { detail }
        | OmoMobileError::InvalidInput { detail }
        | OmoMobileError::UnknownId { detail }
        | OmoMobileError::NegativeStock { detail }
        | OmoMobileError::CurrencyMismatch { detail }
        | OmoMobileError::Unexpected { detail } => detail,
    }
}

/// The longest detail any row may give: values in messages are shortened.
const MAX_DETAIL: usize = 500;
/// The longest any row may take (a debug build on a shared two-core machine).
const MAX_TIME: Duration = Duration::from_secs(20);

/// Loads `json` into an engine; its snapshot is the outcome.
fn load(json: String) -> Run {
    Arc::new(move |_| Engine::from_json(json.clone())?.to_json())
}

/// `json` with the value of `field` in the first record of `collection` replaced by `raw` (JSON
/// text: `"\"2025-13-45\""`, `"1e30"`).
fn set_first(json: &str, collection: &str, field: &str, raw: &str) -> String {
    let start = json.find(&format!("\"{collection}\":[{{")).unwrap_or_else(|| panic!("no {collection}"));
    let key = format!("\"{field}\":");
    let at = start + json[start..].find(&key).unwrap_or_else(|| panic!("no {collection}[0].{field}")) + key.len();
    let rest = &json[at..];
    let len = match rest.strip_prefix('"') {
        Some(text) => text.find('"').unwrap() + 2,
        None => rest.find([',', '}', ']']).unwrap(),
    };
    format!("{}{raw}{}", &json[..at], &json[at + len..])
}

/// The first half of `json`, cut at a character boundary.
fn truncated(json: &str) -> String {
    let mut cut = json.len() / 2;
    while !json.is_char_boundary(cut) {
        cut -= 1;
    }
    json[..cut].to_owned()
}

/// `json` with a field inserted at the start of the first record of `collection`.
fn insert_first(json: &str, collection: &str, field_and_value: &str) -> String {
    let open = format!("\"{collection}\":[{{");
    let at = json.find(&open).unwrap_or_else(|| panic!("no {collection}")) + open.len();
    format!("{}{field_and_value},{}", &json[..at], &json[at..])
}

/// The sample company with `length` regions chained below its root, the first distributor in
/// the deepest; closed into a ring when `ring`.
fn deep_regions(base: &Dataset, length: usize, ring: bool) -> String {
    let mut d = base.clone();
    let root = d.regions.iter().find(|r| r.parent.is_none()).unwrap().id.clone();
    let id = |i: usize| RegionId::new(format!("DEEP-{i}")).unwrap();
    for i in 0..length {
        let parent = match i {
            0 if ring => id(length - 1),
            0 => root.clone(),
            _ => id(i - 1),
        };
        d.regions.push(Region::new(id(i), format!("level {i}"), Some(parent)).unwrap());
    }
    d.customers.iter_mut().find(|c| c.kind.as_str() == "distributor").unwrap().region = id(length - 1);
    d.to_json().unwrap()
}

/// An order as an app may build it (its fields set directly, unchecked): `quantity` of `product`
/// at 10, on 2026-01-02.
fn order(id: &str, customer: &str, node: &str, product: &str, quantity: &str) -> SalesOrder {
    let line = SalesLine {
        product: parsed(product),
        quantity: parsed(quantity),
        unit_price: Decimal::TEN,
        discount: Decimal::ZERO,
    };
    SalesOrder {
        id: parsed(id),
        customer: parsed(customer),
        order_date: parsed("2026-01-02"),
        requested_date: None,
        ship_from: parsed(node),
        status: OrderStatus::Open,
        lines: vec![line],
    }
}

fn payment(customer: &str, amount: &str) -> Payment {
    let currency = Currency::new("CNY").unwrap();
    Payment::new(parsed("APP-PAY-1"), parsed(customer), parsed("2026-01-02"), parsed(amount), currency).unwrap()
}

/// A movement as an app may build it (unchecked), on 2026-01-02.
fn movement(node: &str, product: &str, kind: MovementKind, quantity: &str) -> StockMovement {
    let (node, product, date, quantity) = (parsed(node), parsed(product), parsed("2026-01-02"), parsed(quantity));
    StockMovement { node, product, date, kind, quantity, counterparty: None, reference: None }
}

/// `text` read as an id, an amount or a date of the core's.
fn parsed<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

fn series(values: Vec<f64>) -> Run {
    Arc::new(move |_| {
        forecast_series(values.clone(), 3, 1, "naive".into(), vec![80.0]).map(|f| format!("{:?}", f.mean))
    })
}

fn error(variant: &'static str, names: impl Into<String>) -> Expect {
    Expect::Error(variant, names.into())
}

fn catalogue(base: &Dataset) -> Vec<Row> {
    let json = base.to_json().unwrap();
    let customer = base.credit_accounts[0].customer.to_string();
    let sale = base.movements.iter().find(|m| m.kind == omo_core::model::MovementKind::Sale).unwrap();
    let (node, product) = (sale.node.to_string(), sale.product.to_string());
    let megabyte = "X".repeat(1 << 20);
    let ten_to_30 = format!("1{}", "0".repeat(30));
    let existing_order = base.orders[0].id.to_string();
    let first_invoice = base.invoices[0].id.to_string();
    let first_customer = base.customers[0].id.to_string();
    let deep = deep_regions(base, 100_000, false);

    let row = |input, call, run, expect| Row { input, call, run, expect };

    vec![
        // The snapshot an app loads.
        row("malformed JSON", "Engine.fromJson", load("{\"company\": ".into()), error("InvalidData", "EOF")),
        row("truncated snapshot", "Engine.fromJson", load(truncated(&json)), error("InvalidData", "EOF")),
        row(
            "duplicated product id",
            "Engine.fromJson",
            load({
                let mut d = base.clone();
                d.products.push(d.products[0].clone());
                d.to_json().unwrap()
            }),
            error("InvalidData", format!("product {}: id: duplicate", base.products[0].id)),
        ),
        row(
            "unknown region of a customer",
            "Engine.fromJson",
            load({
                let mut d = base.clone();
                d.customers[0].region = RegionId::new("ATLANTIS").unwrap();
                d.to_json().unwrap()
            }),
            error("InvalidData", "unknown region \"ATLANTIS\""),
        ),
        row(
            "region hierarchy cycle",
            "Engine.fromJson",
            load({
                let mut d = base.clone();
                let child = d.regions.iter().find(|r| r.parent.is_some()).unwrap().clone();
                let parent = d.regions.iter_mut().find(|r| Some(&r.id) == child.parent.as_ref()).unwrap();
                parent.parent = Some(child.id.clone());
                d.to_json().unwrap()
            }),
            error("InvalidData", "cycle"),
        ),
        row("regions 100,000 levels deep", "Engine.fromJson", load(deep.clone()), Expect::Ok),
        row(
            "regions 100,000 levels deep",
            "scorecard",
            Arc::new({
                let json = deep.clone();
                move |_| {
                    let engine = Engine::from_json(json.clone())?;
                    engine
                        .scorecard(omo_core::views::Axis::Region, None)
                        .map(|card| format!("{} members", card.rows.len()))
                }
            }),
            Expect::Ok,
        ),
        row(
            "regions 100,000 levels deep, closed into a cycle",
            "Engine.fromJson",
            load(deep_regions(base, 100_000, true)),
            error("InvalidData", "cycle"),
        ),
        row(
            "customer id of 1 MB",
            "Engine.fromJson",
            load(json.replace(&format!("\"{first_customer}\""), &format!("\"{megabyte}\""))),
            error("InvalidData", "customers[0].id"),
        ),
        row(
            "credit limit of 10^30",
            "Engine.fromJson",
            load(set_first(&json, "credit_accounts", "limit", &format!("\"{ten_to_30}\""))),
            error("InvalidData", format!("credit_accounts[0] {customer}: limit")),
        ),
        row(
            "credit limit as the JSON float 12345678901234567.89",
            "Engine.fromJson",
            load(set_first(&json, "credit_accounts", "limit", "12345678901234567.89")),
            Expect::RefusedOrKept("InvalidData", "limit".into(), "\"12345678901234567.89\"".into()),
        ),
        row(
            "credit limit as the JSON float 1234567890123.456789 (19 digits, within limits)",
            "Engine.fromJson",
            load(set_first(&json, "credit_accounts", "limit", "1234567890123.456789")),
            Expect::RefusedOrKept("InvalidData", "limit".into(), "\"1234567890123.456789\"".into()),
        ),
        row(
            "invoice date 2025-13-45",
            "Engine.fromJson",
            load(set_first(&json, "invoices", "date", "\"2025-13-45\"")),
            error("InvalidData", format!("invoices[0] {first_invoice}: date")),
        ),
        row(
            "invoice date 31/12/2025",
            "Engine.fromJson",
            load(set_first(&json, "invoices", "date", "\"31/12/2025\"")),
            error("InvalidData", format!("invoices[0] {first_invoice}: date")),
        ),
        row(
            "typo'd field \"blockd\" in a credit account",
            "Engine.fromJson",
            load(insert_first(&json, "credit_accounts", "\"blockd\":\"fraud\"")),
            error("InvalidData", format!("credit_accounts[0] {customer}: blockd")),
        ),
        row(
            "invoice in USD, company in CNY",
            "Engine.fromJson",
            load({
                let mut d = base.clone();
                d.invoices[0].currency = Currency::new("USD").unwrap();
                d.to_json().unwrap()
            }),
            error("InvalidData", format!("invoice {first_invoice}: currency")),
        ),
        row(
            "company name of 25 bytes, limit 24",
            "Engine.fromJsonWithLimit",
            Arc::new({
                let empty = Dataset::new("ACME", base.currency.clone(), base.as_of).to_json().unwrap();
                let named = move |name: &str| empty.replace("\"ACME\"", &format!("{name:?}"));
                move |_| {
                    // 24 bytes load; one more is refused.
                    Engine::from_json_with_limit(named("ACME FERTILIZER CO., LTD"), 24)?;
                    Engine::from_json_with_limit(named("ACME FERTILIZERS CO., LTD"), 24)?.to_json()
                }
            }),
            error("InvalidData", "company: string bytes: 25 is more than the limit of 24"),
        ),
        // Values that cannot cross in (text where an amount, a date or an id is due) are rows
        // of the Python test of the generated bindings (tests/mobile_python), which can pass them.
        // Ids.
        row(
            "order id already in the snapshot",
            "recordOrder",
            Arc::new({
                let (id, customer, node, product) =
                    (existing_order.clone(), customer.clone(), node.clone(), product.clone());
                move |e| e.record_order(order(&id, &customer, &node, &product, "1")).map(|_| String::new())
            }),
            error("InvalidData", existing_order.clone()),
        ),
        row(
            "order of an unknown product",
            "recordOrder",
            Arc::new({
                let (customer, node) = (customer.clone(), node.clone());
                move |e| e.record_order(order("APP-1", &customer, &node, "NO-SUCH-SKU", "1")).map(|_| String::new())
            }),
            error("InvalidData", "NO-SUCH-SKU"),
        ),
        row(
            "payment of an unknown customer",
            "recordPayment",
            Arc::new(|e| e.record_payment(payment("NO-SUCH-CUSTOMER", "10")).map(|_| String::new())),
            error("InvalidData", "NO-SUCH-CUSTOMER"),
        ),
        // Quantities.
        row(
            "negative quantity of a sale",
            "recordMovement",
            Arc::new({
                let (node, product) = (node.clone(), product.clone());
                move |e| {
                    e.record_movement("APP-M1".into(), movement(&node, &product, MovementKind::Sale, "-5"))
                        .map(|_| String::new())
                }
            }),
            error("InvalidData", "quantity"),
        ),
        row(
            "negative quantity of an order line",
            "recordOrder",
            Arc::new({
                let (customer, node, product) = (customer.clone(), node.clone(), product.clone());
                move |e| e.record_order(order("APP-2", &customer, &node, &product, "-3")).map(|_| String::new())
            }),
            error("InvalidData", "quantity"),
        ),
        row(
            "sale of more than is on hand",
            "recordMovement",
            Arc::new({
                let (node, product) = (node.clone(), product.clone());
                move |e| {
                    let sale = movement(&node, &product, MovementKind::Sale, "999999999");
                    e.record_movement("APP-M2".into(), sale).map(|_| String::new())
                }
            }),
            error("NegativeStock", "negative"),
        ),
        // Series.
        row("NaN in a series", "forecastSeries", series(vec![3.0, f64::NAN, 4.0]), error("InvalidInput", "NaN")),
        row(
            "infinity in a series",
            "forecastSeries",
            series(vec![3.0, 5.0, f64::INFINITY]),
            error("InvalidInput", "inf"),
        ),
        row("empty series", "forecastSeries", series(vec![]), error("InvalidInput", "empty")),
        row("one-value series", "forecastSeries", series(vec![4.0]), Expect::Ok),
        row(
            "interval level 100",
            "forecastSeries",
            Arc::new(|_| {
                forecast_series(vec![3.0, 5.0, 4.0], 2, 1, "naive".into(), vec![100.0]).map(|_| String::new())
            }),
            error("InvalidInput", "level"),
        ),
    ]
}

/// Why `outcome` does not meet `expect`, if it does not.
fn mismatch(outcome: &Outcome, expect: &Expect) -> Option<String> {
    let refused = |e: &OmoMobileError, want: &str, names: &str| {
        let (got, text) = (variant(e), detail(e));
        if got != want {
            Some(format!("got {got}, want {want}: {text:.300}"))
        } else if !text.contains(names) {
            Some(format!("the detail does not name {names:?}: {text:.300}"))
        } else if text.len() > MAX_DETAIL {
            Some(format!("the detail is {} bytes long: {:.200}...", text.len(), text))
        } else {
            None
        }
    };
    match (outcome, expect) {
        (Err(e), Expect::Error(want, names) | Expect::RefusedOrKept(want, names, _)) => refused(e, want, names),
        (Err(e), Expect::Ok) => Some(format!("refused: {} {:.300}", variant(e), detail(e))),
        (Ok(_), Expect::Ok) => None,
        (Ok(json), Expect::RefusedOrKept(_, _, kept)) => {
            (!json.contains(kept.as_str())).then(|| format!("accepted, but {kept} was not kept digit for digit"))
        }
        (Ok(text), Expect::Error(want, _)) => Some(format!("accepted ({:.100}), want {want}", text)),
    }
}

#[test]
fn every_bad_input_gives_a_typed_error_naming_the_culprit_and_changes_nothing() {
    let base = sample_company(&SampleConfig::small(7)).unwrap();
    let engine: Arc<Engine> = Engine::from_json(base.to_json().unwrap()).unwrap();
    let before = engine.to_json().unwrap();
    let mut failures = Vec::new();
    for row in catalogue(&base) {
        let what = format!("{} -> {}", row.input, row.call);
        let started = Instant::now();
        let (sender, receiver) = std::sync::mpsc::channel();
        let (run, on) = (row.run.clone(), engine.clone());
        // A row that runs too long is left behind (its thread ends with the test process).
        std::thread::spawn(move || sender.send(run(&on)));
        let Ok(outcome) = receiver.recv_timeout(MAX_TIME) else {
            failures.push(format!("{what}: still running after {MAX_TIME:?}"));
            continue;
        };
        let took = started.elapsed();
        match (mismatch(&outcome, &row.expect), &outcome) {
            (Some(why), _) => failures.push(format!("{what}: {why}")),
            (None, Ok(_)) => println!("ok   {what}: accepted ({took:.1?})"),
            (None, Err(e)) => println!("ok   {what}: {} {:.120} ({took:.1?})", variant(e), detail(e)),
        }
        if engine.to_json().unwrap() != before {
            failures.push(format!("{what}: the engine's snapshot changed"));
        }
    }
    assert!(failures.is_empty(), "{} row(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn an_amount_is_read_exactly_or_not_at_all() {
    let engine = Engine::sample(7).unwrap();
    let customer = sample_company(&SampleConfig::small(7)).unwrap().credit_accounts[0].customer.clone();
    // 28 significant digits: the most a Decimal holds, kept to the last digit.
    let exact = "1234567890.123456789012345678";
    let check = engine.check_order(customer, parsed(exact), None, None).unwrap();
    assert_eq!(check.order_amount, exact.parse::<Decimal>().unwrap());
    assert_eq!(check.order_amount.to_string(), exact);
}
