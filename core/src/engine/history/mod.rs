//! History as events: a dataset cut at a day ([`Dataset::until`]) and everything that happened
//! after that day as a stream of [`Event`]s ([`events_of`]), so that an engine built on the cut
//! and fed the stream ends where the whole dataset is.
//!
//! **What a record looked like on a day.** A dataset holds every record as it stands on its
//! `as_of`; the way it got there is read back from the dates the records carry:
//!
//! - an order's status from its shipments and invoices (see [`Dataset::until`] for the rule);
//! - a shipment's delivery and tracking steps from their dates;
//! - a prepaid order's pickups from theirs;
//! - a credit account's limit, temporary increases and block from its audit trail;
//! - a payment's allocations from the later of its day and its invoice's day
//!   ([`crate::model::Payment::as_it_stood_on`]).
//!
//! What the records do not date cannot be read back: when an order was cancelled (it counts as
//! cancelled from its order date).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

use super::event::{
    Allocation, CreditHold, CreditIncrease, CreditLimit, CreditOverride, CreditRiskClass, Delivery, Event, EventBody,
    MAX_EVENT_ID_BYTES, OrderStatusChange, PrepaidPickup, Tracking,
};
use crate::credit::{AccountChange, AuditEntry, CreditAccount};
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{
    InvoiceId, InvoiceKind, OrderId, OrderStatus, Payment, PrepaidOrder, SalesOrder, Shipment, ValidationIssue,
};
use crate::sample::StockRecord;

/// What the dataset says about the fulfilment of one order: the days its shipments left (sorted)
/// and the day of its first invoice.
#[derive(Debug, Default)]
struct Fulfilment {
    shipped: Vec<NaiveDate>,
    invoiced: Option<NaiveDate>,
}

impl Fulfilment {
    /// Shipments of every order and the first invoice (not credit note) billing it, in one pass.
    fn of(dataset: &Dataset) -> HashMap<&OrderId, Fulfilment> {
        let mut facts: HashMap<&OrderId, Fulfilment> = HashMap::default();
        for shipment in &dataset.shipments {
            facts.entry(&shipment.order).or_default().shipped.push(shipment.shipped_date);
        }
        for invoice in dataset.invoices.iter().filter(|i| i.kind == InvoiceKind::Invoice) {
            if let Some(order) = &invoice.order {
                let fact = facts.entry(order).or_default();
                fact.invoiced = Some(fact.invoiced.map_or(invoice.date, |d| d.min(invoice.date)));
            }
        }
        for fact in facts.values_mut() {
            fact.shipped.sort_unstable();
        }
        facts
    }

    /// The status the rule gives an order whose status is now `last`, at the end of `date`
    /// (without the dataset's `as_of`; see [`status_on`]).
    fn status_by_rule(fact: Option<&Self>, last: OrderStatus, date: NaiveDate) -> OrderStatus {
        let Some(fact) = fact else {
            return match last {
                OrderStatus::Cancelled => OrderStatus::Cancelled,
                _ => OrderStatus::Open,
            };
        };
        match last {
            OrderStatus::Cancelled | OrderStatus::Open => last,
            OrderStatus::Invoiced if fact.invoiced.is_some_and(|d| d <= date) => OrderStatus::Invoiced,
            OrderStatus::PartiallyShipped | OrderStatus::Shipped | OrderStatus::Invoiced => {
                let by_then = fact.shipped.partition_point(|d| *d <= date);
                if by_then == 0 {
                    OrderStatus::Open
                } else if by_then == fact.shipped.len() && last != OrderStatus::PartiallyShipped {
                    OrderStatus::Shipped
                } else {
                    OrderStatus::PartiallyShipped
                }
            }
        }
    }
}

