//! Planning: the channel plan (DRP) worked by hand on a small chain.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use omo_core::forecast::Method;
use omo_core::model::NodeId;
use omo_core::model::NodeKind;
use omo_core::plan::{
    ChannelPlan, ChannelSettings, DemandModel, Horizon, channel_plan, channel_plan_of, independent_demand,
};
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::HashSet;

type Result<T> = std::result::Result<T, OmoError>;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn decs(values: &[&str]) -> Vec<Decimal> {
    values.iter().map(|v| dec(v)).collect()
}

fn day(text: &str) -> chrono::NaiveDate {
    text.parse().unwrap()
}

/// A maker with a plant and an OEM supplier holding 7 consigned bags; distributor `DN` with 40
/// bags; shop `RA` with 15 bags that sold 10 a month, shop `RB` with none that sold 18, 22, 20.
/// One product sold in packs of 10, at least 20 an order.
fn chain() -> serde_json::Value {
    let node = |id: &str, kind: &str, parent: Option<&str>| json!({"id": id, "name": id, "kind": kind, "parent": parent, "region": null, "customer": null});
    let mv = |node: &str, date: &str, kind: &str, q: u32| json!({"node": node, "product": "P", "date": date, "kind": kind, "quantity": q.to_string(), "counterparty": null, "reference": null});
    let pos = |node: &str, date: &str, q: u32| json!({"node": node, "product": "P", "date": date, "quantity": q.to_string(), "revenue": "0", "customer": null});
    json!({
        "company": "Test", "currency": "CNY", "as_of": "2026-03-31",
        "categories": [{"id": "C", "name": "C", "parent": null}],
        "products": [{"id": "P", "name": "P", "category": "C", "brand": "B", "unit": "bag", "pack_size": "10",
                      "minimum_order": "20", "standard_cost": "100", "list_price": "150", "status": "active"}],
        "nodes": [node("MAKER", "manufacturer", None), node("PLANT", "plant", Some("MAKER")),
                  node("OEM", "oem_supplier", Some("MAKER")), node("DN", "distributor", Some("MAKER")),
                  node("RA", "retailer", Some("DN")), node("RB", "retailer", Some("DN"))],
        "movements": [mv("OEM", "2026-01-02", "receipt", 7), mv("DN", "2026-01-02", "receipt", 40),
                      mv("RA", "2026-01-02", "receipt", 45), mv("RA", "2026-03-31", "sale", 30)],
        "pos_sales": [pos("RA", "2026-01-10", 10), pos("RA", "2026-02-10", 10), pos("RA", "2026-03-10", 10),
                      pos("RB", "2026-01-10", 18), pos("RB", "2026-02-10", 22), pos("RB", "2026-03-10", 20)],
    })
}

fn settings() -> ChannelSettings {
    let mut s = ChannelSettings::new(day("2026-03-31"));
    s.horizon = 4;
    s.method = Method::Naive;
    s.season_length = 1;
    s
}

fn plan_of(data: serde_json::Value, settings: &ChannelSettings) -> Result<ChannelPlan> {
    let dataset = Dataset::from_json_validated(&data.to_string())?;
    channel_plan(&dataset, settings)
}

fn column(plan: &ChannelPlan, node: &str, pick: fn(&omo_core::plan::ChannelRow) -> Decimal) -> Vec<Decimal> {
    let record = plan.get(&node.parse().unwrap(), &"P".parse().unwrap()).expect("planned");
    record.rows.iter().map(|r| pick(&r)).collect()
}

#[test]
fn the_channel_plan_worked_by_hand() -> Result<()> {
    let plan = plan_of(chain(), &settings())?;
    assert_eq!(plan.periods, [day("2026-04-01"), day("2026-05-01"), day("2026-06-01"), day("2026-07-01")]);
    // Every lead time is under half a month: 0 periods; each order covers one month.
    //
    // RA: naive forecast 10, no error (sd 0), no safety stock. 15 on hand: April leaves 5, May
    // needs 5 more, then 10 a month.
    assert_eq!(column(&plan, "RA", |r| r.forecast), decs(&["10", "10", "10", "10"]));
    assert_eq!(column(&plan, "RA", |r| r.planned_releases), decs(&["0", "5", "10", "10"]));
    assert_eq!(column(&plan, "RA", |r| r.closing), decs(&["5", "0", "0", "0"]));
    // RB: forecast 20; naive residuals 22 - 18 = 4 and 20 - 22 = -2: sd sqrt(10) = 3.1623;
    // safety stock 1.6449 x 3.1623 x sqrt(0 + 1) = 5.20. April needs 20 + 5.20.
    let rb = plan.get(&"RB".parse().unwrap(), &"P".parse().unwrap()).unwrap();
    assert_eq!(rb.safety_stock, dec("5.20"));
    assert_eq!(column(&plan, "RB", |r| r.planned_releases), decs(&["25.20", "20", "20", "20"]));
    assert_eq!(column(&plan, "RB", |r| r.closing), decs(&["5.20", "5.20", "5.20", "5.20"]));
    // DN: no demand of its own (its sales go to the shops it supplies); dependent demand is the
    // shops' releases, 25.20 25 30 30. Pooled sd sqrt(0 + 10): safety stock 5.20 again. 40 on
    // hand cover April (14.80 left); May nets 25 + 5.20 - 14.80 = 15.40, raised to the minimum
    // 20 (two packs); June and July net 30 + 5.20 - 9.80 = 25.40, rounded up to 30.
    assert_eq!(column(&plan, "DN", |r| r.dependent), decs(&["25.20", "25", "30", "30"]));
    assert_eq!(column(&plan, "DN", |r| r.forecast), decs(&["0", "0", "0", "0"]));
    assert_eq!(column(&plan, "DN", |r| r.planned_receipts), decs(&["0", "20", "30", "30"]));
    assert_eq!(column(&plan, "DN", |r| r.closing), decs(&["14.80", "9.80", "9.80", "9.80"]));
    // The plant supplies DN; its stock includes the 7 bags consigned at the OEM. Safety 5.20:
    // April 0 + 5.20 - 7 < 0, nothing; May 20 + 5.20 - 7 = 18.20; then 30 and 30.
    let plant = plan.get(&"PLANT".parse().unwrap(), &"P".parse().unwrap()).unwrap();
    assert_eq!((plant.on_hand, plant.supplied_from.clone(), plant.kind), (dec("7"), None, NodeKind::Plant));
    assert_eq!(column(&plan, "PLANT", |r| r.planned_receipts), decs(&["0", "18.20", "30", "30"]));
    assert_eq!(plan.top_requirements()[&"P".parse().unwrap()], decs(&["0", "18.20", "30", "30"]));
    assert_eq!(rb.supplied_from, Some("DN".parse().unwrap()));
    assert!(plan.nodes.iter().all(|p| p.first_stockout.is_none() && p.past_due.is_zero()));
    // Days of cover: RA's 5 bags at the end of April last half of May's 10 (31 days): 15.5.
    let ra = plan.get(&"RA".parse().unwrap(), &"P".parse().unwrap()).unwrap();
    assert_eq!(ra.rows.get(0).unwrap().days_of_cover, Some(15.5));
    assert_eq!(ra.rows.get(1).unwrap().days_of_cover, Some(0.0));
    Ok(())
}

