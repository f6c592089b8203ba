//! Inventory health: ABC classes by value share, XYZ classes by demand variability, FIFO stock
//! layers and their age, dead and slow stock, and the share of stock value that is ineffective —
//! the number the ceramics case complains about.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::period::Period;
use crate::analytics::SalesSource;
use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::model::{InvoiceKind, MovementKind, NodeId, ProductId};

/// A class of the ABC (Pareto) analysis.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbcClass {
    /// The few items that make most of the value.
    A,
    /// The middle.
    B,
    /// The long tail.
    C,
}

impl AbcClass {
    /// `"A"`, `"B"` or `"C"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

/// A cumulative-share cut-off and whether an item exactly on it is still inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cut {
    /// The cumulative share, 0 to 1.
    pub share: Decimal,
    /// Whether an item whose cumulative share equals `share` belongs to the class.
    pub inclusive: bool,
}

impl Cut {
    fn admits(&self, cumulative: Decimal) -> bool {
        if self.inclusive { cumulative <= self.share } else { cumulative < self.share }
    }
}

/// The cut-offs of the A and B classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbcCuts {
    /// Items up to this cumulative share are A.
    pub a: Cut,
    /// Items up to this cumulative share (and not A) are B; the rest C.
    pub b: Cut,
}

impl Default for AbcCuts {
    /// 80 % and 95 %, both inclusive: an item that reaches exactly 80 % is still A.
    fn default() -> Self {
        AbcCuts {
            a: Cut { share: Decimal::new(80, 2), inclusive: true },
            b: Cut { share: Decimal::new(95, 2), inclusive: true },
        }
    }
}

/// One item of an ABC analysis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbcItem<K> {
    /// The item (a product, a customer...).
    pub item: K,
    /// Its value.
    pub value: Decimal,
    /// Its share of the total.
    pub share: Decimal,
    /// The share of it and every item of higher value.
    pub cumulative_share: Decimal,
    /// Its class.
    pub class: AbcClass,
}

/// ABC classes by value share, in exact decimal arithmetic: items sorted by value (highest first,
/// ties by item), each classed by the cumulative share up to and including it.
///
/// ```
/// use omo_core::spi::{AbcClass, AbcCuts, abc_classes};
/// use rust_decimal::Decimal;
/// let values = [("urea", Decimal::from(70)), ("npk", Decimal::from(20)), ("seaweed", Decimal::from(10))];
/// let classes = abc_classes(&values, AbcCuts::default())?;
/// assert_eq!(classes.iter().map(|c| c.class).collect::<Vec<_>>(), [AbcClass::A, AbcClass::B, AbcClass::C]);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn abc_classes<K: Clone + Ord>(values: &[(K, Decimal)], cuts: AbcCuts) -> Result<Vec<AbcItem<K>>> {
    if values.iter().any(|(_, v)| *v < Decimal::ZERO) {
        return Err(OmoError::InvalidArgument { name: "values", message: "ABC values must not be negative".into() });
    }
    let total: Decimal = values.iter().map(|(_, v)| *v).sum();
    let mut sorted: Vec<&(K, Decimal)> = values.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut cumulative = Decimal::ZERO;
    Ok(sorted
        .into_iter()
        .map(|(item, value)| {
            let share = if total.is_zero() { Decimal::ZERO } else { *value / total };
            cumulative += share;
            let class = if cuts.a.admits(cumulative) {
                AbcClass::A
            } else if cuts.b.admits(cumulative) {
                AbcClass::B
            } else {
                AbcClass::C
            };
            AbcItem { item: item.clone(), value: *value, share, cumulative_share: cumulative, class }
        })
        .collect())
}

/// A class of the XYZ analysis, by the coefficient of variation of demand per period.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum XyzClass {
    /// Steady demand.
    X,
    /// Fluctuating demand.
    Y,
    /// Erratic or sporadic demand.
    Z,
}

