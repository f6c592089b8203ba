//! The main job's terminal report of a company: its structure along the three axes and its last
//! quarter's sales by region and category, forecasts, S-P-I, credit, the KPI lights and the
//! plan.

mod credit;
mod forecast;
mod kpi;
mod plan;
mod spi;
mod table;

use std::collections::BTreeMap;
use std::fmt::Write;

pub use kpi::light;
pub use plan::{SOP_HEADER, SUPPLIER_HEADER, sop_cells, supplier_cells};
pub use table::{Table, money, quantity};

use omo_core::analytics::SalesSource;
use omo_core::model::{CustomerKind, Hierarchy, NodeKind};
use omo_core::views::{SalesAmount, SalesPivot, Views, Window};
use omo_core::{Dataset, OmoError, ValidDataset};

/// The whole report.
pub fn render(dataset: &ValidDataset) -> Result<String, OmoError> {
    render_views(&Views::new(dataset))
}

/// The whole report, from results computed once for the report and the dashboard.
pub fn render_views(views: &Views<'_>) -> Result<String, OmoError> {
    let dataset = views.dataset();
    let mut out = String::new();
    let _ = writeln!(out, "{} — as of {} (amounts in {})\n", dataset.company, dataset.as_of, dataset.currency);
    out.push_str(&structure(views)?);
    out.push('\n');
    out.push_str(&last_quarter_sales(views)?);
    out.push('\n');
    out.push_str(&forecast::section(views)?);
    out.push('\n');
    out.push_str(&spi::section(views)?);
    out.push('\n');
    out.push_str(&credit::section(views)?);
    out.push('\n');
    out.push_str(&kpi::section(views, kpi::colour_wanted())?);
    out.push('\n');
    out.push_str(&plan::section(views, kpi::colour_wanted())?);
    Ok(out)
}

/// The company along its three axes: products, customers and the supply chain, and how many
/// records of each kind its history holds.
pub fn structure(views: &Views<'_>) -> Result<String, OmoError> {
    let d = views.dataset();
    let mut out = String::from("== Structure ==\n");
    let categories = d.category_tree()?;
    let _ = writeln!(
        out,
        "Product axis: {} products in {} categories, {} bundles",
        d.products.len(),
        categories.len(),
        d.bundles.len()
    );
    let mut per_category: BTreeMap<String, usize> = BTreeMap::new();
    for product in &d.products {
        *per_category.entry(product.category.to_string()).or_default() += 1;
    }
    for category in categories.members() {
        let depth = categories.depth(category).unwrap_or(0);
        let name = d.categories.iter().find(|c| &c.id == category).map_or("", |c| c.name.as_str());
        let count = per_category.get(category.as_str()).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "  {}{name} [{category}]{}",
            "  ".repeat(depth),
            if count > 0 { format!(": {count} SKUs") } else { String::new() }
        );
    }
    for bundle in &d.bundles {
        let _ =
            writeln!(out, "  bundle {}: {} products at {}", bundle.name, bundle.components.len(), money(bundle.price));
    }

    let regions = d.region_tree()?;
    let _ = writeln!(
        out,
        "Customer axis: {} customers in {} regions, {} business units, {} salespeople",
        d.customers.len(),
        regions.len(),
        d.business_units.len(),
        d.salespeople.len()
    );
    let mut by_region: BTreeMap<(String, CustomerKind), usize> = BTreeMap::new();
    for customer in &d.customers {
        *by_region.entry((customer.region.to_string(), customer.kind)).or_default() += 1;
    }
    let kinds: Vec<CustomerKind> =
        CustomerKind::ALL.into_iter().filter(|k| d.customers.iter().any(|c| c.kind == *k)).collect();
    let mut table =
        Table::new(std::iter::once("region".to_owned()).chain(kinds.iter().map(|k| k.as_str().to_owned())).collect());
    for region in leaves(&regions) {
        let counts: Vec<usize> =
            kinds.iter().map(|k| by_region.get(&(region.to_string(), *k)).copied().unwrap_or(0)).collect();
        if counts.iter().any(|&c| c > 0) {
            table.row(
                std::iter::once(region_name(d, region.as_str()))
                    .chain(counts.iter().map(ToString::to_string))
                    .collect(),
            );
        }
    }
    out.push_str(&table.render());
    let units = d.business_unit_tree()?;
    let names: Vec<String> = leaves(&units)
        .into_iter()
        .map(|u| d.business_units.iter().find(|b| &b.id == u).map_or_else(|| u.to_string(), |b| b.name.clone()))
        .collect();
    let _ = writeln!(out, "  business units: {}", names.join(", "));
    let sales = d.sales_tree()?;
    let managers = sales.members().filter(|s| !sales.children(s).is_empty()).count();
    let _ = writeln!(out, "  sales organisation: {} salespeople, {managers} of them managing others", sales.len());
    let channel = d.channel_tree()?;
    let through = channel.members().filter(|c| channel.depth(c).unwrap_or(0) > 0).count();
    let _ = writeln!(out, "  channel: {through} customers buy through another customer (a distributor, a retailer)");

    let nodes = d.node_tree()?;
    let mut per_kind: BTreeMap<NodeKind, usize> = BTreeMap::new();
    for node in &d.nodes {
        *per_kind.entry(node.kind).or_default() += 1;
    }
    let kinds: Vec<String> = per_kind.iter().map(|(k, n)| format!("{n} {}", node_kind(*k))).collect();
    let _ =
        writeln!(out, "Supply chain: {} nodes in {} tree(s): {}", nodes.len(), nodes.roots().count(), kinds.join(", "));
    for node in d.nodes.iter().filter(|n| n.holds_consigned_stock()) {
        let _ = writeln!(out, "  consigned stock held at {} [{}]", node.name, node.id);
    }
    let _ = writeln!(
        out,
        "Transactions: {} stock movements, {} POS sales, {} orders, {} shipments, {} invoices and credit notes, {} payments, {} prepaid orders, {} stock counts",
        views.stock_record_counts().0,
        views.stock_record_counts().1,
        d.orders.len(),
        d.shipments.len(),
        d.invoices.len(),
        d.payments.len(),
        d.prepaid_orders.len(),
        d.counts.len()
    );
    Ok(out)
}

