//! The standard KPI catalogue of a maker selling through distributors, computed from a dataset
//! for every distributor and month: revenue against plan and last year, sell-through, days of
//! cover, ineffective stock, forecast accuracy (one-month-ahead seasonal naive forecasts against
//! actual sales), DSO, overdue ratio, on-time-in-full deliveries,
//! active retailers, average order value and collection rate.
//!
//! A month not over yet is measured at its pace: its revenue against the plan of its days so
//! far, its sell-through as a month at that pace would sell, its forecast error against the
//! forecast of those days (and, as before, last year over the same days), so that its lights
//! say whether the month is on course, not how much of it is left.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, HashMap};

use super::alerts::{AlertEvent, AlertRule, run_alerts};
use super::calendar::{COVER_WINDOW_DAYS, days_into_month, first_of_month, months_in_data, months_up_to};
use super::definition::{Direction, KpiDefinition, Light, RollUp, Thresholds, ZoneBounds};
use super::scorecard::KpiInput;
use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::{Checked, Dataset, DatasetInput};
use crate::error::Result;
use crate::model::{CustomerId, CustomerKind, Hierarchy, InvoiceKind, MovementKind, NodeId, TargetScope};
use crate::spi::{HealthOptions, Period, StockStatus, inventory_health};

/// A KPI with absolute thresholds: green at or better than `good`, yellow at or better than
/// `acceptable`, red beyond; roll-up by the share of members in red.
pub(crate) fn absolute(
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
    let regions = dataset.regions.iter().map(|r| (r.id.to_string(), r.parent.as_ref().map(ToString::to_string)));
    distributors_under(dataset, regions, |c| c.region.to_string())
}

/// The distributors under their business units: the second axis of the standard scorecard.
pub fn business_unit_hierarchy(dataset: &Dataset) -> Result<Hierarchy<String>> {
    let units = dataset.business_units.iter().map(|b| (b.id.to_string(), b.parent.as_ref().map(ToString::to_string)));
    distributors_under(dataset, units, |c| c.business_unit.to_string())
}

/// A tree of `groups` (id, parent) with every distributor placed under `group_of` it.
fn distributors_under(
    dataset: &Dataset,
    groups: impl Iterator<Item = (String, Option<String>)>,
    group_of: impl Fn(&crate::model::Customer) -> String,
) -> Result<Hierarchy<String>> {
    let distributors = dataset
        .customers
        .iter()
        .filter(|c| c.kind == CustomerKind::Distributor)
        .map(|c| (c.id.to_string(), Some(group_of(c))));
    Hierarchy::from_parent_links("scorecard member", groups.chain(distributors))
}

/// The alerts of every distributor's standard KPIs over the `months` months up to and including
/// `last_month` (any day of it) under `rule`, sorted by period, member and KPI.
///
/// Errors: `months` of 0 ([`crate::OmoError::InvalidArgument`]), and what computing the KPIs raises.
pub fn standard_alerts(
    dataset: &impl DatasetInput,
    last_month: NaiveDate,
    months: u32,
    rule: &AlertRule,
) -> Result<Vec<AlertEvent>> {
    if months == 0 {
        return Err(crate::OmoError::InvalidArgument { name: "months", message: "must be at least 1".into() });
    }
    let dataset = dataset.checked_stock()?;
    let periods = months_up_to(last_month, months_in_data(dataset, last_month, months));
    let history = history_of(dataset, &periods)?;
    alerts_in_history(dataset, &periods, &history, rule)
}

/// The alerts of every distributor's standard KPIs in a history [`standard_history`] computed
/// for `periods`, sorted by period, member and KPI.
pub fn alerts_in_history(
    dataset: &Dataset,
    periods: &[NaiveDate],
    history: &[HashMap<(String, String), KpiInput>],
    rule: &AlertRule,
) -> Result<Vec<AlertEvent>> {
    let kpis = standard_kpis()?;
    let members: Vec<String> =
        dataset.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).map(|c| c.id.to_string()).collect();
    let mut events = Vec::new();
    for kpi in &kpis {
        for member in &members {
            let key = (member.clone(), kpi.id.clone());
            let series: Vec<(NaiveDate, Option<Decimal>)> =
                periods.iter().zip(history).map(|(m, i)| (*m, i.get(&key).and_then(|x| x.value))).collect();
            events.extend(run_alerts(kpi, rule, member, &series));
        }
    }
    events.sort_by(|a, b| (a.period, &a.member, &a.kpi).cmp(&(b.period, &b.member, &b.kpi)));
    Ok(events)
}

