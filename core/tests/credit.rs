//! Credit: a scenario worked out by hand, bad input, the anchor rules of ERPNext, Odoo and OCA,
//! and properties of exposure, payments, aging and checks over random books.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Days, NaiveDate};
use omo_core::OmoError;
use omo_core::credit::*;
use omo_core::model::*;
use omo_test_support::reference_cases;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn dec(x: i64) -> Decimal {
    Decimal::from(x)
}

fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

fn c1() -> CustomerId {
    CustomerId::new("C1").unwrap()
}

fn invoice(id: &str, date: NaiveDate, due: NaiveDate, amount: i64) -> Invoice {
    Invoice::new(
        InvoiceId::new(id).unwrap(),
        c1(),
        date,
        due,
        cny(),
        vec![SalesLine::new(ProductId::new("P").unwrap(), Decimal::ONE, dec(amount))],
    )
    .unwrap()
}

fn credit_note(id: &str, date: NaiveDate, against: &str, amount: i64) -> Invoice {
    let mut note = invoice(id, date, date, amount);
    note.kind = InvoiceKind::CreditNote;
    note.against = Some(InvoiceId::new(against).unwrap());
    note
}

fn payment(id: &str, date: NaiveDate, amount: i64, allocations: &[(&str, i64)]) -> Payment {
    let mut p = Payment::new(PaymentId::new(id).unwrap(), c1(), date, dec(amount), cny()).unwrap();
    p.allocations = allocations
        .iter()
        .map(|(i, a)| PaymentAllocation { invoice: InvoiceId::new(*i).unwrap(), amount: dec(*a) })
        .collect();
    p
}

/// C1: limit 10,000, terms 30 days, a temporary increase of 5,000 in March.
fn scenario(policy: CreditPolicy) -> CreditBook {
    let mut book = CreditBook::new(cny(), policy);
    let mut account = CreditAccount::new(c1(), dec(10_000), 30, cny()).unwrap();
    account
        .grant_temporary_increase(dec(5_000), day(3, 1), day(3, 31), &AuditStamp::new(day(2, 28), "me", "season"))
        .unwrap();
    book.open_account(account).unwrap();
    book.post_invoice(&invoice("INV-1", day(1, 1), day(1, 31), 4_000)).unwrap();
    book.post_invoice(&invoice("INV-2", day(2, 1), day(3, 3), 3_000)).unwrap();
    book.post_invoice(&credit_note("CN-1", day(2, 10), "INV-2", 500)).unwrap(); // INV-2 open 2,500
    book.post_payment(&payment("P1", day(2, 20), 2_500, &[])).unwrap(); // oldest first: INV-1 open 1,500
    // 1,500 to INV-1 and 3,000 to INV-2, which owes only 2,500: 500 stays unapplied.
    book.post_payment(&payment("P2", day(3, 1), 4_500, &[("INV-1", 1_500), ("INV-2", 3_000)])).unwrap();
    book.post_invoice(&invoice("INV-3", day(3, 1), day(3, 31), 2_000)).unwrap();
    book.post_invoice(&invoice("INV-4", day(4, 10), day(5, 10), 1_000)).unwrap();
    book.book_order(OrderId::new("SO-9").unwrap(), &c1(), dec(6_500), day(5, 1)).unwrap();
    book
}

