//! Booking a checked event, kind by kind: the stock and its S-P-I rows, the credit book, the
//! dataset's records and indexes, and the KPI facts each kind moves.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::change::{Change, ChangeKind};
use super::event::EventBody;
use super::index::MoneyRows;
use super::kpis::Facet;
use super::{Engine, supply};
use crate::credit::{CheckMode, CreditBook, CreditCheck, Decision};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::{CustomerId, OrderStatus, PaymentAllocation, TargetScope};

impl Engine {
    /// Books a checked event. The credit book goes first (its few failures leave everything as
    /// it was); the rest cannot fail.
    /// Adds to `touched` the distributors whose KPIs it moved.
    pub(super) fn book_event(
        &mut self,
        body: &EventBody,
        seq: u64,
        changes: &mut Vec<Change>,
        touched: &mut Vec<(CustomerId, &'static [Facet])>,
    ) -> Result<()> {
        let d = self.dataset.as_mut_unchecked();
        let today = d.as_of;
        let kpis = &mut self.kpis;
        match body {
            EventBody::Movement(m) => {
                let open = self.open_from;
                let on_hand = self.stock.book(m, open);
                self.count_books.on_movement(m, &d.counts, &self.stock, open);
                if m.stock_change() < Decimal::ZERO && on_hand <= Decimal::ZERO {
                    let what = ChangeKind::StockOut { node: m.node.clone(), product: m.product.clone(), on_hand };
                    changes.push(Change { seq, date: m.date, what });
                }
                touched.extend(kpis.on_movement(m).map(|d| (d, STOCK)));
                match &mut self.folded {
                    Some(folded) if folded.kept_from.is_none() => folded.movements += 1,
                    _ => d.movements.push(m.clone()),
                }
            }
            EventBody::Count(c) => {
                self.count_books.on_count(c, &self.stock, self.open_from);
                d.counts.push(c.clone());
            }
            EventBody::PosSale(s) => {
                if kpis.on_pos_sale(s) {
                    touched.extend(kpis.shop_owner(&s.node).map(|d| (d, SHOPS)));
                }
                self.sell_out.add(s);
                match &mut self.folded {
                    Some(folded) if folded.kept_from.is_none() => folded.pos_sales += 1,
                    _ => d.pos_sales.push(s.clone()),
                }
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
                touched.extend(kpis.distributor_touched(&o.customer).map(|d| (d, ORDERS)));
                self.index.orders.insert(o.id.clone(), d.orders.len());
                self.index.open_orders.set_status(d.orders.len(), o.status);
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
                    touched.extend(kpis.distributor_touched(&order.customer).map(|d| (d, DELIVERIES)));
                }
                if let Some(&order) = self.index.orders.get(&s.order) {
                    self.index.open_orders.add_shipment(order, d.shipments.len());
                }
                self.index.shipments.insert(s.id.clone(), d.shipments.len());
                d.shipments.push((**s).clone());
            }
            EventBody::Invoice(i) => {
                let account = self.book.account(&i.customer).is_some();
                let in_place = self.book.receivables().takes_in_place(i);
                if account {
                    self.book.post_invoice(i)?;
                }
                kpis.on_invoice(i);
                touched.extend(kpis.distributor_touched(&i.customer).map(|d| (d, MONEY)));
                self.index.invoices.insert(i.id.clone(), (i.customer.clone(), i.date));
                self.index.money.entry(i.customer.clone()).or_default().invoices.push(d.invoices.len());
                d.invoices.push((**i).clone());
                if account && !in_place {
                    repost(&mut self.book, self.index.money.get(&i.customer), d, &i.customer, today.max(i.date));
                }
            }
            EventBody::Payment(p) => {
                let account = self.book.account(&p.customer).is_some();
                let in_place = self.book.receivables().takes_payment_in_place(p);
                if account {
                    self.book.post_payment(p)?;
                }
                kpis.on_payment(p);
                touched.extend(kpis.distributor_touched(&p.customer).map(|d| (d, MONEY)));
                self.index.payments.insert(p.id.clone(), d.payments.len());
                self.index.money.entry(p.customer.clone()).or_default().payments.push(d.payments.len());
                d.payments.push((**p).clone());
                if account && !in_place {
                    repost(&mut self.book, self.index.money.get(&p.customer), d, &p.customer, today.max(p.date));
                }
            }
            EventBody::PaymentAllocation(a) => {
                let Some(payment) = self.index.payments.get(&a.payment).and_then(|&i| d.payments.get_mut(i)) else {
                    return Ok(());
                };
                payment.allocations.push(PaymentAllocation { invoice: a.invoice.clone(), amount: a.amount });
                let customer = payment.customer.clone();
                if self.book.account(&customer).is_some() {
                    repost(&mut self.book, self.index.money.get(&customer), d, &customer, today.max(a.date));
                }
                touched.extend(kpis.distributor_touched(&customer).map(|d| (d, MONEY)));
            }
            EventBody::PrepaidOrder(p) => {
                self.index.prepaid_orders.insert(p.id.clone(), d.prepaid_orders.len());
                d.prepaid_orders.push((**p).clone());
            }
            EventBody::OrderStatus(change) => {
                if matches!(change.status, OrderStatus::Invoiced | OrderStatus::Cancelled) {
                    self.book.close_order(&change.order);
                }
                if let Some(&row) = self.index.orders.get(&change.order)
                    && let Some(order) = d.orders.get_mut(row)
                {
                    order.status = change.status;
                    self.index.open_orders.set_status(row, change.status);
                }
            }
            EventBody::ShipmentDelivered(delivery) => {
                if let Some(s) = self.index.shipments.get(&delivery.shipment).and_then(|&i| d.shipments.get_mut(i)) {
                    let before = s.clone();
                    s.delivered_date = Some(delivery.date);
                    if let Some(order) = self.index.orders.get(&s.order).and_then(|&i| d.orders.get(i)) {
                        kpis.on_delivery(order, s, Some(&before));
                        touched.extend(kpis.distributor_touched(&order.customer).map(|d| (d, DELIVERIES)));
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
                upsert(&mut d.customers, &mut self.index.customers, c.id.clone(), (**c).clone());
                let retired = kpis.refresh_customers(d)?;
                touched.extend(kpis.distributor_touched(&c.id).map(|d| (d, &Facet::ALL[..])));
                changes.extend(retired.into_iter().map(|change| self.kpi_change(seq, change)));
            }
            EventBody::Product(p) => {
                upsert(&mut d.products, &mut self.index.products, p.id.clone(), (**p).clone());
                touched.extend(kpis.on_product(&p.id).into_iter().map(|d| (d, STOCK)));
            }
            EventBody::Node(n) => {
                upsert(&mut d.nodes, &mut self.index.nodes, n.id.clone(), (**n).clone());
                // A node changes no customer's kind: no alert to retire.
                kpis.refresh_customers(d)?;
            }
            EventBody::CreditAccount(a) => {
                self.book.open_account((**a).clone())?;
                self.index.credit_accounts.insert(a.customer.clone(), d.credit_accounts.len());
                d.credit_accounts.push((**a).clone());
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
                    touched.extend(kpis.distributor_touched(c).map(|d| (d, MONEY)));
                }
            }
            EventBody::PurchaseOrder(o) => supply::book_purchase(d, &mut self.index, o),
            EventBody::ProductionOrder(o) => supply::book_production(d, &mut self.index, o),
        }
        Ok(())
    }

    /// The dataset's copy of an account, made equal to the book's after a change.
    fn copy_account(&mut self, customer: &CustomerId) {
        let (Some(account), Some(&i)) = (self.book.account(customer), self.index.credit_accounts.get(customer)) else {
            return;
        };
        if let Some(slot) = self.dataset.as_mut_unchecked().credit_accounts.get_mut(i) {
            *slot = account.clone();
        }
    }
}

/// The facets of a distributor's KPI facts each kind of event moves.
const STOCK: &[Facet] = &[Facet::Stock];
const SHOPS: &[Facet] = &[Facet::Shops];
const ORDERS: &[Facet] = &[Facet::Orders];
const DELIVERIES: &[Facet] = &[Facet::Deliveries];
const MONEY: &[Facet] = &[Facet::Money];
/// Replaces the record with `key`, or appends it.
pub(super) fn upsert<K: Eq + std::hash::Hash, T>(
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

/// Posts `customer`'s receivables again from its records (`rows` in `d`), as the batch book of
/// `as_of` posts them (see [`crate::engine`], "Money"). Its records each passed the book's checks
/// when they were booked, so posting them again cannot fail; should it, the book keeps the
/// postings it has.
fn repost(book: &mut CreditBook, rows: Option<&MoneyRows>, d: &Dataset, customer: &CustomerId, as_of: NaiveDate) {
    let Some(rows) = rows else { return };
    let invoices = rows.invoices.iter().filter_map(|&i| d.invoices.get(i));
    let payments = rows.payments.iter().filter_map(|&i| d.payments.get(i));
    let _kept_as_booked = book.repost_receivables(customer, invoices, payments, as_of);
}