/// The standard KPIs of every distributor for `month` (any day of it), with the previous month's
/// and last year's values: the inputs of [`super::Scorecard::build`].
pub fn standard_inputs(dataset: &impl DatasetInput, month: NaiveDate) -> Result<HashMap<(String, String), KpiInput>> {
    Ok(standard_history(dataset, &[month])?.pop().unwrap_or_default())
}

/// [`standard_inputs`] for several months, each month's values computed once however many of
/// the months need it (as this month, the month before or last year).
pub fn standard_history(
    dataset: &impl DatasetInput,
    months: &[NaiveDate],
) -> Result<Vec<HashMap<(String, String), KpiInput>>> {
    history_of(dataset.checked_stock()?, months)
}

/// [`standard_history`] of a dataset whose stock records have been validated.
fn history_of(dataset: &Dataset, months: &[NaiveDate]) -> Result<Vec<HashMap<(String, String), KpiInput>>> {
    let scope = Scope::new(dataset);
    let mut cache: BTreeMap<NaiveDate, MonthValues> = BTreeMap::new();
    inputs_of_months(months, |start| {
        if let Some(found) = cache.get(&start) {
            return Ok(found.clone());
        }
        let values = month_values(&scope, start)?;
        cache.insert(start, values.clone());
        Ok(values)
    })
}

/// The scorecard inputs of each of `months`: every distributor's value of every KPI in the
/// month, with the month before's and last year's, `value_of` giving the values of a month
/// (its first day). The batch catalogue computes them; the live engine reads those it kept.
pub(crate) fn inputs_of_months(
    months: &[NaiveDate],
    mut value_of: impl FnMut(NaiveDate) -> Result<MonthValues>,
) -> Result<Vec<HashMap<(String, String), KpiInput>>> {
    let mut value_of = |start: Option<NaiveDate>| start.map_or_else(|| Ok(MonthValues::new()), &mut value_of);
    let mut out = Vec::with_capacity(months.len());
    for month in months {
        let start = first_of_month(*month);
        let now = value_of(Some(start))?;
        let previous = value_of(start.checked_sub_months(Months::new(1)))?;
        let last_year = value_of(start.checked_sub_months(Months::new(12)))?;
        let mut inputs = HashMap::new();
        for (customer, values) in &now {
            for (kpi, value) in values.iter() {
                let other = |table: &MonthValues| table.get(customer).and_then(|v| v.get(kpi));
                inputs.insert(
                    (customer.to_string(), kpi.to_owned()),
                    KpiInput { value, previous: other(&previous), last_year: other(&last_year) },
                );
            }
        }
        out.push(inputs);
    }
    Ok(out)
}

/// Every distributor's value of every standard KPI in one month.
pub(crate) type MonthValues = BTreeMap<CustomerId, KpiValues>;

/// Per-node stock figures of one month.
#[derive(Default)]
struct NodeMonth {
    opening: Decimal,
    receipts: Decimal,
    sales: Decimal,
    closing: Decimal,
    window_sales: Decimal,
}

/// Per-customer revenue, order and payment figures of one month and the same month last year.
#[derive(Default)]
struct CustomerMonth {
    revenue: Decimal,
    revenue_last_year: Decimal,
    orders: (Decimal, usize),
    orders_last_year: (Decimal, usize),
    due: Decimal,
    paid: Decimal,
}

/// What the monthly KPIs read, prepared once for any number of months: the distributors' part
/// of the dataset (their nodes' movements; no POS sales or counts), the first day each shop sold
/// in each month, and each distributor's shops.
struct Scope<'a> {
    distributors: Dataset,
    first_sale: FxHashMap<i64, FxHashMap<&'a NodeId, NaiveDate>>,
    shops_of: FxHashMap<&'a CustomerId, Vec<&'a NodeId>>,
}