#[test]
fn a_hand_worked_book() {
    let policy = CreditPolicy {
        block_overdue_days: Some(10),
        warn_overdue_days: None,
        warn_share: None,
        ..CreditPolicy::default()
    };
    let book = scenario(policy);
    let r = book.receivables();
    assert_eq!((r.receivable(&c1()), r.unapplied(&c1())), (dec(3_000), dec(500)));
    // Aging on 15 April: INV-3 is 15 days past due, INV-4 not due.
    let aging = r.aging(day(4, 15), &AgingBuckets::default());
    assert_eq!(aging.labels, ["not due", "1-30", "31-60", "61-90", "over 90"]);
    assert_eq!(aging.rows[0].amounts, vec![dec(1_000), dec(2_000), dec(0), dec(0), dec(0)]);
    assert_eq!((aging.rows[0].total(), aging.rows[0].unapplied), (dec(3_000), dec(500)));
    // Exposure: 3,000 receivable + 6,500 open order - 500 held = 9,000.
    let e = book.exposure(&c1(), day(4, 15), CheckMode::Static);
    assert_eq!(
        (e.receivables_overdue, e.receivables_not_due, e.open_orders, e.prepayments),
        (dec(2_000), dec(1_000), dec(6_500), dec(500))
    );

    // An order of 2,000 on 15 April: blocked for two reasons at once; March's increase has expired.
    let before = format!("{:?}", book.receivables().aging(day(4, 15), &AgingBuckets::default()));
    let check = book.check_order(&c1(), dec(2_000), day(4, 15), CheckMode::Static).unwrap();
    assert_eq!(check.decision, Decision::Blocked);
    assert_eq!(
        (check.limit, check.exposure_before, check.exposure_after, check.available),
        (dec(10_000), dec(9_000), dec(11_000), dec(1_000))
    );
    let reasons: Vec<&Reason> = check.findings.iter().map(|f| &f.reason).collect();
    assert_eq!(
        reasons,
        [
            &Reason::LimitExceeded { limit: dec(10_000), exposure: dec(11_000), by: dec(1_000) },
            &Reason::TemporaryLimitExpired { amount: dec(5_000), until: day(3, 31) },
            &Reason::Overdue { days: 15, amount: dec(2_000), threshold_days: 10 },
        ]
    );
    assert_eq!(check.findings.iter().filter(|f| f.blocks).count(), 2);
    // Checking changed nothing.
    assert_eq!(format!("{:?}", book.receivables().aging(day(4, 15), &AgingBuckets::default())), before);
    assert_eq!(book.exposure(&c1(), day(4, 15), CheckMode::Static), e);

    // In March the increase applies: limit 15,000.
    assert_eq!(book.account(&c1()).unwrap().effective_limit(day(3, 15)), dec(15_000));
    // A dynamic check with a 7-day horizon leaves out the order expected on 1 May.
    let dynamic = book.check_order(&c1(), dec(2_000), day(4, 15), CheckMode::Dynamic { horizon_days: 7 }).unwrap();
    assert_eq!(dynamic.exposure_after, dec(4_500));
    assert!(!dynamic.findings.iter().any(|f| matches!(f.reason, Reason::LimitExceeded { .. })));

    // DSO on 15 April. Countback: April's 1,000 of sales explain 15 days, March's 2,000 the
    // remaining 2,000 = all 31 days: 46. Simple over 90 days: 3,000 / (3,000 - 500 + 2,000 +
    // 1,000) x 90.
    assert!((r.dso_countback(None, day(4, 15)).unwrap() - 46.0).abs() < 1e-9);
    assert!((r.dso_simple(None, day(4, 15), 90).unwrap() - 3_000.0 / 5_500.0 * 90.0).abs() < 1e-9);
    assert!((r.overdue_ratio(None, day(4, 15)).unwrap() - 2.0 / 3.0).abs() < 1e-12);

    // Payment behaviour: 2,500 to INV-1 20 days late, 1,500 to INV-1 29 days late, 2,500 to
    // INV-2 two days early; the credit note does not count.
    let b = payment_behaviour(r, &c1(), day(4, 15));
    assert_eq!(b.all_time.settlements, 3);
    assert!((b.all_time.weighted_days_late.unwrap() - (2_500.0 * 20.0 + 1_500.0 * 29.0) / 6_500.0).abs() < 1e-9);
    assert!((b.all_time.average_days_late.unwrap() - 49.0 / 3.0).abs() < 1e-9);
    assert!((b.all_time.on_time_share.unwrap() - 2_500.0 / 6_500.0).abs() < 1e-12);
    assert_eq!((b.overdue, b.oldest_overdue_days), (dec(2_000), 15));
}

