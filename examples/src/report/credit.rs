//! The credit section of the report: customers over or near their limit, the aging of all
//! receivables, the worst payers, and the orders of the last month a credit check would block.

use std::fmt::Write;

use chrono::Months;
use omo_core::credit::{
    AgingBuckets, CheckMode, CreditBook, CreditPolicy, Decision, ScoringRules, payment_behaviour, replay_order_checks,
};
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;

use super::{Table, money};

/// The whole credit section.
pub fn section(d: &Dataset) -> Result<String, OmoError> {
    if d.credit_accounts.is_empty() {
        return Ok("== Credit ==\nNo credit accounts.\n".to_owned());
    }
    let policy = CreditPolicy::default();
    let book = CreditBook::from_dataset(d, d.as_of, policy.clone())?;
    let mut out = String::from("== Credit ==\n");
    out.push_str(&limits(d, &book, &policy)?);
    out.push_str(&aging(d, &book));
    out.push_str(&payers(d, &book));
    out.push_str(&blocked_orders(d, &policy)?);
    out.push_str(&audit_trail(d));
    Ok(out)
}

/// The latest credit decisions of every account (limits, increases and their end, blocks, risk
/// classes, overridden orders): when, what, by whom and why.
fn audit_trail(d: &Dataset) -> String {
    const SHOWN: usize = 12;
    let mut entries: Vec<(&omo_core::model::CustomerId, omo_core::credit::AuditEntry)> = d
        .credit_accounts
        .iter()
        .flat_map(|a| a.audit_trail(d.as_of).into_iter().map(move |e| (&a.customer, e)))
        .collect();
    entries.sort_by(|a, b| b.1.stamp.date.cmp(&a.1.stamp.date).then_with(|| a.0.cmp(b.0)));
    let mut out = format!("Credit decisions (audit trail, latest {SHOWN} of {})\n", entries.len());
    let mut table = Table::new(["date", "customer", "change", "by", "why"].map(String::from).to_vec());
    for (customer, entry) in entries.iter().take(SHOWN) {
        table.row(vec![
            entry.stamp.date.to_string(),
            customer.to_string(),
            entry.change.to_string(),
            entry.stamp.by.clone(),
            entry.stamp.reason.clone(),
        ]);
    }
    out.push_str(&table.render());
    out.push('\n');
    out
}

