//! Tests of the history as events: cuts of the sample company and the events after them.

use super::*;
use crate::credit::{AuditStamp, CreditBook, CreditPolicy};
use crate::engine::{Engine, EngineOptions};
use crate::model::{Currency, CustomerId};
use crate::sample::{SampleConfig, sample_company};
use chrono::Days;
use rustc_hash::FxHashSet;
use serde::Serialize;

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The records of a collection as sorted JSON lines: equal when the collections hold the
/// same records, in whatever order.
fn sorted<T: Serialize>(rows: &[T]) -> Vec<String> {
    let mut lines: Vec<String> = rows.iter().map(|r| serde_json::to_string(r).unwrap()).collect();
    lines.sort();
    lines
}

/// The collections in which `a` and `b` hold different records (and the scalar fields that
/// differ), with the first record of each side that the other lacks.
fn differences(a: &Dataset, b: &Dataset) -> Vec<String> {
    fn compare<T: Serialize>(name: &str, a: &[T], b: &[T], out: &mut Vec<String>) {
        let (a, b) = (sorted(a), sorted(b));
        if a != b {
            let only_a = a.iter().find(|r| !b.contains(r)).cloned().unwrap_or_default();
            let only_b = b.iter().find(|r| !a.contains(r)).cloned().unwrap_or_default();
            out.push(format!("{name}: {} vs {} records; only left: {only_a}; only right: {only_b}", a.len(), b.len()));
        }
    }
    let mut out = Vec::new();
    if (&a.company, &a.currency, a.as_of, a.allow_negative_stock)
        != (&b.company, &b.currency, b.as_of, b.allow_negative_stock)
    {
        out.push("company, currency, as_of or allow_negative_stock".to_owned());
    }
    compare("categories", &a.categories, &b.categories, &mut out);
    compare("products", &a.products, &b.products, &mut out);
    compare("bundles", &a.bundles, &b.bundles, &mut out);
    compare("regions", &a.regions, &b.regions, &mut out);
    compare("business_units", &a.business_units, &b.business_units, &mut out);
    compare("salespeople", &a.salespeople, &b.salespeople, &mut out);
    compare("customers", &a.customers, &b.customers, &mut out);
    compare("nodes", &a.nodes, &b.nodes, &mut out);
    compare("movements", &a.movements, &b.movements, &mut out);
    compare("counts", &a.counts, &b.counts, &mut out);
    compare("pos_sales", &a.pos_sales, &b.pos_sales, &mut out);
    compare("orders", &a.orders, &b.orders, &mut out);
    compare("shipments", &a.shipments, &b.shipments, &mut out);
    compare("invoices", &a.invoices, &b.invoices, &mut out);
    compare("payments", &a.payments, &b.payments, &mut out);
    compare("prepaid_orders", &a.prepaid_orders, &b.prepaid_orders, &mut out);
    compare("credit_accounts", &a.credit_accounts, &b.credit_accounts, &mut out);
    compare("sales_targets", &a.sales_targets, &b.sales_targets, &mut out);
    compare("exchange_rates", &a.exchange_rates, &b.exchange_rates, &mut out);
    compare("purchase_orders", &a.supply.purchase_orders, &b.supply.purchase_orders, &mut out);
    compare("production_orders", &a.supply.production_orders, &b.supply.production_orders, &mut out);
    // Stock compared by value: 85.2200 (rolled back by `until`) is the 85.220 booked.
    let stock = |d: &Dataset| -> Vec<(String, String, Decimal)> {
        d.supply
            .material_stock
            .iter()
            .map(|m| (m.node.to_string(), m.material.to_string(), m.quantity.normalize()))
            .collect()
    };
    compare("material_stock", &stock(a), &stock(b), &mut out);
    out
}

#[test]
fn until_as_of_is_the_dataset() -> TestResult {
    for seed in [1, 2] {
        let company = sample_company(&SampleConfig::small(seed))?;
        assert_eq!(company.until(company.as_of), company, "seed {seed}");
    }
    Ok(())
}

/// The rule alone (without the dataset's own status on `as_of`) gives every order of the
/// sample its status: the sample's statuses are consistent with its shipments and invoices.
#[test]
fn the_sample_statuses_follow_the_rule() -> TestResult {
    for seed in [1, 2] {
        let company = sample_company(&SampleConfig::small(seed))?;
        let facts = Fulfilment::of(&company);
        let wrong: Vec<String> = company
            .orders
            .iter()
            .filter(|o| Fulfilment::status_by_rule(facts.get(&o.id), o.status, company.as_of) != o.status)
            .map(|o| format!("{} {:?}", o.id, o.status))
            .collect();
        assert!(wrong.is_empty(), "seed {seed}: {wrong:?}");
    }
    Ok(())
}

