//! KPI lights: the anchor rules of SAP Fiori, Grafana, Prometheus and PerformancePoint, every
//! direction and threshold mode at, just above and just below each boundary, alerts on
//! hand-written series, and roll-ups with drill-down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use omo_core::kpi::*;
use omo_core::model::Hierarchy;
use omo_test_support::reference_cases;
use rust_decimal::Decimal;
use serde_json::Value;

fn d(x: f64) -> Decimal {
    Decimal::try_from(x).unwrap()
}

fn bare(direction: Direction, thresholds: Thresholds) -> KpiDefinition {
    KpiDefinition {
        id: "k".into(),
        name: "k".into(),
        unit: "".into(),
        direction,
        target: None,
        thresholds,
        weight: Decimal::ONE,
        missing: Light::Grey,
        roll_up: RollUp::WorstLight,
    }
    .validated()
    .unwrap()
}

/// SAP's four criticalities as zones 0 to 3.
const SAP: [&str; 4] = ["Good", "Neutral", "Critical", "Error"];

fn sap(case: &Value) -> KpiDefinition {
    let i = &case["inputs"];
    let get = |k: &str| i.get(k).and_then(Value::as_f64).map(d);
    let pair = |k: &str, n: usize| i.get(k).and_then(|v| v.get(n)).and_then(Value::as_f64).map(d);
    let (direction, low, high) = match i["direction"].as_str().unwrap() {
        "Maximize" => (
            Direction::HigherIsBetter,
            ZoneBounds {
                acceptance: get("acceptanceRangeLow"),
                tolerance: get("toleranceRangeLow"),
                deviation: get("deviationRangeLow"),
            },
            ZoneBounds::default(),
        ),
        "Minimize" => (
            Direction::LowerIsBetter,
            ZoneBounds::default(),
            ZoneBounds {
                acceptance: get("acceptanceRangeHigh"),
                tolerance: get("toleranceRangeHigh"),
                deviation: get("deviationRangeHigh"),
            },
        ),
        _ => (
            Direction::TargetBand,
            ZoneBounds {
                acceptance: pair("acceptance", 0),
                tolerance: pair("tolerance", 0),
                deviation: pair("deviation", 0),
            },
            ZoneBounds {
                acceptance: pair("acceptance", 1),
                tolerance: pair("tolerance", 1),
                deviation: pair("deviation", 1),
            },
        ),
    };
    bare(
        direction,
        Thresholds::Zones {
            low,
            high,
            relative_to_target: false,
            inclusive: true,
            lights: [Light::Green, Light::Grey, Light::Yellow, Light::Red],
        },
    )
}

fn grafana(case: &Value) -> KpiDefinition {
    let i = &case["inputs"];
    let light = |name: &str| match name {
        "green" => Light::Green,
        "yellow" => Light::Yellow,
        "red" => Light::Red,
        other => panic!("colour {other}"),
    };
    let steps = i["steps"].as_array().unwrap();
    let base = light(steps[0][1].as_str().unwrap());
    let steps = steps[1..].iter().map(|s| (d(s[0].as_f64().unwrap()), light(s[1].as_str().unwrap()))).collect();
    let percent_of =
        (i["mode"] == "percentage").then(|| (d(i["min"].as_f64().unwrap()), d(i["max"].as_f64().unwrap())));
    bare(Direction::HigherIsBetter, Thresholds::Steps { base, steps, percent_of })
}