#[test]
fn scores_classes_and_recommended_limits_follow_the_documented_rules() {
    let book = scenario(CreditPolicy::default());
    let rules = ScoringRules::default();
    let b = payment_behaviour(book.receivables(), &c1(), day(4, 15));
    let (score, reasons) = rules.score(&b);
    // 100 - 14.38 (weighted days late) - 2/3 x 25 (overdue share) = 68.95: class C.
    let expected = 100.0 - (2_500.0 * 20.0 + 1_500.0 * 29.0) / 6_500.0 - 2.0 / 3.0 * 25.0;
    assert!((score - expected).abs() < 1e-9, "{score} {reasons:?}");
    assert_eq!(rules.class(score), RiskClass::C);
    let rec = recommend_limit(book.receivables(), &c1(), 30, day(4, 15), &rules, &LimitRules::default()).unwrap();
    // Purchases of the last 12 months: 4,000 + 3,000 - 500 + 2,000 + 1,000 = 9,500; monthly
    // 791.67 x 2 months of terms x class C factor 1 = 1,583.33, rounded up to 2,000.
    assert_eq!(rec.limit, dec(2_000));
    assert_eq!(rec.risk_class, RiskClass::C);
    assert!(rec.reasons.last().unwrap().contains("= 1583.33"), "{:?}", rec.reasons);
    // A limit rounded to 10^-28 does not fit a decimal (1,583.33 x 10^28 units): refused, never a panic.
    let tiny = LimitRules { rounding: Decimal::new(1, 28), ..LimitRules::default() };
    let err = recommend_limit(book.receivables(), &c1(), 30, day(4, 15), &rules, &tiny).unwrap_err();
    assert!(err.to_string().contains("larger than a decimal holds"), "{err}");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut book = scenario(CreditPolicy::default());
    let before = book.receivables().receivable(&c1());
    let mut usd = payment("P9", day(4, 1), 100, &[]);
    usd.currency = Currency::new("USD").unwrap();
    assert_eq!(
        book.post_payment(&usd).unwrap_err(),
        OmoError::CurrencyMismatch { customer: "C1".into(), expected: "CNY".into(), got: "USD".into() }
    );
    assert_eq!(book.receivables().receivable(&c1()), before);
    // More than everything open: the rest is kept as unapplied cash, not lost.
    book.post_payment(&payment("P10", day(4, 20), 5_000, &[])).unwrap();
    assert_eq!((book.receivables().receivable(&c1()), book.receivables().unapplied(&c1())), (dec(0), dec(2_500)));
    let mut stranger = invoice("INV-X", day(4, 1), day(5, 1), 10);
    stranger.customer = CustomerId::new("NOBODY").unwrap();
    assert!(matches!(book.post_invoice(&stranger), Err(OmoError::UnknownCreditAccount { .. })));
    assert!(CreditAccount::new(c1(), dec(-1), 30, cny()).is_err());
    let trail = book.account(&c1()).unwrap().history.clone();
    assert!(book.account_mut(&c1()).unwrap().set_limit(dec(-5), &AuditStamp::new(day(4, 1), "me", "oops")).is_err());
    assert_eq!(book.account(&c1()).unwrap().history, trail, "a refused change leaves no trace");
    assert!(book.check_order(&c1(), dec(-1), day(4, 1), CheckMode::Static).is_err());
    // A manual block blocks, with its reason; the audit trail records the block and the limit.
    let account = book.account_mut(&c1()).unwrap();
    account.block(&AuditStamp::new(day(4, 20), "legal", "legal dispute"));
    account.set_limit(dec(20_000), &AuditStamp::new(day(4, 21), "credit manager", "new season")).unwrap();
    let n = account.history.len();
    assert_eq!(account.history[n - 2].change, AccountChange::Block);
    assert_eq!(
        account.history[n - 1],
        AuditEntry {
            stamp: AuditStamp::new(day(4, 21), "credit manager", "new season"),
            change: AccountChange::Limit { old: dec(10_000), new: dec(20_000) },
        }
    );
    let check = book.check_order(&c1(), dec(1), day(4, 21), CheckMode::Static).unwrap();
    assert_eq!(check.decision, Decision::Blocked);
    assert_eq!(check.findings[0].reason, Reason::AccountBlocked { why: "legal dispute".into() });
}

#[test]
fn a_credit_group_shares_one_limit() {
    let mut book = CreditBook::new(cny(), CreditPolicy::default());
    book.open_account(CreditAccount::new(CustomerId::new("D").unwrap(), dec(10_000), 30, cny()).unwrap()).unwrap();
    let mut retailer = CreditAccount::new(CustomerId::new("R").unwrap(), dec(0), 30, cny()).unwrap();
    retailer.group = Some(CustomerId::new("D").unwrap());
    book.open_account(retailer).unwrap();
    book.book_order(OrderId::new("O1").unwrap(), &CustomerId::new("D").unwrap(), dec(6_000), day(1, 5)).unwrap();
    book.book_order(OrderId::new("O2").unwrap(), &CustomerId::new("R").unwrap(), dec(3_000), day(1, 5)).unwrap();
    let check = book.check_order(&CustomerId::new("R").unwrap(), dec(2_000), day(1, 2), CheckMode::Static).unwrap();
    assert_eq!(
        (check.limit_holder.as_str(), check.exposure_before, check.decision),
        ("D", dec(9_000), Decision::Blocked)
    );
}

