//! The S-P-I section of the report: sales, purchases and inventory by region for the last
//! quarter, the channel, inventory health, book-vs-physical differences and suggested orders.

use std::fmt::Write;

use omo_core::OmoError;
use omo_core::spi::{HealthReport, NodeLevel, Period, ProductLevel, StockHealth};
use omo_core::views::{AbcShare, StockTake, SuggestedOrders, Views, Window};
use rust_decimal::Decimal;

use super::{Table, money, quantity, region_name};

/// How many rows the top-N tables show.
const TOP: usize = 8;

/// The whole S-P-I section.
pub fn section(views: &Views<'_>) -> Result<String, OmoError> {
    let mut out = String::from("== S-P-I ==\n");
    out.push_str(&by_region(views)?);
    out.push_str(&channel(views)?);
    out.push_str(&health(views.health()?, &views.abc_summary()?, &views.unhealthy_stock()?));
    out.push_str(&book_vs_physical(views)?);
    out.push_str(&suggestions(&views.suggested_orders(None, None)?));
    Ok(out)
}

fn by_region(views: &Views<'_>) -> Result<String, OmoError> {
    let Window { from, to } = Window::last_complete_quarter(views.as_of());
    let rows = views.spi_rollup(&NodeLevel::Region, &ProductLevel::All, Period::Quarter, None)?;
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
            region_name(views.dataset(), &row.nodes),
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

fn channel(views: &Views<'_>) -> Result<String, OmoError> {
    let from = Window::last_complete_quarter(views.as_of()).from;
    let rows = views.channel(Period::Month, None, Some(Window::between(Some(from), None)?))?;
    let mut out = String::from(
        "Channel per month (units): sell-in to distributors, sell-through to retailers, sell-out to farmers\n",
    );
    let mut table = Table::new(
        ["month", "sell-in", "sell-through", "sell-out", "distributor stock", "retailer stock"]
            .map(String::from)
            .to_vec(),
    );
    for row in &rows {
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

fn health(report: &HealthReport, abc: &[AbcShare], unhealthy: &[&StockHealth]) -> String {
    let mut out = String::new();
    let summary: Vec<String> = abc
        .iter()
        .map(|c| format!("{} {} SKUs {}%", c.class.as_str(), c.products, (c.share * Decimal::ONE_HUNDRED).round_dp(1)))
        .collect();
    let _ = writeln!(out, "ABC by last year's invoiced revenue: {}", summary.join(", "));
    let _ = writeln!(
        out,
        "Ineffective stock (dead: not issued for 180 days; slow: over 180 days of cover): {}% of {} stock value at standard cost",
        (report.ineffective_share * Decimal::ONE_HUNDRED).round_dp(1),
        money(report.total_value)
    );
    let mut table = Table::new(
        ["node", "product", "status", "on hand", "value", "last issue", "days of cover"].map(String::from).to_vec(),
    );
    for s in unhealthy.iter().take(TOP) {
        table.row(vec![
            s.node.to_string(),
            s.product.to_string(),
            s.status.as_str().to_owned(),
            quantity(s.on_hand),
            money(s.value),
            s.last_issue.map_or_else(|| "never".to_owned(), |d| d.to_string()),
            s.days_of_cover.map_or_else(|| "-".to_owned(), |c| format!("{c:.0}")),
        ]);
    }
    out.push_str(&table.render());
    out
}

fn book_vs_physical(views: &Views<'_>) -> Result<String, OmoError> {
    let Some(StockTake { day: last, reconciliation: r }) = views.reconciliation(None)? else {
        return Ok("Book vs physical: no stock counts\n".to_owned());
    };
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
    let mut table =
        Table::new(["node", "product", "book", "counted", "difference", "value"].map(String::from).to_vec());
    for l in r.lines.iter().filter(|l| !l.difference.is_zero()).take(TOP) {
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

fn suggestions(orders: &SuggestedOrders) -> String {
    let s = &orders.settings;
    let mut out = format!(
        "Suggested distributor orders ({}% service, {}-day lead time, review every {} days): {} of {} node x SKU lines need an order now\n",
        s.service_level * 100.0,
        s.lead_time_days,
        s.review_days,
        orders.due,
        orders.rows.len()
    );
    let mut table = Table::new(
        ["node", "product", "on hand", "on order", "reorder point", "order up to", "order", "value"]
            .map(String::from)
            .to_vec(),
    );
    for row in orders.rows.iter().take(TOP) {
        let s = &row.order;
        table.row(vec![
            s.node.to_string(),
            s.product.to_string(),
            quantity(s.position.on_hand),
            quantity(s.position.on_order),
            quantity(s.reorder_point),
            quantity(s.order_up_to),
            quantity(s.quantity),
            money(row.value),
        ]);
    }
    out.push_str(&table.render());
    out
}
