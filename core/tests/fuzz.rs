//! Fuzzing on stable Rust: structure-aware generators (proptest) that build random datasets,
//! series, KPI definitions, stock movements and credit documents — most of them almost valid, so
//! they reach deep code — and check that the library never panics: every call returns `Ok` or a
//! typed `OmoError`.
//!
//! Targets (one `#[test]` each):
//! - `fuzz_dataset_mutations`: a tiny sample company (a distributor or two, months of data) as a
//!   JSON value, one to four mutations (a date malformed or moved, an amount made huge, tiny,
//!   negative or a float, an id replaced or emptied, a field removed or added, a record
//!   duplicated or removed, a collection emptied), read back with `Dataset::from_json`, then
//!   validation, the ledger, roll-ups, inventory health, the credit book (`from_dataset`,
//!   `check_order`, positions, aging, DSO, behaviour, replays), the KPI scorecard and alerts,
//!   analytics and sell-out forecasts, the company plan (channel, supply, S&OP, suppliers) — on
//!   valid and invalid datasets alike;
//! - `fuzz_json_text`: the same companies' JSON text truncated, bytes changed, ranges deleted or
//!   repeated, tokens inserted, numbers and dates replaced, read by `Dataset::from_json` and
//!   `from_json_validated` (and validated when it reads);
//! - `fuzz_forecast`: series of length 0 to 200 (noise, constant, intermittent, trend, seasonal,
//!   steps; magnitudes from 1e-300 to 1e300; NaN and infinities here and there), every model and
//!   every ETS form, `auto`, season lengths 0 to 60, horizons 0 to 100, levels in and out of
//!   (0, 100), cross-validation, the metrics and revenue;
//! - `fuzz_kpi`: raw and validated KPI definitions (zones and steps, relative and absolute,
//!   extreme Decimals), evaluation, alert runs and scorecards with weights;
//! - `fuzz_ledger`: movements and opening stock over a few nodes and products (zero, negative,
//!   huge quantities, dates at the ends of the calendar) through `build_ledger` at every period,
//!   then `derive_measures`;
//! - `fuzz_credit_ops`: sequences of accounts, orders, shipments, invoices, credit notes,
//!   payments and business days posted to a `CreditBook`, with checks, positions, aging, DSO,
//!   behaviour and limit recommendations in between;
//! - `fuzz_engine`: the live engine, built on a small company's history cut at a random day or
//!   bulk-loaded from it (open months, plan alerts, backlog and kept records drawn), fed the
//!   rest of that company's events as they are, mutated as JSON values (a field replaced,
//!   removed or added, a date moved into a closed month or far ahead) or as text, master-data
//!   and credit changes, events it accepted sent again, time passing, batches and a replica's
//!   pushes, with its views read and its snapshot restored (mutated or not) in between. Beyond
//!   panics it checks that a refused event or advance leaves every view as it was, that no
//!   event is accepted twice, that a snapshot restores to the same views, and that every
//!   change returned reaches the subscriber.
//!
//! Panics are caught (`catch_unwind`) and counted per target, with the first input that raised
//! each; a target fails after its run when it saw any, printing them all.
//!
//! Short run (the test command; fixed seeds, so it is reproducible): `cargo test -p omo-core
//! --test fuzz` runs 24 cases per target (a few seconds in all).
//!
//! Long campaign: `OMO_FUZZ_CASES=200000 OMO_FUZZ_SECONDS=300 cargo test --release -p omo-core
//! --test fuzz -- --nocapture --test-threads 1` (`OMO_FUZZ_SECONDS` caps each target's wall
//! time; `OMO_FUZZ_SEED=n` draws another stream; `OMO_FUZZ_SHRINK=1` lets panics reach proptest
//! so that it shrinks the input). Build with overflow checks for the campaign, as the debug
//! profile has them: `CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true`.
//!
//! Regression tests of the panics found are at the end of this file.

mod fuzz_support;

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use omo_core::analytics::{
    SalesSource, Team, customer_summaries, rfm_from_invoices, sales_by_region_and_category, team_performance,
};
use omo_core::credit::{
    AgingBuckets, CheckMode, CreditAccount, CreditBook, CreditCheck, CreditPolicy, LimitRules, OverLimitAction,
    Receivables, ScoringRules, ZeroLimit, payment_behaviour, recommend_limit, replay_order_checks,
};
use omo_core::engine::{
    AlertStatus, CreditHold, CreditLimit, Engine, EngineOptions, EngineSnapshot, Event, EventBatch, EventBody,
    events_of,
};
use omo_core::forecast::{
    self, ErrorType, EtsSpec, ForecastOptions, Method, SeasonType, TrendType, cross_validate, demand_class,
    revenue_forecast, sell_out_forecast,
};
use omo_core::kpi::{
    AlertRule, Direction, KpiDefinition, KpiInput, Light, RollUp, Scorecard, Thresholds, ZoneBounds,
    distributor_hierarchy, evaluate, last_complete_month, run_alerts, standard_alerts, standard_inputs, standard_kpis,
};
use omo_core::model::{
    Check, CustomerId, CustomerKind, Hierarchy, Invoice, NodeId, OrderId, Payment, ProductId, StockMovement,
};
use omo_core::plan::{ChannelSettings, LotSizing, SupplySettings, company_plan};
use omo_core::sample::StockRecord;
use omo_core::spi::{
    HealthOptions, LedgerOptions, MeasureOptions, NodeLevel, OpeningStock, Period, PlanSettings, ProductLevel, SpiRow,
    build_ledger, channel_view, dataset_ledger, derive_measures, inventory_health, reconcile_counts, roll_up,
    suggest_orders,
};
use omo_core::{Dataset, OmoError};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use fuzz_support::{
    Draw, Target, base_texts, base_values, bases, mutate_text, mutate_value, mutate_value_near, replay, run,
};

const PERIODS: [Period; 5] = [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

// ---------------------------------------------------------------------------------------------
// Decimals and dates
// ---------------------------------------------------------------------------------------------

/// Decimals: ordinary amounts most of the time, the extremes of the type some of the time.
fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (-1_000_000i64..1_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
        2 => (0i64..=100, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::ZERO),
        1 => prop::sample::select(vec![
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_parts(1, 0, 0, false, 28),
            Decimal::from_parts(1, 0, 0, true, 28),
            Decimal::from_parts(u32::MAX, u32::MAX, u32::MAX, false, 28),
            Decimal::from(1_000_000_000u64),
            Decimal::from(1_000_000_000_000_000u64),
            Decimal::from_parts(0, 0, 1 << 31, false, 0),
            Decimal::new(-1, 0),
        ]),
        1 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
    ]
}

/// A day near 2024-2025 most of the time, the ends of the calendar now and then.
fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        9 => (0u64..800).prop_map(|d| day(2024, 1, 1) + Days::new(d)),
        1 => prop::sample::select(vec![NaiveDate::MIN, NaiveDate::MAX, day(1, 1, 1), day(9999, 12, 31), day(1970, 1, 1)]),
    ]
}

// ---------------------------------------------------------------------------------------------
// Target: datasets mutated as JSON values, through every view
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct DatasetCase {
    base: usize,
    mutations: Vec<u64>,
    probe: u64,
}

fn dataset_case() -> impl Strategy<Value = DatasetCase> {
    (0usize..8, prop::collection::vec(any::<u64>(), 1..=4), any::<u64>())
        .prop_map(|(base, mutations, probe)| DatasetCase { base, mutations, probe })
}

/// Applies a case's mutations to its base; returns the JSON text and what was done.
fn mutated_dataset(case: &DatasetCase) -> (String, Vec<String>) {
    let values = base_values();
    let Some(base) = values.get(case.base % values.len().max(1)) else { return (String::new(), Vec::new()) };
    let mut value = base.clone();
    let done: Vec<String> = case.mutations.iter().map(|seed| mutate_value(&mut value, &mut Draw::new(*seed))).collect();
    (value.to_string(), done)
}

#[test]
fn fuzz_dataset_mutations() {
    run("dataset_mutations", 0.5, dataset_case(), |target, case| {
        let (text, done) = mutated_dataset(&case);
        let input = || {
            format!(
                "base {} of {:?}, mutations {done:?}, probe {}",
                case.base,
                bases().iter().map(|b| &b.0).collect::<Vec<_>>(),
                case.probe
            )
        };
        let Some(dataset) = target.check("Dataset::from_json", &input, || Dataset::from_json(&text)) else { return };
        drive_dataset(target, &dataset, case.probe, &input);
    });
}

