//! The maker's own stock in the simulated year: production every Monday, the OEM's consignment
//! called off every Thursday, and the quarter-end stock counts.

use rust_decimal::Decimal;

use super::{Event, K, Sim, Site, round_up};
use crate::model::{MovementKind, StockCount};
use crate::sample::catalog::SKUS;

/// The reference of a production receipt at the plant or the OEM supplier.
pub(crate) const REFERENCE: &str = "production";

impl Sim<'_> {
    /// Plant and OEM production every Monday: up to six weeks of channel demand plus reservations.
    pub(super) fn produce(&mut self, day: usize) {
        for (k, spec) in SKUS.iter().enumerate() {
            let site = if spec.oem { Site::Oem } else { Site::Plant };
            let reserved = self.reserved.get(k).copied().unwrap_or(0);
            let target = self.expected(day, 7, 6, k, self.retailer_size_total).ceil() as i64 + reserved;
            let on_hand = *self.stock(site, k) + if spec.oem { *self.stock(Site::Plant, k) } else { 0 };
            let batch = round_up(target - on_hand, 50);
            if batch > 0 {
                self.book(day, site, k, MovementKind::Receipt, batch, Some(REFERENCE.into()));
            }
        }
    }

    /// Every Thursday the plant calls off OEM products, leaving a week's worth on consignment.
    pub(super) fn call_off_consignment(&mut self, day: usize) {
        for k in (0..K).filter(|&k| SKUS[k].oem) {
            let keep = self.expected(day, 0, 1, k, self.retailer_size_total).ceil() as i64;
            let available = *self.stock(Site::Oem, k) - keep;
            self.transfer(day, Site::Oem, Site::Plant, k, available);
        }
    }

    /// Quarter-end counts at the plant, the OEM and every distributor; a few bags go missing here
    /// and there, and the difference is posted the next day.
    pub(super) fn count_stock(&mut self, day: usize) {
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
