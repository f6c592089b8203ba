//! The live engine: events checked before anything changes, stock and credit kept current
//! event by event and equal to the batch functions on the same records, changes reported.

use chrono::{Datelike, Days, NaiveDate};
use omo_core::credit::{AuditStamp, CreditBook, CreditCheck, CreditPolicy};
use omo_core::engine::{
    Allocation, ChangeKind, CreditHold, CreditLimit, Delivery, Engine, EngineOptions, EngineSnapshot, Event, EventBody,
    Reorder, Tracking,
};
use omo_core::model::*;
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::{LedgerOptions, NodeLevel, Period, ProductLevel, build_ledger};
use omo_core::{Dataset, OmoError};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::{Arc, Mutex};

type Res = Result<(), Box<dyn std::error::Error>>;

fn company() -> Dataset {
    sample_company(&SampleConfig::small(11)).unwrap_or_else(|e| unreachable!("sample: {e}"))
}

fn engine() -> Engine {
    Engine::new(company(), EngineOptions::default()).unwrap_or_else(|e| unreachable!("engine: {e}"))
}

fn day(engine: &Engine, days: u64) -> NaiveDate {
    engine.as_of() + Days::new(days)
}

/// A node and product with the most stock on hand.
fn stocked(engine: &Engine) -> (NodeId, ProductId, Decimal) {
    engine
        .stock_on_hand()
        .into_iter()
        .max_by_key(|(_, _, q)| *q)
        .unwrap_or_else(|| unreachable!("the sample company holds stock"))
}

fn movement(node: &NodeId, product: &ProductId, date: NaiveDate, kind: MovementKind, quantity: i64) -> StockMovement {
    StockMovement {
        node: node.clone(),
        product: product.clone(),
        date,
        kind,
        quantity: Decimal::from(quantity),
        counterparty: None,
        reference: None,
    }
}

fn event(id: &str, body: EventBody) -> Event {
    Event::new(id, body)
}

/// What a refused event must leave alone: the sequence number, the clock, every view.
fn state(engine: &Engine) -> (u64, NaiveDate, String) {
    let dataset = engine.to_dataset().to_json().unwrap_or_default();
    (engine.seq(), engine.as_of(), format!("{dataset}{:?}", engine.spi_rows()))
}

/// Every account's position, compared by value (a Decimal 0 equals 0.0000).
fn credit_positions(engine: &Engine) -> Vec<Result<CreditCheck, OmoError>> {
    let book = engine.credit_book();
    book.customers().into_iter().map(|c| engine.credit_position(c)).collect()
}

fn batch_positions(dataset: &Dataset) -> Vec<Result<CreditCheck, OmoError>> {
    let book = CreditBook::from_dataset(dataset, dataset.as_of, CreditPolicy::default())
        .unwrap_or_else(|e| unreachable!("batch book: {e}"));
    book.customers().into_iter().map(|c| book.credit_position(c, dataset.as_of)).collect()
}