#[test]
fn a_long_lead_time_makes_orders_past_due_and_flags_the_stockout() -> Result<()> {
    // DN's lead time of 45 days is 2 months: May's receipt of 20 should have been ordered in
    // March. Without it, May closes at 9.80 - 20 = -10.20: the first stock-out.
    let mut s = settings();
    s.policies.iter_mut().find(|p| p.kind == NodeKind::Distributor).unwrap().lead_time_days = 45;
    let plan = plan_of(chain(), &s)?;
    let dn = plan.get(&"DN".parse().unwrap(), &"P".parse().unwrap()).unwrap();
    assert_eq!(dn.lead_time, 2);
    assert_eq!(dn.past_due, dec("20"));
    assert_eq!(dn.first_stockout, Some(day("2026-05-01")));
    assert_eq!(column(&plan, "DN", |r| r.planned_releases), decs(&["30", "30", "0", "0"]));
    // The plant must supply the late 20 at once, then June's and July's orders of DN.
    assert_eq!(column(&plan, "PLANT", |r| r.dependent), decs(&["50", "30", "0", "0"]));
    // A lead time as long as the horizon is refused, naming the tier.
    s.policies.iter_mut().find(|p| p.kind == NodeKind::Distributor).unwrap().lead_time_days = 120;
    let err = plan_of(chain(), &s).unwrap_err();
    assert!(
        matches!(&err, OmoError::InvalidArgument { name: "lead_time_days", message } if message.contains("Distributor"))
    );
    Ok(())
}

#[test]
fn confirmed_orders_consume_the_forecast_and_open_orders_are_receipts() -> Result<()> {
    // An enterprise farm (no node) ordered 50 from DN in February for May (its history: 0, 50, 0
    // a month, so the naive forecast is 0); RA has 8 bags in transit (due 5
    // April) and an open order of 6 not shipped, requested for 20 May.
    let mut data = chain();
    data["regions"] = json!([{"id": "R", "name": "R", "parent": null}]);
    data["business_units"] = json!([{"id": "BU", "name": "BU", "parent": null}]);
    let customer = |id: &str, kind: &str, node: Option<&str>| {
        json!({"id": id, "name": id, "kind": kind, "region": "R", "business_unit": "BU", "salesperson": null,
               "parent": null, "node": node, "since": null})
    };
    data["customers"] = json!([customer("FARM", "enterprise", None), customer("A", "retailer", Some("RA"))]);
    let line = |q: &str| json!({"product": "P", "quantity": q, "unit_price": "150", "discount": "0"});
    data["orders"] = json!([
        {"id": "O1", "customer": "FARM", "order_date": "2026-02-20", "requested_date": "2026-05-10", "ship_from": "DN",
         "status": "open", "lines": [line("50")]},
        {"id": "O2", "customer": "A", "order_date": "2026-03-25", "requested_date": "2026-05-20", "ship_from": "DN",
         "status": "partially_shipped", "lines": [line("14")]},
    ]);
    data["shipments"] = json!([{"id": "S1", "order": "O2", "from": "DN", "to": "RA", "promised_date": "2026-04-05",
        "shipped_date": "2026-03-30", "delivered_date": null, "lines": [{"product": "P", "quantity": "8"}], "events": []}]);
    data["movements"].as_array_mut().unwrap().push(json!({"node": "DN", "product": "P", "date": "2026-03-30",
        "kind": "sale", "quantity": "8", "counterparty": null, "reference": "S1"}));
    let plan = plan_of(data, &settings())?;
    // RA: receipts 8 in April and 6 in May; 15 + 8 - 10 = 13, then 13 + 6 - 10 = 9, June nets 1.
    assert_eq!(column(&plan, "RA", |r| r.scheduled_receipts), decs(&["8", "6", "0", "0"]));
    assert_eq!(column(&plan, "RA", |r| r.planned_releases), decs(&["0", "0", "1", "10"]));
    // DN: May's independent need is the farm's 50 (greater than its forecast of 0); RA's open 6
    // must ship in May (lead 0): dependent 20 (RB) + 6. DN's stock is 40 - 8 = 32.
    assert_eq!(column(&plan, "DN", |r| r.confirmed), decs(&["0", "50", "0", "0"]));
    assert_eq!(column(&plan, "DN", |r| r.forecast), decs(&["0", "0", "0", "0"]));
    assert_eq!(column(&plan, "DN", |r| r.dependent), decs(&["25.20", "26", "21", "30"]));
    assert_eq!(column(&plan, "DN", |r| r.gross), decs(&["25.20", "76", "21", "30"]));
    Ok(())
}

