//! The S-P-I section of the report: sales, purchases and inventory by region for the last
//! quarter, the channel, inventory health, book-vs-physical differences and suggested orders.

use std::collections::BTreeMap;
use std::fmt::Write;

use omo_core::spi::{
    AbcClass, HealthReport, NodeLevel, Period, PlanSettings, ProductLevel, StockStatus, channel_view, reconcile_counts,
    roll_up, suggest_orders,
};
use omo_core::views::{Views, Window};
use omo_core::{OmoError, ValidDataset};
use rust_decimal::Decimal;

use super::{Table, money, quantity, region_name};

/// How many rows the top-N tables show.
const TOP: usize = 8;

/// The whole S-P-I section.
pub fn section(views: &Views<'_>) -> Result<String, OmoError> {
    let d = views.dataset();
    let mut out = String::from("== S-P-I ==\n");
    out.push_str(&by_region(d)?);
    out.push_str(&channel(d)?);
    out.push_str(&health(views.health()?));
    out.push_str(&book_vs_physical(d)?);
    out.push_str(&suggestions(d)?);
    Ok(out)
}

fn by_region(d: &ValidDataset) -> Result<String, OmoError> {
    let Window { from, to } = Window::last_complete_quarter(d.as_of);
    let rows = roll_up(d, Period::Quarter, &NodeLevel::Region, &ProductLevel::All)?;
    let mut out = format!("Stock by region, {from} to {to} (units; transfers inside a region cancel)\n");
    let mut table = Table::new(
        [
            "region",
            "opening",
            "receipts",
            "sales",
            "returns in",
            "returns out",
            "transfers net",
            "adjustments",
            "closing",
        ]
        .map(String::from)
        .to_vec(),
    );
    for row in rows.iter().filter(|r| r.period == from) {
        let f = &row.flows;
        table.row(vec![
            region_name(d, &row.nodes),
            quantity(f.opening),
            quantity(f.receipts),
            quantity(f.sales),
            quantity(f.customer_returns),
            quantity(f.supplier_returns),
            quantity(f.transfers_in - f.transfers_out),
            quantity(f.adjustments),
            quantity(f.closing),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn channel(d: &ValidDataset) -> Result<String, OmoError> {
    let from = Window::last_complete_quarter(d.as_of).from;
    let rows = channel_view(d, Period::Month, None)?;
    let mut out = String::from(
        "Channel per month (units): sell-in to distributors, sell-through to retailers, sell-out to farmers\n",
    );
    let mut table = Table::new(
        ["month", "sell-in", "sell-through", "sell-out", "distributor stock", "retailer stock"]
            .map(String::from)
            .to_vec(),
    );
    for row in rows.iter().filter(|r| r.period >= from) {
        table.row(vec![
            row.period.format("%Y-%m").to_string(),
            quantity(row.sell_in),
            quantity(row.sell_through),
            quantity(row.sell_out),
            quantity(row.distributor_stock),
            quantity(row.retailer_stock),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn health(report: &HealthReport) -> String {
    let mut out = String::new();
    let total: Decimal = report.abc.iter().map(|a| a.value).sum();
    let mut classes: BTreeMap<AbcClass, (usize, Decimal)> = BTreeMap::new();
    for item in &report.abc {
        let entry = classes.entry(item.class).or_default();
        entry.0 += 1;
        entry.1 += item.value;
    }
    let summary: Vec<String> = classes
        .iter()
        .map(|(class, (n, value))| {
            let share = if total.is_zero() { Decimal::ZERO } else { *value / total * Decimal::ONE_HUNDRED };
            format!("{} {n} SKUs {}%", class.as_str(), share.round_dp(1))
        })
        .collect();
    let _ = writeln!(out, "ABC by last year's invoiced revenue: {}", summary.join(", "));
    let _ = writeln!(
        out,
        "Ineffective stock (dead: not issued for 180 days; slow: over 180 days of cover): {}% of {} stock value at standard cost",
        (report.ineffective_share() * Decimal::ONE_HUNDRED).round_dp(1),
        money(report.total_value)
    );
    let mut unhealthy: Vec<_> =
        report.stock.iter().filter(|s| matches!(s.status, StockStatus::Dead | StockStatus::Slow)).collect();
    unhealthy.sort_by_key(|s| std::cmp::Reverse(s.value));
    let mut table = Table::new(
        ["node", "product", "status", "on hand", "value", "last issue", "days of cover"].map(String::from).to_vec(),
    );
    for s in unhealthy.iter().take(TOP) {
        table.row(vec![
            s.node.to_string(),
            s.product.to_string(),
            format!("{:?}", s.status).to_lowercase(),
            quantity(s.on_hand),
            money(s.value),
            s.last_issue.map_or_else(|| "never".to_owned(), |d| d.to_string()),
            s.days_of_cover.map_or_else(|| "-".to_owned(), |c| format!("{c:.0}")),
        ]);
    }
    out.push_str(&table.render());
    out
}

fn book_vs_physical(d: &ValidDataset) -> Result<String, OmoError> {
    let Some(last) = d.counts.iter().map(|c| c.date).max() else {
        return Ok("Book vs physical: no stock counts\n".to_owned());
    };
    let r = reconcile_counts(d, last, last)?;
    let mut out = String::new();
    for (what, s) in [("own sites", &r.own), ("consigned at OEM", &r.consigned)] {
        let _ = writeln!(
            out,
            "Book vs physical at the {last} count, {what}: {} of {} lines differ, {}% of book value affected, difference {}",
            s.lines_with_difference,
            s.lines,
            (s.affected_share() * Decimal::ONE_HUNDRED).round_dp(1),
            money(s.difference_value)
        );
    }
    let mut lines: Vec<_> = r.lines.iter().filter(|l| !l.difference.is_zero()).collect();
    lines.sort_by_key(|l| l.difference_value);
    let mut table =
        Table::new(["node", "product", "book", "counted", "difference", "value"].map(String::from).to_vec());
    for l in lines.iter().take(TOP) {
        table.row(vec![
            l.node.to_string(),
            l.product.to_string(),
            quantity(l.book),
            quantity(l.counted),
            quantity(l.difference),
            money(l.difference_value),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}

fn suggestions(d: &ValidDataset) -> Result<String, OmoError> {
    let plan = suggest_orders(d, &PlanSettings::new(d.as_of))?;
    let cost: BTreeMap<_, _> = d.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    let due = plan.iter().filter(|s| s.quantity > Decimal::ZERO).count();
    // The lines that need an order first, then those closest to their reorder point.
    let mut orders: Vec<_> = plan.iter().collect();
    orders.sort_by_key(|s| {
        (
            std::cmp::Reverse(s.quantity * cost.get(&s.product).copied().unwrap_or_default()),
            s.position.projected() - s.reorder_point,
        )
    });
    let mut out = format!(
        "Suggested distributor orders (95 % service, 7-day lead time, weekly review): {due} of {} node x SKU lines need an order now\n",
        plan.len()
    );
    let mut table = Table::new(
        ["node", "product", "on hand", "on order", "reorder point", "order up to", "order", "value"]
            .map(String::from)
            .to_vec(),
    );
    for s in orders.iter().take(TOP) {
        table.row(vec![
            s.node.to_string(),
            s.product.to_string(),
            quantity(s.position.on_hand),
            quantity(s.position.on_order),
            quantity(s.reorder_point),
            quantity(s.order_up_to),
            quantity(s.quantity),
            money(s.quantity * cost.get(&s.product).copied().unwrap_or_default()),
        ]);
    }
    out.push_str(&table.render());
    Ok(out)
}
