//! Events: every transaction a dataset holds and every master-data or credit change an ERP
//! posts, one at a time, in the JSON form `{"type": T, "id": I, "record": R}`.
//!
//! `R` is, for a new record, the record exactly as [`crate::Dataset::to_json`] writes it in its
//! collection; `I` is the sender's own id for the event (an ERP's document number, a phone's
//! outbox key). The engine refuses the same `(T, I)` twice, so a webhook that retries never books
//! anything twice.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use crate::credit::{AuditStamp, CreditAccount, RiskClass, TemporaryIncrease};
use crate::error::{OmoError, Result};
use crate::model::*;

/// The largest event id, in bytes: as long as the longest record id.
pub const MAX_EVENT_ID_BYTES: usize = 128;

/// An order's status changing (shipped in part, shipped, invoiced, cancelled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusChange {
    /// The order.
    pub order: OrderId,
    /// When.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// The new status.
    pub status: OrderStatus,
}

/// A shipment reaching its customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// The shipment.
    pub shipment: ShipmentId,
    /// When it was delivered.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
}

/// A carrier's tracking step of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// The shipment.
    pub shipment: ShipmentId,
    /// The step.
    pub event: TrackingEvent,
}

/// Goods collected against a prepaid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrepaidPickup {
    /// The prepaid order.
    pub prepaid_order: PrepaidOrderId,
    /// What was collected, when.
    pub pickup: Pickup,
}

/// Part of a payment allocated to an invoice after the payment was booked (a payment
/// reconciliation, as ERPNext and Odoo post it): a deposit or an advance applied to an invoice
/// issued since. The payment's allocations gain `(invoice, amount)`; the customer's receivables
/// are then what [`crate::credit::CreditBook::from_dataset`] gives on the same records, and an
/// allocation counts from the later of the payment's and the invoice's day
/// ([`Payment::as_it_stood_on`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The payment allocated.
    pub payment: PaymentId,
    /// The invoice it pays: the same customer's.
    pub invoice: InvoiceId,
    /// How much of the payment goes to it: positive, at most what the payment has left.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub amount: Decimal,
    /// When the allocation was made: on or after the payment's and the invoice's days.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
}

/// A new base credit limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditLimit {
    /// The customer whose account it is.
    pub customer: CustomerId,
    /// The new limit.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub limit: Decimal,
    /// When, by whom, why.
    pub stamp: AuditStamp,
}

/// A temporary limit increase granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditIncrease {
    /// The customer whose account it is.
    pub customer: CustomerId,
    /// The increase.
    pub increase: TemporaryIncrease,
    /// When, by whom, why.
    pub stamp: AuditStamp,
}

/// An account blocked or unblocked by hand (the stamp's reason is the block's reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditHold {
    /// The customer whose account it is.
    pub customer: CustomerId,
    /// When, by whom, why.
    pub stamp: AuditStamp,
}

/// A new risk class given to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditRiskClass {
    /// The customer whose account it is.
    pub customer: CustomerId,
    /// The new class.
    pub class: RiskClass,
    /// When, by whom, why.
    pub stamp: AuditStamp,
}

/// An order the credit check blocked, let through by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditOverride {
    /// The customer whose account it is.
    pub customer: CustomerId,
    /// The order let through.
    pub order: OrderId,
    /// Its amount.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub amount: Decimal,
    /// When, by whom, why.
    pub stamp: AuditStamp,
}