#[test]
fn the_sample_company_plan_balances_every_period_and_orders_whole_packs() -> Result<()> {
    use omo_core::sample::{SampleConfig, sample_company};
    let company = sample_company(&SampleConfig::small(5))?;
    let as_of = day("2025-12-31");
    let plan = channel_plan(&company, &ChannelSettings::new(as_of))?;
    let kinds: std::collections::BTreeSet<NodeKind> = plan.nodes.iter().map(|p| p.kind).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), [NodeKind::Plant, NodeKind::Distributor, NodeKind::Retailer]);
    for record in &plan.nodes {
        let mut stock = record.on_hand;
        for row in &record.rows {
            stock += row.scheduled_receipts + row.planned_receipts - row.gross;
            assert_eq!(row.closing, stock, "{} {} {}", record.node, record.product, row.period);
            assert!(row.closing >= Decimal::ZERO);
            assert_eq!(row.gross, row.forecast.max(row.confirmed) + row.dependent);
        }
        if record.kind == NodeKind::Distributor {
            let product = company.products.iter().find(|p| p.id == record.product).unwrap();
            for q in record.rows.iter().map(|r| r.planned_receipts).filter(|q| !q.is_zero()) {
                assert!(q >= product.minimum_order && (q % product.pack_size).is_zero(), "{q} of {}", product.id);
            }
        }
    }
    // Planned at the end of the second year: the spring peak (March, April) is what the plant
    // must deliver most of, more than in January and February or May and June.
    let top = plan.top_requirements();
    let total = |t: usize| top.values().map(|v| v[t]).sum::<Decimal>();
    let spring = total(2) + total(3);
    assert!(
        spring > total(0) + total(1) && spring > total(4) + total(5),
        "{:?}",
        (0..6).map(total).collect::<Vec<_>>()
    );
    // The same plan from the same forecasts made in advance (a caller's, copied into the plan,
    // where the plan's own are moved into it): the shops forecast from their POS sales, the
    // distributors and the plant supplying them.
    let settings = ChannelSettings::new(as_of);
    let horizon = Horizon::after(as_of, settings.period, settings.horizon)?;
    let planned: HashSet<&NodeId> = company.nodes.iter().filter(|n| kinds_planned(n.kind)).map(|n| &n.id).collect();
    let suppliers: HashSet<&NodeId> = company
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Distributor | NodeKind::Plant))
        .map(|n| &n.id)
        .collect();
    let model = DemandModel { method: settings.method, season_length: settings.season_length };
    let demand = independent_demand(&company, &horizon, model, &planned, &suppliers)?;
    assert!(demand.keys().any(|(node, _)| node.as_str().starts_with('R')), "shops' forecasts");
    assert_eq!(channel_plan_of(&company, &settings, &demand)?, plan);
    Ok(())
}

/// The plan's demand reads the last ten years of history (`DEMAND_HISTORY_YEARS`): planned on
/// 2025-12-31 by month, from January 2016. A shop's sale in December 2015 or in 1900 (a year
/// mistyped) leaves the plan as it is (before, every series of the company was stretched back to
/// the oldest record, a century of zeros each; from year 1 the plan ran for minutes); a sale in
/// January 2016 is read.
#[test]
fn the_plan_reads_the_last_ten_years_of_demand() -> Result<()> {
    use omo_core::forecast::DEMAND_HISTORY_YEARS;
    use omo_core::sample::{SampleConfig, sample_company};
    assert_eq!(DEMAND_HISTORY_YEARS, 10);
    let company = sample_company(&SampleConfig::small(3))?;
    let settings = ChannelSettings::new(day("2025-12-31"));
    let plan = channel_plan(&company, &settings)?;
    let with_sale_on = |date: &str| -> Result<ChannelPlan> {
        let mut d = company.clone();
        let mut sale = d.pos_sales[0].clone();
        sale.date = day(date);
        d.pos_sales.push(sale);
        channel_plan(&d, &settings)
    };
    assert_eq!(with_sale_on("1900-01-04")?, plan);
    assert_eq!(with_sale_on("2015-12-31")?, plan);
    assert_ne!(with_sale_on("2016-01-01")?, plan);
    Ok(())
}

fn kinds_planned(kind: NodeKind) -> bool {
    matches!(kind, NodeKind::Retailer | NodeKind::Distributor | NodeKind::Plant)
}

// ---- Textbook MRP and DRP records: Orlicky's Material Requirements Planning, 3rd ed. (Ptak and
// Smith, McGraw-Hill 2011). The book's "on hand" rows leave out planned receipts, so they are
// compared only up to the first planned receipt; net requirements and releases are compared
// whole.

