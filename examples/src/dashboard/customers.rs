//! Customers: RFM segments, the top customers, and the salespeople against their plan.

use omo_core::analytics::Team;
use omo_core::views::Views;
use rust_decimal::Decimal;

use super::charts::{Bars, PALETTE, bar_chart};
use super::html::{escape, figure, table};
use super::{Result, float};
use crate::report::money;

/// How many customers the top table shows.
const TOP: usize = 10;

/// The section.
pub fn section(views: &Views<'_>) -> Result<String> {
    let d = views.dataset();
    let segments = views.rfm_segments(None);
    let segment_chart = bar_chart(
        "Customers per RFM segment",
        "customers (invoiced, last 12 months)",
        &segments.iter().map(|s| format!("{:?}", s.segment)).collect::<Vec<_>>(),
        &[Bars {
            name: "customers".into(),
            values: segments.iter().map(|s| s.customers as f64).collect(),
            colour: PALETTE[3],
        }],
    )?;
    let top: Vec<Vec<String>> = views
        .top_customers(TOP)
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
    let month = views.scorecard_month();
    let reps = views.team_performance(Team::Salesperson, None)?;
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
