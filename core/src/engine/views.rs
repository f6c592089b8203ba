//! The engine's views: the clock, the dataset and credit book it keeps current, stock and S-P-I
//! rows, the KPI lights and alerts, and the company's plan, read from its state.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Engine;
use super::counts::CountBooks;
use super::kpis::AlertStatus;
use super::stock::StockState;
use crate::analytics::SellOutMonths;
use crate::credit::{CreditBook, CreditCheck};
use crate::dataset::{Dataset, ValidDataset};
use crate::error::{OmoError, Result};
use crate::model::{CustomerId, NodeId, ProductId};
use crate::spi::{
    HealthOptions, HealthReport, NodeFilter, NodeLevel, OpenOrders, Period, ProductLevel, RollUpRow, SpiRow,
    StockFacts, UnitsByPeriod, health_report, node_groups, product_groups, product_xyz, units_by_period,
};
use crate::views::{KpiHistory, LiveState, ScorecardView, Views};
use std::collections::BTreeMap;

impl Engine {
    /// The engine's clock.
    pub fn as_of(&self) -> NaiveDate {
        self.dataset.as_of
    }

    /// The sequence number of the last applied event (0: none).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The first day on which events are still accepted (see the module's documentation).
    pub fn open_from(&self) -> NaiveDate {
        self.open_from
    }

    /// The history with every applied event, as a dataset whose `as_of` is the clock.
    pub fn to_dataset(&self) -> Dataset {
        Dataset::clone(&self.dataset)
    }

    /// [`Engine::to_dataset`] as a [`ValidDataset`], without validating it again: the engine
    /// accepts an event exactly when the batch validation would accept the dataset with it.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let engine = Engine::new(sample_company(&SampleConfig::small(1))?, EngineOptions::default())?;
    /// let company = engine.to_valid_dataset();
    /// let rows = omo_core::spi::roll_up(&company, omo_core::spi::Period::Month,
    ///     &omo_core::spi::NodeLevel::Company, &omo_core::spi::ProductLevel::All)?;
    /// assert!(!rows.is_empty());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn to_valid_dataset(&self) -> ValidDataset {
        self.dataset.clone()
    }

    /// The dataset the engine keeps current, by reference.
    pub fn dataset(&self) -> &ValidDataset {
        &self.dataset
    }

    /// The credit book of the current state, on the clock's day.
    pub fn credit_book(&self) -> &CreditBook {
        &self.book
    }

    /// A customer's credit position today (see [`CreditBook::credit_position`]).
    pub fn credit_position(&self, customer: &CustomerId) -> Result<CreditCheck> {
        self.book.credit_position(customer, self.dataset.as_of)
    }

    /// Every S-P-I row (monthly), sorted by node, product and month.
    pub fn spi_rows(&self) -> Vec<SpiRow> {
        self.stock.rows()
    }

    /// Stock on hand of a node and product.
    pub fn on_hand(&self, node: &NodeId, product: &ProductId) -> Decimal {
        self.stock.on_hand(node, product)
    }

    /// Stock on hand of every node x product that ever moved, sorted.
    pub fn stock_on_hand(&self) -> Vec<(NodeId, ProductId, Decimal)> {
        self.stock.on_hand_all()
    }

    /// Every member's light of every KPI now (month to date), sorted by member and KPI.
    pub fn lights(&self) -> Vec<(String, String, crate::kpi::Light)> {
        self.kpis.lights().into_iter().map(|((m, k), l)| (m, k, l)).collect()
    }

    /// The live scorecard: every member's month-to-date light of every standard KPI along the
    /// regions (distributors, regions, the company), laid out as a month's scorecard is
    /// ([`crate::views::ScorecardView`]); it changes with every event that moves a light.
    pub fn live_scorecard(&self) -> ScorecardView {
        self.kpis.live_view(&self.dataset, crate::kpi::first_of_month(self.dataset.as_of))
    }

    /// A distributor's month-to-date value of a standard KPI.
    pub fn kpi_value(&self, member: &str, kpi: &str) -> Option<Decimal> {
        self.kpis.value(member, kpi)
    }

    /// Where every distributor's alert on every KPI stands.
    pub fn alert_states(&self) -> Vec<AlertStatus> {
        let mut states = self.kpis.alert_states();
        states.extend(self.plan_alerts.states());
        states
    }

    /// The views of the current state ([`crate::views`]), reading the engine's own credit book.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::{Axis, Views};
    /// let engine = Engine::new(sample_company(&SampleConfig::small(1))?, EngineOptions::default())?;
    /// let company = engine.to_valid_dataset();
    /// assert_eq!(engine.views().scorecard(Axis::Region, None)?, Views::new(&company).scorecard(Axis::Region, None)?);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn views(&self) -> Views<'_> {
        Views::of(&self.dataset, Some(&self.book), Some(self))
    }
}