/// An order's status at the end of `date`: the rule of [`Dataset::until`], and on or after the
/// dataset's `as_of` the status the order has (the dataset is the state of that day).
fn status_on(
    facts: &HashMap<&OrderId, Fulfilment>,
    order: &SalesOrder,
    date: NaiveDate,
    as_of: NaiveDate,
) -> OrderStatus {
    if date >= as_of {
        return order.status;
    }
    Fulfilment::status_by_rule(facts.get(&order.id), order.status, date)
}

/// A shipment as it stood at the end of `date`: delivered only by then, tracked only by then.
fn shipment_on(shipment: &Shipment, date: NaiveDate) -> Shipment {
    Shipment {
        delivered_date: shipment.delivered_date.filter(|d| *d <= date),
        events: shipment.events.iter().filter(|e| e.date <= date).cloned().collect(),
        ..shipment.clone()
    }
}

/// A prepaid order as it stood at the end of `date`: only the pickups made by then.
fn prepaid_on(prepaid: &PrepaidOrder, date: NaiveDate) -> PrepaidOrder {
    PrepaidOrder { pickups: prepaid.pickups.iter().filter(|p| p.date <= date).cloned().collect(), ..prepaid.clone() }
}

/// The day each invoice was issued.
fn invoice_dates(dataset: &Dataset) -> HashMap<&InvoiceId, NaiveDate> {
    dataset.invoices.iter().map(|i| (&i.id, i.date)).collect()
}

/// A payment as it stood at the end of `date` (see [`Payment::as_it_stood_on`]).
fn payment_on(issued: &HashMap<&InvoiceId, NaiveDate>, payment: &Payment, date: NaiveDate) -> Payment {
    payment.as_it_stood_on(date, |i| issued.get(i).copied()).unwrap_or_else(|| payment.clone())
}

/// True for the account changes that have an event type (and so are undone by a cut): all
/// but the end of a temporary increase, which is never stored.
fn replayable(change: &AccountChange) -> bool {
    !matches!(change, AccountChange::IncreaseExpired(_))
}

/// A credit account as it stood at the end of `date`: its replayable changes made later undone,
/// newest first, and taken off its audit trail.
fn account_on(account: &CreditAccount, date: NaiveDate) -> CreditAccount {
    let mut account = account.clone();
    if !account.history.iter().any(|e| e.stamp.date > date && replayable(&e.change)) {
        return account;
    }
    // The reason of the latest block before each entry, for undoing an unblock.
    let mut block_before: Vec<Option<&str>> = Vec::with_capacity(account.history.len());
    let history = std::mem::take(&mut account.history);
    let mut latest: Option<&str> = None;
    for entry in &history {
        block_before.push(latest);
        if entry.change == AccountChange::Block {
            latest = Some(entry.stamp.reason.as_str());
        }
    }
    for (entry, block) in history.iter().zip(&block_before).rev().filter(|(e, _)| e.stamp.date > date) {
        match &entry.change {
            AccountChange::Limit { old, .. } => account.limit = *old,
            AccountChange::TemporaryIncrease(increase) => {
                if let Some(at) = account.temporary_increases.iter().position(|t| t == increase) {
                    account.temporary_increases.remove(at);
                }
            }
            AccountChange::Block => account.blocked = None,
            AccountChange::Unblock => account.blocked = Some(block.unwrap_or("blocked").to_owned()),
            AccountChange::RiskClass { old, .. } => account.risk_class = *old,
            AccountChange::IncreaseExpired(_) | AccountChange::OverrideBlockedOrder { .. } => {}
        }
    }
    account.history = history.iter().filter(|e| e.stamp.date <= date || !replayable(&e.change)).cloned().collect();
    account
}