/// What an event records: its `type` and its `record`.
///
/// The records larger than a stock movement are boxed, so an event is the size of a movement's
/// (the engine keeps the latest million events for [`crate::engine::Engine::events_since`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "record", rename_all = "snake_case")]
pub enum EventBody {
    /// A stock movement.
    Movement(StockMovement),
    /// A physical stock count.
    Count(StockCount),
    /// A POS sell-out record.
    PosSale(PosSale),
    /// A new sales order.
    Order(SalesOrder),
    /// A new shipment.
    Shipment(Box<Shipment>),
    /// A new invoice or credit note.
    Invoice(Box<Invoice>),
    /// A payment received.
    Payment(Box<Payment>),
    /// A new prepaid pre-season order.
    PrepaidOrder(Box<PrepaidOrder>),
    /// An order's status changed.
    OrderStatus(OrderStatusChange),
    /// A shipment was delivered.
    ShipmentDelivered(Delivery),
    /// A shipment was tracked.
    ShipmentTracked(Tracking),
    /// Goods were collected against a prepaid order.
    PrepaidPickup(PrepaidPickup),
    /// Part of a payment allocated to an invoice issued since.
    PaymentAllocation(Allocation),
    /// A new or changed customer.
    Customer(Box<Customer>),
    /// A new or changed product.
    Product(Box<Product>),
    /// A new or changed supply-chain node.
    Node(Box<Node>),
    /// A new credit account.
    CreditAccount(Box<CreditAccount>),
    /// A new base credit limit.
    CreditLimit(CreditLimit),
    /// A temporary increase granted.
    TemporaryIncrease(CreditIncrease),
    /// An account blocked.
    CreditBlock(CreditHold),
    /// An account unblocked.
    CreditUnblock(CreditHold),
    /// An account's risk class changed.
    CreditRiskClass(CreditRiskClass),
    /// A blocked order let through by hand.
    CreditOverride(CreditOverride),
    /// A new or changed monthly sales target (same scope and month: replaced).
    SalesTarget(SalesTarget),
    /// A purchase order as it stands: placed, or with lines received since (replaces the
    /// order with its id; good units of material received add to the material's stock where
    /// it is delivered).
    PurchaseOrder(PurchaseOrder),
    /// A production order as it stands: started, or finished since (replaces the order with
    /// its id; a finished order takes its bill of materials' quantities for its output and
    /// scrap from the plant's material stock).
    ProductionOrder(Box<ProductionOrder>),
}

impl EventBody {
    /// The event's `type` as it is written in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Movement(_) => "movement",
            EventBody::Count(_) => "count",
            EventBody::PosSale(_) => "pos_sale",
            EventBody::Order(_) => "order",
            EventBody::Shipment(_) => "shipment",
            EventBody::Invoice(_) => "invoice",
            EventBody::Payment(_) => "payment",
            EventBody::PrepaidOrder(_) => "prepaid_order",
            EventBody::OrderStatus(_) => "order_status",
            EventBody::ShipmentDelivered(_) => "shipment_delivered",
            EventBody::ShipmentTracked(_) => "shipment_tracked",
            EventBody::PrepaidPickup(_) => "prepaid_pickup",
            EventBody::PaymentAllocation(_) => "payment_allocation",
            EventBody::Customer(_) => "customer",
            EventBody::Product(_) => "product",
            EventBody::Node(_) => "node",
            EventBody::CreditAccount(_) => "credit_account",
            EventBody::CreditLimit(_) => "credit_limit",
            EventBody::TemporaryIncrease(_) => "temporary_increase",
            EventBody::CreditBlock(_) => "credit_block",
            EventBody::CreditUnblock(_) => "credit_unblock",
            EventBody::CreditRiskClass(_) => "credit_risk_class",
            EventBody::CreditOverride(_) => "credit_override",
            EventBody::SalesTarget(_) => "sales_target",
            EventBody::PurchaseOrder(_) => "purchase_order",
            EventBody::ProductionOrder(_) => "production_order",
        }
    }

    /// The business date of the event, for the ones that have one: a transaction's date, a
    /// change's date. Master data (customers, products, nodes, accounts, targets) has none and
    /// does not move the engine's clock.
    pub fn date(&self) -> Option<NaiveDate> {
        self.dated().map(|(date, _)| date)
    }

    /// The business date ([`EventBody::date`]) with the record's field that holds it
    /// (`order_date`, `stamp.date`; a purchase or production order's latest change, from its
    /// order date or start, or its lines' receipts or its finish).
    ///
    /// ```
    /// use omo_core::engine::Event;
    /// let json = r#"{"type": "order_status", "id": "S-1",
    ///   "record": {"order": "SO-1", "date": "2025-03-02", "status": "shipped"}}"#;
    /// let dated = Event::from_json(json)?.body.dated();
    /// assert_eq!(dated, Some((chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(), "date")));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn dated(&self) -> Option<(NaiveDate, &'static str)> {
        Some(match self {
            EventBody::Movement(m) => (m.date, "date"),
            EventBody::Count(c) => (c.date, "date"),
            EventBody::PosSale(s) => (s.date, "date"),
            EventBody::Order(o) => (o.order_date, "order_date"),
            EventBody::Shipment(s) => (s.shipped_date, "shipped_date"),
            EventBody::Invoice(i) => (i.date, "date"),
            EventBody::Payment(p) => (p.date, "date"),
            EventBody::PrepaidOrder(p) => (p.order_date, "order_date"),
            EventBody::OrderStatus(c) => (c.date, "date"),
            EventBody::ShipmentDelivered(d) => (d.date, "date"),
            EventBody::ShipmentTracked(t) => (t.event.date, "event.date"),
            EventBody::PrepaidPickup(p) => (p.pickup.date, "pickup.date"),
            EventBody::PaymentAllocation(a) => (a.date, "date"),
            EventBody::CreditLimit(c) => (c.stamp.date, "stamp.date"),
            EventBody::TemporaryIncrease(c) => (c.stamp.date, "stamp.date"),
            EventBody::CreditBlock(c) | EventBody::CreditUnblock(c) => (c.stamp.date, "stamp.date"),
            EventBody::CreditRiskClass(c) => (c.stamp.date, "stamp.date"),
            EventBody::CreditOverride(c) => (c.stamp.date, "stamp.date"),
            EventBody::PurchaseOrder(o) => {
                let day = o.last_change();
                (day, if day == o.order_date { "order_date" } else { "lines.received_date" })
            }
            EventBody::ProductionOrder(o) => (o.last_change(), if o.finished.is_some() { "finished" } else { "start" }),
            EventBody::Customer(_)
            | EventBody::Product(_)
            | EventBody::Node(_)
            | EventBody::CreditAccount(_)
            | EventBody::SalesTarget(_) => return None,
        })
    }
}