impl<'a> Scope<'a> {
    fn new(dataset: &'a Dataset) -> Self {
        let nodes: FxHashSet<&NodeId> = dataset
            .customers
            .iter()
            .filter(|c| c.kind == CustomerKind::Distributor)
            .filter_map(|c| c.node.as_ref())
            .collect();
        let distributors =
            dataset.with_movements(dataset.movements.iter().filter(|m| nodes.contains(&m.node)).cloned().collect());
        let mut first_sale: FxHashMap<i64, FxHashMap<&NodeId, NaiveDate>> = FxHashMap::default();
        for sale in &dataset.pos_sales {
            let first =
                first_sale.entry(Period::Month.number(sale.date)).or_default().entry(&sale.node).or_insert(sale.date);
            *first = (*first).min(sale.date);
        }
        let mut shops_of: FxHashMap<&CustomerId, Vec<&NodeId>> = FxHashMap::default();
        for retailer in &dataset.customers {
            if let (Some(parent), Some(node)) = (&retailer.parent, &retailer.node) {
                shops_of.entry(parent).or_default().push(node);
            }
        }
        Scope { distributors, first_sale, shops_of }
    }

    /// How many of a distributor's shops sold between `from` and `to`, two days of one month.
    fn selling_shops(&self, distributor: &CustomerId, from: NaiveDate, to: NaiveDate) -> usize {
        let Some(first) = self.first_sale.get(&Period::Month.number(from)) else { return 0 };
        self.shops_of
            .get(distributor)
            .map_or(0, |shops| shops.iter().filter(|n| first.get(*n).is_some_and(|d| *d >= from && *d <= to)).count())
    }
}

/// Every standard KPI of every distributor for the month starting `start`, each data set read
/// once.
fn month_values(scope: &Scope<'_>, start: NaiveDate) -> Result<MonthValues> {
    let dataset = &scope.distributors;
    let end = start.checked_add_months(Months::new(1)).map_or(start, |d| d - Days::new(1)).min(dataset.as_of);
    let (elapsed_days, month_days) = days_into_month(start, end);
    let year_before = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    let in_month = |d: NaiveDate| d >= start && d <= end;
    let in_month_last_year = |d: NaiveDate| d >= year_before(start) && d <= year_before(end);
    let distributors: Vec<_> = dataset.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).collect();
    let nodes: FxHashSet<_> = distributors.iter().filter_map(|c| c.node.as_ref()).collect();
    let window = super::days_before(end, u64::from(COVER_WINDOW_DAYS));
    let mut stock: FxHashMap<&crate::model::NodeId, NodeMonth> = FxHashMap::default();
    // Monthly sales per node and product over the two years before the month, for the forecast.
    let this_month = crate::spi::Period::Month.number(start);
    let mut history: FxHashMap<(&crate::model::NodeId, &crate::model::ProductId), [f64; 25]> = FxHashMap::default();
    for m in dataset.movements.iter().filter(|m| m.date <= end && nodes.contains(&m.node)) {
        if m.kind == MovementKind::Sale {
            let age = this_month - crate::spi::Period::Month.number(m.date);
            if let Some(slot) = usize::try_from(24 - age)
                .ok()
                .and_then(|i| history.entry((&m.node, &m.product)).or_insert([0.0; 25]).get_mut(i))
            {
                *slot += m.quantity.to_f64().unwrap_or(0.0);
            }
        }
        let node = stock.entry(&m.node).or_default();
        let change = m.stock_change();
        if m.date < start {
            node.opening += change;
        }
        node.closing += change;
        if in_month(m.date) && m.kind == MovementKind::Receipt {
            node.receipts += m.quantity;
        }
        if m.kind == MovementKind::Sale {
            if in_month(m.date) {
                node.sales += m.quantity;
            }
            if m.date > window {
                node.window_sales += m.quantity;
            }
        }
    }
    let mut money: FxHashMap<&CustomerId, CustomerMonth> = FxHashMap::default();
    for i in &dataset.invoices {
        let signed = i.signed_amount();
        let entry = money.entry(&i.customer).or_default();
        if in_month(i.date) {
            entry.revenue += signed;
        } else if in_month_last_year(i.date) {
            entry.revenue_last_year += signed;
        }
        if i.kind == InvoiceKind::Invoice && in_month(i.due_date) {
            entry.due += i.amount();
        }
    }
    for o in &dataset.orders {
        let entry = money.entry(&o.customer).or_default();
        if in_month(o.order_date) {
            entry.orders = (entry.orders.0 + o.total(), entry.orders.1 + 1);
        } else if in_month_last_year(o.order_date) {
            entry.orders_last_year = (entry.orders_last_year.0 + o.total(), entry.orders_last_year.1 + 1);
        }
    }
    for p in dataset.payments.iter().filter(|p| in_month(p.date)) {
        money.entry(&p.customer).or_default().paid += p.amount;
    }
    let book = CreditBook::from_dataset(dataset, end, CreditPolicy::default())?;
    let mut health_options = HealthOptions::new(end);
    health_options.nodes = Some(nodes.iter().map(|n| (*n).clone()).collect());
    // The history's stock was checked once, for every month (`standard_history`).
    let health = inventory_health(&Checked(dataset), &health_options)?;
    let mut out = MonthValues::new();
    for distributor in distributors {
        let id = &distributor.id;
        let node = distributor.node.as_ref();
        let none = NodeMonth::default();
        let s = node.and_then(|n| stock.get(n)).unwrap_or(&none);
        let blank = CustomerMonth::default();
        let c = money.get(id).unwrap_or(&blank);
        let plan: Decimal = dataset
            .sales_targets
            .iter()
            .filter(|t| t.scope == TargetScope::Customer(id.clone()) && t.month == start)
            .map(|t| t.revenue)
            .sum();
        let (dead_or_slow, stock_value) = health.stock.iter().filter(|h| Some(&h.node) == node).fold(
            (Decimal::ZERO, Decimal::ZERO),
            |(bad, all), h| {
                (
                    if matches!(h.status, StockStatus::Dead | StockStatus::Slow) { bad + h.value } else { bad },
                    all + h.value,
                )
            },
        );
        let facts = MonthFacts {
            revenue: c.revenue,
            revenue_last_year: c.revenue_last_year,
            plan,
            opening: s.opening,
            receipts: s.receipts,
            sales: s.sales,
            closing: s.closing,
            window_sales: s.window_sales,
            dead_or_slow,
            stock_value,
            forecast_wape: node.and_then(|n| {
                forecast_wape(history.iter().filter(|((m, _), _)| *m == n).map(|(_, v)| v), (elapsed_days, month_days))
            }),
            dso: ratio_decimal(book.receivables().dso_simple(Some(id), end, 90)),
            overdue_ratio: ratio_decimal(book.receivables().overdue_ratio(Some(id), end)),
            otif: otif(dataset, id, &in_month),
            selling_shops: scope.selling_shops(id, start, end),
            selling_shops_last_year: scope.selling_shops(id, year_before(start), year_before(end)),
            orders: c.orders,
            orders_last_year: c.orders_last_year,
            paid: c.paid,
            due: c.due,
            elapsed_days,
            month_days,
        };
        out.insert(id.clone(), facts.values());
    }
    Ok(out)
}

