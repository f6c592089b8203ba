//! Every textbook case of `../shared/reference/inventory_cases.json` (Snyder & Shen's examples as
//! computed by stockpyl, and inventorize's examples) and every replenishment rule case of
//! `../shared/reference/rule_cases.json` (ERPNext and Odoo), matched to the stated tolerance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use omo_core::spi::*;
use omo_test_support::reference_cases;
use rust_decimal::Decimal;
use serde_json::Value;

const TOLERANCE: f64 = 1e-6;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(id: &str, what: &str, got: f64, expected: &Value) {
    let expected = f(expected);
    let scale = expected.abs().max(1.0);
    assert!((got - expected).abs() <= TOLERANCE * scale, "{id}: {what} = {got}, expected {expected}");
}

fn d(v: &Value) -> Decimal {
    Decimal::try_from(f(v)).unwrap()
}

/// Runs one inventory case; returns false for a kind this test does not know (which fails the test).
fn inventory_case(case: &Value) -> bool {
    let id = case["id"].as_str().unwrap();
    let i = &case["inputs"];
    let e = &case["expected"];
    match id {
        "eoq_example_3_1" => {
            let (k, h, l) = (f(&i["fixed_cost_K"]), f(&i["holding_cost_h"]), f(&i["demand_rate_lambda"]));
            let q = eoq(k, h, l).unwrap();
            close(id, "order_quantity", q, &e["order_quantity"]);
            close(id, "annual_cost", eoq_cost(q, k, h, l).unwrap(), &e["annual_cost"]);
            close(id, "cost_at_Q_250", eoq_cost(250.0, k, h, l).unwrap(), &e["cost_at_Q_250"]);
        }
        "eoq_all_units_discount_example_3_6" => {
            let b: Vec<f64> = i["breakpoints"].as_array().unwrap().iter().map(f).collect();
            let c: Vec<f64> = i["unit_costs"].as_array().unwrap().iter().map(f).collect();
            let (q, region, cost) = eoq_all_units_discount(
                f(&i["fixed_cost_K"]),
                f(&i["holding_cost_rate_i"]),
                f(&i["demand_rate_lambda"]),
                &b,
                &c,
            )
            .unwrap();
            close(id, "order_quantity", q, &e["order_quantity"]);
            assert_eq!(region as u64, e["region"].as_u64().unwrap(), "{id}");
            close(id, "total_cost", cost, &e["total_cost"]);
        }
        "newsvendor_normal_example_4_3" => {
            let (h, p, mu, sd) =
                (f(&i["holding_cost_h"]), f(&i["stockout_cost_p"]), f(&i["demand_mean"]), f(&i["demand_sd"]));
            let s = newsvendor_normal(h, p, mu, sd).unwrap();
            close(id, "base_stock_level", s, &e["base_stock_level"]);
            close(id, "safety_stock", s - mu, &e["safety_stock"]);
            close(id, "z", normal_quantile(p / (p + h)).unwrap(), &e["z"]);
            close(id, "expected_cost", base_stock_normal_cost(s, h, p, mu, sd, 0.0).unwrap(), &e["expected_cost"]);
            close(id, "cost_at_S_40", base_stock_normal_cost(40.0, h, p, mu, sd, 0.0).unwrap(), &e["cost_at_S_40"]);
        }
        "base_stock_lead_time_example_4_4" => {
            let (h, p, mu, sd, l) = (
                f(&i["holding_cost_h"]),
                f(&i["stockout_cost_p"]),
                f(&i["demand_mean_per_period"]),
                f(&i["demand_sd_per_period"]),
                f(&i["lead_time_periods"]),
            );
            let s = base_stock_normal(h, p, mu, sd, l).unwrap();
            close(id, "base_stock_level", s, &e["base_stock_level"]);
            close(id, "safety_stock", s - mu * (l + 1.0), &e["safety_stock"]);
            close(
                id,
                "expected_cost_per_period",
                base_stock_normal_cost(s, h, p, mu, sd, l).unwrap(),
                &e["expected_cost_per_period"],
            );
        }
        "newsvendor_explicit_example_4_2" => {
            let (q, profit) = newsvendor_profit(
                f(&i["revenue"]),
                f(&i["purchase_cost"]),
                f(&i["salvage_value"]),
                f(&i["demand_mean"]),
                f(&i["demand_sd"]),
            )
            .unwrap();
            close(id, "order_quantity", q, &e["order_quantity"]);
            close(id, "expected_profit", profit, &e["expected_profit"]);
        }
        "newsvendor_poisson_example_4_7" | "base_stock_poisson_lead_time_scmo_4_19" => {
            let (h, p) = (f(&i["holding_cost_h"]), f(&i["stockout_cost_p"]));
            let mean = f(i.get("demand_mean").unwrap_or(&i["demand_mean_per_period"]));
            let lead = i.get("lead_time_periods").map_or(0, |v| v.as_u64().unwrap() as u32);
            let s = newsvendor_poisson(h, p, mean, lead).unwrap();
            close(id, "base_stock_level", s as f64, &e["base_stock_level"]);
            close(id, "expected_cost", poisson_level_cost(s as i64, h, p, mean, lead).unwrap(), &e["expected_cost"]);
        }
        "sS_exact_example_4_7" => {
            let policy = optimal_ss_poisson(
                f(&i["holding_cost_h"]),
                f(&i["stockout_cost_p"]),
                f(&i["fixed_cost_K"]),
                f(&i["demand_mean"]),
            )
            .unwrap();
            close(id, "s", policy.reorder_point as f64, &e["reorder_point_s"]);
            close(id, "S", policy.order_up_to as f64, &e["order_up_to_S"]);
            close(id, "expected_cost", policy.cost, &e["expected_cost"]);
        }
        "rQ_eoq_plus_ss_example_5_5" => {
            let lt = f(&i["lead_time_years"]);
            let policy = rq_eoq_plus_safety_stock(
                f(&i["holding_cost_h"]),
                f(&i["stockout_cost_p"]),
                f(&i["fixed_cost_K"]),
                f(&i["demand_mean_per_year"]),
                f(&i["demand_sd_per_year"]),
                lt,
            )
            .unwrap();
            close(id, "reorder_point", policy.reorder_point, &e["reorder_point"]);
            close(id, "order_quantity", policy.order_quantity, &e["order_quantity"]);
            close(id, "safety_stock", policy.reorder_point - f(&i["demand_mean_per_year"]) * lt, &e["safety_stock"]);
            close(
                id,
                "lead_time_demand_sd",
                lead_time_demand_sd(f(&i["demand_sd_per_year"]), lt, 0.0, 0.0).unwrap(),
                &e["lead_time_demand_sd"],
            );
        }
        "rQ_eil_example_5_2" | "rQ_loss_function_example_5_6" => {
            let args = (
                f(&i["holding_cost_h"]),
                f(&i["stockout_cost_p"]),
                f(&i["fixed_cost_K"]),
                f(&i["demand_mean"]),
                f(&i["demand_sd"]),
                f(&i["lead_time"]),
            );
            let solve = if id.contains("eil") { rq_expected_inventory_level } else { rq_loss_function };
            let policy = solve(args.0, args.1, args.2, args.3, args.4, args.5).unwrap();
            close(id, "reorder_point", policy.reorder_point, &e["reorder_point"]);
            close(id, "order_quantity", policy.order_quantity, &e["order_quantity"]);
            if let Some(cost) = e.get("cost") {
                close(id, "cost", policy.cost.unwrap(), cost);
            }
        }
        "rQ_poisson_exact_example_5_8" => {
            let policy = rq_poisson_exact(
                f(&i["holding_cost_h"]),
                f(&i["stockout_cost_p"]),
                f(&i["fixed_cost_K"]),
                f(&i["demand_mean"]),
                f(&i["lead_time"]),
            )
            .unwrap();
            close(id, "reorder_point", policy.reorder_point, &e["reorder_point"]);
            close(id, "order_quantity", policy.order_quantity, &e["order_quantity"]);
            close(id, "cost", policy.cost.unwrap(), &e["cost"]);
        }
        "wagner_whitin_example_3_9" => {
            let demand: Vec<f64> = i["demand"].as_array().unwrap().iter().map(f).collect();
            let plan = wagner_whitin(&demand, f(&i["holding_cost"]), f(&i["fixed_cost"])).unwrap();
            // The reference lists periods from 1, with a placeholder at index 0.
            let expected: Vec<f64> = e["order_quantities"].as_array().unwrap().iter().skip(1).map(f).collect();
            assert_eq!(plan.order_quantities, expected, "{id}");
            close(id, "total_cost", plan.total_cost, &e["total_cost"]);
            let next: Vec<u64> =
                e["next_order_periods"].as_array().unwrap().iter().skip(1).map(|v| v.as_u64().unwrap()).collect();
            assert_eq!(plan.next_order_period.iter().map(|&p| p as u64 + 1).collect::<Vec<_>>(), next, "{id}");
        }
        "gsm_serial_example_6_3" => {
            let node = |k: &str| &i["nodes"][k];
            let stage = |k: &str| GsmStage {
                holding_cost: f(&node(k)["local_holding_cost"]),
                processing_time: node(k)["processing_time"].as_u64().unwrap() as u32,
                demand_sd: 1.0,
            };
            let (times, cost) = gsm_serial(
                &[stage("3"), stage("2"), stage("1")],
                node("3")["external_inbound_cst"].as_u64().unwrap() as u32,
                node("1")["external_outbound_cst"].as_u64().unwrap() as u32,
                f(&i["demand_bound_constant_z"]),
            )
            .unwrap();
            let expected: Vec<u32> =
                ["3", "2", "1"].iter().map(|k| e["committed_service_times"][k].as_u64().unwrap() as u32).collect();
            assert_eq!(times, expected, "{id}");
            close(id, "total_safety_stock_cost", cost, &e["total_safety_stock_cost"]);
        }
        "gsm_safety_stock_levels_example_6_5" => {
            // Tree 1 -> 3 -> {2, 4}: a stage's demand sd pools the demand stages below it.
            let z = f(&i["demand_bound_constant_z"]);
            let cst = |k: &str| i["cst"][k].as_u64().unwrap() as u32;
            let t = |k: &str| i["nodes"][k]["processing_time"].as_u64().unwrap() as u32;
            let leaf_sd = |k: &str| f(&i["nodes"][k]["demand_sd"]);
            let pooled = (leaf_sd("2").powi(2) + leaf_sd("4").powi(2)).sqrt();
            let levels = [
                (
                    "1",
                    gsm_safety_stock(
                        z,
                        pooled,
                        i["nodes"]["1"]["external_inbound_cst"].as_u64().unwrap() as u32,
                        t("1"),
                        cst("1"),
                    )
                    .unwrap(),
                ),
                ("3", gsm_safety_stock(z, pooled, cst("1"), t("3"), cst("3")).unwrap()),
                ("2", gsm_safety_stock(z, leaf_sd("2"), cst("3"), t("2"), cst("2")).unwrap()),
                ("4", gsm_safety_stock(z, leaf_sd("4"), cst("3"), t("4"), cst("4")).unwrap()),
            ];
            for (k, level) in levels {
                close(id, k, level, &e["safety_stock"][k]);
            }
        }
        "inventorize_reorderpoint_csl90" => {
            let (dm, sd, l, csl) =
                (f(&i["daily_demand"]), f(&i["daily_sd"]), f(&i["lead_time_days"]), f(&i["cycle_service_level"]));
            close(id, "safety_stock", safety_stock(csl, sd, l, dm, 0.0).unwrap(), &e["safety_stock"]);
            close(id, "reorder_point", reorder_point(csl, dm, sd, l, 0.0).unwrap(), &e["reorder_point"]);
            close(id, "sigma_L", lead_time_demand_sd(sd, l, dm, 0.0).unwrap(), &e["sigma_L"]);
            close(id, "z", normal_quantile(csl).unwrap(), &e["z"]);
        }
        "rop_with_leadtime_variability" => {
            let (dm, sd, l, lsd, csl) = (
                f(&i["daily_demand"]),
                f(&i["daily_sd"]),
                f(&i["lead_time_days"]),
                f(&i["lead_time_sd_days"]),
                f(&i["cycle_service_level"]),
            );
            close(id, "sigma_DL", lead_time_demand_sd(sd, l, dm, lsd).unwrap(), &e["sigma_DL"]);
            close(id, "safety_stock", safety_stock(csl, sd, l, dm, lsd).unwrap(), &e["safety_stock"]);
            close(id, "reorder_point", reorder_point(csl, dm, sd, l, lsd).unwrap(), &e["reorder_point"]);
        }
        "inventorize_ss_csl_fillrate" => {
            // Annual figures over a lead time in weeks: L / 52 of a year.
            let years = f(&i["lead_time_weeks"]) / 52.0;
            let sigma_l = lead_time_demand_sd(f(&i["annual_sd"]), years, 0.0, 0.0).unwrap();
            let csl = f(&i["csl"]);
            close(id, "sigmadL", sigma_l, &e["sigmadL"]);
            close(id, "k", normal_quantile(csl).unwrap(), &e["k"]);
            close(id, "gk", standard_normal_loss(normal_quantile(csl).unwrap()), &e["gk"]);
            let ss = safety_stock(csl, f(&i["annual_sd"]), years, 0.0, 0.0).unwrap();
            close(id, "safteystock", ss, &e["safteystock"]);
            close(id, "min", f(&i["annual_demand"]) * years + ss, &e["min"]);
            let (short, rate) = fill_rate(csl, sigma_l, f(&i["order_quantity"])).unwrap();
            close(id, "eus", short, &e["eus"]);
            close(id, "fillrate", rate, &e["fillrate"]);
        }
        "inventorize_abc" => return abc_case(case),
        _ => return false,
    }
    true
}

