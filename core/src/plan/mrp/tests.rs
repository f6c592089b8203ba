//! Tests of the MRP record: netting with safety stock, scheduled receipts and past-due releases, the
//! lot-sizing rules and their modifiers, rules by name, bad input and serialization.

use super::*;

fn d(values: &[i64]) -> Vec<Decimal> {
    values.iter().map(|&v| Decimal::from(v)).collect()
}

fn input(gross: &[i64], on_hand: i64, lead_time: usize, lot_sizing: LotSizing) -> MrpInput {
    MrpInput {
        gross_requirements: d(gross),
        scheduled_receipts: None,
        on_hand: Decimal::from(on_hand),
        safety_stock: Decimal::ZERO,
        lead_time,
        lot_sizing,
        modifiers: OrderModifiers::default(),
    }
}

#[test]
fn modifiers_raise_to_the_minimum_then_round_to_the_multiple() -> Result<()> {
    // GR 7 0 25, lot for lot, minimum 10, multiple 4: t1 net 7 -> 10 -> 12 (POH 5);
    // t3 net 25 - 5 = 20 -> 20 (already >= 10 and a multiple of 4), POH 0.
    let mut i = input(&[7, 0, 25], 0, 1, LotSizing::LotForLot);
    i.modifiers = OrderModifiers { minimum: Decimal::from(10), multiple: Decimal::from(4) };
    assert_record(&mrp_record(&i)?, &[5, 5, 0], &[7, 0, 20], &[12, 0, 20], &[0, 20, 0], 12);
    i.modifiers.multiple = Decimal::from(-1);
    assert!(matches!(mrp_record(&i), Err(OmoError::InvalidArgument { name: "multiple", .. })));
    Ok(())
}

fn column(record: &MrpRecord, pick: fn(&MrpRow) -> Decimal) -> Vec<Decimal> {
    record.rows.iter().map(pick).collect()
}

/// Checks every computed column of a record against the hand-worked numbers.
fn assert_record(record: &MrpRecord, poh: &[i64], net: &[i64], receipts: &[i64], releases: &[i64], past_due: i64) {
    assert_eq!(record.rows.iter().map(|r| r.period).collect::<Vec<_>>(), (1..=poh.len()).collect::<Vec<_>>());
    assert_eq!(column(record, |r| r.projected_on_hand), d(poh), "projected on hand");
    assert_eq!(column(record, |r| r.net_requirements), d(net), "net requirements");
    assert_eq!(column(record, |r| r.planned_order_receipts), d(receipts), "planned order receipts");
    assert_eq!(column(record, |r| r.planned_order_releases), d(releases), "planned order releases");
    assert_eq!(record.past_due, Decimal::from(past_due), "past due");
}

#[test]
fn lot_for_lot_with_safety_stock_scheduled_receipt_and_past_due_releases() -> Result<()> {
    // GR 20 30 40 10 50 30, SR 25 in period 2, on hand 25, safety stock 10, lead time 2.
    // t1: net = 20+10-25-0 = 5 -> receive 5, POH = 25+0+5-20 = 10
    // t2: net = 30+10-10-25 = 5 -> receive 5, POH = 10+25+5-30 = 10
    // t3: net = 40+10-10 = 40, POH 10; t4: net 10, POH 10; t5: net 50; t6: net 30 (POH 10).
    // Releases two periods earlier: t1 and t2 fall before period 1 (past due 5 + 5 = 10),
    // t3..t6 go to periods 1..4.
    let mut i = input(&[20, 30, 40, 10, 50, 30], 25, 2, LotSizing::LotForLot);
    i.scheduled_receipts = Some(d(&[0, 25, 0, 0, 0, 0]));
    i.safety_stock = Decimal::from(10);
    let record = mrp_record(&i)?;
    assert_eq!(column(&record, |r| r.gross_requirements), d(&[20, 30, 40, 10, 50, 30]));
    assert_eq!(column(&record, |r| r.scheduled_receipts), d(&[0, 25, 0, 0, 0, 0]));
    assert_record(
        &record,
        &[10, 10, 10, 10, 10, 10],
        &[5, 5, 40, 10, 50, 30],
        &[5, 5, 40, 10, 50, 30],
        &[40, 10, 50, 30, 0, 0],
        10,
    );
    Ok(())
}

#[test]
fn on_hand_below_safety_stock_is_made_up_in_period_one() -> Result<()> {
    // GR 0 0, on hand 3, safety stock 8: t1 net = 0+8-3 = 5 -> POH 8; t2 net 0, POH 8.
    let mut i = input(&[0, 0], 3, 0, LotSizing::LotForLot);
    i.safety_stock = Decimal::from(8);
    assert_record(&mrp_record(&i)?, &[8, 8], &[5, 0], &[5, 0], &[5, 0], 0);
    Ok(())
}