impl Dataset {
    /// The same company as it stood at the end of `date`, with `as_of == date`.
    ///
    /// - Master data (categories, products, bundles, regions, business units, salespeople,
    ///   customers, nodes, sales targets, exchange rates, the company, its currency and its
    ///   negative-stock setting) is kept as it is.
    /// - Movements, counts, POS sales, invoices and payments are kept when dated on or before
    ///   `date`; orders and prepaid orders when ordered by then; shipments when shipped by then.
    ///   Collections keep their order.
    /// - Each kept record is as it stood that day:
    ///   - an order's status is derived from its status now, its shipments and its invoices:
    ///     a cancelled order is cancelled (from its order date: the data do not say when it was
    ///     cancelled), an open one open; an order invoiced now is invoiced once an invoice (not
    ///     a credit note) billing it is dated by `date`; an order invoiced or shipped now is
    ///     shipped once all its shipments (one at least) have left by `date`; it is partially
    ///     shipped once one of its shipments has left, and open before. On or after the
    ///     dataset's own `as_of` the status is the order's own (whatever the rule says);
    ///   - a shipment is not delivered when delivered after `date`, and its tracking steps
    ///     after `date` are dropped;
    ///   - a prepaid order's pickups after `date` are dropped;
    ///   - a credit account's limit changes, temporary increases, blocks and unblocks stamped
    ///     after `date` are undone, newest first, and taken off its audit trail (an undone
    ///     unblock restores the reason of the latest block before it, or `"blocked"`), as are
    ///     risk-class changes and overridden orders.
    ///
    ///   - a payment's allocations to invoices issued after `date` are not made yet
    ///     ([`Payment::as_it_stood_on`]: an allocation counts from the later of the payment's day
    ///     and its invoice's; [`events_of`] gives it then, as a `payment_allocation` event).
    ///
    /// Linear in the size of the dataset.
    ///
    /// ```
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(5))?;
    /// let cut = company.as_of - chrono::Days::new(30);
    /// let then = company.until(cut);
    /// assert_eq!(then.as_of, cut);
    /// assert!(then.movements.iter().all(|m| m.date <= cut));
    /// assert!(then.validate().is_ok());
    /// assert_eq!(company.until(company.as_of), company);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn until(&self, date: NaiveDate) -> Dataset {
        let facts = Fulfilment::of(self);
        let issued = invoice_dates(self);
        let as_of = self.as_of;
        let dated = |d: NaiveDate| d <= date;
        Dataset {
            company: self.company.clone(),
            currency: self.currency.clone(),
            as_of: date,
            categories: self.categories.clone(),
            products: self.products.clone(),
            bundles: self.bundles.clone(),
            regions: self.regions.clone(),
            business_units: self.business_units.clone(),
            salespeople: self.salespeople.clone(),
            customers: self.customers.clone(),
            nodes: self.nodes.clone(),
            movements: self.movements.iter().filter(|m| dated(m.date)).cloned().collect(),
            counts: self.counts.iter().filter(|c| dated(c.date)).cloned().collect(),
            pos_sales: self.pos_sales.iter().filter(|s| dated(s.date)).cloned().collect(),
            orders: self
                .orders
                .iter()
                .filter(|o| dated(o.order_date))
                .map(|o| SalesOrder { status: status_on(&facts, o, date, as_of), ..o.clone() })
                .collect(),
            shipments: self.shipments.iter().filter(|s| dated(s.shipped_date)).map(|s| shipment_on(s, date)).collect(),
            invoices: self.invoices.iter().filter(|i| dated(i.date)).cloned().collect(),
            payments: self.payments.iter().filter(|p| dated(p.date)).map(|p| payment_on(&issued, p, date)).collect(),
            prepaid_orders: self
                .prepaid_orders
                .iter()
                .filter(|p| dated(p.order_date))
                .map(|p| prepaid_on(p, date))
                .collect(),
            credit_accounts: self.credit_accounts.iter().map(|a| account_on(a, date)).collect(),
            sales_targets: self.sales_targets.clone(),
            exchange_rates: self.exchange_rates.clone(),
            allow_negative_stock: self.allow_negative_stock,
            supply: self.supply.until(date),
        }
    }
}