impl XyzClass {
    /// `"X"`, `"Y"` or `"Z"`.
    pub fn as_str(self) -> &'static str {
        match self {
            XyzClass::X => "X",
            XyzClass::Y => "Y",
            XyzClass::Z => "Z",
        }
    }
}

/// XYZ class of a demand history: X when its coefficient of variation (population sd over mean)
/// is at most `x_max`, Y when at most `y_max`, else Z; `None` for no demand at all.
pub fn xyz_class(demand: &[f64], x_max: f64, y_max: f64) -> Option<(XyzClass, f64)> {
    if demand.is_empty() {
        return None;
    }
    let n = demand.len() as f64;
    let mean = demand.iter().sum::<f64>() / n;
    if mean <= 0.0 || !mean.is_finite() {
        return None;
    }
    let sd = (demand.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / n).sqrt();
    let cv = sd / mean;
    let class = if cv <= x_max {
        XyzClass::X
    } else if cv <= y_max {
        XyzClass::Y
    } else {
        XyzClass::Z
    };
    Some((class, cv))
}

/// A FIFO layer of stock: a quantity and when (or by what) it came in. A negative layer records
/// stock issued before it was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FifoLayer<T> {
    /// Units in the layer (negative for a shortfall).
    pub quantity: Decimal,
    /// When the layer was received.
    pub received: T,
}

/// Stock as FIFO layers, as ERPNext's stock ageing keeps them: an issue takes the oldest layers
/// first; an issue beyond the stock leaves a negative layer, which later receipts fill before
/// new layers start (what is left of such a receipt takes the receipt's date).
///
/// ```
/// use omo_core::spi::FifoQueue;
/// use rust_decimal::Decimal;
/// let mut q = FifoQueue::new();
/// q.apply(Decimal::from(50), "1st");
/// q.apply(Decimal::from(20), "2nd");
/// q.apply(Decimal::from(-60), "2nd");
/// assert_eq!(q.layers().len(), 1);
/// assert_eq!((q.layers()[0].quantity, q.layers()[0].received), (Decimal::from(10), "2nd"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FifoQueue<T> {
    layers: std::collections::VecDeque<FifoLayer<T>>,
}

impl<T: Clone> FifoQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        FifoQueue { layers: std::collections::VecDeque::new() }
    }

    /// Applies a receipt (positive) or an issue (negative) received or issued at `when`.
    pub fn apply(&mut self, quantity: Decimal, when: T) {
        if quantity > Decimal::ZERO {
            self.receive(quantity, when);
        } else if quantity < Decimal::ZERO {
            self.issue(-quantity, when);
        }
    }

    fn receive(&mut self, quantity: Decimal, when: T) {
        match self.layers.front_mut() {
            Some(front) if front.quantity < Decimal::ZERO => {
                front.quantity += quantity;
                if front.quantity > Decimal::ZERO {
                    front.received = when;
                } else if front.quantity.is_zero() {
                    self.layers.pop_front();
                }
            }
            _ => self.layers.push_back(FifoLayer { quantity, received: when }),
        }
    }

    fn issue(&mut self, mut quantity: Decimal, when: T) {
        while quantity > Decimal::ZERO {
            match self.layers.front_mut() {
                Some(front) if front.quantity > quantity => {
                    front.quantity -= quantity;
                    return;
                }
                Some(front) if front.quantity > Decimal::ZERO => {
                    quantity -= front.quantity;
                    self.layers.pop_front();
                }
                Some(front) => {
                    front.quantity -= quantity;
                    return;
                }
                None => {
                    self.layers.push_back(FifoLayer { quantity: -quantity, received: when });
                    return;
                }
            }
        }
    }

    /// The layers, oldest first.
    pub fn layers(&self) -> Vec<FifoLayer<T>> {
        self.layers.iter().cloned().collect()
    }

    /// Units on hand (the sum of the layers).
    pub fn quantity(&self) -> Decimal {
        self.layers.iter().map(|l| l.quantity).sum()
    }
}