/// What the standard KPIs of one distributor in one month are computed from (the batch
/// catalogue and the live engine gather the same facts, and share [`MonthFacts::values`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MonthFacts {
    /// Net invoiced revenue of the month (credit notes subtracted).
    pub revenue: Decimal,
    /// The same, over the same days last year.
    pub revenue_last_year: Decimal,
    /// The month's revenue target (the whole month's).
    pub plan: Decimal,
    /// Stock at the distributor's node at the start of the month.
    pub opening: Decimal,
    /// Goods received in the month.
    pub receipts: Decimal,
    /// Goods sold in the month.
    pub sales: Decimal,
    /// Stock at the end of the month (or today).
    pub closing: Decimal,
    /// Goods sold in the [`COVER_WINDOW_DAYS`] up to the end.
    pub window_sales: Decimal,
    /// Value of dead and slow stock at the end.
    pub dead_or_slow: Decimal,
    /// Value of all stock at the end.
    pub stock_value: Decimal,
    /// The month's forecast WAPE, the forecast pro-rated to its days so far (see
    /// `forecast_wape`).
    pub forecast_wape: Option<Decimal>,
    /// DSO at the end (simple method, 90 days), rounded to 4 places.
    pub dso: Option<Decimal>,
    /// Overdue share of receivables at the end, rounded to 4 places.
    pub overdue_ratio: Option<Decimal>,
    /// Share of the month's deliveries on time and in full.
    pub otif: Option<Decimal>,
    /// Shops that sold in the month.
    pub selling_shops: usize,
    /// Shops that sold over the same days last year.
    pub selling_shops_last_year: usize,
    /// Order value and count of the month.
    pub orders: (Decimal, usize),
    /// The same, over the same days last year.
    pub orders_last_year: (Decimal, usize),
    /// Payments received in the month.
    pub paid: Decimal,
    /// Invoices falling due in the month.
    pub due: Decimal,
    /// The month's days up to the end, the end included: the plan, the forecast and the
    /// sell-through are measured at the pace of these.
    pub elapsed_days: u32,
    /// The month's days.
    pub month_days: u32,
}