#[test]
fn a_receipt_and_a_sale_update_stock_and_the_month_row() -> Res {
    let mut engine = engine();
    let (node, product, before) = stocked(&engine);
    let (d1, d2) = (day(&engine, 1), day(&engine, 2));
    engine.apply(event("GRN-1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 40))))?;
    engine.apply(event("DN-1", EventBody::Movement(movement(&node, &product, d2, MovementKind::Sale, 15))))?;
    assert_eq!(engine.on_hand(&node, &product), before + Decimal::from(25));
    assert_eq!((engine.seq(), engine.as_of()), (2, d2));
    let row = engine
        .spi_rows()
        .into_iter()
        .find(|r| r.node == node && r.product == product && r.period <= d2 && r.period > d2 - Days::new(31));
    let row = row.ok_or("the new month has a row")?;
    assert_eq!(
        (row.flows.opening, row.flows.receipts, row.flows.sales),
        (before, Decimal::from(40), Decimal::from(15))
    );
    assert_eq!(engine.spi_rows(), build_ledger(&engine.to_dataset().movements, &[], LedgerOptions::default())?);
    Ok(())
}

#[test]
fn a_sale_that_would_take_stock_below_zero_is_refused_and_changes_nothing() -> Res {
    let mut engine = engine();
    let (node, product, on_hand) = stocked(&engine);
    let before = state(&engine);
    let too_much = i64::try_from(on_hand.trunc().mantissa())? + 1;
    let sale = movement(&node, &product, day(&engine, 1), MovementKind::Sale, too_much);
    let err = engine.apply(event("DN-9", EventBody::Movement(sale))).unwrap_err();
    let OmoError::Refused { kind, id, field, reason } = &err else { return Err(format!("{err:?}").into()) };
    assert_eq!((kind.as_str(), id.as_str(), field.as_deref()), ("movement", "DN-9", Some("record.quantity")));
    let OmoError::NegativeStock { date, before: opening, change, after, .. } = **reason else {
        return Err(reason.to_string().into());
    };
    // Nothing booked on or after its day: the day opens at the stock on hand and ends at -1.
    let expected = (day(&engine, 1), on_hand, Decimal::from(-too_much), on_hand - Decimal::from(too_much));
    assert_eq!((date, opening, change, after), expected);
    assert!(after < Decimal::ZERO);
    assert_eq!(state(&engine), before);
    Ok(())
}

#[test]
fn a_back_dated_sale_is_checked_against_every_later_day() -> Res {
    let mut engine = engine();
    let (node, product, on_hand) = stocked(&engine);
    let (d1, d3, d5) = (day(&engine, 1), day(&engine, 3), day(&engine, 5));
    let take = i64::try_from(on_hand.trunc().mantissa())?;
    // Everything goes on day 5; then a sale of 1 on day 3 would leave day 5 at -1.
    engine.apply(event("DN-1", EventBody::Movement(movement(&node, &product, d5, MovementKind::Sale, take))))?;
    engine.apply(event("GRN-1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 1))))?;
    engine.apply(event("DN-2", EventBody::Movement(movement(&node, &product, d3, MovementKind::Sale, 1))))?;
    let err = engine.apply(event("DN-3", EventBody::Movement(movement(&node, &product, d3, MovementKind::Sale, 1))));
    let Err(OmoError::Refused { reason, .. }) = err else { return Err(format!("{err:?}").into()) };
    let OmoError::NegativeStock { date, before, change, after, .. } = *reason else {
        return Err(reason.to_string().into());
    };
    assert_eq!((date, after), (d5, Decimal::from(-1)));
    // Day 5 starts with the stock less the new sale of day 3, and its own change is DN-1's sale.
    assert_eq!((before, change), (Decimal::from(take - 1), Decimal::from(-take)));
    assert_eq!(engine.spi_rows(), build_ledger(&engine.to_dataset().movements, &[], LedgerOptions::default())?);
    Ok(())
}

#[test]
fn the_month_before_the_clock_is_open_and_the_one_before_it_closed() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    let as_of = engine.as_of(); // 31 December
    let next_month = as_of + Days::new(15);
    engine.advance_to(next_month)?;
    assert_eq!(engine.open_from(), NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("date")?);
    // A receipt in January, then a late one in December: January's opening and closing move.
    let january = movement(&node, &product, next_month, MovementKind::Receipt, 2);
    engine.apply(event("GRN-JAN", EventBody::Movement(january)))?;
    let late = movement(&node, &product, as_of - Days::new(3), MovementKind::Receipt, 5);
    engine.apply(event("GRN-LATE", EventBody::Movement(late)))?;
    let closed =
        movement(&node, &product, NaiveDate::from_ymd_opt(2025, 11, 30).ok_or("date")?, MovementKind::Receipt, 5);
    let before = state(&engine);
    let err = engine.apply(event("GRN-OLD", EventBody::Movement(closed))).unwrap_err();
    let OmoError::Refused { field, reason, .. } = &err else { return Err(format!("{err:?}").into()) };
    assert!(matches!(**reason, OmoError::ClosedPeriod { .. }), "{err}");
    assert_eq!(field.as_deref(), Some("record.date"));
    // An order names its own date field.
    let old_order = engine.dataset().orders.first().ok_or("orders")?.clone();
    let old_order = SalesOrder { id: OrderId::new("SO-OLD")?, order_date: as_of - Days::new(40), ..old_order };
    let err = engine.apply(event("SO-OLD", EventBody::Order(old_order))).unwrap_err();
    assert!(matches!(&err, OmoError::Refused { field: Some(f), .. } if f == "record.order_date"), "{err:?}");
    assert_eq!(state(&engine), before);
    assert_eq!(engine.spi_rows(), build_ledger(&engine.to_dataset().movements, &[], LedgerOptions::default())?);
    Ok(())
}

/// A delivery before its shipment left, or a tracking step dated before the shipment's last one,
/// is refused naming the event's own date field (not the shipment's), and changes nothing.
#[test]
fn a_delivery_or_tracking_step_out_of_date_order_is_refused_naming_its_date() -> Res {
    let mut engine = engine();
    let open_from = engine.open_from();
    let shipment = engine
        .dataset()
        .shipments
        .iter()
        .find(|s| s.shipped_date > open_from + Days::new(1) && s.delivered_date.is_none())
        .ok_or("a shipment on the way that left in the open period")?
        .clone();
    let before = state(&engine);
    let early = shipment.shipped_date - Days::new(1);
    let delivered = Delivery { shipment: shipment.id.clone(), date: early };
    let err = engine.apply(event("DLV-EARLY", EventBody::ShipmentDelivered(delivered))).unwrap_err();
    assert!(matches!(&err, OmoError::Refused { field: Some(f), .. } if f == "record.date"), "{err:?}");
    let step = |date| TrackingEvent { date, status: TrackingStatus::InTransit, note: String::new() };
    let last = shipment.events.last().map_or(shipment.shipped_date, |e| e.date);
    let on_the_road = Tracking { shipment: shipment.id.clone(), event: step(last + Days::new(1)) };
    engine.apply(event("TRK-1", EventBody::ShipmentTracked(on_the_road)))?;
    let after_one = state(&engine);
    let back = Tracking { shipment: shipment.id.clone(), event: step(last) };
    let err = engine.apply(event("TRK-0", EventBody::ShipmentTracked(back))).unwrap_err();
    assert!(matches!(&err, OmoError::Refused { field: Some(f), .. } if f == "record.event.date"), "{err:?}");
    assert_eq!(state(&engine), after_one);
    assert_ne!(after_one, before);
    Ok(())
}

/// A distributor made a retailer leaves the KPI alerts as an engine built on the dataset has
/// them (none of its own): the alerts it had raised are reported resolved, and a snapshot reads
/// back the same.
#[test]
fn a_distributor_made_a_retailer_leaves_the_alerts_as_a_fresh_engine_has_them() -> Res {
    let mut engine = engine();
    let states = engine.alert_states();
    let member = states.iter().find(|s| s.raised.is_some()).ok_or("a raised alert")?.member.clone();
    let raised = states.iter().filter(|s| s.member == member && s.raised.is_some()).count();
    let customers = &engine.dataset().customers;
    let distributor = customers.iter().find(|c| c.id.as_str() == member).ok_or("the distributor")?.clone();
    let other = customers
        .iter()
        .find(|c| c.kind == CustomerKind::Distributor && c.id != distributor.id)
        .ok_or("another distributor")?
        .id
        .clone();
    let retailer = Customer { kind: CustomerKind::Retailer, parent: Some(other), ..distributor };
    let changes = engine.apply(event("CUST-1", EventBody::Customer(Box::new(retailer))))?;
    let resolved = changes
        .iter()
        .filter(|c| matches!(&c.what, ChangeKind::Alert { member: m, to, .. } if *m == member && to == "normal"))
        .count();
    assert_eq!(resolved, raised);
    assert!(engine.alert_states().iter().all(|s| s.member != member));
    let fresh = Engine::new(engine.to_dataset(), EngineOptions::default())?;
    assert_eq!(engine.alert_states(), fresh.alert_states());
    let text = serde_json::to_string(&engine.snapshot())?;
    let restored = Engine::restore(serde_json::from_str(&text)?)?;
    assert_eq!(restored.alert_states(), engine.alert_states());
    Ok(())
}

#[test]
fn duplicates_unknown_ids_bad_json_and_foreign_money_are_refused_naming_the_event() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    let d1 = day(&engine, 1);
    engine.apply(event("GRN-1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 3))))?;
    let before = state(&engine);
    let customer = engine.dataset().customers.first().ok_or("customers")?.id.clone();
    let mut refused = Vec::new();
    // The same event again (a retried webhook).
    refused.push(
        engine.apply(event("GRN-1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 3)))),
    );
    // An unknown product.
    let ghost = ProductId::new("NO-SUCH")?;
    refused
        .push(engine.apply(event("GRN-2", EventBody::Movement(movement(&node, &ghost, d1, MovementKind::Receipt, 3)))));
    // An order id already taken, under a new event id.
    let taken = engine.dataset().orders.first().ok_or("orders")?.clone();
    refused.push(engine.apply(event("SO-again", EventBody::Order(SalesOrder { order_date: d1, ..taken }))));
    // A payment in a currency without a rate.
    let usd = Payment::new(PaymentId::new("P-USD")?, customer, d1, Decimal::from(100), Currency::new("USD")?)?;
    refused.push(engine.apply(event("P-USD", EventBody::Payment(Box::new(usd)))));
    let fields: Vec<Option<String>> = refused
        .iter()
        .map(|r| match r {
            Err(OmoError::Refused { field, .. }) => field.clone(),
            other => Some(format!("not refused: {other:?}")),
        })
        .collect();
    let expected = ["id", "record.product", "record.id", "record.currency"].map(|f| Some(f.to_owned()));
    assert_eq!(fields, expected);
    assert_eq!(state(&engine), before);
    // JSON the engine never sees: a bad date, garbage.
    let json = r#"{"type": "movement", "id": "X-1", "record": {"node": "N", "product": "P", "date": "2026-02-30", "kind": "receipt", "quantity": 1}}"#;
    let err = Event::from_json(json).unwrap_err();
    assert!(matches!(&err, OmoError::Refused { field: Some(f), .. } if f == "record.date"), "{err:?}");
    assert!(Event::from_json("{not json").is_err());
    assert!(Event::from_json(r#"{"type": "teleport", "id": "T", "record": {}}"#).is_err());
    Ok(())
}

fn allocation(payment: &PaymentId, invoice: &InvoiceId, amount: Decimal, date: NaiveDate) -> EventBody {
    EventBody::PaymentAllocation(Allocation { payment: payment.clone(), invoice: invoice.clone(), amount, date })
}

/// A payment booked unallocated (applied oldest first), then allocated to an invoice issued
/// since: the invoice gets the amount, the rest of the payment stays on account, and the
/// customer's position is the batch book's on the same records. Bad allocations are refused
/// naming the field and change nothing.
#[test]
fn a_payment_allocated_after_it_was_booked_pays_that_invoice_and_bad_allocations_are_refused() -> Res {
    let mut engine = engine();
    let d = engine.to_dataset();
    let book = engine.credit_book();
    let customer = book
        .customers()
        .into_iter()
        .find(|c| book.receivables().unapplied(c).is_zero() && d.invoices.iter().any(|i| i.customer == **c))
        .ok_or("an account without cash on it")?
        .clone();
    let (d1, d2) = (day(&engine, 1), day(&engine, 2));
    let paid =
        Payment::new(PaymentId::new("PAY-AHEAD")?, customer.clone(), d1, Decimal::from(1000), d.currency.clone())?;
    engine.apply(event("PAY-AHEAD", EventBody::Payment(Box::new(paid.clone()))))?;
    let lines = d.invoices.iter().find(|i| i.customer == customer).ok_or("invoice")?.lines.clone();
    let invoice =
        Invoice::new(InvoiceId::new("INV-NEW")?, customer.clone(), d2, d2 + Days::new(30), d.currency.clone(), lines)?;
    assert!(invoice.amount() > Decimal::from(600), "{}", invoice.amount());
    engine.apply(event("INV-NEW", EventBody::Invoice(Box::new(invoice.clone()))))?;

    let before = state(&engine);
    let other = d.invoices.iter().find(|i| i.customer != customer).ok_or("another customer's invoice")?;
    let old =
        d.payments.iter().find(|p| p.customer == customer && p.date < d.as_of - Days::new(90)).ok_or("old payment")?;
    let old_invoice =
        d.invoices.iter().find(|i| i.customer == customer && i.date < d.as_of - Days::new(90)).ok_or("old invoice")?;
    let bad = [
        ("more than the payment", allocation(&paid.id, &invoice.id, Decimal::new(100_001, 2), d2), "record.amount"),
        ("not positive", allocation(&paid.id, &invoice.id, Decimal::ZERO, d2), "record.amount"),
        ("another customer's invoice", allocation(&paid.id, &other.id, Decimal::ONE, d2), "record.invoice"),
        ("before the invoice", allocation(&paid.id, &invoice.id, Decimal::ONE, d1), "record.date"),
        (
            "an unknown payment",
            allocation(&PaymentId::new("NO-SUCH")?, &invoice.id, Decimal::ONE, d2),
            "record.payment",
        ),
        ("an unknown invoice", allocation(&paid.id, &InvoiceId::new("NO-SUCH")?, Decimal::ONE, d2), "record.invoice"),
        // It counts from the later of the payment's and the invoice's days: here the invoice's.
        ("a closed month", allocation(&old.id, &old_invoice.id, Decimal::ONE, d2), "record.invoice"),
    ];
    for (n, (what, body, field)) in bad.into_iter().enumerate() {
        let err = engine.apply(event(&format!("ALLOC-BAD-{n}"), body)).err().ok_or(what)?;
        let OmoError::Refused { kind, field: got, .. } = &err else { return Err(format!("{what}: {err:?}").into()) };
        assert_eq!((kind.as_str(), got.as_deref()), ("payment_allocation", Some(field)), "{what}: {err}");
        assert_eq!(state(&engine), before, "{what}");
    }

    engine.apply(event("ALLOC-1", allocation(&paid.id, &invoice.id, Decimal::from(600), d2)))?;
    let receivables = engine.credit_book().receivables();
    let open = receivables.open_items(&customer).into_iter().find(|i| i.invoice == invoice.id).ok_or("open")?.open;
    // By hand: the invoice less the 600 allocated; the payment's other 400 stays on account.
    assert_eq!((open, receivables.unapplied(&customer)), (invoice.amount() - Decimal::from(600), Decimal::from(400)));
    assert_eq!(credit_positions(&engine), batch_positions(&engine.to_dataset()));
    let kept = engine.to_dataset().payments.into_iter().find(|p| p.id == paid.id).ok_or("payment")?;
    assert_eq!(kept.allocations, [PaymentAllocation { invoice: invoice.id.clone(), amount: Decimal::from(600) }]);
    // The rest of the payment is 400: 401 more is refused, 400 is not.
    assert!(engine.apply(event("ALLOC-2", allocation(&paid.id, &invoice.id, Decimal::from(401), d2))).is_err());
    engine.apply(event("ALLOC-2", allocation(&paid.id, &invoice.id, Decimal::from(400), d2)))?;
    assert_eq!(engine.credit_book().receivables().unapplied(&customer), Decimal::ZERO);
    Ok(())
}

/// Money documents out of the batch book's order (which posts every invoice and credit note
/// before any payment, in date order) leave every account as the batch book of the same records
/// has it, after each event: a payment dated before the last one, a credit note larger than all
/// ever invoiced, an invoice dated before it, cash paid ahead and an invoice due before what it
/// paid.
#[test]
fn money_booked_out_of_the_batch_order_leaves_the_book_as_the_batch_has_it() -> Res {
    let mut engine = engine();
    let d = engine.to_dataset();
    let customer = engine.credit_book().customers().first().copied().ok_or("accounts")?.clone();
    let product = d.products.first().ok_or("products")?.id.clone();
    let oldest = engine.credit_book().receivables().open_items(&customer).first().map(|i| (i.invoice.clone(), i.open));
    let (oldest, oldest_open) = oldest.ok_or("an open invoice")?;
    let invoiced: Decimal = d.invoices.iter().filter(|i| i.customer == customer).map(Invoice::amount).sum();
    let line = |amount: Decimal| SalesLine::new(product.clone(), Decimal::ONE, amount);
    let invoice = |id: &str, date: NaiveDate, due: u64, amount: Decimal| -> Result<Invoice, OmoError> {
        Invoice::new(
            InvoiceId::new(id)?,
            customer.clone(),
            date,
            date + Days::new(due),
            d.currency.clone(),
            vec![line(amount)],
        )
    };
    let pay = |id: &str, date: NaiveDate, amount: Decimal| -> Result<Payment, OmoError> {
        Payment::new(PaymentId::new(id)?, customer.clone(), date, amount, d.currency.clone())
    };
    let (d1, d2, d3) = (day(&engine, 1), day(&engine, 2), day(&engine, 3));
    let mut late = pay("PAY-LATE", d3, oldest_open)?;
    late.allocations.push(PaymentAllocation { invoice: oldest, amount: oldest_open });
    let credit = Invoice { kind: InvoiceKind::CreditNote, ..invoice("CN-BIG", d3, 0, invoiced + Decimal::from(1000))? };
    let events = [
        EventBody::Payment(Box::new(late)),
        EventBody::Payment(Box::new(pay("PAY-EARLIER", d2, Decimal::from(200))?)),
        EventBody::Invoice(Box::new(credit)),
        EventBody::Invoice(Box::new(invoice("INV-EARLIER", d1, 30, Decimal::from(700))?)),
        EventBody::Invoice(Box::new(invoice("INV-60", d3, 60, Decimal::from(900))?)),
        EventBody::Payment(Box::new(pay("PAY-AHEAD", d3, Decimal::from(1_500))?)),
        EventBody::Invoice(Box::new(invoice("INV-DUE-FIRST", d3, 5, Decimal::from(400))?)),
    ];
    for (n, body) in events.into_iter().enumerate() {
        engine.apply(event(&format!("M-{n}"), body))?;
        let now = engine.to_dataset();
        let batch = CreditBook::from_dataset(&now, now.as_of, CreditPolicy::default())?;
        assert_eq!(engine.credit_position(&customer)?, batch.credit_position(&customer, now.as_of)?, "after event {n}");
        let (live, batch) = (engine.credit_book().receivables(), batch.receivables());
        let position = |book: &omo_core::credit::Receivables| (book.receivable(&customer), book.unapplied(&customer));
        assert_eq!(position(live), position(batch), "after event {n}");
    }
    Ok(())
}

/// The sample's preseason deposits are paid in January and allocated to the pickups' invoices
/// in spring. From a cut between a deposit and its pickup, the engine's credit positions equal
/// the batch book's right after each allocation, and its KPI history (months closed while the
/// deposit stood unallocated) the batch's.
#[test]
fn a_deposit_allocated_on_its_pickup_keeps_credit_and_kpi_history_as_the_batch() -> Res {
    let company = company();
    let issued: std::collections::HashMap<&InvoiceId, NaiveDate> =
        company.invoices.iter().map(|i| (&i.id, i.date)).collect();
    let deposit = company
        .payments
        .iter()
        .filter(|p| p.allocations.iter().any(|a| issued.get(&a.invoice).is_some_and(|d| *d > p.date)))
        .max_by_key(|p| p.date)
        .ok_or("no deposit")?;
    let cut = deposit.date;
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    assert_history_as_batch(&engine)?;
    let mut allocations = 0;
    for event in omo_core::engine::events_of(&company, cut)? {
        let paid = match &event.body {
            EventBody::PaymentAllocation(a) => company.payments.iter().find(|p| p.id == a.payment),
            _ => None,
        };
        engine.apply(event)?;
        if let Some(payment) = paid {
            allocations += 1;
            let d = engine.to_dataset();
            let batch = CreditBook::from_dataset(&d, d.as_of, CreditPolicy::default())?;
            let live = engine.credit_position(&payment.customer)?;
            assert_eq!(live, batch.credit_position(&payment.customer, d.as_of)?, "{}", d.as_of);
        }
    }
    assert!(allocations > 0);
    engine.advance_to(company.as_of)?;
    assert_history_as_batch(&engine)?;
    assert_eq!(credit_positions(&engine), batch_positions(&company));
    Ok(())
}

#[test]
fn numbers_in_event_json_are_read_exactly() -> Res {
    let json = r#"{"type": "movement", "id": "GRN-7", "record": {"node": "N", "product": "P",
        "date": "2026-01-02", "kind": "receipt", "quantity": 0.1000000000000000000000000001}}"#;
    let Event { body: EventBody::Movement(m), .. } = Event::from_json(json)? else { return Err("kind".into()) };
    assert_eq!(m.quantity.to_string(), "0.1000000000000000000000000001");
    Ok(())
}

#[test]
fn a_stock_out_and_a_blocked_order_are_reported_to_subscribers() -> Res {
    let mut engine = engine();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    engine.subscribe(Box::new(move |change| {
        if let Ok(mut s) = sink.lock() {
            s.push(serde_json::to_value(change).map(|v| v["type"].to_string()).unwrap_or_default());
        }
    }));
    let (node, product, on_hand) = stocked(&engine);
    let all = movement(&node, &product, day(&engine, 1), MovementKind::Sale, 1);
    let all = StockMovement { quantity: on_hand, ..all };
    let changes = engine.apply(event("DN-ALL", EventBody::Movement(all)))?;
    // The first event of a new month also turns the month-to-date lights (reported after it).
    assert!(matches!(&changes[0].what, ChangeKind::StockOut { on_hand, .. } if on_hand.is_zero()), "{changes:?}");
    assert!(
        changes.iter().all(|c| c.seq == 1) && changes[1..].iter().all(|c| matches!(c.what, ChangeKind::Light { .. }))
    );
    let mut returned: Vec<String> = changes
        .iter()
        .map(|c| format!("{:?}", serde_json::to_value(c).map(|v| v["type"].to_string()).unwrap_or_default()))
        .collect();
    // Block an account, then its customer orders.
    let customer = engine.credit_book().customers().first().copied().ok_or("accounts")?.clone();
    let stamp = AuditStamp::new(day(&engine, 1), "credit manager", "cheque bounced");
    let blocked =
        engine.apply(event("BLK-1", EventBody::CreditBlock(CreditHold { customer: customer.clone(), stamp })))?;
    returned.extend(
        blocked
            .iter()
            .map(|c| format!("{:?}", serde_json::to_value(c).map(|v| v["type"].to_string()).unwrap_or_default())),
    );
    let line = SalesLine::new(product.clone(), Decimal::from(2), Decimal::from(100));
    let order = SalesOrder::new(OrderId::new("SO-NEW")?, customer.clone(), day(&engine, 2), node.clone(), vec![line])?;
    let changes = engine.apply(event("SO-NEW", EventBody::Order(order.clone())))?;
    let change = changes.first().ok_or("a change")?;
    let ChangeKind::OrderBlocked { codes, .. } = &change.what else { return Err(format!("{change:?}").into()) };
    assert!(codes.contains(&"account_blocked".to_owned()), "{codes:?}");
    assert!(change.action().starts_with("hold order SO-NEW"), "{}", change.action());
    returned.extend(
        changes
            .iter()
            .map(|c| format!("{:?}", serde_json::to_value(c).map(|v| v["type"].to_string()).unwrap_or_default())),
    );
    let seen: Vec<String> = seen.lock().map_err(|e| e.to_string())?.iter().map(|t| format!("{t:?}")).collect();
    assert_eq!(seen, returned, "subscribers get every change, in order");
    Ok(())
}

#[test]
fn a_replica_s_events_each_get_a_seq_or_a_reason_and_a_refusal_does_not_stop_the_rest() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    let customer = engine.credit_book().customers().first().copied().ok_or("accounts")?.clone();
    let d1 = day(&engine, 1);
    let stamp = AuditStamp::new(d1, "credit manager", "cheque bounced");
    engine.apply(event("BLK-1", EventBody::CreditBlock(CreditHold { customer: customer.clone(), stamp })))?;
    let line = SalesLine::new(product.clone(), Decimal::from(2), Decimal::from(100));
    let order = SalesOrder::new(OrderId::new("APP-1")?, customer, d1, node.clone(), vec![line])?;
    let outbox = vec![
        event("phone:1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 1))),
        event("phone:2", EventBody::Order(order)),
        event("phone:1", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 1))),
        event("phone:3", EventBody::Movement(movement(&node, &product, d1, MovementKind::Receipt, 2))),
    ];
    let results = engine.apply_remote(outbox);
    assert!(matches!(&results[0], Ok(a) if a.seq == 2 && a.changes.is_empty()), "{results:?}");
    assert!(
        matches!(&results[1], Err(OmoError::Refused { reason, .. }) if matches!(**reason, OmoError::CreditBlocked { .. }))
    );
    assert!(
        matches!(&results[2], Err(OmoError::Refused { reason, .. }) if matches!(**reason, OmoError::DuplicateId { .. }))
    );
    assert!(matches!(&results[3], Ok(a) if a.seq == 3), "{results:?}");
    let since: Vec<(u64, String)> = engine.events_since(1)?.into_iter().map(|(s, e)| (s, e.id)).collect();
    assert_eq!(since, [(2, "phone:1".to_owned()), (3, "phone:3".to_owned())]);
    Ok(())
}

#[test]
fn a_limit_change_reaches_the_book_the_dataset_and_the_audit_trail() -> Res {
    let mut engine = engine();
    let customer = engine.credit_book().customers().first().copied().ok_or("accounts")?.clone();
    let stamp = AuditStamp::new(day(&engine, 1), "credit manager", "season");
    let limit = Decimal::from(123_456);
    engine.apply(event("LIM-1", EventBody::CreditLimit(CreditLimit { customer: customer.clone(), limit, stamp })))?;
    assert_eq!(engine.credit_position(&customer)?.limit, limit);
    let account = engine.dataset().credit_accounts.iter().find(|a| a.customer == customer).ok_or("account")?;
    assert_eq!(account.limit, limit);
    assert_eq!(account.history.last().map(|h| h.change.action()), Some("limit"));
    assert_eq!(credit_positions(&engine), batch_positions(&engine.to_dataset()));
    Ok(())
}

/// With a single open month, the clock on a month's last day still has that month open: time
/// passing to it, and an engine built on a history ending on it, keep the month's running
/// totals, so its month-to-date lights are those of an engine on the day before plus nothing
/// (no light grey for want of its payments, invoices or deliveries), and a snapshot restores
/// the same lights and alerts.
#[test]
fn one_open_month_keeps_the_clock_s_month_on_its_last_day() -> Res {
    let company = company();
    let mid_month = (company.as_of - Days::new(60)).with_day(15).ok_or("a 15th")?;
    let options = EngineOptions { open_months: 1, ..EngineOptions::default() };
    let mut engine = Engine::new(company.until(mid_month), options.clone())?;
    let first_of_next = engine.as_of().with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
    let last_day = first_of_next.and_then(|d| d.pred_opt()).ok_or("a month's last day")?;
    let day_before = last_day.pred_opt().ok_or("the day before")?;
    engine.advance_to(day_before)?;
    let lights_before = engine.lights();
    engine.advance_to(last_day)?;
    let greyed = |now: &[(String, String, omo_core::kpi::Light)]| {
        lights_before.iter().zip(now).filter(|(b, n)| b.2 != n.2 && n.2 == omo_core::kpi::Light::Grey).count()
    };
    assert_eq!(greyed(&engine.lights()), 0, "{:?}", engine.lights());
    let built = Engine::new(engine.to_dataset(), options)?;
    assert_eq!(greyed(&built.lights()), 0, "{:?}", built.lights());
    assert_eq!(built.lights(), engine.lights());
    let restored = Engine::restore(engine.snapshot())?;
    assert_eq!((restored.lights(), restored.alert_states()), (engine.lights(), engine.alert_states()));
    Ok(())
}

/// An event dated a month's last day moves the clock there without closing the month (it
/// closes when time passes on). A snapshot taken then keeps the month its alert machines
/// stepped through, so the restored engine closes that month at the next month's first event
/// as the running one does: the same machines and snapshot after it.
#[test]
fn a_snapshot_on_a_month_s_last_day_closes_that_month_later_as_the_engine_does() -> Res {
    let company = company();
    let mid_month = (company.as_of - Days::new(60)).with_day(15).ok_or("a 15th")?;
    let mut engine = Engine::new(company.until(mid_month), EngineOptions::default())?;
    let (node, product, _) = stocked(&engine);
    let next_month = mid_month.checked_add_months(chrono::Months::new(1)).and_then(|d| d.with_day(1));
    let first_of_next = next_month.ok_or("the next month")?;
    let last_day = first_of_next.pred_opt().ok_or("a last day")?;
    engine
        .apply(event("GRN-LAST", EventBody::Movement(movement(&node, &product, last_day, MovementKind::Receipt, 2))))?;
    let mut restored = Engine::restore(engine.snapshot())?;
    let next =
        |id: &str| event(id, EventBody::Movement(movement(&node, &product, first_of_next, MovementKind::Receipt, 1)));
    engine.apply(next("GRN-NEXT"))?;
    restored.apply(next("GRN-NEXT"))?;
    assert_eq!(restored.alert_states(), engine.alert_states());
    assert!(restored.snapshot() == engine.snapshot(), "the snapshots differ");
    Ok(())
}

/// An event dated more than five years after the clock (a mistyped year) is refused naming its
/// field, and changes nothing; once time has passed to it, it gets in. Without a limit, or on an
/// engine that holds no dated record yet, any distance is taken.
#[test]
fn an_event_years_after_the_clock_is_refused_as_a_mistyped_year() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    let clock = engine.as_of();
    let typo = NaiveDate::from_ymd_opt(clock.year() + 180, clock.month(), 1).ok_or("a day")?;
    let receipt =
        |id: &str, date| event(id, EventBody::Movement(movement(&node, &product, date, MovementKind::Receipt, 1)));
    let before = state(&engine);
    let err = engine.apply(receipt("GRN-TYPO", typo)).err().ok_or("refused")?;
    let OmoError::Refused { field, reason, .. } = &err else { return Err(format!("{err}").into()) };
    assert_eq!(field.as_deref(), Some("record.date"));
    let days = (typo - clock).num_days();
    assert!(
        matches!(**reason, OmoError::FarAhead { date, clock: at, days: d, limit: 1_827, .. } if date == typo && at == clock && d == days),
        "{reason:?}"
    );
    assert!(err.to_string().contains("mistyped year"), "{err}");
    assert_eq!(state(&engine), before);
    // Five years to the day is still in; a day more is not.
    let edge = clock + Days::new(1_827);
    assert!(engine.apply(receipt("GRN-EDGE+1", edge + Days::new(1))).is_err());
    engine.apply(receipt("GRN-EDGE", edge))?;
    engine.advance_to(typo)?;
    engine.apply(receipt("GRN-TYPO", typo))?;
    assert_eq!(engine.as_of(), typo);

    let options = EngineOptions { max_days_ahead: None, ..EngineOptions::default() };
    let mut unlimited = Engine::new(company(), options)?;
    unlimited.apply(receipt("GRN-TYPO", typo))?;
    assert_eq!(unlimited.as_of(), typo);

    // A company's master data alone, its clock where it was started: the first dated event is
    // taken from any distance, the next one is held to the limit.
    let mut master = company();
    (master.movements, master.pos_sales, master.counts) = (Vec::new(), Vec::new(), Vec::new());
    (master.orders, master.shipments, master.invoices) = (Vec::new(), Vec::new(), Vec::new());
    (master.payments, master.prepaid_orders) = (Vec::new(), Vec::new());
    (master.supply.purchase_orders, master.supply.production_orders) = (Vec::new(), Vec::new());
    master.as_of = NaiveDate::from_ymd_opt(2000, 1, 1).ok_or("a day")?;
    let mut fresh = Engine::new(master, EngineOptions::default())?;
    fresh.apply(receipt("GRN-FIRST", clock))?;
    assert_eq!(fresh.as_of(), clock);
    let refused = fresh.apply(receipt("GRN-TYPO", typo));
    assert!(matches!(&refused, Err(OmoError::Refused { reason, .. }) if matches!(**reason, OmoError::FarAhead { .. })));
    Ok(())
}

/// A sales target of 10^-28 for a distributor with revenue: its revenue against plan does not
/// fit a decimal, and the engine computing its lights panicked; the value saturates.
#[test]
fn a_tiny_sales_target_saturates_the_revenue_against_plan() -> Res {
    let company = company();
    let cut = (company.as_of - Days::new(45)).with_day(15).ok_or("a 15th")?;
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let month = cut.with_day(1).ok_or("a first day")?;
    let invoiced = |id: &CustomerId| engine.dataset().invoices.iter().any(|i| &i.customer == id && i.date >= month);
    let customers = engine.dataset().customers.iter().map(|c| c.id.clone());
    let distributor = customers
        .filter(|id| invoiced(id))
        .find(|id| engine.kpi_value(id.as_str(), "revenue_vs_plan").is_some())
        .ok_or("a distributor invoiced this month, with a plan")?;
    let target = SalesTarget { scope: TargetScope::Customer(distributor.clone()), month, revenue: Decimal::new(1, 28) };
    engine.apply(event("T-TINY", EventBody::SalesTarget(target)))?;
    engine.advance_to(cut + Days::new(1))?;
    assert_eq!(engine.kpi_value(distributor.as_str(), "revenue_vs_plan"), Some(Decimal::MAX));
    Ok(())
}

/// A clock beyond 9999-12-31 (the Rust API can move it there) is written in ISO 8601's
/// expanded form (`+10000-01-01`), and the snapshot's JSON reads back (found by fuzz_engine).
#[test]
fn a_clock_beyond_the_year_9999_reads_back_from_the_snapshot_s_json() -> Res {
    let mut history = company();
    history.as_of = NaiveDate::from_ymd_opt(10_000, 1, 1).ok_or("a day")?;
    let engine = Engine::new(history, EngineOptions::default())?;
    let text = serde_json::to_string(&engine.snapshot())?;
    assert!(text.contains("\"+10000-01-01\""), "the clock in its expanded form");
    let restored = Engine::restore(EngineSnapshot::from_json(&text)?)?;
    assert_eq!(state(&restored), state(&engine));
    assert!(restored.snapshot() == engine.snapshot(), "the snapshots differ");
    Ok(())
}

#[test]
fn an_engine_s_snapshot_restores_the_same_state() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    engine.apply(event(
        "GRN-1",
        EventBody::Movement(movement(&node, &product, day(&engine, 1), MovementKind::Receipt, 3)),
    ))?;
    let restored = Engine::restore(engine.snapshot())?;
    assert_eq!(state(&restored), state(&engine));
    let mut restored = restored;
    let again = restored.apply(event(
        "GRN-1",
        EventBody::Movement(movement(&node, &product, day(&engine, 1), MovementKind::Receipt, 3)),
    ));
    assert!(again.is_err(), "the duplicate rule survives a restore");
    Ok(())
}

/// An alert's machine remembers further back than the months an engine built on a history
/// warms it over: fourteen months on with no value (a month with none keeps the condition), a
/// running engine's alerts still fire where an engine built afresh on the same records has
/// fewer raised. The snapshot keeps the machines (format 3), so a restored engine stands where the
/// running one does; a format 2 snapshot, without them, warms them from the history, and a
/// machine of a member that is no customer is refused, naming it.
#[test]
fn a_snapshot_keeps_the_alert_machines_the_history_no_longer_shows() -> Res {
    use omo_core::engine::EngineSnapshot;
    let mut engine = engine();
    engine.advance_to(day(&engine, 430))?;
    let raised = |e: &Engine| e.alert_states().iter().filter(|a| a.raised.is_some()).count();
    let fresh = Engine::new(engine.to_dataset(), EngineOptions::default())?;
    assert!(raised(&engine) > raised(&fresh), "{} / {}", raised(&engine), raised(&fresh));

    let json = serde_json::to_value(engine.snapshot())?;
    let restored = Engine::restore(EngineSnapshot::from_json(&json.to_string())?)?;
    assert_eq!(restored.alert_states(), engine.alert_states());
    assert_eq!(state(&restored), state(&engine));

    let mut format_2 = json.clone();
    format_2["format"] = serde_json::json!(2);
    format_2.as_object_mut().and_then(|o| o.remove("kpi_alerts"));
    let warmed = Engine::restore(EngineSnapshot::from_json(&format_2.to_string())?)?;
    assert_eq!(warmed.alert_states(), fresh.alert_states());

    let mut stranger = json;
    stranger["kpi_alerts"][0]["member"] = serde_json::json!("NOBODY");
    let refused = Engine::restore(EngineSnapshot::from_json(&stranger.to_string())?).err().map(|e| e.to_string());
    assert!(refused.as_deref().is_some_and(|e| e.contains("kpi_alerts[0] (NOBODY / ")), "{refused:?}");
    Ok(())
}

/// A distributor made an end user drops the alert machines it had, and the engine's own
/// snapshot restores to the same state.
#[test]
fn a_distributor_made_an_end_user_drops_its_alerts_and_its_snapshot_restores() -> Res {
    let mut engine = engine();
    let distributor = engine.dataset().customers.iter().find(|c| c.kind == CustomerKind::Distributor).cloned();
    let mut changed = distributor.ok_or("the sample company has distributors")?;
    changed.kind = CustomerKind::EndUser;
    let member = changed.id.to_string();
    assert!(engine.alert_states().iter().any(|a| a.member == member));
    engine.apply(event("CUST-1", EventBody::Customer(Box::new(changed))))?;
    assert!(engine.alert_states().iter().all(|a| a.member != member));
    let restored = Engine::restore(engine.snapshot())?;
    assert_eq!(restored.alert_states(), engine.alert_states());
    assert_eq!(state(&restored), state(&engine));
    Ok(())
}

#[test]
fn a_format_1_snapshot_keeping_the_ids_themselves_restores_with_the_duplicate_rule() -> Res {
    let mut engine = engine();
    let (node, product, _) = stocked(&engine);
    let receipt = |id: &str, engine: &Engine| {
        event(id, EventBody::Movement(movement(&node, &product, day(engine, 1), MovementKind::Receipt, 3)))
    };
    engine.apply(receipt("GRN-1", &engine))?;
    // Format 1 wrote `seen` as `[type, id]` pairs.
    let mut json = serde_json::to_value(engine.snapshot())?;
    json["format"] = serde_json::json!(1);
    json["seen"] = serde_json::json!([["movement", "GRN-1"]]);
    let mut restored = Engine::restore(omo_core::engine::EngineSnapshot::from_json(&json.to_string())?)?;
    assert_eq!(state(&restored), state(&engine));
    assert_eq!(restored.snapshot().seen, engine.snapshot().seen);
    match restored.apply(receipt("GRN-1", &engine)) {
        Err(OmoError::Refused { reason, .. }) if matches!(*reason, OmoError::DuplicateId { .. }) => {}
        other => return Err(format!("the format 1 id should make GRN-1 a duplicate: {other:?}").into()),
    }
    restored.apply(receipt("GRN-2", &engine))?;
    Ok(())
}

/// One random step of a stream: a movement, an order, an invoice or a payment.
#[derive(Debug, Clone)]
enum Step {
    Move {
        pair: usize,
        days: u64,
        kind: usize,
        quantity: i64,
    },
    Order {
        customer: usize,
        days: u64,
        quantity: i64,
    },
    /// An invoice of a new order, dated `back` days before the clock (not before the order).
    Invoice {
        order: usize,
        back: u64,
    },
    /// A credit note of half an invoice of a new order, `back` days before the clock.
    Credit {
        invoice: usize,
        back: u64,
    },
    /// A payment `back` days before the clock, allocated to an invoice of a new order or not.
    Pay {
        customer: usize,
        amount: i64,
        back: u64,
        allocate: Option<usize>,
    },
    /// Part of a new payment allocated to an invoice of a new order of the same customer.
    Allocate {
        payment: usize,
        invoice: usize,
        amount: i64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..40usize, 0..20u64, 0..4usize, -50..400i64).prop_map(|(pair, days, kind, quantity)| Step::Move { pair, days, kind, quantity }),
        1 => (0..20usize, 0..20u64, 1..50i64).prop_map(|(customer, days, quantity)| Step::Order { customer, days, quantity }),
        1 => (0..10usize, 0..10u64).prop_map(|(order, back)| Step::Invoice { order, back }),
        1 => (0..10usize, 0..10u64).prop_map(|(invoice, back)| Step::Credit { invoice, back }),
        1 => (0..20usize, 1..200_000i64, 0..10u64, proptest::option::of(0..10usize))
            .prop_map(|(customer, amount, back, allocate)| Step::Pay { customer, amount, back, allocate }),
        1 => (0..10usize, 0..10usize, 1..60_000i64).prop_map(|(payment, invoice, amount)| Step::Allocate { payment, invoice, amount }),
    ]
}

/// The `i`th (wrapping) of the records whose id starts with `prefix`.
fn nth_new<'a, T>(records: &'a [T], id: impl Fn(&T) -> &str, prefix: &str, i: usize) -> Option<&'a T> {
    let new: Vec<&T> = records.iter().filter(|r| id(r).starts_with(prefix)).collect();
    new.get(i % new.len().max(1)).copied()
}