/// The last complete quarter's sell-in revenue and sell-out volume by region and category.
pub fn last_quarter_sales(views: &Views<'_>) -> Result<String, OmoError> {
    let sell_in = views.sales(SalesSource::Invoiced, None)?;
    let Window { from, to } = sell_in.window;
    let mut out = format!("== Sales, {from} to {to} ==\n");
    out.push_str(&format!("Sell-in: invoiced revenue net of credit notes ({})\n", views.dataset().currency));
    out.push_str(&pivot(&sell_in, |a| money(a.revenue)));
    let sell_out = views.sales(SalesSource::SellOut, None)?;
    if !sell_out.rows.is_empty() {
        out.push_str("Sell-out: units sold to end users at retailers (POS)\n");
        out.push_str(&pivot(&sell_out, |a| quantity(a.quantity)));
    }
    Ok(out)
}

fn pivot(sales: &SalesPivot, show: impl Fn(&SalesAmount) -> String) -> String {
    let mut table = Table::new(
        std::iter::once("region".to_owned())
            .chain(sales.categories.iter().map(ToString::to_string))
            .chain(["total".to_owned()])
            .collect(),
    );
    for row in sales.rows.iter().chain([&sales.total]) {
        table.row(
            std::iter::once(row.name.clone()).chain(row.cells.iter().map(&show)).chain([show(&row.total)]).collect(),
        );
    }
    table.render()
}

fn leaves<K: Clone + Eq + std::hash::Hash + std::fmt::Display>(tree: &Hierarchy<K>) -> Vec<&K> {
    tree.members().filter(|m| tree.children(m).is_empty()).collect()
}

pub(crate) fn region_name(d: &Dataset, id: &str) -> String {
    d.regions.iter().find(|r| r.id.as_str() == id).map_or_else(|| id.to_owned(), |r| r.name.clone())
}

fn node_kind(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Manufacturer => "manufacturer",
        NodeKind::Plant => "plant",
        NodeKind::Warehouse => "warehouse",
        NodeKind::OemSupplier => "OEM supplier",
        NodeKind::Distributor => "distributor warehouses",
        NodeKind::Retailer => "retail shops",
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(money(Decimal::new(123456789, 2)), "1,234,568");
        assert_eq!(money(Decimal::new(-999, 0)), "-999");
        assert_eq!(quantity(Decimal::new(1234567, 3)), "1,234.57");
    }
}
