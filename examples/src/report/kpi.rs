//! The KPI section of the report: the company scorecard as lights for the last month, rolled up
//! by region and by BU, the alerts of the last 12 months, and the top customers by RFM.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Months, NaiveDate};
use omo_core::analytics::{Team, team_performance};
use omo_core::kpi::{
    AlertEventKind, AlertRule, KpiInput, Light, Scorecard, alerts_in_history, business_unit_hierarchy,
    distributor_hierarchy, standard_kpis, trailing_window,
};
use omo_core::model::Hierarchy;
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;

use super::{Table, money, region_name};
use crate::views::Views;

/// Whether lights are drawn in colour: on a terminal, unless `NO_COLOR` is set.
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// A light as text: a coloured dot on a colour terminal, else its name.
pub fn light(light: Light, colour: bool) -> String {
    if !colour {
        return light.as_str().to_owned();
    }
    let code = match light {
        Light::Green => "32",
        Light::Yellow => "33",
        Light::Red => "31",
        Light::Grey => "90",
    };
    format!("\u{1b}[{code}m●\u{1b}[0m {}", light.as_str())
}

/// The whole KPI section.
pub fn section(views: &Views<'_>, colour: bool) -> Result<String, OmoError> {
    let d = views.dataset;
    let Some(month) = views.month() else { return Ok(String::new()) };
    let kpis = standard_kpis()?;
    let (months, history) = (&views.months, &views.kpi_history);
    let inputs = views.kpi_inputs();
    let mut out = format!("== KPI lights, {} ==\n", month.format("%B %Y"));
    for (title, tree) in [("by region", distributor_hierarchy(d)?), ("by business unit", business_unit_hierarchy(d)?)] {
        let card = Scorecard::build(&tree, &kpis, &inputs, &HashMap::new())?;
        let _ = writeln!(out, "Scorecard {title} (rolled-up lights; red members named)");
        out.push_str(&scorecard_table(d, &tree, &card, colour));
    }
    out.push_str(&alerts(d, months, history, colour)?);
    out.push_str(&top_customers(d)?);
    out.push_str(&salespeople(d, month)?);
    Ok(out)
}

fn scorecard_table(d: &Dataset, tree: &Hierarchy<String>, card: &Scorecard<String>, colour: bool) -> String {
    let mut header = vec!["member".to_owned()];
    header.extend(card.kpis.iter().map(|k| k.id.clone()));
    let mut table = Table::new(header);
    let mut reds = Vec::new();
    for member in tree.members() {
        let depth = tree.depth(member).unwrap_or(0);
        let mut row = vec![format!("{}{}", "  ".repeat(depth), display_name(d, member))];
        for kpi in &card.kpis {
            let cell = card.cell(member, &kpi.id);
            row.push(cell.map_or_else(|| "-".to_owned(), |c| light(c.light(), colour)));
            if depth == 0
                && let Some(rolled) = cell.and_then(|c| c.rolled.as_ref())
                && !rolled.red_members.is_empty()
            {
                reds.push(format!("{}: {}", kpi.id, rolled.red_members.join(", ")));
            }
        }
        table.row(row);
    }
    let mut out = table.render();
    if !reds.is_empty() {
        let _ = writeln!(out, "  red: {}", reds.join("; "));
    }
    out
}

/// The name of a scorecard member: a region, a business unit, or a customer id as it is.
pub fn display_name(d: &Dataset, member: &str) -> String {
    if d.regions.iter().any(|r| r.id.as_str() == member) {
        return region_name(d, member);
    }
    d.business_units.iter().find(|b| b.id.as_str() == member).map_or_else(|| member.to_owned(), |b| b.name.clone())
}

fn alerts(
    d: &Dataset,
    months: &[NaiveDate],
    history: &[HashMap<(String, String), KpiInput>],
    colour: bool,
) -> Result<String, OmoError> {
    let events = alerts_in_history(d, months, history, &AlertRule::default())?;
    let (Some(first), Some(month)) = (months.first(), months.last()) else { return Ok(String::new()) };
    let raised = events.iter().filter(|e| e.kind == AlertEventKind::Raised).count();
    let mut out = format!(
        "Alerts, {} to {} (raised after 2 months yellow or red, resolved after 2 months back): {} raised, {} escalated, {} resolved\n",
        first.format("%Y-%m"),
        month.format("%Y-%m"),
        raised,
        events.iter().filter(|e| e.kind == AlertEventKind::Escalated).count(),
        events.iter().filter(|e| e.kind == AlertEventKind::Resolved).count(),
    );
    let mut table =
        Table::new(["month", "member", "kpi", "event", "light", "value", "threshold"].map(String::from).to_vec());
    for e in events.iter().rev().take(12).rev() {
        table.row(vec![
            e.period.format("%Y-%m").to_string(),
            e.member.clone(),
            e.kpi.clone(),
            format!("{:?}", e.kind).to_lowercase(),
            light(e.light, colour),
            e.value.map_or_else(|| "-".to_owned(), |v| v.round_dp(3).normalize().to_string()),
            e.threshold.map_or_else(|| "-".to_owned(), |v| v.round_dp(3).normalize().to_string()),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn top_customers(d: &Dataset) -> Result<String, OmoError> {
    let (from, to) = trailing_window(d);
    let scores = omo_core::analytics::top_customers(d, from, to, 8);
    let mut out = format!("Top customers by revenue, with their RFM (invoices {from} to {to})\n");
    let mut table = Table::new(
        ["customer", "R", "F", "M", "segment", "days since", "invoices", "revenue"].map(String::from).to_vec(),
    );
    for s in &scores {
        table.row(vec![
            s.customer.to_string(),
            s.r.to_string(),
            s.f.to_string(),
            s.m.to_string(),
            format!("{:?}", s.segment),
            s.recency_days.to_string(),
            s.frequency.to_string(),
            money(s.monetary),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn salespeople(d: &Dataset, month: NaiveDate) -> Result<String, OmoError> {
    let to = month.checked_add_months(Months::new(1)).and_then(|m| m.pred_opt()).unwrap_or(month);
    let reps = team_performance(d, Team::Salesperson, month, to)?;
    let mut out = format!("Salespeople, {} (against plan, last month and last year)\n", month.format("%B %Y"));
    let mut table = Table::new(
        ["salesperson", "revenue", "margin", "plan", "attainment", "last month", "last year", "new", "lost"]
            .map(String::from)
            .to_vec(),
    );
    for r in &reps {
        table.row(vec![
            r.member.clone(),
            money(r.revenue),
            money(r.margin),
            r.plan.map_or_else(|| "-".to_owned(), money),
            r.attainment.map_or_else(|| "-".to_owned(), |a| format!("{}%", (a * Decimal::ONE_HUNDRED).round_dp(0))),
            money(r.revenue_previous),
            money(r.revenue_last_year),
            r.new_customers.to_string(),
            r.lost_customers.to_string(),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}