/// Where an event goes within its day: the engine must know what an event refers to, and stock
/// must not dip below zero between a day's movements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Order,
    PrepaidOrder,
    Shipment,
    OrderStatus,
    Delivery,
    Tracking,
    Invoice,
    /// A credit note correcting another document: after the documents of its day.
    Correction,
    Payment,
    /// A payment allocated to an invoice of the day: after the day's invoices and payments.
    Allocation,
    Pickup,
    Credit,
    /// Purchase and production orders: before the day's movements.
    Supply,
    Inflow,
    Outflow,
    Count,
    PosSale,
}

/// The events being collected, each with its day and slot.
struct Stream {
    events: Vec<(NaiveDate, Slot, Event)>,
}

impl Stream {
    fn push(&mut self, date: NaiveDate, slot: Slot, id: String, body: EventBody) {
        self.events.push((date, slot, Event::new(id, body)));
    }
}

/// An event id: `preferred` when it fits in [`MAX_EVENT_ID_BYTES`], else `fallback`.
fn event_id(preferred: String, fallback: impl FnOnce() -> String) -> String {
    if preferred.len() <= MAX_EVENT_ID_BYTES { preferred } else { fallback() }
}

/// A record that cannot be sent as an event: it refers to one the engine would not know yet.
fn inexpressible(entity: &str, id: &str, field: &str, message: String) -> OmoError {
    OmoError::Invalid { issues: vec![ValidationIssue::new(entity, id, field, message)] }
}

/// Everything that happened after `after`, as events an engine accepts in order: the records
/// dated after `after`, as they stood on their own day ([`Dataset::until`] of that day), and
/// every later change to a record — an order's status on the day a shipment or an invoice
/// changed it, a shipment's delivery and tracking steps, a prepaid order's pickups, a credit
/// account's limit changes, temporary increases, blocks and unblocks, a payment allocated to an
/// invoice issued after it (on the invoice's day); purchase orders placed and received,
/// production orders started and finished.
///
/// `Engine::new(dataset.until(after), ..)`, then every event in order, then
/// `advance_to(dataset.as_of)` gives an engine whose dataset holds the same records as `dataset`
/// (collections in another order) and whose S-P-I rows are the batch ledger's.
///
/// **Order.** By date; within a day: orders, prepaid orders, shipments, order statuses,
/// deliveries, tracking steps, invoices (credit notes correcting another document after the
/// documents of the day), payments, payment allocations, pickups, credit changes, purchase and production orders,
/// movements (those adding stock before
/// those taking it), counts, POS sales; within each kind, the dataset's order.
///
/// **Ids** are unique per type and the same on every call: a record's own id (order, shipment,
/// invoice, payment, prepaid order); `movement#{row}`, `count#{row}`, `pos_sale#{row}` (the row in
/// its collection); `{order}:{status}:{date}`, `{shipment}:delivered`, `{shipment}:track:{i}`,
/// `{prepaid order}:pickup:{i}`, `{customer}:credit:{i}`, `{payment}:allocation:{i}` (`i` the
/// index in the record's list),
/// `{purchase order}:received:{date}`, `{production order}:finished`.
/// A change id longer than [`MAX_EVENT_ID_BYTES`] uses the record's row instead of its id
/// (`order#{row}:{status}:{date}`).
///
/// **Errors**: [`OmoError::Invalid`] naming a record dated after `after` that refers to one dated
/// later still (a shipment before its order, an invoice before the order it bills, a credit
/// note before the document it corrects): the engine could not know what it refers to.
///
/// ```
/// use omo_core::engine::{Engine, EngineOptions, events_of};
/// use omo_core::sample::{SampleConfig, sample_company};
/// let company = sample_company(&SampleConfig::small(5))?;
/// let cut = company.as_of - chrono::Days::new(15);
/// let events = events_of(&company, cut)?;
/// assert!(events.iter().all(|e| e.date().is_some_and(|d| d > cut)));
/// let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
/// engine.apply_many(events).into_result()?;
/// engine.advance_to(company.as_of)?;
/// assert_eq!(engine.to_dataset().orders.len(), company.orders.len());
/// let batch = omo_core::spi::build_ledger(&company.movements, &[], Default::default())?;
/// assert_eq!(engine.spi_rows(), batch);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn events_of(dataset: &Dataset, after: NaiveDate) -> Result<Vec<Event>> {
    Ok(slotted_events(dataset, after)?.into_iter().map(|(_, _, event)| event).collect())
}

