//! The engine gives what the core gives for the same snapshot. The test also writes that
//! snapshot and the core's figures to `target/mobile-fixture/` for the Kotlin and Python tests of
//! the generated bindings, which must find the same figures through the FFI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write;

use omo_core::Snapshot;
use omo_core::analytics::{Segment, Team};
use omo_core::credit::{CheckMode, CreditPolicy, Decision};
use omo_core::forecast::sell_out_forecast;
use omo_core::kpi::{
    AlertRule, Light, Scorecard, distributor_hierarchy, standard_alerts, standard_inputs, standard_kpis,
};
use omo_core::model::{SalesLine, SalesOrder};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::{LedgerOptions, Period, build_ledger};
use omo_mobile::*;
use rust_decimal::Decimal;

const SEED: u64 = 5;

/// The core's own figures for the sample snapshot, by name.
fn core_figures(s: &Snapshot) -> BTreeMap<&'static str, String> {
    let d = s.dataset();
    let mut out = BTreeMap::new();
    // The credit customer with the most exposure, and an order one unit over what it has left.
    let (customer, position) = s
        .book()
        .customers()
        .into_iter()
        .map(|c| (c.clone(), s.credit_position(c).unwrap()))
        .max_by_key(|(_, p)| p.exposure_before)
        .unwrap();
    let over = position.available + Decimal::ONE;
    let check = s.book().check_order(&customer, over, d.as_of, CheckMode::Static).unwrap();
    assert_eq!(check.decision, Decision::Blocked);
    out.insert("as_of", d.as_of.to_string());
    out.insert("credit.customer", customer.to_string());
    out.insert("credit.limit", position.limit.to_string());
    out.insert("credit.exposure", position.exposure_before.to_string());
    out.insert("credit.available", position.available.to_string());
    out.insert("credit.over_amount", over.to_string());
    out.insert("credit.over_exposure_after", check.exposure_after.to_string());
    out.insert(
        "credit.over_codes",
        check.findings.iter().filter(|f| f.blocks).map(|f| f.reason.code()).collect::<Vec<_>>().join(","),
    );

    // The region scorecard of the last complete month: the sample's two years end on 2025-12-31.
    assert_eq!(d.as_of, chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    let month = chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
    let tree = distributor_hierarchy(d).unwrap();
    let card =
        Scorecard::build(&tree, &standard_kpis().unwrap(), &standard_inputs(d, month).unwrap(), &Default::default())
            .unwrap();
    let root = tree.roots().next().unwrap().clone();
    out.insert("scorecard.month", month.to_string());
    out.insert("scorecard.members", tree.len().to_string());
    out.insert("scorecard.root", root.clone());
    out.insert("scorecard.root_overall", card.overall(&root).as_str().to_owned());
    let reds = card.cells.values().flat_map(|row| row.values()).filter(|c| c.light() == Light::Red).count();
    out.insert("scorecard.red_cells", reds.to_string());

    let alerts = standard_alerts(d, month, 12, &AlertRule::default()).unwrap();
    out.insert("alerts.count", alerts.len().to_string());

    let forecasts = sell_out_forecast(d, d.as_of, 3).unwrap();
    out.insert("forecast.rows", forecasts.len().to_string());
    out.insert("forecast.first_volume", format!("{:?}", forecasts[0].volume));
    out.insert("forecast.first_revenue", forecasts[0].revenue.to_string());

    // One distributor node's monthly S-P-I of one product.
    let m = d.movements.iter().find(|m| m.kind == omo_core::model::MovementKind::Sale).unwrap();
    let pair: Vec<_> = d.movements.iter().filter(|x| x.node == m.node && x.product == m.product).cloned().collect();
    let rows = build_ledger(&pair, &[], LedgerOptions { period: Period::Month, allow_negative: true }).unwrap();
    out.insert("spi.node", m.node.to_string());
    out.insert("spi.product", m.product.to_string());
    out.insert("spi.rows", rows.len().to_string());
    out.insert("spi.last_closing", rows.last().unwrap().flows.closing.to_string());
    out.insert("spi.total_sales", rows.iter().map(|r| r.flows.sales).sum::<Decimal>().to_string());

    // The first distributor's plan of its first product, three months ahead.
    let node = d.nodes.iter().find(|n| n.kind == omo_core::model::NodeKind::Distributor).unwrap();
    let settings = omo_core::plan::ChannelSettings::by(d.as_of, Period::Month, 3);
    let plan = omo_core::plan::channel_plan(d, &settings).unwrap();
    let records: Vec<_> = plan.nodes.iter().filter(|p| p.node == node.id).collect();
    out.insert("plan.node", node.id.to_string());
    out.insert("plan.records", records.len().to_string());
    out.insert("plan.product", records[0].product.to_string());
    out.insert("plan.first_closing", records[0].rows.get(0).unwrap().closing.to_string());
    out.insert(
        "plan.planned_orders",
        records.iter().flat_map(|p| &p.rows).map(|r| r.planned_releases).sum::<Decimal>().to_string(),
    );

    // The channel's last month, the last stock-take, RFM and the business units' last month.
    let channel = omo_core::spi::channel_view(d, Period::Month, None).unwrap();
    let last = channel.last().unwrap();
    out.insert("channel.months", channel.len().to_string());
    out.insert("channel.last_sell_out", last.sell_out.to_string());
    out.insert("channel.last_retailer_stock", last.retailer_stock.to_string());
    let day = d.counts.iter().map(|c| c.date).max().unwrap();
    let counted = omo_core::spi::reconcile_counts(d, day, day).unwrap();
    out.insert("stock_take.day", day.to_string());
    out.insert("stock_take.lines", counted.lines.len().to_string());
    out.insert("stock_take.own_difference", counted.own.difference_value.to_string());
    let views = omo_core::views::Views::new(d);
    let rfm = views.rfm(None);
    out.insert("rfm.customers", rfm.len().to_string());
    out.insert("rfm.champions", rfm.iter().filter(|r| r.segment == Segment::Champions).count().to_string());
    let team = views.team_performance(Team::BusinessUnit, None).unwrap();
    out.insert("team.revenue", team.iter().map(|t| t.revenue).sum::<Decimal>().to_string());
    out
}