#[test]
fn a_cut_holds_what_was_dated_by_then_as_it_stood() -> TestResult {
    let company = sample_company(&SampleConfig::small(3))?;
    let cut = company.as_of - Days::new(40);
    let then = company.until(cut);
    assert_eq!(then.as_of, cut);
    then.validate().into_result()?;
    assert!(then.movements.iter().all(|m| m.date <= cut));
    assert!(then.orders.iter().all(|o| o.order_date <= cut));
    assert!(then.shipments.iter().all(|s| s.delivered_date.is_none_or(|d| d <= cut)));
    assert!(then.shipments.iter().all(|s| s.events.iter().all(|e| e.date <= cut)));
    assert_eq!(then.orders.len(), company.orders.iter().filter(|o| o.order_date <= cut).count());
    // An order invoiced later was shipped, or still open, at the cut.
    let invoiced_later: Vec<&SalesOrder> = then
        .orders
        .iter()
        .filter(|o| {
            company.orders.iter().any(|f| f.id == o.id && f.status == OrderStatus::Invoiced)
                && o.status != OrderStatus::Invoiced
        })
        .collect();
    assert!(!invoiced_later.is_empty());
    for order in invoiced_later {
        assert!(!then.invoices.iter().any(|i| i.order.as_ref() == Some(&order.id)));
        let shipped = then.shipments.iter().any(|s| s.order == order.id);
        let expected = if shipped { OrderStatus::Shipped } else { OrderStatus::Open };
        assert_eq!(order.status, expected, "{}", order.id);
    }
    Ok(())
}

#[test]
fn events_are_after_the_cut_in_order_with_unique_ids() -> TestResult {
    let company = sample_company(&SampleConfig::small(4))?;
    let cut = company.as_of - Days::new(40);
    let events = events_of(&company, cut)?;
    assert!(!events.is_empty());
    let dates: Vec<NaiveDate> = events.iter().map(|e| e.date().unwrap()).collect();
    assert!(dates.iter().all(|d| *d > cut && *d <= company.as_of));
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
    let mut seen = FxHashSet::default();
    for event in &events {
        assert!(seen.insert((event.kind(), event.id.clone())), "{} {}", event.kind(), event.id);
        assert!(event.id.len() <= MAX_EVENT_ID_BYTES);
    }
    for kind in ["order", "shipment", "order_status", "shipment_delivered", "shipment_tracked", "invoice"] {
        assert!(events.iter().any(|e| e.kind() == kind), "no {kind} event");
    }
    assert_eq!(events, events_of(&company, cut)?, "deterministic");
    // Every event survives its JSON form.
    for event in events.iter().step_by(97) {
        assert_eq!(&Event::from_json(&event.to_json()?)?, event);
    }
    Ok(())
}

/// An engine built on `company` cut at `cut` and fed the events after it ends where the batch
/// computations on the whole dataset are: the same records, S-P-I rows and credit positions.
fn assert_replay_equals_batch(company: &Dataset, cut: NaiveDate, label: &str) -> TestResult {
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let open_at_cut = engine.index.open_orders.clone();
    for event in events_of(company, cut)? {
        let (kind, id) = (event.kind(), event.id.clone());
        engine.apply(event).map_err(|e| format!("{label} cut {cut}: {kind} {id}: {e}"))?;
    }
    engine.advance_to(company.as_of)?;
    let diff = differences(&engine.to_dataset(), company);
    assert!(diff.is_empty(), "{label} cut {cut}: {diff:#?}");
    // The open orders and shipments kept event by event are those of the records.
    let kept = &engine.index.open_orders;
    assert_eq!(kept, &crate::spi::OpenOrderRows::of(&engine.dataset, &engine.index.orders), "{label} cut {cut}");
    assert_ne!(kept, &open_at_cut, "{label} cut {cut}: the stream moved no order");
    let batch = crate::spi::build_ledger(&company.movements, &[], Default::default())?;
    assert!(engine.spi_rows() == batch, "{label} cut {cut}: S-P-I rows differ");
    let book = CreditBook::from_dataset(company, company.as_of, CreditPolicy::default())?;
    for account in &company.credit_accounts {
        let live = engine.credit_position(&account.customer)?;
        let batch = book.credit_position(&account.customer, company.as_of)?;
        assert_eq!(live, batch, "{label} cut {cut}: credit position of {}", account.customer);
    }
    Ok(())
}

#[test]
fn replay_after_a_cut_equals_the_batch() -> TestResult {
    for (seed, days) in [(5, 10), (5, 40), (5, 75), (6, 40), (7, 250)] {
        let company = sample_company(&SampleConfig::small(seed))?;
        assert_replay_equals_batch(&company, company.as_of - Days::new(days), &format!("seed {seed}"))?;
    }
    Ok(())
}

