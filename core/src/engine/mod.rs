//! The live engine: a company kept current event by event.
//!
//! An [`Engine`] is built from a validated [`Dataset`] (the history, loaded in bulk) and then
//! takes [`Event`]s one at a time. [`Engine::apply`] checks an event completely before it changes
//! anything — a refused event leaves every view and the sequence number as they were — and then
//! updates what the event touches: the stock of one node x product and its S-P-I row, one credit
//! account's exposure and aging, one record. Its cost does not grow with the length of history.
//! Each applied event gets the next sequence number; [`Engine::events_since`] and
//! [`Engine::apply_remote`] let a replica (a phone, a branch office) sync.
//!
//! **The clock.** [`Engine::as_of`] is the latest of the history's `as_of`, the date of the latest
//! applied event and the last [`Engine::advance_to`]; it never goes back. Master-data events
//! (customers, products, nodes, accounts, targets) have no date and do not move it. An event
//! dated more than [`EngineOptions::max_days_ahead`] after the clock (five years by default) is
//! refused as a likely mistyped year ([`OmoError::FarAhead`]), since accepted it would move the
//! clock there for good; [`Engine::advance_to`] first lets a right date in.
//!
//! **Back-dated events.** The books are open from the first day of the month before the clock's
//! month ([`EngineOptions::open_months`] = 2 by default: the grace month an ERP keeps open for
//! late postings). An event dated in an open month is accepted and updates that month's S-P-I
//! row and every later one; its stock is checked on its own day and on every later day, as the
//! batch rule does. An event dated before the open period is refused
//! ([`OmoError::ClosedPeriod`]): those months' rows are final. A posting to a month of the open
//! period that has closed computes that month's KPI values again and steps the alerts again from
//! where they stood before it; an alert whose standing moves is reported as raised, escalated
//! or resolved in that month.
//!
//! **Duplicates.** The same event type and id twice is refused as a duplicate
//! ([`OmoError::DuplicateId`] of kind `"event"`), as is a new record whose own id is taken (an
//! order id, an invoice id): a retried webhook books nothing twice.
//!
//! **Money.** The credit book's receivables are, after every event, those of
//! [`CreditBook::from_dataset`] on the engine's records, which posts every invoice before any
//! payment and the payments in date order. A payment dated on or after its customer's latest, an
//! invoice no oldest-first payment of its customer could have paid, and a credit note its
//! untouched invoice takes whole are posted in place; a back-dated payment, another credit note,
//! an invoice that cash applied oldest first would have reached (or that cash left over would
//! pay), a document dated before its customer's latest, and a payment allocated after it was booked
//! ([`EventBody::PaymentAllocation`]) have their customer's receivables posted again from its own
//! invoices and payments ([`CreditBook::repost_receivables`]): a pass over that customer's
//! money, never over the stock history.
//!
//! A deposit or an advance allocated to an invoice issued after it counts from the later of the
//! payment's and the invoice's days, in the engine and in the books of past days
//! ([`crate::model::Payment::as_it_stood_on`]): the closed months of the open period from that
//! day are computed again, and an allocation reaching back before the open period is refused.
//!
//! **The plan's alerts.** With [`EngineOptions::plan_alerts`], each month close also plans the
//! company and steps the plan's alerts (a line overloaded ahead, a node whose orders are past
//! due, a late OEM supplier, production short of plan): see [`PlanAlertRecord`] and
//! [`Engine::views`] (`plan()`).
//!
//! **Incremental equals batch.** After any stream of events, [`Engine::spi_rows`] equals
//! [`crate::spi::build_ledger`] over [`Engine::to_dataset`]'s movements, and every credit position
//! equals [`CreditBook::from_dataset`]'s on the same dataset (tests check both, on the sample
//! company cut at random days).
//!
//! ```
//! use omo_core::engine::{Engine, EngineOptions, events_of};
//! use omo_core::sample::{SampleConfig, sample_company};
//! let company = sample_company(&SampleConfig::small(5))?;
//! let cut = company.as_of - chrono::Days::new(20);
//! let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
//! for event in events_of(&company, cut)? {
//!     engine.apply(event)?;
//! }
//! engine.advance_to(company.as_of)?;
//! let batch = omo_core::spi::build_ledger(&company.movements, &[], Default::default())?;
//! assert_eq!(engine.spi_rows(), batch);
//! # Ok::<(), omo_core::OmoError>(())
//! ```