#[test]
fn every_anchor_credit_rule_is_reproduced() {
    let Some(cases) = reference_cases("reference/rule_cases.json") else { return };
    let mut ran = 0;
    for case in cases.iter().filter(|c| c["group"] == "credit") {
        let id = case["id"].as_str().unwrap();
        let i = &case["inputs"];
        let e = &case["expected"];
        let num = |v: &serde_json::Value| Decimal::try_from(v.as_f64().unwrap()).unwrap();
        let today = day(6, 1);
        let open = |policy: CreditPolicy, limit: Decimal| {
            let mut book = CreditBook::new(cny(), policy);
            book.open_account(CreditAccount::new(c1(), limit, 30, cny()).unwrap()).unwrap();
            book
        };
        match id {
            "erpnext_outstanding_and_check" => {
                // GL balance as an invoice; unbilled share of submitted, not-closed orders as open
                // orders; delivered-not-billed (not against an order) as shipped.
                let limit = num(&i["credit_limit"]);
                let build = |policy: CreditPolicy, limit: Decimal| {
                    let mut book = open(policy, limit);
                    book.post_invoice(&invoice("GL", today, today + Days::new(30), i["gl_balance"].as_i64().unwrap()))
                        .unwrap();
                    for (n, so) in i["sales_orders"].as_array().unwrap().iter().enumerate() {
                        if so[2] == "Closed" {
                            continue;
                        }
                        let unbilled = num(&so[0]) * (Decimal::ONE_HUNDRED - num(&so[1])) / Decimal::ONE_HUNDRED;
                        book.book_order(OrderId::new(format!("SO-{n}")).unwrap(), &c1(), unbilled, today).unwrap();
                    }
                    for (n, dn) in i["unbilled_dn_items_not_against_so"].as_array().unwrap().iter().enumerate() {
                        let value = (num(&dn[0]) - num(&dn[1])) / num(&dn[2]) * num(&dn[3]);
                        let order = OrderId::new(format!("DN-{n}")).unwrap();
                        book.book_order(order.clone(), &c1(), value, today).unwrap();
                        book.ship(&order, value).unwrap();
                    }
                    book.check_order(&c1(), Decimal::ZERO, today, CheckMode::Static).unwrap()
                };
                let crossed = |c: &CreditCheck| c.decision == Decision::Blocked;
                let check = build(CreditPolicy::erpnext(), limit);
                assert_eq!(check.exposure_after, num(&e["outstanding"]), "{id}");
                assert_eq!(crossed(&check), e["crossed"].as_bool().unwrap(), "{id}");
                let bypass = build(CreditPolicy::erpnext_bypass_sales_orders(), limit);
                assert_eq!(bypass.exposure_after, num(&e["outstanding_bypass_so"]), "{id}");
                assert_eq!(crossed(&bypass), e["crossed_bypass_so"].as_bool().unwrap(), "{id}");
                let at_limit = build(CreditPolicy::erpnext(), num(&e["outstanding"]));
                assert_eq!(crossed(&at_limit), e["crossed_at_equal_limit"].as_bool().unwrap(), "{id}");
            }
            _ if id.starts_with("odoo_credit_warning") => {
                let mut book = open(CreditPolicy::odoo(), num(&i["credit_limit"]));
                book.post_invoice(&invoice("AR", today, today + Days::new(30), i["credit"].as_i64().unwrap())).unwrap();
                book.book_order(
                    OrderId::new("SO").unwrap(),
                    &c1(),
                    num(&i["credit_to_invoice"]) - num(&i["exclude_amount"]),
                    today,
                )
                .unwrap();
                let check = book.check_order(&c1(), num(&i["current_amount"]), today, CheckMode::Static).unwrap();
                assert_eq!(check.exposure_after, num(&e["total_credit"]), "{id}");
                assert_eq!(check.decision == Decision::ApprovedWithWarning, e["warning"].as_bool().unwrap(), "{id}");
                assert_ne!(check.decision, Decision::Blocked, "{id}: Odoo only warns");
            }
            "oca_financial_risk_category_limit" => {
                // draft -> open orders, open -> receivables not due, unpaid -> receivables
                // overdue, other_open -> shipped-not-invoiced; each with its include flag and limit.
                let cat = |name: &str| {
                    i["categories"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
                };
                let rule = |name: &str| {
                    let c = cat(name);
                    CategoryRule { include: c["include"].as_bool().unwrap(), limit: Some(num(&c["limit"])) }
                };
                let policy = CreditPolicy {
                    open_orders: rule("draft"),
                    receivables_not_due: rule("open"),
                    receivables_overdue: rule("unpaid"),
                    shipped_not_invoiced: rule("other_open"),
                    ..CreditPolicy::oca_financial_risk()
                };
                let mut book = open(policy, num(&i["credit_limit"]));
                let value = |name: &str| cat(name)["value"].as_i64().unwrap();
                book.book_order(OrderId::new("DRAFT").unwrap(), &c1(), dec(value("draft")), today).unwrap();
                book.post_invoice(&invoice("OPEN", today, today + Days::new(30), value("open"))).unwrap();
                book.post_invoice(&invoice("UNPAID", today - Days::new(60), today - Days::new(30), value("unpaid")))
                    .unwrap();
                let other = OrderId::new("OTHER").unwrap();
                book.book_order(other.clone(), &c1(), dec(value("other_open")), today).unwrap();
                book.ship(&other, dec(value("other_open"))).unwrap();
                let check = book.check_order(&c1(), Decimal::ZERO, today, CheckMode::Static).unwrap();
                assert_eq!(check.exposure_after, num(&e["risk_total"]), "{id}");
                assert_eq!(check.decision == Decision::Blocked, e["risk_exception"].as_bool().unwrap(), "{id}");
                assert!(check.findings.iter().any(|f| matches!(
                    f.reason,
                    Reason::CategoryLimitExceeded { kind: ExposureKind::ReceivablesOverdue, .. }
                )));
            }
            other => panic!("unknown credit case {other}"),
        }
        ran += 1;
    }
    assert_eq!(ran, 5);
}

#[test]
fn the_sample_company_has_a_credit_book() {
    let company = omo_core::sample::sample_company(&omo_core::sample::SampleConfig::default()).unwrap();
    let book = CreditBook::from_dataset(&company, company.as_of, CreditPolicy::default()).unwrap();
    assert_eq!(book.customers().len(), 11);
    // The government buyer pays slowly and is over its limit.
    let g =
        book.check_order(&CustomerId::new("G-01").unwrap(), Decimal::ZERO, company.as_of, CheckMode::Static).unwrap();
    assert!(g.exposure_before > g.limit);
    // Receivables in the book equal the dataset's invoices less everything applied to them.
    let aging = book.receivables().aging(company.as_of, &AgingBuckets::default());
    let total: Decimal = aging.total.iter().sum();
    let by_customers: Decimal = book.customers().iter().map(|c| book.receivables().receivable(c)).sum();
    assert_eq!(total, by_customers);
}

#[derive(Debug, Clone)]
enum Op {
    Invoice(u64, i64),
    CreditNote(i64),
    Pay(i64, bool),
    Order(i64),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (0u64..90, 1i64..5_000).prop_map(|(d, a)| Op::Invoice(d, a)),
        (1i64..2_000).prop_map(Op::CreditNote),
        (1i64..8_000, any::<bool>()).prop_map(|(a, explicit)| Op::Pay(a, explicit)),
        (1i64..5_000).prop_map(Op::Order),
    ];
    prop::collection::vec(op, 1..60)
}