/// Options of [`inventory_health`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthOptions {
    /// The day of the assessment (usually the dataset's `as_of`).
    pub as_of: NaiveDate,
    /// Stock not issued (sold, transferred out or returned to the supplier) for this many days is
    /// dead. Default 180.
    pub dead_after_days: u32,
    /// Stock covering more than this many days of sales is slow. Default 180.
    pub slow_cover_days: u32,
    /// Days of issue history behind days of cover. Default 90.
    pub cover_window_days: u32,
    /// Upper bounds (days) of the age buckets; the last bucket is open. Default 30, 60, 90, 180.
    pub age_buckets: Vec<u32>,
    /// ABC cut-offs. Default 80 / 95 %.
    pub abc: AbcCuts,
    /// Revenue behind the ABC classes. Default invoiced (sell-in) revenue.
    pub abc_source: SalesSource,
    /// CV limits of the X and Y classes, on monthly sales of the last 12 months. Default 0.5, 1.0.
    pub xyz_limits: (f64, f64),
    /// Only these nodes (all when `None`).
    #[serde(default)]
    pub nodes: Option<Vec<NodeId>>,
}

impl HealthOptions {
    /// The defaults, assessed on `as_of`.
    pub fn new(as_of: NaiveDate) -> Self {
        HealthOptions {
            as_of,
            dead_after_days: 180,
            slow_cover_days: 180,
            cover_window_days: 90,
            age_buckets: vec![30, 60, 90, 180],
            abc: AbcCuts::default(),
            abc_source: SalesSource::Invoiced,
            xyz_limits: (0.5, 1.0),
            nodes: None,
        }
    }
}

/// What is wrong, if anything, with a node's stock of a product.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    /// Selling, with reasonable cover.
    Healthy,
    /// On hand but not issued for longer than the dead-stock limit.
    Dead,
    /// Moving, but covering more days than the slow-stock limit.
    Slow,
    /// Nothing on hand.
    Empty,
}

impl StockStatus {
    /// Its name, as JSON writes it: `"healthy"`, `"dead"`, `"slow"` or `"empty"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::Healthy => "healthy",
            StockStatus::Dead => "dead",
            StockStatus::Slow => "slow",
            StockStatus::Empty => "empty",
        }
    }
}

/// The health of one node's stock of one product.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockHealth {
    /// The node.
    pub node: NodeId,
    /// The product.
    pub product: ProductId,
    /// Units on hand at `as_of`.
    pub on_hand: Decimal,
    /// Their value at standard cost.
    pub value: Decimal,
    /// The last day the node issued the product (a sale, a transfer out, a return to the
    /// supplier), if ever. Plants and OEM suppliers issue by transfer as much as by sale.
    pub last_issue: Option<NaiveDate>,
    /// Days of cover at the trailing window's average daily issues (`None` without issues).
    pub days_of_cover: Option<f64>,
    /// The verdict.
    pub status: StockStatus,
    /// Units on hand per age bucket (FIFO by receipt date), one more entry than `age_buckets`.
    pub age_buckets: Vec<Decimal>,
}

/// A product's ABC class by revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductAbc {
    /// The product.
    pub product: ProductId,
    /// Its revenue.
    pub value: Decimal,
    /// Its share of the total.
    pub share: Decimal,
    /// The share of it and every product of higher revenue.
    pub cumulative_share: Decimal,
    /// Its class.
    pub class: AbcClass,
}

impl From<AbcItem<ProductId>> for ProductAbc {
    fn from(a: AbcItem<ProductId>) -> Self {
        ProductAbc {
            product: a.item,
            value: a.value,
            share: a.share,
            cumulative_share: a.cumulative_share,
            class: a.class,
        }
    }
}

/// A product's XYZ class by the variation of its monthly sales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ProductXyz {
    /// The product.
    pub product: ProductId,
    /// Its class.
    pub class: XyzClass,
    /// The coefficient of variation of its monthly sales.
    pub cv: f64,
}