mod booking;
mod change;
mod check;
mod clock;
mod counts;
mod day_totals;
mod event;
mod event_log;
mod history;
mod index;
mod kpis;
mod load;
mod open_moves;
mod pair_rows;
mod plan_alerts;
mod seen;
mod snapshot;
mod stock;
mod supply;
mod sync;
mod views;

pub use change::{Change, ChangeKind, Reorder};
pub use clock::reorder_settings;
pub use event::{
    Allocation, CreditHold, CreditIncrease, CreditLimit, CreditOverride, CreditRiskClass, Delivery, Event, EventBody,
    MAX_EVENT_ID_BYTES, OrderStatusChange, PrepaidPickup, Tracking,
};
pub use history::{StreamedEvents, events_of, events_streamed, numbered};
pub use kpis::{AlertStatus, KpiAlertRecord};
pub use load::FoldedHistory;
pub use plan_alerts::PlanAlertRecord;
pub use seen::EventFingerprint;
pub use snapshot::{EngineSnapshot, SNAPSHOT_FORMAT};
pub use sync::{Accepted, EventBatch, Refusal};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::{Dataset, ValidDataset};
use crate::error::{OmoError, Result};
use index::Index;
use kpis::KpiState;
use plan_alerts::PlanAlerts;
use stock::StockState;

/// What [`Engine::apply_many`] did: the changes of the events it applied, in order, and the
/// refusal that stopped it, if one did (the events after it were not tried). `E` is the error of
/// whoever applied them: the engine's, or a store's.
#[derive(Debug)]
pub struct Applied<E = OmoError> {
    /// The changes of every event applied, in order.
    pub changes: Vec<Change>,
    /// Why the first refused event was refused; `None` when every event was applied.
    pub refused: Option<E>,
}

impl<E> Default for Applied<E> {
    fn default() -> Self {
        Applied { changes: Vec::new(), refused: None }
    }
}

impl<E> Applied<E> {
    /// The changes when every event was applied, else the refusal (the changes of the events
    /// applied before it were delivered to the subscribers all the same).
    pub fn into_result(self) -> std::result::Result<Vec<Change>, E> {
        match self.refused {
            Some(e) => Err(e),
            None => Ok(self.changes),
        }
    }
}

/// When a run of events has its KPIs computed again and its lights reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// After every event ([`Engine::apply`], [`Engine::apply_many`]).
    EachEvent,
    /// After each day's run of events ([`Engine::apply_batch`]).
    EachDay,
}

/// The KPI work a run of applied events leaves: the distributors they touched with the facets
/// touched, whether the clock moved, and the run's last event ([`Engine::settle`]).
#[derive(Debug, Default)]
pub(super) struct Unsettled {
    /// In the order first touched.
    touched: Vec<(crate::model::CustomerId, Vec<kpis::Facet>)>,
    /// Each touched distributor's place in `touched`.
    at: rustc_hash::FxHashMap<crate::model::CustomerId, usize>,
    clock_moved: bool,
    /// The sequence number and day of the run's last event: its light changes are reported with
    /// them.
    last: Option<(u64, NaiveDate)>,
}