#[test]
fn every_anchor_kpi_rule_is_reproduced() {
    let Some(cases) = reference_cases("reference/rule_cases.json") else { return };
    let mut ran = 0;
    for case in cases.iter().filter(|c| c["group"] == "kpi") {
        let id = case["id"].as_str().unwrap();
        let e = &case["expected"];
        if id.starts_with("sap_") {
            let kpi = sap(case);
            let (zone, _, _) = kpi.classify(d(case["inputs"]["value"].as_f64().unwrap()));
            assert_eq!(SAP[zone.unwrap()], e["color"].as_str().unwrap(), "{id}");
        } else if id.starts_with("grafana_") {
            let kpi = grafana(case);
            let light = evaluate(&kpi, Some(d(case["inputs"]["value"].as_f64().unwrap())), None, None).light;
            assert_eq!(light.as_str(), e["color"].as_str().unwrap(), "{id}");
        } else if id.starts_with("prometheus_") {
            let i = &case["inputs"];
            let mut timer = AlertTimer::new(
                i["for_steps"].as_u64().unwrap() as u32,
                i["keep_firing_for_steps"].as_u64().unwrap() as u32,
            );
            let states: Vec<&str> = i["condition"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(t, c)| match timer.step(t as u64, c.as_i64() == Some(1)) {
                    AlertState::Inactive => "inactive",
                    AlertState::Pending => "pending",
                    AlertState::Firing => "firing",
                })
                .collect();
            let expected: Vec<&str> = e["states"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            assert_eq!(states, expected, "{id}");
        } else if id == "scorecard_rollup" {
            let children: Vec<(String, Evaluation)> = case["inputs"]["children"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(n, c)| {
                    let mut e = evaluate(
                        &bare(
                            Direction::HigherIsBetter,
                            Thresholds::Steps { base: Light::Red, steps: vec![], percent_of: None },
                        ),
                        Some(Decimal::ONE),
                        None,
                        None,
                    );
                    e.score = Some(d(c["score"].as_f64().unwrap()));
                    (format!("c{n}"), e)
                })
                .collect();
            let weights: HashMap<String, Decimal> = case["inputs"]["children"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(n, c)| (format!("c{n}"), d(c["weight"].as_f64().unwrap())))
                .collect();
            let members: Vec<(&String, &Evaluation)> = children.iter().map(|(k, e)| (k, e)).collect();
            let weighted = roll_up(&RollUp::WeightedScore { green_at: d(0.9), yellow_at: d(0.5) }, &members, &weights);
            assert_eq!(weighted.score, Some(d(e["average_weighted"].as_f64().unwrap())), "{id}");
            assert_eq!(weighted.light, Light::Yellow);
            let worst = roll_up(&RollUp::WorstLight, &members, &weights);
            assert_eq!(worst.score, Some(d(e["worst_child"].as_f64().unwrap())), "{id}");
        } else {
            panic!("unknown kpi case {id}");
        }
        ran += 1;
    }
    assert_eq!(ran, 22);
}

/// Every direction and threshold mode at, just above and just below each boundary.
#[test]
fn boundaries_are_exact_in_every_mode() {
    let eps = Decimal::new(1, 4);
    let t = Decimal::from(200);
    let higher = KpiDefinition::higher_is_better("h", "h", "", t, d(0.95), d(0.85)).unwrap();
    let lower = KpiDefinition::lower_is_better("l", "l", "", t, d(1.05), d(1.2)).unwrap();
    let band = KpiDefinition::target_band("b", "b", "", t, d(0.1), d(0.25)).unwrap();
    let table: Vec<(&KpiDefinition, Decimal, Light, Light, Light)> = vec![
        // (kpi, boundary, light just below, at, just above)
        (&higher, Decimal::from(190), Light::Yellow, Light::Green, Light::Green),
        (&higher, Decimal::from(170), Light::Red, Light::Yellow, Light::Yellow),
        (&lower, Decimal::from(210), Light::Green, Light::Green, Light::Yellow),
        (&lower, Decimal::from(240), Light::Yellow, Light::Yellow, Light::Red),
        (&band, Decimal::from(180), Light::Yellow, Light::Green, Light::Green),
        (&band, Decimal::from(220), Light::Green, Light::Green, Light::Yellow),
        (&band, Decimal::from(150), Light::Red, Light::Yellow, Light::Yellow),
        (&band, Decimal::from(250), Light::Yellow, Light::Yellow, Light::Red),
    ];
    for (kpi, at, below, on, above) in table {
        let light = |v| evaluate(kpi, Some(v), None, None).light;
        assert_eq!((light(at - eps), light(at), light(at + eps)), (below, on, above), "{} at {at}", kpi.id);
    }
    // Exclusive bounds put the boundary value in the worse zone.
    let mut exclusive = higher.clone();
    if let Thresholds::Zones { inclusive, .. } = &mut exclusive.thresholds {
        *inclusive = false;
    }
    assert_eq!(evaluate(&exclusive, Some(Decimal::from(190)), None, None).light, Light::Yellow);
    // Steps: the boundary belongs to the step that starts there.
    let steps = bare(
        Direction::LowerIsBetter,
        Thresholds::Steps {
            base: Light::Green,
            steps: vec![(d(80.0), Light::Yellow), (d(90.0), Light::Red)],
            percent_of: None,
        },
    );
    let light = |v: f64| evaluate(&steps, Some(d(v)), None, None).light;
    assert_eq!(
        [light(79.9999), light(80.0), light(89.9999), light(90.0)],
        [Light::Green, Light::Yellow, Light::Yellow, Light::Red]
    );
}

#[test]
fn missing_values_and_zero_targets() {
    let kpi = KpiDefinition::higher_is_better("h", "h", "", Decimal::from(100), d(0.95), d(0.85)).unwrap();
    let missing = evaluate(&kpi, None, Some(Decimal::ONE), None);
    assert_eq!((missing.light, missing.score, missing.trend), (Light::Grey, None, None));
    let mut red_if_missing = kpi.clone();
    red_if_missing.missing = Light::Red;
    assert_eq!(evaluate(&red_if_missing, None, None, None).light, Light::Red);
    // A zero target: relative bounds collapse to zero; any value reaches it; no attainment.
    let zero = KpiDefinition::lower_is_better("overdue", "Overdue", "CNY", Decimal::ZERO, d(1.0), d(1.0)).unwrap();
    let at_zero = evaluate(&zero, Some(Decimal::ZERO), None, None);
    assert_eq!((at_zero.light, at_zero.attainment, at_zero.distance), (Light::Green, None, Some(Decimal::ZERO)));
    assert_eq!(evaluate(&zero, Some(Decimal::ONE), None, None).light, Light::Red);
    // Trend and last year.
    let e = evaluate(&kpi, Some(Decimal::from(96)), Some(Decimal::from(90)), Some(Decimal::from(99)));
    assert_eq!(
        (e.trend, e.vs_last_year, e.distance, e.attainment),
        (Some(Trend::Improving), Some(Decimal::from(-3)), Some(Decimal::from(-4)), Some(d(0.96)))
    );
    // Bad definitions are refused.
    assert!(KpiDefinition::higher_is_better("h", "h", "", Decimal::ONE, d(0.8), d(0.9)).is_err());
    let mut no_target = kpi;
    no_target.target = None;
    assert!(no_target.validated().is_err());
}

fn month(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().checked_add_months(Months::new(n)).unwrap()
}

fn series(values: &[f64]) -> Vec<(NaiveDate, Option<Decimal>)> {
    values.iter().enumerate().map(|(n, v)| (month(n as u32), Some(d(*v)))).collect()
}

fn kinds(events: &[AlertEvent]) -> Vec<(u32, AlertEventKind)> {
    events.iter().map(|e| (e.period.signed_duration_since(month(0)).num_days() as u32 / 28, e.kind)).collect()
}

#[test]
fn alerts_on_hand_written_series() {
    let kpi =
        KpiDefinition::higher_is_better("revenue", "Revenue vs plan", "ratio", Decimal::ONE, d(0.95), d(0.85)).unwrap();
    let rule = AlertRule { raise_at: Light::Yellow, for_periods: 1, keep_for_periods: 0, hysteresis: Decimal::ZERO };
    // A one-month blip does not alert.
    assert!(run_alerts(&kpi, &rule, &"D-01", &series(&[1.0, 0.9, 1.0, 1.0])).is_empty());
    // A sustained drop raises in its second month, escalates when red, resolves when back.
    let events = run_alerts(&kpi, &rule, &"D-01", &series(&[1.0, 0.9, 0.9, 0.8, 0.8, 1.0]));
    let months: Vec<AlertEventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(months, [AlertEventKind::Raised, AlertEventKind::Escalated, AlertEventKind::Resolved]);
    assert_eq!(events.iter().map(|e| e.period).collect::<Vec<_>>(), [month(2), month(3), month(5)]);
    assert_eq!((events[0].value, events[0].threshold, events[0].light), (Some(d(0.9)), Some(d(0.85)), Light::Yellow));
    assert_eq!(events[1].light, Light::Red);
    // Hovering at the threshold with an immediate rule: without hysteresis it flaps (raised and
    // resolved every other month); with a margin it stays raised until clearly back.
    let immediate = AlertRule { for_periods: 0, ..rule.clone() };
    let hover = series(&[0.94, 0.94, 0.951, 0.949, 0.952, 0.948, 0.953, 1.0]);
    let flapping = run_alerts(&kpi, &immediate, &"D-02", &hover);
    assert_eq!(flapping.len(), 6, "{:?}", kinds(&flapping));
    let steady = run_alerts(&kpi, &AlertRule { hysteresis: d(0.01), ..immediate.clone() }, &"D-02", &hover);
    assert_eq!(steady.iter().map(|e| e.kind).collect::<Vec<_>>(), [AlertEventKind::Raised, AlertEventKind::Resolved]);
    assert_eq!(steady[1].period, month(7));
    // keep_firing_for holds a raised alert one more period after recovery.
    let kept = run_alerts(
        &kpi,
        &AlertRule { keep_for_periods: 1, ..rule.clone() },
        &"D-03",
        &series(&[0.9, 0.9, 1.0, 1.0, 1.0]),
    );
    assert_eq!(
        kept.iter().map(|e| (e.kind, e.period)).collect::<Vec<_>>(),
        [(AlertEventKind::Raised, month(1)), (AlertEventKind::Resolved, month(3))]
    );
}

#[test]
fn roll_ups_by_worst_weighted_and_share_in_red_with_drill_down() {
    let tree = Hierarchy::from_parent_links(
        "member",
        [
            ("CO", None),
            ("EAST", Some("CO")),
            ("WEST", Some("CO")),
            ("D1", Some("EAST")),
            ("D2", Some("EAST")),
            ("D3", Some("WEST")),
            ("D4", Some("WEST")),
        ]
        .map(|(a, b)| (a.to_owned(), b.map(str::to_owned))),
    )
    .unwrap();
    let plan = |roll_up| {
        let mut k = KpiDefinition::higher_is_better("plan", "Revenue vs plan", "ratio", Decimal::ONE, d(0.95), d(0.85))
            .unwrap();
        k.roll_up = roll_up;
        k
    };
    let values = [("D1", 1.0), ("D2", 0.8), ("D3", 0.9), ("D4", 1.2)];
    let inputs: HashMap<(String, String), KpiInput> = values
        .iter()
        .map(|(m, v)| ((m.to_string(), "plan".to_owned()), KpiInput { value: Some(d(*v)), ..KpiInput::default() }))
        .collect();
    let weights: HashMap<String, Decimal> =
        [("D1", 1.0), ("D2", 3.0), ("D3", 1.0), ("D4", 1.0)].iter().map(|(m, w)| (m.to_string(), d(*w))).collect();

    let worst = Scorecard::build(&tree, &[plan(RollUp::WorstLight)], &inputs, &weights).unwrap();
    let co = worst.cell(&"CO".to_owned(), "plan").unwrap();
    assert_eq!((co.light(), co.rolled.as_ref().unwrap().red_members.clone()), (Light::Red, vec!["D2".to_owned()]));
    assert_eq!(worst.cell(&"WEST".to_owned(), "plan").unwrap().light(), Light::Yellow);

    // Weighted: scores are attainment capped at 1: EAST (1 x 1 + 3 x 0.8) / 4 = 0.85: yellow.
    let weighted = Scorecard::build(
        &tree,
        &[plan(RollUp::WeightedScore { green_at: d(0.95), yellow_at: d(0.85) })],
        &inputs,
        &weights,
    )
    .unwrap();
    let east = weighted.cell(&"EAST".to_owned(), "plan").unwrap().rolled.clone().unwrap();
    assert_eq!((east.score, east.light), (Some(d(0.85)), Light::Yellow));
    // CO: (1 + 2.4 + 0.9 + 1) / 6 = 0.8833: red below 0.85? no, 0.8833 >= 0.85: yellow.
    let co = weighted.cell(&"CO".to_owned(), "plan").unwrap().rolled.clone().unwrap();
    assert_eq!(co.light, Light::Yellow);
    assert_eq!(co.score.unwrap().round_dp(4), d(0.8833));

    // Share in red: 1 of 4 red = 25 %; red above 20 %.
    let share = Scorecard::build(
        &tree,
        &[plan(RollUp::ShareInRed { yellow_above: Decimal::ZERO, red_above: d(0.2) })],
        &inputs,
        &weights,
    )
    .unwrap();
    assert_eq!(share.cell(&"CO".to_owned(), "plan").unwrap().light(), Light::Red);
    assert_eq!(share.cell(&"WEST".to_owned(), "plan").unwrap().light(), Light::Green);
    assert_eq!(share.overall(&"D2".to_owned()), Light::Red);

    // An input for a stranger is refused.
    let mut stranger = inputs.clone();
    stranger.insert(("MARS".into(), "plan".into()), KpiInput::default());
    assert!(Scorecard::build(&tree, &[plan(RollUp::WorstLight)], &stranger, &weights).is_err());
}

/// The tree and KPIs of the incremental scorecard test: a root, 3 regions (one with a
/// sub-region), 7 distributors; one KPI per roll-up method, and one with a member-level input on a
/// region (an own value above the leaves).
fn incremental_card() -> (Hierarchy<String>, Vec<KpiDefinition>) {
    let links = [
        ("CO", None),
        ("N", Some("CO")),
        ("S", Some("CO")),
        ("S1", Some("S")),
        ("W", Some("CO")),
        ("D1", Some("N")),
        ("D2", Some("N")),
        ("D3", Some("S")),
        ("D4", Some("S1")),
        ("D5", Some("S1")),
        ("D6", Some("W")),
        ("D7", Some("CO")),
    ];
    let tree =
        Hierarchy::from_parent_links("member", links.map(|(a, b)| (a.to_owned(), b.map(str::to_owned)))).unwrap();
    let kpi = |id: &str, roll_up| {
        let mut k = KpiDefinition::higher_is_better(id, id, "ratio", Decimal::ONE, d(0.95), d(0.85)).unwrap();
        k.roll_up = roll_up;
        k
    };
    let kpis = vec![
        kpi("worst", RollUp::WorstLight),
        kpi("weighted", RollUp::WeightedScore { green_at: d(0.95), yellow_at: d(0.85) }),
        kpi("share", RollUp::ShareInRed { yellow_above: Decimal::ZERO, red_above: d(0.3) }),
    ];
    (tree, kpis)
}

/// [`incremental_card`] with its members, a weight for each (1 to 3), and its card without inputs.
#[allow(clippy::type_complexity)]
fn weighted_card() -> (Hierarchy<String>, Vec<KpiDefinition>, Vec<String>, HashMap<String, Decimal>, Scorecard<String>)
{
    let (tree, kpis) = incremental_card();
    let members: Vec<String> = tree.members().cloned().collect();
    let weights = members.iter().enumerate().map(|(i, m)| (m.clone(), Decimal::from(1 + i % 3))).collect();
    let card = Scorecard::build(&tree, &kpis, &HashMap::new(), &weights).unwrap();
    (tree, kpis, members, weights, card)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Updating members one at a time gives the card `build` gives for the same inputs, and the
    /// changes it reports are exactly the lights that differ between the cards before and after.
    #[test]
    fn set_inputs_equals_build_on_the_same_inputs(
        updates in proptest::collection::vec(
            (0usize..12, proptest::collection::vec(proptest::option::of(0u32..130), 3)),
            1..40,
        ),
    ) {
        let (tree, kpis, members, weights, mut card) = weighted_card();
        let mut inputs: HashMap<(String, String), KpiInput> = HashMap::new();
        for (who, values) in updates {
            let member = &members[who % members.len()];
            // A missing entry: no input for that KPI; Some(None) would be an input without a value.
            let own: HashMap<String, KpiInput> = kpis
                .iter()
                .zip(&values)
                .filter_map(|(k, v)| {
                    v.map(|p| (k.id.clone(), KpiInput { value: (p < 125).then(|| Decimal::new(i64::from(p), 2)), ..KpiInput::default() }))
                })
                .collect();
            inputs.retain(|(m, _), _| m != member);
            inputs.extend(own.iter().map(|(k, i)| ((member.clone(), k.clone()), *i)));
            let before = card.clone();
            let mut changed = card.set_inputs(&tree, member, &own, &weights).unwrap();
            let expected = Scorecard::build(&tree, &kpis, &inputs, &weights).unwrap();
            proptest::prop_assert_eq!(&card.cells, &expected.cells);
            let light = |c: &Scorecard<String>, m: &String, k: &str| c.cell(m, k).map_or(Light::Grey, |c| c.light());
            let mut differ: Vec<(String, String, Light, Light)> = members
                .iter()
                .flat_map(|m| kpis.iter().map(move |k| (m.clone(), k.id.clone())))
                .filter_map(|(m, k)| {
                    let (from, to) = (light(&before, &m, &k), light(&expected, &m, &k));
                    (from != to).then_some((m, k, from, to))
                })
                .collect();
            differ.sort();
            changed.sort();
            proptest::prop_assert_eq!(changed, differ);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Changing some of a member's KPIs at a time (the others kept, a `None` removing one) gives
    /// the card `build` gives for the inputs so changed.
    #[test]
    fn change_inputs_equals_build_on_the_same_inputs(
        updates in proptest::collection::vec(
            (0usize..12, proptest::collection::vec(proptest::option::of(proptest::option::of(0u32..130)), 3)),
            1..40,
        ),
    ) {
        let (tree, kpis, members, weights, mut card) = weighted_card();
        let mut inputs: HashMap<(String, String), KpiInput> = HashMap::new();
        for (who, values) in updates {
            let member = &members[who % members.len()];
            let changed: HashMap<String, Option<KpiInput>> = kpis
                .iter()
                .zip(&values)
                .filter_map(|(k, v)| v.map(|v| (k.id.clone(), v.map(|p| KpiInput { value: Some(Decimal::new(i64::from(p), 2)), ..KpiInput::default() }))))
                .collect();
            for (kpi, input) in &changed {
                let key = (member.clone(), kpi.clone());
                match input {
                    Some(i) => inputs.insert(key, *i),
                    None => inputs.remove(&key),
                };
            }
            card.change_inputs(&tree, member, &changed, &weights).unwrap();
            let expected = Scorecard::build(&tree, &kpis, &inputs, &weights).unwrap();
            proptest::prop_assert_eq!(&card.cells, &expected.cells);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Changing several members at once gives the card `build` gives for the inputs so changed,
    /// and the changes it reports, netted per cell (first from, last to), are exactly the lights
    /// that differ between the cards before and after.
    #[test]
    fn change_inputs_many_equals_build_and_reports_the_net_changes(
        batches in proptest::collection::vec(
            proptest::collection::vec(
                (0usize..12, proptest::collection::vec(proptest::option::of(proptest::option::of(0u32..130)), 3)),
                1..8,
            ),
            1..12,
        ),
    ) {
        let (tree, kpis, members, weights, mut card) = weighted_card();
        let mut inputs: HashMap<(String, String), KpiInput> = HashMap::new();
        for batch in batches {
            let changes: Vec<(String, HashMap<String, Option<KpiInput>>)> = batch
                .into_iter()
                .map(|(who, values)| {
                    let changed = kpis
                        .iter()
                        .zip(&values)
                        .filter_map(|(k, v)| v.map(|v| (k.id.clone(), v.map(|p| KpiInput { value: Some(Decimal::new(i64::from(p), 2)), ..KpiInput::default() }))))
                        .collect();
                    (members[who % members.len()].clone(), changed)
                })
                .collect();
            for (member, changed) in &changes {
                for (kpi, input) in changed {
                    let key = (member.clone(), kpi.clone());
                    match input {
                        Some(i) => inputs.insert(key, *i),
                        None => inputs.remove(&key),
                    };
                }
            }
            let before = card.clone();
            let reported = card.change_inputs_many(&tree, changes.iter().map(|(m, c)| (m, c)), &weights).unwrap();
            let expected = Scorecard::build(&tree, &kpis, &inputs, &weights).unwrap();
            proptest::prop_assert_eq!(&card.cells, &expected.cells);
            let mut net: std::collections::BTreeMap<(String, String), (Light, Light)> = Default::default();
            for (m, k, from, to) in reported {
                net.entry((m, k)).and_modify(|(_, last)| *last = to).or_insert((from, to));
            }
            let net: Vec<_> = net.into_iter().filter(|(_, (from, to))| from != to).collect();
            let light = |c: &Scorecard<String>, m: &String, k: &str| c.cell(m, k).map_or(Light::Grey, |c| c.light());
            let mut differ: Vec<_> = members
                .iter()
                .flat_map(|m| kpis.iter().map(move |k| (m.clone(), k.id.clone())))
                .filter_map(|(m, k)| {
                    let (from, to) = (light(&before, &m, &k), light(&expected, &m, &k));
                    (from != to).then_some(((m, k), (from, to)))
                })
                .collect();
            differ.sort();
            proptest::prop_assert_eq!(net, differ);
        }
    }
}

#[test]
fn set_inputs_refuses_a_stranger_and_an_unknown_kpi_and_changes_nothing() {
    let (tree, kpis) = incremental_card();
    let mut card = Scorecard::build(&tree, &kpis, &HashMap::new(), &HashMap::new()).unwrap();
    let before = card.clone();
    let input = HashMap::from([("worst".to_owned(), KpiInput { value: Some(d(0.5)), ..KpiInput::default() })]);
    let err = card.set_inputs(&tree, &"MARS".to_owned(), &input, &HashMap::new()).unwrap_err();
    assert!(err.to_string().contains("MARS"), "{err}");
    let typo = HashMap::from([("wrost".to_owned(), KpiInput::default())]);
    let err = card.set_inputs(&tree, &"D1".to_owned(), &typo, &HashMap::new()).unwrap_err();
    assert!(err.to_string().contains("wrost"), "{err}");
    assert_eq!(card.cells, before.cells);
}

#[test]
fn the_standard_catalogue_lights_the_sample_company() {
    let company = omo_core::sample::sample_company(&omo_core::sample::SampleConfig::default()).unwrap();
    let kpis = standard_kpis().unwrap();
    let inputs = standard_inputs(&company, NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()).unwrap();
    let tree = distributor_hierarchy(&company).unwrap();
    let card = Scorecard::build(&tree, &kpis, &inputs, &HashMap::new()).unwrap();
    // Every distributor has a plan, DSO and a forecast error of its one-month-ahead forecasts.
    for distributor in ["D-01", "D-03", "D-08"] {
        let cell = |kpi: &str| card.cell(&distributor.to_owned(), kpi).unwrap().own.clone().unwrap();
        assert!(cell("revenue_vs_plan").value.is_some(), "{distributor}");
        assert!(cell("dso").value.is_some());
        let wape = cell("forecast_wape").value.unwrap();
        assert!(wape > Decimal::ZERO && wape < Decimal::ONE, "{distributor}: {wape}");
    }
    // Chronic late payers show red on DSO or overdue; a punctual one does not.
    let light = |m: &str, k: &str| card.cell(&m.to_owned(), k).unwrap().light();
    assert!(light("D-03", "overdue_ratio") == Light::Red || light("D-03", "dso") == Light::Red);
    assert_ne!(light("D-01", "overdue_ratio"), Light::Red);
    assert!(card.cell(&"CN".to_owned(), "revenue_vs_plan").unwrap().rolled.is_some());
}
