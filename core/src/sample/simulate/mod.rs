//! The day-by-day simulation of the sample company's trade: sell-out at retailers, replenishment
//! up the channel, the maker's orders, shipments, invoices and payments, pre-season prepaid orders,
//! production, consignment transfers and stock counts.
//!
//! Stock is kept in whole bags per site and product; every change is booked as a
//! [`StockMovement`], so the dataset's ledger reproduces the simulated stock exactly.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;

use super::catalog::{SKUS, SkuSpec};
use super::demand::{Draws, seasonal_factor};
use super::master::{Account, Layout, PayHabit};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::*;

/// Retail price over list price.
const RETAIL_MARKUP: Decimal = Decimal::from_parts(115, 0, 0, false, 2);
/// The distributors' usual discount off list price.
const DISTRIBUTOR_DISCOUNT: Decimal = Decimal::from_parts(15, 0, 0, false, 2);
/// The pre-season prepaid discount off list price.
const PRESEASON_DISCOUNT: Decimal = Decimal::from_parts(22, 0, 0, false, 2);
/// Share of a prepaid order paid as deposit.
const DEPOSIT_SHARE: Decimal = Decimal::from_parts(30, 0, 0, false, 2);
/// Discontinued products stop selling after this many days.
const DISCONTINUED_AFTER_DAYS: usize = 365;
/// Days a retailer's replenishment takes to arrive from its distributor.
const RETAIL_LEAD_DAYS: usize = 2;
/// Index of urea in the catalogue, which enterprise and government buyers take every month.
const UREA: usize = 5;
/// Products of the pre-season prepaid offer.
const PRESEASON_SKUS: [&str; 3] = ["NPK-151515-50", "UREA-46-50", "NPK-261210-50"];

/// A place where the simulation holds stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    Plant,
    Oem,
    Distributor(usize),
    Retailer(usize),
}

/// Who placed an order with the maker.
#[derive(Debug, Clone, Copy)]
enum Buyer {
    Distributor(usize),
    Direct(usize),
}

/// Something that happens on a later day.
#[derive(Debug, Clone)]
enum Event {
    Ship { order: usize, tries: u8 },
    Deliver { shipment: usize },
    Arrive { retailer: usize, sku: usize, quantity: i64 },
    Pay { invoice: usize, amount: Decimal },
    PostCountDifference { site: Site, sku: usize, quantity: i64 },
}

struct PrepaidState {
    order: usize,
    deposit_payment: usize,
    deposit_left: Decimal,
    distributor: usize,
}

struct Sim<'a> {
    d: &'a mut Dataset,
    layout: &'a Layout,
    draws: &'a mut Draws,
    start: NaiveDate,
    /// Expected bags per day for a retailer of size 1, per day (row) and product (column).
    rates: Vec<f64>,
    retailer_size_total: f64,
    distributor_size: Vec<f64>,
    plant: Vec<i64>,
    oem: Vec<i64>,
    distributor_stock: Vec<i64>,
    retailer_stock: Vec<i64>,
    in_transit: Vec<i64>,
    on_order: Vec<i64>,
    reserved: Vec<i64>,
    events: Vec<Vec<Event>>,
    buyers: Vec<Buyer>,
    prepaid: Vec<PrepaidState>,
}

const K: usize = SKUS.len();