use omo_core::plan::{LotSizing, MrpInput, MrpRecord, mrp_record};

fn record(gross: &[i64], scheduled: &[i64], on_hand: i64, safety: i64, lead: usize, rule: LotSizing) -> MrpRecord {
    let d = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
    mrp_record(&MrpInput {
        gross_requirements: d(gross),
        scheduled_receipts: Some(d(scheduled)),
        on_hand: Decimal::from(on_hand),
        safety_stock: Decimal::from(safety),
        lead_time: lead,
        lot_sizing: rule,
        modifiers: Default::default(),
    })
    .unwrap()
}

fn ints(record: &MrpRecord, pick: fn(&omo_core::plan::MrpRow) -> Decimal) -> Vec<i64> {
    record.rows.iter().map(|r| i64::try_from(pick(r)).unwrap()).collect()
}

#[test]
fn orlicky_fig_7_2_to_7_7_lot_for_lot_netting() {
    // Pp. 121-123: on hand 23, a scheduled receipt of 30 in period 3; net requirements 7 and 12.
    let r = record(&[0, 20, 0, 25, 0, 15, 12, 0], &[0, 0, 30, 0, 0, 0, 0, 0], 23, 0, 0, LotSizing::LotForLot);
    assert_eq!(ints(&r, |r| r.net_requirements), [0, 0, 0, 0, 0, 7, 12, 0]);
    assert_eq!(ints(&r, |r| r.projected_on_hand)[..5], [23, 3, 33, 8, 8]);
}

#[test]
fn orlicky_fig_7_16_fixed_quantity_with_safety_stock() {
    // P. 134: 17 a period, on hand 170, safety stock 100, lot 50, lead time 2: two releases of 50
    // (the first in period 3, for period 5 where stock would drop below 100).
    let lot = LotSizing::FixedOrderQuantity { lot_size: Decimal::from(50) };
    let r = record(&[17; 8], &[0; 8], 170, 100, 2, lot);
    assert_eq!(ints(&r, |r| r.projected_on_hand)[..4], [153, 136, 119, 102]);
    assert_eq!(ints(&r, |r| r.planned_order_releases), [0, 0, 50, 0, 0, 50, 0, 0]);
}

#[test]
fn orlicky_fig_10_10a_fixed_quantity_safety_stock_and_scheduled_receipt() {
    // P. 193: 30 a period, on hand 140, safety stock 15, 80 due in period 5, lot 100, lead
    // time 3: one release of 100 in period 4.
    let lot = LotSizing::FixedOrderQuantity { lot_size: Decimal::from(100) };
    let r = record(&[30; 7], &[0, 0, 0, 0, 80, 0, 0], 140, 15, 3, lot);
    assert_eq!(ints(&r, |r| r.projected_on_hand)[..6], [110, 80, 50, 20, 70, 40]);
    assert_eq!(ints(&r, |r| r.planned_order_releases), [0, 0, 0, 100, 0, 0, 0]);
}

/// Orlicky's chapter 8 (pp. 147-149) runs every lot-sizing rule on the same nine months of net
/// requirements (no stock, no lead time): setup $100, a unit carried a month costs $1.
const ORLICKY_CH8: [i64; 9] = [35, 10, 0, 40, 0, 20, 5, 10, 30];

#[test]
fn orlicky_fig_8_2_economic_order_quantity() {
    // P. 147: U = 150 x 12 / 9 = 200 a year, EOQ = sqrt(2 x 200 x 100 / (0.24 x 50)) = 58; three
    // lots of 58 in periods 1, 4 and 8, each leaving a remnant (23, 31 and 54 after receipt).
    let rule = LotSizing::Eoq { ordering_cost: Decimal::from(100), holding_cost: Decimal::ONE };
    let r = record(&ORLICKY_CH8, &[0; 9], 0, 0, 0, rule);
    assert_eq!(ints(&r, |r| r.planned_order_receipts), [58, 0, 0, 58, 0, 0, 0, 58, 0]);
    assert_eq!(ints(&r, |r| r.planned_order_releases), [58, 0, 0, 58, 0, 0, 0, 58, 0]);
    assert_eq!(ints(&r, |r| r.projected_on_hand), [23, 13, 13, 31, 31, 11, 6, 54, 24]);
}

#[test]
fn orlicky_fig_8_3_lot_for_lot() {
    // P. 148: the coverage is the net requirements themselves; nothing is carried.
    let r = record(&ORLICKY_CH8, &[0; 9], 0, 0, 0, LotSizing::LotForLot);
    assert_eq!(ints(&r, |r| r.planned_order_receipts), ORLICKY_CH8);
    assert_eq!(ints(&r, |r| r.projected_on_hand), [0; 9]);
}

#[test]
fn orlicky_fig_8_4_fixed_period_requirements() {
    // P. 149: two periods' supply per order, counted from the first period with a net
    // requirement: 45 in period 1 (the book prints 40, but its total of 150 and periods 1 and
    // 2 need 45), 40 in period 4, 25 in period 6, 40 in period 8.
    let r = record(&ORLICKY_CH8, &[0; 9], 0, 0, 0, LotSizing::PeriodsOfSupply { periods: 2 });
    assert_eq!(ints(&r, |r| r.planned_order_receipts), [45, 0, 0, 40, 0, 25, 0, 40, 0]);
    assert_eq!(ints(&r, |r| r.projected_on_hand), [10, 0, 0, 0, 0, 5, 0, 30, 0]);
}