/// [`events_of`] with each event's day and slot, sorted by them.
fn slotted_events(dataset: &Dataset, after: NaiveDate) -> Result<Vec<(NaiveDate, Slot, Event)>> {
    let facts = Fulfilment::of(dataset);
    let as_of = dataset.as_of;
    let mut out = Stream { events: Vec::new() };
    let order_dates: HashMap<&OrderId, NaiveDate> = dataset.orders.iter().map(|o| (&o.id, o.order_date)).collect();
    let issued = invoice_dates(dataset);

    for (row, order) in dataset.orders.iter().enumerate() {
        let since = after.max(order.order_date);
        let mut status = status_on(&facts, order, since, as_of);
        if order.order_date > after {
            let record = SalesOrder { status, ..order.clone() };
            out.push(order.order_date, Slot::Order, order.id.to_string(), EventBody::Order(record));
        }
        // The days the status may change: a shipment's, the first invoice's, and `as_of`.
        let fact = facts.get(&order.id);
        let mut days: Vec<NaiveDate> =
            fact.map(|f| f.shipped.iter().copied().chain(f.invoiced).collect()).unwrap_or_default();
        days.push(as_of);
        days.retain(|d| *d > since && *d <= as_of);
        days.sort_unstable();
        days.dedup();
        for day in days {
            let now = status_on(&facts, order, day, as_of);
            if now != status {
                status = now;
                let id = event_id(format!("{}:{}:{day}", order.id, now.as_str()), || {
                    format!("order#{row}:{}:{day}", now.as_str())
                });
                let change = OrderStatusChange { order: order.id.clone(), date: day, status: now };
                out.push(day, Slot::OrderStatus, id, EventBody::OrderStatus(change));
            }
        }
    }

    for (row, prepaid) in dataset.prepaid_orders.iter().enumerate() {
        let since = after.max(prepaid.order_date);
        if prepaid.order_date > after {
            let record = prepaid_on(prepaid, since);
            out.push(
                prepaid.order_date,
                Slot::PrepaidOrder,
                prepaid.id.to_string(),
                EventBody::PrepaidOrder(Box::new(record)),
            );
        }
        for (i, pickup) in prepaid.pickups.iter().enumerate().filter(|(_, p)| p.date > since) {
            let id = event_id(format!("{}:pickup:{i}", prepaid.id), || format!("prepaid_order#{row}:pickup:{i}"));
            let body = PrepaidPickup { prepaid_order: prepaid.id.clone(), pickup: pickup.clone() };
            out.push(pickup.date, Slot::Pickup, id, EventBody::PrepaidPickup(body));
        }
    }

    for (row, shipment) in dataset.shipments.iter().enumerate() {
        let since = after.max(shipment.shipped_date);
        if shipment.shipped_date > after {
            if let Some(ordered) = order_dates.get(&shipment.order)
                && *ordered > shipment.shipped_date
            {
                let message =
                    format!("shipped on {} before its order {} of {ordered}", shipment.shipped_date, shipment.order);
                return Err(inexpressible("shipment", shipment.id.as_str(), "shipped_date", message));
            }
            let record = shipment_on(shipment, since);
            out.push(
                shipment.shipped_date,
                Slot::Shipment,
                shipment.id.to_string(),
                EventBody::Shipment(Box::new(record)),
            );
        }
        if let Some(day) = shipment.delivered_date.filter(|d| *d > since) {
            let id = event_id(format!("{}:delivered", shipment.id), || format!("shipment#{row}:delivered"));
            let body = Delivery { shipment: shipment.id.clone(), date: day };
            out.push(day, Slot::Delivery, id, EventBody::ShipmentDelivered(body));
        }
        for (i, step) in shipment.events.iter().enumerate().filter(|(_, e)| e.date > since) {
            let id = event_id(format!("{}:track:{i}", shipment.id), || format!("shipment#{row}:track:{i}"));
            let body = Tracking { shipment: shipment.id.clone(), event: step.clone() };
            out.push(step.date, Slot::Tracking, id, EventBody::ShipmentTracked(body));
        }
    }

    for invoice in dataset.invoices.iter().filter(|i| i.date > after) {
        if let Some(order) = &invoice.order
            && let Some(ordered) = order_dates.get(order)
            && *ordered > invoice.date
        {
            let message = format!("dated {} before the order {order} it bills, of {ordered}", invoice.date);
            return Err(inexpressible("invoice", invoice.id.as_str(), "order", message));
        }
        let slot = match &invoice.against {
            Some(original) => {
                if let Some(original_date) = issued.get(original)
                    && *original_date > invoice.date
                {
                    let message =
                        format!("dated {} before the invoice {original} it corrects, of {original_date}", invoice.date);
                    return Err(inexpressible("invoice", invoice.id.as_str(), "against", message));
                }
                Slot::Correction
            }
            None => Slot::Invoice,
        };
        out.push(invoice.date, slot, invoice.id.to_string(), EventBody::Invoice(Box::new(invoice.clone())));
    }

    for (row, payment) in dataset.payments.iter().enumerate() {
        let since = after.max(payment.date);
        if payment.date > after {
            let record = payment_on(&issued, payment, since);
            out.push(payment.date, Slot::Payment, payment.id.to_string(), EventBody::Payment(Box::new(record)));
        }
        for (i, allocation) in payment.allocations.iter().enumerate() {
            let Some(day) = issued.get(&allocation.invoice).copied().filter(|d| *d > since) else { continue };
            let id = event_id(format!("{}:allocation:{i}", payment.id), || format!("payment#{row}:allocation:{i}"));
            let body = Allocation {
                payment: payment.id.clone(),
                invoice: allocation.invoice.clone(),
                amount: allocation.amount,
                date: day,
            };
            out.push(day, Slot::Allocation, id, EventBody::PaymentAllocation(body));
        }
    }

    for (row, account) in dataset.credit_accounts.iter().enumerate() {
        for (i, entry) in account.history.iter().enumerate().filter(|(_, e)| e.stamp.date > after) {
            let AuditEntry { stamp, change } = entry;
            let customer = account.customer.clone();
            let body = match change {
                AccountChange::Limit { new, .. } => {
                    EventBody::CreditLimit(CreditLimit { customer, limit: *new, stamp: stamp.clone() })
                }
                AccountChange::TemporaryIncrease(increase) => EventBody::TemporaryIncrease(CreditIncrease {
                    customer,
                    increase: increase.clone(),
                    stamp: stamp.clone(),
                }),
                AccountChange::Block => EventBody::CreditBlock(CreditHold { customer, stamp: stamp.clone() }),
                AccountChange::Unblock => EventBody::CreditUnblock(CreditHold { customer, stamp: stamp.clone() }),
                AccountChange::RiskClass { new, .. } => {
                    EventBody::CreditRiskClass(CreditRiskClass { customer, class: *new, stamp: stamp.clone() })
                }
                AccountChange::OverrideBlockedOrder { order, amount } => EventBody::CreditOverride(CreditOverride {
                    customer,
                    order: order.clone(),
                    amount: *amount,
                    stamp: stamp.clone(),
                }),
                AccountChange::IncreaseExpired(_) => continue,
            };
            let id =
                event_id(format!("{}:credit:{i}", account.customer), || format!("credit_account#{row}:credit:{i}"));
            out.push(stamp.date, Slot::Credit, id, body);
        }
    }

    supply_events(&dataset.supply, after, &mut out);
    for (row, movement) in dataset.movements.iter().enumerate().filter(|(_, m)| m.date > after) {
        out.events.push(stock_event(row, StockRecord::Movement(movement.clone())));
    }
    for (row, count) in dataset.counts.iter().enumerate().filter(|(_, c)| c.date > after) {
        out.push(count.date, Slot::Count, format!("count#{row}"), EventBody::Count(count.clone()));
    }
    for (row, sale) in dataset.pos_sales.iter().enumerate().filter(|(_, s)| s.date > after) {
        out.events.push(stock_event(row, StockRecord::PosSale(sale.clone())));
    }

    // Stable: within a day and a slot, the order of the dataset.
    out.events.sort_by_key(|(date, slot, _)| (*date, *slot));
    Ok(out.events)
}