/// One event: the sender's id for it and what it records.
///
/// ```
/// use omo_core::engine::Event;
/// let json = r#"{"type": "movement", "id": "GRN-1",
///   "record": {"node": "DC", "product": "UREA", "date": "2025-03-02", "kind": "receipt",
///              "quantity": 12.5, "counterparty": null, "reference": null}}"#;
/// let event = Event::from_json(json)?;
/// assert_eq!((event.kind(), event.id.as_str()), ("movement", "GRN-1"));
/// let back = Event::from_json(&event.to_json()?)?;
/// assert_eq!(back, event);                     // 12.5 read exactly, written as "12.5"
/// let err = Event::from_json(&json.replace("2025-03-02", "2025-02-30")).unwrap_err();
/// assert!(err.to_string().starts_with("event movement \"GRN-1\""), "{err}");
/// assert!(err.to_string().contains("record.date"), "{err}");
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The sender's id for the event; `(type, id)` is unique in an engine.
    pub id: String,
    /// What it records.
    pub body: EventBody,
}

impl Event {
    /// An event with the sender's `id`.
    pub fn new(id: impl Into<String>, body: EventBody) -> Self {
        Event { id: id.into(), body }
    }

    /// The event's `type`.
    pub fn kind(&self) -> &'static str {
        self.body.kind()
    }

    /// The event's business date, if it has one (see [`EventBody::date`]).
    pub fn date(&self) -> Option<NaiveDate> {
        self.body.date()
    }

    /// Reads one event from JSON text; numbers are read exactly (the record is read from its
    /// own text, never through a float). An error names the event (its type and id, when those
    /// could be read) and the field (`record.lines[0].quantity`).
    pub fn from_json(json: &str) -> Result<Self> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let mut parts: BTreeMap<String, &RawValue> = serde_json::from_str(json)
            .map_err(|e| OmoError::Json(format!("event: not a JSON object {{\"type\", \"id\", \"record\"}}: {e}")))?;
        let text = |part: Option<&RawValue>| part.and_then(|raw| serde_json::from_str::<String>(raw.get()).ok());
        let kind = text(parts.get("type").copied())
            .ok_or_else(|| OmoError::Json("event: type: missing or not a string".to_owned()))?;
        let id =
            text(parts.get("id").copied()).ok_or_else(|| refused_json(&kind, "", "id: missing or not a string"))?;
        if id.trim().is_empty() || id.len() > MAX_EVENT_ID_BYTES {
            let reason = format!("id: must be 1 to {MAX_EVENT_ID_BYTES} bytes and not blank");
            return Err(refused_json(&kind, &id, &reason));
        }
        if let Some(extra) = parts.keys().find(|k| !matches!(k.as_str(), "type" | "id" | "record")) {
            return Err(refused_json(&kind, &id, &format!("{extra}: unknown field")));
        }
        let record = parts.remove("record").map_or("null", RawValue::get);
        let body = body_of(&kind, record).map_err(|reason| refused_json(&kind, &id, &reason))?;
        Ok(Event { id, body })
    }

    /// Reads one event from a JSON value (see [`Event::from_json`]); the value's numbers keep
    /// their text, so they are read exactly too.
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        let text = serde_json::to_string(&value).map_err(|e| OmoError::Json(format!("event: {e}")))?;
        Event::from_json(&text)
    }

    /// The event as a JSON value `{"type", "id", "record"}` (money and dates as strings).
    pub fn to_value(&self) -> Result<serde_json::Value> {
        let mut value = serde_json::to_value(&self.body).map_err(|e| OmoError::Json(e.to_string()))?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("id".to_owned(), serde_json::Value::String(self.id.clone()));
        }
        Ok(value)
    }

    /// The event as JSON text.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(&self.to_value()?).map_err(|e| OmoError::Json(e.to_string()))
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().map_err(serde::ser::Error::custom)?.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Event::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// Reads a record of the event type `kind`; an error names the field (`record.lines[0].quantity`).
fn body_of(kind: &str, record: &str) -> std::result::Result<EventBody, String> {
    fn read<T: serde::de::DeserializeOwned>(
        record: &str,
        body: fn(T) -> EventBody,
    ) -> std::result::Result<EventBody, String> {
        let mut reader = serde_json::Deserializer::from_str(record);
        serde_path_to_error::deserialize(&mut reader).map(body).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            if path == "." { format!("record: {inner}") } else { format!("record.{path}: {inner}") }
        })
    }
    match kind {
        "movement" => read(record, EventBody::Movement),
        "count" => read(record, EventBody::Count),
        "pos_sale" => read(record, EventBody::PosSale),
        "order" => read(record, EventBody::Order),
        "shipment" => read(record, EventBody::Shipment),
        "invoice" => read(record, EventBody::Invoice),
        "payment" => read(record, EventBody::Payment),
        "prepaid_order" => read(record, EventBody::PrepaidOrder),
        "order_status" => read(record, EventBody::OrderStatus),
        "shipment_delivered" => read(record, EventBody::ShipmentDelivered),
        "shipment_tracked" => read(record, EventBody::ShipmentTracked),
        "prepaid_pickup" => read(record, EventBody::PrepaidPickup),
        "payment_allocation" => read(record, EventBody::PaymentAllocation),
        "customer" => read(record, EventBody::Customer),
        "product" => read(record, EventBody::Product),
        "node" => read(record, EventBody::Node),
        "credit_account" => read(record, EventBody::CreditAccount),
        "credit_limit" => read(record, EventBody::CreditLimit),
        "temporary_increase" => read(record, EventBody::TemporaryIncrease),
        "credit_block" => read(record, EventBody::CreditBlock),
        "credit_unblock" => read(record, EventBody::CreditUnblock),
        "credit_risk_class" => read(record, EventBody::CreditRiskClass),
        "credit_override" => read(record, EventBody::CreditOverride),
        "sales_target" => read(record, EventBody::SalesTarget),
        "purchase_order" => read(record, EventBody::PurchaseOrder),
        "production_order" => read(record, EventBody::ProductionOrder),
        other => Err(format!("type: unknown event type {:?}", crate::error::shown(other))),
    }
}

/// A JSON error of the event `kind` `id`.
fn refused_json(kind: &str, id: &str, reason: &str) -> OmoError {
    OmoError::Refused {
        kind: kind.to_owned(),
        id: id.to_owned(),
        field: reason.split(':').next().map(str::to_owned),
        reason: Box::new(OmoError::Json(reason.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine keeps a million events: each must stay the size of a stock movement's, the
    /// larger records boxed (a new large kind left unboxed fails here).
    #[test]
    fn an_event_is_the_size_of_a_movement() {
        let movement = std::mem::size_of::<StockMovement>();
        let event = std::mem::size_of::<Event>();
        assert!(event <= movement + std::mem::size_of::<String>() + 8, "{event} bytes");
    }
}