impl Unsettled {
    /// Adds what one event touched.
    pub(super) fn add(
        &mut self,
        touched: &[(crate::model::CustomerId, &'static [kpis::Facet])],
        clock_moved: bool,
        last: (u64, NaiveDate),
    ) {
        for (distributor, facets) in touched {
            let i = match self.at.get(distributor) {
                Some(&i) => i,
                None => {
                    self.at.insert(distributor.clone(), self.touched.len());
                    self.touched.push((distributor.clone(), Vec::new()));
                    self.touched.len() - 1
                }
            };
            if let Some((_, known)) = self.touched.get_mut(i) {
                for facet in facets.iter() {
                    if !known.contains(facet) {
                        known.push(*facet);
                    }
                }
            }
        }
        self.clock_moved |= clock_moved;
        self.last = Some(last);
    }
}

/// How an engine runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineOptions {
    /// The credit policy of its book.
    #[serde(default)]
    pub policy: CreditPolicy,
    /// How many months are open for postings, the clock's month included (at least 1; 2 by
    /// default: the clock's month and the one before).
    #[serde(default = "default_open_months")]
    pub open_months: u32,
    /// Whether each month close plans the company and steps the plan's alerts (off by default:
    /// planning forecasts every shop and product).
    #[serde(default)]
    pub plan_alerts: bool,
    /// How many of the latest applied events the engine keeps in memory for
    /// [`Engine::events_since`] (1,000,000 by default: about 150 MB of the sample company's
    /// events). Older ones are dropped, oldest first, as a replication backlog drops them: a
    /// replica further behind reads them from the store, which keeps every event, or starts again
    /// from a snapshot.
    #[serde(default = "default_log_capacity")]
    pub log_capacity: usize,
    /// Whether a bulk-loaded engine ([`Engine::load`]) keeps the open period's stock movements
    /// and POS sales as records (on by default), for the views that read records themselves:
    /// customer summaries, a node's daily ledger, days and weeks, the sell-out of a window that
    /// is not whole months, [`Engine::to_dataset`]. Off, it keeps its aggregates only (every
    /// view the report and the dashboard read is served from them) and refuses those views,
    /// saving some 120 bytes a movement and 112 a POS sale: about 2 GB of a two-month open
    /// period at the articles' size. A store keeps every event in its log either way. A node
    /// that becomes a distributor's after the load starts its KPI day totals from the records
    /// kept (with none, from its next movement). An engine built on a whole dataset
    /// ([`Engine::new`]) keeps every record whatever this says.
    #[serde(default = "default_keep_open_records")]
    pub keep_open_records: bool,
    /// How many days after the clock an event may be dated (`None`: any number; 1,827 by
    /// default, five years). An event dated later is refused ([`OmoError::FarAhead`]) as a
    /// likely mistyped year (`2205` for `2025`): accepted, it would move the clock there for
    /// good, every later event of the real present then dated in a closed period, and close
    /// each month in between on its way (with [`EngineOptions::plan_alerts`], a plan of the
    /// company each). [`Engine::advance_to`] moves the clock any distance, so a right date
    /// gets in once time has passed to it. An engine that holds no dated record yet (one on
    /// [`Engine::empty_history`]) takes its first dated event from any distance.
    #[serde(default = "default_max_days_ahead")]
    pub max_days_ahead: Option<u32>,
}

/// How many days after the clock an event may be dated by default
/// ([`EngineOptions::max_days_ahead`]): five years.
pub const DEFAULT_MAX_DAYS_AHEAD: u32 = 1_827;

fn default_max_days_ahead() -> Option<u32> {
    Some(DEFAULT_MAX_DAYS_AHEAD)
}

fn default_keep_open_records() -> bool {
    true
}

fn default_open_months() -> u32 {
    2
}

fn default_log_capacity() -> usize {
    1_000_000
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            policy: CreditPolicy::default(),
            open_months: default_open_months(),
            plan_alerts: false,
            log_capacity: default_log_capacity(),
            keep_open_records: default_keep_open_records(),
            max_days_ahead: default_max_days_ahead(),
        }
    }
}

/// A subscriber: called with every change, in order, on the applying thread.
pub type Subscriber = Box<dyn FnMut(&Change) + Send>;