/// A movement or POS sale at `row` of its collection as an event, with its day and slot.
fn stock_event(row: usize, record: StockRecord) -> (NaiveDate, Slot, Event) {
    let date = record.date();
    match record {
        StockRecord::Movement(m) => {
            let slot = if m.stock_change() >= Decimal::ZERO { Slot::Inflow } else { Slot::Outflow };
            (date, slot, Event::new(format!("movement#{row}"), EventBody::Movement(m)))
        }
        StockRecord::PosSale(s) => (date, Slot::PosSale, Event::new(format!("pos_sale#{row}"), EventBody::PosSale(s))),
    }
}

/// Numbers a stream of movements and POS sales as a dataset would hold them: each record with
/// its row in its own collection (the `n`th movement is row `n` of the movements, whatever the
/// POS sales between), the rows [`events_of`] names its events by.
///
/// ```
/// use omo_core::engine::numbered;
/// use omo_core::sample::{SampleConfig, StockRecord, sample_company_streamed};
/// let mut records = Vec::new();
/// sample_company_streamed(&SampleConfig::small(2), &mut |record| records.push(record))?;
/// let rows: Vec<usize> = numbered(records.clone())
///     .filter(|(_, r)| matches!(r, StockRecord::PosSale(_)))
///     .map(|(row, _)| row)
///     .take(3)
///     .collect();
/// assert_eq!(rows, [0, 1, 2]);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn numbered(records: impl IntoIterator<Item = StockRecord>) -> impl Iterator<Item = (usize, StockRecord)> {
    let mut rows = (0, 0);
    records.into_iter().map(move |record| {
        let next = match record {
            StockRecord::Movement(_) => &mut rows.0,
            StockRecord::PosSale(_) => &mut rows.1,
        };
        *next += 1;
        (*next - 1, record)
    })
}

