//! The engine an app holds: the core's live engine behind a lock, so several threads may query
//! it while one records. Changes are delivered to the app's listeners after the lock is released,
//! so a listener may query the engine.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use omo_core::OmoMobileError;
use omo_core::analytics::{RfmScore, Team, TeamPerformance};
use omo_core::credit::{CheckMode, CreditCheck};
use omo_core::engine::{self as core, Change, EngineOptions, Event, EventBody};
use omo_core::forecast::{DemandForecast, ForecastOptions, Interval, Method, forecast};
use omo_core::kpi::AlertEvent;
use omo_core::model::{CustomerId, NodeId, Payment, ProductId, RegionId, SalesOrder, StockMovement};
use omo_core::plan::NodePlan;
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::{ChannelRow, HealthReport, NodeLevel, Period, ProductLevel, RollUpRow, SpiRow};
use omo_core::views::{Axis, CustomerProfile, Position, ScorecardView, StockTake, SuggestedOrderRow, Window};
use omo_core::{Dataset, DatasetSummary, JsonLimits};
use rust_decimal::Decimal;

type Result<T> = std::result::Result<T, OmoMobileError>;

/// What an app implements to hear of changes as they happen: a light that turned red, an order
/// the credit check blocks, a node out of stock, an alert raised at a month close.
#[uniffi::export(with_foreign)]
pub trait ChangeListener: Send + Sync {
    /// Called once per change, in order, on the thread that recorded or synced the event, after
    /// the engine is free again (the listener may query it).
    fn on_change(&self, change: Change);
}

/// An event this engine applied, as a replica fetches it to sync: its sequence number here and
/// the event in the engine's JSON form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncedEvent {
    /// The event's sequence number in this engine.
    pub seq: u64,
    /// The event as JSON (`{"type": ..., "id": ..., "record": ...}`).
    pub event: String,
}

/// What became of one of a replica's events in [`Engine::apply_remote`].
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum RemoteOutcome {
    /// Applied: its sequence number here and the changes it caused.
    Accepted {
        /// The sequence number.
        seq: u64,
        /// The changes, in order.
        changes: Vec<Change>,
    },
    /// Refused, and why; nothing of it was applied.
    Refused {
        /// The reason, with the event's id and the field at fault.
        error: OmoMobileError,
    },
}

/// A company's engine, queried and updated offline, synced by sequence numbers. Thread-safe.
#[derive(uniffi::Object)]
pub struct Engine {
    core: Mutex<core::Engine>,
    listeners: Mutex<Vec<Arc<dyn ChangeListener>>>,
}

/// A lock whose holder panicked still guards consistent state: the core checks before it changes.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Engine {
    fn new(dataset: Dataset) -> Result<Arc<Self>> {
        let core = core::Engine::new(dataset, EngineOptions::default())?;
        Ok(Arc::new(Engine { core: Mutex::new(core), listeners: Mutex::new(Vec::new()) }))
    }

    fn read(&self) -> MutexGuard<'_, core::Engine> {
        lock(&self.core)
    }

    /// Runs `f` on the engine, then hands the changes it made to the listeners, the lock released.
    fn changing<R>(&self, f: impl FnOnce(&mut core::Engine) -> (R, Vec<Change>)) -> R {
        let (result, changes) = f(&mut self.read());
        let listeners = lock(&self.listeners).clone();
        for change in &changes {
            for listener in &listeners {
                listener.on_change(change.clone());
            }
        }
        result
    }

    /// Runs `f`, which either changes the engine or refuses, and returns (and delivers) its changes.
    fn change(&self, f: impl FnOnce(&mut core::Engine) -> omo_core::Result<Vec<Change>>) -> Result<Vec<Change>> {
        self.changing(|e| match f(e) {
            Ok(changes) => (Ok(changes.clone()), changes),
            Err(error) => (Err(error.into()), Vec::new()),
        })
    }

    /// Applies one event and returns its changes.
    fn apply(&self, event: Event) -> Result<Vec<Change>> {
        self.change(|e| e.apply(event))
    }
}

