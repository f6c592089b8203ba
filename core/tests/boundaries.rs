//! Exact at every boundary: JSON numbers read from their text, one currency rule, the credit
//! audit trail, one stock rule, and errors that name the record and the field.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use omo_core::credit::{AccountChange, AuditStamp, CreditAccount, RiskClass};
use omo_core::model::{Currency, CustomerId, MovementKind, OrderId, StockMovement};
use omo_core::plan::{ChannelSettings, SupplySettings, company_plan};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::{HealthOptions, NodeLevel, Period, ProductLevel, inventory_health, roll_up};
use omo_core::{Dataset, OmoError, ValidDataset};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A dataset of one region, customer, credit account and payment, as JSON to break.
fn base() -> Value {
    use omo_core::model::*;
    let mut d = Dataset::new("Acme", Currency::new("CNY").unwrap(), day(2025, 3, 31));
    let fert = CategoryId::new("FERT").unwrap();
    d.categories.push(ProductCategory::new(fert.clone(), "Fertilizer", None).unwrap());
    d.products.push(Product::new(ProductId::new("UREA").unwrap(), "Urea", fert, "bag", dec("80"), dec("100")).unwrap());
    let (east, bu) = (RegionId::new("EAST").unwrap(), BusinessUnitId::new("BU").unwrap());
    d.regions.push(Region::new(east.clone(), "East", None).unwrap());
    d.business_units.push(BusinessUnit::new(bu.clone(), "Agri", None).unwrap());
    let d01 = CustomerId::new("D-01").unwrap();
    d.customers.push(Customer::new(d01.clone(), "Distributor", CustomerKind::Distributor, east, bu).unwrap());
    d.nodes.push(Node::new(NodeId::new("PLANT").unwrap(), "Plant", NodeKind::Plant, None).unwrap());
    d.credit_accounts.push(CreditAccount::new(d01.clone(), dec("100000"), 30, d.currency.clone()).unwrap());
    let payment = Payment::new(PaymentId::new("PAY-1").unwrap(), d01, day(2025, 3, 2), dec("10"), d.currency.clone());
    d.payments.push(payment.unwrap());
    serde_json::from_str(&d.to_json().unwrap()).unwrap()
}

fn read(value: &Value) -> Result<Dataset, OmoError> {
    Dataset::from_json_validated(&value.to_string())
}

#[test]
fn the_base_dataset_is_sound() {
    read(&base()).unwrap();
}