/// The event of a step, against the engine's current state (ids from the step's number).
fn event_of(engine: &Engine, n: usize, step: &Step) -> Option<Event> {
    let d = engine.dataset();
    let start = d.as_of - Days::new(25);
    let pairs = engine.stock_on_hand();
    let kinds = [MovementKind::Receipt, MovementKind::Sale, MovementKind::Adjustment, MovementKind::CustomerReturn];
    let body = match step {
        Step::Move { pair, days, kind, quantity } => {
            let (node, product, _) = pairs.get(pair % pairs.len().max(1))?;
            let kind = kinds[kind % kinds.len()];
            let quantity = if kind == MovementKind::Adjustment { *quantity } else { quantity.abs().max(1) };
            EventBody::Movement(movement(node, product, start + Days::new(*days), kind, quantity))
        }
        Step::Order { customer, days, quantity } => {
            let accounts = engine.credit_book().customers();
            let customer = (*accounts.get(customer % accounts.len().max(1))?).clone();
            let (node, product, _) = pairs.first()?;
            let line = SalesLine::new(product.clone(), Decimal::from(*quantity), Decimal::from(1_000));
            let order = SalesOrder::new(
                OrderId::new(format!("P-SO-{n}")).ok()?,
                customer,
                start + Days::new(*days),
                node.clone(),
                vec![line],
            )
            .ok()?;
            EventBody::Order(order)
        }
        Step::Invoice { order, back } => {
            let order = nth_new(&d.orders, |o| o.id.as_str(), "P-SO-", *order)?;
            let date = (d.as_of - Days::new(*back)).max(order.order_date);
            let invoice = Invoice::new(
                InvoiceId::new(format!("P-INV-{n}")).ok()?,
                order.customer.clone(),
                date,
                date + Days::new(30),
                d.currency.clone(),
                order.lines.clone(),
            )
            .ok()?;
            EventBody::Invoice(Box::new(Invoice { order: Some(order.id.clone()), ..invoice }))
        }
        Step::Credit { invoice, back } => {
            let original = nth_new(&d.invoices, |i| i.id.as_str(), "P-INV-", *invoice)?;
            let date = (d.as_of - Days::new(*back)).max(original.date);
            let lines =
                original.lines.iter().map(|l| SalesLine { quantity: (l.quantity / Decimal::TWO).ceil(), ..l.clone() });
            let note = Invoice::new(
                InvoiceId::new(format!("P-CN-{n}")).ok()?,
                original.customer.clone(),
                date,
                date,
                d.currency.clone(),
                lines.collect(),
            )
            .ok()?;
            EventBody::Invoice(Box::new(Invoice {
                kind: InvoiceKind::CreditNote,
                against: Some(original.id.clone()),
                ..note
            }))
        }
        Step::Pay { customer, amount, back, allocate } => {
            let accounts = engine.credit_book().customers();
            let customer = (*accounts.get(customer % accounts.len().max(1))?).clone();
            let mut payment = Payment::new(
                PaymentId::new(format!("P-PAY-{n}")).ok()?,
                customer.clone(),
                d.as_of - Days::new(*back),
                Decimal::from(*amount),
                d.currency.clone(),
            )
            .ok()?;
            let named = allocate.and_then(|i| nth_new(&d.invoices, |i| i.id.as_str(), "P-INV-", i));
            if let Some(invoice) = named.filter(|i| i.customer == customer) {
                let amount = payment.amount.min(invoice.amount());
                payment.allocations.push(PaymentAllocation { invoice: invoice.id.clone(), amount });
            }
            EventBody::Payment(Box::new(payment))
        }
        Step::Allocate { payment, invoice, amount } => {
            let payment = nth_new(&d.payments, |p| p.id.as_str(), "P-PAY-", *payment)?;
            let invoices: Vec<&Invoice> = d
                .invoices
                .iter()
                .filter(|i| i.id.as_str().starts_with("P-INV-") && i.customer == payment.customer)
                .collect();
            let invoice = invoices.get(invoice % invoices.len().max(1))?;
            // Made once both exist, as an ERP's reconciliation is.
            let date = d.as_of.max(payment.date).max(invoice.date);
            EventBody::PaymentAllocation(Allocation {
                payment: payment.id.clone(),
                invoice: invoice.id.clone(),
                amount: Decimal::from(*amount),
                date,
            })
        }
    };
    Some(event(&format!("e{n}"), body))
}

