//! The main job prints the company's structure and last quarter's sales, writes its dashboard,
//! and refuses a broken dataset with every broken reference named, writing nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use omo_core::analytics::{SalesSource, sales_by_region_and_category};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::views::Window;
use omo_examples::report::money;
use rust_decimal::Decimal;

/// A dashboard path of this test's own, in the temporary folder.
fn dashboard_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("omo-{name}-{}.html", std::process::id()))
}

/// Runs the main job, its dashboard written to `dashboard_path(name)`.
fn run_named(name: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_omo-examples"))
        .args(args)
        .arg("--out")
        .arg(dashboard_path(name))
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn run(args: &[&str]) -> (bool, String, String) {
    run_named("main-job", args)
}

#[test]
fn the_report_shows_structure_and_last_quarter_sales_of_the_sample() {
    let (ok, text, err) = run_named("seed-42", &["--seed", "42"]);
    assert!(ok, "{err}");
    let dashboard = dashboard_path("seed-42");
    assert!(text.contains(&format!("Dashboard: {}", dashboard.display())), "{text}");
    let page = std::fs::read_to_string(&dashboard).unwrap();
    std::fs::remove_file(&dashboard).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
    for (id, _) in omo_examples::dashboard::SECTIONS {
        assert!(page.contains(&format!(r#"data-section="{id}""#)), "section {id} missing");
    }
    assert!(text.contains("== Structure =="));
    assert!(text.contains("Customer axis: 3091 customers"), "{text}");
    assert!(text.contains("consigned stock held at Jiangsu water-soluble OEM [OEM-1]"));
    assert!(text.contains("== Sales, 2025-10-01 to 2025-12-31 =="));
    // The grand total printed is the core's figure for the same quarter.
    let company = sample_company(&SampleConfig::default()).unwrap();
    let Window { from, to } = Window::last_complete_quarter(company.as_of);
    let cells = sales_by_region_and_category(&company, from, to, SalesSource::Invoiced).unwrap();
    let total: Decimal = cells.iter().map(|c| c.revenue).sum();
    let total_line = text.lines().find(|l| l.trim_start().starts_with("total")).unwrap();
    assert!(total_line.trim_end().ends_with(&money(total)), "{total_line} vs {}", money(total));
    // The plan section: the lines' loads and the count of lights to act on are the core's.
    let settings = omo_core::plan::ChannelSettings::new(company.as_of);
    let plan = omo_core::plan::company_plan(&company, &settings, &Default::default()).unwrap();
    assert!(text.contains(&format!("Plan lights not green: {}", plan.to_act_on().len())), "{text}");
    let supply = plan.supply.unwrap();
    let gran: Vec<String> = supply
        .loads
        .iter()
        .filter(|l| l.line.as_str() == "GRAN-1")
        .map(|l| format!("{}%", (l.load().unwrap() * Decimal::ONE_HUNDRED).round_dp(0)))
        .collect();
    let row = text.lines().find(|l| l.trim_start().starts_with("GRAN-1")).unwrap();
    let printed: Vec<String> =
        row.split_whitespace().skip(1).map(|c| c.trim_end_matches(['!', '-']).to_owned()).collect();
    assert_eq!(printed, gran);
    // The channel line counts the customers buying through another, as the dataset records them.
    let through = company.customers.iter().filter(|c| c.parent.is_some()).count();
    assert!(text.contains(&format!("channel: {through} customers buy through another")), "{text}");
    // Top customers: one ranking (the core's) in the report and on the page.
    let Window { from, to } = Window::trailing(&company, company.as_of, omo_core::kpi::TRAILING_MONTHS);
    let top = omo_core::analytics::top_customers(&company, from, to, 8);
    let heading = text.lines().position(|l| l.starts_with("Top customers by revenue")).unwrap();
    let printed: Vec<&str> =
        text.lines().skip(heading + 2).take(top.len()).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(printed, top.iter().map(|s| s.customer.as_str()).collect::<Vec<_>>());
    let on_page = &page[page.find("Top customers by revenue").unwrap()..];
    assert!(on_page.find(top[0].customer.as_str()) < on_page.find(top[1].customer.as_str()));
    // Every region of the sample appears in the sales table.
    for region in ["North China", "East China", "South China", "Southwest China"] {
        assert!(text.lines().filter(|l| l.trim_start().starts_with(region)).count() >= 2, "{region}");
    }
}

#[test]
fn a_broken_dataset_is_refused_with_every_issue_named() {
    let mut company = sample_company(&SampleConfig::small(5)).unwrap();
    company.customers[0].region = omo_core::model::RegionId::new("ATLANTIS").unwrap();
    company.movements[0].node = omo_core::model::NodeId::new("NOWHERE").unwrap();
    let path = std::env::temp_dir().join(format!("omo-broken-{}.json", std::process::id()));
    std::fs::write(&path, company.to_json().unwrap()).unwrap();
    let (ok, text, err) = run_named("broken", &["--dataset", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(!ok);
    assert!(!dashboard_path("broken").exists(), "wrote a dashboard for a broken dataset");
    assert!(text.is_empty(), "printed a report for a broken dataset: {text}");
    assert!(err.contains("2 invalid value(s)"), "{err}");
    assert!(err.contains("unknown region \"ATLANTIS\""), "{err}");
    assert!(err.contains("stock_movement #0: node: unknown node \"NOWHERE\""), "{err}");
}

#[test]
fn bad_options_are_refused() {
    let (ok, _, err) = run(&["--seed", "many"]);
    assert!(!ok && err.contains("--seed \"many\": invalid digit"), "{err}");
    let (ok, _, err) = run(&["--colour"]);
    assert!(!ok && err.contains("unknown option \"--colour\""), "{err}");
}

/// The report after the live log (its lines start with "Live:" or are the replay's), and the
/// dashboard's path dropped.
fn report_part(text: &str) -> String {
    let report = text.split_once("\n== ").map_or(text, |(_, rest)| rest);
    report.lines().filter(|l| !l.starts_with("Dashboard: ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn with_a_store_the_sample_s_history_streams_into_it_and_a_second_run_continues_from_it() {
    let small = ["--distributors", "3", "--retailers-per-distributor", "4", "--farmers", "300", "--years", "2"];
    let store = std::env::temp_dir().join(format!("omo-main-job-store-{}.db", std::process::id()));
    for file in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{file}", store.display()));
    }
    let with_store = [&small[..], &["--store", store.to_str().unwrap()]].concat();
    let (ok, memory, err) = run_named("store-memory", &small);
    assert!(ok, "{err}");
    let (ok, first, err) = run_named("store-first", &with_store);
    assert!(ok, "{err}");
    assert!(
        first.starts_with("Live: the history up to 2024-09-30 bulk-loaded as a stream into the new store"),
        "{first}"
    );
    let (ok, second, err) = run_named("store-second", &with_store);
    assert!(ok, "{err}");

    // The first run replays the quarter as the in-memory run does; the second finds every
    // event in the store and applies none.
    let summary =
        |text: &str| text.lines().find(|l| l.contains(" events applied (seq ")).unwrap_or_default().to_owned();
    assert_eq!(summary(&first), summary(&memory));
    let applied: u64 = summary(&memory).trim_start_matches("Live: ").split(' ').next().unwrap().parse().unwrap();
    assert!(applied > 1_000, "{}", summary(&memory));
    assert!(second.starts_with(&format!("Live: reopened {} at event {applied},", store.display())), "{second}");
    assert!(
        summary(&second)
            .contains(&format!("{applied} events applied (seq {applied}), clock 2024-12-31; 0 light changes"))
    );
    // The report and the dashboard are the same in all three.
    assert_eq!(report_part(&first), report_part(&memory));
    assert_eq!(report_part(&second), report_part(&memory));
    let page = |name: &str| std::fs::read(dashboard_path(name)).unwrap();
    assert_eq!(page("store-first"), page("store-memory"));
    assert_eq!(page("store-second"), page("store-memory"));
    for file in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{file}", store.display()));
    }
    for name in ["store-memory", "store-first", "store-second"] {
        let _ = std::fs::remove_file(dashboard_path(name));
    }
}
