//! A distributor's month facts read from the running totals and the stock, facet by facet, with
//! the per-node caches of forecast-error terms and stock health they use.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;

use super::{Facet, KpiState, NO_DAYS, NodeKpis, NodeStock, ProductStock, StockFigures, sum_between, swap_term};
use crate::credit::CreditBook;
use crate::dataset::Dataset;
use crate::engine::day_totals::DayTotals;
use crate::engine::index::Index;
use crate::engine::stock::StockState;
use crate::kpi::{COVER_WINDOW_DAYS, MonthFacts, days_into_month, forecast_wape_of, month_forecast, ratio_decimal};
use crate::model::{CustomerId, NodeId, ProductId, TargetScope};
use crate::spi::{HealthOptions, Period, StockStatus, stock_status};

/// What a distributor's stock facet reads from the caches and running sums that need `&mut`
/// access to be brought up to date ([`KpiState::stock_reads`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct StockReads {
    /// The forecast error of the month so far.
    forecast_wape: Option<Decimal>,
    /// The sales of the cover window ending on the day read.
    window_sales: Decimal,
    /// The node's stock figures: its products' summed.
    held: StockFigures,
}

impl KpiState {
    /// Brings the caches of `node`'s stock facts up to `end` of the month starting `month`
    /// ([`KpiState::refresh_health`]) and reads its forecast error and the sales of the cover
    /// window ending on `end` (a running sum: the days the window gained and lost since it was
    /// last read). Nothing for a distributor without a node.
    pub(super) fn stock_reads(
        &mut self,
        node: Option<&NodeId>,
        (month, end): (NaiveDate, NaiveDate),
        parts: (&Dataset, &StockState, &Index),
    ) -> StockReads {
        let Some((node, kept)) = node.and_then(|node| Some((node, self.nodes.get_mut(node)?))) else {
            return StockReads::default();
        };
        let number = Period::Month.number(month);
        let held = kept.refresh_health(node, number, end, parts);
        let forecast_wape = kept.wape_of(node, number, days_into_month(month, end), parts.1);
        let window_from = crate::kpi::days_before(end, u64::from(COVER_WINDOW_DAYS) - 1);
        let window_sales = kept.sales_days.window_sum(window_from, end);
        StockReads { forecast_wape, window_sales, held }
    }
}

impl NodeKpis {
    /// A node's forecast error of month number `month` with `days` of it so far (elapsed, in the
    /// month): each product's forecast and sales from the cache while no sale of it at the node
    /// changed them, its forecast kept through the month's own sales.
    fn wape_of(&mut self, node: &NodeId, month: i64, days: (u32, u32), stock: &StockState) -> Option<Decimal> {
        let (forecasts, cache) = (&mut self.forecasts, &mut self.wape);
        let products = stock.products_at(node);
        let forecast_and_sales = |product: &ProductId| {
            let forecast = forecasts
                .get_or_make(month, product, || month_forecast(&stock.sales_history(node, product, month)[..24]))?;
            Some((forecast, stock.month_sales(node, product, month)))
        };
        cache.refresh(month, products, forecast_and_sales, |_, _| {});
        forecast_wape_of(products.iter().filter_map(|p| cache.get(&month, p).copied().flatten()), days)
    }

