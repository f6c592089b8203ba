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
//! (customers, products, nodes, accounts, targets) have no date and do not move it.
//!
//! **Back-dated events.** The books are open from the first day of the month before the clock's
//! month ([`EngineOptions::open_months`] = 2 by default: the grace month an ERP keeps open for
//! late postings). An event dated in an open month is accepted and updates that month's S-P-I
//! row and every later one; its stock is checked on its own day and on every later day, as the
//! batch rule does. An event dated before the open period is refused
//! ([`OmoError::ClosedPeriod`]): those months' rows are final.
//!
//! **Duplicates.** The same event type and id twice is refused as a duplicate
//! ([`OmoError::DuplicateId`] of kind `"event"`), as is a new record whose own id is taken (an
//! order id, an invoice id): a retried webhook books nothing twice.
//!
//! **Money paid ahead.** Cash a customer paid without naming invoices is applied to its open
//! invoices, oldest first, when it arrives, and what is left to each invoice that arrives later
//! — the batch book's rule, which posts every invoice before any payment. The one difference: the
//! batch book keeps the remainder of a payment that named its invoices unapplied, where the
//! engine applies it to the next invoice too.
//!
//! **The plan's alerts.** With [`EngineOptions::plan_alerts`], each month close also plans the
//! company and steps the plan's alerts (a line overloaded ahead, a node whose orders are past
//! due, a late OEM supplier, production short of plan): see [`PlanAlertRecord`] and
//! [`Engine::plan`].
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

mod change;
mod event;
mod history;
mod index;
mod kpis;
mod plan_alerts;
mod stock;
mod supply;

pub use change::{Change, ChangeKind};
pub use event::{
    CreditHold, CreditIncrease, CreditLimit, CreditOverride, CreditRiskClass, Delivery, Event, EventBody,
    MAX_EVENT_ID_BYTES, OrderStatusChange, PrepaidPickup, Tracking,
};
pub use history::events_of;
pub use kpis::AlertStatus;
pub use plan_alerts::PlanAlertRecord;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use crate::credit::{CheckMode, CreditBook, CreditCheck, CreditPolicy, Decision};
use crate::dataset::{Dataset, references};
use crate::error::{OmoError, Result};
use crate::kpi::first_of_month;
use crate::model::{CustomerId, NodeId, OrderStatus, ProductId, TargetScope, ValidationIssue};
use crate::spi::SpiRow;
use index::Index;
use kpis::{Facet, KpiChange, KpiState};
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

/// A replica's event that [`Engine::apply_remote`] accepted: its sequence number here and the
/// changes it caused.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The event's sequence number in this engine.
    pub seq: u64,
    /// The changes it caused, in order.
    pub changes: Vec<Change>,
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
}

fn default_open_months() -> u32 {
    2
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { policy: CreditPolicy::default(), open_months: default_open_months(), plan_alerts: false }
    }
}

/// A subscriber: called with every change, in order, on the applying thread.
pub type Subscriber = Box<dyn FnMut(&Change) + Send>;

/// The format of [`EngineSnapshot`] this version writes and reads.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// The engine's whole state in a form a store writes and reads back: the history with every
/// applied event folded in, the sequence number, and the ids of every applied event. Versioned:
/// [`EngineSnapshot::from_json`] refuses a format it does not know, naming it.
///
/// ```
/// use omo_core::engine::{Engine, EngineOptions, EngineSnapshot};
/// let engine = Engine::new(Engine::empty_history()?, EngineOptions::default())?;
/// let json = serde_json::to_string(&engine.snapshot()).unwrap();
/// assert_eq!(EngineSnapshot::from_json(&json)?.seq, 0);
/// let newer = json.replacen("\"format\":1", "\"format\":2", 1);
/// assert!(EngineSnapshot::from_json(&newer).unwrap_err().to_string().contains("format 2"));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSnapshot {
    /// The snapshot's format ([`SNAPSHOT_FORMAT`] when written by this version).
    pub format: u32,
    /// The dataset as of the engine's clock.
    pub dataset: Dataset,
    /// How the engine runs.
    pub options: EngineOptions,
    /// The sequence number of the last applied event.
    pub seq: u64,
    /// `(type, id)` of every applied event, for the duplicate rule.
    pub seen: Vec<(String, String)>,
    /// The plan's alert machines (none unless [`EngineOptions::plan_alerts`] is on).
    #[serde(default)]
    pub plan_alerts: Vec<PlanAlertRecord>,
}

impl EngineSnapshot {
    /// Reads a snapshot's JSON: its format first (a newer one is refused naming it, before its
    /// fields are read), then the whole.
    pub fn from_json(json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let head: Format =
            serde_json::from_str(json).map_err(|e| OmoError::Json(format!("engine snapshot: format: {e}")))?;
        check_format(head.format)?;
        serde_json::from_str(json).map_err(|e| OmoError::Json(format!("engine snapshot: {e}")))
    }
}

