//! The scorecard as traffic lights, by region and by business unit, and the alerts of the last
//! twelve months.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::kpi::{
    AlertEventKind, AlertRule, KpiDefinition, Light, Scorecard, alerts_in_history, business_unit_hierarchy,
    distributor_hierarchy, standard_kpis,
};
use omo_core::model::Hierarchy;

use super::charts::{Bars, bar_chart};
use super::html::{escape, figure, light, table};
use super::{Result, month_labels};
use crate::report::display_name;
use crate::views::Views;

/// The section: two scorecards, then the alerts.
pub fn section(views: &Views<'_>, month: NaiveDate) -> Result<String> {
    let d = views.dataset;
    let kpis = standard_kpis()?;
    let (months, history) = (&views.months, &views.kpi_history);
    let inputs = views.kpi_inputs();
    let mut out = format!(
        r#"<p class="legend">{} good {} watch {} act {} no value · month {} · hover a light for its value and threshold</p>"#,
        light(Light::Green, "green"),
        light(Light::Yellow, "yellow"),
        light(Light::Red, "red"),
        light(Light::Grey, "grey"),
        month.format("%B %Y")
    );
    for (axis, title, tree) in [
        ("region", "By region", distributor_hierarchy(d)?),
        ("business_unit", "By business unit", business_unit_hierarchy(d)?),
    ] {
        let card = Scorecard::build(&tree, &kpis, &inputs, &HashMap::new())?;
        out.push_str(&format!(r#"<h3>{title}</h3><div data-scorecard="{axis}">"#));
        out.push_str(&scorecard_table(d, &tree, &card, &kpis));
        out.push_str("</div>");
    }
    let events = alerts_in_history(d, months, history, &AlertRule::default())?;
    let mut per_month: BTreeMap<NaiveDate, [f64; 3]> = months.iter().map(|m| (*m, [0.0; 3])).collect();
    for e in &events {
        if let Some(slot) = per_month.get_mut(&e.period) {
            slot[e.kind as usize] += 1.0;
        }
    }
    let column = |k: usize| per_month.values().map(|v| v[k]).collect::<Vec<f64>>();
    let chart = bar_chart(
        "Alerts per month",
        "alerts (count)",
        &month_labels(months),
        &[
            Bars { name: "raised".into(), values: column(0), colour: super::charts::PALETTE[1] },
            Bars { name: "escalated".into(), values: column(1), colour: super::charts::PALETTE[5] },
            Bars { name: "resolved".into(), values: column(2), colour: super::charts::PALETTE[2] },
        ],
    )?;
    out.push_str(&format!(
        "<h3>Alerts, {} to {} ({} events; raised after two months yellow or red, resolved after two months back)</h3>",
        months.first().map_or_else(String::new, |m| m.format("%Y-%m").to_string()),
        month.format("%Y-%m"),
        events.len()
    ));
    out.push_str(&format!(r#"<div class="charts">{}"#, figure(&chart, "Alert transitions of the distributors' KPIs")));
    let rows: Vec<Vec<String>> = events
        .iter()
        .rev()
        .take(15)
        .map(|e| {
            vec![
                e.period.format("%Y-%m").to_string(),
                escape(&display_name(d, &e.member)),
                escape(&e.kpi),
                match e.kind {
                    AlertEventKind::Raised => "raised",
                    AlertEventKind::Escalated => "escalated",
                    AlertEventKind::Resolved => "resolved",
                }
                .to_owned(),
                light(e.light, e.light.as_str()),
                e.value.map_or_else(|| "-".into(), |v| v.round_dp(3).normalize().to_string()),
            ]
        })
        .collect();
    out.push_str(&table("alerts", &["month", "member", "kpi", "event", "light", "value"], &rows));
    out.push_str("</div>");
    Ok(out)
}

fn scorecard_table(d: &Dataset, tree: &Hierarchy<String>, card: &Scorecard<String>, kpis: &[KpiDefinition]) -> String {
    let mut header = vec!["member"];
    header.extend(kpis.iter().map(|k| k.id.as_str()));
    let rows: Vec<Vec<String>> = tree
        .members()
        .map(|member| {
            let depth = tree.depth(member).unwrap_or(0);
            let mut row = vec![format!(
                r#"<span data-member="{}" style="padding-left:{}em">{}</span>"#,
                escape(member),
                depth,
                escape(&display_name(d, member))
            )];
            for kpi in kpis {
                let cell = card.cell(member, &kpi.id);
                let tip = cell.map_or_else(
                    || format!("{}: no value", kpi.name),
                    |c| {
                        let own = c.own.as_ref();
                        let value = own
                            .and_then(|e| e.value)
                            .map_or_else(|| "rolled up".into(), |v| v.round_dp(3).normalize().to_string());
                        let threshold = own
                            .and_then(|e| e.threshold)
                            .map_or_else(String::new, |t| format!(" (threshold {})", t.normalize()));
                        format!("{}: {value} {}{threshold}", kpi.name, kpi.unit)
                    },
                );
                let light_of = cell.map_or(Light::Grey, |c| c.light());
                row.push(format!(r#"<span data-kpi="{}">{}</span>"#, escape(&kpi.id), light(light_of, &tip)));
            }
            row
        })
        .collect();
    table("scorecard", &header, &rows)
}