/// The dataset with one more record, as the batch side sees an event.
fn with_record(dataset: &Dataset, body: &EventBody) -> Dataset {
    let mut d = dataset.clone();
    if let Some(date) = body.date() {
        d.as_of = d.as_of.max(date);
    }
    match body.clone() {
        EventBody::Movement(m) => d.movements.push(m),
        EventBody::Order(o) => d.orders.push(o),
        EventBody::Invoice(i) => d.invoices.push(*i),
        EventBody::Payment(p) => d.payments.push(*p),
        EventBody::PaymentAllocation(a) => {
            if let Some(p) = d.payments.iter_mut().find(|p| p.id == a.payment) {
                p.allocations.push(PaymentAllocation { invoice: a.invoice, amount: a.amount });
            }
        }
        _ => {}
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// For random streams, the engine accepts exactly the events after which the batch
    /// validation passes, and its S-P-I rows, stock and credit positions equal the batch ones;
    /// its credit positions after every event, money back-dated, credited and allocated late
    /// included.
    #[test]
    fn incremental_equals_batch(steps in proptest::collection::vec(step(), 1..40)) {
        let mut engine = engine();
        for (n, step) in steps.iter().enumerate() {
            let Some(event) = event_of(&engine, n, step) else { continue };
            let batch = with_record(engine.dataset(), &event.body);
            let valid = batch.validate().is_ok();
            let money = matches!(event.body, EventBody::Invoice(_) | EventBody::Payment(_) | EventBody::PaymentAllocation(_));
            let applied = engine.apply(event.clone());
            prop_assert_eq!(applied.is_ok(), valid, "{:?}: {:?} / {:?}", event, applied, batch.validate());
            if money && valid {
                let d = engine.to_dataset();
                prop_assert_eq!(credit_positions(&engine), batch_positions(&d), "after {:?}", event);
            }
        }
        let d = engine.to_dataset();
        prop_assert_eq!(engine.spi_rows(), build_ledger(&d.movements, &[], LedgerOptions::default()).unwrap_or_default());
        prop_assert_eq!(credit_positions(&engine), batch_positions(&d));
        let levels = [(NodeLevel::Region, ProductLevel::Category), (NodeLevel::Node, ProductLevel::Product)];
        prop_assert!(assert_rollups_as_batch(&engine, &levels).is_ok());
    }
}

/// The engine's S-P-I roll-ups (its monthly rows rolled up) equal the batch ones (the
/// movements rolled up) at each of `levels`, by month, quarter and year, and so does the
/// channel of the whole market and of each region.
fn assert_rollups_as_batch(engine: &Engine, levels: &[(NodeLevel, ProductLevel)]) -> Res {
    use omo_core::views::Views;
    let company = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&company));
    let regions: Vec<Option<RegionId>> =
        std::iter::once(None).chain(company.regions.iter().map(|r| Some(r.id.clone()))).collect();
    for period in [Period::Month, Period::Quarter, Period::Year] {
        for (nodes, products) in levels {
            let (l, b) =
                (live.spi_rollup(nodes, products, period, None)?, batch.spi_rollup(nodes, products, period, None)?);
            assert!(!b.is_empty());
            assert_eq!(l, b, "{period:?} {nodes:?} {products:?}");
        }
        for region in &regions {
            assert_eq!(
                live.channel(period, region.as_ref(), None)?,
                batch.channel(period, region.as_ref(), None)?,
                "{region:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn roll_ups_and_the_channel_read_the_engine_s_monthly_rows_as_the_batch_reads_the_movements() -> Res {
    let mut engine = engine();
    let every_level =
        [NodeLevel::Node, NodeLevel::Region, NodeLevel::RegionAtDepth(0), NodeLevel::Kind, NodeLevel::Company];
    let every_group =
        [ProductLevel::Product, ProductLevel::Category, ProductLevel::CategoryAtDepth(0), ProductLevel::All];
    let levels: Vec<_> =
        every_level.iter().flat_map(|n| every_group.iter().map(move |p| (n.clone(), p.clone()))).collect();
    assert_rollups_as_batch(&engine, &levels)?;
    // Transfers from the best-stocked node: to a node of its own region (inside the region's
    // group), to one of another region, one of them back-dated into the month before.
    let (from, product, _) = stocked(&engine);
    let d = engine.to_dataset();
    let region_of = |n: &NodeId| d.node(n).and_then(|n| n.region.clone());
    let same = d
        .nodes
        .iter()
        .find(|n| n.id != from && n.region.is_some() && n.region == region_of(&from))
        .ok_or("no neighbour")?;
    let other = d.nodes.iter().find(|n| n.region.is_some() && n.region != region_of(&from)).ok_or("no other region")?;
    // The engine's clock is at a month's end: the third transfer lands in the month before the
    // one the first two open.
    let transfers =
        [(&same.id, day(&engine, 1), 5), (&other.id, day(&engine, 2), 3), (&same.id, engine.as_of() - Days::new(3), 2)];
    for (n, (to, date, quantity)) in transfers.into_iter().enumerate() {
        let mut out = movement(&from, &product, date, MovementKind::TransferOut, quantity);
        out.counterparty = Some(to.clone());
        let mut into = movement(to, &product, date, MovementKind::TransferIn, quantity);
        into.counterparty = Some(from.clone());
        engine.apply(event(&format!("t-out-{n}"), EventBody::Movement(out)))?;
        engine.apply(event(&format!("t-in-{n}"), EventBody::Movement(into)))?;
    }
    assert_rollups_as_batch(&engine, &levels)?;
    Ok(())
}

/// The batch catalogue's month-to-date values of every distributor's KPIs on `d.as_of`.
fn batch_kpis(d: &Dataset) -> std::collections::HashMap<(String, String), omo_core::kpi::KpiInput> {
    omo_core::kpi::standard_inputs(d, d.as_of).unwrap_or_else(|e| unreachable!("batch KPIs: {e}"))
}

/// Engine and batch agree on a KPI value (the forecast error sums floats in another order: to
/// its last rounded digit).
fn same_value(kpi: &str, live: Option<Decimal>, batch: Option<Decimal>) -> bool {
    match (live, batch) {
        (Some(a), Some(b)) if kpi == "forecast_wape" => (a - b).abs() <= Decimal::new(1, 4),
        _ => live == batch,
    }
}

/// A product's standard cost values its stock: a product event that changes it moves the
/// distributors' stock KPIs (the ineffective stock's share) at once, as the batch catalogue
/// computes them on the same records, not at the product's next movement.
#[test]
fn a_new_standard_cost_revalues_the_stock_kpis_at_once() -> Res {
    let mut engine = engine();
    let share = |engine: &Engine| -> Vec<Option<Decimal>> {
        let d = engine.to_dataset();
        d.customers.iter().map(|c| engine.kpi_value(c.id.as_str(), "ineffective_stock_share")).collect()
    };
    let mut moved = 0;
    for (n, product) in engine.to_dataset().products.into_iter().enumerate() {
        let before = share(&engine);
        let dearer = Product { standard_cost: product.standard_cost * Decimal::from(10) + Decimal::ONE, ..product };
        engine.apply(event(&format!("PRODUCT-{n}"), EventBody::Product(Box::new(dearer))))?;
        moved += usize::from(share(&engine) != before);
        let d = engine.to_dataset();
        for ((member, kpi), input) in &batch_kpis(&d) {
            let live = engine.kpi_value(member, kpi);
            assert!(same_value(kpi, live, input.value), "{member} {kpi}: live {live:?}, batch {:?}", input.value);
        }
    }
    assert!(moved > 0, "no cost change moved a distributor's share");
    Ok(())
}

/// Active retailers compare the shops whose first sale of the month came by the day with last
/// year's by the same day. With the history's POS sales in reverse date order, each shop's
/// first sale of a month is found late (an earlier day replacing a later one): the engine's
/// value on each day of five weeks equals the batch catalogue's, which reads the records.
#[test]
fn pos_sales_out_of_date_order_give_active_retailers_as_the_batch_counts_them() -> Res {
    let mut d = company();
    d.pos_sales.reverse();
    let mut engine = Engine::new(d, EngineOptions::default())?;
    let start = engine.as_of();
    let mut compared = 0;
    for n in 1..=35 {
        engine.advance_to(start + Days::new(n))?;
        let d = engine.to_dataset();
        for ((member, kpi), input) in batch_kpis(&d).iter().filter(|((_, kpi), _)| kpi == "active_retailers") {
            let live = engine.kpi_value(member, kpi);
            assert_eq!(live, input.value, "{} {member} {kpi}", d.as_of);
            compared += usize::from(live.is_some());
        }
    }
    assert!(compared > 35, "active retailers compared {compared} times");
    Ok(())
}

/// With no movement for half a year, stock turns slow as its issues leave the 90-day window and
/// dead 180 days after its last issue, each on its own day, mostly within a month: the engine
/// (which reads each product again only on the days its status may move) has the ineffective
/// stock's share of every distributor on every day as the batch catalogue computes it.
#[test]
fn stock_left_alone_turns_slow_then_dead_on_the_days_the_batch_has_it() -> Res {
    let mut engine = engine();
    let start = engine.as_of();
    let mut moved = 0;
    let mut before = std::collections::BTreeMap::new();
    for n in 1..=200 {
        engine.advance_to(start + Days::new(n))?;
        let d = engine.to_dataset();
        let mut shares = std::collections::BTreeMap::new();
        for ((member, kpi), input) in batch_kpis(&d).iter().filter(|((_, kpi), _)| kpi == "ineffective_stock_share") {
            let live = engine.kpi_value(member, kpi);
            assert_eq!(live, input.value, "{} {member} {kpi}", d.as_of);
            shares.insert(member.clone(), live);
        }
        moved += usize::from(!before.is_empty() && shares != before && d.as_of.day() != 1);
        before = shares;
    }
    assert!(moved >= 5, "the share moved within a month on {moved} days only");
    Ok(())
}

/// The forecast error's seasonal naive forecast of this month is last year's same month: goods
/// received and sold that month (back-dated, with thirteen months open) move it, live as the
/// batch catalogue computes it on the same records, though no sale of this month changed.
#[test]
fn a_sale_back_dated_a_year_moves_this_months_forecast_error_as_the_batch_has_it() -> Res {
    let options = EngineOptions { open_months: 13, ..EngineOptions::default() };
    let mut engine = Engine::new(company(), options)?;
    let d = engine.to_dataset();
    let nodes: Vec<NodeId> =
        d.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).filter_map(|c| c.node.clone()).collect();
    let year_ago = omo_core::kpi::first_of_month(engine.as_of())
        .checked_sub_months(chrono::Months::new(12))
        .ok_or("a year ago")?;
    let wape = |engine: &Engine| -> Vec<Option<Decimal>> {
        d.customers.iter().map(|c| engine.kpi_value(c.id.as_str(), "forecast_wape")).collect()
    };
    let before = wape(&engine);
    for (n, node) in nodes.iter().enumerate() {
        let Some(product) = d.products.first().map(|p| p.id.clone()) else { return Err("no product".into()) };
        let receipt = movement(node, &product, year_ago, MovementKind::Receipt, 5_000);
        engine.apply(event(&format!("GR-{n}"), EventBody::Movement(receipt)))?;
        let sale = movement(node, &product, year_ago, MovementKind::Sale, 5_000);
        engine.apply(event(&format!("DN-{n}"), EventBody::Movement(sale)))?;
    }
    assert_ne!(wape(&engine), before, "no forecast error moved");
    let d = engine.to_dataset();
    for ((member, kpi), input) in batch_kpis(&d).iter().filter(|((_, kpi), _)| kpi == "forecast_wape") {
        let live = engine.kpi_value(member, kpi);
        assert!(same_value(kpi, live, input.value), "{member} {kpi}: live {live:?}, batch {:?}", input.value);
    }
    Ok(())
}

#[test]
fn kpi_values_lights_and_alerts_follow_the_stream_as_the_batch_catalogue_computes_them() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let events = omo_core::engine::events_of(&company, cut)?;
    let checkpoints = [events.len() / 5, events.len() / 2, events.len() * 4 / 5, events.len()];
    let mut alerts = Vec::new();
    let mut compared = 0;
    for (n, event) in events.into_iter().enumerate() {
        for change in engine.apply(event)? {
            if let ChangeKind::Alert { kpi, member, month, kind, .. } = change.what {
                alerts.push((month, member, kpi, format!("{kind:?}")));
            }
        }
        if !checkpoints.contains(&(n + 1)) {
            continue;
        }
        let d = engine.to_dataset();
        let batch = batch_kpis(&d);
        for ((member, kpi), input) in &batch {
            let live = engine.kpi_value(member, kpi);
            assert!(
                same_value(kpi, live, input.value),
                "{} {member} {kpi}: live {live:?}, batch {:?}",
                d.as_of,
                input.value
            );
            compared += 1;
        }
        // Lights: the batch scorecard of the month to date, rolled up the regions.
        let kpis = omo_core::kpi::standard_kpis()?;
        let card = omo_core::kpi::Scorecard::build(
            &omo_core::kpi::distributor_hierarchy(&d)?,
            &kpis,
            &batch,
            &Default::default(),
        )?;
        let batch_lights: Vec<(String, String, omo_core::kpi::Light)> = card
            .cells
            .iter()
            .flat_map(|(m, row)| row.iter().map(move |(k, c)| (m.clone(), k.clone(), c.light())))
            .collect();
        let live_lights = engine.lights();
        let differ: Vec<_> = live_lights.iter().zip(&batch_lights).filter(|(a, b)| a != b).take(3).collect();
        assert!(differ.is_empty() && live_lights.len() == batch_lights.len(), "{differ:?}");
    }
    assert!(compared > 100, "{compared}");
    for change in engine.advance_to(company.as_of)? {
        if let ChangeKind::Alert { kpi, member, month, kind, .. } = change.what {
            alerts.push((month, member, kpi, format!("{kind:?}")));
        }
    }
    // Alerts: every month closed during the stream, as the batch runs them over the same months.
    let d = engine.to_dataset();
    let first = omo_core::kpi::first_of_month(cut);
    let warm_start = first.checked_sub_months(chrono::Months::new(12)).ok_or("date")?;
    let last_closed = omo_core::kpi::last_complete_month(d.as_of).ok_or("month")?;
    let months =
        (last_closed.year() - warm_start.year()) * 12 + last_closed.month0() as i32 - warm_start.month0() as i32 + 1;
    let batch = omo_core::kpi::standard_alerts(&d, last_closed, u32::try_from(months)?, &Default::default())?;
    let expected: Vec<_> = batch
        .into_iter()
        .filter(|a| a.period >= first)
        .map(|a| (a.period, a.member, a.kpi, format!("{:?}", a.kind)))
        .collect();
    let mut live = alerts;
    live.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(live, expected);
    Ok(())
}

