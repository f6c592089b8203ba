//! The scorecard as traffic lights, by region and by business unit, and the alerts of the last
//! twelve months.

use chrono::NaiveDate;
use omo_core::kpi::Light;
use omo_core::views::{Axis, ScorecardView, Views};

use super::charts::{Bars, bar_chart};
use super::html::{escape, figure, light, table};
use super::{Result, month_labels};

/// The section: two scorecards, then the alerts.
pub fn section(views: &Views<'_>, month: NaiveDate) -> Result<String> {
    let mut out = format!(
        r#"<p class="legend">{} good {} watch {} act {} no value · month {} · hover a light for its value and threshold</p>"#,
        light(Light::Green, "green"),
        light(Light::Yellow, "yellow"),
        light(Light::Red, "red"),
        light(Light::Grey, "grey"),
        month.format("%B %Y")
    );
    for (axis, title) in [(Axis::Region, "By region"), (Axis::BusinessUnit, "By business unit")] {
        out.push_str(&format!(r#"<h3>{title}</h3><div data-scorecard="{}">"#, axis.as_str()));
        out.push_str(&scorecard_table(&views.scorecard(axis, Some(month))?));
        out.push_str("</div>");
    }
    let alerts = views.alerts(None)?;
    let per_month = alerts.per_month();
    let column = |k: usize| per_month.iter().map(|(_, counts)| f64::from(counts[k])).collect::<Vec<f64>>();
    let chart = bar_chart(
        "Alerts per month",
        "alerts (count)",
        &month_labels(&alerts.months),
        &[
            Bars { name: "raised".into(), values: column(0), colour: super::charts::PALETTE[1] },
            Bars { name: "escalated".into(), values: column(1), colour: super::charts::PALETTE[5] },
            Bars { name: "resolved".into(), values: column(2), colour: super::charts::PALETTE[2] },
        ],
    )?;
    out.push_str(&format!(
        "<h3>Alerts, {} to {} ({} events; raised after two months yellow or red, resolved after two months back)</h3>",
        alerts.months.first().map_or_else(String::new, |m| m.format("%Y-%m").to_string()),
        month.format("%Y-%m"),
        alerts.events.len()
    ));
    out.push_str(&format!(r#"<div class="charts">{}"#, figure(&chart, "Alert transitions of the distributors' KPIs")));
    let names = views.member_names();
    let rows: Vec<Vec<String>> = alerts
        .events
        .iter()
        .rev()
        .take(15)
        .map(|e| {
            vec![
                e.period.format("%Y-%m").to_string(),
                escape(names.name(&e.member)),
                escape(&e.kpi),
                e.kind.as_str().to_owned(),
                light(e.light, e.light.as_str()),
                e.value.map_or_else(|| "-".into(), |v| v.round_dp(3).normalize().to_string()),
            ]
        })
        .collect();
    out.push_str(&table("alerts", &["month", "member", "kpi", "event", "light", "value"], &rows));
    out.push_str("</div>");
    Ok(out)
}

fn scorecard_table(card: &ScorecardView) -> String {
    let mut header = vec!["member"];
    header.extend(card.kpis.iter().map(|k| k.id.as_str()));
    let rows: Vec<Vec<String>> = card
        .rows
        .iter()
        .map(|member| {
            let mut row = vec![format!(
                r#"<span data-member="{}" style="padding-left:{}em">{}</span>"#,
                escape(&member.member),
                member.depth,
                escape(&member.name)
            )];
            for (kpi, cell) in card.kpis.iter().zip(&member.cells) {
                let tip = if cell.evaluated {
                    let value =
                        cell.value.map_or_else(|| "rolled up".into(), |v| v.round_dp(3).normalize().to_string());
                    let threshold =
                        cell.threshold.map_or_else(String::new, |t| format!(" (threshold {})", t.normalize()));
                    format!("{}: {value} {}{threshold}", kpi.name, kpi.unit)
                } else {
                    format!("{}: no value", kpi.name)
                };
                row.push(format!(r#"<span data-kpi="{}">{}</span>"#, escape(&cell.kpi), light(cell.light, &tip)));
            }
            row
        })
        .collect();
    table("scorecard", &header, &rows)
}