#[test]
fn orlicky_fig_15_4_drp_from_three_distributors_to_the_plant() {
    // P. 278: three distribution centres order in fixed lots; their planned releases add up to
    // the manufacturer's lumpy "total demand" 700 0 400 0 700 150 300 150 150 0, and their
    // projected available balances are the book's.
    let lot = |q| LotSizing::FixedOrderQuantity { lot_size: Decimal::from(q) };
    let d1 = record(&[100, 90, 80, 75, 80, 90, 100, 100, 120, 130], &[0; 10], 145, 0, 1, lot(150));
    let d2 = record(&[135, 100, 90, 80, 75, 82, 125, 110, 150, 50], &[0; 10], 190, 0, 1, lot(300));
    let d3 = record(&[80, 75, 80, 90, 100, 125, 130, 120, 50, 85], &[0; 10], 272, 0, 3, lot(250));
    assert_eq!(ints(&d1, |r| r.projected_on_hand), [45, 105, 25, 100, 20, 80, 130, 30, 60, 80]);
    assert_eq!(ints(&d2, |r| r.projected_on_hand), [55, 255, 165, 85, 10, 228, 103, 293, 143, 93]);
    assert_eq!(ints(&d3, |r| r.projected_on_hand), [192, 117, 37, 197, 97, 222, 92, 222, 172, 87]);
    let total: Vec<i64> = (0..10)
        .map(|t| [&d1, &d2, &d3].iter().map(|r| i64::try_from(r.rows[t].planned_order_releases).unwrap()).sum())
        .collect();
    assert_eq!(total, [700, 0, 400, 0, 700, 150, 300, 150, 150, 0]);
}

// ---- The supply plan: capacity, building ahead, the OEM supplier and materials, by hand.

use omo_core::plan::{SupplySettings, supply_plan};
use omo_core::spi::Period;

/// A plant whose line `L1` has 100 hours a month and makes P1 at 10 an hour (standard cost 100)
/// and P2 at 5 an hour (cost 300); an OEM supplier delivers P2 in 30 days, at least 100, in
/// fifties. P1 is half a tonne of urea and one bag; urea comes in 30 days, bags at once; 100 t of
/// urea are in stock and 150 t are on order for March.
fn plant(april_hours: &str) -> serde_json::Value {
    let product = |id: &str, cost: &str| {
        json!({"id": id, "name": id, "category": "C", "brand": "B", "unit": "bag", "pack_size": "1",
               "minimum_order": "0", "standard_cost": cost, "list_price": "500", "status": "active"})
    };
    json!({
        "company": "Test", "currency": "CNY", "as_of": "2026-01-31",
        "categories": [{"id": "C", "name": "C", "parent": null}],
        "products": [product("P1", "100"), product("P2", "300")],
        "nodes": [{"id": "PLANT", "name": "Plant", "kind": "plant", "parent": null, "region": null, "customer": null}],
        "supply": {
            "materials": [{"id": "UREA", "name": "Urea", "unit": "t", "standard_cost": "2"},
                          {"id": "BAG", "name": "Bag", "unit": "piece", "standard_cost": "0.5"}],
            "material_stock": [{"node": "PLANT", "material": "UREA", "quantity": "100"}],
            "production_lines": [{"id": "L1", "name": "Granulation", "node": "PLANT", "hours_per_month": "100",
                "calendar": [{"month": "2026-04-01", "hours": april_hours}],
                "rates": [{"product": "P1", "units_per_hour": "10"}, {"product": "P2", "units_per_hour": "5"}]}],
            "boms": [{"product": "P1", "components": [{"item": {"material": "UREA"}, "quantity": "0.5"},
                                                      {"item": {"material": "BAG"}, "quantity": "1"}]}],
            "suppliers": [
                {"id": "OEM", "name": "OEM", "kind": "oem", "items": [{"item": {"product": "P2"}, "lead_time_days": 30,
                  "minimum_order": "100", "multiple": "50", "price": "280"}]},
                {"id": "CHEM", "name": "Chem", "kind": "material", "items": [
                  {"item": {"material": "UREA"}, "lead_time_days": 30, "price": "2"},
                  {"item": {"material": "BAG"}, "lead_time_days": 0, "price": "0.5"}]}],
            "purchase_orders": [{"id": "PO1", "supplier": "CHEM", "order_date": "2026-01-20", "deliver_to": "PLANT",
                "lines": [{"item": {"material": "UREA"}, "quantity": "150", "price": "2", "promised_date": "2026-03-10"}]}]
        }
    })
}

fn required(p1: &[i64], p2: &[i64]) -> std::collections::BTreeMap<omo_core::model::ProductId, Vec<Decimal>> {
    let d = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
    [("P1".parse().unwrap(), d(p1)), ("P2".parse().unwrap(), d(p2))].into_iter().collect()
}

/// The supply plan of the plant with `april_hours` in April for P1 400 600 1200 300 and P2 0 0
/// 200 0, February to May.
fn peak_plan(april_hours: &str) -> Result<omo_core::plan::SupplyPlan> {
    let dataset = Dataset::from_json_validated(&plant(april_hours).to_string())?;
    let horizon = Horizon::after(day("2026-01-31"), Period::Month, 4)?;
    supply_plan(&dataset, &horizon, &required(&[400, 600, 1200, 300], &[0, 0, 200, 0]), &SupplySettings::default())
}

