//! Credit: exposure against limit per distributor, the aging of all receivables, and the orders
//! of the last month that a credit check blocks.

use chrono::Months;
use omo_core::Dataset;
use omo_core::credit::{AgingBuckets, CheckMode, CreditBook, CreditPolicy, Decision, replay_order_checks};
use omo_core::model::CustomerKind;

use super::charts::{Bars, PALETTE, bar_chart};
use super::html::{escape, figure, table};
use super::{Result, float};
use crate::report::money;

/// The section.
pub fn section(d: &Dataset) -> Result<String> {
    if d.credit_accounts.is_empty() {
        return Ok("<p>No credit accounts.</p>".into());
    }
    let policy = CreditPolicy::default();
    let book = CreditBook::from_dataset(d, d.as_of, policy.clone())?;
    let distributors: Vec<_> = book
        .customers()
        .into_iter()
        .filter(|c| d.customer(c).is_some_and(|x| x.kind == CustomerKind::Distributor))
        .cloned()
        .collect();
    let (mut names, mut limits, mut exposures) = (Vec::new(), Vec::new(), Vec::new());
    for customer in &distributors {
        let position = book.credit_position(customer, d.as_of)?;
        names.push(customer.to_string());
        limits.push(float(position.limit));
        exposures.push(float(position.exposure_before));
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
    let aging = book.receivables().aging(d.as_of, &buckets);
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
    let from = d.as_of.checked_sub_months(Months::new(1)).unwrap_or(d.as_of);
    let checks = replay_order_checks(d, from, d.as_of, &policy, CheckMode::Static)?;
    let blocked: Vec<Vec<String>> = checks
        .iter()
        .filter(|(_, c)| c.decision == Decision::Blocked)
        .map(|(order, c)| {
            let reasons: Vec<String> = c.findings.iter().filter(|f| f.blocks).map(|f| f.reason.to_string()).collect();
            vec![
                escape(order.as_str()),
                escape(c.customer.as_str()),
                c.date.to_string(),
                money(c.order_amount),
                money(c.exposure_after),
                money(c.limit),
                escape(&reasons.join("; ")),
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
        checks.len(),
        table(
            "blocked-orders",
            &["order", "customer", "date", "amount", "exposure after", "limit", "reasons"],
            &blocked
        )
    ))
}