impl LiveState for Engine {
    fn kpi_history(&self) -> Result<KpiHistory> {
        self.kpis.history(&self.dataset, self.first_date())
    }

    fn first_date(&self) -> Option<NaiveDate> {
        Engine::first_date(self)
    }

    fn folded(&self) -> Option<crate::engine::FoldedHistory> {
        self.folded
    }

    fn roll_up(
        &self,
        period: Period,
        (nodes, products): (&NodeLevel, &ProductLevel),
        keep: &dyn Fn(&NodeId) -> bool,
    ) -> Option<Result<Vec<RollUpRow>>> {
        if matches!(period, Period::Day | Period::Week) {
            return None;
        }
        let groups = node_groups(&self.dataset, nodes).and_then(|n| Ok((n, product_groups(&self.dataset, products)?)));
        Some(groups.map(|(node_group, product_group)| {
            let of_node = |id: &NodeId| node_group.get(id).map_or("-", String::as_str);
            let of_product = |id: &ProductId| product_group.get(id).map_or("-", String::as_str);
            self.stock.roll_up(period, (of_node, of_product), keep)
        }))
    }

    fn sell_out(&self) -> &crate::analytics::SellOutMonths {
        &self.sell_out
    }

    fn stock_facts(&self, as_of: NaiveDate) -> Option<Box<dyn StockFacts + '_>> {
        let facts = EngineFacts {
            stock: &self.stock,
            sell_out: &self.sell_out,
            count_books: &self.count_books,
            open_orders: self.index.open_order_facts(),
        };
        (as_of == self.as_of()).then(|| Box::new(facts) as _)
    }

    fn health(&self, options: &HealthOptions) -> Option<Result<HealthReport>> {
        if options.as_of != self.as_of() || options.abc_source != crate::analytics::SalesSource::Invoiced {
            return None;
        }
        let d = &self.dataset;
        let unit_cost = |product: &ProductId| {
            self.index.products.get(product).and_then(|&i| d.products.get(i)).map_or(Decimal::ZERO, |p| p.standard_cost)
        };
        let stock = self.stock.health(options, unit_cost)?;
        let xyz =
            product_xyz(self.stock.monthly_sales().map(|(_, product, month, units)| (product, month, units)), options);
        Some(health_report(d, stock, xyz, options))
    }
}

/// The live engine's stock facts: its stock on hand, its monthly rows and sell-out by month
/// rolled up to whole months (months, quarters, years), and the book stock of its counts. True
/// on the engine's clock's day, and on any later day before its next event (nothing it holds is
/// dated after its clock).
pub(super) struct EngineFacts<'a> {
    pub(super) stock: &'a StockState,
    pub(super) sell_out: &'a SellOutMonths,
    pub(super) count_books: &'a CountBooks,
    pub(super) open_orders: OpenOrders<'a>,
}

impl EngineFacts<'_> {
    /// The number of the `period` holding month number `month`; a period finer than a month is
    /// an [`OmoError::InvalidArgument`].
    fn period_of(period: Period, month: i64) -> Result<i64> {
        if matches!(period, Period::Day | Period::Week) {
            return Err(OmoError::InvalidArgument {
                name: "period",
                message: format!("the live engine keeps sales by month, not by {}", period.as_str()),
            });
        }
        let start = Period::Month.start_of_number(month).ok_or_else(|| OmoError::InvalidArgument {
            name: "month",
            message: format!("month number {month} has no date"),
        })?;
        Ok(period.number(start))
    }
}

impl StockFacts for EngineFacts<'_> {
    fn on_hand(&self, nodes: NodeFilter<'_>) -> BTreeMap<(NodeId, ProductId), Decimal> {
        self.stock.on_hand_at(nodes)
    }

    fn pos_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod> {
        let sold = self.sell_out.months_at(nodes);
        units_by_period(
            sold.map(|(node, product, month, m)| Ok((node, product, Self::period_of(period, month)?, m.units))),
            last,
        )
    }

    fn sale_units(&self, period: Period, last: i64, nodes: NodeFilter<'_>) -> Result<UnitsByPeriod> {
        let sold = self.stock.monthly_sales_at(nodes);
        units_by_period(
            sold.map(|(node, product, month, units)| Ok((node, product, Self::period_of(period, month)?, units))),
            last,
        )
    }

    fn count_book(&self, at: usize) -> Option<Decimal> {
        self.count_books.books().get(at).copied().flatten()
    }

    fn open_orders(&self) -> Option<OpenOrders<'_>> {
        Some(self.open_orders)
    }
}
