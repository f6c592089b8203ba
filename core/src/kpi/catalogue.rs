//! The standard KPI catalogue of a maker selling through distributors, computed from a dataset
//! for every distributor and month: revenue against plan and last year, sell-through, days of
//! cover, ineffective stock, forecast accuracy, DSO, overdue ratio, on-time-in-full deliveries,
//! active retailers, average order value and collection rate.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use std::collections::{BTreeMap, HashMap};

use super::definition::{Direction, KpiDefinition, Light, RollUp, Thresholds, ZoneBounds};
use super::scorecard::KpiInput;
use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::{CustomerId, CustomerKind, Hierarchy, InvoiceKind, MovementKind, TargetScope};
use crate::spi::{HealthOptions, StockStatus, inventory_health};

fn absolute(
    id: &str,
    name: &str,
    unit: &str,
    direction: Direction,
    good: Decimal,
    acceptable: Decimal,
) -> KpiDefinition {
    let bounds = ZoneBounds { acceptance: Some(good), tolerance: Some(acceptable), deviation: None };
    let (low, high) = match direction {
        Direction::LowerIsBetter => (ZoneBounds::default(), bounds),
        _ => (bounds, ZoneBounds::default()),
    };
    KpiDefinition {
        id: id.to_owned(),
        name: name.to_owned(),
        unit: unit.to_owned(),
        direction,
        target: Some(good),
        thresholds: Thresholds::Zones {
            low,
            high,
            relative_to_target: false,
            inclusive: true,
            lights: [Light::Green, Light::Yellow, Light::Red, Light::Red],
        },
        weight: Decimal::ONE,
        missing: Light::Grey,
        roll_up: RollUp::ShareInRed { yellow_above: Decimal::ZERO, red_above: Decimal::new(25, 2) },
    }
}

fn pct(x: i64) -> Decimal {
    Decimal::new(x, 2)
}

/// The standard catalogue, with the thresholds a sales director of the sample company would set.
/// Ratios are fractions (0.95 = 95 %).
pub fn standard_kpis() -> Result<Vec<KpiDefinition>> {
    let mut revenue_vs_plan =
        KpiDefinition::higher_is_better("revenue_vs_plan", "Revenue vs plan", "ratio", Decimal::ONE, pct(95), pct(85))?;
    revenue_vs_plan.weight = Decimal::from(3);
    revenue_vs_plan.roll_up = RollUp::WeightedScore { green_at: pct(95), yellow_at: pct(85) };
    let mut cover =
        KpiDefinition::target_band("days_of_cover", "Days of cover", "days", Decimal::from(45), pct(34), pct(67))?;
    cover.roll_up = RollUp::ShareInRed { yellow_above: Decimal::ZERO, red_above: pct(25) };
    let kpis = vec![
        revenue_vs_plan,
        absolute("revenue_growth", "Revenue vs last year", "ratio", Direction::HigherIsBetter, Decimal::ZERO, pct(-10)),
        absolute("sell_through", "Sell-through", "ratio", Direction::HigherIsBetter, pct(30), pct(20)),
        cover,
        absolute(
            "ineffective_stock_share",
            "Ineffective stock share",
            "ratio",
            Direction::LowerIsBetter,
            pct(10),
            pct(20),
        ),
        absolute("forecast_wape", "Forecast error (WAPE)", "ratio", Direction::LowerIsBetter, pct(25), pct(40)),
        absolute("dso", "DSO", "days", Direction::LowerIsBetter, Decimal::from(45), Decimal::from(60)),
        absolute("overdue_ratio", "Overdue ratio", "ratio", Direction::LowerIsBetter, pct(10), pct(25)),
        absolute("otif", "On time in full", "ratio", Direction::HigherIsBetter, pct(95), pct(85)),
        absolute(
            "active_retailers",
            "Active retailers vs last year",
            "ratio",
            Direction::HigherIsBetter,
            pct(95),
            pct(85),
        ),
        absolute(
            "average_order_value",
            "Average order value vs last year",
            "ratio",
            Direction::HigherIsBetter,
            pct(95),
            pct(85),
        ),
        absolute("collection_rate", "Collection rate", "ratio", Direction::HigherIsBetter, pct(95), pct(80)),
    ];
    kpis.into_iter().map(KpiDefinition::validated).collect()
}