/// The whole picture: per node and product, per product, and the ineffective share.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    /// Every node and product with stock or movements, sorted by node and product.
    pub stock: Vec<StockHealth>,
    /// ABC classes of the products by revenue, highest first.
    pub abc: Vec<ProductAbc>,
    /// XYZ class and CV of each product with sales.
    pub xyz: Vec<ProductXyz>,
    /// Value of all stock at standard cost.
    pub total_value: Decimal,
    /// Value of dead stock.
    pub dead_value: Decimal,
    /// Value of slow stock.
    pub slow_value: Decimal,
    /// The ineffective share: dead plus slow value over total value (0 when there is no stock).
    pub ineffective_share: Decimal,
}

/// The status of a node's stock of one product on `options.as_of`: from the quantity on hand,
/// the day of the last issue (sale, transfer out, return to a supplier) and the quantity issued
/// in the cover window. Empty at or below zero; dead when nothing was issued for longer than
/// `dead_after_days`; slow when the cover is above `slow_cover_days` (or nothing was issued in
/// the window); healthy otherwise.
pub(crate) fn stock_status(
    on_hand: Decimal,
    last_issue: Option<NaiveDate>,
    window_issues: Decimal,
    options: &HealthOptions,
) -> StockStatus {
    let idle_days = last_issue.map(|d| (options.as_of - d).num_days());
    if on_hand <= Decimal::ZERO {
        StockStatus::Empty
    } else if idle_days.is_none_or(|days| days > i64::from(options.dead_after_days)) {
        StockStatus::Dead
    } else if covers_longer(on_hand, window_issues, options) {
        StockStatus::Slow
    } else {
        StockStatus::Healthy
    }
}

/// Whether a positive `on_hand` covers more than `slow_cover_days` at the cover window's pace
/// (always when nothing was issued in it): on hand x window days against the limit x issues,
/// compared exactly, without the division [`super::days_of_cover`] makes (its quotient only where
/// a product would overflow).
fn covers_longer(on_hand: Decimal, window_issues: Decimal, options: &HealthOptions) -> bool {
    let (window, limit) = (Decimal::from(options.cover_window_days), Decimal::from(options.slow_cover_days));
    if window_issues <= Decimal::ZERO || window.is_zero() {
        return true;
    }
    match (on_hand.checked_mul(window), window_issues.checked_mul(limit)) {
        (Some(held), Some(allowed)) => held > allowed,
        _ => super::days_of_cover(on_hand, window_issues, options.cover_window_days).is_none_or(|days| days > limit),
    }
}

/// Assesses the health of every node's stock of every product at `options.as_of`, from the
/// dataset's movements (those after `as_of` are ignored) and standard costs.
pub fn inventory_health(dataset: &impl DatasetInput, options: &HealthOptions) -> Result<HealthReport> {
    let dataset = dataset.checked_stock()?;
    let cost: rustc_hash::FxHashMap<&ProductId, Decimal> =
        dataset.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    let window_start = options.as_of - chrono::Days::new(u64::from(options.cover_window_days));
    let mut by_pair: rustc_hash::FxHashMap<(&NodeId, &ProductId), Vec<usize>> = rustc_hash::FxHashMap::default();
    let wanted: Option<rustc_hash::FxHashSet<&NodeId>> = options.nodes.as_ref().map(|n| n.iter().collect());
    let included = |node: &NodeId| wanted.as_ref().is_none_or(|w| w.contains(node));
    for (i, m) in dataset.movements.iter().enumerate().filter(|(_, m)| m.date <= options.as_of && included(&m.node)) {
        by_pair.entry((&m.node, &m.product)).or_default().push(i);
    }
    // Sorted by node and product, as the report promises.
    let mut by_pair: Vec<_> = by_pair.into_iter().collect();
    by_pair.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut stock = Vec::with_capacity(by_pair.len());
    for ((node, product), mut rows) in by_pair {
        rows.sort_by_key(|&i| dataset.movements[i].date);
        let mut queue = FifoQueue::new();
        let (mut last_issue, mut window_issues) = (None, Decimal::ZERO);
        for &i in &rows {
            let m = &dataset.movements[i];
            queue.apply(m.stock_change(), m.date);
            if matches!(m.kind, MovementKind::Sale | MovementKind::TransferOut | MovementKind::SupplierReturn) {
                last_issue = Some(m.date);
                if m.date > window_start {
                    window_issues += m.quantity;
                }
            }
        }
        let unit_cost = cost.get(product).copied().unwrap_or_default();
        stock.push(pair_health((node, product), &queue, (last_issue, window_issues), unit_cost, options));
    }
    let sales = dataset.movements.iter().filter(|m| m.kind == MovementKind::Sale && m.date <= options.as_of);
    let xyz = product_xyz(sales.map(|m| (&m.product, Period::Month.number(m.date), m.quantity)), options);
    health_report(dataset, stock, xyz, options)
}