pub(crate) fn simulate(
    d: &mut Dataset,
    layout: &Layout,
    start: NaiveDate,
    end: NaiveDate,
    draws: &mut Draws,
) -> Result<()> {
    let days = usize::try_from((end - start).num_days() + 1).unwrap_or(0);
    let horizon = days + 60;
    let mut rates = Vec::with_capacity(horizon * K);
    for day in 0..horizon {
        let doy = start.checked_add_days(Days::new(day as u64)).map(|date| date.ordinal0()).unwrap_or(0);
        for spec in &SKUS {
            let live = !(spec.discontinued && day >= DISCONTINUED_AFTER_DAYS);
            rates.push(if live { spec.peak_rate * seasonal_factor(spec.season, doy) } else { 0.0 });
        }
    }
    let distributor_size = layout
        .distributors
        .iter()
        .map(|dist| {
            layout.retailers.get(dist.retailers.clone()).map(|rs| rs.iter().map(|r| r.size).sum()).unwrap_or(0.0)
        })
        .collect::<Vec<f64>>();
    let mut sim = Sim {
        layout,
        start,
        rates,
        retailer_size_total: distributor_size.iter().sum(),
        distributor_size,
        plant: vec![0; K],
        oem: vec![0; K],
        distributor_stock: vec![0; layout.distributors.len() * K],
        retailer_stock: vec![0; layout.retailers.len() * K],
        in_transit: vec![0; layout.retailers.len() * K],
        on_order: vec![0; layout.distributors.len() * K],
        reserved: vec![0; K],
        events: vec![Vec::new(); days],
        buyers: Vec::new(),
        prepaid: Vec::new(),
        d,
        draws,
    };
    sim.opening_stock()?;
    for day in 0..days {
        sim.run_day(day)?;
    }
    Ok(())
}