#[test]
fn the_engine_gives_the_core_figures_and_writes_the_fixture() {
    let dataset = sample_company(&SampleConfig::small(SEED)).unwrap();
    let dataset_again = dataset.clone();
    let json = dataset.to_json().unwrap();
    let core = Snapshot::new(dataset, CreditPolicy::default()).unwrap();
    let want = core_figures(&core);
    let engine = Engine::from_json(json.clone()).unwrap();

    let position = engine.credit_position(parsed(&want["credit.customer"])).unwrap();
    assert_eq!(position.check.exposure_before.to_string(), want["credit.exposure"]);
    assert_eq!(position.check.available.to_string(), want["credit.available"]);
    let check =
        engine.check_order(parsed(&want["credit.customer"]), parsed(&want["credit.over_amount"]), None, None).unwrap();
    assert_eq!(check.decision, omo_core::credit::Decision::Blocked);
    assert_eq!(check.exposure_after.to_string(), want["credit.over_exposure_after"]);

    let card = engine.scorecard(omo_core::views::Axis::Region, None).unwrap();
    assert_eq!(card.month.to_string(), want["scorecard.month"]);
    assert_eq!(card.rows.len().to_string(), want["scorecard.members"]);
    let reds = card.rows.iter().flat_map(|r| &r.cells).filter(|c| c.light == Light::Red).count();
    assert_eq!(reds.to_string(), want["scorecard.red_cells"]);
    assert_eq!(engine.alerts(12).unwrap().len().to_string(), want["alerts.count"]);

    let forecasts = engine.sell_out_forecast(3).unwrap();
    assert_eq!(format!("{:?}", forecasts[0].volume), want["forecast.first_volume"]);

    let spi =
        engine.spi(parsed(&want["spi.node"]), Some(parsed(&want["spi.product"])), Period::Month, None, None).unwrap();
    assert_eq!(spi.len().to_string(), want["spi.rows"]);
    assert_eq!(spi.last().unwrap().flows.closing.to_string(), want["spi.last_closing"]);

    let plan = engine.node_plan(parsed(&want["plan.node"]), 3).unwrap();
    assert_eq!(plan.len().to_string(), want["plan.records"]);
    assert_eq!((plan[0].product.as_str(), plan[0].rows.len()), (want["plan.product"].as_str(), 3));
    assert_eq!(plan[0].rows.get(0).unwrap().closing.to_string(), want["plan.first_closing"]);
    let orders: Decimal = plan.iter().flat_map(|p| &p.rows).map(|r| r.planned_releases).sum();
    assert_eq!(orders.to_string(), want["plan.planned_orders"]);
    assert!(matches!(engine.node_plan(parsed("NOWHERE"), 3), Err(OmoMobileError::UnknownId { .. })));
    assert!(engine.replenishment(None).unwrap().iter().all(|o| !o.order.reason.is_empty()));

    let channel = engine.channel(Period::Month, None, None, None).unwrap();
    assert_eq!(channel.len().to_string(), want["channel.months"]);
    assert_eq!(channel.last().unwrap().sell_out.to_string(), want["channel.last_sell_out"]);
    let take = engine.stock_take(None).unwrap().unwrap();
    assert_eq!(
        (take.day.to_string(), take.reconciliation.lines.len().to_string()),
        (want["stock_take.day"].clone(), want["stock_take.lines"].clone())
    );
    let rfm = engine.rfm(None, None).unwrap();
    assert_eq!(rfm.len().to_string(), want["rfm.customers"]);
    let team = engine.team_performance(Team::BusinessUnit, None, None).unwrap();
    assert_eq!(team.iter().map(|t| t.revenue).sum::<Decimal>().to_string(), want["team.revenue"]);

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/mobile-fixture");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("snapshot.json"), json).unwrap();
    let mut properties =
        String::from("# Figures omo-core computed for snapshot.json (written by bindings-mobile/tests/engine.rs)\n");
    for (key, value) in &want {
        let _ = writeln!(properties, "{key}={value}");
    }
    std::fs::write(dir.join("expected.properties"), properties).unwrap();
    // The main job's report of the same state: tests/python/test_doors.py finds the numbers the
    // Python package and these bindings show in it.
    let live = omo_core::engine::Engine::new(dataset_again, omo_core::engine::EngineOptions::default()).unwrap();
    std::fs::write(dir.join("report.txt"), omo_examples::report::render_views(&live.views()).unwrap()).unwrap();
}