/// One node x product's health on `options.as_of` from its FIFO `layers` and its `issues`: the
/// last issue day and the quantity issued in the cover window.
pub(crate) fn pair_health(
    (node, product): (&NodeId, &ProductId),
    layers: &FifoQueue<NaiveDate>,
    (last_issue, window_issues): (Option<NaiveDate>, Decimal),
    unit_cost: Decimal,
    options: &HealthOptions,
) -> StockHealth {
    let on_hand = layers.quantity();
    let status = stock_status(on_hand, last_issue, window_issues, options);
    let days_of_cover =
        super::days_of_cover(on_hand, window_issues, options.cover_window_days).and_then(|d| d.to_f64());
    let mut age_buckets = vec![Decimal::ZERO; options.age_buckets.len() + 1];
    for layer in layers.layers().iter().filter(|l| l.quantity > Decimal::ZERO) {
        let age = (options.as_of - layer.received).num_days();
        let bucket =
            options.age_buckets.iter().position(|&limit| age <= i64::from(limit)).unwrap_or(options.age_buckets.len());
        if let Some(slot) = age_buckets.get_mut(bucket) {
            *slot += layer.quantity;
        }
    }
    StockHealth {
        node: node.clone(),
        product: product.clone(),
        on_hand,
        value: on_hand.max(Decimal::ZERO) * unit_cost,
        last_issue,
        days_of_cover,
        status,
        age_buckets,
    }
}

/// The report of `stock` (every node x product, sorted by node and product) with the products'
/// `xyz` classes: the totals, the ineffective share and the ABC classes by revenue.
pub(crate) fn health_report(
    dataset: &Dataset,
    stock: Vec<StockHealth>,
    xyz: Vec<ProductXyz>,
    options: &HealthOptions,
) -> Result<HealthReport> {
    let value_of = |status| stock.iter().filter(|s| s.status == status).map(|s| s.value).sum::<Decimal>();
    let (dead_value, slow_value) = (value_of(StockStatus::Dead), value_of(StockStatus::Slow));
    let total_value: Decimal = stock.iter().map(|s| s.value).sum();
    let ineffective_share = if total_value.is_zero() { Decimal::ZERO } else { (dead_value + slow_value) / total_value };
    Ok(HealthReport {
        abc: abc_classes(&product_revenue(dataset, options)?, options.abc)?.into_iter().map(ProductAbc::from).collect(),
        xyz,
        stock,
        total_value,
        dead_value,
        slow_value,
        ineffective_share,
    })
}