#[test]
fn a_cut_undoes_later_credit_changes_and_the_events_redo_them() -> TestResult {
    let cny = Currency::new("CNY")?;
    let mut account = CreditAccount::new(CustomerId::new("D-01")?, Decimal::from(1000), 30, cny)?;
    let stamp = |d: NaiveDate, why: &str| AuditStamp::new(d, "credit manager", why);
    account.set_limit(Decimal::from(5000), &stamp(day(2025, 1, 1), "review"))?;
    account.block(&stamp(day(2025, 2, 1), "cheque bounced"));
    account.set_risk_class(crate::credit::RiskClass::D, &stamp(day(2025, 3, 1), "late"));
    account.unblock(&stamp(day(2025, 3, 5), "paid"));
    account.set_limit(Decimal::from(3000), &stamp(day(2025, 3, 6), "late"))?;
    account.grant_temporary_increase(
        Decimal::from(700),
        day(2025, 3, 6),
        day(2025, 4, 30),
        &stamp(day(2025, 3, 6), "spring"),
    )?;
    account.block(&stamp(day(2025, 3, 10), "over limit"));

    let then = account_on(&account, day(2025, 3, 2));
    assert_eq!(then.limit, Decimal::from(5000));
    assert_eq!(then.blocked.as_deref(), Some("cheque bounced"));
    assert!(then.temporary_increases.is_empty());
    // the risk class changed before the cut: kept, with its entry
    assert_eq!(then.risk_class, crate::credit::RiskClass::D);
    let actions: Vec<&str> = then.history.iter().map(|e| e.change.action()).collect();
    assert_eq!(actions, ["limit", "block", "risk_class"]);
    assert_eq!(account_on(&account, day(2025, 3, 31)), account);
    let before = account_on(&account, day(2024, 12, 31));
    assert_eq!((before.limit, before.blocked.as_deref()), (Decimal::from(1000), None));

    // The events after the cut, applied to the cut account, give the account back.
    let mut dataset = Dataset::new("test", Currency::new("CNY")?, day(2025, 3, 31));
    dataset.credit_accounts.push(account.clone());
    let events = events_of(&dataset, day(2025, 3, 2))?;
    let kinds: Vec<&str> = events.iter().map(Event::kind).collect();
    assert_eq!(kinds, ["credit_unblock", "credit_limit", "temporary_increase", "credit_block"]);
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["D-01:credit:3", "D-01:credit:4", "D-01:credit:5", "D-01:credit:6"]);
    let mut replayed = then;
    for event in events {
        match event.body {
            EventBody::CreditLimit(c) => replayed.set_limit(c.limit, &c.stamp)?,
            EventBody::TemporaryIncrease(c) => {
                let i = c.increase;
                replayed.grant_temporary_increase(i.amount, i.from, i.until, &c.stamp)?;
            }
            EventBody::CreditBlock(c) => replayed.block(&c.stamp),
            EventBody::CreditUnblock(c) => replayed.unblock(&c.stamp),
            other => return Err(format!("unexpected {}", other.kind()).into()),
        }
    }
    assert_eq!(replayed, account);
    Ok(())
}

/// The sample's prepaid deposits are paid in January and allocated to the invoices of the
/// pickups in March and April. A cut before the deposit sends the payment without that
/// allocation and the allocation on the pickup invoice's day; a cut between the two holds the
/// deposit unallocated. From either, the events replay to the whole company.
#[test]
fn a_deposit_allocated_to_a_later_invoice_is_sent_on_that_invoice_s_day() -> TestResult {
    let company = sample_company(&SampleConfig::small(5))?;
    let issued = invoice_dates(&company);
    let later =
        |p: &Payment| p.allocations.iter().find(|a| issued.get(&a.invoice).is_some_and(|d| *d > p.date)).cloned();
    let (deposit, allocation) =
        company.payments.iter().find_map(|p| later(p).map(|a| (p, a))).ok_or("no deposit allocated later")?;
    let pickup_day = *issued.get(&allocation.invoice).ok_or("invoice")?;
    let no_pickup = |p: &Payment| !p.allocations.iter().any(|a| a.invoice == allocation.invoice);
    for cut in [deposit.date - Days::new(1), deposit.date] {
        let then = company.until(cut);
        then.validate().into_result()?;
        let events = events_of(&company, cut)?;
        let sent = events.iter().find_map(|e| match &e.body {
            EventBody::Payment(p) if p.id == deposit.id => Some(&**p),
            _ => None,
        });
        let stood = then.payments.iter().find(|p| p.id == deposit.id).or(sent).ok_or("the deposit")?;
        assert!(no_pickup(stood), "cut {cut}: {stood:?}");
        let allocated = events
            .iter()
            .find(|e| matches!(&e.body, EventBody::PaymentAllocation(a) if a.payment == deposit.id && a.invoice == allocation.invoice))
            .ok_or("no allocation event")?;
        assert_eq!(allocated.date(), Some(pickup_day));
        let at = deposit.allocations.iter().position(|a| *a == allocation).ok_or("allocation")?;
        assert_eq!(allocated.id, format!("{}:allocation:{at}", deposit.id));
        assert_replay_equals_batch(&company, cut, "seed 5")?;
    }
    Ok(())
}