/// A batch ([`Engine::apply_batch`]) settles its lights once a day of it: after every chunk the
/// engine stands where applying each event leaves it (lights, values, alerts' states), every
/// change but a light's comes as that event's, and the light changes are the net moves of each
/// day of the chunk, reported with that day's last event. [`Engine::apply_many`] returns what
/// applying each event does.
#[test]
fn a_batch_settles_its_lights_once_a_day_and_ends_where_each_event_applied_alone_ends() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut alone = Engine::new(company.until(cut), EngineOptions::default())?;
    let mut batched = Engine::new(company.until(cut), EngineOptions::default())?;
    let mut many = Engine::new(company.until(cut), EngineOptions::default())?;
    let mut events = omo_core::engine::events_of(&company, cut)?.into_iter();
    let lights = |e: &Engine| -> std::collections::BTreeMap<(String, String), omo_core::kpi::Light> {
        e.lights().into_iter().map(|(m, k, l)| ((m, k), l)).collect()
    };
    let (mut netted, mut one_by_one, mut chunks) = (0, 0, 0);
    for size in [1, 7, 50, 300, 1_000].into_iter().cycle() {
        let chunk: Vec<Event> = events.by_ref().take(size).collect();
        if chunk.is_empty() {
            break;
        }
        chunks += 1;
        // Each event's day: its date, or the clock's for master data.
        let days: Vec<NaiveDate> = chunk
            .iter()
            .scan(alone.as_of(), |clock, e| {
                *clock = e.date().map_or(*clock, |d| d.max(*clock));
                Some(e.date().unwrap_or(*clock))
            })
            .collect();
        let mut expected = Vec::new();
        for event in chunk.iter().cloned() {
            expected.extend(alone.apply(event)?);
        }
        assert_eq!(many.apply_many(chunk.clone()).into_result()?, expected);
        let mut seen = lights(&batched);
        let changes = batched.apply_batch(chunk).into_result()?;
        let is_light = |c: &&omo_core::engine::Change| matches!(c.what, ChangeKind::Light { .. });
        let others = |cs: &[omo_core::engine::Change]| cs.iter().filter(|c| !is_light(c)).cloned().collect::<Vec<_>>();
        assert_eq!(others(&changes), others(&expected));
        // The chunk's runs of same-day events, numbered; a change's run is its event's.
        let first_seq = batched.seq() - days.len() as u64 + 1;
        let runs: Vec<usize> = (0..days.len())
            .scan(0, |run, i| {
                *run += usize::from(i > 0 && days[i] != days[i - 1]);
                Some(*run)
            })
            .collect();
        let run_of =
            |c: &omo_core::engine::Change| usize::try_from(c.seq - first_seq).ok().and_then(|i| runs.get(i).copied());
        // The net move of each light over each run, applying each event alone.
        let mut net: std::collections::BTreeMap<
            (Option<usize>, String, String),
            (omo_core::kpi::Light, omo_core::kpi::Light),
        > = Default::default();
        for change in expected.iter().filter(is_light) {
            let ChangeKind::Light { kpi, member, from, to, .. } = &change.what else { continue };
            one_by_one += 1;
            net.entry((run_of(change), member.clone(), kpi.clone())).or_insert((*from, *to)).1 = *to;
        }
        net.retain(|_, (from, to)| from != to);
        let mut reported = std::collections::BTreeMap::new();
        for change in changes.iter().filter(is_light) {
            let ChangeKind::Light { kpi, member, from, to, .. } = &change.what else { continue };
            netted += 1;
            let at = usize::try_from(change.seq - first_seq)?;
            // Reported with the last event of its day in the chunk, dated that day.
            assert_eq!(days.get(at), Some(&change.date), "{change:?}");
            assert!(runs.get(at + 1).is_none_or(|next| Some(next) != runs.get(at)), "{change:?}");
            assert_eq!(seen.insert((member.clone(), kpi.clone()), *to), Some(*from), "{change:?}");
            reported.insert((run_of(change), member.clone(), kpi.clone()), (*from, *to));
        }
        assert_eq!(reported, net, "chunk {chunks}");
        assert_eq!(seen, lights(&alone), "after chunk {chunks}");
        assert_eq!(lights(&batched), lights(&alone));
        assert_eq!(batched.alert_states(), alone.alert_states());
        assert_eq!(batched.seq(), alone.seq());
    }
    assert_eq!(batched.live_scorecard(), alone.live_scorecard());
    assert_eq!(batched.spi_rows(), alone.spi_rows());
    assert!(chunks >= 10 && netted > 10 && netted < one_by_one, "{chunks} chunks, {netted} of {one_by_one}");
    Ok(())
}

