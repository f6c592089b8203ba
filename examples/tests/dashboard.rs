//! The dashboard of the sample company: every section drawn, and its lights are the core's.
//! The test also writes the core's lights of the main job's company to
//! `target/dashboard-fixture/expected-lights.json`, which the browser test (tests/browser/)
//! checks against what Chromium shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};

use omo_core::kpi::last_complete_month;
use omo_core::kpi::{Scorecard, business_unit_hierarchy, distributor_hierarchy, standard_inputs, standard_kpis};
use omo_core::plan::{ChannelSettings, SupplySettings, company_plan};
use omo_core::sample::{SampleConfig, sample_company};
use omo_examples::dashboard::{SECTIONS, render};

#[test]
fn every_section_is_drawn_and_the_lights_are_the_cores() {
    // The main job's default company.
    let company = omo_core::ValidDataset::new(sample_company(&SampleConfig::default()).unwrap()).unwrap();
    let page = render(&company).unwrap();
    for (id, _) in SECTIONS {
        let start = page.find(&format!(r#"data-section="{id}""#)).unwrap_or_else(|| panic!("no section {id}"));
        let rest = &page[start..];
        let section = &rest[..rest.find("</section>").unwrap()];
        assert!(section.contains("<svg") || section.contains("<table"), "section {id} is empty");
    }
    // Charts come from plotters: titles, axis units and legends are in the SVG.
    for text in
        ["Company S-P-I per month", "units", "sell-out (to end users)", "80% interval", "Receivables by days past due"]
    {
        assert!(page.contains(text), "{text} missing");
    }

    let month = last_complete_month(company.as_of).unwrap();
    let kpis = standard_kpis().unwrap();
    let inputs = standard_inputs(&company, month).unwrap();
    let mut expected: BTreeMap<&str, BTreeMap<String, BTreeMap<String, &str>>> = BTreeMap::new();
    let mut reds = 0;
    for (axis, tree) in [
        ("region", distributor_hierarchy(&company).unwrap()),
        ("business_unit", business_unit_hierarchy(&company).unwrap()),
    ] {
        let card = Scorecard::build(&tree, &kpis, &inputs, &HashMap::new()).unwrap();
        let scorecard = &page[page.find(&format!(r#"data-scorecard="{axis}""#)).unwrap()..];
        for member in tree.members() {
            for kpi in &kpis {
                let light = card.cell(member, &kpi.id).map_or(omo_core::kpi::Light::Grey, |c| c.light()).as_str();
                expected.entry(axis).or_default().entry(member.clone()).or_default().insert(kpi.id.clone(), light);
                reds += usize::from(light == "red");
            }
            assert!(scorecard.contains(&format!(r#"data-member="{member}""#)), "{axis} member {member} missing");
        }
    }
    // The sample has known trouble: some lights are red, and the page shows as many red dots
    // in its two scorecards as the core computed.
    assert!(reds > 0);
    let scorecards = &page[page.find(r#"data-scorecard="region""#).unwrap()..page.find("Alerts, ").unwrap()];
    assert_eq!(scorecards.matches(r#"data-light="red""#).count(), reds);

    // The forecast table shows the core's outlook: the company's first month ahead.
    let outlook = omo_core::forecast::sell_out_outlook(&company, company.as_of, 3, 3).unwrap();
    let first = &outlook[0];
    let row = format!(
        "<td>The company</td><td>{}</td><td>{:.0}</td>",
        first.months_ahead[0].format("%Y-%m"),
        first.forecast.mean[0]
    );
    assert!(page.contains(&row), "{row} missing");

    // The plan section lists the core's plan lights to act on, as many red as the core has.
    let plan = company_plan(&company, &ChannelSettings::new(company.as_of), &SupplySettings::default()).unwrap();
    let to_act_on = plan.to_act_on();
    let section = &page[page.find(r#"data-section="plan""#).unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(section.matches("data-plan-signal=").count(), to_act_on.len());
    let red = to_act_on.iter().filter(|s| s.evaluation.light == omo_core::kpi::Light::Red).count();
    assert!(red > 0, "the sample's spring peak overloads its lines");
    assert_eq!(section.matches(r#"data-light="red""#).count(), red);
    assert!(section.contains("Line GRAN-1: hours per month") && section.contains("SUP-OEM"));

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dashboard-fixture");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("expected-lights.json"), serde_json::to_string_pretty(&expected).unwrap()).unwrap();
}