/// [`events_of`] for a history whose movements and POS sales come as a stream, never held
/// whole: `master` holds every other record (as
/// [`crate::sample::sample_company_streamed`] returns it) and `records` the movements and POS
/// sales in date order, each with its row in its collection ([`numbered`]); those dated on or
/// before `after` are passed over. The events are those [`events_of`] gives on the dataset
/// holding them all, in the same order and with the same ids; one day of records is held at a
/// time. A record out of date order is given where it comes (the engine then books it
/// back-dated or refuses it).
///
/// ```
/// use omo_core::engine::{events_of, events_streamed, numbered};
/// use omo_core::sample::{SampleConfig, sample_company, sample_company_streamed};
/// let config = SampleConfig::small(3);
/// let mut records = Vec::new();
/// let master = sample_company_streamed(&config, &mut |record| records.push(record))?;
/// let whole = sample_company(&config)?;
/// let cut = whole.as_of - chrono::Days::new(20);
/// let streamed: Vec<_> = events_streamed(&master, cut, numbered(records))?.collect();
/// assert_eq!(streamed, events_of(&whole, cut)?);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
///
/// # Errors
/// Those of [`events_of`] for `master`'s records.
pub fn events_streamed<I: Iterator<Item = (usize, StockRecord)>>(
    master: &Dataset,
    after: NaiveDate,
    records: impl IntoIterator<IntoIter = I>,
) -> Result<StreamedEvents<I>> {
    Ok(StreamedEvents {
        others: slotted_events(master, after)?.into_iter().peekable(),
        records: records.into_iter().peekable(),
        after,
        day: std::collections::VecDeque::new(),
    })
}