/// `a / b`, none unless `b` is positive; the largest Decimal of its sign where the quotient
/// does not fit one (a plan or a last year of 10^-28).
fn ratio(a: Decimal, b: Decimal) -> Option<Decimal> {
    (b > Decimal::ZERO).then(|| crate::model::exact::saturating_div(a, b))
}

impl MonthFacts {
    /// The month's pace as two factors: a figure of the month to date times the first, against
    /// a whole month's figure times the second, compares them at the pace of the days so far
    /// (month days and elapsed days; 1 and 1 once the month is over). Scaling both sides before
    /// the one division keeps the paced ratio exact whenever it terminates (4.00775, not
    /// 4.0077499...), as dividing an already divided ratio would not.
    fn pace(&self) -> (Decimal, Decimal) {
        if self.elapsed_days >= self.month_days {
            return (Decimal::ONE, Decimal::ONE);
        }
        (Decimal::from(self.month_days), Decimal::from(self.elapsed_days))
    }

    /// Every standard KPI's value: the one place their formulas are written. An open month is
    /// measured at its pace: its revenue against the plan of its days so far, its sales against
    /// its stock as a month at that pace would sell (at most all of it).
    pub(crate) fn values(&self) -> KpiValues {
        let average = |(sum, n): (Decimal, usize)| ratio(sum, Decimal::from(n));
        let open = self.elapsed_days < self.month_days;
        let (to_date, whole) = self.pace();
        let revenue_vs_plan = self.revenue.checked_mul(to_date).zip(self.plan.checked_mul(whole));
        let sell_through = (|| {
            let (sales, opening) = (self.sales.checked_mul(to_date)?, self.opening.checked_mul(whole)?);
            crate::spi::sell_through(sales, opening, self.receipts.checked_mul(whole)?)
        })();
        // In the order of KPI_IDS.
        KpiValues([
            revenue_vs_plan.and_then(|(revenue, plan)| ratio(revenue, plan)),
            ratio(self.revenue, self.revenue_last_year).map(|r| r.saturating_sub(Decimal::ONE)),
            sell_through.map(|r| if open { r.min(Decimal::ONE) } else { r }),
            crate::spi::days_of_cover(self.closing, self.window_sales, COVER_WINDOW_DAYS),
            ratio(self.dead_or_slow, self.stock_value),
            self.forecast_wape,
            self.dso,
            self.overdue_ratio.or(Some(Decimal::ZERO)),
            self.otif,
            ratio(Decimal::from(self.selling_shops), Decimal::from(self.selling_shops_last_year)),
            average(self.orders).zip(average(self.orders_last_year)).and_then(|(a, b)| ratio(a, b)),
            ratio(self.paid, self.due).map(|r| r.min(Decimal::ONE)),
        ])
    }
}

/// The ids of the standard KPIs whose values [`MonthFacts::values`] computes, in the order
/// [`KpiValues`] holds them.
const KPI_IDS: [&str; 12] = [
    "revenue_vs_plan",
    "revenue_growth",
    "sell_through",
    "days_of_cover",
    "ineffective_stock_share",
    "forecast_wape",
    "dso",
    "overdue_ratio",
    "otif",
    "active_retailers",
    "average_order_value",
    "collection_rate",
];

/// One distributor's values of the standard KPIs in one month (none where a KPI has no value),
/// held by position: the live engine compares and keeps them at every event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KpiValues([Option<Decimal>; KPI_IDS.len()]);

impl KpiValues {
    /// The value of the KPI `kpi` (none for no value, or an id not among the standard KPIs).
    pub(crate) fn get(&self, kpi: &str) -> Option<Decimal> {
        KPI_IDS.iter().position(|id| *id == kpi).and_then(|i| self.0[i])
    }

    /// Every KPI's id with its value.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, Option<Decimal>)> + '_ {
        KPI_IDS.into_iter().zip(self.0.iter().copied())
    }

    /// The KPIs whose value differs from `before`'s (every one when there is no `before`), each
    /// by its position among the [`standard_kpis`] (the standard card's order), with its value.
    pub(crate) fn changed_since<'a>(
        &'a self,
        before: Option<&'a KpiValues>,
    ) -> impl Iterator<Item = (usize, Option<Decimal>)> + 'a {
        self.0.iter().copied().enumerate().filter(move |(i, value)| before.is_none_or(|b| b.0[*i] != *value))
    }
}

