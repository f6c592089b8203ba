//! The day-by-day simulation of the sample company's trade: sell-out at retailers, replenishment
//! up the channel, the maker's orders, shipments, invoices and payments, pre-season prepaid orders,
//! production, consignment transfers and stock counts.
//!
//! Stock is kept in whole bags per site and product; every change is booked as a
//! [`StockMovement`], so the dataset's ledger reproduces the simulated stock exactly.

mod billing;
mod orders;
mod prepaid;
pub(crate) mod production;
mod retail;
mod shipments;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;

use super::StockRecord;
use super::catalog::SKUS;
use super::demand::{Draws, seasonal_factor};
use super::master::Layout;
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
    /// Where movements and POS sales go as they are made.
    sink: &'a mut dyn FnMut(StockRecord),
    /// The plant's and the OEM supplier's production receipts (the supply side reads them).
    batches: Vec<StockMovement>,
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

/// Simulates the company's trade from `start` to `end` into `d`, movements and POS sales into
/// `sink` in date order; returns the production receipts of the plant and the OEM supplier.
pub(crate) fn simulate(
    d: &mut Dataset,
    sink: &mut dyn FnMut(StockRecord),
    layout: &Layout,
    start: NaiveDate,
    end: NaiveDate,
    draws: &mut Draws,
) -> Result<Vec<StockMovement>> {
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
        sink,
        batches: Vec::new(),
        draws,
    };
    sim.opening_stock()?;
    for day in 0..days {
        sim.run_day(day)?;
    }
    Ok(sim.batches)
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
        self.book_with(day, site, k, kind, quantity, reference, None);
    }

    /// [`Sim::book`] naming the other node of a transfer.
    #[allow(clippy::too_many_arguments)]
    fn book_with(
        &mut self,
        day: usize,
        site: Site,
        k: usize,
        kind: MovementKind,
        quantity: i64,
        reference: Option<String>,
        counterparty: Option<NodeId>,
    ) {
        if quantity == 0 {
            return;
        }
        let change = if kind.sign() > Decimal::ZERO { quantity } else { -quantity };
        *self.stock(site, k) += change;
        let movement = StockMovement {
            node: self.node(site),
            product: self.product(k),
            date: self.date(day),
            kind,
            quantity: Decimal::from(quantity),
            counterparty,
            reference,
        };
        let produced = kind == MovementKind::Receipt && movement.reference.as_deref() == Some(production::REFERENCE);
        if produced && matches!(site, Site::Plant | Site::Oem) {
            self.batches.push(movement.clone());
        }
        (self.sink)(StockRecord::Movement(movement));
    }

    fn transfer(&mut self, day: usize, from: Site, to: Site, k: usize, quantity: i64) {
        if quantity <= 0 {
            return;
        }
        let (from_node, to_node) = (self.node(from), self.node(to));
        let reference = || Some("consignment call-off".to_owned());
        self.book_with(day, from, k, MovementKind::TransferOut, quantity, reference(), Some(to_node));
        self.book_with(day, to, k, MovementKind::TransferIn, quantity, reference(), Some(from_node));
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
