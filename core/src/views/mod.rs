//! The views every door shows — the Python package, the mobile engine, the report and the
//! dashboard — composed once here, so that no door decides a number, a window, a default or a
//! ranking: the scorecard with its members' names and depths, the alerts of the standard
//! window, credit positions ranked, the orders a credit check blocks.
//!
//! A [`Views`] reads one validated state, either a [`ValidDataset`] ([`Views::new`]) or the live
//! engine's ([`crate::engine::Engine::views`]), and computes what several views share (the KPI
//! history, the inventory health, the company plan, the credit book) once, on first use.
//!
//! ```
//! use omo_core::ValidDataset;
//! use omo_core::sample::{SampleConfig, sample_company};
//! use omo_core::views::{Axis, Views};
//! let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
//! let views = Views::new(&company);
//! let card = views.scorecard(Axis::Region, None)?;
//! assert_eq!(card.month.to_string(), "2025-12-01");
//! assert_eq!(card.rows[0].depth, 0);
//! # Ok::<(), omo_core::OmoError>(())
//! ```

mod calendar;
mod credit;
mod customers;
mod drill;
mod forecast;
mod sales;
mod scorecard;
pub(crate) use scorecard::scorecard_view;
mod spi;
mod stock;

use std::cell::OnceCell;
use std::collections::HashMap;

use chrono::NaiveDate;

pub use calendar::{Window, quarter_start};
pub use credit::{BlockedOrder, BlockedOrders, LimitStatus, Position, ranked_positions};
pub use customers::{CustomerProfile, DORMANT_AFTER_DAYS, SegmentCount};
pub use drill::{DistributorView, ShopLine, TOP_END_CUSTOMERS};
pub use forecast::{CHART_MONTHS, FORECAST_MONTHS, ForecastRollupRow, OutlookView, RollupBy};
pub use sales::{SalesAmount, SalesPivot, SalesPivotRow};
pub use scorecard::{
    AlertsView, Axis, KpiPoint, MemberNames, ScorecardCell, ScorecardLine, ScorecardRow, ScorecardView,
};
pub use stock::{AbcShare, StockTake, SuggestedOrderRow, SuggestedOrders};

use crate::analytics::SellOutMonths;
use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::ValidDataset;
use crate::error::{OmoError, Result};
use crate::kpi::{KpiInput, TRAILING_MONTHS, months_in_data, months_up_to, scorecard_month, standard_history};
use crate::model::NodeId;
use crate::plan::{ChannelSettings, CompanyPlan, SupplySettings, company_plan, company_plan_with};
use crate::spi::{HealthOptions, HealthReport, inventory_health};
use crate::spi::{NodeLevel, Period, ProductLevel, RollUpRow};

/// The standard KPI inputs of every distributor (keyed by member and KPI) in each month of the
/// standard alert window.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiHistory {
    /// The months (first days), oldest first: [`TRAILING_MONTHS`] up to the last complete one,
    /// clamped to the months the data spans.
    pub months: Vec<NaiveDate>,
    /// The inputs of each month, in the order of `months`.
    pub inputs: Vec<HashMap<(String, String), KpiInput>>,
}

/// What the live engine keeps that the batch views compute from the records: the KPI values
/// of the months it closed and its monthly S-P-I rows. Its views read them.
pub(crate) trait LiveState {
    /// The standard KPI inputs over the standard window (see [`Views::kpi_history`]).
    fn kpi_history(&self) -> Result<KpiHistory>;
    /// The S-P-I rows of node groups x product groups per `period` over the nodes `keep`
    /// accepts (see [`crate::spi::roll_up`]); `None` for a period finer than the rows kept.
    fn roll_up(
        &self,
        period: Period,
        groups: (&NodeLevel, &ProductLevel),
        keep: &dyn Fn(&NodeId) -> bool,
    ) -> Option<Result<Vec<RollUpRow>>>;
    /// The sell-out by month (POS units and revenue per node x product x month).
    fn sell_out(&self) -> &SellOutMonths;
    /// The stock facts on `as_of` (stock on hand, sales by month); `None` for another day.
    fn stock_facts(&self, as_of: NaiveDate) -> Option<Box<dyn crate::spi::StockFacts + '_>>;
    /// Inventory health with `options` (see [`crate::spi::inventory_health`]); `None` when the
    /// state kept cannot give it (another day, a longer cover window, ABC by sell-out).
    fn health(&self, options: &HealthOptions) -> Option<Result<HealthReport>>;
    /// The history's first day, its records kept or folded.
    fn first_date(&self) -> Option<NaiveDate>;
    /// What a bulk load folded without keeping (`None`: every record is kept).
    fn folded(&self) -> Option<crate::engine::FoldedHistory>;
}