/// WAPE of the month's sales at a node, every product forecast one month ahead by the seasonal
/// naive method (season 12) on its monthly sales of the two years before — planting seasons
/// dominate this business (the last of the 25 monthly slots is the month itself) — and the
/// forecast pro-rated to the month's days so far (`days`: elapsed, in the month). One array per
/// product of the node.
fn forecast_wape<'a>(products: impl Iterator<Item = &'a [f64; 25]>, days: (u32, u32)) -> Option<Decimal> {
    forecast_wape_of(products.filter_map(forecast_and_sales), days)
}

/// One product's part of [`forecast_wape`]: the month's seasonal naive forecast and its sales.
fn forecast_and_sales(months: &[f64; 25]) -> Option<(f64, f64)> {
    let (past, now) = months.split_at(24);
    Some((month_forecast(past)?, *now.first()?))
}

/// The seasonal naive forecast (season 12) of a month from the monthly sales before it (none
/// where the method refuses them), as [`forecast_and_sales`] makes it.
pub(crate) fn month_forecast(past: &[f64]) -> Option<f64> {
    let options = crate::forecast::ForecastOptions {
        non_negative: true,
        season_length: 12,
        ..crate::forecast::ForecastOptions::new(1)
    };
    let f = crate::forecast::forecast(past, crate::forecast::Method::SeasonalNaive, &options).ok()?;
    Some(f.mean.first().copied().unwrap_or(0.0))
}

/// The WAPE of the products' (forecast, sales) (see [`forecast_and_sales`]), each forecast
/// pro-rated to the month's days so far (`days`: elapsed, in the month), rounded to 4 places.
pub(crate) fn forecast_wape_of(products: impl Iterator<Item = (f64, f64)>, days: (u32, u32)) -> Option<Decimal> {
    let (elapsed, month_days) = days;
    let share = (month_days > 0).then(|| f64::from(elapsed) / f64::from(month_days))?;
    let (error, actual) =
        products.fold((0.0, 0.0), |(e, a), (forecast, sold)| (e + (sold - forecast * share).abs(), a + sold.abs()));
    ratio_decimal((actual > 0.0).then(|| error / actual))
}

/// A ratio computed in floating point as the KPIs keep it: a decimal rounded to 4 places (none
/// for none, or for a value no decimal holds).
pub(crate) fn ratio_decimal(x: Option<f64>) -> Option<Decimal> {
    x.and_then(Decimal::from_f64).map(|d| d.round_dp(4))
}

/// Share of the deliveries of a month to a customer that came on time and in full.
fn otif(dataset: &Dataset, customer: &CustomerId, in_month: &dyn Fn(NaiveDate) -> bool) -> Option<Decimal> {
    let orders: HashMap<_, _> = dataset.orders.iter().filter(|o| &o.customer == customer).map(|o| (&o.id, o)).collect();
    let (mut total, mut good) = (0u32, 0u32);
    for shipment in dataset.shipments.iter().filter(|s| s.delivered_date.is_some_and(in_month)) {
        let Some(order) = orders.get(&shipment.order) else { continue };
        total += 1;
        if on_time_in_full(order, shipment) {
            good += 1;
        }
    }
    (total > 0).then(|| Decimal::from(good) / Decimal::from(total))
}

/// True when a delivered shipment came by its promised date with every line of its order in
/// full.
pub(crate) fn on_time_in_full(order: &crate::model::SalesOrder, shipment: &crate::model::Shipment) -> bool {
    let in_full =
        order.lines.iter().all(|l| shipment.lines.iter().any(|s| s.product == l.product && s.quantity >= l.quantity));
    in_full && shipment.on_time() == Some(true)
}

#[cfg(test)]
mod tests {
    use super::{KPI_IDS, MonthFacts, forecast_wape_of};
    use rust_decimal::Decimal;

    /// October (31 days) on its 10th: the plan of its first 10 days is 31,000 x 10 / 31.
    fn october_10th() -> MonthFacts {
        MonthFacts {
            revenue: Decimal::from(3_100),
            plan: Decimal::from(31_000),
            opening: Decimal::from(100),
            receipts: Decimal::from(100),
            sales: Decimal::from(40),
            elapsed_days: 10,
            month_days: 31,
            ..MonthFacts::default()
        }
    }