/// Every view of a dataset, valid or not; labels say which.
fn drive_dataset(target: &Target, d: &Dataset, probe: u64, input: &dyn Fn() -> String) {
    let Some(report) = target.call("Dataset::validate", input, || d.validate()) else { return };
    let tag = if report.is_ok() { "valid" } else { "invalid" };
    let l = |what: &str| format!("{what} ({tag})");
    let mut draw = Draw::new(probe);
    let as_of = d.as_of;
    let back_days = |n: u64| as_of.checked_sub_days(Days::new(n)).unwrap_or(as_of);

    target.check(&l("to_json/from_json"), input, || d.to_json().and_then(|t| Dataset::from_json(&t)));
    target.call(&l("validate_stock"), input, || d.validate_stock());
    target.call(&l("validate_sales"), input, || d.validate_sales());
    for period in [Period::Day, Period::Month] {
        target.check(&l("dataset_ledger"), input, || {
            dataset_ledger(d, LedgerOptions { period, allow_negative: draw.below(3) == 0 })
        });
    }
    target.check(&l("build_ledger(allow_negative)"), input, || {
        build_ledger(&d.movements, &[], LedgerOptions { period: Period::Week, allow_negative: true })
            .map(|rows| derive_measures(&rows, Period::Week, MeasureOptions::default()))
    });
    target.check(&l("spi::roll_up"), input, || roll_up(d, Period::Month, &NodeLevel::Region, &ProductLevel::Category));
    target.check(&l("spi::roll_up(depth)"), input, || {
        roll_up(
            d,
            Period::Quarter,
            &NodeLevel::RegionAtDepth(draw.below(4)),
            &ProductLevel::CategoryAtDepth(draw.below(4)),
        )
    });
    target.check(&l("channel_view"), input, || channel_view(d, Period::Month, None));
    target.check(&l("inventory_health"), input, || inventory_health(d, &HealthOptions::new(as_of)));
    target.check(&l("reconcile_counts"), input, || reconcile_counts(d, back_days(400), as_of));
    target.check(&l("suggest_orders"), input, || suggest_orders(d, &PlanSettings::new(as_of)));

    // Credit.
    let policies =
        [CreditPolicy::default(), CreditPolicy::erpnext(), CreditPolicy::odoo(), CreditPolicy::oca_financial_risk()];
    let policy = policies.get(draw.below(policies.len())).cloned().unwrap_or_default();
    if let Some(book) =
        target.check(&l("CreditBook::from_dataset"), input, || CreditBook::from_dataset(d, as_of, policy.clone()))
    {
        let amounts =
            [Decimal::ZERO, Decimal::ONE, Decimal::from(25_000), Decimal::from(1_000_000_000_000_000u64), Decimal::MAX];
        for account in d.credit_accounts.iter().take(4) {
            let c = &account.customer;
            let amount = amounts.get(draw.below(amounts.len())).copied().unwrap_or_default();
            let mode = if draw.below(2) == 0 {
                CheckMode::Static
            } else {
                CheckMode::Dynamic { horizon_days: [0, 30, u32::MAX][draw.below(3)] }
            };
            let when = [as_of, back_days(200), NaiveDate::MAX, NaiveDate::MIN][draw.below(4)];
            target.check(&l("CreditBook::check_order"), input, || book.check_order(c, amount, when, mode));
            target.check(&l("CreditBook::credit_position"), input, || book.credit_position(c, as_of));
            target.call(&l("payment_behaviour"), input, || payment_behaviour(book.receivables(), c, as_of));
            target.check(&l("recommend_limit"), input, || {
                recommend_limit(book.receivables(), c, 30, as_of, &ScoringRules::default(), &LimitRules::default())
            });
            target.call(&l("Receivables::dso"), input, || {
                (book.receivables().dso_simple(Some(c), as_of, 90), book.receivables().dso_countback(Some(c), as_of))
            });
        }
        target.call(&l("Receivables::aging"), input, || book.receivables().aging(as_of, &AgingBuckets::default()));
        target.call(&l("Receivables::overdue_ratio"), input, || book.receivables().overdue_ratio(None, as_of));
        target.call(&l("Receivables::dso(all)"), input, || book.receivables().dso_countback(None, as_of));
    }
    target.check(&l("replay_order_checks"), input, || {
        replay_order_checks(d, back_days(20), as_of, &policy, CheckMode::Static)
    });

    // KPIs.
    if let Some(month) = last_complete_month(as_of) {
        if let Some(inputs) = target.check(&l("standard_inputs"), input, || standard_inputs(d, month)) {
            target.check(&l("Scorecard::build(standard)"), input, || {
                let tree = distributor_hierarchy(d)?;
                let kpis = standard_kpis()?;
                Scorecard::build(&tree, &kpis, &inputs, &HashMap::new())
            });
        }
        target.check(&l("standard_alerts"), input, || {
            standard_alerts(d, month, 1 + draw.below(3) as u32, &AlertRule::default())
        });
    }

    // Analytics and demand forecasts.
    let from = back_days(90);
    target.check(&l("customer_summaries"), input, || customer_summaries(d, from, as_of, 60));
    target.call(&l("rfm_from_invoices"), input, || rfm_from_invoices(d, back_days(365), as_of));
    target.check(&l("sales_by_region_and_category"), input, || {
        sales_by_region_and_category(d, from, as_of, SalesSource::Invoiced)
    });
    target.check(&l("team_performance"), input, || team_performance(d, Team::Salesperson, from, as_of));
    target.check(&l("sell_out_forecast"), input, || sell_out_forecast(d, as_of, 1 + draw.below(3)));

    // The company plan: channel, supply (lines, OEM, bills of materials), S&OP, suppliers, signals.
    target.check(&l("company_plan"), input, || {
        let mut channel = ChannelSettings::new(as_of);
        channel.method = [Method::SeasonalNaive, Method::Naive, Method::Croston][draw.below(3)];
        channel.horizon = [1, 3, 6][draw.below(3)];
        channel.period = [Period::Month, Period::Week][draw.below(2)];
        let lot_sizing = [LotSizing::LotForLot, LotSizing::PeriodsOfSupply { periods: 2 }][draw.below(2)];
        company_plan(d, &channel, &SupplySettings { lot_sizing, ..SupplySettings::default() })
    });
}

// ---------------------------------------------------------------------------------------------
// Target: JSON text
// ---------------------------------------------------------------------------------------------

