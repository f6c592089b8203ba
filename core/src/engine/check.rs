//! The checks an event must pass before it is booked — the closed period, its currency, its
//! record's fields and references, ids not taken, stock, parent loops and a replica's credit
//! check — and the refusal that names the event and the field at fault.

use chrono::NaiveDate;

use super::event::{Allocation, Event, EventBody};
use super::stock::StockState;
use super::{Engine, supply};
use crate::credit::{CheckMode, Decision};
use crate::dataset::references;
use crate::error::{OmoError, Result};
use crate::model::{Check, CustomerId, NodeId, ValidationIssue};

/// What [`Engine::prepare`] found of an event that passed its checks.
pub(super) struct Prepared {
    /// The body converted into the company's currency (`None`: nothing to convert).
    pub converted: Option<EventBody>,
    /// The event's business date ([`EventBody::date`]).
    pub date: Option<NaiveDate>,
    /// The day its books count from ([`Engine::counts_from`]).
    pub counts_from: Option<NaiveDate>,
}

impl Engine {
    /// Checks an event against the state without changing anything; returns what the booking
    /// reads of it again: its body converted into the company's currency when it came in
    /// another one, its date and the day it counts from.
    pub(super) fn prepare(&self, body: &EventBody, remote: bool) -> Result<Prepared> {
        let open_from = self.open_from();
        let counts_from = self.counts_from(body);
        if let Some((date, field)) = counts_from
            && date < open_from
        {
            return Err(OmoError::ClosedPeriod { date, field, open_from });
        }
        let dated = body.dated();
        if let Some((date, field)) = dated {
            self.check_ahead(date, field)?;
        }
        let as_of = dated.map_or(self.dataset.as_of, |(date, _)| date.max(self.dataset.as_of));
        let converted = self.convert(body)?;
        self.check(converted.as_ref().unwrap_or(body), as_of, remote)?;
        let date = |dated: Option<(NaiveDate, &str)>| dated.map(|(date, _)| date);
        Ok(Prepared { converted, date: date(dated), counts_from: date(counts_from) })
    }