/// The live engine (see the module's documentation).
pub struct Engine {
    dataset: ValidDataset,
    options: EngineOptions,
    index: Index,
    stock: StockState,
    book: CreditBook,
    kpis: KpiState,
    /// POS units and revenue per node x product x month.
    sell_out: crate::analytics::SellOutMonths,
    /// The book stock at each stock count.
    count_books: counts::CountBooks,
    plan_alerts: PlanAlerts,
    /// The first open day ([`Engine::open_from`]), kept with the clock: asked at every event.
    open_from: NaiveDate,
    seq: u64,
    /// The latest events applied since the engine was built or restored (at most
    /// [`EngineOptions::log_capacity`]).
    log: event_log::EventLog,
    /// Every applied event's type and id, as fingerprints.
    seen: seen::SeenEvents,
    subscribers: Vec<Subscriber>,
    /// What a bulk load folded without keeping ([`Engine::load`]).
    folded: Option<FoldedHistory>,
    /// The distributors the event being booked touched: one vector kept from event to event.
    touched: Vec<(crate::model::CustomerId, &'static [kpis::Facet])>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("company", &self.dataset.company)
            .field("as_of", &self.dataset.as_of)
            .field("seq", &self.seq)
            .field("subscribers", &self.subscribers.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine on `history`, which must pass [`Dataset::validate`] (every problem is reported
    /// at once, as [`OmoError::Invalid`]).
    pub fn new(history: Dataset, options: EngineOptions) -> Result<Self> {
        Engine::on_valid(ValidDataset::new(history)?, options)
    }

    /// [`Engine::new`] on a history already validated: it is not checked again.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let history = ValidDataset::new(sample_company(&SampleConfig::small(1))?)?;
    /// let engine = Engine::on_valid(history.clone(), EngineOptions::default())?;
    /// assert_eq!(engine.spi_rows(), Engine::new(history.into_inner(), EngineOptions::default())?.spi_rows());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn on_valid(history: ValidDataset, options: EngineOptions) -> Result<Self> {
        Engine::build(EngineSnapshot {
            format: SNAPSHOT_FORMAT,
            dataset: history.into_inner(),
            options,
            seq: 0,
            seen: Vec::new(),
            plan_alerts: Vec::new(),
            kpi_alerts: None,
            kpi_alerts_through: None,
            folded: None,
        })
    }

    /// The history of an engine that starts from nothing: a company named "omo" keeping its
    /// books in CNY (the articles' fertilizer maker), its clock on 1 January 2000 (the first
    /// dated event moves it). Master data arrives as events.
    pub fn empty_history() -> Result<Dataset> {
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        Ok(Dataset::new("omo", crate::model::Currency::new("CNY")?, start))
    }

    /// Calls `subscriber` with every change from now on, in order, on the thread that applies.
    pub fn subscribe(&mut self, subscriber: Subscriber) {
        self.subscribers.push(subscriber);
    }

    /// Applies one event: checks it completely, then books it. Returns the changes it caused,
    /// after delivering them to the subscribers. A refused event changes nothing and raises
    /// [`OmoError::Refused`] naming the event, the field and the reason.
    pub fn apply(&mut self, event: Event) -> Result<Vec<Change>> {
        self.apply_one(event, false)
    }

    /// Applies again an event this engine's own log acknowledged (a store reopening replays
    /// its log): as [`Engine::apply`], except that its date is not held to
    /// [`EngineOptions::max_days_ahead`], which guarded its first arrival. A log written before
    /// that limit (or under a wider one) thus replays as it was accepted.
    ///
    /// ```
    /// use chrono::Days;
    /// use omo_core::engine::{Engine, EngineOptions, Event};
    /// let history = omo_core::sample::sample_company(&omo_core::sample::SampleConfig::small(7))?;
    /// let mut engine = Engine::new(history, EngineOptions::default())?;
    /// let (node, product, _) = engine.stock_on_hand().into_iter().next().ok_or("stock")?;
    /// let ten_years_on = engine.as_of() + Days::new(3_653);
    /// let receipt = format!(
    ///     r#"{{"type": "movement", "id": "GRN-2036", "record": {{"node": "{node}", "product": "{product}",
    ///     "date": "{ten_years_on}", "kind": "receipt", "quantity": "5"}}}}"#
    /// );
    /// assert!(engine.apply(Event::from_json(&receipt)?).is_err()); // five years at most
    /// engine.replay_logged(Event::from_json(&receipt)?)?;
    /// assert_eq!(engine.as_of(), ten_years_on);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay_logged(&mut self, event: Event) -> Result<Vec<Change>> {
        let limit = self.options.max_days_ahead.take();
        let applied = self.apply_one(event, false);
        self.options.max_days_ahead = limit;
        applied
    }

    /// Applies `events` one by one, in order, and stops at the first refused one: the events
    /// before it stay applied. Returns their changes, in order, and the refusal if there was one:
    /// the changes [`Engine::apply`] of each event would return.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions, Event};
    /// let mut engine = Engine::new(Engine::empty_history()?, EngineOptions::default())?;
    /// let stamp = r#"{"date":"2026-12-01","by":"credit manager","reason":"cheque bounced"}"#;
    /// let unknown = format!(r#"{{"type":"credit_block","id":"b1","record":{{"customer":"NOBODY","stamp":{stamp}}}}}"#);
    /// let applied = engine.apply_many([Event::from_json(&unknown)?]);
    /// assert!(applied.changes.is_empty() && applied.refused.is_some());
    /// assert!(applied.into_result().is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn apply_many(&mut self, events: impl IntoIterator<Item = Event>) -> Applied {
        self.apply_settling(events, Settle::EachEvent)
    }