/// The engine's views of the KPI history (the values it kept as months closed, not computed
/// from its records) equal the batch views of a dataset holding the same records: every input
/// (the forecast error to its last rounded digit), the alerts of the window, the lights of the
/// scorecard of the last complete month.
fn assert_history_as_batch(engine: &Engine) -> Res {
    use omo_core::views::{Axis, Views};
    let company = engine.to_valid_dataset();
    let (live_views, batch_views) = (engine.views(), Views::new(&company));
    let (live, batch) = (live_views.kpi_history()?, batch_views.kpi_history()?);
    assert_eq!(live.months, batch.months, "{}", engine.as_of());
    for (month, (live, batch)) in live.months.iter().zip(live.inputs.iter().zip(&batch.inputs)) {
        assert_eq!(live.len(), batch.len(), "{month}");
        for (key, b) in batch {
            let l = live.get(key).ok_or_else(|| format!("{month} {key:?} not kept"))?;
            for (x, y) in [(l.value, b.value), (l.previous, b.previous), (l.last_year, b.last_year)] {
                assert!(same_value(&key.1, x, y), "{} {month} {key:?}: live {x:?}, batch {y:?}", engine.as_of());
            }
        }
    }
    assert_eq!(live_views.alerts(None)?, batch_views.alerts(None)?, "{}", engine.as_of());
    let lights = |card: omo_core::views::ScorecardView| -> Vec<(String, Vec<omo_core::kpi::Light>)> {
        card.rows.into_iter().map(|r| (r.member, r.cells.into_iter().map(|c| c.light).collect())).collect()
    };
    let (l, b) = (live_views.scorecard(Axis::Region, None)?, batch_views.scorecard(Axis::Region, None)?);
    assert_eq!(lights(l), lights(b), "{}", engine.as_of());
    Ok(())
}

/// One distributor's values in a month of the engine's KPI history.
fn kept_values(engine: &Engine, member: &str, month: NaiveDate) -> Result<Vec<Option<Decimal>>, OmoError> {
    let views = engine.views();
    let history = views.kpi_history()?;
    let at = history
        .months
        .iter()
        .position(|m| *m == month)
        .ok_or(OmoError::UnknownId { kind: "month", id: month.to_string() })?;
    let mut values: Vec<_> =
        history.inputs[at].iter().filter(|((m, _), _)| m == member).map(|((_, k), i)| (k.clone(), i.value)).collect();
    values.sort();
    Ok(values.into_iter().map(|(_, v)| v).collect())
}

#[test]
fn the_kpi_history_is_kept_as_months_close_and_a_late_posting_moves_its_month() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    assert_history_as_batch(&engine)?;
    let events = omo_core::engine::events_of(&company, cut)?;
    let first_month = omo_core::kpi::first_of_month(cut);
    let mut events = events.into_iter();
    // Up to the first event of the second month after the cut: one month closed on the stream.
    for event in events.by_ref() {
        engine.apply(event)?;
        if omo_core::kpi::first_of_month(engine.as_of())
            > first_month.checked_add_months(chrono::Months::new(1)).ok_or("month")?
        {
            break;
        }
    }
    assert_history_as_batch(&engine)?;
    // A receipt posted late into the month closed on the stream (still open for postings).
    let closed =
        omo_core::kpi::first_of_month(engine.as_of()).checked_sub_months(chrono::Months::new(1)).ok_or("month")?;
    let d = engine.to_dataset();
    let distributor =
        d.customers.iter().find(|c| c.kind == CustomerKind::Distributor && c.node.is_some()).ok_or("distributor")?;
    let node = distributor.node.clone().ok_or("node")?;
    let product = d.products[0].id.clone();
    let before = kept_values(&engine, distributor.id.as_str(), closed)?;
    let late = movement(&node, &product, closed + Days::new(14), MovementKind::Receipt, 50_000);
    engine.apply(event("late-receipt", EventBody::Movement(late)))?;
    assert_ne!(
        kept_values(&engine, distributor.id.as_str(), closed)?,
        before,
        "the late receipt moved nothing in {closed}"
    );
    assert_history_as_batch(&engine)?;
    for event in events {
        engine.apply(event)?;
    }
    engine.advance_to(company.as_of)?;
    assert_history_as_batch(&engine)?;
    Ok(())
}