/// Revenue per product over the year before `as_of`, from the chosen source.
fn product_revenue(dataset: &Dataset, options: &HealthOptions) -> Result<Vec<(ProductId, Decimal)>> {
    let from = options.as_of - chrono::Days::new(365);
    let mut revenue: BTreeMap<&ProductId, Decimal> = dataset.products.iter().map(|p| (&p.id, Decimal::ZERO)).collect();
    match options.abc_source {
        SalesSource::Invoiced => {
            for invoice in dataset.invoices.iter().filter(|i| i.date > from && i.date <= options.as_of) {
                let sign = if invoice.kind == InvoiceKind::CreditNote { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
                for line in &invoice.lines {
                    *revenue.entry(&line.product).or_default() += sign * line.amount();
                }
            }
        }
        SalesSource::SellOut => {
            for sale in dataset.pos_sales.iter().filter(|s| s.date > from && s.date <= options.as_of) {
                *revenue.entry(&sale.product).or_default() += sale.revenue;
            }
        }
    }
    Ok(revenue.into_iter().map(|(p, v)| (p.clone(), v.max(Decimal::ZERO))).collect())
}

/// XYZ class of each product by its monthly sales (all nodes) over the 12 months up to
/// `as_of`'s, from `sales` (product, month number, units; those of later months ignored), each
/// month's units summed exactly and read as a float once.
pub(crate) fn product_xyz<'a>(
    sales: impl Iterator<Item = (&'a ProductId, i64, Decimal)>,
    options: &HealthOptions,
) -> Vec<ProductXyz> {
    let last = Period::Month.number(options.as_of);
    let mut monthly: rustc_hash::FxHashMap<&ProductId, [Decimal; 12]> = rustc_hash::FxHashMap::default();
    for (product, month, units) in sales {
        if let Ok(age) = usize::try_from(last - month)
            && let Some(slot) = monthly.entry(product).or_insert([Decimal::ZERO; 12]).get_mut(age)
        {
            *slot += units;
        }
    }
    let mut monthly: Vec<_> = monthly.into_iter().collect();
    monthly.sort_unstable_by(|a, b| a.0.cmp(b.0));
    monthly
        .into_iter()
        .filter_map(|(product, months)| {
            let months = months.map(|units| units.to_f64().unwrap_or(0.0));
            xyz_class(&months, options.xyz_limits.0, options.xyz_limits.1).map(|(class, cv)| ProductXyz {
                product: product.clone(),
                class,
                cv,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> HealthOptions {
        HealthOptions::new(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default())
    }

    #[test]
    fn cover_at_the_limit_is_not_slow_and_above_it_is() {
        let o = options();
        // 90 issued over the 90-day window: one a day, so 180 on hand covers exactly 180 days.
        assert_eq!((o.cover_window_days, o.slow_cover_days), (90, 180));
        assert!(!covers_longer(Decimal::from(180), Decimal::from(90), &o));
        assert!(covers_longer(Decimal::new(1_800_001, 4), Decimal::from(90), &o));
        assert!(!covers_longer(Decimal::new(1_799_999, 4), Decimal::from(90), &o));
        assert!(covers_longer(Decimal::ONE, Decimal::ZERO, &o), "nothing issued: covers forever");
    }

    #[test]
    fn cover_compared_exactly_agrees_with_the_days_of_cover_quotient() {
        let o = options();
        let limit = f64::from(o.slow_cover_days);
        for on_hand in (1..400).step_by(7).map(|q| Decimal::new(q * 37, 1)) {
            for issued in (1..300).step_by(11).map(|q| Decimal::new(q * 13, 2)) {
                let quotient = crate::spi::days_of_cover(on_hand, issued, o.cover_window_days).and_then(|d| d.to_f64());
                let by_quotient = quotient.is_none_or(|c| c > limit);
                assert_eq!(covers_longer(on_hand, issued, &o), by_quotient, "{on_hand} on hand, {issued} issued");
            }
        }
        // Too large to multiply: the quotient decides.
        assert!(covers_longer(Decimal::MAX, Decimal::ONE, &o));
        assert!(!covers_longer(Decimal::ONE, Decimal::MAX, &o));
    }
}