/// The distributors under their regions under the region root: the axis of the standard
/// scorecard (members are region and customer ids).
pub fn distributor_hierarchy(dataset: &Dataset) -> Result<Hierarchy<String>> {
    let mut links: Vec<(String, Option<String>)> =
        dataset.regions.iter().map(|r| (r.id.to_string(), r.parent.as_ref().map(ToString::to_string))).collect();
    links.extend(
        dataset
            .customers
            .iter()
            .filter(|c| c.kind == CustomerKind::Distributor)
            .map(|c| (c.id.to_string(), Some(c.region.to_string()))),
    );
    Hierarchy::from_parent_links("scorecard member", links)
}

/// The distributors under their business units: the second axis of the standard scorecard.
pub fn business_unit_hierarchy(dataset: &Dataset) -> Result<Hierarchy<String>> {
    let mut links: Vec<(String, Option<String>)> =
        dataset.business_units.iter().map(|b| (b.id.to_string(), b.parent.as_ref().map(ToString::to_string))).collect();
    links.extend(
        dataset
            .customers
            .iter()
            .filter(|c| c.kind == CustomerKind::Distributor)
            .map(|c| (c.id.to_string(), Some(c.business_unit.to_string()))),
    );
    Hierarchy::from_parent_links("scorecard member", links)
}

/// The standard KPIs of every distributor for `month` (any day of it), with the previous month's
/// and last year's values: the inputs of [`super::Scorecard::build`].
pub fn standard_inputs(dataset: &Dataset, month: NaiveDate) -> Result<HashMap<(String, String), KpiInput>> {
    let start = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(month);
    let now = month_values(dataset, start)?;
    let previous =
        start.checked_sub_months(Months::new(1)).map(|m| month_values(dataset, m)).transpose()?.unwrap_or_default();
    let last_year =
        start.checked_sub_months(Months::new(12)).map(|m| month_values(dataset, m)).transpose()?.unwrap_or_default();
    let mut inputs = HashMap::new();
    for (customer, values) in &now {
        for (kpi, value) in values {
            let other = |table: &BTreeMap<CustomerId, BTreeMap<&'static str, Option<Decimal>>>| {
                table.get(customer).and_then(|v| v.get(kpi)).copied().flatten()
            };
            inputs.insert(
                (customer.to_string(), (*kpi).to_owned()),
                KpiInput { value: *value, previous: other(&previous), last_year: other(&last_year) },
            );
        }
    }
    Ok(inputs)
}

type MonthValues = BTreeMap<CustomerId, BTreeMap<&'static str, Option<Decimal>>>;

