//! Credit: exposure against limit per distributor, the aging of all receivables, and the orders
//! of the last month that a credit check blocks.

use omo_core::credit::AgingBuckets;
use omo_core::model::CustomerKind;
use omo_core::views::Views;

use super::charts::{Bars, PALETTE, bar_chart};
use super::html::{escape, figure, table};
use super::{Result, float};
use crate::report::money;

/// The section.
pub fn section(views: &Views<'_>) -> Result<String> {
    let d = views.dataset();
    if d.credit_accounts.is_empty() {
        return Ok("<p>No credit accounts.</p>".into());
    }
    let (mut names, mut limits, mut exposures) = (Vec::new(), Vec::new(), Vec::new());
    for position in views.positions(Some(CustomerKind::Distributor))? {
        names.push(position.check.customer.to_string());
        limits.push(float(position.check.limit));
        exposures.push(float(position.check.exposure_before));
    }
    let exposure_chart = bar_chart(
        "Exposure against limit, distributors",
        &format!("{} (open orders + shipped + receivables - deposits)", d.currency),
        &names,
        &[
            Bars { name: "credit limit".into(), values: limits, colour: PALETTE[0] },
            Bars { name: "exposure".into(), values: exposures, colour: PALETTE[5] },
        ],
    )?;
    let buckets = AgingBuckets::default();
    let aging = views.credit_book()?.receivables().aging(d.as_of, &buckets);
    let aging_chart = bar_chart(
        "Receivables by days past due",
        &format!("{} open", d.currency),
        &aging.labels,
        &[Bars {
            name: "open receivables".into(),
            values: aging.total.iter().map(|x| float(*x)).collect(),
            colour: PALETTE[1],
        }],
    )?;
    let orders = views.blocked_orders(None)?;
    let blocked: Vec<Vec<String>> = orders
        .blocked
        .iter()
        .map(|b| {
            let c = &b.check;
            vec![
                escape(b.order.as_str()),
                escape(c.customer.as_str()),
                c.date.to_string(),
                money(c.order_amount),
                money(c.exposure_after),
                money(c.limit),
                escape(&b.reasons.join("; ")),
            ]
        })
        .collect();
    Ok(format!(
        r#"<div class="charts">{}{}</div><h3>Orders of the last month a credit check blocks: {} of {}</h3>{}"#,
        figure(&exposure_chart, "Each distributor's exposure beside its limit on the snapshot day"),
        figure(
            &aging_chart,
            &format!("All open receivables by days past due; total {}", money(aging.total.iter().copied().sum()))
        ),
        blocked.len(),
        orders.checked,
        table(
            "blocked-orders",
            &["order", "customer", "date", "amount", "exposure after", "limit", "reasons"],
            &blocked
        )
    ))
}
