//! The plan section of the report: each line's load per month with building ahead and the OEM
//! supplier, the S&OP table of the next three months, the suppliers' record, and the plan's
//! lights that are not green with what to do.

use std::fmt::Write;

use omo_core::plan::{CompanyPlan, SopRow, SupplierScore, SupplyPlan};
use omo_core::{Dataset, OmoError};

use super::{Table, light, money, quantity};
use omo_core::views::{FORECAST_MONTHS, Views};

/// The whole plan section.
pub fn section(views: &Views<'_>, colour: bool) -> Result<String, OmoError> {
    let plan = views.plan()?;
    let mut out = format!("== Plan from {} ({} months ahead) ==\n", views.as_of(), plan.channel.periods.len());
    match &plan.supply {
        Some(supply) => out.push_str(&capacity(plan, supply)),
        None => out.push_str("No production lines or suppliers given: the supply side is not planned.\n"),
    }
    out.push_str(&sop(views.dataset(), plan));
    out.push_str(&suppliers(&plan.suppliers));
    out.push_str(&signals(plan, colour));
    Ok(out)
}

/// Each line's load per month (required hours over the line's hours), then what building ahead
/// and the OEM supplier add.
fn capacity(plan: &CompanyPlan, supply: &SupplyPlan) -> String {
    let mut out =
        String::from("Line load per month (hours the month's demand needs over the line's; ! over, - idle)\n");
    let mut header = vec!["line".to_owned()];
    header.extend(plan.channel.periods.iter().map(|p| p.format("%Y-%m").to_string()));
    let mut table = Table::new(header);
    let mut lines: Vec<&str> = supply.loads.iter().map(|l| l.line.as_str()).collect();
    lines.dedup();
    for line in lines {
        let mut row = vec![line.to_owned()];
        for load in supply.loads.iter().filter(|l| l.line.as_str() == line) {
            let mark = if load.over_capacity {
                "!"
            } else if load.idle {
                "-"
            } else {
                " "
            };
            let share = load.load().map_or_else(
                || "no hours".to_owned(),
                |x| format!("{}%", (x * rust_decimal::Decimal::ONE_HUNDRED).round_dp(0)),
            );
            row.push(format!("{share}{mark}"));
        }
        table.row(row);
    }
    out.push_str(&table.render());
    let late = supply.oem_orders.iter().filter(|o| o.late).count();
    let oem_units: rust_decimal::Decimal = supply.oem_orders.iter().map(|o| o.quantity).sum();
    let unmet: rust_decimal::Decimal = supply.products.iter().map(|p| p.unmet).sum();
    let _ = writeln!(
        out,
        "Building ahead adds {} of carrying cost; {} OEM orders for {} units ({late} released too late to arrive in time); {} units neither made nor bought.",
        money(supply.carrying_cost),
        supply.oem_orders.len(),
        quantity(oem_units),
        quantity(unmet)
    );
    out
}

/// The S&OP table's columns.
pub const SOP_HEADER: [&str; 10] =
    ["month", "family", "demand", "required", "supply", "unmet", "inventory", "target", "gap", "gap value"];

/// One S&OP row as cells, the family by its name.
pub fn sop_cells(d: &Dataset, row: &SopRow) -> Vec<String> {
    let family =
        d.categories.iter().find(|c| c.id == row.category).map_or_else(|| row.category.to_string(), |c| c.name.clone());
    vec![
        row.period.format("%Y-%m").to_string(),
        family,
        quantity(row.demand.units),
        quantity(row.required.units),
        quantity(row.supply.units),
        quantity(row.unmet.units),
        quantity(row.inventory.units),
        quantity(row.inventory_target.units),
        quantity(row.inventory_gap.units),
        money(row.inventory_gap.value),
    ]
}

/// The S&OP table of the first months, per product family.
fn sop(d: &Dataset, plan: &CompanyPlan) -> String {
    let mut out =
        format!("S&OP, next {FORECAST_MONTHS} months by product family (units; gap value at standard cost)\n");
    let mut table = Table::new(SOP_HEADER.map(String::from).to_vec());
    let first =
        |r: &&SopRow| plan.channel.periods.iter().position(|p| *p == r.period).is_some_and(|t| t < FORECAST_MONTHS);
    for row in plan.sop.iter().filter(first) {
        table.row(sop_cells(d, row));
    }
    out.push_str(&table.render());
    out
}

/// The supplier scorecard's columns.
pub const SUPPLIER_HEADER: [&str; 9] = [
    "supplier",
    "kind",
    "lines",
    "on time",
    "lead time (days)",
    "days late",
    "price variance",
    "rejected",
    "open (overdue)",
];

/// One supplier's record as cells.
pub fn supplier_cells(s: &SupplierScore) -> Vec<String> {
    let share = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |v| format!("{:.0}%", v * 100.0));
    let lead = match (s.lead_time_mean_days, s.lead_time_sd_days) {
        (Some(m), Some(sd)) => format!("{m:.1} ± {sd:.1}"),
        (Some(m), None) => format!("{m:.1}"),
        _ => "-".to_owned(),
    };
    vec![
        s.supplier.to_string(),
        s.kind.as_str().to_owned(),
        s.lines_received.to_string(),
        share(s.on_time_rate),
        lead,
        s.days_late_mean.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}")),
        money(s.price_variance),
        share(s.rejected_share),
        format!("{} ({})", s.open_lines, s.open_lines_overdue),
    ]
}

/// The suppliers' and OEMs' delivery, cost and quality record.
fn suppliers(scores: &[SupplierScore]) -> String {
    if scores.is_empty() {
        return String::new();
    }
    let mut out = String::from("Suppliers and OEM: deliveries against promised dates, price and quality\n");
    let mut table = Table::new(SUPPLIER_HEADER.map(String::from).to_vec());
    for s in scores {
        table.row(supplier_cells(s));
    }
    out.push_str(&table.render());
    out
}

/// The plan's lights that are not green with what to do.
fn signals(plan: &CompanyPlan, colour: bool) -> String {
    let lit = plan.to_act_on();
    let mut out = format!("Plan lights not green: {}\n", lit.len());
    for s in lit {
        let period = s.period.map_or_else(String::new, |p| format!(" {}", p.format("%Y-%m")));
        let shown = light(s.evaluation.light, colour);
        let _ = writeln!(out, "  {shown} {} {}{period}: {} [{}]", s.kpi, s.member, s.message, s.action);
    }
    out
}