    /// Brings `node`'s stock facts on `end` (for month number `month`: health and the month's
    /// rows) up to date, each product's from the cache while no movement of it changed it (on
    /// a new day of the same month only its dead or slow stock computed again), and returns the
    /// sum of their figures.
    fn refresh_health(
        &mut self,
        node: &NodeId,
        month: i64,
        end: NaiveDate,
        parts: (&Dataset, &StockState, &Index),
    ) -> StockFigures {
        let (d, stock, index) = parts;
        let options = HealthOptions::new(end);
        let issue_days = &mut self.issue_days;
        let NodeStock { products, total } = &mut self.health;
        let mut dead_or_slow = |product: &ProductId, on_hand: Decimal, value: Decimal| {
            let issues = issue_days.get_mut(product);
            dead_or_slow_value(issues, (on_hand, value), &options)
        };
        let mut kept = true;
        if products.key.is_some_and(|(day, m)| m == month && day != end) {
            // A new day of the same month: only the dead or slow values that may have moved.
            products.rekey((end, month), |product, p| {
                if end < p.dead_or_slow_until {
                    return;
                }
                let old = p.figures.dead_or_slow;
                (p.figures.dead_or_slow, p.dead_or_slow_until) = dead_or_slow(product, p.on_hand, p.figures.value);
                let swapped = swap_term(total.dead_or_slow, old, p.figures.dead_or_slow).filter(|_| kept);
                (total.dead_or_slow, kept) = swapped.map_or((total.dead_or_slow, false), |sum| (sum, true));
            });
        }
        let compute = |product: &ProductId| {
            // The month's row closes at the stock on hand at its end (none: zero).
            let flows = stock.pair_month(node, product, month).unwrap_or_default();
            let on_hand = flows.closing;
            let cost =
                index.products.get(product).and_then(|&i| d.products.get(i)).map_or(Decimal::ZERO, |p| p.standard_cost);
            let value = on_hand.max(Decimal::ZERO) * cost;
            let (opening, receipts, sales, closing) = (flows.opening, flows.receipts, flows.sales, flows.closing);
            let (dead_or_slow, dead_or_slow_until) = dead_or_slow(product, on_hand, value);
            let figures = StockFigures { dead_or_slow, value, opening, receipts, sales, closing };
            ProductStock { on_hand, figures, dead_or_slow_until }
        };
        let replaced = |old: Option<ProductStock>, new: &ProductStock| match total
            .replaced(&old.unwrap_or_default().figures, &new.figures)
            .filter(|_| kept)
        {
            Some(sum) => *total = sum,
            None => kept = false,
        };
        if products.refresh((end, month), stock.products_at(node), compute, replaced) || !kept {
            *total = products.values.values().fold(StockFigures::default(), |mut sum, p| {
                sum.accumulate(&p.figures);
                sum
            });
        }
        *total
    }
}

impl KpiState {
    /// The facts of `distributor`'s month starting `start`, up to `end`: every facet.
    pub(super) fn facts(
        &mut self,
        id: &CustomerId,
        days: (NaiveDate, NaiveDate),
        reads: StockReads,
        parts: (&Dataset, &StockState, &CreditBook, &Index),
    ) -> MonthFacts {
        let (elapsed_days, month_days) = days_into_month(days.0, days.1);
        let mut facts = MonthFacts { elapsed_days, month_days, ..MonthFacts::default() };
        for facet in Facet::ALL {
            self.fill(&mut facts, facet, id, days, reads, parts);
        }
        facts
    }

    /// Fills one facet of `facts` (the fields one kind of event moves).
    pub(super) fn fill(
        &mut self,
        facts: &mut MonthFacts,
        facet: Facet,
        id: &CustomerId,
        (start, end): (NaiveDate, NaiveDate),
        reads: StockReads,
        (d, _, book, index): (&Dataset, &StockState, &CreditBook, &Index),
    ) {
        let month = Period::Month.number(start);
        let year_before = |day: NaiveDate| day.checked_sub_months(Months::new(12)).unwrap_or(day);
        let c = self.customers.get(id).unwrap_or(&NO_DAYS);
        match facet {
            Facet::Stock => {
                let held = reads.held;
                (facts.opening, facts.receipts, facts.sales, facts.closing) =
                    (held.opening, held.receipts, held.sales, held.closing);
                (facts.dead_or_slow, facts.stock_value) = (held.dead_or_slow, held.value);
                facts.window_sales = reads.window_sales;
                facts.forecast_wape = reads.forecast_wape;
            }
            Facet::Money => {
                facts.revenue = sum_between(&c.revenue, start, end);
                facts.revenue_last_year = sum_between(&c.revenue, year_before(start), year_before(end));
                facts.plan = index
                    .sales_targets
                    .get(&(TargetScope::Customer(id.clone()), start))
                    .and_then(|&i| d.sales_targets.get(i))
                    .map_or(Decimal::ZERO, |t| t.revenue);
                facts.paid = sum_between(&c.paid, start, end);
                facts.due = sum_between(&c.due, start, end);
                let (dso, overdue) =
                    (book.receivables().dso_simple(Some(id), end, 90), book.receivables().overdue_ratio(Some(id), end));
                let kept = match self.ratios.get_mut(id) {
                    Some(kept) => kept,
                    None => self.ratios.entry(id.clone()).or_default(),
                };
                (facts.dso, facts.overdue_ratio) = (kept[0].decimal(dso), kept[1].decimal(overdue));
            }
            Facet::Orders => {
                let between = |from: NaiveDate, to: NaiveDate| {
                    if from > to {
                        return (Decimal::ZERO, 0);
                    }
                    c.orders.range(from..=to).fold((Decimal::ZERO, 0), |(s, n), (_, (v, k))| (s + v, n + k))
                };
                facts.orders = between(start, end);
                facts.orders_last_year = between(year_before(start), year_before(end));
            }
            Facet::Deliveries => {
                let (delivered, good) = c.deliveries.get(&month).copied().unwrap_or_default();
                facts.otif = (delivered > 0).then(|| Decimal::from(good) / Decimal::from(delivered));
            }
            Facet::Shops => {
                facts.selling_shops = self.selling_shops(id, start, end);
                facts.selling_shops_last_year = self.selling_shops(id, year_before(start), year_before(end));
            }
        }
    }