#[test]
fn fuzz_json_text() {
    let strategy = (0usize..8, prop::collection::vec(any::<u64>(), 1..=3), any::<u64>());
    run("json_text", 1.0, strategy, |target, (base, seeds, probe)| {
        let texts = base_texts();
        let Some(original) = texts.get(base % texts.len().max(1)) else { return };
        let mut text = original.clone();
        let done: Vec<String> = seeds.iter().map(|s| mutate_text(&mut text, &mut Draw::new(*s))).collect();
        let input = || format!("base {base}, text mutations {done:?}");
        target.check("Dataset::from_json_validated", &input, || Dataset::from_json_validated(&text));
        if let Some(d) = target.check("Dataset::from_json", &input, || Dataset::from_json(&text)) {
            // Most mutations that still read touch little; the full drive is for one in eight.
            if probe % 8 == 0 {
                drive_dataset(target, &d, probe, &input);
            } else {
                target.call("Dataset::validate", &input, || d.validate());
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Target: forecasting
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SeriesSpec {
    len: usize,
    shape: u8,
    scale: f64,
    seed: u64,
    specials: Vec<(usize, f64)>,
}

fn series_spec() -> impl Strategy<Value = SeriesSpec> {
    let scale = prop::sample::select(vec![
        1.0,
        1.0,
        10.0,
        1e3,
        1e-300,
        1e-12,
        1e12,
        1e150,
        1e300,
        f64::MAX / 4.0,
        f64::MIN_POSITIVE,
        -1.0,
        0.0,
    ]);
    let special = prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        f64::MAX,
        -f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -1.0,
    ]);
    let specials = prop_oneof![4 => Just(Vec::new()), 1 => prop::collection::vec((0usize..200, special), 1..4)];
    (prop_oneof![3 => 0usize..=200, 1 => 0usize..=4, 1 => 10usize..=30], 0u8..7, scale, any::<u64>(), specials)
        .prop_map(|(len, shape, scale, seed, specials)| SeriesSpec { len, shape, scale, seed, specials })
}

fn series(spec: &SeriesSpec) -> Vec<f64> {
    let mut draw = Draw::new(spec.seed);
    let period = 2 + draw.below(13);
    let mut y: Vec<f64> = (0..spec.len)
        .map(|t| {
            let t = t as f64;
            let noise = draw.unit();
            let v = match spec.shape {
                0 => noise,
                1 => 1.0,
                2 => {
                    if noise < 0.8 {
                        0.0
                    } else {
                        1.0 + (noise * 10.0).floor()
                    }
                }
                3 => 1.0 + 0.1 * t + 0.1 * noise,
                4 => 10.0 + 5.0 * (std::f64::consts::TAU * t / period as f64).sin() + noise,
                5 => {
                    if (t as usize / 7) % 2 == 0 {
                        1.0
                    } else {
                        100.0
                    }
                }
                _ => noise - 0.5,
            };
            v * spec.scale
        })
        .collect();
    for (i, v) in &spec.specials {
        let n = y.len();
        if let Some(slot) = y.get_mut(if n == 0 { 0 } else { i % n }) {
            *slot = *v;
        }
    }
    y
}

fn method() -> impl Strategy<Value = Method> {
    let ets = (0usize..2, 0usize..3, 0usize..3).prop_map(|(e, t, s)| {
        Method::Ets(EtsSpec {
            error: [ErrorType::A, ErrorType::M][e],
            trend: [TrendType::N, TrendType::A, TrendType::Ad][t],
            season: [SeasonType::N, SeasonType::A, SeasonType::M][s],
        })
    });
    prop_oneof![
        8 => prop::sample::select(vec![
            Method::Naive, Method::SeasonalNaive, Method::Ses, Method::Holt, Method::HoltDamped, Method::Croston,
            Method::Sba, Method::Tsb, Method::Adida, Method::Imapa, Method::Theta, Method::OptimizedTheta,
            Method::AutoEts, Method::Auto, Method::HoltWinters { multiplicative: false }, Method::HoltWinters { multiplicative: true },
        ]),
        1 => prop_oneof![0usize..=250, Just(usize::MAX)].prop_map(|window| Method::MovingAverage { window }),
        2 => ets,
    ]
}

#[derive(Debug, Clone)]
struct ForecastCase {
    series: SeriesSpec,
    method: Method,
    horizon: usize,
    season: usize,
    levels: Vec<f64>,
    non_negative: bool,
    cv: (usize, usize),
}

fn forecast_case() -> impl Strategy<Value = ForecastCase> {
    let level = prop_oneof![
        4 => 1.0f64..99.9,
        1 => prop::sample::select(vec![80.0, 95.0, 0.0, 100.0, -5.0, f64::NAN, f64::INFINITY, 1e-300, 99.999_999_999, 50.0]),
    ];
    let count = prop_oneof![Just(0usize), Just(1), Just(2), Just(3), Just(usize::MAX / 2), Just(usize::MAX)];
    (
        series_spec(),
        method(),
        prop_oneof![4 => 0usize..=100, 1 => Just(usize::MAX)],
        prop_oneof![4 => 0usize..=60, 1 => Just(usize::MAX)],
        prop::collection::vec(level, 0..3),
        any::<bool>(),
        (count.clone(), count),
    )
        .prop_map(|(series, method, horizon, season, levels, non_negative, cv)| ForecastCase {
            series,
            method,
            horizon,
            season,
            levels,
            non_negative,
            cv,
        })
}

#[test]
fn fuzz_forecast() {
    run("forecast", 1.0, forecast_case(), |target, case| {
        let y = series(&case.series);
        let input = || format!("{case:?}; y = {y:?}");
        // A huge horizon is only asked of the cheap checks: the models would allocate it.
        let horizon = case.horizon;
        let options = ForecastOptions {
            horizon,
            season_length: case.season,
            levels: case.levels.clone(),
            non_negative: case.non_negative,
            ..ForecastOptions::new(horizon)
        };
        let light = horizon <= 100 && case.season <= 60;
        if light {
            target.check("forecast", &input, || forecast::forecast(&y, case.method, &options));
            let (windows, step) = case.cv;
            if windows <= 3 && step <= 3 && y.len() <= 60 {
                target.check("cross_validate", &input, || cross_validate(&y, case.method, &options, windows, step));
            } else {
                // Only the argument checks run with huge counts (the series is too short).
                target.check("cross_validate(args)", &input, || {
                    cross_validate(&y[..y.len().min(3)], Method::Naive, &options, windows, step)
                });
            }
        } else {
            // A huge horizon or season must be refused or handled without allocating it.
            target.check("forecast(huge h/season, naive)", &input, || {
                forecast::forecast(&y, Method::Naive, &ForecastOptions { horizon: 0, ..options.clone() })
            });
        }
        target.call("demand_class", &input, || demand_class(&y));
        let half = y.len() / 2;
        let (a, f) = y.split_at(half);
        let f = &f[..a.len().min(f.len())];
        target.check("mae", &input, || forecast::mae(a, f));
        target.check("rmse", &input, || forecast::rmse(a, f));
        target.check("mape", &input, || forecast::mape(a, f));
        target.check("smape", &input, || forecast::smape(a, f));
        target.check("wape", &input, || forecast::wape(a, f));
        target.check("bias", &input, || forecast::bias(a, f));
        target.check("mase", &input, || forecast::mase(a, f, &y, case.season));
        let level = case.levels.first().copied().unwrap_or(80.0);
        target.check("msis", &input, || forecast::msis(a, f, f, &y, case.season, level));
        target.check("coverage", &input, || forecast::coverage(a, f, f));
        let prices = [Decimal::new(125, 2), Decimal::MAX, Decimal::from_parts(1, 0, 0, false, 28)];
        let price = prices[(case.series.seed % 3) as usize];
        target.check("revenue_forecast", &input, || revenue_forecast(&y, &[price]));
    });
}

// ---------------------------------------------------------------------------------------------
// Target: KPIs
// ---------------------------------------------------------------------------------------------

fn light() -> impl Strategy<Value = Light> {
    prop::sample::select(vec![Light::Green, Light::Grey, Light::Yellow, Light::Red])
}

fn bounds() -> impl Strategy<Value = ZoneBounds> {
    (prop::option::of(decimal()), prop::option::of(decimal()), prop::option::of(decimal()))
        .prop_map(|(acceptance, tolerance, deviation)| ZoneBounds { acceptance, tolerance, deviation })
}

fn kpi_definition() -> impl Strategy<Value = KpiDefinition> {
    let zones = (bounds(), bounds(), any::<bool>(), any::<bool>(), [light(), light(), light(), light()]).prop_map(
        |(low, high, relative_to_target, inclusive, lights)| Thresholds::Zones {
            low,
            high,
            relative_to_target,
            inclusive,
            lights,
        },
    );
    let steps = (
        light(),
        prop::collection::vec((decimal(), light()), 0..5),
        any::<bool>(),
        prop::option::of((decimal(), decimal())),
    )
        .prop_map(|(base, mut steps, sort, percent_of)| {
            if sort {
                steps.sort_by_key(|s| s.0);
                steps.dedup_by(|a, b| a.0 == b.0);
            }
            Thresholds::Steps { base, steps, percent_of }
        });
    let roll = prop_oneof![
        Just(RollUp::WorstLight),
        (decimal(), decimal()).prop_map(|(green_at, yellow_at)| RollUp::WeightedScore { green_at, yellow_at }),
        (decimal(), decimal()).prop_map(|(yellow_above, red_above)| RollUp::ShareInRed { yellow_above, red_above }),
    ];
    let direction =
        prop::sample::select(vec![Direction::HigherIsBetter, Direction::LowerIsBetter, Direction::TargetBand]);
    (
        prop::sample::select(vec!["k", "", " "]),
        direction,
        prop::option::of(decimal()),
        prop_oneof![zones, steps],
        decimal(),
        light(),
        roll,
    )
        .prop_map(|(id, direction, target, thresholds, weight, missing, roll_up)| KpiDefinition {
            id: id.to_owned(),
            name: "fuzzed".into(),
            unit: "u".into(),
            direction,
            target,
            thresholds,
            weight,
            missing,
            roll_up,
        })
}

/// A definition from the constructors (valid by construction when they accept it).
fn kpi_constructed() -> impl Strategy<Value = (u8, Decimal, Decimal, Decimal)> {
    (0u8..3, decimal(), decimal(), decimal())
}

#[derive(Debug, Clone)]
struct KpiCase {
    raw: KpiDefinition,
    constructed: (u8, Decimal, Decimal, Decimal),
    values: Vec<(Option<Decimal>, Option<Decimal>, Option<Decimal>)>,
    weights: Vec<Decimal>,
    rule: (Light, u32, u32, Decimal),
}

fn kpi_case() -> impl Strategy<Value = KpiCase> {
    let value = (prop::option::of(decimal()), prop::option::of(decimal()), prop::option::of(decimal()));
    let periods = prop_oneof![4 => 0u32..4, 1 => Just(u32::MAX)];
    (
        kpi_definition(),
        kpi_constructed(),
        prop::collection::vec(value, 0..8),
        prop::collection::vec(decimal(), 0..6),
        (light(), periods.clone(), periods, decimal()),
    )
        .prop_map(|(raw, constructed, values, weights, rule)| KpiCase { raw, constructed, values, weights, rule })
}

#[test]
fn fuzz_kpi() {
    run("kpi", 4.0, kpi_case(), |target, case| {
        let input = || format!("{case:?}");
        let (which, t, a, b) = case.constructed;
        let built = target.check("KpiDefinition constructors", &input, || match which {
            0 => KpiDefinition::higher_is_better("c", "C", "u", t, a, b),
            1 => KpiDefinition::lower_is_better("c", "C", "u", t, a, b),
            _ => KpiDefinition::target_band("c", "C", "u", t, a, b),
        });
        let validated = target.check("KpiDefinition::validated", &input, || case.raw.clone().validated());
        let mut definitions = vec![("raw", case.raw.clone())];
        definitions.extend(built.map(|d| ("constructed", d)));
        definitions.extend(validated.map(|d| ("validated", d)));
        let (raise_at, for_periods, keep_for_periods, hysteresis) = case.rule;
        let rule = AlertRule { raise_at, for_periods, keep_for_periods, hysteresis };
        let members = ["a1", "a2", "b1", "b2", "c"];
        let tree = Hierarchy::from_parent_links(
            "fuzz",
            [
                ("R", None),
                ("A", Some("R")),
                ("B", Some("R")),
                ("a1", Some("A")),
                ("a2", Some("A")),
                ("b1", Some("B")),
                ("b2", Some("B")),
                ("c", Some("R")),
            ]
            .map(|(m, p)| (m.to_owned(), p.map(str::to_owned))),
        );
        for (kind, definition) in &definitions {
            for (value, previous, last_year) in &case.values {
                target.call(&format!("evaluate ({kind})"), &input, || {
                    evaluate(definition, *value, *previous, *last_year)
                });
            }
            let series: Vec<(NaiveDate, Option<Decimal>)> = case
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (day(2024, 1, 1) + Days::new(i as u64 * 31), v.0))
                .collect();
            target.call(&format!("run_alerts ({kind})"), &input, || run_alerts(definition, &rule, &"m", &series));
            if let Ok(tree) = &tree {
                let mut inputs = HashMap::new();
                for (member, (value, previous, last_year)) in members.iter().zip(&case.values) {
                    inputs.insert(
                        ((*member).to_owned(), definition.id.clone()),
                        KpiInput { value: *value, previous: *previous, last_year: *last_year },
                    );
                }
                let weights: HashMap<String, Decimal> =
                    members.iter().map(|m| (*m).to_owned()).zip(case.weights.iter().copied()).collect();
                target.check(&format!("Scorecard::build ({kind})"), &input, || {
                    Scorecard::build(tree, std::slice::from_ref(definition), &inputs, &weights)
                        .map(|s| members.iter().map(|m| s.overall(&(*m).to_owned())).max())
                });
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Target: the S-P-I ledger
// ---------------------------------------------------------------------------------------------

const KINDS: [&str; 7] =
    ["receipt", "sale", "customer_return", "supplier_return", "transfer_in", "transfer_out", "adjustment"];

/// A movement built through serde (so the test keeps compiling while the model's fields grow);
/// `None` where the model refuses the value at the door.
fn movement(node: usize, product: usize, date: NaiveDate, kind: usize, quantity: Decimal) -> Option<StockMovement> {
    serde_json::from_value(json!({
        "node": format!("N{node}"),
        "product": format!("P{product}"),
        "date": date.to_string(),
        "kind": KINDS[kind % KINDS.len()],
        "quantity": quantity.to_string(),
    }))
    .ok()
}

fn quantity() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        8 => (1i64..1000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
        2 => decimal(),
        1 => prop::sample::select(vec![Decimal::from(1_000_000_000u64), Decimal::from(999_999_999u64), Decimal::ZERO]),
    ]
}

#[test]
fn fuzz_ledger() {
    let movements = prop::collection::vec((0usize..3, 0usize..3, date(), 0usize..7, quantity()), 0..80);
    let openings = prop::collection::vec((0usize..3, 0usize..3, quantity()), 0..4);
    let strategy = (movements, openings, 0usize..5, any::<bool>(), prop_oneof![Just(0u32), 1u32..400, Just(u32::MAX)]);
    run("ledger", 4.0, strategy, |target, (rows, openings, period, allow_negative, window)| {
        let input = || {
            format!(
                "movements {rows:?}, openings {openings:?}, period {period}, allow_negative {allow_negative}, cover window {window}"
            )
        };
        let movements: Vec<StockMovement> =
            rows.iter().filter_map(|(n, p, d, k, q)| movement(*n, *p, *d, *k, *q)).collect();
        let opening: Vec<OpeningStock> = openings
            .iter()
            .filter_map(|(n, p, q)| {
                serde_json::from_value(
                    json!({"node": format!("N{n}"), "product": format!("P{p}"), "quantity": q.to_string()}),
                )
                .ok()
            })
            .collect();
        let period = PERIODS[period % PERIODS.len()];
        let options = LedgerOptions { period, allow_negative };
        if let Some(rows) = target.check("build_ledger", &input, || build_ledger(&movements, &opening, options)) {
            target.call("derive_measures", &input, || {
                derive_measures(&rows, period, MeasureOptions { cover_window_days: window })
            });
        }
        // The same movements in a dataset, through the dataset's door and the views.
        let mut d = Dataset::new(
            "Fuzz",
            serde_json::from_value(json!("CNY")).unwrap_or_else(|_| bases()[0].1.currency.clone()),
            day(2026, 3, 1),
        );
        d.movements = movements;
        target.check("dataset_ledger", &input, || dataset_ledger(&d, options));
    });
}

// ---------------------------------------------------------------------------------------------
// Target: the credit book, operation by operation
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Open {
        customer: usize,
        limit: Decimal,
        terms: u32,
        group: Option<usize>,
        blocked: bool,
        increase: Option<(Decimal, NaiveDate, NaiveDate)>,
        foreign: bool,
    },
    Order {
        order: usize,
        customer: usize,
        amount: Decimal,
        expected: NaiveDate,
    },
    Ship {
        order: usize,
        amount: Decimal,
    },
    Invoice {
        id: usize,
        customer: usize,
        credit_note: bool,
        date: NaiveDate,
        due_in: u32,
        lines: Vec<(Decimal, Decimal, Decimal)>,
        order: Option<usize>,
        against: Option<usize>,
    },
    Payment {
        id: usize,
        customer: usize,
        date: NaiveDate,
        amount: Decimal,
        allocations: Vec<(usize, Decimal)>,
    },
    BusinessDay {
        date: NaiveDate,
    },
    Check {
        customer: usize,
        amount: Decimal,
        date: NaiveDate,
        horizon: Option<u32>,
    },
    Aging {
        date: NaiveDate,
        bounds: Vec<u32>,
    },
    Look {
        customer: usize,
        date: NaiveDate,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let customer = 0usize..4;
    let days = prop_oneof![4 => 0u32..120, 1 => Just(u32::MAX)];
    prop_oneof![
        2 => (customer.clone(), decimal(), days.clone(), prop::option::of(0usize..4), prop::bool::weighted(0.1),
              prop::option::of((decimal(), date(), date())), prop::bool::weighted(0.05))
            .prop_map(|(customer, limit, terms, group, blocked, increase, foreign)| Op::Open { customer, limit, terms, group, blocked, increase, foreign }),
        3 => (0usize..6, customer.clone(), decimal(), date()).prop_map(|(order, customer, amount, expected)| Op::Order { order, customer, amount, expected }),
        2 => (0usize..6, decimal()).prop_map(|(order, amount)| Op::Ship { order, amount }),
        4 => (0usize..8, customer.clone(), prop::bool::weighted(0.2), date(), days.clone(),
              prop::collection::vec((quantity(), quantity(), prop_oneof![4 => Just(Decimal::ZERO), 1 => decimal()]), 0..3),
              prop::option::of(0usize..6), prop::option::of(0usize..8))
            .prop_map(|(id, customer, credit_note, date, due_in, lines, order, against)| Op::Invoice { id, customer, credit_note, date, due_in, lines, order, against }),
        3 => (0usize..8, customer.clone(), date(), decimal(), prop::collection::vec((0usize..8, decimal()), 0..3))
            .prop_map(|(id, customer, date, amount, allocations)| Op::Payment { id, customer, date, amount, allocations }),
        1 => date().prop_map(|date| Op::BusinessDay { date }),
        4 => (customer.clone(), decimal(), date(), prop::option::of(days.clone()))
            .prop_map(|(customer, amount, date, horizon)| Op::Check { customer, amount, date, horizon }),
        1 => (date(), prop::collection::vec(days, 0..4)).prop_map(|(date, bounds)| Op::Aging { date, bounds }),
        2 => (customer, date()).prop_map(|(customer, date)| Op::Look { customer, date }),
    ]
}

fn policy() -> impl Strategy<Value = CreditPolicy> {
    (
        0usize..4,
        prop::option::of(decimal()),
        prop::option::of(0u32..200),
        prop::option::of(0u32..200),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(decimal()),
    )
        .prop_map(|(base, warn_share, block, warn, unlimited, warn_only, cap)| {
            let mut p = [
                CreditPolicy::default(),
                CreditPolicy::erpnext(),
                CreditPolicy::odoo(),
                CreditPolicy::oca_financial_risk(),
            ][base]
                .clone();
            p.warn_share = warn_share;
            p.block_overdue_days = block;
            p.warn_overdue_days = warn;
            if unlimited {
                p.zero_limit = ZeroLimit::Unlimited;
            }
            if warn_only {
                p.over_limit = OverLimitAction::Warn;
            }
            p.open_orders.limit = cap;
            p.max_order_by_class[2] = cap;
            p
        })
}

fn customer_id(i: usize) -> Option<CustomerId> {
    CustomerId::new(format!("C{i}")).ok()
}

/// Applies one operation to the book, every call guarded.
fn apply(target: &Target, book: &mut CreditBook, op: &Op, input: &dyn Fn() -> String) {
    let currency = |foreign: bool| if foreign { "USD" } else { "CNY" };
    match op {
        Op::Open { customer, limit, terms, group, blocked, increase, foreign } => {
            let account: Option<CreditAccount> = serde_json::from_value(json!({
                "customer": format!("C{customer}"),
                "group": group.map(|g| format!("C{g}")),
                "limit": limit.to_string(),
                "terms_days": terms,
                "currency": currency(*foreign),
                "blocked": blocked.then_some("fuzz"),
                "temporary_increases": increase.iter().map(|(a, f, u)| json!({"amount": a.to_string(), "from": f.to_string(), "until": u.to_string()})).collect::<Vec<_>>(),
            }))
            .ok();
            if let Some(account) = account {
                target.check("CreditBook::open_account", input, || book.open_account(account));
            }
        }
        Op::Order { order, customer, amount, expected } => {
            if let (Ok(id), Some(c)) = (OrderId::new(format!("O{order}")), customer_id(*customer)) {
                target.check("CreditBook::book_order", input, || book.book_order(id, &c, *amount, *expected));
            }
        }
        Op::Ship { order, amount } => {
            if let Ok(id) = OrderId::new(format!("O{order}")) {
                target.check("CreditBook::ship", input, || book.ship(&id, *amount));
            }
        }
        Op::Invoice { id, customer, credit_note, date, due_in, lines, order, against } => {
            let due = date.checked_add_days(Days::new(u64::from(*due_in))).unwrap_or(*date);
            let invoice: Option<Invoice> = serde_json::from_value(json!({
                "id": format!("I{id}"),
                "kind": if *credit_note { "credit_note" } else { "invoice" },
                "customer": format!("C{customer}"),
                "date": date.to_string(),
                "due_date": due.to_string(),
                "currency": "CNY",
                "order": order.map(|o| format!("O{o}")),
                "against": against.map(|a| format!("I{a}")),
                "lines": lines.iter().map(|(q, p, disc)| json!({"product": "P0", "quantity": q.to_string(), "unit_price": p.to_string(), "discount": disc.to_string()})).collect::<Vec<_>>(),
            }))
            .ok();
            if let Some(invoice) = invoice {
                target.check("CreditBook::post_invoice", input, || book.post_invoice(&invoice));
            }
        }
        Op::Payment { id, customer, date, amount, allocations } => {
            let payment: Option<Payment> = serde_json::from_value(json!({
                "id": format!("Y{id}"),
                "customer": format!("C{customer}"),
                "date": date.to_string(),
                "amount": amount.to_string(),
                "currency": "CNY",
                "allocations": allocations.iter().map(|(i, a)| json!({"invoice": format!("I{i}"), "amount": a.to_string()})).collect::<Vec<_>>(),
            }))
            .ok();
            if let Some(payment) = payment {
                target.check("CreditBook::post_payment", input, || book.post_payment(&payment));
            }
        }
        Op::BusinessDay { date } => {
            target.call("CreditBook::set_business_day", input, || book.set_business_day(*date));
        }
        Op::Check { customer, amount, date, horizon } => {
            if let Some(c) = customer_id(*customer) {
                let mode = horizon.map_or(CheckMode::Static, |horizon_days| CheckMode::Dynamic { horizon_days });
                target.check("CreditBook::check_order", input, || book.check_order(&c, *amount, *date, mode));
            }
        }
        Op::Aging { date, bounds } => {
            if let Some(buckets) = target.check("AgingBuckets::new", input, || AgingBuckets::new(bounds.clone())) {
                target.call("Receivables::aging", input, || book.receivables().aging(*date, &buckets));
            }
            target.call("Receivables::overdue_ratio", input, || book.receivables().overdue_ratio(None, *date));
            target.call("Receivables::dso_countback", input, || book.receivables().dso_countback(None, *date));
        }
        Op::Look { customer, date } => {
            if let Some(c) = customer_id(*customer) {
                target.check("CreditBook::credit_position", input, || book.credit_position(&c, *date));
                target.call("CreditBook::exposure", input, || {
                    book.exposure(&c, *date, CheckMode::Dynamic { horizon_days: 7 })
                });
                target.call("Receivables::dso_simple", input, || book.receivables().dso_simple(Some(&c), *date, 90));
                target.call("Receivables::overdue_summary", input, || {
                    book.receivables().overdue_summary(&c, *date, &[0, 30, 90])
                });
                target.call("payment_behaviour", input, || payment_behaviour(book.receivables(), &c, *date));
                target.check("recommend_limit", input, || {
                    recommend_limit(book.receivables(), &c, 30, *date, &ScoringRules::default(), &LimitRules::default())
                });
                target.check("Receivables::apply_unapplied", input, || {
                    let mut receivables: Receivables = book.receivables().clone();
                    receivables.apply_unapplied(&c, *date)
                });
            }
        }
    }
}

#[test]
fn fuzz_credit_ops() {
    run("credit_ops", 4.0, (policy(), prop::collection::vec(op(), 0..40)), |target, (policy, ops)| {
        let input = || format!("policy {policy:?}, ops {ops:?}");
        let Ok(cny) = serde_json::from_value(json!("CNY")) else { return };
        let mut book = CreditBook::new(cny, policy.clone());
        for op in &ops {
            apply(target, &mut book, op, &input);
        }
        target.call("CreditBook::customers", &input, || book.customers().len());
    });
}

// ---------------------------------------------------------------------------------------------
// Target: the live engine fed a company's own events, mutated
// ---------------------------------------------------------------------------------------------

/// An engine case: a base company cut `back_days` before its end (the history), the engine's
/// options and the kind of build drawn from `setup`, then one step per seed: the next event of
/// the rest as it is, mutated as a value or as text, a master-data or credit change, an event
/// already accepted sent again, time passing, a batch, a replica's push, the views, a snapshot
/// restored.
#[derive(Debug, Clone)]
struct EngineCase {
    base: usize,
    back_days: u64,
    setup: u64,
    steps: Vec<u64>,
}

fn engine_case() -> impl Strategy<Value = EngineCase> {
    (0usize..8, 0u64..100, any::<u64>(), prop::collection::vec(any::<u64>(), 1..=48))
        .prop_map(|(base, back_days, setup, steps)| EngineCase { base, back_days, setup, steps })
}

/// What a refused event must leave alone, read through the engine's own views: its sequence
/// number and clock, stock, S-P-I rows, lights, alerts and every account's position, compared
/// by value (a Decimal 0 equals 0.0000).
#[derive(Debug, PartialEq)]
struct EngineState {
    clock: (u64, NaiveDate),
    stock: Vec<(NodeId, ProductId, Decimal)>,
    spi_rows: Vec<SpiRow>,
    lights: Vec<(String, String, Light)>,
    alerts: Vec<AlertStatus>,
    positions: Vec<Option<CreditCheck>>,
}

impl EngineState {
    fn of(engine: &Engine) -> Self {
        let book = engine.credit_book();
        EngineState {
            clock: (engine.seq(), engine.as_of()),
            stock: engine.stock_on_hand(),
            spi_rows: engine.spi_rows(),
            lights: engine.lights(),
            alerts: engine.alert_states(),
            positions: book.customers().into_iter().map(|c| engine.credit_position(c).ok()).collect(),
        }
    }

    /// Panics naming the parts that differ from `before`, each shown around its first difference.
    fn assert_same(&self, before: &EngineState, what: &str) {
        let parts = [
            ("seq and clock", self.clock == before.clock, format!("{:?}", self.clock), format!("{:?}", before.clock)),
            ("stock", self.stock == before.stock, format!("{:?}", self.stock), format!("{:?}", before.stock)),
            (
                "S-P-I rows",
                self.spi_rows == before.spi_rows,
                format!("{:?}", self.spi_rows),
                format!("{:?}", before.spi_rows),
            ),
            ("lights", self.lights == before.lights, format!("{:?}", self.lights), format!("{:?}", before.lights)),
            ("alerts", self.alerts == before.alerts, format!("{:?}", self.alerts), format!("{:?}", before.alerts)),
            (
                "positions",
                self.positions == before.positions,
                format!("{:?}", self.positions),
                format!("{:?}", before.positions),
            ),
        ];
        let differ: Vec<String> = parts
            .iter()
            .filter(|(_, same, _, _)| !same)
            .map(|(name, _, now, was)| {
                let at = now.bytes().zip(was.bytes()).take_while(|(x, y)| x == y).count();
                let around = |s: &str| fuzz_support::shorten(s.get(at.saturating_sub(80)..).unwrap_or(s), 240);
                format!("{name}: now {} / before {}", around(now), around(was))
            })
            .collect();
        assert!(differ.is_empty(), "{what}: {}", differ.join("; "));
    }
}

/// The clock moved by `delta` days (either way), at the ends of the calendar when it cannot.
fn days_from(day: NaiveDate, delta: i64) -> NaiveDate {
    let step = Days::new(delta.unsigned_abs());
    let moved = if delta < 0 { day.checked_sub_days(step) } else { day.checked_add_days(step) };
    moved.unwrap_or(if delta < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// A day near `clock`: the same, the days around it, the open period's start and before it
/// (a closed month), far back and far ahead; the ends of the calendar now and then.
fn day_near(clock: NaiveDate, draw: &mut Draw) -> NaiveDate {
    // A clock decades ahead makes every later view span them (slower cases): now and then.
    let deltas = [0i64, 0, 1, 1, 2, -1, -2, -10, -31, -45, -62, -95, -400, 31, 61, 400];
    match draw.below(60) {
        0 => NaiveDate::MIN,
        1 => NaiveDate::MAX,
        2 => days_from(clock, 40_000),
        3 => days_from(clock, -40_000),
        _ => days_from(clock, deltas.get(draw.below(deltas.len())).copied().unwrap_or(0)),
    }
}

/// One of the dates written in `value` moved near `clock`; returns what it did.
fn shift_a_date(value: &mut serde_json::Value, draw: &mut Draw, clock: NaiveDate) -> String {
    fn dates(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => out.push(at),
            serde_json::Value::Array(items) => {
                items.iter().enumerate().for_each(|(i, v)| dates(v, format!("{at}/{i}"), out));
            }
            serde_json::Value::Object(map) => {
                map.iter()
                    .for_each(|(k, v)| dates(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out));
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    dates(value, String::new(), &mut found);
    let Some(pointer) = draw.pick(&found).cloned() else { return "no date to move".into() };
    let day = day_near(clock, draw);
    if let Some(slot) = value.pointer_mut(&pointer) {
        *slot = serde_json::Value::String(day.to_string());
    }
    format!("{pointer} -> {day}")
}

/// `event` mutated once to three times as a JSON value (a field replaced, removed or added, a
/// date moved near the clock) and read back: a typed error when it no longer reads.
fn mutated_event(event: &Event, draw: &mut Draw, clock: NaiveDate) -> Result<Event, OmoError> {
    let mut value = event.to_value()?;
    for _ in 0..1 + draw.below(3) {
        if draw.below(3) == 0 {
            shift_a_date(&mut value, draw, clock);
        } else {
            mutate_value_near(&mut value, draw, &clock.to_string());
        }
    }
    Event::from_value(value)
}

/// A master-data or credit change an ERP posts, drawn from the company's own records: a
/// customer, product, node, account or sales target sent again (changed by a later mutation
/// when there is one), a limit, a temporary increase, a block or unblock, a risk class, an
/// override of an order.
fn master_event(company: &Dataset, draw: &mut Draw, clock: NaiveDate, n: usize) -> Option<Event> {
    use omo_core::credit::{AuditStamp, RiskClass, TemporaryIncrease};
    use omo_core::engine::{CreditIncrease, CreditOverride, CreditRiskClass};
    let customer = draw.pick(&company.customers).map(|c| c.id.clone())?;
    let stamp = AuditStamp::new(day_near(clock, draw), "fuzz", "a change to probe");
    let amounts = [Decimal::ZERO, Decimal::ONE, Decimal::from(50_000), Decimal::new(-5, 0), Decimal::MAX];
    let amount = amounts.get(draw.below(amounts.len())).copied().unwrap_or_default();
    let body = match draw.below(12) {
        0 => EventBody::Customer(Box::new(draw.pick(&company.customers)?.clone())),
        1 => EventBody::Product(Box::new(draw.pick(&company.products)?.clone())),
        2 => EventBody::Node(Box::new(draw.pick(&company.nodes)?.clone())),
        3 => EventBody::CreditAccount(Box::new(draw.pick(&company.credit_accounts)?.clone())),
        4 => EventBody::SalesTarget(draw.pick(&company.sales_targets)?.clone()),
        5 => EventBody::CreditLimit(CreditLimit { customer, limit: amount, stamp }),
        6 => {
            let (from, until) = (day_near(clock, draw), day_near(clock, draw));
            EventBody::TemporaryIncrease(CreditIncrease {
                customer,
                increase: TemporaryIncrease { amount, from, until },
                stamp,
            })
        }
        7 => EventBody::CreditBlock(CreditHold { customer, stamp }),
        8 => EventBody::CreditUnblock(CreditHold { customer, stamp }),
        9 => {
            let class = RiskClass::ALL.get(draw.below(RiskClass::ALL.len())).copied().unwrap_or_default();
            EventBody::CreditRiskClass(CreditRiskClass { customer, class, stamp })
        }
        10 => {
            let order = draw.pick(&company.orders)?.id.clone();
            EventBody::CreditOverride(CreditOverride { customer, order, amount, stamp })
        }
        _ => {
            // A distributor made another kind of customer (its alerts stay), or a customer
            // made a distributor.
            let mut changed = draw.pick(&company.customers)?.clone();
            let kinds = [CustomerKind::Distributor, CustomerKind::Retailer, CustomerKind::EndUser];
            changed.kind = kinds.get(draw.below(kinds.len())).copied().unwrap_or(changed.kind);
            EventBody::Customer(Box::new(changed))
        }
    };
    Some(Event::new(format!("fuzz-{n}"), body))
}

/// The engine a case starts from, with its options drawn from `setup`: built on the history
/// or bulk-loaded from it as a stream; and whether it plans at each month close.
fn engine_of(history: Dataset, setup: &mut Draw) -> Result<(Engine, bool), OmoError> {
    let options = EngineOptions {
        open_months: [1, 2, 2, 3][setup.below(4)],
        plan_alerts: setup.below(8) == 0,
        log_capacity: [0, 3, 1_000_000][setup.below(3)],
        keep_open_records: setup.below(4) != 0,
        ..EngineOptions::default()
    };
    let plans = options.plan_alerts;
    let engine = if setup.below(3) == 0 {
        let (master, records) = StockRecord::stream_of(history);
        Engine::load(master, records, options)
    } else {
        Engine::new(history, options)
    };
    Ok((engine?, plans))
}

/// A case under way: the engine, the events it accepted, the changes it returned and the ones
/// its subscriber received (they must be the same number).
struct EngineRun<'a> {
    target: &'a Target,
    input: &'a dyn Fn() -> String,
    engine: Engine,
    accepted: Vec<Event>,
    returned: usize,
    received: Arc<AtomicUsize>,
    /// How far after the clock an event or an advance may go, if not anywhere: an engine with
    /// plan alerts plans the company at every month it closes, so a jump of decades would plan
    /// it hundreds of times (slow, not wrong).
    reach: Option<Days>,
}

impl EngineRun<'_> {
    /// Whether `day` is beyond the case's reach.
    fn too_far(&self, day: Option<NaiveDate>) -> bool {
        let clock = self.engine.as_of();
        self.reach.is_some_and(|reach| day.is_some_and(|d| clock.checked_add_days(reach).is_none_or(|end| d > end)))
    }

    /// Subscribes a counter of the changes delivered.
    fn subscribe(&mut self) {
        let received = Arc::clone(&self.received);
        self.engine.subscribe(Box::new(move |_| {
            received.fetch_add(1, AtomicOrdering::Relaxed);
        }));
    }

    /// Applies `event`; a refusal must leave every view as it was (checked as a panic of its
    /// own), and an event accepted once is refused when sent again.
    fn apply(&mut self, event: Event) {
        if self.too_far(event.date()) {
            return;
        }
        let (target, input) = (self.target, self.input);
        let Some(before) = target.call("EngineState::of", input, || EngineState::of(&self.engine)) else { return };
        let kept = event.clone();
        let engine = &mut self.engine;
        match target.call("Engine::apply", input, || engine.apply(event)) {
            Some(Ok(changes)) => {
                self.returned += changes.len();
                self.accepted.push(kept);
            }
            Some(Err(e)) => {
                target.call("a refused event changes nothing", input, || {
                    EngineState::of(engine)
                        .assert_same(&before, &format!("{} {:?} refused: {e}", kept.kind(), kept.id));
                });
            }
            None => {}
        }
    }

    /// Sends again an event accepted before: refused as a duplicate, nothing changed.
    fn resend(&mut self, draw: &mut Draw) {
        let Some(event) = draw.pick(&self.accepted).cloned() else { return };
        let accepted = self.accepted.len();
        self.apply(event.clone());
        let again = self.accepted.len() > accepted;
        self.target.call("a duplicate is refused", self.input, || {
            assert!(!again, "{} {:?} accepted twice", event.kind(), event.id);
        });
    }

    /// Lets time pass to a day near the clock (a day before it is refused, nothing changed).
    fn advance(&mut self, draw: &mut Draw) {
        let day = day_near(self.engine.as_of(), draw);
        if self.too_far(Some(day)) {
            return;
        }
        let (target, input) = (self.target, self.input);
        let Some(before) = target.call("EngineState::of", input, || EngineState::of(&self.engine)) else { return };
        let engine = &mut self.engine;
        match target.call("Engine::advance_to", input, || engine.advance_to(day)) {
            Some(Ok(changes)) => self.returned += changes.len(),
            Some(Err(e)) => {
                target.call("a refused advance changes nothing", input, || {
                    EngineState::of(engine).assert_same(&before, &format!("advance to {day} refused: {e}"));
                });
            }
            None => {}
        }
    }

    /// A few events in one call: a batch, one by one to the first refusal, or a replica's push
    /// (each refusal reported, the others applied).
    fn many(&mut self, mut events: Vec<Event>, draw: &mut Draw) {
        events.retain(|e| !self.too_far(e.date()));
        let (target, input) = (self.target, self.input);
        let engine = &mut self.engine;
        let (accepted, returned): (Vec<Event>, usize) = match draw.below(3) {
            0 => {
                let Some(applied) = target.call("Engine::apply_batch", input, || engine.apply_batch(events.clone()))
                else {
                    return;
                };
                (Vec::new(), applied.changes.len())
            }
            1 => {
                let Some(applied) = target.call("Engine::apply_many", input, || engine.apply_many(events.clone()))
                else {
                    return;
                };
                (Vec::new(), applied.changes.len())
            }
            _ => {
                let Some(outcomes) = target.call("Engine::apply_remote", input, || engine.apply_remote(events.clone()))
                else {
                    return;
                };
                let accepted = events.iter().zip(&outcomes).filter(|(_, o)| o.is_ok()).map(|(e, _)| e.clone());
                (accepted.collect(), outcomes.iter().flatten().map(|a| a.changes.len()).sum())
            }
        };
        self.accepted.extend(accepted);
        self.returned += returned;
    }

    /// Events sent as JSON texts, the live server's way ([`EventBatch`]), some of the texts
    /// mutated: one result per text, in order.
    fn ingest(&mut self, events: &[Event], draw: &mut Draw) {
        let texts: Vec<String> = events
            .iter()
            .filter(|e| !self.too_far(e.date()))
            .map(|e| {
                let mut text = e.to_json().unwrap_or_default();
                if draw.below(3) == 0 {
                    mutate_text(&mut text, draw);
                }
                text
            })
            .collect();
        let (target, input) = (self.target, self.input);
        let engine = &mut self.engine;
        let results = target.call("EventBatch ingest", input, || {
            let mut batch = EventBatch::read(texts.iter().map(String::as_str));
            let outcomes = engine.apply_remote(batch.take_events());
            batch.results(outcomes)
        });
        let Some(results) = results else { return };
        self.returned += results.iter().flatten().map(|a| a.changes.len()).sum::<usize>();
        let sent = texts.len();
        target.call("one result per text", input, || assert_eq!(results.len(), sent));
    }

    /// The engine's views and the doors' views on it, each `Ok` or a typed error.
    fn views(&self, company: &Dataset, draw: &mut Draw) {
        use omo_core::analytics::SalesSource;
        use omo_core::views::Axis;
        let (target, input, engine) = (self.target, self.input, &self.engine);
        let customer = draw.pick(&company.customers).map(|c| c.id.clone());
        let node = draw.pick(&company.nodes).map(|n| n.id.clone());
        target.call("Engine::live_scorecard", input, || engine.live_scorecard());
        target.call("Engine::to_dataset", input, || engine.to_dataset());
        let seq = engine.seq();
        let since = [0, seq, seq.saturating_sub(2), seq + 1, u64::MAX][draw.below(5)];
        target.check("Engine::events_since", input, || engine.events_since(since));
        if let Some(c) = &customer {
            target.check("Engine::credit_position", input, || engine.credit_position(c));
            target.call("Engine::kpi_value", input, || engine.kpi_value(c.as_str(), "revenue_attainment"));
        }
        let views = engine.views();
        target.check("views.scorecard", input, || views.scorecard(Axis::Region, None));
        target.check("views.alerts", input, || views.alerts(None));
        target.check("views.health", input, || views.health().map(|_| ()));
        target.check("views.positions", input, || views.positions(None));
        target.check("views.blocked_orders", input, || views.blocked_orders(None));
        target.check("views.channel", input, || views.channel(Period::Month, None, None));
        target.check("views.spi_rollup", input, || {
            views.spi_rollup(&NodeLevel::Region, &ProductLevel::Category, Period::Quarter, None)
        });
        target.check("views.sales", input, || views.sales(SalesSource::SellOut, None));
        target.check("views.customer_summaries", input, || views.customer_summaries(None, None));
        target.check("views.suggested_orders", input, || views.suggested_orders(node.as_ref(), None));
        if let Some(n) = &node {
            target.check("views.node_ledger", input, || views.node_ledger(n, None, Period::Week, None));
        }
        if let Some(c) = &customer {
            target.check("views.distributor", input, || views.distributor(c));
        }
        if draw.below(8) == 0 {
            target.check("views.plan", input, || views.plan().map(|_| ()));
        }
    }

    /// The engine's snapshot, mutated or not, restored; an untouched one restores to the same
    /// views and goes on in the case's place.
    fn restore(&mut self, draw: &mut Draw) {
        let (target, input) = (self.target, self.input);
        let Some(text) =
            target.check("EngineSnapshot to JSON", input, || serde_json::to_string(&self.engine.snapshot()))
        else {
            return;
        };
        if draw.below(2) == 0 {
            let mut value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            mutate_value(&mut value, draw);
            let mutated = value.to_string();
            target.check("Engine::restore (mutated)", input, || {
                EngineSnapshot::from_json(&mutated).and_then(Engine::restore)
            });
            return;
        }
        let outcome =
            target.call("Engine::restore", input, || EngineSnapshot::from_json(&text).and_then(Engine::restore));
        let Some(outcome) = outcome else { return };
        // Only a bulk-loaded engine's snapshot is refused (it holds the records kept only).
        let loaded = self.engine.folded().is_some();
        let refused = outcome.as_ref().err().filter(|_| !loaded).map(ToString::to_string);
        target.call("an engine's own snapshot restores", input, || assert!(refused.is_none(), "{refused:?}"));
        if let Ok(restored) = outcome {
            target.call("a restored snapshot reads the same", input, || {
                EngineState::of(&restored).assert_same(&EngineState::of(&self.engine), "restored");
            });
            self.engine = restored;
            self.subscribe();
        }
    }
}

#[test]
fn fuzz_engine() {
    run("engine", 1.0, engine_case(), drive_engine);
}

/// One engine case (see [`EngineCase`]).
fn drive_engine(target: &Target, case: EngineCase) {
    let Some((name, company)) = bases().get(case.base % bases().len().max(1)) else { return };
    let input = || format!("{name}: {case:?}");
    let cut = company.as_of.checked_sub_days(Days::new(case.back_days)).unwrap_or(company.as_of);
    let Some(rest) = target.check("events_of", &input, || events_of(company, cut)) else { return };
    let mut setup = Draw::new(case.setup);
    let built = target.check("Engine::new/load", &input, || engine_of(company.until(cut), &mut setup));
    let Some((engine, plans)) = built else { return };
    let mut run = EngineRun {
        target,
        input: &input,
        engine,
        accepted: Vec::new(),
        returned: 0,
        received: Arc::new(AtomicUsize::new(0)),
        reach: plans.then_some(Days::new(400)),
    };
    run.subscribe();
    let mut next = rest.into_iter();
    for (n, seed) in case.steps.iter().enumerate() {
        let mut draw = Draw::new(*seed);
        let clock = run.engine.as_of();
        match draw.below(20) {
            0..=7 => {
                if let Some(event) = next.next() {
                    run.apply(event);
                }
            }
            8..=10 => {
                let Some(event) = next.next() else { continue };
                let mutated = target.call("mutated_event", &input, || mutated_event(&event, &mut draw, clock));
                if let Some(Ok(event)) = mutated {
                    run.apply(event);
                }
            }
            11 => {
                let Some(event) = next.next() else { continue };
                let mut text = event.to_json().unwrap_or_default();
                mutate_text(&mut text, &mut draw);
                if let Some(Ok(event)) = target.call("Event::from_json", &input, || Event::from_json(&text)) {
                    run.apply(event);
                }
            }
            12 | 13 => {
                let Some(event) = master_event(company, &mut draw, clock, n) else { continue };
                let event = if draw.below(2) == 0 { mutated_event(&event, &mut draw, clock).ok() } else { Some(event) };
                if let Some(event) = event {
                    run.apply(event);
                }
            }
            14 => run.resend(&mut draw),
            15 => run.advance(&mut draw),
            16 => {
                let mut events: Vec<Event> = next.by_ref().take(1 + draw.below(12)).collect();
                for event in &mut events {
                    if draw.below(4) == 0 {
                        *event = mutated_event(event, &mut draw, clock).unwrap_or_else(|_| event.clone());
                    }
                }
                if let Some(again) = draw.pick(&run.accepted).filter(|_| draw.below(3) == 0).cloned() {
                    events.push(again);
                }
                if draw.below(4) == 0 {
                    run.ingest(&events, &mut draw);
                } else {
                    run.many(events, &mut draw);
                }
            }
            17 | 18 => run.views(company, &mut draw),
            _ => run.restore(&mut draw),
        }
    }
    let (returned, received) = (run.returned, run.received.load(AtomicOrdering::Relaxed));
    target.call("every change returned is delivered", &input, || {
        assert_eq!(returned, received, "changes returned and delivered to the subscriber");
    });
}

// ---------------------------------------------------------------------------------------------
// Regression tests: each panic the fuzzing found, with its exact input
// ---------------------------------------------------------------------------------------------

#[allow(clippy::unwrap_used)] // helpers of the tests below
mod regressions {
    use super::*;
    use omo_core::kpi::roll_up as roll_up_lights;
    use omo_core::model::Currency;

    fn tiny() -> Decimal {
        Decimal::from_parts(1, 0, 0, false, 28)
    }

    fn cny() -> Currency {
        Currency::new("CNY").unwrap()
    }

    /// The live engine accepted a credit limit of Decimal::MAX, beyond the largest amount the
    /// dataset's checks allow, so its own snapshot no longer restored (engine/check.rs).
    #[test]
    fn engine_a_limit_beyond_the_largest_amount_is_refused() {
        let steps = vec![
            17315754311536445633,
            6705473874054780369,
            9351698320845094482,
            792978757231862579,
            627246203835959469,
            6181466193793830653,
            1997857066732441153,
            3348007567848054362,
            9212112994333263937,
            12742321243313207500,
            6468517139624492615,
            1246500556068222297,
            14174585584161722603,
            820760496919469888,
            11676544801545049683,
            10170402959890098626,
            131503495512173578,
            572484479380131924,
            2618484989794159208,
            14705223774714167945,
            13140870126657735694,
            1149934133410308272,
            1338187008506981461,
        ];
        replay("engine", EngineCase { base: 7, back_days: 28, setup: 1402116411144730184, steps }, drive_engine);
    }

    /// With one open month, an engine built on a history ending on a month's last day dropped
    /// that month's running totals (its month-to-date lights went grey), as the live engine did
    /// when time passed to a month's last day: both kept only the months open once the clock
    /// had left it (engine/kpis: `finish`, `close_month`). Found as a restored snapshot reading
    /// other lights than the engine it was taken from.
    #[test]
    fn engine_one_open_month_keeps_the_clock_s_month_on_its_last_day() {
        let steps = vec![
            13378642874014797834,
            13090327941055624659,
            3761571357864951825,
            8327184735682311396,
            2670698010375141091,
            11369653007661535465,
            1067639816687337730,
            5466225796976105233,
            16739752462042196293,
            17978819603531296180,
            1996026275769434082,
            15927196680184648504,
            14237104849038447274,
            10272492695664558873,
            7077181797086495099,
            6999824336434576631,
            14042171043814261394,
            4917702622552398158,
            10053784999534851750,
            1133526327145666690,
            8039752151193733522,
            10684345137836163062,
            11033776683694060012,
            8273016212280019317,
            2826191785172002857,
            15429480220389660956,
            2234806735644715953,
            18432987899440432087,
            2602318795212268890,
            12589630156753122333,
            4128841447692486265,
        ];
        replay("engine", EngineCase { base: 2, back_days: 65, setup: 4843282008817797286, steps }, drive_engine);
    }

    /// A credit limit of 1e-28 under a large exposure: the share of the limit used overflowed a
    /// Decimal in the positions view (credit/book/check.rs: `limit_used`).
    #[test]
    fn engine_a_tiny_limit_s_share_used_saturates() {
        let steps = vec![
            2317553616090092619,
            11719690865368603123,
            13185494992947155365,
            9963644907518914881,
            12771008904572649295,
            5438685575322616167,
            12605094955991160164,
            15193201431249800622,
            13140585512979255619,
            13191306725129230452,
            12041974233411132066,
            8391268531548565129,
            6676325356407288450,
            17680805835739241054,
            14821367130546467966,
            2734166640674579571,
            14388800345078178068,
            2372090741744775850,
            3645435633327416326,
            5080066980557715781,
            12800872552444974679,
            10310001377112722489,
            820095482526344703,
            7441138824901713802,
            4694138525035484195,
            16422841803528665946,
            5661218900587396694,
            2436440499459504341,
            1600687609213483859,
            3594374558593217577,
            14648506088731203440,
            11879234259239951393,
            771296467478437748,
            9160076743190093639,
            4559037970645832628,
            10851867223255896392,
            896217514838461488,
            14816005926251768619,
            13244564524575134465,
            12886217965412151915,
            7130738811515969703,
            13778168868694020583,
            17608377065043907509,
            9288234615895378184,
            7622716323847165276,
        ];
        replay("engine", EngineCase { base: 7, back_days: 77, setup: 10054716603276240465, steps }, drive_engine);
    }

    /// A tracking event dated before the shipment's last one was accepted: the shipment's
    /// events were then out of date order, which the dataset's checks refuse, so the engine's
    /// own snapshot did not restore (engine/check.rs: the shipment as the event leaves it).
    #[test]
    fn engine_a_tracking_event_out_of_date_order_is_refused() {
        let steps = vec![
            2555222975288957759,
            10558702401923662964,
            16822474724078298517,
            12628040556910119335,
            8744492110714825120,
            6379824520426390114,
            15198612358157129866,
            11884399162450355439,
            17585487502538306635,
            12700861670550604446,
            12584718036702401422,
            9743198649196462919,
            10276587879616669304,
            14601179741382674305,
            7019865236424484512,
            9169716940114054720,
            646962772946471818,
            13810094313020090165,
            16868031420463046887,
            10097800341736717480,
            1712622142200210766,
            3381819225233765878,
            4425868844464862087,
            5477957873899789190,
            7318540882942526968,
            2112445816257948955,
            12453770775702728786,
            5881621930544191456,
            13526433510379257016,
            8646634800220405952,
            9191282614103750030,
            13619880751227764100,
            12079293723031473433,
            16982827423741804861,
            15129614650826890952,
            1922835924441596130,
            16724639112670978043,
            18443011966550986127,
            8912176013793286632,
            165076704210373424,
            14724596073050971860,
            9294338690931865555,
            11698341872601887439,
        ];
        replay("engine", EngineCase { base: 4, back_days: 68, setup: 7029475495897422898, steps }, drive_engine);
    }

    /// `evaluate`: value over a target of 1e-28 overflowed a Decimal (kpi/evaluate.rs, attainment).
    #[test]
    fn kpi_attainment_over_a_tiny_target_saturates() {
        let kpi =
            KpiDefinition::higher_is_better("c", "C", "u", tiny(), Decimal::new(95, 2), Decimal::new(85, 2)).unwrap();
        let e = evaluate(&kpi, Some(Decimal::from(1_000_000_000)), None, None);
        assert_eq!(e.light, Light::Green);
        assert_eq!(e.attainment, Some(Decimal::MAX));
        assert_eq!(e.score, Some(Decimal::ONE));
    }

    /// `KpiDefinition::target_band`: band shares of ±Decimal::MAX overflowed `1 - green` and
    /// `1 + yellow` (kpi/definition.rs); now a typed error.
    #[test]
    fn kpi_target_band_with_extreme_shares_is_refused() {
        assert!(KpiDefinition::target_band("c", "C", "u", Decimal::ONE, Decimal::MAX, Decimal::ONE).is_err());
        assert!(KpiDefinition::target_band("c", "C", "u", Decimal::ONE, Decimal::ZERO, Decimal::MIN).is_err());
        assert!(
            KpiDefinition::target_band("c", "C", "u", Decimal::ONE, Decimal::new(1, 1), Decimal::new(2, 1)).is_ok()
        );
    }

    /// `classify`: relative bounds times a target of Decimal::MAX overflowed (kpi/definition.rs).
    #[test]
    fn kpi_relative_bounds_of_a_huge_target_saturate() {
        let kpi =
            KpiDefinition::lower_is_better("c", "C", "u", Decimal::MAX, Decimal::from(2), Decimal::from(3)).unwrap();
        assert_eq!(evaluate(&kpi, Some(Decimal::ONE), None, None).light, Light::Green);
    }

    /// `evaluate`: the distance from a target of Decimal::MIN to a value of Decimal::MAX overflowed.
    #[test]
    fn kpi_distance_between_the_extremes_saturates() {
        let kpi =
            KpiDefinition::higher_is_better("c", "C", "u", Decimal::MIN, Decimal::new(95, 2), Decimal::new(85, 2))
                .unwrap();
        let e = evaluate(&kpi, Some(Decimal::MAX), Some(Decimal::MIN), Some(Decimal::MIN));
        assert_eq!(e.distance, Some(Decimal::MAX));
        assert_eq!(e.vs_last_year, Some(Decimal::MAX));
    }

    /// `classify`: steps in percentage mode over an empty range divided by zero (a definition
    /// built without `validated`, its fields being public).
    #[test]
    fn kpi_percentage_steps_over_an_empty_range_show_the_missing_light() {
        let kpi = KpiDefinition {
            id: "k".into(),
            name: "K".into(),
            unit: "%".into(),
            direction: Direction::HigherIsBetter,
            target: None,
            thresholds: Thresholds::Steps {
                base: Light::Red,
                steps: vec![(Decimal::from(50), Light::Green)],
                percent_of: Some((Decimal::ONE, Decimal::ONE)),
            },
            weight: Decimal::ONE,
            missing: Light::Grey,
            roll_up: RollUp::WorstLight,
        };
        assert!(kpi.clone().validated().is_err());
        assert_eq!(evaluate(&kpi, Some(Decimal::from(5)), None, None).light, Light::Grey);
    }

    /// `run_alerts`: a value moved by a hysteresis of Decimal::MAX overflowed (kpi/alerts.rs).
    #[test]
    fn kpi_alert_hysteresis_of_decimal_max_saturates() {
        let kpi = KpiDefinition::lower_is_better(
            "c",
            "C",
            "u",
            Decimal::from(100),
            Decimal::new(105, 2),
            Decimal::new(12, 1),
        )
        .unwrap();
        let rule = AlertRule { raise_at: Light::Yellow, for_periods: 0, keep_for_periods: 0, hysteresis: Decimal::MAX };
        let series = [(day(2025, 1, 1), Some(Decimal::from(1000))), (day(2025, 2, 1), Some(Decimal::from(50)))];
        let events = run_alerts(&kpi, &rule, &"m", &series);
        assert_eq!(events.len(), 1); // raised, and kept: the value moved by the margin is red
    }

    /// `roll_up`: weights of Decimal::MAX overflowed the weighted score (kpi/scorecard.rs).
    #[test]
    fn kpi_weighted_roll_up_with_huge_weights_saturates() {
        let kpi = KpiDefinition::higher_is_better(
            "c",
            "C",
            "u",
            Decimal::from(100),
            Decimal::new(95, 2),
            Decimal::new(85, 2),
        )
        .unwrap();
        let e = evaluate(&kpi, Some(Decimal::from(100)), None, None);
        let (a, b) = ("a".to_owned(), "b".to_owned());
        let weights = HashMap::from([(a.clone(), Decimal::MAX), (b.clone(), Decimal::MAX)]);
        let method = RollUp::WeightedScore { green_at: Decimal::new(9, 1), yellow_at: Decimal::new(5, 1) };
        let rolled = roll_up_lights(&method, &[(&a, &e), (&b, &e)], &weights);
        assert_ne!(rolled.light, Light::Red);
    }

    fn book_with_order() -> (CreditBook, CustomerId) {
        let c = CustomerId::new("D-01").unwrap();
        let mut book = CreditBook::new(cny(), CreditPolicy::default());
        book.open_account(CreditAccount::new(c.clone(), Decimal::from(100_000), 30, cny()).unwrap()).unwrap();
        book.book_order(OrderId::new("SO-1").unwrap(), &c, Decimal::from(70_000), day(2025, 3, 1)).unwrap();
        (book, c)
    }

    /// `check_order`: a dynamic check whose horizon passes the end of the calendar panicked on
    /// `NaiveDate + Days` (credit/book.rs).
    #[test]
    fn credit_dynamic_check_with_a_horizon_past_the_calendar() {
        let (book, c) = book_with_order();
        let check =
            book.check_order(&c, Decimal::ONE, day(2025, 3, 1), CheckMode::Dynamic { horizon_days: u32::MAX }).unwrap();
        assert_eq!(check.breakdown.open_orders, Decimal::from(70_000));
    }

    /// `check_order`: an order of Decimal::MAX on top of exposure overflowed; now a typed error.
    #[test]
    fn credit_check_of_an_order_of_decimal_max_is_refused() {
        let (book, c) = book_with_order();
        let error = book.check_order(&c, Decimal::MAX, day(2025, 3, 1), CheckMode::Static).unwrap_err();
        assert!(matches!(error, omo_core::OmoError::InvalidArgument { name: "amount", .. }), "{error}");
    }

    /// `aging`: the label after a bucket bound of u32::MAX overflowed (credit/receivables.rs).
    #[test]
    fn credit_aging_with_a_bound_of_u32_max() {
        let buckets = AgingBuckets::new(vec![30, u32::MAX]).unwrap();
        let (book, _) = book_with_order();
        let report = book.receivables().aging(day(2025, 3, 1), &buckets);
        assert_eq!(buckets.labels().last().map(String::as_str), Some("over 4294967295"));
        let _ = report;
    }

    /// `dso_simple`, `payment_behaviour`, `recommend_limit` on the first day of the calendar
    /// subtracted days from it (credit/receivables.rs, credit/behaviour.rs).
    #[test]
    fn credit_views_on_the_first_day_of_the_calendar() {
        let (book, c) = book_with_order();
        let r = book.receivables();
        assert_eq!(r.dso_simple(Some(&c), NaiveDate::MIN, 90), None);
        let _ = payment_behaviour(r, &c, NaiveDate::MIN);
        assert!(recommend_limit(r, &c, 30, NaiveDate::MIN, &ScoringRules::default(), &LimitRules::default()).is_ok());
    }

    /// `cross_validate`: windows and step of usize::MAX overflowed the length needed
    /// (forecast/batch.rs); now a typed error.
    #[test]
    fn forecast_cross_validation_with_huge_counts_is_refused() {
        let options = ForecastOptions::new(1);
        for (windows, step) in [(usize::MAX, usize::MAX), (2, usize::MAX), (usize::MAX, 1)] {
            assert!(cross_validate(&[1.0, 2.0, 3.0], Method::Naive, &options, windows, step).is_err());
        }
        assert!(cross_validate(&[1.0, 2.0, 3.0], Method::Naive, &ForecastOptions::new(usize::MAX), 1, 1).is_err());
    }

    /// `revenue_forecast`: 1e20 units at a price of Decimal::MAX overflowed; now a typed error.
    #[test]
    fn forecast_revenue_beyond_a_decimal_is_refused() {
        assert!(revenue_forecast(&[1e20], &[Decimal::MAX]).is_err());
        assert_eq!(revenue_forecast(&[2.0], &[Decimal::new(125, 2)]).unwrap(), vec![Decimal::new(250, 2)]);
    }

    /// `validate_stock` (and `dataset_ledger`, which calls it): the fuzzed movements below (node,
    /// product, date, kind index into `KINDS`, quantity; several quantities are ±Decimal::MAX)
    /// overflow the running stock of the negative-stock check in
    /// core/src/dataset/negative_stock.rs (`first_negative_day`, `stock += change`: "Addition
    /// overflowed"), which ran even where the quantities were already refused as too large; its
    /// sums are checked now.
    #[test]
    fn dataset_negative_stock_check_overflows_on_huge_quantities() {
        type Row = (usize, usize, (i32, u32, u32), usize, &'static str);
        let rows: [Row; 53] = [
            (2, 2, (2024, 11, 12), 4, "82.5"),
            (2, 0, (2025, 5, 30), 4, "89.5"),
            (2, 2, (2025, 11, 22), 4, "386"),
            (2, 2, (2025, 5, 28), 2, "1.49"),
            (1, 2, (2025, 2, 26), 5, "22.7"),
            (1, 0, (2025, 9, 26), 6, "999999999"),
            (1, 1, (2024, 10, 17), 1, "54.0"),
            (1, 0, (2024, 3, 14), 3, "332075"),
            (0, 0, (2024, 6, 18), 2, "69858.8"),
            (1, 0, (2025, 11, 12), 6, "98.2"),
            (1, 1, (2025, 1, 23), 3, "6.26"),
            (1, 2, (2024, 7, 21), 3, "5.82"),
            (2, 0, (2025, 2, 11), 6, "221685"),
            (1, 2, (2024, 6, 26), 0, "0.0000000000000000000000000001"),
            (2, 0, (2024, 9, 10), 5, "86.7"),
            (2, 1, (2025, 9, 3), 1, "625"),
            (0, 2, (2024, 7, 11), 4, "0"),
            (0, 1, (2024, 3, 24), 1, "611"),
            (1, 1, (2024, 2, 8), 0, "999999999"),
            (0, 1, (2025, 6, 1), 4, "0"),
            (1, 0, (9999, 12, 31), 1, "-6244247398232575191118.6381225"),
            (0, 2, (2024, 11, 29), 2, "50.9"),
            (1, 1, (2025, 6, 16), 2, "7.81"),
            (1, 1, (2026, 2, 7), 1, "89513.9"),
            (2, 2, (1, 1, 1), 4, "133"),
            (0, 2, (2024, 2, 23), 5, "83.2"),
            (0, 1, (2024, 10, 17), 2, "157708"),
            (0, 2, (1970, 1, 1), 1, "132.334"),
            (0, 2, (2024, 4, 9), 1, "0"),
            (0, 0, (2024, 2, 14), 4, "569"),
            (1, 0, (2024, 6, 15), 5, "3.08"),
            (2, 1, (2024, 8, 24), 6, "6.18"),
            (2, 1, (2025, 1, 31), 6, "89.5"),
            (1, 2, (2026, 3, 9), 0, "4.13"),
            (1, 1, (2024, 2, 26), 2, "3.38"),
            (0, 0, (2025, 1, 20), 1, "0.29"),
            (0, 2, (1970, 1, 1), 2, "96.4"),
            (2, 0, (-262143, 1, 1), 4, "1.38"),
            (0, 1, (2024, 5, 28), 2, "2.48"),
            (1, 2, (2025, 9, 16), 1, "0.50"),
            (0, 0, (2025, 9, 25), 5, "-79228162514264337593543950335"),
            (2, 1, (2025, 7, 5), 1, "1.06"),
            (0, 2, (2024, 6, 1), 1, "276"),
            (1, 2, (2024, 6, 13), 6, "57.2"),
            (2, 2, (2024, 8, 18), 4, "1000000000"),
            (2, 1, (2024, 10, 3), 0, "-79228162514264337593543950335"),
            (2, 1, (2026, 2, 25), 5, "11.1"),
            (1, 2, (2026, 2, 12), 2, "1.52"),
            (0, 0, (1, 1, 1), 0, "52.3"),
            (0, 1, (2024, 10, 11), 2, "80.2"),
            (2, 2, (2024, 2, 15), 6, "-563518"),
            (0, 1, (2025, 3, 18), 1, "49.2"),
            (0, 2, (2025, 7, 16), 3, "6.96"),
        ];
        let mut d = Dataset::new("Fuzz", cny(), day(2026, 3, 1));
        d.movements = rows
            .iter()
            .filter_map(|(n, p, (y, m, dd), k, q)| {
                movement(*n, *p, NaiveDate::from_ymd_opt(*y, *m, *dd)?, *k, q.parse().ok()?)
            })
            .collect();
        assert!(!d.validate_stock().is_ok());
        assert!(dataset_ledger(&d, LedgerOptions { period: Period::Day, allow_negative: false }).is_err());
    }

    /// The credit book took documents of any magnitude: an order of Decimal::MAX overflowed the
    /// pipeline (book.rs `book_order`), an invoice line of Decimal::MAX units at Decimal::MAX
    /// overflowed its amount (model/order.rs `SalesLine::amount`, reached from
    /// `CreditBook::post_invoice`), payments and allocations of Decimal::MAX overflowed the
    /// receivables (receivables.rs `post_payment`, `apply_oldest_first`). The book now checks
    /// each document's fields at its door.
    #[test]
    fn credit_postings_of_unbounded_amounts_are_refused() {
        let (mut book, c) = book_with_order();
        let max = Decimal::MAX.to_string();
        assert!(book.book_order(OrderId::new("SO-2").unwrap(), &c, Decimal::MAX, day(2025, 3, 1)).is_err());
        let invoice: Invoice = serde_json::from_value(json!({
            "id": "I1", "customer": "D-01", "date": "2025-03-01", "due_date": "2025-03-31", "currency": "CNY",
            "lines": [{"product": "P0", "quantity": max, "unit_price": max, "discount": "0"}],
        }))
        .unwrap();
        assert!(book.post_invoice(&invoice).is_err());
        let payment: Payment = serde_json::from_value(json!({
            "id": "Y1", "customer": "D-01", "date": "2025-03-02", "amount": max, "currency": "CNY",
            "allocations": [{"invoice": "I1", "amount": max}, {"invoice": "I1", "amount": max}],
        }))
        .unwrap();
        assert!(book.post_payment(&payment).is_err());
        assert!(book.check_order(&c, Decimal::ONE, day(2025, 3, 2), CheckMode::Static).is_ok());
    }

    /// `Payment::validated` (and so `Dataset::validate` of a dataset holding it): two allocations
    /// of Decimal::MAX overflow `Payment::unallocated` in core/src/model/billing.rs, which the
    /// record's own check calls after noting that each allocation is too large; it saturates now.
    #[test]
    fn model_payment_check_overflows_on_huge_allocations() {
        let max = Decimal::MAX.to_string();
        let payment: Payment = serde_json::from_value(json!({
            "id": "Y1", "customer": "D-01", "date": "2025-03-02", "amount": "1", "currency": "CNY",
            "allocations": [{"invoice": "I1", "amount": max}, {"invoice": "I1", "amount": max}],
        }))
        .unwrap();
        assert!(payment.validated().is_err());
    }
}
