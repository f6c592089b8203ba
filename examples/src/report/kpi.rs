//! The KPI section of the report: the company scorecard as lights for the last month, rolled up
//! by region and by BU, the alerts of the last 12 months, and the top customers by RFM.

use std::fmt::Write;

use chrono::NaiveDate;
use omo_core::OmoError;
use omo_core::analytics::Team;
use omo_core::kpi::{AlertEventKind, Light};
use omo_core::views::{AlertsView, Axis, MemberNames, ScorecardView, Views, Window};
use rust_decimal::Decimal;

use super::{Table, money};

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
    let month = views.scorecard_month();
    let mut out = format!("== KPI lights, {} ==\n", month.format("%B %Y"));
    for (title, axis) in [("by region", Axis::Region), ("by business unit", Axis::BusinessUnit)] {
        let _ = writeln!(out, "Scorecard {title} (rolled-up lights; red members named)");
        out.push_str(&scorecard_table(&views.scorecard(axis, Some(month))?, colour));
    }
    out.push_str(&alerts(&views.alerts(None)?, &views.member_names(), colour));
    out.push_str(&top_customers(views));
    out.push_str(&salespeople(views, month)?);
    Ok(out)
}

fn scorecard_table(card: &ScorecardView, colour: bool) -> String {
    let mut header = vec!["member".to_owned()];
    header.extend(card.kpis.iter().map(|k| k.id.clone()));
    let mut table = Table::new(header);
    let mut reds = Vec::new();
    for member in &card.rows {
        let mut row = vec![format!("{}{}", "  ".repeat(member.depth as usize), member.name)];
        for cell in &member.cells {
            row.push(if cell.evaluated { light(cell.light, colour) } else { "-".to_owned() });
            if member.depth == 0 && !cell.red_members.is_empty() {
                reds.push(format!("{}: {}", cell.kpi, cell.red_members.join(", ")));
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

fn alerts(view: &AlertsView, names: &MemberNames<'_>, colour: bool) -> String {
    let (Some(first), Some(month)) = (view.months.first(), view.months.last()) else { return String::new() };
    let mut out = format!(
        "Alerts, {} to {} (raised after 2 months yellow or red, resolved after 2 months back): {} raised, {} escalated, {} resolved\n",
        first.format("%Y-%m"),
        month.format("%Y-%m"),
        view.count(AlertEventKind::Raised),
        view.count(AlertEventKind::Escalated),
        view.count(AlertEventKind::Resolved),
    );
    let mut table =
        Table::new(["month", "member", "kpi", "event", "light", "value", "threshold"].map(String::from).to_vec());
    for e in view.events.iter().rev().take(12).rev() {
        table.row(vec![
            e.period.format("%Y-%m").to_string(),
            names.name(&e.member).to_owned(),
            e.kpi.clone(),
            e.kind.as_str().to_owned(),
            light(e.light, colour),
            e.value.map_or_else(|| "-".to_owned(), |v| v.round_dp(3).normalize().to_string()),
            e.threshold.map_or_else(|| "-".to_owned(), |v| v.round_dp(3).normalize().to_string()),
        ]);
    }
    out.push_str(&table.render());
    out
}

fn top_customers(views: &Views<'_>) -> String {
    let Window { from, to } = views.trailing_year();
    let scores = views.top_customers(8);
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
    out
}

fn salespeople(views: &Views<'_>, month: NaiveDate) -> Result<String, OmoError> {
    let reps = views.team_performance(Team::Salesperson, None)?;
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