proptest! {
    /// Gross exposure is never negative, a payment never raises exposure, the aging buckets add up
    /// to the open receivables exactly, and a check leaves the book unchanged.
    #[test]
    fn exposure_payments_aging_and_checks(ops in ops()) {
        let policy = CreditPolicy::default();
        let mut book = CreditBook::new(cny(), policy.clone());
        book.open_account(CreditAccount::new(c1(), dec(20_000), 30, cny()).unwrap()).unwrap();
        let today = day(6, 30);
        let mut invoices = Vec::new();
        for (n, op) in ops.into_iter().enumerate() {
            let date = day(1, 1) + Days::new(n as u64);
            let before = book.exposure(&c1(), today, CheckMode::Static);
            match op {
                Op::Invoice(terms, amount) => {
                    let id = format!("I{n}");
                    book.post_invoice(&invoice(&id, date, date + Days::new(terms), amount)).unwrap();
                    invoices.push(id);
                }
                Op::CreditNote(amount) => {
                    let mut note = invoice(&format!("C{n}"), date, date, amount);
                    note.kind = InvoiceKind::CreditNote;
                    note.against = invoices.last().map(|i| InvoiceId::new(i.clone()).unwrap());
                    book.post_invoice(&note).unwrap();
                }
                Op::Pay(amount, explicit) => {
                    let allocations: Vec<(&str, i64)> = match (explicit, invoices.first()) {
                        (true, Some(first)) => vec![(first.as_str(), amount)],
                        _ => vec![],
                    };
                    book.post_payment(&payment(&format!("P{n}"), date, amount, &allocations)).unwrap();
                    let after = book.exposure(&c1(), today, CheckMode::Static);
                    prop_assert!(after.gross(&policy) <= before.gross(&policy));
                    prop_assert!(after.net(&policy) <= before.net(&policy));
                }
                Op::Order(amount) => book.book_order(OrderId::new(format!("O{n}")).unwrap(), &c1(), dec(amount), date).unwrap(),
            }
            let e = book.exposure(&c1(), today, CheckMode::Static);
            prop_assert!(e.gross(&policy) >= Decimal::ZERO);
            let aging = book.receivables().aging(today, &AgingBuckets::default());
            let aged: Decimal = aging.rows.iter().map(AgingRow::total).sum();
            prop_assert_eq!(aged, book.receivables().receivable(&c1()));
            let snapshot = (format!("{:?}", aging), e);
            let _ = book.check_order(&c1(), dec(1_000), today, CheckMode::Static).unwrap();
            let again = (format!("{:?}", book.receivables().aging(today, &AgingBuckets::default())), book.exposure(&c1(), today, CheckMode::Static));
            prop_assert_eq!(snapshot, again);
        }
    }
}

