//! The orders of the simulated year: the distributors' weekly orders to the maker, the direct
//! buyers' monthly orders, and how an order is priced and placed.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::{Buyer, DISTRIBUTOR_DISCOUNT, Event, K, Sim, Site, UREA, round_up};
use crate::error::Result;
use crate::model::{OrderId, SalesLine, SalesOrder};
use crate::sample::catalog::SKUS;
use crate::sample::master::Account;

impl Sim<'_> {
    /// Distributors review weekly and order from the maker up to seven weeks of their retailers' pull.
    pub(super) fn replenish_distributors(&mut self, day: usize) -> Result<()> {
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

    pub(super) fn priced_line(&self, k: usize, quantity: i64, discount: Decimal) -> SalesLine {
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

    pub(super) fn account(&self, buyer: Buyer) -> &Account {
        match buyer {
            Buyer::Distributor(i) => &self.layout.distributors[i].account,
            Buyer::Direct(i) => &self.layout.direct[i],
        }
    }

    /// Enterprise and government buyers order field-crop products on the 15th of each month.
    pub(super) fn direct_orders(&mut self, day: usize) -> Result<()> {
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
}