    #[test]
    fn the_values_are_those_of_the_standard_kpis_in_their_order() -> crate::error::Result<()> {
        let ids: Vec<String> = crate::kpi::standard_kpis()?.into_iter().map(|k| k.id).collect();
        let computed: Vec<String> = KPI_IDS.iter().map(|id| (*id).to_owned()).collect();
        assert_eq!(computed, ids);
        Ok(())
    }

    #[test]
    fn an_open_month_is_measured_at_its_pace() {
        let values = october_10th().values();
        // 3,100 against 10,000; 40 sold in 10 days is 124 in 31, of 200 available.
        assert_eq!(values.get("revenue_vs_plan"), Some(Decimal::new(31, 2)));
        assert_eq!(values.get("sell_through"), Some(Decimal::new(62, 2)));
        // 80 sold in 10 days would be 248 in 31: more than the 200 there are.
        let fast = MonthFacts { sales: Decimal::from(80), ..october_10th() }.values();
        assert_eq!(fast.get("sell_through"), Some(Decimal::ONE));
    }

    /// Found reading the divisions after fuzz_engine's tiny credit limit: a plan, a last year
    /// or a stock of 10^-28 made a ratio overflow a Decimal (a panic while an event is applied).
    #[test]
    fn a_ratio_over_a_tiny_figure_saturates() {
        let tiny = Decimal::new(1, 28);
        let over_tiny = MonthFacts {
            plan: tiny,
            revenue_last_year: tiny,
            opening: tiny,
            receipts: Decimal::ZERO,
            due: tiny,
            ..october_10th()
        };
        let values = over_tiny.values();
        assert_eq!(values.get("revenue_vs_plan"), Some(Decimal::MAX));
        assert_eq!(values.get("revenue_growth"), Some(Decimal::MAX - Decimal::ONE));
        assert_eq!(values.get("sell_through"), Some(Decimal::ONE), "at most all of it in an open month");
        let whole = MonthFacts { elapsed_days: 31, ..over_tiny.clone() }.values();
        assert_eq!(whole.get("sell_through"), Some(Decimal::MAX));
        let refunds = MonthFacts { revenue: Decimal::from(-3_100), ..over_tiny }.values();
        assert_eq!(refunds.get("revenue_growth"), Some(Decimal::MIN));
    }

    #[test]
    fn a_paced_ratio_is_exact_when_it_terminates() {
        // 12,023.25 in 3 days of 31 against 31,000 for the month: against 3,000, 4.00775
        // exactly (12,023.25 / 31,000 first, then x 31 / 3, gives 4.0077499...).
        let facts = MonthFacts { revenue: Decimal::new(1_202_325, 2), elapsed_days: 3, ..october_10th() };
        assert_eq!(facts.values().get("revenue_vs_plan"), Some(Decimal::new(400_775, 5)));
        // 7.75 sold in 3 days of 31 is 80.0833... in the month; of 200 available, 0.40041666...
        let slow = MonthFacts { sales: Decimal::new(775, 2), elapsed_days: 3, ..october_10th() };
        let expected = Decimal::new(775, 2) * Decimal::from(31) / Decimal::from(600);
        assert_eq!(slow.values().get("sell_through"), Some(expected));
    }

    #[test]
    fn a_whole_month_is_measured_against_its_whole_plan() {
        let whole = MonthFacts { elapsed_days: 31, ..october_10th() }.values();
        assert_eq!(whole.get("revenue_vs_plan"), Some(Decimal::new(1, 1)));
        assert_eq!(whole.get("sell_through"), Some(Decimal::new(2, 1)));
        let no_plan = MonthFacts { plan: Decimal::ZERO, ..october_10th() }.values();
        assert_eq!(no_plan.get("revenue_vs_plan"), None);
    }

    #[test]
    fn the_forecast_error_takes_the_forecast_of_the_month_s_days_so_far() {
        // Forecasts of 31 and 62 for the month are 10 and 20 for its first 10 days of 31:
        // errors |12 - 10| + |18 - 20| = 4 on 30 sold.
        let products = [(31.0, 12.0), (62.0, 18.0)];
        assert_eq!(forecast_wape_of(products.into_iter(), (10, 31)), Some(Decimal::new(1333, 4)));
        // The whole month: |12 - 31| + |18 - 62| = 63 on 30 sold.
        assert_eq!(forecast_wape_of(products.into_iter(), (31, 31)), Some(Decimal::new(21, 1)));
    }
}