#[test]
fn bad_input_from_the_app_is_a_typed_error_with_the_core_message() {
    let malformed = Engine::from_json("{\"company\": ".into()).err().unwrap();
    assert!(matches!(malformed, OmoMobileError::InvalidData { .. }), "{malformed:?}");
    let engine = Engine::sample(SEED).unwrap();
    let unknown = engine.credit_position(parsed("NO-SUCH")).err().unwrap();
    assert!(matches!(&unknown, OmoMobileError::UnknownId { detail } if detail.contains("NO-SUCH")), "{unknown:?}");
    let customer = engine.info().customers;
    assert!(customer > 0);
    let bad_model = forecast_series(vec![1.0, 2.0], 2, 1, "prophet".into(), vec![]).err().unwrap();
    assert!(matches!(&bad_model, OmoMobileError::InvalidInput { detail } if detail.contains("prophet")));
}

/// An order `id` of the first credit account for the day after the snapshot: `quantity` of the
/// first product at `unit_price`, shipped from the first node.
fn next_day_order(d: &omo_core::Dataset, id: &str, quantity: &str, unit_price: &str) -> SalesOrder {
    let line = SalesLine::new(d.products[0].id.clone(), parsed(quantity), parsed(unit_price));
    let (customer, day) = (d.credit_accounts[0].customer.clone(), d.as_of + chrono::Days::new(1));
    SalesOrder::new(parsed(id), customer, day, d.nodes[0].id.clone(), vec![line]).unwrap()
}

/// `text` read as an id, an amount or a date of the core's.
fn parsed<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