#[test]
fn the_spring_peak_is_built_ahead_with_its_carrying_cost() -> Result<()> {
    // Hours needed: P1 40 60 120 30, P2 0 0 40 0: April needs 160 of 100. The 60 extra hours
    // go, cheapest to carry first (P1: 100 / 10 = 10 an hour against P2's 60), into March's 40
    // spare hours (400 units, one month early) and February's 60 less the 40 used (200 units,
    // two months early): carrying cost 400 x 100 x 2 % x 1 + 200 x 100 x 2 % x 2 = 1,600.
    let plan = peak_plan("100")?;
    assert_eq!(plan.carrying_cost, dec("1600"));
    let hours: Vec<Decimal> = plan.loads.iter().map(|l| l.planned_hours).collect();
    assert_eq!(hours, decs(&["60", "100", "100", "30"]));
    assert_eq!(plan.loads.iter().map(|l| l.over_capacity).collect::<Vec<_>>(), [false, false, true, false]);
    assert_eq!(plan.loads.iter().map(|l| l.idle).collect::<Vec<_>>(), [false, false, false, true]);
    let p1: Vec<_> = plan.products.iter().filter(|p| p.product.as_str() == "P1").collect();
    assert_eq!(p1.iter().map(|p| p.made).collect::<Vec<_>>(), decs(&["600", "1000", "600", "300"]));
    assert_eq!(p1.iter().map(|p| p.built_ahead).collect::<Vec<_>>(), decs(&["200", "400", "0", "0"]));
    assert!(plan.oem_orders.is_empty() && plan.products.iter().all(|p| p.unmet.is_zero()));
    // Urea: half a tonne a bag of P1 made: 300 500 300 150. 100 in stock cover 100 of February's
    // 300 (200 net); March nets 500 - 150 on order = 350; then 300 and 150. Ordered 30 days
    // (one month) ahead: February's 200 are past due.
    let urea =
        plan.components.iter().find(|c| c.item == omo_core::model::Item::Material("UREA".parse().unwrap())).unwrap();
    assert_eq!(ints(&urea.record, |r| r.gross_requirements), [300, 500, 300, 150]);
    assert_eq!(ints(&urea.record, |r| r.net_requirements), [200, 350, 300, 150]);
    assert_eq!(ints(&urea.record, |r| r.planned_order_releases), [350, 300, 150, 0]);
    assert_eq!(urea.record.past_due, dec("200"));
    assert_eq!((urea.level, urea.supplier.as_ref().map(|s| s.as_str())), (1, Some("CHEM")));
    Ok(())
}

#[test]
fn a_shutdown_sends_what_no_earlier_month_can_make_to_the_oem_or_leaves_it_unmet() -> Result<()> {
    // April has no hours. P1 moves 400 into March and 600 into February (carrying 400 x 2 +
    // 600 x 4 = 3,200); its last 200 have no line time left and no OEM: unmet. P2's 200 go to the
    // OEM, ordered in March for April (lead one month), 200 already a multiple of 50.
    let plan = peak_plan("0")?;
    assert_eq!(plan.carrying_cost, dec("3200"));
    let row = |product: &str, t: usize| {
        plan.products.iter().find(|p| p.product.as_str() == product && p.period == t).unwrap()
    };
    assert_eq!((row("P1", 2).made, row("P1", 2).unmet), (dec("0"), dec("200")));
    assert_eq!((row("P2", 2).from_oem, row("P2", 2).unmet), (dec("200"), dec("0")));
    let order = &plan.oem_orders[0];
    assert_eq!(
        (order.supplier.as_str(), order.release_period, order.receipt_period, order.quantity, order.late),
        ("OEM", 1, 2, dec("200"), false)
    );
    Ok(())
}

#[test]
fn bad_supply_data_is_refused_naming_the_culprit() {
    let issues = |data: serde_json::Value| match Dataset::from_json_validated(&data.to_string()) {
        Err(OmoError::Invalid { issues }) => {
            issues.iter().map(|i| format!("{} {} {}: {}", i.entity, i.id, i.field, i.message)).collect::<Vec<_>>()
        }
        other => panic!("expected issues, got {other:?}"),
    };
    // A bill of materials cycle: P1 needs P2, P2 needs P1.
    let mut data = plant("100");
    data["supply"]["boms"] = json!([
        {"product": "P1", "components": [{"item": {"product": "P2"}, "quantity": "1"}]},
        {"product": "P2", "components": [{"item": {"product": "P1"}, "quantity": "1"}]}]);
    assert!(issues(data).iter().any(|i| i.starts_with("bom P1 components: cycle")), "cycle");
    // Negative capacity, a line outside a plant, a purchase order of an unknown supplier.
    let mut data = plant("-5");
    data["supply"]["purchase_orders"][0]["supplier"] = json!("NOBODY");
    let found = issues(data);
    assert!(
        found.contains(&"production_line L1 calendar[0].hours: must not be negative, got -5".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"purchase_order PO1 supplier: unknown supplier \"NOBODY\"".to_owned()), "{found:?}");
    // A product nobody can make or supply.
    let dataset = Dataset::from_json_validated(&plant("100").to_string()).unwrap();
    let horizon = Horizon::after(day("2026-01-31"), Period::Month, 2).unwrap();
    let mut need = required(&[1, 1], &[0, 0]);
    need.insert("P3".parse().unwrap(), vec![Decimal::ONE; 2]);
    let err = supply_plan(&dataset, &horizon, &need, &SupplySettings::default()).unwrap_err();
    assert!(err.to_string().contains("product P3: no line makes it and no supplier delivers it"), "{err}");
}

