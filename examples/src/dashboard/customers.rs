//! Customers: RFM segments, the top customers, and the salespeople against their plan.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::analytics::{Team, rfm_from_invoices, team_performance};
use omo_core::kpi::trailing_window;
use omo_core::views::Window;
use rust_decimal::Decimal;

use super::charts::{Bars, PALETTE, bar_chart};
use super::html::{escape, figure, table};
use super::{Result, float};
use crate::report::money;

/// How many customers the top table shows.
const TOP: usize = 10;

/// The section.
pub fn section(d: &Dataset, month: NaiveDate) -> Result<String> {
    let (from, to) = trailing_window(d);
    let scores = rfm_from_invoices(d, from, to);
    let mut segments: BTreeMap<String, f64> = BTreeMap::new();
    for s in &scores {
        *segments.entry(format!("{:?}", s.segment)).or_default() += 1.0;
    }
    let segment_chart = bar_chart(
        "Customers per RFM segment",
        "customers (invoiced, last 12 months)",
        &segments.keys().cloned().collect::<Vec<_>>(),
        &[Bars { name: "customers".into(), values: segments.values().copied().collect(), colour: PALETTE[3] }],
    )?;
    let top: Vec<Vec<String>> = omo_core::analytics::top_customers(d, from, to, TOP)
        .iter()
        .map(|s| {
            vec![
                escape(s.customer.as_str()),
                escape(&d.customer(&s.customer).map_or_else(String::new, |c| c.name.clone())),
                format!("{:?}", s.segment),
                format!("{}{}{}", s.r, s.f, s.m),
                s.recency_days.to_string(),
                s.frequency.to_string(),
                money(s.monetary),
            ]
        })
        .collect();
    let window = Window::month_of(month);
    let reps = team_performance(d, Team::Salesperson, window.from, window.to)?;
    let plan_chart = bar_chart(
        &format!("Salespeople against plan, {}", month.format("%B %Y")),
        &format!("revenue ({})", d.currency),
        &reps.iter().map(|r| r.member.clone()).collect::<Vec<_>>(),
        &[
            Bars {
                name: "plan".into(),
                values: reps.iter().map(|r| float(r.plan.unwrap_or_default())).collect(),
                colour: PALETTE[0],
            },
            Bars {
                name: "revenue".into(),
                values: reps.iter().map(|r| float(r.revenue)).collect(),
                colour: PALETTE[2],
            },
            Bars {
                name: "last year".into(),
                values: reps.iter().map(|r| float(r.revenue_last_year)).collect(),
                colour: PALETTE[4],
            },
        ],
    )?;
    let team: Vec<Vec<String>> = reps
        .iter()
        .map(|r| {
            vec![
                escape(&r.member),
                money(r.revenue),
                r.plan.map_or_else(|| "-".to_owned(), money),
                r.attainment.map_or_else(|| "-".to_owned(), |a| format!("{}%", (a * Decimal::ONE_HUNDRED).round_dp(0))),
                money(r.revenue_last_year),
                r.new_customers.to_string(),
                r.lost_customers.to_string(),
            ]
        })
        .collect();
    Ok(format!(
        r#"<div class="charts">{}{}</div><div class="charts"><div><h3>Top customers by revenue (last 12 months)</h3>{}</div><div><h3>Salespeople</h3>{}</div></div>"#,
        figure(&segment_chart, "How many customers fall in each segment of recency, frequency and money"),
        figure(&plan_chart, "Each salesperson's invoiced revenue beside the plan and the same month last year"),
        table("top-customers", &["customer", "name", "segment", "RFM", "days since", "invoices", "revenue"], &top),
        table("salespeople", &["salesperson", "revenue", "plan", "attainment", "last year", "new", "lost"], &team)
    ))
}