fn abc_case(case: &Value) -> bool {
    let id = case["id"].as_str().unwrap();
    let values: Vec<(String, Decimal)> =
        case["inputs"]["values"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), d(v))).collect();
    // inventorize cuts "c < 0.80 -> A, c < 0.95 -> B" on a floating-point cumulative sum, which
    // puts SKU C (exactly 80 %) in A and SKU F (exactly 95 %) in C. In exact arithmetic the same
    // answer is an inclusive A cut and an exclusive B cut.
    let cuts = AbcCuts {
        a: Cut { share: Decimal::new(80, 2), inclusive: true },
        b: Cut { share: Decimal::new(95, 2), inclusive: false },
    };
    let classes = abc_classes(&values, cuts).unwrap();
    for class in &classes {
        let expected = case["expected"]["category"][&class.item].as_str().unwrap();
        assert_eq!(class.class.as_str(), expected, "{id}: {}", class.item);
        close(
            id,
            &class.item,
            class.cumulative_share.try_into().unwrap(),
            &case["expected"]["cumulative"][&class.item],
        );
    }
    assert_eq!(classes.len(), values.len());
    true
}

#[test]
fn every_textbook_inventory_case_matches() {
    let Some(cases) = reference_cases("reference/inventory_cases.json") else { return };
    assert!(cases.len() >= 19);
    let unknown: Vec<&str> = cases.iter().filter(|c| !inventory_case(c)).map(|c| c["id"].as_str().unwrap()).collect();
    assert!(unknown.is_empty(), "cases not run: {unknown:?}");
}