    /// Refuses `date` (of the record's `field`) when it is further after the clock than
    /// [`super::EngineOptions::max_days_ahead`] allows, unless the engine holds no dated record
    /// yet (its clock is then only where its history was started).
    fn check_ahead(&self, date: NaiveDate, field: &'static str) -> Result<()> {
        let clock = self.dataset.as_of;
        let days = (date - clock).num_days();
        let Some(limit) = self.options.max_days_ahead.filter(|limit| days > i64::from(*limit)) else { return Ok(()) };
        let folded = self.folded.as_ref().is_some_and(|f| f.movements > 0 || f.pos_sales > 0);
        let supply = &self.dataset.supply;
        let supply_orders = !(supply.purchase_orders.is_empty() && supply.production_orders.is_empty());
        if !folded && !supply_orders && self.dataset.first_date().is_none() {
            return Ok(());
        }
        Err(OmoError::FarAhead { date, field, clock, days, limit })
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
                let converted = self.dataset.invoice_in_company_currency((**i).clone());
                converted
                    .map(|c| Some(EventBody::Invoice(Box::new(c))))
                    .ok_or_else(|| mismatch(&i.customer, &i.currency))
            }
            EventBody::Payment(p) if p.currency != self.dataset.currency => {
                let converted = self.dataset.payment_in_company_currency((**p).clone());
                converted
                    .map(|c| Some(EventBody::Payment(Box::new(c))))
                    .ok_or_else(|| mismatch(&p.customer, &p.currency))
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
                // Ids are never taken out of the dataset: a node and product that moved together
                // are both known, and their ledger is looked up once for both checks.
                let held = self.stock.pair(&m.node, &m.product);
                references::check_movement(m, None, ids, as_of, held.is_some(), &mut out);
                issues(out)?;
                if !self.dataset.allow_negative_stock {
                    StockState::check(held, m, self.open_from())?;
                }
                return Ok(());
            }
            EventBody::Count(c) => references::check_count(c, None, ids, as_of, &mut out),
            EventBody::PosSale(s) => {
                let pair_known = self.stock.pair(&s.node, &s.product).is_some();
                references::check_pos_sale(s, None, ids, as_of, pair_known, &mut out);
            }
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
                taken(ids.payments.contains_key(&p.id), "payment", p.id.as_str())?;
                references::check_payment(p, ids, as_of, &mut out);
            }
            EventBody::PrepaidOrder(p) => {
                taken(ids.prepaid_orders.contains_key(&p.id), "prepaid_order", p.id.as_str())?;
                references::check_prepaid(p, ids, as_of, &mut out);
            }
            EventBody::OrderStatus(change) => {
                known(ids.orders.contains_key(&change.order), "sales_order", change.order.as_str())?;
            }
            // The shipment as the event leaves it passes the dataset's checks (a delivery not
            // before it shipped, tracking events in date order), or its state would not restore.
            EventBody::ShipmentDelivered(delivery) => {
                let mut after = self.shipment(&delivery.shipment)?.clone();
                after.delivered_date = Some(delivery.date);
                references::check_shipment(&after, ids, as_of, &mut out);
                rename_field(&mut out, "delivered_date", "date");
            }
            EventBody::ShipmentTracked(tracking) => {
                let mut after = self.shipment(&tracking.shipment)?.clone();
                after.events.push(tracking.event.clone());
                references::check_shipment(&after, ids, as_of, &mut out);
                rename_field(&mut out, "events", "event.date");
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
            EventBody::PaymentAllocation(a) => self.check_allocation(a, &mut out)?,
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
            // The account as the change leaves it must pass the dataset's own checks (a limit
            // or an increase beyond the largest amount allowed, say), or its snapshot would not
            // restore.
            EventBody::CreditLimit(c) => {
                let mut account = self.account(&c.customer)?.clone();
                account.set_limit(c.limit, &c.stamp)?;
                account.check_fields(&mut crate::model::Issues::new("credit_account", c.customer.as_str(), &mut out));
            }
            EventBody::TemporaryIncrease(c) => {
                let mut account = self.account(&c.customer)?.clone();
                account.grant_temporary_increase(c.increase.amount, c.increase.from, c.increase.until, &c.stamp)?;
                account.check_fields(&mut crate::model::Issues::new("credit_account", c.customer.as_str(), &mut out));
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

    /// A payment allocated after it was booked: a known payment and an invoice of the same
    /// customer, a positive amount the payment has left, made on or after both days.
    fn check_allocation(&self, a: &Allocation, out: &mut Vec<ValidationIssue>) -> Result<()> {
        let payment = self.payment(&a.payment)?;
        let Some((owner, issued)) = self.index.invoices.get(&a.invoice) else {
            return known(false, "invoice", a.invoice.as_str());
        };
        let mut is = crate::model::Issues::new("payment_allocation", a.payment.as_str(), out);
        if *owner != payment.customer {
            is.push("invoice", format!("{} is {owner}'s, the payment {}'s", a.invoice, payment.customer));
        }
        is.amount("amount", a.amount);
        if a.amount.is_zero() {
            is.push("amount", "an allocation must be positive");
        } else if a.amount > payment.unallocated() {
            is.push("amount", format!("{} is more than the payment has left, {}", a.amount, payment.unallocated()));
        }
        is.not_before("date", a.date, "the payment's date", payment.date);
        is.not_before("date", a.date, "the invoice's date", *issued);
        Ok(())
    }

    /// The day from which an event's posting counts in the books of past days, with the
    /// record's field it comes from: its date, and for a payment allocated late, the later of
    /// the payment's and the invoice's days ([`crate::model::Payment::as_it_stood_on`]; the
    /// field `payment` or `invoice`). `None` for master data, and for an allocation whose
    /// payment or invoice is unknown (refused by its check).
    pub(super) fn counts_from(&self, body: &EventBody) -> Option<(NaiveDate, &'static str)> {
        match body {
            EventBody::PaymentAllocation(a) => {
                let paid = self.payment(&a.payment).ok()?.date;
                let (_, issued) = self.index.invoices.get(&a.invoice)?;
                Some(if paid > *issued { (paid, "payment") } else { (*issued, "invoice") })
            }
            _ => body.dated(),
        }
    }

    /// The payment with `id`, or the unknown id.
    pub(super) fn payment(&self, id: &crate::model::PaymentId) -> Result<&crate::model::Payment> {
        self.index
            .payments
            .get(id)
            .and_then(|&i| self.dataset.payments.get(i))
            .ok_or_else(|| OmoError::UnknownId { kind: "payment", id: id.to_string() })
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
}

/// `Ok(())` when nothing was found, else every issue.
fn issues(out: Vec<ValidationIssue>) -> Result<()> {
    if out.is_empty() { Ok(()) } else { Err(OmoError::Invalid { issues: out }) }
}

/// Names an issue found on the record as an event leaves it by the event's own field (a
/// shipment's `delivered_date` is a delivery's `date`).
fn rename_field(out: &mut [ValidationIssue], record_field: &str, event_field: &str) {
    for issue in out.iter_mut().filter(|issue| issue.field == record_field) {
        event_field.clone_into(&mut issue.field);
    }
}

fn known(found: bool, kind: &'static str, id: &str) -> Result<()> {
    if found { Ok(()) } else { Err(OmoError::UnknownId { kind, id: id.to_owned() }) }
}

/// The error of a refused event: its type and id, the field at fault, and the reason.
pub(super) fn refusal(event: &Event, reason: OmoError) -> OmoError {
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
        OmoError::FarAhead { field, .. } | OmoError::ClosedPeriod { field, .. } => in_record(field),
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