#[test]
fn a_json_number_with_more_digits_than_an_f64_keeps_every_digit() {
    let json = base().to_string().replace(r#""limit":"100000""#, r#""limit":123456789012.123456789"#);
    assert!(json.contains("123456789012.123456789"));
    let d = Dataset::from_json_validated(&json).unwrap();
    assert_eq!(d.credit_accounts[0].limit, dec("123456789012.123456789"));
    // 123456789012.123456789 as an f64 is 123456789012.12346: the digits survived.
    assert_eq!("123456789012.123456789".parse::<f64>().unwrap().to_string(), "123456789012.12346");
    let written = d.to_json().unwrap();
    assert!(written.contains(r#""limit":"123456789012.123456789""#), "written as a string, digit for digit");
    // Beyond what a Decimal holds: refused, never rounded.
    let json = base().to_string().replace(r#""limit":"100000""#, r#""limit":12345678901234567.890123456789012"#);
    let err = Dataset::from_json(&json).unwrap_err().to_string();
    assert!(err.contains("credit_accounts[0] D-01: limit:") && err.contains("digits"), "{err}");
}

#[test]
fn every_decimal_written_as_a_json_number_reads_back_the_same() {
    // The whole sample company with every decimal string turned into a bare JSON number: every
    // money and quantity field of every collection must read it exactly.
    let company = sample_company(&SampleConfig::small(3)).unwrap();
    let mut tree: Value = serde_json::from_str(&company.to_json().unwrap()).unwrap();
    let mut turned = 0usize;
    numbers_unquoted(&mut tree, &mut turned);
    assert!(turned > 10_000, "only {turned} numbers");
    let again = Dataset::from_json(&tree.to_string()).unwrap();
    assert_eq!(again, company);
}

/// Replaces every string value that is a plain decimal number (not an id or a date) by the same
/// text as a JSON number.
fn numbers_unquoted(value: &mut Value, turned: &mut usize) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let is_id = ["id", "customer", "product", "node", "parent", "region"].contains(&key.as_str());
                if is_id {
                    continue;
                }
                numbers_unquoted(v, turned);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| numbers_unquoted(v, turned)),
        Value::String(text) if text.parse::<f64>().is_ok() && !text.contains('e') && !text.contains('E') => {
            if let Ok(number) = serde_json::from_str::<Value>(text) {
                *value = number;
                *turned += 1;
            }
        }
        _ => {}
    }
}

#[test]
fn numbers_that_do_not_fit_are_refused_naming_the_field() {
    for (written, why) in [
        ("1e30", "too large"),
        ("1000000000000000000000000000000", "too large"),
        ("\"0.12345678901234567890123456789\"", "digits"),
        ("\"12,50\"", "not a decimal number"),
        ("\"NaN\"", "not a decimal number"),
    ] {
        let json = base().to_string().replace(r#""amount":"10""#, &format!(r#""amount":{written}"#));
        let err = Dataset::from_json(&json).unwrap_err().to_string();
        assert!(err.contains("payments[0] PAY-1: amount:") && err.contains(why), "{written}: {err}");
    }
}

#[test]
fn unknown_fields_are_refused_naming_record_and_field() {
    let mut typo = base();
    typo["credit_accounts"][0]["blockd"] = json!("fraud");
    let err = read(&typo).unwrap_err().to_string();
    assert!(err.contains("credit_accounts[0] D-01: blockd: unknown field `blockd`"), "{err}");
    let mut typo = base();
    typo["customers"][0]["parnet"] = json!("D-00");
    let err = read(&typo).unwrap_err().to_string();
    assert!(err.contains("customers[0] D-01: parnet: unknown field"), "{err}");
}

#[test]
fn a_malformed_date_names_collection_record_and_field() {
    let mut bad = base();
    bad["payments"][0]["date"] = json!("2025-13-45");
    let err = read(&bad).unwrap_err().to_string();
    assert!(err.contains("payments[0] PAY-1: date: \"2025-13-45\" is not a date"), "{err}");
}

#[test]
fn a_byte_order_mark_and_iso_date_times_are_read() {
    let mut erp = base();
    erp["payments"][0]["date"] = json!("2025-03-02T14:05:00+08:00");
    let d = Dataset::from_json_validated(&format!("\u{feff}{erp}")).unwrap();
    assert_eq!(d.payments[0].date, day(2025, 3, 2));
}

#[test]
fn a_foreign_currency_record_without_a_rate_is_refused_naming_it() {
    let mut usd = base();
    usd["payments"][0]["currency"] = json!("USD");
    let err = read(&usd).unwrap_err().to_string();
    assert!(err.contains("payment PAY-1: currency: USD is not the company's currency CNY"), "{err}");
    let mut account = base();
    account["credit_accounts"][0]["currency"] = json!("EUR");
    let err = read(&account).unwrap_err().to_string();
    assert!(err.contains("credit_account D-01: currency: EUR"), "{err}");
}

#[test]
fn a_foreign_currency_record_is_converted_exactly_at_the_rate_of_its_date() {
    let mut usd = base();
    usd["exchange_rates"] = json!([
        {"currency": "USD", "date": "2025-02-01", "rate": "7.1234"},
        {"currency": "USD", "date": "2025-03-02", "rate": "7.2001"},
        {"currency": "USD", "date": "2025-03-03", "rate": "9"}
    ]);
    usd["payments"][0]["currency"] = json!("USD");
    usd["payments"][0]["amount"] = json!("1234.56");
    let d = read(&usd).unwrap();
    let payment = &d.payments[0];
    // 1234.56 x 7.2001 = 8888.95546 (by hand: 1234.56 x 7 = 8641.92; x 0.2001 = 247.035456).
    assert_eq!(payment.amount, dec("8888.955456"));
    assert_eq!(payment.currency, Currency::new("CNY").unwrap());
    let conversion = payment.converted_from.as_ref().unwrap();
    assert_eq!(
        (conversion.currency.as_str(), conversion.rate, conversion.rate_date),
        ("USD", dec("7.2001"), day(2025, 3, 2))
    );
    // Written and read again, the record is not converted a second time.
    let again = Dataset::from_json_validated(&d.to_json().unwrap()).unwrap();
    assert_eq!(again, d);
}

#[test]
fn the_audit_trail_keeps_every_change_and_an_increase_ends_by_itself() {
    let stamp = |d: u32, who: &str, why: &str| AuditStamp::new(day(2025, 3, d), who, why);
    let mut account =
        CreditAccount::new(CustomerId::new("D-01").unwrap(), dec("100000"), 30, Currency::new("CNY").unwrap()).unwrap();
    account.set_limit(dec("80000"), &stamp(1, "li.wei", "late payments")).unwrap();
    account
        .grant_temporary_increase(dec("50000"), day(2025, 3, 5), day(2025, 3, 20), &stamp(2, "li.wei", "spring"))
        .unwrap();
    account.set_risk_class(RiskClass::D, &stamp(3, "risk desk", "two invoices 60 days overdue"));
    account.block(&stamp(4, "cfo", "cheque bounced"));
    account.override_blocked_order(OrderId::new("SO-9").unwrap(), dec("1200.50"), &stamp(5, "cfo", "cash on delivery"));
    account.unblock(&stamp(6, "cfo", "cheque cleared"));
    assert_eq!(account.history.len(), 6);
    assert_eq!(account.blocked, None);
    assert_eq!(account.risk_class, RiskClass::D);
    // The increase counts from its first to its last day and then ends by itself.
    assert_eq!(account.effective_limit(day(2025, 3, 4)), dec("80000"));
    assert_eq!(account.effective_limit(day(2025, 3, 20)), dec("130000"));
    assert_eq!(account.effective_limit(day(2025, 3, 21)), dec("80000"));
    assert_eq!(account.audit_trail(day(2025, 3, 20)).len(), 6);
    let trail = account.audit_trail(day(2025, 3, 31));
    assert_eq!(trail.len(), 7);
    let last = trail.last().unwrap();
    assert_eq!((last.stamp.date, last.stamp.by.as_str()), (day(2025, 3, 21), "omo"));
    assert!(matches!(last.change, AccountChange::IncreaseExpired(ref t) if t.amount == dec("50000")));
    let changes: Vec<&AccountChange> = account.history.iter().map(|e| &e.change).collect();
    assert_eq!(changes[0], &AccountChange::Limit { old: dec("100000"), new: dec("80000") });
    assert_eq!(changes[2], &AccountChange::RiskClass { old: RiskClass::C, new: RiskClass::D });
    assert_eq!(changes[3], &AccountChange::Block);
    assert_eq!(
        changes[4],
        &AccountChange::OverrideBlockedOrder { order: OrderId::new("SO-9").unwrap(), amount: dec("1200.50") }
    );
    assert_eq!(account.history[3].stamp.reason, "cheque bounced");
    // The trail travels in the dataset's JSON, digit for digit.
    let mut d = read(&base()).unwrap();
    d.credit_accounts[0] = account.clone();
    let again = Dataset::from_json_validated(&d.to_json().unwrap()).unwrap();
    assert_eq!(again.credit_accounts[0], account);
}

fn movement(date: NaiveDate, kind: MovementKind, quantity: &str) -> Value {
    let m = StockMovement {
        node: omo_core::model::NodeId::new("PLANT").unwrap(),
        product: omo_core::model::ProductId::new("UREA").unwrap(),
        date,
        kind,
        quantity: dec(quantity),
        counterparty: None,
        reference: None,
    };
    serde_json::to_value(m).unwrap()
}

#[test]
fn stock_that_goes_negative_is_refused_naming_node_product_and_day() {
    let mut d = base();
    d["movements"] = json!([
        movement(day(2025, 3, 1), MovementKind::Receipt, "10"),
        movement(day(2025, 3, 2), MovementKind::Sale, "4"),
        movement(day(2025, 3, 3), MovementKind::Sale, "7"),
        movement(day(2025, 3, 3), MovementKind::Receipt, "0.5"),
    ]);
    let err = read(&d).unwrap_err().to_string();
    assert!(
        err.contains(
            "stock UREA at PLANT: quantity: stock would go negative on 2025-03-03: 6 on hand, change -6.5, -0.5 after"
        ),
        "{err}"
    );
    // A company that books negative stock (ERPNext's "Allow Negative Stock") says so, and loads.
    d["allow_negative_stock"] = json!(true);
    assert!(read(&d).unwrap().allow_negative_stock);
}

#[test]
fn a_valid_dataset_is_refused_as_validation_refuses_and_its_views_are_the_same() {
    let mut d = base();
    d["movements"] = json!([
        movement(day(2025, 3, 1), MovementKind::Receipt, "10"),
        movement(day(2025, 3, 2), MovementKind::Sale, "11"),
    ]);
    let err = serde_json::from_value::<ValidDataset>(d).unwrap_err().to_string();
    assert!(err.contains("stock UREA at PLANT: quantity: stock would go negative on 2025-03-02"), "{err}");
    // Checked once or on every call, the calculators give the same answers.
    let company = sample_company(&SampleConfig::small(4)).unwrap();
    let valid = ValidDataset::new(company.clone()).unwrap();
    let level = (Period::Quarter, NodeLevel::Region, ProductLevel::Category);
    assert_eq!(
        roll_up(&valid, level.0, &level.1, &level.2).unwrap(),
        roll_up(&company, level.0, &level.1, &level.2).unwrap()
    );
    let options = HealthOptions::new(company.as_of);
    assert_eq!(inventory_health(&valid, &options).unwrap(), inventory_health(&company, &options).unwrap());
    let (channel, supply) = (ChannelSettings::new(company.as_of), SupplySettings::default());
    assert_eq!(company_plan(&valid, &channel, &supply).unwrap(), company_plan(&company, &channel, &supply).unwrap());
    assert_eq!(serde_json::to_value(&valid).unwrap(), serde_json::to_value(&company).unwrap());
}

#[test]
fn a_zero_quantity_adjustment_is_valid_and_changes_no_stock() {
    let mut d = base();
    d["movements"] = json!([
        movement(day(2025, 3, 1), MovementKind::Receipt, "10"),
        movement(day(2025, 3, 2), MovementKind::Adjustment, "0"),
    ]);
    let d = read(&d).unwrap();
    let rows = omo_core::spi::build_ledger(&d.movements, &[], omo_core::spi::LedgerOptions::default()).unwrap();
    let closing: Decimal = rows.iter().map(|r| r.flows.closing).next_back().unwrap();
    assert_eq!(closing, dec("10"));
}

/// Trailing windows that reach back past the calendar's first day (a company as it stood in its
/// first days, in the year -262143) start there instead of panicking: the engine's health and
/// KPI windows (90 days of issues and sales), its month closes, and suggested orders from the
/// trailing mean. The dataset fuzz campaign (seed 41) found the same subtraction in the team
/// view.
#[test]
fn trailing_windows_stop_at_the_calendars_first_day() {
    use chrono::Days;
    use omo_core::engine::{Engine, EngineOptions};
    use omo_core::spi::{DemandBasis, PlanSettings, suggest_orders};
    let company = sample_company(&SampleConfig::small(3)).unwrap();
    let first_days = company.until(NaiveDate::MIN + Days::new(10));
    assert!(first_days.movements.is_empty() && !first_days.nodes.is_empty());
    let mut engine = Engine::new(first_days.clone(), EngineOptions::default()).unwrap();
    engine.advance_to(NaiveDate::MIN + Days::new(100)).unwrap();
    assert_eq!(engine.as_of(), NaiveDate::MIN + Days::new(100));
    assert!(engine.stock_on_hand().is_empty());
    let settings = PlanSettings { demand: DemandBasis::TrailingMean, ..PlanSettings::new(first_days.as_of) };
    assert_eq!(suggest_orders(&first_days, &settings).unwrap(), vec![]);
}
