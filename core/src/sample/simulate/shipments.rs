//! The shipments of the simulated year: the plant ships what it has of an order, the delivery is
//! invoiced, and now and then damaged goods go back against a credit note.

use chrono::Days;
use rust_decimal::Decimal;

use super::{Buyer, DISTRIBUTOR_DISCOUNT, Event, K, Sim, Site, decimal_to_bags};
use crate::error::Result;
use crate::model::{
    Invoice, InvoiceId, InvoiceKind, MovementKind, OrderStatus, Shipment, ShipmentId, ShipmentLine, TrackingEvent,
    TrackingStatus,
};
use crate::sample::master::Account;

impl Sim<'_> {
    /// Ships what the plant has of an order; tries again two days later when it has nothing.
    pub(super) fn ship(&mut self, day: usize, order_index: usize, tries: u8) -> Result<()> {
        let Some(order) = self.d.orders.get(order_index).cloned() else { return Ok(()) };
        let buyer = self.buyers[order_index];
        let mut lines = Vec::new();
        for line in &order.lines {
            let Some(k) = self.layout.products.iter().position(|p| p == &line.product) else { continue };
            let ordered = decimal_to_bags(line.quantity);
            let shipped = ordered.min((*self.stock(Site::Plant, k)).max(0));
            if let Buyer::Distributor(i) = buyer
                && let Some(o) = self.on_order.get_mut(i * K + k)
            {
                *o -= ordered - shipped; // the shortfall is not back-ordered
            }
            if shipped > 0 {
                self.book(day, Site::Plant, k, MovementKind::Sale, shipped, Some(order.id.to_string()));
                lines.push(ShipmentLine { product: line.product.clone(), quantity: Decimal::from(shipped) });
            }
        }
        if lines.is_empty() {
            if tries < 5 {
                // Nothing shipped: restore what the shortfall took off the order book and retry.
                if let Buyer::Distributor(i) = buyer {
                    for line in &order.lines {
                        if let Some(k) = self.layout.products.iter().position(|p| p == &line.product)
                            && let Some(o) = self.on_order.get_mut(i * K + k)
                        {
                            *o += decimal_to_bags(line.quantity);
                        }
                    }
                }
                self.schedule(day + 2, Event::Ship { order: order_index, tries: tries + 1 });
            } else if let Some(o) = self.d.orders.get_mut(order_index) {
                o.status = OrderStatus::Cancelled;
            }
            return Ok(());
        }
        let date = self.date(day);
        let transit = self.draws.between(2, 4) as usize;
        let delay = if self.draws.chance(0.12) { self.draws.between(3, 9) as usize } else { 0 };
        let index = self.d.shipments.len();
        let to = match buyer {
            Buyer::Distributor(i) => Some(self.node(Site::Distributor(i))),
            Buyer::Direct(_) => None,
        };
        self.d.shipments.push(Shipment {
            id: ShipmentId::new(format!("SH-{:06}", index + 1))?,
            order: order.id.clone(),
            from: self.layout.plant.clone(),
            to,
            promised_date: order.order_date.checked_add_days(Days::new(7)).unwrap_or(order.order_date),
            shipped_date: date,
            delivered_date: None,
            lines,
            events: vec![
                TrackingEvent { date, status: TrackingStatus::Picked, note: String::new() },
                TrackingEvent { date, status: TrackingStatus::Dispatched, note: "left Linyi plant".into() },
            ],
        });
        if let Some(o) = self.d.orders.get_mut(order_index) {
            o.status = OrderStatus::Shipped;
        }
        self.schedule(day + transit + delay, Event::Deliver { shipment: index });
        Ok(())
    }

    /// Delivery: stock arrives at the distributor, the shipment is invoiced, payment is scheduled;
    /// now and then goods arrive damaged and go back against a credit note.
    pub(super) fn deliver(&mut self, day: usize, shipment_index: usize) -> Result<()> {
        let date = self.date(day);
        let Some(shipment) = self.d.shipments.get_mut(shipment_index) else { return Ok(()) };
        shipment.delivered_date = Some(date);
        if let Some(first) = shipment.events.first().map(|e| e.date)
            && let Some(in_transit) = first.checked_add_days(Days::new(1))
            && in_transit < date
        {
            shipment.events.push(TrackingEvent {
                date: in_transit,
                status: TrackingStatus::InTransit,
                note: String::new(),
            });
        }
        shipment.events.push(TrackingEvent { date, status: TrackingStatus::Delivered, note: String::new() });
        let shipment = shipment.clone();
        let Some(order_index) = self.d.orders.iter().position(|o| o.id == shipment.order) else { return Ok(()) };
        let buyer = self.buyers[order_index];
        let order = self.d.orders[order_index].clone();
        let mut lines = Vec::new();
        for line in &shipment.lines {
            let Some(k) = self.layout.products.iter().position(|p| p == &line.product) else { continue };
            let bags = decimal_to_bags(line.quantity);
            if let Buyer::Distributor(i) = buyer {
                if let Some(o) = self.on_order.get_mut(i * K + k) {
                    *o -= bags;
                }
                self.book(day, Site::Distributor(i), k, MovementKind::Receipt, bags, Some(shipment.id.to_string()));
            }
            let discount = order.lines.iter().find(|l| l.product == line.product).map_or(Decimal::ZERO, |l| l.discount);
            lines.push(self.priced_line(k, bags, discount));
        }
        if let Some(o) = self.d.orders.get_mut(order_index) {
            o.status = OrderStatus::Invoiced;
        }
        let account = self.account(buyer).clone();
        let invoice = self.invoice(day, &account, Some(order.id.clone()), lines)?;
        let mut credited = Decimal::ZERO;
        if let Buyer::Distributor(i) = buyer
            && self.draws.chance(0.03)
        {
            credited = self.damaged_return(day, i, &account, &shipment, invoice)?;
        }
        let amount = self.d.invoices.get(invoice).map_or(Decimal::ZERO, Invoice::amount) - credited;
        self.schedule_payments(day, &account, invoice, amount);
        Ok(())
    }

    /// Returns 1 to 3 damaged bags of the shipment's first line and issues a credit note.
    fn damaged_return(
        &mut self,
        day: usize,
        distributor: usize,
        account: &Account,
        shipment: &Shipment,
        invoice: usize,
    ) -> Result<Decimal> {
        let Some(line) = shipment.lines.first() else { return Ok(Decimal::ZERO) };
        let Some(k) = self.layout.products.iter().position(|p| p == &line.product) else { return Ok(Decimal::ZERO) };
        let bags = self.draws.between(1, 3).min(decimal_to_bags(line.quantity));
        let reference = Some(format!("damaged in {}", shipment.id));
        self.book(day, Site::Distributor(distributor), k, MovementKind::SupplierReturn, bags, reference.clone());
        self.book(day, Site::Plant, k, MovementKind::CustomerReturn, bags, reference);
        let date = self.date(day);
        let index = self.d.invoices.len();
        let mut note = Invoice::new(
            InvoiceId::new(format!("CN-{:06}", index + 1))?,
            account.customer.clone(),
            date,
            date,
            self.layout.currency.clone(),
            vec![self.priced_line(k, bags, DISTRIBUTOR_DISCOUNT)],
        )?;
        note.kind = InvoiceKind::CreditNote;
        note.against = self.d.invoices.get(invoice).map(|i| i.id.clone());
        let amount = note.amount();
        self.d.invoices.push(note);
        Ok(amount)
    }
}
