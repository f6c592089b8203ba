//! Recording transactions taken offline into a snapshot: what changes, by how much, and that a
//! refused record changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Days;
use omo_core::credit::{CreditPolicy, ExposureKind};
use omo_core::model::*;
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::{OmoError, Snapshot};
use rust_decimal::Decimal;

fn snapshot() -> Snapshot {
    Snapshot::new(sample_company(&SampleConfig::small(11)).unwrap(), CreditPolicy::default()).unwrap()
}

fn customer_with_account(s: &Snapshot) -> CustomerId {
    s.book().customers()[0].clone()
}

#[test]
fn an_order_taken_offline_raises_open_orders_by_its_net_amount() {
    let mut s = snapshot();
    let customer = customer_with_account(&s);
    let before = s.credit_position(&customer).unwrap();
    let day = s.dataset().as_of + Days::new(1);
    // 3 bags at 150.00 less 10 % and 2 at 99.50: 405.00 + 199.00 = 604.00 by hand.
    let lines = vec![
        SalesLine::new(s.dataset().products[0].id.clone(), Decimal::from(3), Decimal::new(15000, 2))
            .with_discount(Decimal::new(10, 2)),
        SalesLine::new(s.dataset().products[1].id.clone(), Decimal::from(2), Decimal::new(9950, 2)),
    ];
    let node = s.dataset().nodes[0].id.clone();
    let order = SalesOrder::new(OrderId::new("APP-0001").unwrap(), customer.clone(), day, node, lines).unwrap();
    s.record_order(order.clone()).unwrap();
    let after = s.credit_position(&customer).unwrap();
    assert_eq!(s.dataset().as_of, day);
    assert_eq!(
        after.breakdown.get(ExposureKind::OpenOrders) - before.breakdown.get(ExposureKind::OpenOrders),
        Decimal::new(60400, 2)
    );
    // The same order again is refused, and the snapshot keeps one copy.
    let err = s.record_order(order).unwrap_err();
    assert!(err.to_string().contains("APP-0001"), "{err}");
    assert_eq!(s.dataset().orders.iter().filter(|o| o.id.as_str() == "APP-0001").count(), 1);
}

#[test]
fn a_payment_lowers_receivables_and_a_foreign_currency_payment_changes_nothing() {
    let mut s = snapshot();
    let customer = s
        .book()
        .customers()
        .into_iter()
        .find(|c| s.book().receivables().receivable(c) > Decimal::from(1000))
        .cloned()
        .unwrap();
    let open = s.book().receivables().receivable(&customer);
    let day = s.dataset().as_of + Days::new(2);
    let currency = s.dataset().currency.clone();
    let pay = Payment::new(PaymentId::new("APP-PAY-1").unwrap(), customer.clone(), day, Decimal::from(1000), currency)
        .unwrap();
    s.record_payment(pay).unwrap();
    assert_eq!(s.book().receivables().receivable(&customer), open - Decimal::from(1000));
    assert_eq!(s.dataset().as_of, day);

    let before = s.dataset().clone();
    let usd = Currency::new("USD").unwrap();
    let foreign = Payment::new(PaymentId::new("APP-PAY-2").unwrap(), customer.clone(), day, Decimal::ONE, usd).unwrap();
    assert!(matches!(s.record_payment(foreign), Err(OmoError::CurrencyMismatch { .. })));
    assert_eq!(s.dataset(), &before);
    assert_eq!(s.book().receivables().receivable(&customer), open - Decimal::from(1000));
}

#[test]
fn a_sale_of_more_than_is_on_hand_is_refused_and_names_the_pair() {
    let mut s = snapshot();
    let m = s.dataset().movements.iter().find(|m| m.kind == MovementKind::Receipt).unwrap().clone();
    let on_hand: Decimal = s
        .dataset()
        .movements
        .iter()
        .filter(|x| x.node == m.node && x.product == m.product)
        .map(|x| x.stock_change())
        .sum();
    let day = s.dataset().as_of + Days::new(1);
    let too_much =
        StockMovement::new(m.node.clone(), m.product.clone(), day, MovementKind::Sale, on_hand + Decimal::ONE).unwrap();
    let before = s.dataset().clone();
    let err = s.record_movement(too_much).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(m.node.as_str()) && text.contains(m.product.as_str()), "{text}");
    assert_eq!(s.dataset(), &before);
    // Selling exactly what is on hand is fine.
    let all = StockMovement::new(m.node.clone(), m.product.clone(), day, MovementKind::Sale, on_hand).unwrap();
    s.record_movement(all).unwrap();
    assert_eq!(s.dataset().movements.len(), before.movements.len() + 1);
}

#[test]
fn a_record_naming_an_unknown_customer_is_refused() {
    let mut s = snapshot();
    let day = s.dataset().as_of;
    let line = SalesLine::new(s.dataset().products[0].id.clone(), Decimal::ONE, Decimal::ONE);
    let node = s.dataset().nodes[0].id.clone();
    let order =
        SalesOrder::new(OrderId::new("APP-X").unwrap(), CustomerId::new("NOBODY").unwrap(), day, node, vec![line])
            .unwrap();
    let err = s.record_order(order).unwrap_err();
    assert!(err.to_string().contains("NOBODY"), "{err}");
}
