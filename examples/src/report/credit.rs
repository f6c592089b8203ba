//! The credit section of the report: customers over or near their limit, the aging of all
//! receivables, the worst payers, and the orders of the last month a credit check would block.

use std::fmt::Write;

use omo_core::credit::{AgingBuckets, CreditBook, CreditPolicy, ScoringRules, payment_behaviour};
use omo_core::views::{BlockedOrders, LimitStatus, Position, Views};
use omo_core::{Dataset, OmoError};
use rust_decimal::Decimal;

use super::{Table, money};

/// The whole credit section.
pub fn section(views: &Views<'_>) -> Result<String, OmoError> {
    let d = views.dataset();
    if d.credit_accounts.is_empty() {
        return Ok("== Credit ==\nNo credit accounts.\n".to_owned());
    }
    let book = views.credit_book()?;
    let mut out = String::from("== Credit ==\n");
    out.push_str(&limits(d, book.policy(), &views.positions(None)?));
    out.push_str(&aging(d, book));
    out.push_str(&payers(d, book));
    out.push_str(&blocked_orders(&views.blocked_orders(None)?));
    out.push_str(&audit_trail(views)?);
    Ok(out)
}

/// The latest credit decisions of every account (limits, increases and their end, blocks, risk
/// classes, overridden orders): when, what, by whom and why.
fn audit_trail(views: &Views<'_>) -> Result<String, OmoError> {
    const SHOWN: usize = 12;
    let decisions = views.credit_decisions(None)?;
    let mut out = format!("Credit decisions (audit trail, latest {SHOWN} of {})\n", decisions.len());
    let mut table = Table::new(["date", "customer", "change", "by", "why"].map(String::from).to_vec());
    for d in decisions.iter().take(SHOWN) {
        table.row(vec![d.date.to_string(), d.customer.to_string(), d.change.clone(), d.by.clone(), d.reason.clone()]);
    }
    out.push_str(&table.render());
    out.push('\n');
    Ok(out)
}

fn limits(d: &Dataset, policy: &CreditPolicy, positions: &[Position]) -> String {
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
    for p in positions {
        let (check, b) = (&p.check, &p.check.breakdown);
        let status = match p.status {
            LimitStatus::Over => "OVER",
            LimitStatus::Near => "near",
            LimitStatus::Within => "",
        };
        table.row(vec![
            check.customer.to_string(),
            p.risk_class.map_or("-", |c| c.as_str()).to_owned(),
            money(check.limit),
            money(b.open_orders),
            money(b.shipped_not_invoiced),
            money(b.receivables_not_due + b.receivables_overdue),
            money(b.receivables_overdue),
            money(b.prepayments),
            money(check.exposure_before),
            p.used.map_or_else(|| "-".to_owned(), |u| format!("{}%", (u * Decimal::ONE_HUNDRED).round_dp(0))),
            status.to_owned(),
        ]);
    }
    out.push_str(&table.render());
    out
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

fn blocked_orders(orders: &BlockedOrders) -> String {
    let mut table = Table::new(
        ["order", "customer", "date", "amount", "exposure after", "limit", "reasons"].map(String::from).to_vec(),
    );
    for b in &orders.blocked {
        let check = &b.check;
        table.row(vec![
            b.order.to_string(),
            check.customer.to_string(),
            check.date.to_string(),
            money(check.order_amount),
            money(check.exposure_after),
            money(check.limit),
            b.reasons.join("; "),
        ]);
    }
    let mut out =
        format!("Orders of the last month a credit check blocks: {} of {}\n", orders.blocked.len(), orders.checked);
    out.push_str(&table.render());
    out
}