    /// [`Engine::apply_many`] for a feed that arrives in batches and needs its lights current
    /// once a batch, not once an event: the KPIs of the distributors that a run of same-day
    /// events touched are computed again once, after the run's last event, and a light that
    /// moved is reported then, netted over the run and with the run's last sequence number.
    /// Every other change (a stock-out, a blocked order, an alert) comes at its own event. The
    /// engine ends where [`Engine::apply_many`] leaves it; only a light's moves within a day of
    /// the batch go unreported. On the bench's mix (the sample company's last 60 days, about
    /// 380 events a day) it takes a third fewer instructions an event.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions, events_of};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(5))?;
    /// let cut = company.as_of - chrono::Days::new(20);
    /// let (mut each, mut batched) = (
    ///     Engine::new(company.until(cut), EngineOptions::default())?,
    ///     Engine::new(company.until(cut), EngineOptions::default())?,
    /// );
    /// let events = events_of(&company, cut)?;
    /// let lights = |e: &Engine| e.lights().into_iter().filter(|l| l.2 == omo_core::kpi::Light::Red).count();
    /// let one_by_one = each.apply_many(events.clone()).into_result()?;
    /// let once_a_day = batched.apply_batch(events).into_result()?;
    /// assert!(once_a_day.len() < one_by_one.len());
    /// assert_eq!((batched.seq(), lights(&batched)), (each.seq(), lights(&each)));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn apply_batch(&mut self, events: impl IntoIterator<Item = Event>) -> Applied {
        self.apply_settling(events, Settle::EachDay)
    }

    /// Applies `events` as [`Engine::apply_many`] does, settling their KPIs as `settle` says,
    /// and delivers the changes.
    fn apply_settling(&mut self, events: impl IntoIterator<Item = Event>, settle: Settle) -> Applied {
        let mut applied = Applied::default();
        let mut run = Unsettled::default();
        for event in events {
            if settle == Settle::EachEvent || self.ends_run(&run, &event) {
                applied.changes.extend(self.settle(&mut run));
            }
            if let Err(e) = self.apply_checked(event, false, &mut run, &mut applied.changes) {
                applied.refused = Some(e);
                break;
            }
        }
        applied.changes.extend(self.settle(&mut run));
        self.deliver(&applied.changes);
        applied
    }

    /// One event checked, booked and settled; its changes delivered. `remote` adds the checks of
    /// a replica's proposal.
    fn apply_one(&mut self, event: Event, remote: bool) -> Result<Vec<Change>> {
        let mut run = Unsettled::default();
        let mut changes = Vec::new();
        self.apply_checked(event, remote, &mut run, &mut changes)?;
        changes.extend(self.settle(&mut run));
        self.deliver(&changes);
        Ok(changes)
    }

    fn deliver(&mut self, changes: &[Change]) {
        for subscriber in &mut self.subscribers {
            for change in changes {
                subscriber(change);
            }
        }
    }

    /// Checks and books one event; `remote` adds the checks of a replica's proposal. Its changes
    /// are added to `changes` (none when it is refused); the KPIs it touched are left to `run`
    /// ([`Engine::settle`]). Its fingerprint is claimed first (a duplicate is refused) and given
    /// back when the event is refused.
    fn apply_checked(
        &mut self,
        event: Event,
        remote: bool,
        run: &mut Unsettled,
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        let fingerprint = EventFingerprint::of(event.kind(), &event.id);
        if !self.seen.claim(fingerprint) {
            let duplicate = OmoError::DuplicateId { kind: "event", id: format!("{} {}", event.kind(), event.id) };
            return Err(check::refusal(&event, duplicate));
        }
        let before = changes.len();
        let applied = self.book_checked(event, remote, run, changes);
        match applied {
            Ok(()) => self.seen.keep(),
            Err(_) => {
                changes.truncate(before);
                self.seen.release(fingerprint);
            }
        }
        applied
    }

    /// [`Engine::apply_checked`] once the event's fingerprint is claimed. Inlined so that the
    /// event need not be copied into another frame; callgrind on the LTO build (session 39) still
    /// shows one copy of it (152 bytes) at the call.
    #[inline(always)]
    fn book_checked(
        &mut self,
        mut event: Event,
        remote: bool,
        run: &mut Unsettled,
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        let refused = |e: OmoError, event: &Event| check::refusal(event, e);
        let check::Prepared { converted, date, counts_from } = match self.prepare(&event.body, remote) {
            Ok(prepared) => prepared,
            Err(e) => return Err(refused(e, &event)),
        };
        // Converted in place: the event (152 bytes) is not moved into a new binding.
        if let Some(converted) = converted {
            event.body = converted;
        }
        let seq = self.seq + 1;
        if let Some(day) = date
            && let Some(day_before) = day.pred_opt()
        {
            self.close_months(day_before, day, seq, changes);
        }
        // The distributors touched go into a vector kept from event to event: no allocation an
        // event.
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        if let Err(e) = self.book_event(&event.body, seq, changes, &mut touched) {
            return Err(refused(e, &event));
        }
        self.seq = seq;
        if let Some(date) = counts_from {
            changes.extend(self.reclose(&touched, date, seq));
        }
        let clock_moved = date.is_some_and(|date| self.move_clock(date));
        run.add(&touched, clock_moved, (seq, date.unwrap_or(self.dataset.as_of)));
        self.touched = touched;
        self.log.push(event, self.options.log_capacity);
        Ok(())
    }

    /// Whether `event` must find the lights of `run` settled: it is of another day. (A month
    /// closes, reading the month-to-date values, only at an event of a later day.)
    fn ends_run(&self, run: &Unsettled, event: &Event) -> bool {
        run.last.is_some_and(|(_, day)| event.date().unwrap_or(self.dataset.as_of) != day)
    }

    /// Computes again the KPIs of the distributors `run` touched (of every distributor when the
    /// clock moved: the windows and ages moved too); returns the lights that moved, as changes of
    /// the run's last event.
    pub(super) fn settle(&mut self, run: &mut Unsettled) -> Vec<Change> {
        let Some((seq, day)) = run.last.take() else { return Vec::new() };
        run.at.clear();
        let touched = std::mem::take(&mut run.touched);
        let lights_moved = if std::mem::take(&mut run.clock_moved) {
            self.kpis.recompute_all(&self.dataset, &self.stock, &self.book, &self.index);
            true
        } else {
            let mut moved = false;
            for (distributor, facets) in touched {
                let parts = (&*self.dataset, &self.stock, &self.book, &self.index);
                moved |= self.kpis.recompute(&distributor, &facets, parts);
            }
            moved
        };
        if lights_moved { self.light_changes(seq, day) } else { Vec::new() }
    }

    /// A posting dated in a closed month: the touched distributors' values of that month (and
    /// of any closed after it) computed again and their alerts stepped again over them; returns
    /// the alerts whose standing that moved. The dataset passed validation and every posting was
    /// checked by the book, so the month-end books cannot fail; should one, the month keeps the
    /// values it closed with.
    fn reclose(
        &mut self,
        touched: &[(crate::model::CustomerId, &'static [kpis::Facet])],
        date: NaiveDate,
        seq: u64,
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        for (distributor, _) in touched {
            let parts = (&*self.dataset, &self.stock, &self.book, &self.index);
            let moved = self.kpis.reclose(distributor, date, parts).unwrap_or_default();
            changes.extend(moved.into_iter().map(|change| self.kpi_change(seq, change)));
        }
        changes
    }
}