/// The views of one validated state (see the module's documentation).
pub struct Views<'a> {
    data: &'a ValidDataset,
    engine_book: Option<&'a CreditBook>,
    live: Option<&'a dyn LiveState>,
    book: OnceCell<CreditBook>,
    kpi_history: OnceCell<KpiHistory>,
    health: OnceCell<HealthReport>,
    plan: OnceCell<CompanyPlan>,
    sell_out: OnceCell<SellOutMonths>,
    sell_out_forecast: OnceCell<Vec<crate::forecast::DemandForecast>>,
}

impl std::fmt::Debug for Views<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Views").field("company", &self.data.company).field("as_of", &self.data.as_of).finish()
    }
}

/// The value in `cell`, computed by `make` the first time.
fn cached<T>(cell: &OnceCell<T>, make: impl FnOnce() -> Result<T>) -> Result<&T> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = make()?;
    Ok(cell.get_or_init(|| value))
}

impl<'a> Views<'a> {
    /// The views of `data`, with the default credit policy.
    pub fn new(data: &'a ValidDataset) -> Self {
        Views::of(data, None, None)
    }

    /// The views of `data` reading `engine_book` for credit when given (the engine's, with its
    /// policy), and the KPI history from `engine_history` when given (the values the engine
    /// kept as months closed) instead of computing it from the records.
    pub(crate) fn of(
        data: &'a ValidDataset,
        engine_book: Option<&'a CreditBook>,
        live: Option<&'a dyn LiveState>,
    ) -> Self {
        Views {
            data,
            engine_book,
            live,
            book: OnceCell::new(),
            kpi_history: OnceCell::new(),
            health: OnceCell::new(),
            plan: OnceCell::new(),
            sell_out: OnceCell::new(),
            sell_out_forecast: OnceCell::new(),
        }
    }