#[test]
fn every_erp_replenishment_rule_case_matches() {
    let Some(cases) = reference_cases("reference/rule_cases.json") else { return };
    let mut ran = 0;
    for case in cases.iter().filter(|c| c["group"] == "replenishment") {
        let id = case["id"].as_str().unwrap();
        let i = &case["inputs"];
        let e = &case["expected"];
        let (got, expected) = if id == "erpnext_projected_qty" {
            let position = InventoryPosition {
                on_hand: d(&i["actual"]),
                on_order: d(&i["ordered"]),
                requested: d(&i["indented"]),
                planned: d(&i["planned"]),
                reserved: d(&i["reserved"]),
                backorders: Decimal::ZERO,
            };
            (position.projected(), d(&e["projected_qty"]))
        } else if id.starts_with("erpnext_reorder") {
            (
                ReorderRule::erpnext(d(&i["reorder_level"]), d(&i["reorder_qty"]))
                    .order_quantity(d(&i["projected_qty"])),
                d(&e["material_request_qty"]),
            )
        } else if id.starts_with("odoo_orderpoint") {
            let rule = ReorderRule::odoo(d(&i["product_min_qty"]), d(&i["product_max_qty"]), d(&i["qty_multiple"]));
            (rule.order_quantity(d(&i["qty_forecast"])), d(&e["qty_to_order"]))
        } else {
            panic!("unknown replenishment case {id}");
        };
        assert_eq!(got, expected, "{id}");
        ran += 1;
    }
    assert_eq!(ran, 11);
}

#[test]
fn every_erpnext_fifo_ageing_case_matches() {
    let Some(cases) = reference_cases("reference/rule_cases.json") else { return };
    let mut ran = 0;
    for case in cases.iter().filter(|c| c["group"] == "ledger") {
        let moves: Vec<(Decimal, String)> = case["inputs"]["moves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (d(&m[0]), m[1].as_str().unwrap().to_owned()))
            .collect();
        let mut queue = FifoQueue::new();
        for (quantity, tag) in moves {
            queue.apply(quantity, tag);
        }
        let expected: Vec<(Decimal, String)> = case["expected"]["queue"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (d(&m[0]), m[1].as_str().unwrap().to_owned()))
            .collect();
        let got: Vec<(Decimal, String)> = queue.layers().iter().map(|l| (l.quantity, l.received.clone())).collect();
        assert_eq!(got, expected, "{}", case["id"]);
        ran += 1;
    }
    assert_eq!(ran, 3);
}