fn check_format(format: u32) -> Result<()> {
    if format == SNAPSHOT_FORMAT {
        return Ok(());
    }
    Err(OmoError::InvalidArgument {
        name: "snapshot",
        message: format!("engine snapshot format {format}: this version of omo reads format {SNAPSHOT_FORMAT}"),
    })
}

/// The live engine (see the module's documentation).
pub struct Engine {
    dataset: Dataset,
    options: EngineOptions,
    index: Index,
    stock: StockState,
    book: CreditBook,
    kpis: KpiState,
    plan_alerts: PlanAlerts,
    seq: u64,
    /// Events applied since the engine was built or restored, the first with `log_start + 1`.
    log: Vec<Event>,
    log_start: u64,
    seen: FxHashSet<(String, String)>,
    subscribers: Vec<Subscriber>,
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
        Engine::restore(EngineSnapshot {
            format: SNAPSHOT_FORMAT,
            dataset: history,
            options,
            seq: 0,
            seen: Vec::new(),
            plan_alerts: Vec::new(),
        })
    }

    /// The history of an engine that starts from nothing: a company named "omo" keeping its
    /// books in CNY (the articles' fertilizer maker), its clock on 1 January 2000 (the first
    /// dated event moves it). Master data arrives as events.
    pub fn empty_history() -> Result<Dataset> {
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
        Ok(Dataset::new("omo", crate::model::Currency::new("CNY")?, start))
    }

    /// An engine back from a snapshot (see [`Engine::snapshot`]); its log starts empty.
    pub fn restore(snapshot: EngineSnapshot) -> Result<Self> {
        let EngineSnapshot { format, dataset, options, seq, seen, plan_alerts } = snapshot;
        check_format(format)?;
        if options.open_months == 0 {
            return Err(OmoError::InvalidArgument {
                name: "open_months",
                message: "at least the clock's own month must be open".to_owned(),
            });
        }
        dataset.validate().into_result()?;
        let open_from = open_from(dataset.as_of, options.open_months);
        let stock = StockState::from_movements(&dataset.movements, open_from)?;
        let book = CreditBook::from_dataset(&dataset, dataset.as_of, options.policy.clone())?;
        let index = Index::of(&dataset);
        let kpis = KpiState::new(&dataset, &stock, &book, &index, crate::kpi::AlertRule::default())?;
        Ok(Engine {
            index,
            kpis,
            plan_alerts: PlanAlerts::from_records(plan_alerts, crate::kpi::AlertRule::default()),
            dataset,
            options,
            stock,
            book,
            seq,
            log: Vec::new(),
            log_start: seq,
            seen: seen.into_iter().collect(),
            subscribers: Vec::new(),
        })
    }

    /// The whole state, for a store to write (see [`Engine::restore`]).
    pub fn snapshot(&self) -> EngineSnapshot {
        let mut seen: Vec<(String, String)> = self.seen.iter().cloned().collect();
        seen.sort();
        EngineSnapshot {
            format: SNAPSHOT_FORMAT,
            dataset: self.dataset.clone(),
            options: self.options.clone(),
            seq: self.seq,
            seen,
            plan_alerts: self.plan_alerts.records(),
        }
    }

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
        open_from(self.dataset.as_of, self.options.open_months)
    }

    /// The history with every applied event, as a dataset whose `as_of` is the clock.
    pub fn to_dataset(&self) -> Dataset {
        self.dataset.clone()
    }

    /// The dataset the engine keeps current, by reference.
    pub fn dataset(&self) -> &Dataset {
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

    /// Calls `subscriber` with every change from now on, in order, on the thread that applies.
    pub fn subscribe(&mut self, subscriber: Subscriber) {
        self.subscribers.push(subscriber);
    }

    /// Applies one event: checks it completely, then books it. Returns the changes it caused,
    /// after delivering them to the subscribers. A refused event changes nothing and raises
    /// [`OmoError::Refused`] naming the event, the field and the reason.
    pub fn apply(&mut self, event: Event) -> Result<Vec<Change>> {
        let changes = self.apply_checked(event, false)?;
        self.deliver(&changes);
        Ok(changes)
    }

    /// Applies `events` one by one, in order, and stops at the first refused one: the events
    /// before it stay applied. Returns their changes, in order, and the refusal if there was one.
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
        let mut applied = Applied::default();
        for event in events {
            match self.apply(event) {
                Ok(changes) => applied.changes.extend(changes),
                Err(e) => {
                    applied.refused = Some(e);
                    break;
                }
            }
        }
        applied
    }

    /// Sync: applies a replica's events one by one. Each gets its sequence number and changes,
    /// or the reason the engine can no longer accept it — an id already taken, stock already
    /// gone, or an order the credit check now blocks ([`OmoError::CreditBlocked`]) — and a
    /// refusal does not stop the events after it. Nothing is merged or dropped silently.
    pub fn apply_remote(&mut self, events: impl IntoIterator<Item = Event>) -> Vec<Result<Accepted>> {
        events
            .into_iter()
            .map(|event| {
                let changes = self.apply_checked(event, true)?;
                self.deliver(&changes);
                Ok(Accepted { seq: self.seq, changes })
            })
            .collect()
    }

    /// The events applied after sequence number `seq`, each with its own number, in order.
    /// Errors when `seq` is before this engine's log (it was restored from a snapshot then).
    pub fn events_since(&self, seq: u64) -> Result<Vec<(u64, Event)>> {
        if seq < self.log_start {
            return Err(OmoError::InvalidArgument {
                name: "seq",
                message: format!("events up to {} are in the store, not in memory; ask the store", self.log_start),
            });
        }
        let skip = usize::try_from(seq - self.log_start).unwrap_or(usize::MAX);
        Ok(self.log.iter().enumerate().skip(skip).map(|(i, e)| (self.log_start + i as u64 + 1, e.clone())).collect())
    }

    /// Lets time pass to the end of `date`: the day and month close (overdue days, the open
    /// period). A date before the clock changes nothing. Returns the changes.
    pub fn advance_to(&mut self, date: NaiveDate) -> Result<Vec<Change>> {
        let mut changes = self.close_months(date, self.seq);
        if self.move_clock(date) {
            changes.extend(self.light_changes(self.seq, date));
        }
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

    /// Checks and books one event; `remote` adds the checks of a replica's proposal.
    fn apply_checked(&mut self, event: Event, remote: bool) -> Result<Vec<Change>> {
        let refused = |e: OmoError, event: &Event| refusal(event, e);
        let key = (event.kind().to_owned(), event.id.clone());
        if self.seen.contains(&key) {
            let duplicate = OmoError::DuplicateId { kind: "event", id: format!("{} {}", key.0, key.1) };
            return Err(refused(duplicate, &event));
        }
        let event = match self.prepare(&event.body, remote) {
            Ok(Some(converted)) => Event { id: event.id, body: converted },
            Ok(None) => event,
            Err(e) => return Err(refused(e, &event)),
        };
        let seq = self.seq + 1;
        let mut changes = Vec::new();
        if let Some(day_before) = event.date().and_then(|d| d.pred_opt()) {
            changes.extend(self.close_months(day_before, seq));
        }
        let touched = match self.book_event(&event.body, seq, &mut changes) {
            Ok(touched) => touched,
            Err(e) => return Err(refused(e, &event)),
        };
        self.seq = seq;
        self.seen.insert(key);
        let moved = event.date().is_some_and(|date| self.move_clock(date));
        let mut lights_moved = moved;
        for (distributor, facets) in &touched {
            let parts = (&self.dataset, &self.stock, &self.book, &self.index);
            lights_moved |= self.kpis.recompute(distributor, facets, parts);
        }
        if lights_moved {
            changes.extend(self.light_changes(seq, event.date().unwrap_or(self.dataset.as_of)));
        }
        self.log.push(event);
        Ok(changes)
    }

    /// Checks an event against the state without changing anything; returns its body converted
    /// into the company's currency when it came in another one.
    fn prepare(&self, body: &EventBody, remote: bool) -> Result<Option<EventBody>> {
        let open_from = self.open_from();
        if let Some(date) = body.date()
            && date < open_from
        {
            return Err(OmoError::ClosedPeriod { date, open_from });
        }
        let as_of = body.date().map_or(self.dataset.as_of, |d| d.max(self.dataset.as_of));
        let converted = self.convert(body)?;
        self.check(converted.as_ref().unwrap_or(body), as_of, remote)?;
        Ok(converted)
    }

    /// An invoice or payment in another currency, converted at the rate of its date (`None`:
    /// nothing to convert), or the mismatch when no rate is known.
    fn convert(&self, body: &EventBody) -> Result<Option<EventBody>> {
        let mismatch = |customer: &CustomerId, got: &crate::model::Currency| OmoError::CurrencyMismatch {
            customer: customer.to_string(),
            expected: self.dataset.currency.to_string(),
            got: got.to_string(),
        };
        match body {
            EventBody::Invoice(i) if i.currency != self.dataset.currency => {
                let converted = self.dataset.invoice_in_company_currency(i.clone());
                converted.map(|c| Some(EventBody::Invoice(c))).ok_or_else(|| mismatch(&i.customer, &i.currency))
            }
            EventBody::Payment(p) if p.currency != self.dataset.currency => {
                let converted = self.dataset.payment_in_company_currency(p.clone());
                converted.map(|c| Some(EventBody::Payment(c))).ok_or_else(|| mismatch(&p.customer, &p.currency))
            }
            _ => Ok(None),
        }
    }

    /// Every rule an event must pass: its record's fields and references (the dataset's own
    /// checks), ids not taken, stock not below zero, and for a replica's order, the credit check.
    fn check(&self, body: &EventBody, as_of: NaiveDate, remote: bool) -> Result<()> {
        let mut out = Vec::new();
        let ids = &self.index;
        let taken = |taken: bool, entity: &'static str, id: &str| -> Result<()> {
            if taken { Err(OmoError::DuplicateId { kind: entity, id: id.to_owned() }) } else { Ok(()) }
        };
        match body {
            EventBody::Movement(m) => {
                references::check_movement(m, None, ids, as_of, &mut out);
                issues(out)?;
                if !self.dataset.allow_negative_stock {
                    self.stock.check(m, self.open_from())?;
                }
                return Ok(());
            }
            EventBody::Count(c) => references::check_count(c, None, ids, as_of, &mut out),
            EventBody::PosSale(s) => references::check_pos_sale(s, None, ids, as_of, &mut out),
            EventBody::Order(o) => {
                taken(ids.orders.contains_key(&o.id), "sales_order", o.id.as_str())?;
                references::check_order(o, ids, as_of, &mut out);
                issues(out)?;
                if remote {
                    self.credit_allows(o)?;
                }
                return Ok(());
            }
            EventBody::Shipment(s) => {
                taken(ids.shipments.contains_key(&s.id), "shipment", s.id.as_str())?;
                references::check_shipment(s, ids, as_of, &mut out);
            }
            EventBody::Invoice(i) => {
                taken(ids.invoices.contains_key(&i.id), "invoice", i.id.as_str())?;
                references::check_invoice(i, ids, as_of, &mut out);
            }
            EventBody::Payment(p) => {
                taken(ids.payments.contains(&p.id), "payment", p.id.as_str())?;
                references::check_payment(p, ids, as_of, &mut out);
            }
            EventBody::PrepaidOrder(p) => {
                taken(ids.prepaid_orders.contains_key(&p.id), "prepaid_order", p.id.as_str())?;
                references::check_prepaid(p, ids, as_of, &mut out);
            }
            EventBody::OrderStatus(change) => {
                known(ids.orders.contains_key(&change.order), "sales_order", change.order.as_str())?;
            }
            EventBody::ShipmentDelivered(delivery) => {
                let shipment = self.shipment(&delivery.shipment)?;
                if delivery.date < shipment.shipped_date {
                    let message = format!("{} is before shipped_date {}", delivery.date, shipment.shipped_date);
                    out.push(ValidationIssue::new("shipment", shipment.id.to_string(), "delivered_date", message));
                }
            }
            EventBody::ShipmentTracked(tracking) => {
                self.shipment(&tracking.shipment)?;
            }
            EventBody::PrepaidPickup(pickup) => {
                let position = self.index.prepaid_orders.get(&pickup.prepaid_order);
                let Some(prepaid) = position.and_then(|&i| self.dataset.prepaid_orders.get(i)) else {
                    return known(false, "prepaid_order", pickup.prepaid_order.as_str());
                };
                let mut after = prepaid.clone();
                after.pickups.push(pickup.pickup.clone());
                references::check_prepaid(&after, ids, as_of, &mut out);
            }
            EventBody::Customer(c) => {
                references::check_customer(c, ids, &mut out);
                issues(out)?;
                return self.no_cycle("customer", c.id.as_str(), c.parent.as_ref().map(|p| p.as_str()), |id| {
                    let i = self.index.customers.get(&CustomerId::new(id).ok()?)?;
                    self.dataset.customers.get(*i)?.parent.as_ref().map(|p| p.as_str())
                });
            }
            EventBody::Node(n) => {
                references::check_node(n, ids, &mut out);
                issues(out)?;
                return self.no_cycle("node", n.id.as_str(), n.parent.as_ref().map(|p| p.as_str()), |id| {
                    let i = self.index.nodes.get(&NodeId::new(id).ok()?)?;
                    self.dataset.nodes.get(*i)?.parent.as_ref().map(|p| p.as_str())
                });
            }
            EventBody::Product(p) => references::check_product(p, ids, &mut out),
            EventBody::CreditAccount(a) => {
                taken(ids.credit_accounts.contains_key(&a.customer), "credit_account", a.customer.as_str())?;
                references::check_credit_account(a, ids, &mut out);
                if a.currency != self.dataset.currency {
                    return Err(OmoError::CurrencyMismatch {
                        customer: a.customer.to_string(),
                        expected: self.dataset.currency.to_string(),
                        got: a.currency.to_string(),
                    });
                }
            }
            EventBody::CreditLimit(c) => {
                let mut account = self.account(&c.customer)?.clone();
                account.set_limit(c.limit, &c.stamp)?;
            }
            EventBody::TemporaryIncrease(c) => {
                let mut account = self.account(&c.customer)?.clone();
                account.grant_temporary_increase(c.increase.amount, c.increase.from, c.increase.until, &c.stamp)?;
            }
            EventBody::CreditBlock(c) | EventBody::CreditUnblock(c) => {
                self.account(&c.customer)?;
            }
            EventBody::CreditRiskClass(c) => {
                self.account(&c.customer)?;
            }
            EventBody::CreditOverride(c) => {
                self.account(&c.customer)?;
                known(ids.orders.contains_key(&c.order), "sales_order", c.order.as_str())?;
                let mut is = crate::model::Issues::new("credit_override", c.order.as_str(), &mut out);
                is.amount("amount", c.amount);
            }
            EventBody::SalesTarget(t) => references::check_target(t, None, ids, &mut out),
            EventBody::PurchaseOrder(o) => supply::check_purchase(&self.dataset, ids, o, as_of, &mut out),
            EventBody::ProductionOrder(o) => supply::check_production(&self.dataset, ids, o, as_of, &mut out),
        }
        issues(out)
    }

    fn shipment(&self, id: &crate::model::ShipmentId) -> Result<&crate::model::Shipment> {
        self.index
            .shipments
            .get(id)
            .and_then(|&i| self.dataset.shipments.get(i))
            .ok_or_else(|| OmoError::UnknownId { kind: "shipment", id: id.to_string() })
    }

    fn account(&self, customer: &CustomerId) -> Result<&crate::credit::CreditAccount> {
        self.book.account(customer).ok_or_else(|| OmoError::UnknownCreditAccount { customer: customer.to_string() })
    }

    /// Refuses a parent link that would close a loop: walks up from `parent` (bounded by the
    /// number of records) looking for `id`.
    fn no_cycle<'a>(
        &'a self,
        entity: &'static str,
        id: &'a str,
        parent: Option<&'a str>,
        parent_of: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<()> {
        let mut path = vec![id.to_owned()];
        let mut at = parent;
        let limit = self.dataset.customers.len() + self.dataset.nodes.len() + 1;
        while let Some(current) = at {
            path.push(current.to_owned());
            if current == id {
                return Err(OmoError::Cycle { axis: entity, ids: path });
            }
            if path.len() > limit {
                break;
            }
            at = parent_of(current);
        }
        Ok(())
    }

    /// A replica's order must pass the credit check as things stand now.
    fn credit_allows(&self, order: &crate::model::SalesOrder) -> Result<()> {
        if self.book.account(&order.customer).is_none() {
            return Ok(());
        }
        let check = self.book.check_order(&order.customer, order.total(), self.dataset.as_of, CheckMode::Static)?;
        if check.decision == Decision::Blocked {
            let reasons: Vec<String> =
                check.findings.iter().filter(|f| f.blocks).map(|f| f.reason.to_string()).collect();
            return Err(OmoError::CreditBlocked {
                order: order.id.to_string(),
                customer: order.customer.to_string(),
                reasons: reasons.join("; "),
            });
        }
        Ok(())
    }

    /// Books a checked event. The credit book goes first (its few failures leave everything as
    /// it was); the rest cannot fail.
    /// Returns the distributors whose KPIs it moved.
    fn book_event(
        &mut self,
        body: &EventBody,
        seq: u64,
        changes: &mut Vec<Change>,
    ) -> Result<Vec<(CustomerId, &'static [Facet])>> {
        let d = &mut self.dataset;
        let today = d.as_of;
        let kpis = &mut self.kpis;
        let mut touched: Vec<(CustomerId, &'static [Facet])> = Vec::new();
        match body {
            EventBody::Movement(m) => {
                let on_hand = self.stock.book(m, open_from(today, self.options.open_months));
                if m.stock_change() < Decimal::ZERO && on_hand <= Decimal::ZERO {
                    let what = ChangeKind::StockOut { node: m.node.clone(), product: m.product.clone(), on_hand };
                    changes.push(Change { seq, date: m.date, what });
                }
                kpis.on_movement(m);
                touched.extend(kpis.distributor_touched(None, Some(&m.node)).map(|d| (d, STOCK)));
                d.movements.push(m.clone());
            }
            EventBody::Count(c) => d.counts.push(c.clone()),
            EventBody::PosSale(s) => {
                if kpis.on_pos_sale(s) {
                    touched.extend(kpis.shop_owner(&s.node).map(|d| (d, SHOPS)));
                }
                d.pos_sales.push(s.clone());
            }
            EventBody::Order(o) => {
                if self.book.account(&o.customer).is_some()
                    && !matches!(o.status, OrderStatus::Invoiced | OrderStatus::Cancelled)
                {
                    let check =
                        self.book.check_order(&o.customer, o.total(), today.max(o.order_date), CheckMode::Static)?;
                    self.book.book_order(
                        o.id.clone(),
                        &o.customer,
                        o.total(),
                        o.requested_date.unwrap_or(o.order_date),
                    )?;
                    if check.decision == Decision::Blocked {
                        changes.push(order_blocked(seq, o, &check));
                    }
                }
                kpis.on_order(o);
                touched.extend(kpis.distributor_touched(Some(&o.customer), None).map(|d| (d, ORDERS)));
                self.index.orders.insert(o.id.clone(), d.orders.len());
                d.orders.push(o.clone());
            }
            EventBody::Shipment(s) => {
                if self.book.holds_order(&s.order)
                    && let Some(order) = self.index.orders.get(&s.order).and_then(|&i| d.orders.get(i))
                {
                    self.book.ship(&s.order, crate::credit::shipment_value(order, s))?;
                }
                if let Some(order) = self.index.orders.get(&s.order).and_then(|&i| d.orders.get(i)) {
                    kpis.on_delivery(order, s, None);
                    touched.extend(kpis.distributor_touched(Some(&order.customer), None).map(|d| (d, DELIVERIES)));
                }
                self.index.shipments.insert(s.id.clone(), d.shipments.len());
                d.shipments.push(s.clone());
            }
            EventBody::Invoice(i) => {
                if self.book.account(&i.customer).is_some() {
                    self.book.post_invoice(i)?;
                    self.book.apply_unapplied(&i.customer, i.date)?;
                }
                kpis.on_invoice(i);
                touched.extend(kpis.distributor_touched(Some(&i.customer), None).map(|d| (d, MONEY)));
                self.index.invoices.insert(i.id.clone(), i.customer.clone());
                d.invoices.push(i.clone());
            }
            EventBody::Payment(p) => {
                if self.book.account(&p.customer).is_some() {
                    self.book.post_payment(p)?;
                }
                kpis.on_payment(p);
                touched.extend(kpis.distributor_touched(Some(&p.customer), None).map(|d| (d, MONEY)));
                self.index.payments.insert(p.id.clone());
                d.payments.push(p.clone());
            }
            EventBody::PrepaidOrder(p) => {
                self.index.prepaid_orders.insert(p.id.clone(), d.prepaid_orders.len());
                d.prepaid_orders.push(p.clone());
            }
            EventBody::OrderStatus(change) => {
                if matches!(change.status, OrderStatus::Invoiced | OrderStatus::Cancelled) {
                    self.book.close_order(&change.order);
                }
                if let Some(order) = self.index.orders.get(&change.order).and_then(|&i| d.orders.get_mut(i)) {
                    order.status = change.status;
                }
            }
            EventBody::ShipmentDelivered(delivery) => {
                if let Some(s) = self.index.shipments.get(&delivery.shipment).and_then(|&i| d.shipments.get_mut(i)) {
                    let before = s.clone();
                    s.delivered_date = Some(delivery.date);
                    if let Some(order) = self.index.orders.get(&s.order).and_then(|&i| d.orders.get(i)) {
                        kpis.on_delivery(order, s, Some(&before));
                        touched.extend(kpis.distributor_touched(Some(&order.customer), None).map(|d| (d, DELIVERIES)));
                    }
                }
            }
            EventBody::ShipmentTracked(tracking) => {
                if let Some(s) = self.index.shipments.get(&tracking.shipment).and_then(|&i| d.shipments.get_mut(i)) {
                    s.events.push(tracking.event.clone());
                }
            }
            EventBody::PrepaidPickup(pickup) => {
                let at = self.index.prepaid_orders.get(&pickup.prepaid_order);
                if let Some(p) = at.and_then(|&i| d.prepaid_orders.get_mut(i)) {
                    p.pickups.push(pickup.pickup.clone());
                }
            }
            EventBody::Customer(c) => {
                upsert(&mut d.customers, &mut self.index.customers, c.id.clone(), c.clone());
                kpis.refresh_customers(d)?;
                touched.extend(kpis.distributor_touched(Some(&c.id), None).map(|d| (d, &Facet::ALL[..])));
            }
            EventBody::Product(p) => upsert(&mut d.products, &mut self.index.products, p.id.clone(), p.clone()),
            EventBody::Node(n) => {
                upsert(&mut d.nodes, &mut self.index.nodes, n.id.clone(), n.clone());
                kpis.refresh_customers(d)?;
            }
            EventBody::CreditAccount(a) => {
                self.book.open_account(a.clone())?;
                self.index.credit_accounts.insert(a.customer.clone(), d.credit_accounts.len());
                d.credit_accounts.push(a.clone());
            }
            EventBody::CreditLimit(c) => {
                self.book.account_mut(&c.customer)?.set_limit(c.limit, &c.stamp)?;
                self.copy_account(&c.customer);
            }
            EventBody::TemporaryIncrease(c) => {
                let i = &c.increase;
                self.book.account_mut(&c.customer)?.grant_temporary_increase(i.amount, i.from, i.until, &c.stamp)?;
                self.copy_account(&c.customer);
            }
            EventBody::CreditBlock(c) => {
                self.book.account_mut(&c.customer)?.block(&c.stamp);
                self.copy_account(&c.customer);
            }
            EventBody::CreditUnblock(c) => {
                self.book.account_mut(&c.customer)?.unblock(&c.stamp);
                self.copy_account(&c.customer);
            }
            EventBody::CreditRiskClass(c) => {
                self.book.account_mut(&c.customer)?.set_risk_class(c.class, &c.stamp);
                self.copy_account(&c.customer);
            }
            EventBody::CreditOverride(c) => {
                self.book.account_mut(&c.customer)?.override_blocked_order(c.order.clone(), c.amount, &c.stamp);
                self.copy_account(&c.customer);
            }
            EventBody::SalesTarget(t) => {
                let key = (t.scope.clone(), t.month);
                upsert(&mut d.sales_targets, &mut self.index.sales_targets, key, t.clone());
                if let TargetScope::Customer(c) = &t.scope {
                    touched.extend(kpis.distributor_touched(Some(c), None).map(|d| (d, MONEY)));
                }
            }
            EventBody::PurchaseOrder(o) => supply::book_purchase(d, &mut self.index, o),
            EventBody::ProductionOrder(o) => supply::book_production(d, &mut self.index, o),
        }
        Ok(touched)
    }

    /// The dataset's copy of an account, made equal to the book's after a change.
    fn copy_account(&mut self, customer: &CustomerId) {
        let (Some(account), Some(&i)) = (self.book.account(customer), self.index.credit_accounts.get(customer)) else {
            return;
        };
        if let Some(slot) = self.dataset.credit_accounts.get_mut(i) {
            *slot = account.clone();
        }
    }

    /// Moves the clock to `date` when it is later: the book's business day, the open period,
    /// and every distributor's month-to-date KPIs (windows and ages moved). True when it moved.
    fn move_clock(&mut self, date: NaiveDate) -> bool {
        if date <= self.dataset.as_of {
            return false;
        }
        let before = self.open_from();
        self.dataset.as_of = date;
        self.book.set_business_day(date);
        let after = self.open_from();
        if after > before {
            self.stock.close_before(after);
        }
        self.kpis.recompute_all(&self.dataset, &self.stock, &self.book, &self.index);
        true
    }

    /// Closes every month not closed yet that ends on or before `day` (a month is complete once
    /// its last day is over): each distributor's alerts step with the month's final values.
    /// Returns the transitions. An event dated in a new month closes the months before it; time
    /// passing to a month's last day ([`Engine::advance_to`]) closes that month.
    fn close_months(&mut self, day: NaiveDate, seq: u64) -> Vec<Change> {
        let mut changes = Vec::new();
        while let Some(month) = self.kpis.next_to_close(day) {
            let parts = (&self.dataset, &self.stock, &self.book, &self.index);
            for change in self.kpis.close_month(month, parts) {
                changes.push(self.kpi_change(seq, change));
            }
            if self.options.plan_alerts {
                for change in self.plan_alerts.close_month(&self.dataset, month) {
                    changes.push(self.kpi_change(seq, change));
                }
            }
        }
        changes
    }

    /// The lights that changed since they were last reported, as changes of `date`.
    fn light_changes(&mut self, seq: u64, date: NaiveDate) -> Vec<Change> {
        let found = self.kpis.light_changes();
        found.into_iter().map(|c| Change { date, ..self.kpi_change(seq, c) }).collect()
    }

    /// A KPI change as the engine reports it, with what to do about an alert.
    fn kpi_change(&self, seq: u64, change: KpiChange) -> Change {
        match change {
            KpiChange::Light { kpi, member, from, to, value } => {
                Change { seq, date: self.dataset.as_of, what: ChangeKind::Light { kpi, member, from, to, value } }
            }
            KpiChange::Alert { kpi, member, month, kind, light, value, threshold } => {
                let target = self.kpis.target(&kpi);
                let action_code = change::action_code(&kpi, value, target);
                let invoices =
                    if action_code == "chase_invoices" { self.overdue_invoices(&member) } else { Vec::new() };
                let (from, to) = match kind {
                    crate::kpi::AlertEventKind::Raised => ("normal".to_owned(), "firing".to_owned()),
                    crate::kpi::AlertEventKind::Escalated => ("yellow".to_owned(), "red".to_owned()),
                    crate::kpi::AlertEventKind::Resolved => ("firing".to_owned(), "normal".to_owned()),
                };
                let end = month.checked_add_months(Months::new(1)).map_or(month, |d| d - chrono::Days::new(1));
                let what = ChangeKind::Alert {
                    kpi,
                    member,
                    month,
                    kind,
                    from,
                    to,
                    light,
                    value,
                    threshold,
                    action_code: action_code.to_owned(),
                    invoices,
                };
                Change { seq, date: end, what }
            }
        }
    }

    /// A customer's invoices past due today, oldest due first.
    fn overdue_invoices(&self, customer: &str) -> Vec<String> {
        let Ok(id) = CustomerId::new(customer) else { return Vec::new() };
        let today = self.dataset.as_of;
        self.book
            .receivables()
            .open_items(&id)
            .into_iter()
            .filter(|item| item.due_date < today)
            .map(|item| item.invoice.to_string())
            .collect()
    }

    /// Every member's light of every KPI now (month to date), sorted by member and KPI.
    pub fn lights(&self) -> Vec<(String, String, crate::kpi::Light)> {
        self.kpis.lights().into_iter().map(|((m, k), l)| (m, k, l)).collect()
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

    /// The company's plan from the clock, with the core's default settings
    /// ([`crate::plan::company_plan`]): what the plan's alerts step on at each month close.
    ///
    /// # Errors
    /// Those of [`crate::plan::company_plan`]: a product nobody can make or supply, a supplier's
    /// lead time beyond the horizon.
    pub fn plan(&self) -> Result<crate::plan::CompanyPlan> {
        let settings = crate::plan::ChannelSettings::new(self.dataset.as_of);
        crate::plan::company_plan(&self.dataset, &settings, &crate::plan::SupplySettings::default())
    }
}

/// The facets of a distributor's KPI facts each kind of event moves.
const STOCK: &[Facet] = &[Facet::Stock];
const SHOPS: &[Facet] = &[Facet::Shops];
const ORDERS: &[Facet] = &[Facet::Orders];
const DELIVERIES: &[Facet] = &[Facet::Deliveries];
const MONEY: &[Facet] = &[Facet::Money];

/// The first open day when the clock reads `as_of` and `months` months are open.
fn open_from(as_of: NaiveDate, months: u32) -> NaiveDate {
    let first = first_of_month(as_of);
    first.checked_sub_months(Months::new(months.saturating_sub(1))).unwrap_or(first)
}

/// `Ok(())` when nothing was found, else every issue.
fn issues(out: Vec<ValidationIssue>) -> Result<()> {
    if out.is_empty() { Ok(()) } else { Err(OmoError::Invalid { issues: out }) }
}

fn known(found: bool, kind: &'static str, id: &str) -> Result<()> {
    if found { Ok(()) } else { Err(OmoError::UnknownId { kind, id: id.to_owned() }) }
}

/// Replaces the record with `key`, or appends it.
fn upsert<K: Eq + std::hash::Hash, T>(
    rows: &mut Vec<T>,
    positions: &mut rustc_hash::FxHashMap<K, usize>,
    key: K,
    record: T,
) {
    match positions.get(&key).and_then(|&i| rows.get_mut(i)) {
        Some(slot) => *slot = record,
        None => {
            positions.insert(key, rows.len());
            rows.push(record);
        }
    }
}

fn order_blocked(seq: u64, order: &crate::model::SalesOrder, check: &CreditCheck) -> Change {
    let blocking = check.findings.iter().filter(|f| f.blocks);
    Change {
        seq,
        date: order.order_date,
        what: ChangeKind::OrderBlocked {
            order: order.id.clone(),
            customer: order.customer.clone(),
            amount: check.order_amount,
            available: check.available,
            codes: blocking.clone().map(|f| f.reason.code().to_owned()).collect(),
            reasons: blocking.map(|f| f.reason.to_string()).collect(),
        },
    }
}

/// The error of a refused event: its type and id, the field at fault, and the reason.
fn refusal(event: &Event, reason: OmoError) -> OmoError {
    if matches!(reason, OmoError::Refused { .. }) {
        return reason;
    }
    let field = field_of(&reason);
    let reason = match reason {
        OmoError::Invalid { mut issues } => {
            for issue in issues.iter_mut().filter(|i| i.id.is_empty()) {
                issue.id = event.id.clone();
            }
            OmoError::Invalid { issues }
        }
        other => other,
    };
    OmoError::Refused { kind: event.kind().to_owned(), id: event.id.clone(), field, reason: Box::new(reason) }
}

/// The record field an error is about, as a path from the event (`record.lines[0].quantity`).
fn field_of(reason: &OmoError) -> Option<String> {
    let in_record = |field: &str| Some(format!("record.{field}"));
    match reason {
        OmoError::Invalid { issues } => issues.first().and_then(|i| in_record(&i.field)),
        OmoError::NegativeStock { .. } => in_record("quantity"),
        OmoError::ClosedPeriod { .. } => Some("record.date".to_owned()),
        OmoError::CurrencyMismatch { .. } => in_record("currency"),
        OmoError::DuplicateId { kind: "event", .. } => Some("id".to_owned()),
        OmoError::DuplicateId { .. } => in_record("id"),
        OmoError::UnknownCreditAccount { .. } => in_record("customer"),
        OmoError::CreditBlocked { .. } => in_record("lines"),
        OmoError::Cycle { .. } => in_record("parent"),
        OmoError::UnknownId { kind: "sales_order", .. } => in_record("order"),
        OmoError::UnknownId { kind, .. } => in_record(kind),
        _ => None,
    }
}