/// What the live engine asks before posting money in place: an invoice or payment is taken in
/// place only where posting it in the batch book's order (every invoice and credit note in date
/// order, then the payments in date order) would leave the same ledger, worked out by hand.
#[test]
fn money_is_taken_in_place_only_where_the_batch_order_leaves_the_same_ledger() {
    let mut book = Receivables::new(cny(), [c1()]);
    book.post_invoice(&invoice("A", day(1, 1), day(1, 20), 100)).unwrap();
    // A credit note of 150 pays A and leaves 50 of credit over.
    let credit = Invoice { kind: InvoiceKind::CreditNote, ..invoice("CN", day(1, 10), day(1, 10), 150) };
    assert!(!book.takes_in_place(&credit), "a credit note naming no invoice goes oldest first");
    // Against A, untouched: taken in place up to A's amount, as the batch book applies it.
    assert!(book.takes_in_place(&credit_note("CA", day(1, 10), "A", 100)));
    assert!(!book.takes_in_place(&credit_note("CA", day(1, 10), "A", 101)), "what A cannot take goes oldest first");
    book.post_invoice(&credit).unwrap();
    assert_eq!((book.receivable(&c1()), book.unapplied(&c1())), (dec(0), dec(50)));
    // Dated before the credit note, B would have been paid 50 by it: not in place. Dated after,
    // the credit note stays as it was: in place.
    assert!(!book.takes_in_place(&invoice("B", day(1, 5), day(2, 5), 80)));
    assert!(book.takes_in_place(&invoice("B", day(1, 12), day(2, 12), 80)));
    book.post_invoice(&invoice("B", day(1, 12), day(2, 12), 80)).unwrap();
    // Cash without allocations pays B (due 12 February) oldest first and leaves nothing over: an
    // invoice due before that would have been paid first, one due after would not.
    let cash = Payment::new(PaymentId::new("P1").unwrap(), c1(), day(1, 15), dec(30), cny()).unwrap();
    assert!(book.takes_payment_in_place(&cash));
    book.post_payment(&cash).unwrap();
    assert!(!book.takes_in_place(&invoice("C", day(1, 16), day(2, 1), 10)));
    assert!(!book.takes_in_place(&invoice("C", day(1, 16), day(2, 12), 10)));
    assert!(book.takes_in_place(&invoice("C", day(1, 16), day(2, 13), 10)));
    // A payment dated before the last one is not in place; one on its day is.
    let earlier = Payment::new(PaymentId::new("P2").unwrap(), c1(), day(1, 14), dec(5), cny()).unwrap();
    assert!(!book.takes_payment_in_place(&earlier));
    assert!(book.takes_payment_in_place(&Payment { date: day(1, 15), ..earlier }));
    // Cash left over reaches every later invoice.
    let more = Payment::new(PaymentId::new("P3").unwrap(), c1(), day(1, 16), dec(1_000), cny()).unwrap();
    book.post_payment(&more).unwrap();
    assert!(!book.takes_in_place(&invoice("D", day(1, 17), day(12, 31), 10)));
    // B was reached by the cash: a credit note against it is not taken in place.
    assert!(!book.takes_in_place(&credit_note("CB", day(1, 17), "B", 10)));
}