    /// How many of a distributor's shops first sold in `from`'s month between `from` and `to`.
    fn selling_shops(&self, distributor: &CustomerId, from: NaiveDate, to: NaiveDate) -> usize {
        let month = Period::Month.number(from);
        let Some(days) = self.first_sales_of.get(distributor).and_then(|months| months.get(&month)) else { return 0 };
        days.partition_point(|day| *day <= to).saturating_sub(days.partition_point(|day| *day < from))
    }
}

/// The value of a product's stock at a node that is dead or slow on `options.as_of` (zero when it
/// is neither), from its stock on hand and value and its issues by day; and the first day on
/// which it may differ while its stock and issues stay as they are. With the stock fixed, its
/// status moves only when its last issue grows old enough to make it dead, when an issue day
/// leaves the cover window, or when a later issue day enters it (the first matters where dead
/// comes sooner than the window empties; the last, for an issue dated after the day read);
/// none on hand stays empty.
fn dead_or_slow_value(
    issues: Option<&mut DayTotals>,
    (on_hand, value): (Decimal, Decimal),
    options: &HealthOptions,
) -> (Decimal, NaiveDate) {
    if on_hand <= Decimal::ZERO {
        return (Decimal::ZERO, NaiveDate::MAX);
    }
    let as_of = options.as_of;
    let window_days = Days::new(u64::from(options.cover_window_days));
    let window_from =
        crate::kpi::days_before(as_of, u64::from(options.cover_window_days)).succ_opt().unwrap_or(NaiveDate::MAX);
    let last_issue = issues.as_ref().and_then(|days| days.last_on_or_before(as_of));
    let until = issues.as_ref().map_or(NaiveDate::MAX, |days| {
        let dead_after = Days::new(u64::from(options.dead_after_days) + 1);
        let turns_dead = last_issue.and_then(|day| day.checked_add_days(dead_after)).filter(|day| *day > as_of);
        let leaves = days
            .first_on_or_after(window_from)
            .filter(|day| *day <= as_of)
            .and_then(|d| d.checked_add_days(window_days));
        let enters = as_of.succ_opt().and_then(|next| days.first_on_or_after(next));
        [turns_dead, leaves, enters].into_iter().flatten().min().unwrap_or(NaiveDate::MAX)
    });
    let window = issues.map_or(Decimal::ZERO, |days| days.window_sum(window_from, as_of));
    let status = stock_status(on_hand, last_issue, window, options);
    let dead_or_slow = if matches!(status, StockStatus::Dead | StockStatus::Slow) { value } else { Decimal::ZERO };
    (dead_or_slow, until)
}

/// A ratio read in floating point (a DSO, an overdue ratio) with its decimal
/// ([`ratio_decimal`]), kept: the same value read again (most days, for most distributors) is
/// not converted again, the conversion costing more than the ratio.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct KeptRatio(Option<(Option<u64>, Option<Decimal>)>);

impl KeptRatio {
    /// The decimal of `ratio`, from the one kept when it is the same value.
    fn decimal(&mut self, ratio: Option<f64>) -> Option<Decimal> {
        let bits = ratio.map(f64::to_bits);
        match self.0 {
            Some((kept, decimal)) if kept == bits => decimal,
            _ => {
                let decimal = ratio_decimal(ratio);
                self.0 = Some((bits, decimal));
                decimal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeptRatio;
    use rust_decimal::Decimal;

    #[test]
    fn a_kept_ratio_is_converted_again_whenever_its_value_changes() {
        let mut kept = KeptRatio::default();
        let reads = [Some(0.5), Some(0.5), Some(0.123456), None, None, Some(0.5), Some(0.12345)];
        let want = [Some(Decimal::new(5, 1)), Some(Decimal::new(5, 1)), Some(Decimal::new(1235, 4)), None, None]
            .into_iter()
            .chain([Some(Decimal::new(5, 1)), Some(Decimal::new(1234, 4))]);
        for (read, want) in reads.into_iter().zip(want) {
            assert_eq!(kept.decimal(read), want, "{read:?}");
        }
    }
}