#[test]
fn fixed_order_quantity() -> Result<()> {
    // GR 20 30 40 10 100 30, SR 50 in period 3, on hand 40, lot 50, lead time 1.
    // t1: net max(0, 20-40) = 0, POH 20
    // t2: net 30-20 = 10 -> one lot 50, POH 20+50-30 = 40
    // t3: net 40-40-50 < 0 -> 0, POH 40+50-40 = 50
    // t4: net 10-50 < 0 -> 0, POH 40
    // t5: net 100-40 = 60 -> two lots 100, POH 40+100-100 = 40
    // t6: net 30-40 < 0 -> 0, POH 10
    let mut i = input(&[20, 30, 40, 10, 100, 30], 40, 1, LotSizing::FixedOrderQuantity { lot_size: Decimal::from(50) });
    i.scheduled_receipts = Some(d(&[0, 0, 50, 0, 0, 0]));
    assert_record(
        &mrp_record(&i)?,
        &[20, 40, 50, 40, 40, 10],
        &[0, 10, 0, 0, 60, 0],
        &[0, 50, 0, 0, 100, 0],
        &[50, 0, 0, 100, 0, 0],
        0,
    );
    Ok(())
}

#[test]
fn fixed_order_quantity_with_fractional_lots() -> Result<()> {
    // GR 1.2, lot 0.5: the smallest multiple of 0.5 not below 1.2 is 1.5; POH 0.3.
    let i = MrpInput {
        gross_requirements: vec![Decimal::new(12, 1)],
        scheduled_receipts: None,
        on_hand: Decimal::ZERO,
        safety_stock: Decimal::ZERO,
        lead_time: 0,
        lot_sizing: LotSizing::FixedOrderQuantity { lot_size: Decimal::new(5, 1) },
        modifiers: OrderModifiers::default(),
    };
    let record = mrp_record(&i)?;
    assert_eq!(column(&record, |r| r.planned_order_receipts), vec![Decimal::new(15, 1)]);
    assert_eq!(column(&record, |r| r.projected_on_hand), vec![Decimal::new(3, 1)]);
    Ok(())
}

#[test]
fn periods_of_supply() -> Result<()> {
    // GR 10 40 20 0 30 50 20, SR 10 in period 3, on hand 15, safety stock 5, P = 3, lead time 1.
    // t1: net 10+5-15 = 0, POH 5
    // t2: net 40+5-5 = 40; cover t2..t4: (40-0)+(20-10)+(0-0) = 50, +5 -5 = 50 -> 50, POH 15
    // t3: net 20+5-15-10 = 0, POH 5;  t4: net 0+5-5 = 0, POH 5 (= safety stock, as planned)
    // t5: net 30+5-5 = 30; cover t5..t7: 30+50+20 = 100, +5 -5 = 100 -> 100, POH 75
    // t6: net 50+5-75 < 0, POH 25;  t7: net 20+5-25 = 0, POH 5
    let mut i = input(&[10, 40, 20, 0, 30, 50, 20], 15, 1, LotSizing::PeriodsOfSupply { periods: 3 });
    i.scheduled_receipts = Some(d(&[0, 0, 10, 0, 0, 0, 0]));
    i.safety_stock = Decimal::from(5);
    assert_record(
        &mrp_record(&i)?,
        &[5, 15, 5, 5, 75, 25, 5],
        &[0, 40, 0, 0, 30, 0, 0],
        &[0, 50, 0, 0, 100, 0, 0],
        &[50, 0, 0, 100, 0, 0, 0],
        0,
    );
    Ok(())
}

#[test]
fn periods_of_supply_window_is_cut_at_the_horizon() -> Result<()> {
    // GR 0 0 0 0 0 10 10, P = 3: the order of t6 covers t6..t7 only (period 8 does not exist):
    // 10 + 10 = 20, POH 10 then 0.
    let i = input(&[0, 0, 0, 0, 0, 10, 10], 0, 0, LotSizing::PeriodsOfSupply { periods: 3 });
    assert_record(
        &mrp_record(&i)?,
        &[0, 0, 0, 0, 0, 10, 0],
        &[0, 0, 0, 0, 0, 10, 0],
        &[0, 0, 0, 0, 0, 20, 0],
        &[0, 0, 0, 0, 0, 20, 0],
        0,
    );
    Ok(())
}

#[test]
fn periods_of_supply_never_below_the_net() -> Result<()> {
    // GR 10 0, SR 30 in period 2, P = 2: cover = (10-0)+(0-30) = -20 -> the net 10 wins.
    // t1 POH 0; t2 net 0, POH 30.
    let mut i = input(&[10, 0], 0, 0, LotSizing::PeriodsOfSupply { periods: 2 });
    i.scheduled_receipts = Some(d(&[0, 30]));
    assert_record(&mrp_record(&i)?, &[0, 30], &[10, 0], &[10, 0], &[10, 0], 0);
    Ok(())
}