fn limits(d: &Dataset, book: &CreditBook, policy: &CreditPolicy) -> Result<String, OmoError> {
    let warn = policy.warn_share.map_or_else(
        || "no warning share".to_owned(),
        |w| format!("warn above {} %", (w * Decimal::ONE_HUNDRED).normalize()),
    );
    let mut out =
        format!("Exposure against limits on {} (policy: everything open counts, deposits net; {warn})\n", d.as_of);
    let mut table = Table::new(
        [
            "customer",
            "class",
            "limit",
            "open orders",
            "shipped",
            "receivables",
            "overdue",
            "held",
            "exposure",
            "used",
            "status",
        ]
        .map(String::from)
        .to_vec(),
    );
    let mut rows = Vec::new();
    for customer in book.customers() {
        let check = book.credit_position(customer, d.as_of)?;
        rows.push((check.limit_used(), check));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (used, check) in rows {
        let b = &check.breakdown;
        let status = if check.finding("limit_exceeded").is_some() {
            "OVER"
        } else if check.finding("near_limit").is_some() {
            "near"
        } else {
            ""
        };
        let class = book.account(&check.customer).map_or("-", |a| a.risk_class.as_str());
        table.row(vec![
            check.customer.to_string(),
            class.to_owned(),
            money(check.limit),
            money(b.open_orders),
            money(b.shipped_not_invoiced),
            money(b.receivables_not_due + b.receivables_overdue),
            money(b.receivables_overdue),
            money(b.prepayments),
            money(check.exposure_before),
            used.map_or_else(|| "-".to_owned(), |u| format!("{}%", (u * Decimal::ONE_HUNDRED).round_dp(0))),
            status.to_owned(),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn aging(d: &Dataset, book: &CreditBook) -> String {
    let report = book.receivables().aging(d.as_of, &AgingBuckets::default());
    let mut out = String::from("Aging of all receivables\n");
    let mut header = vec!["customer".to_owned()];
    header.extend(report.labels.iter().cloned());
    header.push("total".to_owned());
    let mut table = Table::new(header);
    for row in &report.rows {
        let mut cells = vec![row.customer.to_string()];
        cells.extend(row.amounts.iter().map(|a| money(*a)));
        cells.push(money(row.total()));
        table.row(cells);
    }
    let mut total = vec!["all".to_owned()];
    total.extend(report.total.iter().map(|a| money(*a)));
    total.push(money(report.total.iter().sum()));
    table.row(total);
    out.push_str(&table.render());
    let receivables = book.receivables();
    let _ = writeln!(
        out,
        "DSO: {} days (countback), {} days (simple, 90 days); overdue ratio {}",
        receivables.dso_countback(None, d.as_of).map_or_else(|| "-".to_owned(), |x| format!("{x:.1}")),
        receivables.dso_simple(None, d.as_of, 90).map_or_else(|| "-".to_owned(), |x| format!("{x:.1}")),
        receivables.overdue_ratio(None, d.as_of).map_or_else(|| "-".to_owned(), |x| format!("{:.1}%", x * 100.0)),
    );
    out
}

fn payers(d: &Dataset, book: &CreditBook) -> String {
    let rules = ScoringRules::default();
    let mut rows: Vec<_> = book
        .customers()
        .into_iter()
        .map(|c| {
            let b = payment_behaviour(book.receivables(), c, d.as_of);
            let (score, _) = rules.score(&b);
            (score, b)
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = String::from("Payers, worst first (last 12 months)\n");
    let mut table = Table::new(
        ["customer", "score", "class", "paid on time", "days late (weighted)", "trend", "overdue", "oldest overdue"]
            .map(String::from)
            .to_vec(),
    );
    for (score, b) in rows.iter().take(6) {
        let s = &b.last_12_months;
        table.row(vec![
            b.customer.to_string(),
            format!("{score:.0}"),
            rules.class(*score).as_str().to_owned(),
            s.on_time_share.map_or_else(|| "-".to_owned(), |x| format!("{:.0}%", x * 100.0)),
            s.weighted_days_late.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}")),
            b.trend().map_or_else(|| "-".to_owned(), |x| format!("{x:+.1}")),
            money(b.overdue),
            format!("{} days", b.oldest_overdue_days),
        ]);
    }
    out.push_str(&table.render());
    out
}

fn blocked_orders(d: &Dataset, policy: &CreditPolicy) -> Result<String, OmoError> {
    let from = d.as_of.checked_sub_months(Months::new(1)).unwrap_or(d.as_of);
    let checks = replay_order_checks(d, from, d.as_of, policy, CheckMode::Static)?;
    let mut table = Table::new(
        ["order", "customer", "date", "amount", "exposure after", "limit", "reasons"].map(String::from).to_vec(),
    );
    let blocked: Vec<_> = checks.iter().filter(|(_, c)| c.decision == Decision::Blocked).collect();
    for (order, check) in &blocked {
        let reasons: Vec<String> = check.findings.iter().filter(|f| f.blocks).map(|f| f.reason.to_string()).collect();
        table.row(vec![
            order.to_string(),
            check.customer.to_string(),
            check.date.to_string(),
            money(check.order_amount),
            money(check.exposure_after),
            money(check.limit),
            reasons.join("; "),
        ]);
    }
    let mut out = format!("Orders of the last month a credit check blocks: {} of {}\n", blocked.len(), checks.len());
    out.push_str(&table.render());
    Ok(out)
}