/// A rate or a batch mistyped as 10^-28 made the plan's hours or a material's requirement
/// overflow a decimal (a panic); each is refused naming the record and field at fault.
#[test]
fn a_mistyped_rate_or_batch_is_refused_naming_it() {
    let tiny = "0.0000000000000000000000000001";
    let refusal = |data: serde_json::Value| {
        let dataset = Dataset::from_json_validated(&data.to_string()).unwrap();
        let horizon = Horizon::after(day("2026-01-31"), Period::Month, 4).unwrap();
        match supply_plan(
            &dataset,
            &horizon,
            &required(&[400, 600, 1200, 300], &[0, 0, 200, 0]),
            &SupplySettings::default(),
        ) {
            Err(OmoError::Invalid { issues }) => {
                issues.iter().map(|i| format!("{} {} {}: {}", i.entity, i.id, i.field, i.message)).collect::<Vec<_>>()
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    // 2,500 units of P1 at 10^-28 an hour: 2.5 x 10^31 hours.
    let mut data = plant("100");
    data["supply"]["production_lines"][0]["rates"][0]["units_per_hour"] = json!(tiny);
    assert_eq!(
        refusal(data),
        [format!(
            "production_line L1 rates[0].units_per_hour: P1 at {tiny} an hour would need more than 1000000000000000 hours of the line over the plan's horizon"
        )]
    );
    // P1's 2,500 units at 2.5 x 10^-12 an hour need exactly 10^15 hours: planned (over
    // capacity, unmet); at 2.4 x 10^-12, refused.
    let at_rate = |rate: &str| {
        let mut data = plant("100");
        data["supply"]["production_lines"][0]["rates"][0]["units_per_hour"] = json!(rate);
        data
    };
    let dataset = Dataset::from_json_validated(&at_rate("0.0000000000025").to_string()).unwrap();
    let horizon = Horizon::after(day("2026-01-31"), Period::Month, 4).unwrap();
    let need = required(&[400, 600, 1200, 300], &[0, 0, 200, 0]);
    let plan = supply_plan(&dataset, &horizon, &need, &SupplySettings::default()).unwrap();
    let hours: Decimal = plan.loads.iter().map(|l| l.required_hours).sum();
    assert_eq!(hours, omo_core::plan::MAX_LINE_HOURS + dec("40"));
    assert_eq!(refusal(at_rate("0.0000000000024")).len(), 1);
    // A billion tonnes of urea a batch of 10^-28 bags: 4 x 10^39 t for February's 400 bags.
    let mut data = plant("100");
    data["supply"]["boms"][0]["batch"] = json!(tiny);
    data["supply"]["boms"][0]["components"][0]["quantity"] = json!("1000000000");
    let found = refusal(data);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("bom P1 components[0].quantity: 1000000000 of material UREA a batch of"), "{found:?}");
}

// ---- The S&OP table and the supplier scorecard.

use omo_core::plan::{sales_and_operations, supplier_scorecard};

#[test]
fn the_sop_table_of_the_worked_chain() -> Result<()> {
    // April of the worked chain: demand RA 10 + RB 20 = 30; the plant need deliver nothing
    // (18.20 in May); closing stock RA 5 + RB 5.20 + DN 14.80 + plant 7 = 32 against safety
    // stocks 0 + 5.20 + 5.20 + 5.20 = 15.60. No lines or suppliers: what is required is unmet.
    let dataset = Dataset::from_json_validated(&chain().to_string())?;
    let plan = channel_plan(&dataset, &settings())?;
    let table = sales_and_operations(&dataset, &plan, None);
    assert_eq!(table.len(), 4);
    let april = &table[0];
    assert_eq!((april.period, april.category.as_str()), (day("2026-04-01"), "C"));
    assert_eq!((april.demand.units, april.demand.value), (dec("30"), dec("3000")));
    assert_eq!(
        (april.inventory.units, april.inventory_target.units, april.inventory_gap.units),
        (dec("32"), dec("15.60"), dec("16.40"))
    );
    assert_eq!(
        (table[1].required.units, table[1].unmet.units, table[1].unmet.value),
        (dec("18.20"), dec("18.20"), dec("1820"))
    );
    Ok(())
}

#[test]
fn the_supplier_scorecard_by_hand() -> Result<()> {
    // CHEM: PO2 ordered 2 Jan, promised 10 Jan, came 15 Jan (5 days late), 100 t at 2.10 against
    // 2 agreed, 4 rejected; PO3 ordered 5 Jan, promised 20 Jan, came 18 Jan, 50 t at 2. On time
    // 1 of 2; lead times 13 and 13 days; paid 10 above the agreed 300 (3.33 %); rejected 4 of
    // 150. PO1 (promised 10 March) is open and not yet overdue.
    let mut data = plant("100");
    let po = |id: &str, ordered: &str, promised: &str, came: &str, q: &str, price: &str, rejected: &str| {
        json!({"id": id, "supplier": "CHEM", "order_date": ordered, "deliver_to": "PLANT", "lines": [{"item": {"material": "UREA"},
               "quantity": q, "price": price, "promised_date": promised, "received_date": came, "received_quantity": q,
               "rejected_quantity": rejected}]})
    };
    let orders = data["supply"]["purchase_orders"].as_array_mut().unwrap();
    orders.push(po("PO2", "2026-01-02", "2026-01-10", "2026-01-15", "100", "2.10", "4"));
    orders.push(po("PO3", "2026-01-05", "2026-01-20", "2026-01-18", "50", "2", "0"));
    let dataset = Dataset::from_json_validated(&data.to_string())?;
    let scores = supplier_scorecard(&dataset, day("2026-01-31"))?;
    let chem = scores.iter().find(|s| s.supplier.as_str() == "CHEM").unwrap();
    assert_eq!(
        (chem.lines_received, chem.on_time_rate, chem.lead_time_mean_days, chem.lead_time_sd_days),
        (2, Some(0.5), Some(13.0), Some(0.0))
    );
    assert_eq!((chem.days_late_mean, chem.price_variance), (Some(5.0), dec("10.00")));
    assert!((chem.price_variance_share.unwrap() - 10.0 / 300.0).abs() < 1e-12);
    assert!((chem.rejected_share.unwrap() - 4.0 / 150.0).abs() < 1e-12);
    assert_eq!((chem.open_lines, chem.open_lines_overdue), (1, 0));
    Ok(())
}

#[test]
fn the_sample_company_has_a_plant_short_of_its_spring_peak_and_a_late_oem() -> Result<()> {
    use omo_core::sample::{SampleConfig, sample_company};
    let company = sample_company(&SampleConfig::small(5))?;
    let supply = &company.supply;
    assert_eq!(supply.production_lines.len(), 3);
    assert!(!supply.production_orders.is_empty() && !supply.boms.is_empty() && !supply.material_stock.is_empty());
    // The simulated plant ran above its lines' nominal hours in some months: over capacity.
    let horizon = Horizon::after(day("2025-12-31"), Period::Month, 6)?;
    let (_, plan) = omo_core::plan::plan_supply_chain(
        &company,
        &ChannelSettings::new(day("2025-12-31")),
        &SupplySettings::default(),
    )?;
    let plan = plan.expect("the sample company has lines and suppliers");
    assert_eq!(plan.loads.len(), 3 * horizon.len());
    assert!(plan.loads.iter().any(|l| l.over_capacity), "the spring peak needs more hours than a line has");
    assert!(plan.carrying_cost > Decimal::ZERO, "so the plan builds ahead");
    // The OEM supplier is late about four times in ten.
    let scores = supplier_scorecard(&company, company.as_of)?;
    let oem = scores.iter().find(|s| s.supplier.as_str() == "SUP-OEM").unwrap();
    let on_time = oem.on_time_rate.unwrap();
    assert!((0.45..0.75).contains(&on_time), "{on_time}");
    assert!(oem.consignment.iter().any(|c| c.book > Decimal::ZERO));
    Ok(())
}

// ---- The plan's lights and what to do.

use omo_core::kpi::Light;
use omo_core::plan::plan_signals;

#[test]
fn the_plan_lights_a_late_order_an_overloaded_line_and_a_short_production() -> Result<()> {
    // The chain with DN's 45-day lead time: P's May receipt is past due at DN: one product,
    // yellow, "reorder_now".
    let mut s = settings();
    s.policies.iter_mut().find(|p| p.kind == NodeKind::Distributor).unwrap().lead_time_days = 45;
    let dataset = Dataset::from_json_validated(&chain().to_string())?;
    let channel = channel_plan(&dataset, &s)?;
    let signals = plan_signals(&dataset, &channel, None, &[], dataset.as_of)?;
    let dn = signals.iter().find(|x| x.kpi == "projected_stockouts" && x.member == "DN").unwrap();
    assert_eq!(
        (dn.evaluation.value, dn.evaluation.light, dn.action.as_str()),
        (Some(dec("1")), Light::Yellow, "reorder_now")
    );
    assert!(dn.message.contains("P (20 past due, out in 2026-05)"), "{}", dn.message);
    let ra = signals.iter().find(|x| x.kpi == "projected_stockouts" && x.member == "RA").unwrap();
    assert_eq!((ra.evaluation.light, ra.action.as_str()), (Light::Green, ""));
    // The plant's April needs 160 hours of 100: load 1.6, red; March needs 60: 0.6, green (the
    // load counts what a period requires, not what the plan builds ahead into it).
    // A production order of 100 made 95 in the last 30 days: 95 %, yellow.
    let mut data = plant("100");
    data["supply"]["production_orders"] = json!([{"id": "MO1", "line": "L1", "product": "P1", "quantity": "100",
        "start": "2026-01-10", "due": "2026-01-20", "status": "done", "output": "95", "scrap": "5", "finished": "2026-01-20"}]);
    let dataset = Dataset::from_json_validated(&data.to_string())?;
    let supply = peak_plan("100")?;
    let signals = plan_signals(&dataset, &channel, Some(&supply), &[], day("2026-01-31"))?;
    let load: Vec<(Option<Decimal>, Light)> =
        signals.iter().filter(|x| x.kpi == "capacity_load").map(|x| (x.evaluation.value, x.evaluation.light)).collect();
    assert_eq!(load[1], (Some(dec("0.6")), Light::Green));
    assert_eq!(load[2], (Some(dec("1.6")), Light::Red));
    let made = signals.iter().find(|x| x.kpi == "production_attainment").unwrap();
    assert_eq!(
        (made.member.as_str(), made.evaluation.value, made.evaluation.light),
        ("L1", Some(dec("0.95")), Light::Yellow)
    );
    assert_eq!(made.action, "review_production");
    Ok(())
}