#[test]
fn economic_order_quantity() -> Result<()> {
    // GR 30 0 50 20 0 40 10 50: sum 200, mean 25; ordering 100, holding 2:
    // sqrt(2 x 25 x 100 / 2) = sqrt(2500) = 50. On hand 20, lead time 2.
    // t1: net 30-20 = 10 -> 50, POH 40;  t2: 0, POH 40
    // t3: net 50-40 = 10 -> 50, POH 40;  t4: 0, POH 20;  t5: 0, POH 20
    // t6: net 40-20 = 20 -> 50, POH 30;  t7: 0, POH 20
    // t8: net 50-20 = 30 -> 50, POH 20
    // Releases 2 earlier: t1 past due (50), t3 -> 1, t6 -> 4, t8 -> 6.
    let i = input(
        &[30, 0, 50, 20, 0, 40, 10, 50],
        20,
        2,
        LotSizing::Eoq { ordering_cost: Decimal::from(100), holding_cost: Decimal::from(2) },
    );
    assert_record(
        &mrp_record(&i)?,
        &[40, 40, 40, 20, 20, 30, 20, 20],
        &[10, 0, 10, 0, 0, 20, 0, 30],
        &[50, 0, 50, 0, 0, 50, 0, 50],
        &[50, 0, 0, 50, 0, 50, 0, 0],
        50,
    );
    Ok(())
}

#[test]
fn economic_order_quantity_rounds_halves_up_and_never_below_the_net() -> Result<()> {
    let eoq_rule = |s: i64, h: i64| LotSizing::Eoq { ordering_cost: Decimal::from(s), holding_cost: Decimal::from(h) };
    // Mean 1, ordering 121, holding 8: sqrt(2 x 1 x 121 / 8) = sqrt(30.25) = 5.5 -> 6.
    assert_record(&mrp_record(&input(&[1], 0, 0, eoq_rule(121, 8)))?, &[5], &[1], &[6], &[6], 0);
    // Mean 1, ordering 15, holding 1: sqrt(30) = 5.48 -> 5.
    assert_record(&mrp_record(&input(&[1], 0, 0, eoq_rule(15, 1)))?, &[4], &[1], &[5], &[5], 0);
    // GR 2 18: mean 10, ordering 5, holding 4: sqrt(25) = 5. t1: net 2 -> 5, POH 3;
    // t2: net 18-3 = 15 > 5 -> 15, POH 0.
    assert_record(&mrp_record(&input(&[2, 18], 0, 0, eoq_rule(5, 4)))?, &[3, 0], &[2, 15], &[5, 15], &[5, 15], 0);
    Ok(())
}

#[test]
fn eoq_rounding_is_exact_at_large_halves() -> Result<()> {
    // sqrt of (k + 0.5)^2 for a large k is exactly k + 0.5: rounds up to k + 1.
    let k = Decimal::from(123_456_789_i64);
    let half = Decimal::new(5, 1);
    let square = (k + half) * (k + half);
    // One period of `square / 2` with ordering 1 and holding 1: 2 x mean x 1 / 1 = square.
    let gross = square / Decimal::TWO;
    assert_eq!(eoq(&[gross], Decimal::ONE, Decimal::ONE)?, k + Decimal::ONE);
    // A hair below the half rounds down.
    let below = gross - Decimal::new(1, 6);
    assert_eq!(eoq(&[below], Decimal::ONE, Decimal::ONE)?, k);
    Ok(())
}

#[test]
fn rules_by_name() -> Result<()> {
    let fifty = Some(Decimal::from(50));
    assert_eq!(LotSizing::from_name("lot_for_lot", None, None, None, None)?, LotSizing::LotForLot);
    assert_eq!(LotSizing::from_name("periods_of_supply", None, Some(2), None, None)?.name(), "periods_of_supply");
    assert_eq!(
        LotSizing::from_name("eoq", fifty, None, Some(Decimal::ONE), Some(Decimal::TWO))?,
        LotSizing::Eoq { ordering_cost: Decimal::ONE, holding_cost: Decimal::TWO }
    );
    for name in LotSizing::NAMES {
        let rule = LotSizing::from_name(name, fifty, Some(1), fifty, fifty)?;
        assert_eq!(rule.name(), name);
    }
    let named = |r: Result<LotSizing>| match r {
        Err(OmoError::InvalidArgument { name, .. }) => name,
        other => panic!("expected an invalid argument, got {other:?}"),
    };
    assert_eq!(named(LotSizing::from_name("silver_meal", None, None, None, None)), "lot_sizing");
    assert_eq!(named(LotSizing::from_name("fixed_order_quantity", None, None, None, None)), "lot_size");
    assert_eq!(named(LotSizing::from_name("periods_of_supply", None, None, None, None)), "periods_of_supply");
    assert_eq!(named(LotSizing::from_name("eoq", None, None, None, Some(Decimal::ONE))), "ordering_cost");
    assert_eq!(named(LotSizing::from_name("eoq", None, None, Some(Decimal::ONE), None)), "holding_cost");
    Ok(())
}