#[uniffi::export]
impl Engine {
    /// An engine over a JSON snapshot (the core's dataset format), validated: a malformed or
    /// inconsistent snapshot is an `InvalidData` error listing every problem. Any one JSON string
    /// is at most 64 KiB ([`Engine::from_json_with_limit`] sets another limit).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>> {
        Engine::new(Dataset::from_json(&json)?)
    }

    /// As [`Engine::from_json`], with at most `max_string_bytes` bytes in any one JSON string (an
    /// id, a name, a reason; the default is 64 KiB): a longer one is an `InvalidData` error naming
    /// the record and field.
    #[uniffi::constructor]
    pub fn from_json_with_limit(json: String, max_string_bytes: u64) -> Result<Arc<Self>> {
        let limits = JsonLimits { max_string_bytes: usize::try_from(max_string_bytes).unwrap_or(usize::MAX) };
        Engine::new(Dataset::from_json_with(&json, &limits)?)
    }

    /// An engine over the seeded sample company (a small one: for demos and tests).
    #[uniffi::constructor]
    pub fn sample(seed: u64) -> Result<Arc<Self>> {
        Engine::new(sample_company(&SampleConfig::small(seed))?)
    }

    /// The company as JSON (the core's dataset format), with everything recorded or synced:
    /// what the app saves, and opens again with [`Engine::from_json`].
    pub fn to_json(&self) -> Result<String> {
        Ok(self.read().to_dataset().to_json()?)
    }

    /// The engine's date: the latest of the snapshot's date, the latest event's date and the
    /// last [`Engine::advance_to`] (ISO); it never goes back.
    pub fn as_of(&self) -> NaiveDate {
        self.read().as_of()
    }

    /// The sequence number of the last event applied (0 before any).
    pub fn seq(&self) -> u64 {
        self.read().seq()
    }

    /// Calls `listener` with every change from now on, in order.
    pub fn add_listener(&self, listener: Arc<dyn ChangeListener>) {
        lock(&self.listeners).push(listener);
    }

    /// Applies one event in the engine's JSON form (`{"type": "order", "id": ..., "record":
    /// {...}}`: any of the core's event types) and returns the changes it caused. A refused event
    /// changes nothing; the error names the event, the field and the reason.
    pub fn apply_event(&self, event: String) -> Result<Vec<Change>> {
        self.apply(Event::from_json(&event)?)
    }

    /// Lets time pass to `date`: the day and month closes (overdue days, monthly KPIs and their
    /// alerts), with the changes they caused. A date before the engine's is refused.
    pub fn advance_to(&self, date: NaiveDate) -> Result<Vec<Change>> {
        self.change(|e| e.advance_to(date))
    }

    /// Sync, outbound: the events applied after sequence number `seq`, in order (what the app
    /// sends to the server; it remembers the last number the server took).
    pub fn events_since(&self, seq: u64) -> Result<Vec<SyncedEvent>> {
        let events = self.read().events_since(seq)?;
        events.into_iter().map(|(seq, event)| Ok(SyncedEvent { seq, event: event.to_json()? })).collect()
    }

    /// Sync, inbound: applies the server's (or another replica's) events one by one, in order.
    /// Each is accepted with its sequence number and changes, or refused with its reason (an id
    /// already taken, stock already gone, an order the credit check now blocks); a refusal does
    /// not stop the events after it.
    pub fn apply_remote(&self, events: Vec<String>) -> Vec<RemoteOutcome> {
        self.changing(|e| {
            let mut changes = Vec::new();
            let outcomes = events
                .iter()
                .map(|text| match Event::from_json(text).and_then(|event| e.apply_remote_event(event)) {
                    Ok(accepted) => {
                        changes.extend(accepted.changes.iter().cloned());
                        RemoteOutcome::Accepted { seq: accepted.seq, changes: accepted.changes }
                    }
                    Err(error) => RemoteOutcome::Refused { error: error.into() },
                })
                .collect();
            (outcomes, changes)
        })
    }

    /// What the engine holds: the company, its currency, its date and its record counts.
    pub fn info(&self) -> DatasetSummary {
        self.read().dataset().summary()
    }

    /// A customer's summary over the twelve months up to the engine's date (dormant after 90
    /// days without a purchase).
    pub fn customer_summary(&self, customer: CustomerId) -> Result<CustomerProfile> {
        Ok(self.read().views().customer(&customer)?)
    }

    /// The S-P-I ledger of one node (and optionally one product) per period, the periods
    /// starting from `from` to `to` (inclusive, either optional), in units.
    pub fn spi(
        &self,
        node: NodeId,
        product: Option<ProductId>,
        period: Period,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<SpiRow>> {
        Ok(self.read().views().node_ledger(&node, product.as_ref(), period, Some(Window::between(from, to)?))?)
    }

    /// The S-P-I ledger rolled up along the supply chain and the product tree (internal
    /// transfers cancelled), the periods starting from `from` to `to`.
    pub fn spi_rollup(
        &self,
        nodes: NodeLevel,
        products: ProductLevel,
        period: Period,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<RollUpRow>> {
        Ok(self.read().views().spi_rollup(&nodes, &products, period, Some(Window::between(from, to)?))?)
    }

    /// Inventory health on the engine's date: every node's (or one node's) stock with its
    /// status, ABC and XYZ classes, and the ineffective (dead plus slow) share.
    pub fn inventory_health(&self, node: Option<NodeId>) -> Result<HealthReport> {
        Ok(self.read().views().node_health(node.as_ref())?)
    }

    /// Suggested orders on the engine's date for every distributor (or one node), with the
    /// default plan settings (95 % service, 7 days lead time and review), the largest order by
    /// value first.
    pub fn replenishment(&self, node: Option<NodeId>) -> Result<Vec<SuggestedOrderRow>> {
        Ok(self.read().views().suggested_orders(node.as_ref(), None)?.rows)
    }

    /// A node's plan (a distributor's, a shop's) of each product over the next `months` months:
    /// the channel plan (DRP) from the shops' sell-out forecasts up the chain, with the core's
    /// default tier policies.
    pub fn node_plan(&self, node: NodeId, months: u32) -> Result<Vec<NodePlan>> {
        Ok(self.read().views().node_plan(&node, months as usize)?)
    }

    /// Sell-in, sell-through, sell-out and the stock between, per period, for the market or one
    /// region (and the regions below it), the periods starting from `from` to `to`.
    pub fn channel(
        &self,
        period: Period,
        region: Option<RegionId>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<ChannelRow>> {
        Ok(self.read().views().channel(period, region.as_ref(), Some(Window::between(from, to)?))?)
    }

    /// The book against the physical counts of `day` (the last stock-take when None), the most
    /// missing first; None when nothing was ever counted.
    pub fn stock_take(&self, day: Option<NaiveDate>) -> Result<Option<StockTake>> {
        Ok(self.read().views().reconciliation(day)?)
    }

    /// Sell-out forecasts for the next `months` months by region and category, with last year's
    /// same months beside them.
    pub fn sell_out_forecast(&self, months: u32) -> Result<Vec<DemandForecast>> {
        Ok(self.read().views().sell_out_forecast(Some(months as usize))?)
    }

    /// Every customer's RFM scores and segment over `from` to `to` (by default the engine's date
    /// and the trailing year before `to`), in customer id order.
    pub fn rfm(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Vec<RfmScore>> {
        let engine = self.read();
        let views = engine.views();
        Ok(views.rfm(Some(views.customer_window(from, to)?)))
    }

    /// Each salesperson's or business unit's revenue, margin, plan attainment and customers won
    /// and lost over `from` to `to` (by default the last day of the last complete month and the
    /// first day of `to`'s month).
    pub fn team_performance(
        &self,
        team: Team,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<TeamPerformance>> {
        let engine = self.read();
        let views = engine.views();
        Ok(views.team_performance(team, Some(views.team_window(from, to)?))?)
    }

    /// A customer's credit position on the engine's date: its exposure by category against its
    /// limit (as a check of an order of nothing), its risk class, the share of the limit used and
    /// whether it is over, near or within it.
    pub fn credit_position(&self, customer: CustomerId) -> Result<Position> {
        Ok(self.read().views().position(&customer)?)
    }

    /// Checks an order of `amount` for `customer` on `date` (the engine's date when None): static
    /// (everything open counts), or dynamic over the next `horizon_days`. The check changes
    /// nothing; record the order to book it.
    pub fn check_order(
        &self,
        customer: CustomerId,
        amount: Decimal,
        date: Option<NaiveDate>,
        horizon_days: Option<u32>,
    ) -> Result<CreditCheck> {
        let s = self.read();
        let date = date.unwrap_or(s.dataset().as_of);
        let mode = horizon_days.map_or(CheckMode::Static, |horizon_days| CheckMode::Dynamic { horizon_days });
        Ok(s.credit_book().check_order(&customer, amount, date, mode)?)
    }

    /// The standard scorecard of a month (any day of it; the last complete month when None)
    /// along `axis`: every member with its parent, so the app can drill down.
    pub fn scorecard(&self, axis: Axis, month: Option<NaiveDate>) -> Result<ScorecardView> {
        Ok(self.read().views().scorecard(axis, month)?)
    }

    /// The alerts of every distributor's standard KPIs over the last `months` complete months
    /// (raised after two months yellow or red, resolved after two months back).
    pub fn alerts(&self, months: u32) -> Result<Vec<AlertEvent>> {
        Ok(self.read().views().alerts(Some(months))?.events)
    }

    /// Records an order taken offline (the event `order`, with the order's id) and returns the
    /// changes it caused: one the credit check blocks is recorded, with an `OrderBlocked` change
    /// (check it first with [`Engine::check_order`]). A refused order changes nothing.
    pub fn record_order(&self, order: SalesOrder) -> Result<Vec<Change>> {
        self.apply(Event::new(order.id.to_string(), EventBody::Order(order)))
    }

    /// Records a payment received offline (the event `payment`, with the payment's id); one in
    /// another currency is converted at the engine's rates, or refused when it has none.
    pub fn record_payment(&self, payment: Payment) -> Result<Vec<Change>> {
        self.apply(Event::new(payment.id.to_string(), EventBody::Payment(Box::new(payment))))
    }

    /// Records a stock movement taken offline as the event `movement` with the app's `event_id`
    /// (unique among the company's movements, a UUID the app makes: a movement synced twice is
    /// booked once); one that would take stock below zero is refused.
    pub fn record_movement(&self, event_id: String, movement: StockMovement) -> Result<Vec<Change>> {
        self.apply(Event::new(event_id, EventBody::Movement(movement)))
    }
}

/// A forecast of one series.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SeriesForecast {
    /// The model fitted, named exactly (e.g. `"ETS(A,N,N)"`).
    pub model: String,
    /// Point forecasts.
    pub mean: Vec<f64>,
    /// One interval per requested level.
    pub intervals: Vec<Interval>,
}

/// Forecasts one series `horizon` steps ahead with `model` (`"auto"`, `"ets"`, `"theta"`,
/// `"croston"`, `"tsb"`, `"ses"`, ...), with intervals at `levels` (percent); demand forecasts
/// and their lower bounds are never negative.
#[uniffi::export]
pub fn forecast_series(
    values: Vec<f64>,
    horizon: u32,
    season_length: u32,
    model: String,
    levels: Vec<f64>,
) -> Result<SeriesForecast> {
    let method = Method::from_name(&model)?;
    let options = ForecastOptions {
        horizon: horizon as usize,
        season_length: season_length.max(1) as usize,
        levels,
        non_negative: true,
        ..ForecastOptions::new(0)
    };
    let f = forecast(&values, method, &options)?;
    Ok(SeriesForecast { model: f.model, mean: f.mean, intervals: f.intervals })
}