impl Sim<'_> {
    fn date(&self, day: usize) -> NaiveDate {
        self.start.checked_add_days(Days::new(day as u64)).unwrap_or(self.start)
    }

    // Sites and product indices are the simulation's own, built together with the layout, so
    // plain indexing below cannot go out of bounds.
    fn product(&self, k: usize) -> ProductId {
        self.layout.products[k].clone()
    }

    /// Expected bags per day of product `k` on `day` for a retailer of size 1.
    fn rate(&self, day: usize, k: usize) -> f64 {
        self.rates.get(day * K + k).copied().unwrap_or(0.0)
    }

    /// Expected bags of product `k` over `weeks` weeks starting `lead` days after `day`, for a
    /// total retailer size `size`.
    fn expected(&self, day: usize, lead: usize, weeks: usize, k: usize, size: f64) -> f64 {
        (0..weeks * 7).map(|offset| self.rate(day + lead + offset, k)).sum::<f64>() * size
    }

    fn schedule(&mut self, day: usize, event: Event) {
        if let Some(slot) = self.events.get_mut(day) {
            slot.push(event);
        }
    }

    fn stock(&mut self, site: Site, k: usize) -> &mut i64 {
        match site {
            Site::Plant => &mut self.plant[k],
            Site::Oem => &mut self.oem[k],
            Site::Distributor(i) => &mut self.distributor_stock[i * K + k],
            Site::Retailer(i) => &mut self.retailer_stock[i * K + k],
        }
    }

    fn node(&self, site: Site) -> NodeId {
        match site {
            Site::Plant => self.layout.plant.clone(),
            Site::Oem => self.layout.oem.clone(),
            Site::Distributor(i) => self.layout.distributors[i].node.clone(),
            Site::Retailer(i) => self.layout.retailers[i].node.clone(),
        }
    }

    /// Books a movement and applies it to the simulated stock.
    fn book(&mut self, day: usize, site: Site, k: usize, kind: MovementKind, quantity: i64, reference: Option<String>) {
        if quantity == 0 {
            return;
        }
        let change = if kind.sign() > Decimal::ZERO { quantity } else { -quantity };
        *self.stock(site, k) += change;
        self.d.movements.push(StockMovement {
            node: self.node(site),
            product: self.product(k),
            date: self.date(day),
            kind,
            quantity: Decimal::from(quantity),
            counterparty: None,
            reference,
        });
    }

    fn transfer(&mut self, day: usize, from: Site, to: Site, k: usize, quantity: i64) {
        if quantity <= 0 {
            return;
        }
        let (from_node, to_node) = (self.node(from), self.node(to));
        self.book(day, from, k, MovementKind::TransferOut, quantity, Some("consignment call-off".into()));
        if let Some(m) = self.d.movements.last_mut() {
            m.counterparty = Some(to_node);
        }
        self.book(day, to, k, MovementKind::TransferIn, quantity, Some("consignment call-off".into()));
        if let Some(m) = self.d.movements.last_mut() {
            m.counterparty = Some(from_node);
        }
    }

    /// Stock on the first day: every site holds what its policy would target.
    fn opening_stock(&mut self) -> Result<()> {
        let opening = Some("opening balance".to_owned());
        for k in 0..K {
            for r in 0..self.layout.retailers.len() {
                let size = self.layout.retailers.get(r).map_or(0.0, |s| s.size);
                let bags = self.expected(0, 0, 3, k, size).ceil() as i64;
                self.book(0, Site::Retailer(r), k, MovementKind::Receipt, bags, opening.clone());
            }
            for i in 0..self.layout.distributors.len() {
                let size = self.distributor_size.get(i).copied().unwrap_or(0.0);
                let bags = self.expected(0, 0, 5, k, size).ceil() as i64;
                self.book(0, Site::Distributor(i), k, MovementKind::Receipt, bags, opening.clone());
            }
            let site = if SKUS.get(k).is_some_and(|s| s.oem) { Site::Oem } else { Site::Plant };
            let bags = self.expected(0, 0, 4, k, self.retailer_size_total).ceil() as i64;
            self.book(0, site, k, MovementKind::Receipt, bags, opening.clone());
        }
        Ok(())
    }

    fn run_day(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        let events = self.events.get_mut(day).map(std::mem::take).unwrap_or_default();
        for event in events {
            self.handle(day, event)?;
        }
        if date.weekday() == Weekday::Mon {
            self.produce(day);
        }
        if date.weekday() == Weekday::Thu {
            self.call_off_consignment(day);
        }
        if date.month() == 1 && date.day() == 10 {
            self.take_prepaid_orders(day)?;
        }
        if matches!((date.month(), date.day()), (3, 5) | (3, 25) | (4, 15)) {
            self.prepaid_pickups(day, date.month() == 4)?;
        }
        self.sell_out(day)?;
        self.replenish_retailers(day);
        self.replenish_distributors(day)?;
        if date.day() == 15 {
            self.direct_orders(day)?;
        }
        if is_quarter_end(date) {
            self.count_stock(day);
        }
        Ok(())
    }

    fn handle(&mut self, day: usize, event: Event) -> Result<()> {
        match event {
            Event::Ship { order, tries } => self.ship(day, order, tries),
            Event::Deliver { shipment } => self.deliver(day, shipment),
            Event::Arrive { retailer, sku, quantity } => {
                if let Some(t) = self.in_transit.get_mut(retailer * K + sku) {
                    *t -= quantity;
                }
                self.book(
                    day,
                    Site::Retailer(retailer),
                    sku,
                    MovementKind::Receipt,
                    quantity,
                    Some("from distributor".into()),
                );
                Ok(())
            }
            Event::Pay { invoice, amount } => self.pay(day, invoice, amount),
            Event::PostCountDifference { site, sku, quantity } => {
                self.book(day, site, sku, MovementKind::Adjustment, -quantity, Some("stock count difference".into()));
                Ok(())
            }
        }
    }

    /// Plant and OEM production every Monday: up to six weeks of channel demand plus reservations.
    fn produce(&mut self, day: usize) {
        for (k, spec) in SKUS.iter().enumerate() {
            let site = if spec.oem { Site::Oem } else { Site::Plant };
            let reserved = self.reserved.get(k).copied().unwrap_or(0);
            let target = self.expected(day, 7, 6, k, self.retailer_size_total).ceil() as i64 + reserved;
            let on_hand = *self.stock(site, k) + if spec.oem { *self.stock(Site::Plant, k) } else { 0 };
            let batch = round_up(target - on_hand, 50);
            if batch > 0 {
                self.book(day, site, k, MovementKind::Receipt, batch, Some("production".into()));
            }
        }
    }

    /// Every Thursday the plant calls off OEM products, leaving a week's worth on consignment.
    fn call_off_consignment(&mut self, day: usize) {
        for k in (0..K).filter(|&k| SKUS[k].oem) {
            let keep = self.expected(day, 0, 1, k, self.retailer_size_total).ceil() as i64;
            let available = *self.stock(Site::Oem, k) - keep;
            self.transfer(day, Site::Oem, Site::Plant, k, available);
        }
    }

    /// POS sales of every retailer, limited by its stock, with the odd return.
    fn sell_out(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        for r in 0..self.layout.retailers.len() {
            let Some(site) = self.layout.retailers.get(r) else { continue };
            let (size, farmers) = (site.size, site.farmers.clone());
            for (k, spec) in SKUS.iter().enumerate() {
                let demand = self.demand(spec, self.rate(day, k) * size);
                let sold = demand.min(*self.stock(Site::Retailer(r), k));
                if sold <= 0 {
                    continue;
                }
                self.book(day, Site::Retailer(r), k, MovementKind::Sale, sold, None);
                let price = self.d.products.get(k).map_or(Decimal::ZERO, |p| p.list_price) * RETAIL_MARKUP;
                let farmer = (!farmers.is_empty() && self.draws.chance(0.7))
                    .then(|| self.draws.between(farmers.start as i64, farmers.end as i64 - 1) as usize)
                    .and_then(|f| self.layout.farmers.get(f).cloned());
                self.d.pos_sales.push(PosSale {
                    node: self.node(Site::Retailer(r)),
                    product: self.product(k),
                    date,
                    quantity: Decimal::from(sold),
                    revenue: (Decimal::from(sold) * price).round_dp(2),
                    customer: farmer,
                });
                if self.draws.chance(0.004) {
                    self.book(day, Site::Retailer(r), k, MovementKind::CustomerReturn, 1, Some("farmer return".into()));
                }
            }
        }
        Ok(())
    }

    /// Bags demanded in a day: Poisson for regular products, a Poisson number of lumps otherwise.
    fn demand(&mut self, spec: &SkuSpec, mean: f64) -> i64 {
        if spec.lump <= 1 {
            return i64::from(self.draws.poisson(mean));
        }
        let lumps = self.draws.poisson(mean / f64::from(spec.lump));
        (0..lumps).map(|_| 1 + i64::from(self.draws.poisson(f64::from(spec.lump - 1)))).sum()
    }

    /// Retailers review weekly (each on its own weekday) and order up to four weeks of demand.
    fn replenish_retailers(&mut self, day: usize) {
        for (i, dist) in self.layout.distributors.iter().enumerate() {
            for r in dist.retailers.clone() {
                if (day + r) % 7 != 0 {
                    continue;
                }
                let size = self.layout.retailers.get(r).map_or(0.0, |s| s.size);
                for (k, spec) in SKUS.iter().enumerate() {
                    let minimum = self.expected(day, RETAIL_LEAD_DAYS, 2, k, size);
                    if minimum <= 0.0 {
                        continue;
                    }
                    let target =
                        self.expected(day, RETAIL_LEAD_DAYS, 4, k, size).max(f64::from(spec.lump)).ceil() as i64;
                    let position =
                        *self.stock(Site::Retailer(r), k) + self.in_transit.get(r * K + k).copied().unwrap_or(0);
                    if (position as f64) > minimum {
                        continue;
                    }
                    let quantity = (target - position).min(*self.stock(Site::Distributor(i), k));
                    if quantity <= 0 {
                        continue;
                    }
                    self.book(
                        day,
                        Site::Distributor(i),
                        k,
                        MovementKind::Sale,
                        quantity,
                        Some(format!("to retailer {}", r + 1)),
                    );
                    if let Some(t) = self.in_transit.get_mut(r * K + k) {
                        *t += quantity;
                    }
                    self.schedule(day + RETAIL_LEAD_DAYS, Event::Arrive { retailer: r, sku: k, quantity });
                }
            }
        }
    }

    /// Distributors review weekly and order from the maker up to seven weeks of their retailers' pull.
    fn replenish_distributors(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        for i in 0..self.layout.distributors.len() {
            if (day + i) % 7 != 3 {
                continue;
            }
            let size = self.distributor_size.get(i).copied().unwrap_or(0.0);
            let mut lines = Vec::new();
            for (k, spec) in SKUS.iter().enumerate() {
                let minimum = self.expected(day, 7, 3, k, size);
                if minimum <= 0.0 {
                    continue;
                }
                let position =
                    *self.stock(Site::Distributor(i), k) + self.on_order.get(i * K + k).copied().unwrap_or(0);
                if position as f64 > minimum {
                    continue;
                }
                let quantity =
                    round_up(self.expected(day, 7, 7, k, size).ceil() as i64 - position, i64::from(spec.pack));
                if quantity > 0 {
                    if let Some(o) = self.on_order.get_mut(i * K + k) {
                        *o += quantity;
                    }
                    lines.push(self.priced_line(k, quantity, DISTRIBUTOR_DISCOUNT));
                }
            }
            if !lines.is_empty() {
                self.place_order(day, date, Buyer::Distributor(i), lines)?;
            }
        }
        Ok(())
    }

    fn priced_line(&self, k: usize, quantity: i64, discount: Decimal) -> SalesLine {
        let price = self.d.products.get(k).map_or(Decimal::ZERO, |p| p.list_price);
        SalesLine::new(self.product(k), Decimal::from(quantity), price).with_discount(discount)
    }

    fn place_order(&mut self, day: usize, date: NaiveDate, buyer: Buyer, lines: Vec<SalesLine>) -> Result<()> {
        let account = self.account(buyer).clone();
        let index = self.d.orders.len();
        let mut order = SalesOrder::new(
            OrderId::new(format!("SO-{:06}", index + 1))?,
            account.customer,
            date,
            self.layout.plant.clone(),
            lines,
        )?;
        order.requested_date = date.checked_add_days(Days::new(6));
        self.d.orders.push(order);
        self.buyers.push(buyer);
        let lead = self.draws.between(1, 3) as usize;
        self.schedule(day + lead, Event::Ship { order: index, tries: 0 });
        Ok(())
    }

    fn account(&self, buyer: Buyer) -> &Account {
        match buyer {
            Buyer::Distributor(i) => &self.layout.distributors[i].account,
            Buyer::Direct(i) => &self.layout.direct[i],
        }
    }

    /// Enterprise and government buyers order field-crop products on the 15th of each month.
    fn direct_orders(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        for i in 0..self.layout.direct.len() {
            if !self.draws.chance(0.8) {
                continue;
            }
            let first = self.draws.between(0, 3) as usize;
            let (compound, urea) = (self.draws.between(2, 8) * 10, self.draws.between(2, 6) * 10);
            let lines = vec![
                self.priced_line(first, compound, DISTRIBUTOR_DISCOUNT),
                self.priced_line(UREA, urea, DISTRIBUTOR_DISCOUNT),
            ];
            self.place_order(day, date, Buyer::Direct(i), lines)?;
        }
        Ok(())
    }

    /// Ships what the plant has of an order; tries again two days later when it has nothing.
    fn ship(&mut self, day: usize, order_index: usize, tries: u8) -> Result<()> {
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
    fn deliver(&mut self, day: usize, shipment_index: usize) -> Result<()> {
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

    fn invoice(
        &mut self,
        day: usize,
        account: &Account,
        order: Option<OrderId>,
        lines: Vec<SalesLine>,
    ) -> Result<usize> {
        let date = self.date(day);
        let index = self.d.invoices.len();
        let due = date.checked_add_days(Days::new(account.terms_days)).unwrap_or(date);
        let mut invoice = Invoice::new(
            InvoiceId::new(format!("INV-{:06}", index + 1))?,
            account.customer.clone(),
            date,
            due,
            self.layout.currency.clone(),
            lines,
        )?;
        invoice.order = order;
        self.d.invoices.push(invoice);
        Ok(index)
    }

    /// Schedules the payment(s) of `amount` against an invoice according to the payer's habit.
    fn schedule_payments(&mut self, day: usize, account: &Account, invoice: usize, amount: Decimal) {
        if amount <= Decimal::ZERO {
            return;
        }
        let due = day + account.terms_days as usize;
        let late =
            |draws: &mut Draws, low: i64, high: i64| (due as i64 + draws.between(low, high)).max(day as i64) as usize;
        match account.habit {
            PayHabit::InParts => {
                let first = (amount * Decimal::new(60, 2)).round_dp(2);
                let (d1, d2) = (late(self.draws, 2, 8), late(self.draws, 40, 60));
                self.schedule(d1, Event::Pay { invoice, amount: first });
                self.schedule(d2, Event::Pay { invoice, amount: amount - first });
            }
            habit => {
                let (low, high) = match habit {
                    PayHabit::Punctual => (-5, 0),
                    PayHabit::SlightlyLate => (3, 20),
                    PayHabit::ChronicallyLate => (30, 75),
                    PayHabit::Bureaucratic | PayHabit::InParts => (60, 120),
                };
                let when = late(self.draws, low, high);
                self.schedule(when, Event::Pay { invoice, amount });
            }
        }
    }

    fn pay(&mut self, day: usize, invoice: usize, amount: Decimal) -> Result<()> {
        let Some(target) = self.d.invoices.get(invoice) else { return Ok(()) };
        let (customer, invoice_id) = (target.customer.clone(), target.id.clone());
        let index = self.d.payments.len();
        let mut payment = Payment::new(
            PaymentId::new(format!("PAY-{:06}", index + 1))?,
            customer,
            self.date(day),
            amount,
            self.layout.currency.clone(),
        )?;
        payment.allocations.push(PaymentAllocation { invoice: invoice_id, amount });
        self.d.payments.push(payment);
        Ok(())
    }

    /// On 10 January every distributor books a prepaid pre-season order for spring and pays a deposit.
    fn take_prepaid_orders(&mut self, day: usize) -> Result<()> {
        let date = self.date(day);
        let spring = day + 80;
        for i in 0..self.layout.distributors.len() {
            let size = self.distributor_size.get(i).copied().unwrap_or(0.0);
            let mut lines = Vec::new();
            for sku in PRESEASON_SKUS {
                let Some(k) = SKUS.iter().position(|s| s.id == sku) else { continue };
                let bags = round_up(self.expected(spring, 0, 2, k, size).ceil() as i64, 10);
                if bags > 0 {
                    if let Some(r) = self.reserved.get_mut(k) {
                        *r += bags;
                    }
                    lines.push(self.priced_line(k, bags, PRESEASON_DISCOUNT));
                }
            }
            if lines.is_empty() {
                continue;
            }
            let customer = self.account(Buyer::Distributor(i)).customer.clone();
            let total = lines_total(&lines);
            let deposit = (total * DEPOSIT_SHARE).round_dp(2);
            let order = PrepaidOrder {
                id: PrepaidOrderId::new(format!("PP-{}-{customer}", date.year()))?,
                customer: customer.clone(),
                order_date: date,
                reserve_at: self.layout.plant.clone(),
                pickup_from: NaiveDate::from_ymd_opt(date.year(), 3, 1).unwrap_or(date),
                pickup_until: NaiveDate::from_ymd_opt(date.year(), 4, 30).unwrap_or(date),
                lines,
                deposit,
                pickups: Vec::new(),
            };
            let payment_index = self.d.payments.len();
            let payment = Payment::new(
                PaymentId::new(format!("PAY-{:06}", payment_index + 1))?,
                customer,
                date,
                deposit,
                self.layout.currency.clone(),
            )?;
            self.d.payments.push(payment);
            self.prepaid.push(PrepaidState {
                order: self.d.prepaid_orders.len(),
                deposit_payment: payment_index,
                deposit_left: deposit,
                distributor: i,
            });
            self.d.prepaid_orders.push(order);
        }
        Ok(())
    }

    /// Distributors collect a third of their prepaid goods (all that is left on the last pickup),
    /// which is invoiced and paid first out of the deposit.
    fn prepaid_pickups(&mut self, day: usize, last: bool) -> Result<()> {
        let date = self.date(day);
        for p in 0..self.prepaid.len() {
            let Some(state) = self.prepaid.get(p) else { continue };
            let (order_index, distributor) = (state.order, state.distributor);
            let Some(order) = self.d.prepaid_orders.get(order_index).cloned() else { continue };
            if order.pickup_from > date || order.pickup_until < date {
                continue;
            }
            let mut invoice_lines = Vec::new();
            let mut pickups = Vec::new();
            for line in &order.lines {
                let Some(k) = self.layout.products.iter().position(|p| p == &line.product) else { continue };
                let left = decimal_to_bags(order.reserved(&line.product));
                let wanted = if last { left } else { (decimal_to_bags(line.quantity) / 3).min(left) };
                let bags = wanted.min((*self.stock(Site::Plant, k)).max(0));
                if bags <= 0 {
                    continue;
                }
                if let Some(r) = self.reserved.get_mut(k) {
                    *r -= bags;
                }
                self.book(day, Site::Plant, k, MovementKind::Sale, bags, Some(order.id.to_string()));
                self.book(
                    day,
                    Site::Distributor(distributor),
                    k,
                    MovementKind::Receipt,
                    bags,
                    Some(order.id.to_string()),
                );
                pickups.push(Pickup { date, product: line.product.clone(), quantity: Decimal::from(bags) });
                invoice_lines.push(self.priced_line(k, bags, PRESEASON_DISCOUNT));
            }
            if invoice_lines.is_empty() {
                continue;
            }
            if let Some(o) = self.d.prepaid_orders.get_mut(order_index) {
                o.pickups.extend(pickups);
            }
            let account = self.account(Buyer::Distributor(distributor)).clone();
            let invoice = self.invoice(day, &account, None, invoice_lines)?;
            let (invoice_id, amount) = self
                .d
                .invoices
                .get(invoice)
                .map(|i| (i.id.clone(), i.amount()))
                .unwrap_or((InvoiceId::new("-")?, Decimal::ZERO));
            let Some(state) = self.prepaid.get_mut(p) else { continue };
            let from_deposit = amount.min(state.deposit_left);
            state.deposit_left -= from_deposit;
            let payment_index = state.deposit_payment;
            if from_deposit > Decimal::ZERO
                && let Some(payment) = self.d.payments.get_mut(payment_index)
            {
                payment.allocations.push(PaymentAllocation { invoice: invoice_id, amount: from_deposit });
            }
            self.schedule_payments(day, &account, invoice, amount - from_deposit);
        }
        Ok(())
    }

    /// Quarter-end counts at the plant, the OEM and every distributor; a few bags go missing here
    /// and there, and the difference is posted the next day.
    fn count_stock(&mut self, day: usize) {
        let date = self.date(day);
        let mut sites = vec![Site::Plant, Site::Oem];
        sites.extend((0..self.layout.distributors.len()).map(Site::Distributor));
        for site in sites {
            for k in 0..K {
                let book = *self.stock(site, k);
                if book <= 0 {
                    continue;
                }
                let missing = if self.draws.chance(0.06) { self.draws.between(1, (book / 50).max(1)) } else { 0 };
                self.d.counts.push(StockCount {
                    node: self.node(site),
                    product: self.product(k),
                    date,
                    counted: Decimal::from(book - missing),
                });
                if missing > 0 {
                    self.schedule(day + 1, Event::PostCountDifference { site, sku: k, quantity: missing });
                }
            }
        }
    }
}

fn is_quarter_end(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (3, 31) | (6, 30) | (9, 30) | (12, 31))
}

/// `quantity` rounded up to a multiple of `step` (unchanged when not positive).
fn round_up(quantity: i64, step: i64) -> i64 {
    if quantity <= 0 || step <= 1 { quantity } else { (quantity + step - 1) / step * step }
}

fn decimal_to_bags(quantity: Decimal) -> i64 {
    i64::try_from(quantity.trunc()).unwrap_or(0)
}