/// The events of [`events_streamed`], a day at a time.
pub struct StreamedEvents<I: Iterator<Item = (usize, StockRecord)>> {
    others: std::iter::Peekable<std::vec::IntoIter<(NaiveDate, Slot, Event)>>,
    records: std::iter::Peekable<I>,
    after: NaiveDate,
    /// The rest of the day being given.
    day: std::collections::VecDeque<Event>,
}

impl<I: Iterator<Item = (usize, StockRecord)>> StreamedEvents<I> {
    /// Takes the next day's records and other events, in the order of [`events_of`].
    fn next_day(&mut self) {
        let after = self.after;
        while self.records.next_if(|(_, r)| r.date() <= after).is_some() {}
        let next_record = self.records.peek().map(|(_, r)| r.date());
        let next_other = self.others.peek().map(|(date, _, _)| *date);
        let Some(day) = next_record.into_iter().chain(next_other).min() else { return };
        let mut slotted: Vec<(NaiveDate, Slot, Event)> = Vec::new();
        while let Some(other) = self.others.next_if(|(date, _, _)| *date == day) {
            slotted.push(other);
        }
        while let Some((row, record)) = self.records.next_if(|(_, r)| r.date() == day) {
            slotted.push(stock_event(row, record));
        }
        // Stable: the other events' slots are never a movement's or a POS sale's.
        slotted.sort_by_key(|(_, slot, _)| *slot);
        self.day.extend(slotted.into_iter().map(|(_, _, event)| event));
    }
}

impl<I: Iterator<Item = (usize, StockRecord)>> Iterator for StreamedEvents<I> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.day.is_empty() {
            self.next_day();
        }
        self.day.pop_front()
    }
}

/// The purchase and production orders' events after `after`: a purchase order when placed and
/// on each day lines of it were received; a production order when it started and when it
/// finished; each as it stood at the end of its day.
fn supply_events(supply: &crate::model::SupplyData, after: NaiveDate, out: &mut Stream) {
    for (row, order) in supply.purchase_orders.iter().enumerate() {
        let mut days: Vec<NaiveDate> = order.lines.iter().filter_map(|l| l.received_date).collect();
        days.push(order.order_date);
        days.sort();
        days.dedup();
        for day in days.into_iter().filter(|d| *d > after) {
            let id = if day == order.order_date {
                order.id.to_string()
            } else {
                event_id(format!("{}:received:{day}", order.id), || format!("purchase_order#{row}:received:{day}"))
            };
            out.push(day, Slot::Supply, id, EventBody::PurchaseOrder(order.as_of(day)));
        }
    }
    for (row, order) in supply.production_orders.iter().enumerate() {
        if order.start > after {
            out.push(
                order.start,
                Slot::Supply,
                order.id.to_string(),
                EventBody::ProductionOrder(Box::new(order.as_of(order.start))),
            );
        }
        if let Some(day) = order.finished.filter(|d| *d > after && *d > order.start) {
            let id = event_id(format!("{}:finished", order.id), || format!("production_order#{row}:finished"));
            out.push(day, Slot::Supply, id, EventBody::ProductionOrder(Box::new(order.clone())));
        }
    }
}

#[cfg(test)]
mod tests;
