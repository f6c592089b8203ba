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
use omo_core::model::{Currency, MovementKind, Region, RegionId};
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

fn order(id: &str, customer: &str, node: &str, product: &str, quantity: &str) -> NewOrder {
    NewOrder {
        id: id.into(),
        customer: customer.into(),
        date: "2026-01-02".into(),
        ship_from: node.into(),
        lines: vec![NewOrderLine {
            product: product.into(),
            quantity: quantity.into(),
            unit_price: "10".into(),
            discount: None,
        }],
    }
}

fn payment(customer: &str, date: &str, amount: &str) -> NewPayment {
    NewPayment {
        id: "APP-PAY-1".into(),
        customer: customer.into(),
        date: date.into(),
        amount: amount.into(),
        currency: None,
    }
}

fn movement(node: &str, product: &str, kind: MovementKind, quantity: &str) -> NewMovement {
    NewMovement {
        event_id: format!("{node}:{product}:{quantity}"),
        node: node.into(),
        product: product.into(),
        date: "2026-01-02".into(),
        kind,
        quantity: quantity.into(),
    }
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
    let ten_to_31 = format!("1{}", "0".repeat(31));
    let existing_order = base.orders[0].id.to_string();
    let first_invoice = base.invoices[0].id.to_string();
    let first_customer = base.customers[0].id.to_string();
    let deep = deep_regions(base, 100_000, false);

    let row = |input, call, run, expect| Row { input, call, run, expect };
    let check_order = |amount: String| -> Run {
        let customer = customer.clone();
        Arc::new(move |e| e.check_order(customer.clone(), amount.clone(), None, None).map(|_| String::new()))
    };
    let amount = || error("InvalidInput", "amount");

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
        // Amounts an app passes: strings, exact or refused naming the argument.
        row("amount \"1E+99\"", "checkOrder", check_order("1E+99".into()), amount()),
        row("amount \"12,50\"", "checkOrder", check_order("12,50".into()), amount()),
        row("amount \"NaN\"", "checkOrder", check_order("NaN".into()), amount()),
        row("amount \"1e30\"", "checkOrder", check_order("1e30".into()), amount()),
        row(
            "amount 10^30",
            "checkOrder",
            check_order(ten_to_30.clone()),
            error("InvalidInput", "amount: 1000000000000000000000000000000: too large"),
        ),
        row("amount 10^31", "checkOrder", check_order(ten_to_31), amount()),
        row("amount \"\"", "checkOrder", check_order(String::new()), amount()),
        row(
            "payment of 10^30",
            "recordPayment",
            Arc::new({
                let (customer, amount) = (customer.clone(), ten_to_30.clone());
                move |e| e.record_payment(payment(&customer, "2026-01-02", &amount)).map(|_| String::new())
            }),
            error("InvalidInput", "amount"),
        ),
        // Ids.
        row(
            "customer id of 1 MB",
            "creditPosition",
            Arc::new({
                let id = megabyte.clone();
                move |e| e.credit_position(id.clone()).map(|_| String::new())
            }),
            error("InvalidInput", "customer"),
        ),
        row(
            "order id of 1 MB",
            "recordOrder",
            Arc::new({
                let (id, customer, node, product) = (megabyte.clone(), customer.clone(), node.clone(), product.clone());
                move |e| e.record_order(order(&id, &customer, &node, &product, "1")).map(|_| String::new())
            }),
            error("InvalidInput", "order"),
        ),
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
            Arc::new(|e| e.record_payment(payment("NO-SUCH-CUSTOMER", "2026-01-02", "10")).map(|_| String::new())),
            error("InvalidData", "NO-SUCH-CUSTOMER"),
        ),
        // Quantities.
        row(
            "negative quantity of a sale",
            "recordMovement",
            Arc::new({
                let (node, product) = (node.clone(), product.clone());
                move |e| e.record_movement(movement(&node, &product, MovementKind::Sale, "-5")).map(|_| String::new())
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
                    e.record_movement(movement(&node, &product, MovementKind::Sale, "999999999")).map(|_| String::new())
                }
            }),
            error("NegativeStock", "negative"),
        ),
        // Dates.
        row(
            "date 2025-13-45",
            "recordPayment",
            Arc::new({
                let customer = customer.clone();
                move |e| e.record_payment(payment(&customer, "2025-13-45", "10")).map(|_| String::new())
            }),
            error("InvalidInput", "date: \"2025-13-45\""),
        ),
        row(
            "date 31/12/2025",
            "checkOrder",
            Arc::new({
                let customer = customer.clone();
                move |e| {
                    e.check_order(customer.clone(), "10".into(), Some("31/12/2025".into()), None).map(|_| String::new())
                }
            }),
            error("InvalidInput", "date: \"31/12/2025\""),
        ),
        row(
            "date past chrono's range (year 300000)",
            "spi",
            Arc::new({
                let node = node.clone();
                move |e| {
                    e.spi(node.clone(), None, omo_core::spi::Period::Month, Some("300000-01-01".into()), None)
                        .map(|_| String::new())
                }
            }),
            error("InvalidInput", "from"),
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
    let customer = engine
        .credit_position(sample_company(&SampleConfig::small(7)).unwrap().credit_accounts[0].customer.to_string());
    let customer = customer.unwrap().check.customer.to_string();
    // 28 significant digits: the most a Decimal holds, kept to the last digit.
    let exact = "1234567890.123456789012345678";
    let check = engine.check_order(customer, exact.into(), None, None).unwrap();
    assert_eq!(check.order_amount, exact.parse::<Decimal>().unwrap());
    assert_eq!(check.order_amount.to_string(), exact);
}