#[test]
fn bad_input_names_the_argument() {
    let ok = || input(&[10, 20, 30], 0, 1, LotSizing::LotForLot);
    let named = |i: MrpInput| match mrp_record(&i) {
        Err(OmoError::InvalidArgument { name, .. }) => name,
        other => panic!("expected an invalid argument, got {other:?}"),
    };
    assert_eq!(named(MrpInput { gross_requirements: vec![], lead_time: 0, ..ok() }), "gross_requirements");
    assert_eq!(named(MrpInput { gross_requirements: d(&[1, -2, 3]), ..ok() }), "gross_requirements");
    assert_eq!(named(MrpInput { scheduled_receipts: Some(d(&[1, 2])), ..ok() }), "scheduled_receipts");
    assert_eq!(named(MrpInput { scheduled_receipts: Some(d(&[0, 0, -1])), ..ok() }), "scheduled_receipts");
    assert_eq!(named(MrpInput { scheduled_receipts: Some(vec![]), ..ok() }), "scheduled_receipts");
    assert_eq!(named(MrpInput { on_hand: Decimal::from(-1), ..ok() }), "on_hand");
    assert_eq!(named(MrpInput { safety_stock: Decimal::from(-1), ..ok() }), "safety_stock");
    assert_eq!(named(MrpInput { lead_time: 3, ..ok() }), "lead_time");
    assert_eq!(named(MrpInput { lead_time: 7, ..ok() }), "lead_time");
    let fixed = |lot_size| LotSizing::FixedOrderQuantity { lot_size };
    assert_eq!(named(MrpInput { lot_sizing: fixed(Decimal::ZERO), ..ok() }), "lot_size");
    assert_eq!(named(MrpInput { lot_sizing: fixed(Decimal::from(-5)), ..ok() }), "lot_size");
    assert_eq!(named(MrpInput { lot_sizing: LotSizing::PeriodsOfSupply { periods: 0 }, ..ok() }), "periods_of_supply");
    let eoq_rule = |s, h| LotSizing::Eoq { ordering_cost: Decimal::from(s), holding_cost: Decimal::from(h) };
    assert_eq!(named(MrpInput { lot_sizing: eoq_rule(0, 1), ..ok() }), "ordering_cost");
    assert_eq!(named(MrpInput { lot_sizing: eoq_rule(1, -1), ..ok() }), "holding_cost");
    // Stock that overflows a Decimal is refused, not wrapped.
    assert_eq!(
        named(MrpInput { scheduled_receipts: Some(vec![Decimal::MAX, Decimal::MAX, Decimal::ZERO]), ..ok() }),
        "gross_requirements"
    );
    // The message names the period of a negative quantity.
    let err = mrp_record(&MrpInput { gross_requirements: d(&[1, -2, 3]), ..ok() });
    assert!(matches!(err, Err(e) if e.to_string().contains("period 2")));
}

#[test]
fn a_zero_lead_time_releases_in_the_period_of_receipt_and_zero_demand_orders_nothing() -> Result<()> {
    let record = mrp_record(&input(&[0, 0, 0], 0, 0, LotSizing::LotForLot))?;
    assert_record(&record, &[0, 0, 0], &[0, 0, 0], &[0, 0, 0], &[0, 0, 0], 0);
    let eoq_rule = LotSizing::Eoq { ordering_cost: Decimal::ONE, holding_cost: Decimal::ONE };
    assert_record(&mrp_record(&input(&[0, 0], 0, 0, eoq_rule))?, &[0, 0], &[0, 0], &[0, 0], &[0, 0], 0);
    Ok(())
}

#[test]
fn records_serialize() -> Result<()> {
    let rule = LotSizing::PeriodsOfSupply { periods: 2 };
    let json = serde_json::to_string(&rule).map_err(|e| OmoError::Json(e.to_string()))?;
    assert_eq!(json, r#"{"rule":"periods_of_supply","periods":2}"#);
    let back: LotSizing = serde_json::from_str(&json).map_err(|e| OmoError::Json(e.to_string()))?;
    assert_eq!(back, rule);
    Ok(())
}