#[test]
fn an_order_recorded_offline_is_seen_by_the_next_check_and_saved() {
    let engine = Engine::sample(SEED).unwrap();
    let snapshot: omo_core::Dataset = omo_core::Dataset::from_json(&engine.to_json().unwrap()).unwrap();
    let account = snapshot.credit_accounts[0].customer.clone();
    let before = engine.credit_position(account.clone()).unwrap();
    let next_day = snapshot.as_of + chrono::Days::new(1);
    let order = next_day_order(&snapshot, "APP-7", "4", "250.25");
    engine.record_order(order.clone()).unwrap();
    let after = engine.credit_position(account).unwrap();
    // 4 x 250.25 = 1001.00, booked as an open order.
    assert_eq!(after.check.breakdown.open_orders - before.check.breakdown.open_orders, Decimal::new(100100, 2));
    assert_eq!(engine.info().as_of, next_day);
    assert!(matches!(engine.record_order(order), Err(OmoMobileError::InvalidData { .. })));
    assert!(engine.to_json().unwrap().contains("APP-7"));
}

#[test]
fn the_engine_is_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Engine>();
    let engine = Engine::sample(SEED).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let e = engine.clone();
            std::thread::spawn(move || e.scorecard(omo_core::views::Axis::BusinessUnit, None).unwrap().rows.len())
        })
        .collect();
    let sizes: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] == w[1]) && sizes[0] > 1);
}

/// A listener that keeps what it hears, and queries the engine from inside the callback (the
/// engine delivers after it is free again, so this must not deadlock).
struct Heard {
    engine: std::sync::Mutex<Option<std::sync::Arc<Engine>>>,
    changes: std::sync::Mutex<Vec<(omo_core::engine::Change, u64)>>,
}

impl ChangeListener for Heard {
    fn on_change(&self, change: omo_core::engine::Change) {
        let seq = self.engine.lock().unwrap().as_ref().map_or(0, |e| e.seq());
        self.changes.lock().unwrap().push((change, seq));
    }
}

#[test]
fn a_replica_syncs_by_sequence_numbers_and_refuses_what_it_cannot_take() {
    let app = Engine::sample(SEED).unwrap();
    let d = omo_core::Dataset::from_json(&app.to_json().unwrap()).unwrap();
    let customer = d.credit_accounts[0].customer.clone();
    app.record_order(next_day_order(&d, "APP-S1", "2", "10")).unwrap();
    app.record_order(next_day_order(&d, "APP-S2", "2", "10")).unwrap();
    let log = app.events_since(0).unwrap();
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(app.events_since(1).unwrap(), log[1..]);

    let replica = Engine::sample(SEED).unwrap();
    let heard = std::sync::Arc::new(Heard { engine: Default::default(), changes: Default::default() });
    *heard.engine.lock().unwrap() = Some(replica.clone());
    replica.add_listener(heard.clone());
    let sent = vec![log[0].event.clone(), "{\"type\": \"order\"".into(), log[0].event.clone(), log[1].event.clone()];
    let outcomes = replica.apply_remote(sent);
    let seqs: Vec<Option<u64>> =
        outcomes.iter().map(|o| if let RemoteOutcome::Accepted { seq, .. } = o { Some(*seq) } else { None }).collect();
    assert_eq!(seqs, [Some(1), None, None, Some(2)]);
    assert!(matches!(&outcomes[1], RemoteOutcome::Refused { error: OmoMobileError::InvalidData { .. } }));
    assert!(
        matches!(&outcomes[2], RemoteOutcome::Refused { error: OmoMobileError::InvalidData { detail } } if detail.contains("APP-S1")),
        "{:?}",
        outcomes[2]
    );
    let returned: Vec<_> = outcomes
        .into_iter()
        .flat_map(|o| if let RemoteOutcome::Accepted { changes, .. } = o { changes } else { Vec::new() })
        .collect();
    let delivered: Vec<_> = heard.changes.lock().unwrap().iter().map(|(c, _)| c.clone()).collect();
    assert!(!returned.is_empty(), "the first order crosses a month close: lights and alerts move");
    // The listener could query the engine from the callback, and saw the event already applied.
    assert!(heard.changes.lock().unwrap().iter().all(|(change, seen)| *seen >= change.seq));
    assert_eq!(delivered, returned);
    assert_eq!(
        replica.credit_position(customer.clone()).unwrap().check.exposure_before,
        app.credit_position(customer).unwrap().check.exposure_before
    );
    assert_eq!(replica.seq(), 2);
}