/// Late postings into the month closed on the stream (still open for postings) step its alerts
/// again: every alert then stands as on an engine built afresh on the same records, and the
/// alerts whose standing moved are reported.
#[test]
fn a_late_posting_into_a_closed_month_steps_its_alerts_again() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let second = omo_core::kpi::first_of_month(cut).checked_add_months(chrono::Months::new(2)).ok_or("month")?;
    for event in omo_core::engine::events_of(&company, cut)? {
        if event.date().is_some_and(|d| d >= second) {
            break;
        }
        engine.apply(event)?;
    }
    engine.advance_to(second)?;
    let closed = second.checked_sub_months(chrono::Months::new(1)).ok_or("month")?;
    let d = engine.to_dataset();
    let mut moved = Vec::new();
    for (n, distributor) in d.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).enumerate() {
        let Some(node) = distributor.node.clone() else { continue };
        for (k, product) in d.products.iter().enumerate() {
            let late = movement(&node, &product.id, closed + Days::new(3), MovementKind::Receipt, 200_000);
            for change in engine.apply(event(&format!("late-{n}-{k}"), EventBody::Movement(late)))? {
                if let ChangeKind::Alert { kpi, member, month, .. } = change.what {
                    moved.push((member, kpi, month));
                }
            }
        }
    }
    let fresh = Engine::new(engine.to_dataset(), EngineOptions::default())?;
    assert_eq!(engine.alert_states(), fresh.alert_states());
    assert!(!moved.is_empty(), "no alert moved");
    assert!(moved.iter().all(|(_, _, month)| *month == closed), "{moved:?}");
    assert_history_as_batch(&engine)?;
    Ok(())
}

/// `check` on an engine opened 75 days before the sample company's end, then again once the
/// events of those days are applied.
fn at_the_cut_and_after_the_stream(check: impl Fn(&Engine) -> Res) -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    check(&engine)?;
    for event in omo_core::engine::events_of(&company, cut)? {
        engine.apply(event)?;
    }
    check(&engine)
}

/// The engine's sell-out views (the POS months it keeps) equal the batch ones on the same
/// records: the pivot of the last complete quarter and of a whole year (months), of a window
/// that is not whole months (read from the records), the outlook and the forecast.
fn assert_sell_out_as_batch(engine: &Engine) -> Res {
    use omo_core::analytics::{SalesSource, sales_by_region_and_category};
    use omo_core::views::{Views, Window};
    let company = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&company));
    let year = Window::between(Some(company.as_of - Days::new(400)), None)?;
    let first = omo_core::kpi::first_of_month(year.from);
    let whole_year =
        Window::new(first, first.checked_add_months(chrono::Months::new(12)).ok_or("month")? - Days::new(1))?;
    for window in [None, Some(whole_year), Some(year)] {
        let pivot = live.sales(SalesSource::SellOut, window)?;
        assert_eq!(pivot, batch.sales(SalesSource::SellOut, window)?);
        let w = pivot.window;
        let cells = sales_by_region_and_category(&company, w.from, w.to, SalesSource::SellOut)?;
        let total: Decimal = cells.iter().map(|c| c.revenue).sum();
        assert_eq!(pivot.total.total.revenue, total, "{w:?}");
    }
    assert_eq!(live.outlook(3)?, batch.outlook(3)?);
    let forecast = omo_core::forecast::sell_out_forecast(&company, company.as_of, 3)?;
    assert_eq!(live.sell_out_forecast(None)?, forecast);
    Ok(())
}

#[test]
fn sell_out_views_read_the_engine_s_pos_months() -> Res {
    at_the_cut_and_after_the_stream(assert_sell_out_as_batch)
}

/// The engine's reconciliation of every count day (the book stock it keeps per count) equals
/// the batch one (the book read from the movements), refusals included.
fn assert_counts_as_batch(engine: &Engine) -> Res {
    use omo_core::views::Views;
    let company = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&company));
    let mut days: Vec<NaiveDate> = company.counts.iter().map(|c| c.date).collect();
    days.dedup();
    assert!(days.len() > 3);
    for day in days {
        let (l, b) = (live.reconciliation(Some(day)), batch.reconciliation(Some(day)));
        assert_eq!(format!("{l:?}"), format!("{b:?}"), "{day}");
    }
    Ok(())
}

#[test]
fn a_count_s_book_stock_follows_counts_and_late_movements_as_the_batch_reads_it() -> Res {
    let mut engine = engine();
    assert_counts_as_batch(&engine)?;
    let (node, product, on_hand) = stocked(&engine);
    let d = engine.to_dataset();
    let held: std::collections::HashSet<(NodeId, ProductId)> =
        engine.spi_rows().into_iter().map(|r| (r.node, r.product)).collect();
    let (other, unheld) = d
        .nodes
        .iter()
        .flat_map(|n| d.products.iter().map(move |p| (n.id.clone(), p.id.clone())))
        .find(|pair| !held.contains(pair))
        .ok_or("every node holds every product")?;
    let (today, before) = (day(&engine, 2), engine.as_of() - Days::new(5));
    let events = [
        event(
            "count-1",
            EventBody::Count(StockCount::new(node.clone(), product.clone(), today, on_hand - Decimal::from(3))?),
        ),
        // Back-dated before the count: its book moves.
        event("late-1", EventBody::Movement(movement(&node, &product, before, MovementKind::Receipt, 40))),
        // A count of a product the node never held (refused by the reconciliation), then its
        // first receipt, back-dated before the count: the count is now of stock held.
        event("count-2", EventBody::Count(StockCount::new(other.clone(), unheld.clone(), today, Decimal::from(7))?)),
        event("late-2", EventBody::Movement(movement(&other, &unheld, before, MovementKind::Receipt, 9))),
    ];
    for e in events {
        engine.apply(e)?;
        assert_counts_as_batch(&engine)?;
    }
    Ok(())
}

/// The engine's inventory health (its stock layers and issues) equals the batch one (the
/// movements replayed) for the whole company and for one node.
fn assert_health_as_batch(engine: &Engine) -> Res {
    use omo_core::views::Views;
    let company = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&company));
    let (l, b) = (live.health()?, batch.health()?);
    assert!(b.stock.iter().any(|s| s.status == omo_core::spi::StockStatus::Dead) && b.xyz.len() > 3);
    assert_eq!(l, b, "{}", engine.as_of());
    let node = b.stock[b.stock.len() / 2].node.clone();
    assert_eq!(live.node_health(Some(&node))?, batch.node_health(Some(&node))?);
    Ok(())
}

#[test]
fn inventory_health_reads_the_engine_s_stock_layers_and_issues() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    assert_health_as_batch(&engine)?;
    let events = omo_core::engine::events_of(&company, cut)?;
    let checkpoints = [events.len() / 3, events.len() * 2 / 3];
    for (n, event) in events.into_iter().enumerate() {
        engine.apply(event)?;
        if checkpoints.contains(&n) {
            assert_health_as_batch(&engine)?;
        }
    }
    // A product new at a node: a receipt and a sale, then a receipt back-dated before both
    // (in the month before, still open). In date order the sale takes from the back-dated
    // layer, which leaves 5 units 40 days old and 10 units 11 days old; in the order booked it
    // would be the other way round. Then months pass: the open period's movements move into
    // the layers and old issues leave the cover window.
    let d = engine.to_dataset();
    let held: std::collections::HashSet<(NodeId, ProductId)> =
        engine.spi_rows().into_iter().map(|r| (r.node, r.product)).collect();
    let (node, product) = d
        .nodes
        .iter()
        .flat_map(|n| d.products.iter().map(move |p| (n.id.clone(), p.id.clone())))
        .find(|pair| !held.contains(pair))
        .ok_or("every node holds every product")?;
    let end = engine.as_of();
    let steps = [(11, MovementKind::Receipt, 10), (9, MovementKind::Sale, 5), (40, MovementKind::Receipt, 10)];
    for (n, (days_back, kind, quantity)) in steps.into_iter().enumerate() {
        let m = movement(&node, &product, end - Days::new(days_back), kind, quantity);
        engine.apply(event(&format!("new-{n}"), EventBody::Movement(m)))?;
    }
    let views = engine.views();
    let fresh = views.node_health(Some(&node))?;
    let line = fresh.stock.iter().find(|s| s.product == product).ok_or("no line")?;
    assert_eq!(line.age_buckets[..2], [Decimal::from(10), Decimal::from(5)]);
    assert_health_as_batch(&engine)?;
    for days in [40, 100] {
        engine.advance_to(company.as_of + Days::new(days))?;
        assert_health_as_batch(&engine)?;
    }
    Ok(())
}

/// The engine's planners (its stock on hand, monthly sales, sell-out and count books) equal the
/// batch ones (the records): the suggested orders of the distributors and of one shop (planned
/// on its POS sales), the company plan and a distributor's node plan.
fn assert_planners_as_batch(engine: &Engine) -> Res {
    use omo_core::views::Views;
    let company = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&company));
    let (l, b) = (live.suggested_orders(None, None)?, batch.suggested_orders(None, None)?);
    assert!(b.rows.iter().any(|r| !r.order.quantity.is_zero()));
    // The engine reads on order from the orders it keeps open; the batch from every order.
    assert!(b.rows.iter().any(|r| r.order.position.on_order > Decimal::ZERO), "{}", engine.as_of());
    assert_eq!(l, b, "{}", engine.as_of());
    let shop = company.nodes.iter().find(|n| n.kind == NodeKind::Retailer).ok_or("no shop")?;
    let (l, b) = (live.suggested_orders(Some(&shop.id), None)?, batch.suggested_orders(Some(&shop.id), None)?);
    assert!(!b.rows.is_empty());
    assert_eq!(l, b);
    // The company plan reads the stock on hand of the channel (an OEM supplier's credited to
    // the plant) and of the plants, and the consignment stock with its counts.
    let (l, b) = (live.plan()?, batch.plan()?);
    assert!(b.channel.nodes.iter().any(|n| n.on_hand > Decimal::ZERO));
    let consigned = b.suppliers.iter().flat_map(|s| &s.consignment);
    assert!(consigned.clone().any(|c| c.book > Decimal::ZERO && c.last_count.is_some()));
    assert_eq!(l, b, "{}", engine.as_of());
    let distributor = company.nodes.iter().find(|n| n.kind == NodeKind::Distributor).ok_or("no distributor")?;
    assert_eq!(live.node_plan(&distributor.id, 3)?, batch.node_plan(&distributor.id, 3)?);
    Ok(())
}

#[test]
fn suggested_orders_and_the_plan_read_the_engine_s_stock_sales_and_counts() -> Res {
    at_the_cut_and_after_the_stream(assert_planners_as_batch)
}

/// A plan alert: KPI, member, kind, value, action code, the month closed.
type PlanAlert = (String, String, String, Option<Decimal>, String, NaiveDate);

