//! Dataset validation reports every broken reference at once, and JSON round-trips losslessly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use omo_core::model::*;
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

/// A small sound dataset: one region, one BU, one category, one product, one node, one customer.
fn sound() -> Dataset {
    let mut d = Dataset::new("Test Co", Currency::new("CNY").unwrap(), day(6, 30));
    d.regions.push(Region::new(RegionId::new("CN").unwrap(), "China", None).unwrap());
    d.business_units.push(BusinessUnit::new(BusinessUnitId::new("BU").unwrap(), "All", None).unwrap());
    d.categories.push(ProductCategory::new(CategoryId::new("ALL").unwrap(), "All", None).unwrap());
    d.products.push(
        Product::new(
            ProductId::new("P1").unwrap(),
            "Urea",
            CategoryId::new("ALL").unwrap(),
            "bag",
            Decimal::from(90),
            Decimal::from(120),
        )
        .unwrap(),
    );
    d.nodes.push(Node::new(NodeId::new("W1").unwrap(), "Warehouse", NodeKind::Warehouse, None).unwrap());
    d.customers.push(
        Customer::new(
            CustomerId::new("C1").unwrap(),
            "Distributor",
            CustomerKind::Distributor,
            RegionId::new("CN").unwrap(),
            BusinessUnitId::new("BU").unwrap(),
        )
        .unwrap(),
    );
    d
}

fn issue_keys(d: &Dataset) -> Vec<(String, String, String)> {
    d.validate().issues.into_iter().map(|i| (i.entity, i.id, i.field)).collect()
}

#[test]
fn a_sound_dataset_has_no_issues() {
    assert!(sound().validate().is_ok());
}

#[test]
fn every_broken_reference_is_reported_not_only_the_first() {
    let mut d = sound();
    // 1. a duplicate product id
    d.products.push(d.products[0].clone());
    // 2. a customer in an unknown region, 3. with an unknown parent
    let mut c2 = d.customers[0].clone();
    c2.id = CustomerId::new("C2").unwrap();
    c2.region = RegionId::new("MARS").unwrap();
    c2.parent = Some(CustomerId::new("GHOST").unwrap());
    d.customers.push(c2);
    // 4. an order for an unknown customer, 5. of an unknown product
    d.orders.push(
        SalesOrder::new(
            OrderId::new("SO-1").unwrap(),
            CustomerId::new("NOBODY").unwrap(),
            day(6, 1),
            NodeId::new("W1").unwrap(),
            vec![SalesLine::new(ProductId::new("P9").unwrap(), Decimal::ONE, Decimal::ONE)],
        )
        .unwrap(),
    );
    // 6. a movement at an unknown node, 7. dated after as_of
    let mut movement = StockMovement::new(
        NodeId::new("W1").unwrap(),
        ProductId::new("P1").unwrap(),
        day(6, 2),
        MovementKind::Receipt,
        Decimal::TEN,
    )
    .unwrap();
    movement.node = NodeId::new("W9").unwrap();
    movement.date = day(7, 1);
    d.movements.push(movement);
    // 8. a sale with a negative quantity (bypassing the constructor, as JSON can)
    let mut bad = StockMovement::new(
        NodeId::new("W1").unwrap(),
        ProductId::new("P1").unwrap(),
        day(6, 3),
        MovementKind::Sale,
        Decimal::ONE,
    )
    .unwrap();
    bad.quantity = Decimal::from(-5);
    d.movements.push(bad);
    // 9. a region cycle
    d.regions.push(Region::new(RegionId::new("A").unwrap(), "A", Some(RegionId::new("B").unwrap())).unwrap());
    d.regions.push(Region::new(RegionId::new("B").unwrap(), "B", Some(RegionId::new("A").unwrap())).unwrap());
    // 10. a payment allocated to an invoice of another customer
    d.customers.push({
        let mut c3 = d.customers[0].clone();
        c3.id = CustomerId::new("C3").unwrap();
        c3
    });
    d.invoices.push(
        Invoice::new(
            InvoiceId::new("INV-1").unwrap(),
            CustomerId::new("C3").unwrap(),
            day(5, 1),
            day(5, 31),
            Currency::new("CNY").unwrap(),
            vec![SalesLine::new(ProductId::new("P1").unwrap(), Decimal::ONE, Decimal::TEN)],
        )
        .unwrap(),
    );
    let mut payment = Payment::new(
        PaymentId::new("PAY-1").unwrap(),
        CustomerId::new("C1").unwrap(),
        day(6, 1),
        Decimal::TEN,
        Currency::new("CNY").unwrap(),
    )
    .unwrap();
    payment.allocations.push(PaymentAllocation { invoice: InvoiceId::new("INV-1").unwrap(), amount: Decimal::TEN });
    d.payments.push(payment);

    let keys = issue_keys(&d);
    let expected: Vec<(String, String, String)> = [
        ("product", "P1", "id"),
        ("customer", "C2", "region"),
        ("customer", "C2", "parent"),
        ("stock_movement", "#0", "node"),
        ("stock_movement", "#0", "as_of"),
        ("stock_movement", "#1", "quantity"),
        ("sales_order", "SO-1", "customer"),
        ("sales_order", "SO-1", "lines[0].product"),
        ("payment", "PAY-1", "allocations[0].invoice"),
        ("region", "A", "parent"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(keys, expected);

    let report = d.validate();
    let messages: Vec<String> = report.issues.iter().map(ToString::to_string).collect();
    assert!(messages.contains(&"customer C2: region: unknown region \"MARS\"".to_owned()), "{messages:#?}");
    assert!(messages.contains(&"region A: parent: cycle A -> B -> A".to_owned()), "{messages:#?}");
    assert!(
        messages.contains(
            &"payment PAY-1: allocations[0].invoice: invoice INV-1 belongs to customer C3, not C1".to_owned()
        )
    );
    assert!(
        messages.contains(&"stock_movement #0: as_of: 2025-06-30 is before date 2025-07-01".to_owned()),
        "{messages:#?}"
    );

    // The error form carries the same issues.
    let OmoError::Invalid { issues } = report.into_result().unwrap_err() else { panic!() };
    assert_eq!(issues.len(), expected.len());
}

#[test]
fn malformed_json_names_line_and_column_and_never_panics() {
    let err = Dataset::from_json("{\"company\": 3}").unwrap_err();
    assert!(matches!(err, OmoError::Json(ref m) if m.contains("line 1 column")), "{err}");
    let bad_id = sound().to_json().unwrap().replacen("\"P1\"", "\"\"", 1);
    let err = Dataset::from_json(&bad_id).unwrap_err().to_string();
    assert!(err.contains("invalid product id"), "{err}");
    for junk in ["", "null", "[]", "{}", "{\"as_of\": \"2025-02-30\"}", "\u{0}"] {
        assert!(Dataset::from_json(junk).is_err(), "{junk:?}");
    }
}

#[test]
fn the_full_sample_dataset_round_trips_through_json_without_loss() {
    let company = sample_company(&SampleConfig::default()).unwrap();
    let json = company.to_json().unwrap();
    let back = Dataset::from_json_validated(&json).unwrap();
    assert_eq!(back, company);
    // Decimals keep their scale (12.50 stays "12.50"), so the text is identical too.
    assert_eq!(back.to_json().unwrap(), json);
}