    /// The company's records.
    pub fn dataset(&self) -> &'a ValidDataset {
        self.data
    }

    /// The day the views are of.
    pub fn as_of(&self) -> NaiveDate {
        self.data.as_of
    }

    /// The history's first day (the live engine's, whose oldest records a bulk load may have
    /// folded into its state without keeping them).
    pub fn first_date(&self) -> Option<NaiveDate> {
        match self.live {
            Some(live) => live.first_date(),
            None => self.data.first_date(),
        }
    }

    /// Refuses `view`, which reads the movements or POS sales dated from `from` on, when the
    /// live engine folded some of those into its state without keeping them
    /// ([`crate::engine::Engine::load`]).
    pub(crate) fn needs_records_from(&self, from: NaiveDate, view: &str) -> Result<()> {
        let Some(folded) = self.live.and_then(|live| live.folded()) else { return Ok(()) };
        match folded.kept_from {
            Some(kept_from) if from < kept_from => Err(OmoError::InvalidArgument {
                name: "history",
                message: format!(
                    "{view} reads movements or POS sales before {kept_from}, and this engine was bulk-loaded: it \
                     keeps them from that day on, the older ones folded into its state"
                ),
            }),
            Some(_) => Ok(()),
            None => Err(OmoError::InvalidArgument {
                name: "history",
                message: format!(
                    "{view} reads movements or POS sales, and this engine was bulk-loaded keeping none of them as \
                     records (EngineOptions::keep_open_records off): they live on only in its aggregates"
                ),
            }),
        }
    }

    /// How many stock movements and POS sales the history holds: the records, and those a
    /// bulk load folded into the live engine's state without keeping them.
    pub fn stock_record_counts(&self) -> (u64, u64) {
        let kept = (self.data.movements.len() as u64, self.data.pos_sales.len() as u64);
        match self.live.and_then(|live| live.folded()) {
            Some(folded) => (kept.0 + folded.movements, kept.1 + folded.pos_sales),
            None => kept,
        }
    }

    /// [`Views::needs_records_from`] the history's first day.
    pub(crate) fn needs_all_records(&self, view: &str) -> Result<()> {
        self.needs_records_from(NaiveDate::MIN, view)
    }

    /// The month the scorecard shows by default (its first day): the last complete one.
    pub fn scorecard_month(&self) -> NaiveDate {
        scorecard_month(self.data.as_of, None)
    }

    /// The standard KPI inputs over the standard alert window (computed once; the live
    /// engine's views read the values it kept as months closed).
    ///
    /// # Errors
    /// Those of [`crate::kpi::standard_history`].
    pub fn kpi_history(&self) -> Result<&KpiHistory> {
        cached(&self.kpi_history, || {
            if let Some(live) = self.live {
                return live.kpi_history();
            }
            let last = self.scorecard_month();
            let months = months_up_to(last, months_in_data(self.data, last, TRAILING_MONTHS));
            let inputs = standard_history(self.data, &months)?;
            Ok(KpiHistory { months, inputs })
        })
    }

    /// Inventory health on the views' day, with the default options (computed once).
    ///
    /// # Errors
    /// Those of [`crate::spi::inventory_health`].
    pub fn health(&self) -> Result<&HealthReport> {
        cached(&self.health, || self.health_with(&self.health_options()))
    }

    /// Inventory health on the views' day of one node's stock (the whole company's when `None`,
    /// as [`Views::health`]).
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// let node = views.health()?.stock[0].node.clone();
    /// let one = views.node_health(Some(&node))?;
    /// assert!(!one.stock.is_empty() && one.stock.iter().all(|s| s.node == node));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`crate::spi::inventory_health`].
    pub fn node_health(&self, node: Option<&NodeId>) -> Result<HealthReport> {
        let Some(node) = node else { return self.health().cloned() };
        let options = HealthOptions { nodes: Some(vec![node.clone()]), ..self.health_options() };
        self.health_with(&options)
    }

    /// Inventory health with `options`: the live engine's stock layers and issues when it keeps
    /// what they need (the defaults on its clock's day), else the movements.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::spi::{HealthOptions, inventory_health};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let engine = Engine::on_valid(company.clone(), EngineOptions::default())?;
    /// let options = HealthOptions::new(company.as_of);
    /// assert_eq!(engine.views().health_with(&options)?, inventory_health(&*company, &options)?);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`crate::spi::inventory_health`]; [`OmoError::InvalidArgument`] for another
    /// day's health from an engine that keeps no records from that far back.
    pub fn health_with(&self, options: &HealthOptions) -> Result<HealthReport> {
        match self.live.and_then(|live| live.health(options)) {
            Some(report) => report,
            None => {
                self.needs_all_records("inventory health of another day or basis")?;
                inventory_health(self.data, options)
            }
        }
    }

    /// The options [`Views::health`] assesses with: the defaults on the views' day.
    pub fn health_options(&self) -> HealthOptions {
        HealthOptions::new(self.data.as_of)
    }

    /// The company's plan from the views' day, with the core's default settings (computed
    /// once).
    ///
    /// # Errors
    /// Those of [`crate::plan::company_plan`].
    pub fn plan(&self) -> Result<&CompanyPlan> {
        cached(&self.plan, || {
            let settings = (ChannelSettings::new(self.data.as_of), SupplySettings::default());
            match self.live.and_then(|live| live.stock_facts(self.data.as_of)) {
                Some(facts) => company_plan_with(self.data, facts.as_ref(), &settings.0, &settings.1),
                None => company_plan(self.data, &settings.0, &settings.1),
            }
        })
    }

    /// The sell-out by month: the live engine's, else the records' (built once).
    pub(crate) fn sell_out_months(&self) -> &SellOutMonths {
        match self.live {
            Some(live) => live.sell_out(),
            None => self.sell_out.get_or_init(|| SellOutMonths::of(&self.data.pos_sales)),
        }
    }

    /// The credit book on the views' day: the engine's own, else one built with the default
    /// policy (once).
    ///
    /// # Errors
    /// Those of [`CreditBook::from_dataset`].
    pub fn credit_book(&self) -> Result<&CreditBook> {
        if let Some(book) = self.engine_book {
            return Ok(book);
        }
        cached(&self.book, || CreditBook::from_dataset(self.data, self.data.as_of, CreditPolicy::default()))
    }
}