/// The plan's alerts of a stream of changes.
fn plan_alerts(changes: &[omo_core::engine::Change]) -> Vec<PlanAlert> {
    changes
        .iter()
        .filter_map(|c| match &c.what {
            ChangeKind::Alert { kpi, member, kind, value, action_code, month, .. }
                if omo_core::plan::plan_action(kpi).is_some() =>
            {
                Some((kpi.clone(), member.clone(), format!("{kind:?}"), *value, action_code.clone(), *month))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_plan_s_alerts_fire_at_month_close_with_what_to_do_and_survive_a_snapshot() -> Res {
    use omo_core::plan::{ChannelSettings, SupplySettings, company_plan};
    // The plant works two thirds of the sample's hours, so that the spring peak overloads a
    // line whatever the forecasting rule (the sample sizes its lines to run below capacity).
    let mut company = company();
    for line in &mut company.supply.production_lines {
        line.hours_per_month = (line.hours_per_month * Decimal::TWO / Decimal::from(3)).round_dp(2);
    }
    let date = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
    let cut = date(2025, 9, 30)?;
    // Without the option, no plan is made and no plan alert exists.
    let mut quiet = Engine::new(company.until(cut), EngineOptions::default())?;
    quiet.advance_to(company.as_of)?;
    assert!(quiet.alert_states().iter().all(|s| omo_core::plan::plan_action(&s.kpi).is_none()));

    let options = EngineOptions { plan_alerts: true, ..EngineOptions::default() };
    let mut engine = Engine::new(company.until(cut), options)?;
    let mut changes = Vec::new();
    for event in omo_core::engine::events_of(&company, cut)? {
        changes.extend(engine.apply(event)?);
    }
    changes.extend(engine.advance_to(company.as_of)?);
    // The months closed from October to December each planned six months ahead; as the spring
    // peak comes into view a line's heaviest month goes red, and at the second close running
    // its alert is raised, with what to do.
    let raised = plan_alerts(&changes);
    let load = raised.iter().find(|a| a.0 == "capacity_load").ok_or("no capacity alert")?;
    assert_eq!((load.2.as_str(), load.4.as_str()), ("Raised", "build_ahead"));
    // Its value is the line's heaviest month in the batch plan of the company as it stood at the
    // end of that month.
    let heaviest = |d: &Dataset, day: NaiveDate| -> Result<Option<Decimal>, OmoError> {
        let plan = company_plan(d, &ChannelSettings::new(day), &SupplySettings::default())?;
        let loads = plan.supply.map(|s| s.loads).unwrap_or_default();
        Ok(loads.iter().filter(|l| l.line.as_str() == load.1).filter_map(|l| l.load()).max())
    };
    let month_end = |m: NaiveDate| m.checked_add_months(chrono::Months::new(1)).map(|d| d - Days::new(1));
    let end = month_end(load.5).ok_or("month")?;
    assert_eq!(load.3, heaviest(&company.until(end), end)?);
    assert!(load.3 > Some(Decimal::new(115, 2)), "red: more than 115 % of the line's hours: {load:?}");
    // The OEM supplier, late four times in ten, is chased.
    assert!(raised.iter().any(|a| a.0 == "oem_on_time" && a.1 == "SUP-OEM" && a.4 == "chase_oem"), "{raised:?}");
    let states = |e: &Engine| {
        let mut s: Vec<_> = e
            .alert_states()
            .into_iter()
            .filter(|s| omo_core::plan::plan_action(&s.kpi).is_some())
            .map(|s| (s.kpi, s.member, s.state))
            .collect();
        s.sort();
        s
    };
    assert!(states(&engine).iter().any(|s| s.0 == "capacity_load" && s.1 == load.1 && s.2 == "firing"));
    // A snapshot keeps the machines: the restored engine closes January as the original does,
    // with the value of the line's heaviest month in the plan made from January's last day, and
    // an alert already firing is not raised again.
    let json = serde_json::to_string(&engine.snapshot())?;
    let mut restored = Engine::restore(omo_core::engine::EngineSnapshot::from_json(&json)?)?;
    assert_eq!(states(&restored), states(&engine));
    let january = date(2026, 1, 31)?;
    let (original, again) = (engine.advance_to(january)?, restored.advance_to(january)?);
    assert_eq!(plan_alerts(&original), plan_alerts(&again));
    assert!(!plan_alerts(&original).iter().any(|a| a.0 == load.0 && a.1 == load.1 && a.2 == "Raised"));
    // January's value decides the state: still over the line's hours, firing; back within them,
    // recovering (kept one month).
    let now = heaviest(&engine.to_dataset(), january)?;
    let expected = if now > Some(Decimal::ONE) { "firing" } else { "recovering" };
    let status = engine.alert_states().into_iter().find(|s| s.kpi == "capacity_load" && s.member == load.1);
    assert_eq!(status.map(|s| s.state), Some(expected));
    Ok(())
}

#[test]
fn purchase_and_production_orders_move_the_material_stock_and_bad_ones_are_refused() -> Res {
    let mut engine = engine();
    let stock = |e: &Engine, m: &str| -> Decimal {
        let d = e.to_dataset();
        d.supply.material_stock.iter().filter(|s| s.material.as_str() == m).map(|s| s.quantity).sum()
    };
    let d = engine.to_dataset();
    let plant = d.supply.production_lines[0].node.clone();
    let supplier = d.supply.suppliers.iter().find(|s| s.kind == SupplierKind::Material).ok_or("supplier")?.id.clone();
    let urea = stock(&engine, "UREA");
    let day1 = day(&engine, 1);
    let json = |event: &str, supplier: &str, received: &str| {
        format!(
            r#"{{"type": "purchase_order", "id": "{event}", "record": {{"id": "PO-LIVE", "supplier": "{supplier}",
              "order_date": "{day1}", "deliver_to": "{plant}", "lines": [{{"item": {{"material": "UREA"}}, "quantity": "30",
              "price": "2", "promised_date": "{day1}" {received}}}]}}}}"#
        )
    };
    // Placed: nothing received yet. Then 30 received, 4 rejected: 26 more urea at the plant.
    engine.apply(Event::from_json(&json("E1", supplier.as_str(), ""))?)?;
    assert_eq!(stock(&engine, "UREA"), urea);
    let received = format!(r#", "received_date": "{day1}", "received_quantity": "30", "rejected_quantity": "4""#);
    engine.apply(Event::from_json(&json("E2", supplier.as_str(), &received))?)?;
    assert_eq!(stock(&engine, "UREA"), urea + Decimal::from(26));
    assert_eq!(engine.to_dataset().supply.purchase_orders.iter().filter(|o| o.id.as_str() == "PO-LIVE").count(), 1);
    // An unknown supplier: refused, naming the field, nothing changed.
    let before = state(&engine);
    let err = engine.apply(Event::from_json(&json("E3", "NOBODY", ""))?).unwrap_err();
    assert!(err.to_string().contains(r#"supplier: unknown supplier "NOBODY""#), "{err}");
    assert!(matches!(&err, OmoError::Refused { field: Some(f), .. } if f == "record.supplier"), "{err:?}");
    assert_eq!(state(&engine), before);
    Ok(())
}

/// Day totals are kept for distributors' nodes only; a distributor moved to another node reads
/// that node's history from then on, as the batch catalogue does.
#[test]
fn a_distributor_moved_to_another_node_reads_that_node_s_history() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(40);
    let history = company.until(cut);
    let owned: std::collections::HashSet<&NodeId> = history.customers.iter().filter_map(|c| c.node.as_ref()).collect();
    let recent = cut - Days::new(60);
    let node = history
        .movements
        .iter()
        .rev()
        .find(|m| !owned.contains(&m.node) && m.kind == MovementKind::Sale && m.date > recent)
        .map(|m| m.node.clone())
        .ok_or("no node of the company's own with recent sales")?;
    let distributor = history
        .customers
        .iter()
        .find(|c| c.kind == CustomerKind::Distributor && c.node.is_some())
        .ok_or("no distributor with a node")?;
    let moved = Customer { node: Some(node.clone()), ..distributor.clone() };
    let mut engine = Engine::new(history.clone(), EngineOptions::default())?;
    let before = engine.kpi_value(distributor.id.as_str(), "days_of_cover");
    engine.apply(event("move-distributor", EventBody::Customer(Box::new(moved))))?;
    for event in omo_core::engine::events_of(&company, cut)?.into_iter().take(500) {
        engine.apply(event)?;
    }
    let d = engine.to_dataset();
    let batch = batch_kpis(&d);
    let mut compared = 0;
    for ((member, kpi), input) in &batch {
        let live = engine.kpi_value(member, kpi);
        assert!(same_value(kpi, live, input.value), "{member} {kpi}: live {live:?}, batch {:?}", input.value);
        compared += 1;
    }
    let cover = (distributor.id.to_string(), "days_of_cover".to_owned());
    let after = batch.get(&cover).and_then(|i| i.value);
    assert!(compared > 20 && after.is_some() && after != before, "{compared} {before:?} {after:?}");
    Ok(())
}

/// An alert's lines to reorder and credit left, as the batch computes them on the records the
/// engine held when the month closed: the suggested orders at the distributor's node with
/// something to order (largest value first), and its credit position's available credit.
fn expected_action(held: &Dataset, member: &str, code: &str) -> Result<(Vec<Reorder>, Option<Decimal>), OmoError> {
    let customer = CustomerId::new(member)?;
    let reorders = match held.customer(&customer).and_then(|c| c.node.clone()) {
        Some(node) if code == "reorder" => {
            let valid = omo_core::ValidDataset::new(held.clone())?;
            let settings = omo_core::engine::reorder_settings(held.as_of);
            let orders = omo_core::views::Views::new(&valid).suggested_orders(Some(&node), Some(settings))?;
            orders
                .rows
                .into_iter()
                .filter(|r| r.order.quantity > Decimal::ZERO)
                .map(|r| Reorder { node: r.order.node, product: r.order.product, quantity: r.order.quantity })
                .collect()
        }
        _ => Vec::new(),
    };
    let hold_above = (code == "chase_invoices")
        .then(|| {
            let book = CreditBook::from_dataset(held, held.as_of, CreditPolicy::default()).ok()?;
            book.credit_position(&customer, held.as_of).ok().map(|c| c.available.max(Decimal::ZERO))
        })
        .flatten();
    Ok((reorders, hold_above))
}

#[test]
fn an_alert_to_reorder_names_the_lines_and_one_to_chase_the_credit_left_above_which_to_hold() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(200);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let (mut reorders_named, mut holds_named) = (0, 0);
    for event in omo_core::engine::events_of(&company, cut)? {
        // Each month closed by time passing to its last day, on the records held then.
        let day = event.date().ok_or("dated event")?;
        if day.month() != engine.as_of().month() {
            let last = omo_core::kpi::first_of_month(day) - Days::new(1);
            let held = engine.to_dataset();
            for change in engine.advance_to(last)? {
                let ChangeKind::Alert { member, kind, action_code, hold_above, reorders, .. } = &change.what else {
                    continue;
                };
                if *kind == omo_core::kpi::AlertEventKind::Resolved {
                    assert!(reorders.is_empty() && hold_above.is_none(), "{member} {action_code}: resolved");
                    continue;
                }
                let (lines, left) = expected_action(&held, member, action_code)?;
                assert_eq!((reorders, hold_above), (&lines, &left), "{member} {action_code}");
                let words = change.action();
                // Every line's quantity and product in the words, its node after them.
                for line in reorders {
                    let named = format!("{} of {}", line.quantity.normalize(), line.product);
                    let at = words.find(&named).ok_or_else(|| format!("{named} not in {words}"))?;
                    assert!(words[at..].contains(&format!(" at {}", line.node)), "{words}");
                    reorders_named += 1;
                }
                if let Some(left) = hold_above.filter(|l| *l > Decimal::ZERO) {
                    assert!(words.contains(&format!("hold its orders above {:.2}", left.round_dp(2))), "{words}");
                    holds_named += 1;
                }
            }
        }
        engine.apply(event)?;
    }
    assert!(reorders_named > 0 && holds_named > 0, "reorder lines {reorders_named}, holds {holds_named}");
    Ok(())
}

#[test]
fn a_region_s_light_change_names_the_distributors_red_below_it() -> Res {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    let tree = omo_core::kpi::distributor_hierarchy(&company)?;
    let mut named = 0;
    for event in omo_core::engine::events_of(&company, cut)? {
        let changes = engine.apply(event)?;
        let lights = engine.lights();
        for change in changes {
            let ChangeKind::Light { kpi, member, value, red_below, .. } = &change.what else { continue };
            // The red distributors under the member, read from each one's own light now.
            let expected: Vec<String> = if tree.is_leaf(member) {
                Vec::new()
            } else {
                let red =
                    |d: &&String| lights.iter().any(|(m, k, l)| m == *d && k == kpi && *l == omo_core::kpi::Light::Red);
                tree.leaves_under(member).into_iter().filter(red).cloned().collect()
            };
            assert_eq!(red_below, &expected, "{member} {kpi} on {}", change.date);
            if value.is_none() && !red_below.is_empty() {
                assert!(change.action().ends_with(&format!("(red below: {})", red_below.join(", "))));
                named += 1;
            }
        }
    }
    assert!(named > 0);
    Ok(())
}