/// Every standard KPI of every distributor for the month starting `start`.
fn month_values(dataset: &Dataset, start: NaiveDate) -> Result<MonthValues> {
    let end = start.checked_add_months(Months::new(1)).map_or(start, |d| d - Days::new(1)).min(dataset.as_of);
    let year_before = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    let in_month = |d: NaiveDate| d >= start && d <= end;
    let in_month_last_year = |d: NaiveDate| d >= year_before(start) && d <= year_before(end);
    let book = CreditBook::from_dataset(dataset, end, CreditPolicy::default())?;
    let health = inventory_health(dataset, &HealthOptions::new(end))?;
    let ratio = |a: Decimal, b: Decimal| (b > Decimal::ZERO).then(|| a / b);
    let float = |x: Option<f64>| x.and_then(Decimal::from_f64).map(|d| d.round_dp(4));
    let mut out = MonthValues::new();
    for distributor in dataset.customers.iter().filter(|c| c.kind == CustomerKind::Distributor) {
        let id = &distributor.id;
        let node = distributor.node.as_ref();
        let revenue = |when: &dyn Fn(NaiveDate) -> bool| -> Decimal {
            dataset
                .invoices
                .iter()
                .filter(|i| &i.customer == id && when(i.date))
                .map(|i| if i.kind == InvoiceKind::CreditNote { -i.amount() } else { i.amount() })
                .sum()
        };
        let (rev, rev_ly) = (revenue(&in_month), revenue(&in_month_last_year));
        let plan: Decimal = dataset
            .sales_targets
            .iter()
            .filter(|t| t.scope == TargetScope::Customer(id.clone()) && t.month == start)
            .map(|t| t.revenue)
            .sum();
        let mut values: BTreeMap<&'static str, Option<Decimal>> = BTreeMap::new();
        values.insert("revenue_vs_plan", ratio(rev, plan));
        values.insert("revenue_growth", ratio(rev, rev_ly).map(|r| r - Decimal::ONE));
        // Stock at the node: sell-through of the month and cover at its end.
        let (mut opening, mut receipts, mut sales, mut closing, mut window_sales) =
            (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
        let window = end - Days::new(90);
        for m in dataset.movements.iter().filter(|m| Some(&m.node) == node && m.date <= end) {
            let change = m.stock_change();
            if m.date < start {
                opening += change;
            }
            closing += change;
            if in_month(m.date) && m.kind == MovementKind::Receipt {
                receipts += m.quantity;
            }
            if m.kind == MovementKind::Sale {
                if in_month(m.date) {
                    sales += m.quantity;
                }
                if m.date > window {
                    window_sales += m.quantity;
                }
            }
        }
        values.insert("sell_through", ratio(sales, opening + receipts));
        values.insert("days_of_cover", ratio(closing * Decimal::from(90), window_sales));
        let (dead_or_slow, total) = health.stock.iter().filter(|s| Some(&s.node) == node).fold(
            (Decimal::ZERO, Decimal::ZERO),
            |(bad, all), s| {
                (
                    if matches!(s.status, StockStatus::Dead | StockStatus::Slow) { bad + s.value } else { bad },
                    all + s.value,
                )
            },
        );
        values.insert("ineffective_stock_share", ratio(dead_or_slow, total));
        values.insert("forecast_wape", None);
        values.insert("dso", float(book.receivables().dso_simple(Some(id), end, 90)));
        values.insert("overdue_ratio", float(book.receivables().overdue_ratio(Some(id), end)).or(Some(Decimal::ZERO)));
        values.insert("otif", otif(dataset, id, &in_month));
        let active = |when: &dyn Fn(NaiveDate) -> bool| -> Decimal {
            let shops: std::collections::HashSet<_> = dataset
                .customers
                .iter()
                .filter(|c| c.parent.as_ref() == Some(id))
                .filter_map(|c| c.node.as_ref())
                .filter(|n| dataset.pos_sales.iter().any(|s| &s.node == *n && when(s.date)))
                .collect();
            Decimal::from(shops.len())
        };
        values.insert("active_retailers", ratio(active(&in_month), active(&in_month_last_year)));
        let aov = |when: &dyn Fn(NaiveDate) -> bool| {
            let orders: Vec<Decimal> =
                dataset.orders.iter().filter(|o| &o.customer == id && when(o.order_date)).map(|o| o.total()).collect();
            ratio(orders.iter().sum(), Decimal::from(orders.len()))
        };
        values
            .insert("average_order_value", aov(&in_month).zip(aov(&in_month_last_year)).and_then(|(a, b)| ratio(a, b)));
        let due: Decimal = dataset
            .invoices
            .iter()
            .filter(|i| &i.customer == id && i.kind == InvoiceKind::Invoice && in_month(i.due_date))
            .map(|i| i.amount())
            .sum();
        let paid: Decimal =
            dataset.payments.iter().filter(|p| &p.customer == id && in_month(p.date)).map(|p| p.amount).sum();
        values.insert("collection_rate", ratio(paid, due).map(|r| r.min(Decimal::ONE)));
        out.insert(id.clone(), values);
    }
    Ok(out)
}

/// Share of the deliveries of a month to a customer that came on time and in full.
fn otif(dataset: &Dataset, customer: &CustomerId, in_month: &dyn Fn(NaiveDate) -> bool) -> Option<Decimal> {
    let orders: HashMap<_, _> = dataset.orders.iter().filter(|o| &o.customer == customer).map(|o| (&o.id, o)).collect();
    let (mut total, mut good) = (0u32, 0u32);
    for shipment in dataset.shipments.iter().filter(|s| s.delivered_date.is_some_and(in_month)) {
        let Some(order) = orders.get(&shipment.order) else { continue };
        total += 1;
        let in_full = order
            .lines
            .iter()
            .all(|l| shipment.lines.iter().any(|s| s.product == l.product && s.quantity >= l.quantity));
        if in_full && shipment.on_time() == Some(true) {
            good += 1;
        }
    }
    (total > 0).then(|| Decimal::from(good) / Decimal::from(total))
}
