//! The retail end of the simulated year: POS sales at every retailer and the retailers' weekly
//! replenishment from their distributors.

use rust_decimal::Decimal;

use super::{Event, K, RETAIL_LEAD_DAYS, RETAIL_MARKUP, Sim, Site};
use crate::error::Result;
use crate::model::{MovementKind, PosSale};
use crate::sample::StockRecord;
use crate::sample::catalog::{SKUS, SkuSpec};

impl Sim<'_> {
    /// POS sales of every retailer, limited by its stock, with the odd return.
    pub(super) fn sell_out(&mut self, day: usize) -> Result<()> {
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
                let sale = PosSale {
                    node: self.node(Site::Retailer(r)),
                    product: self.product(k),
                    date,
                    quantity: Decimal::from(sold),
                    revenue: (Decimal::from(sold) * price).round_dp(2),
                    customer: farmer,
                };
                (self.sink)(StockRecord::PosSale(sale));
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
    pub(super) fn replenish_retailers(&mut self, day: usize) {
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
}
