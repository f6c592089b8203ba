//! Sell-out by month: each shop's POS units and revenue of each product in each month, what
//! the sell-out forecasts, the outlook and the monthly sell-out pivots read. The live engine
//! keeps it as POS sales arrive; the batch views build it from the records.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::model::{NodeId, PosSale, ProductId};
use crate::packed::Packed;
use crate::spi::{NodeFilter, Period, PeriodRun};

/// One node's sell-out of one product in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MonthSellOut {
    /// Units sold.
    pub(crate) units: Decimal,
    /// Their revenue.
    pub(crate) revenue: Decimal,
    /// How many POS sales (a month with none sold nothing, and is left out).
    pub(crate) sales: u32,
}

/// A month's sell-out as kept: units and revenue [`Packed`], 20 bytes.
#[derive(Debug, Clone, Copy, Default)]
struct PackedMonth {
    units: Packed,
    revenue: Packed,
    sales: u32,
}

/// A node x product's months, from its first month with a sale on.
#[derive(Debug, Clone, Default)]
struct PairMonths {
    months: PeriodRun<PackedMonth>,
    /// The values of `months` too large to pack.
    aside: Vec<Decimal>,
}

/// POS units and revenue per node x product x month.
#[derive(Debug, Clone, Default)]
pub(crate) struct SellOutMonths {
    /// By node, then product: a reader of some nodes' sell-out visits those nodes' products only.
    nodes: FxHashMap<NodeId, FxHashMap<ProductId, PairMonths>>,
}

impl SellOutMonths {
    /// The sell-out of `sales`.
    pub(crate) fn of(sales: &[PosSale]) -> Self {
        let mut months = SellOutMonths::default();
        for sale in sales {
            months.add(sale);
        }
        months
    }

    /// Adds one POS sale.
    pub(crate) fn add(&mut self, sale: &PosSale) {
        let month = Period::Month.number(sale.date);
        let products = match self.nodes.get_mut(&sale.node) {
            Some(products) => products,
            None => self.nodes.entry(sale.node.clone()).or_default(),
        };
        let pair = match products.get_mut(&sale.product) {
            Some(pair) => pair,
            None => products.entry(sale.product.clone()).or_default(),
        };
        if let Some(slot) = pair.months.slot(month) {
            slot.units.add(sale.quantity, &mut pair.aside);
            slot.revenue.add(sale.revenue, &mut pair.aside);
            slot.sales += 1;
        }
    }

    /// Every node x product x month number with a sale, in no particular order.
    pub(crate) fn months(&self) -> impl Iterator<Item = (&NodeId, &ProductId, i64, MonthSellOut)> {
        self.months_at(NodeFilter::all(&|_| true))
    }

    /// [`SellOutMonths::months`] of the pairs of `nodes` (asked once a node).
    pub(crate) fn months_at<'a>(
        &'a self,
        nodes: NodeFilter<'a>,
    ) -> impl Iterator<Item = (&'a NodeId, &'a ProductId, i64, MonthSellOut)> + 'a {
        let nodes = nodes.entries(self.nodes.iter(), |node| self.nodes.get_key_value(node));
        let pairs =
            nodes.flat_map(|(node, products)| products.iter().map(move |(product, pair)| (node, product, pair)));
        pairs.flat_map(|(node, product, pair)| {
            pair.months.iter().filter(|(_, m)| m.sales > 0).map(move |(month, m)| {
                let sold = MonthSellOut {
                    units: m.units.get(&pair.aside),
                    revenue: m.revenue.get(&pair.aside),
                    sales: m.sales,
                };
                (node, product, month, sold)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{SampleConfig, sample_company};
    use std::collections::BTreeMap;

    /// Each month's units, revenue and count equal the records' sums, whatever order they come
    /// in (the shuffled sales insert months before a pair's first).
    #[test]
    fn months_sum_the_records_in_any_order() {
        let company = sample_company(&SampleConfig::small(4)).unwrap_or_else(|e| unreachable!("{e}"));
        let mut expected: BTreeMap<(String, String, i64), (Decimal, Decimal, u32)> = BTreeMap::new();
        for s in &company.pos_sales {
            let slot =
                expected.entry((s.node.to_string(), s.product.to_string(), Period::Month.number(s.date))).or_default();
            *slot = (slot.0 + s.quantity, slot.1 + s.revenue, slot.2 + 1);
        }
        let mut backwards = company.pos_sales.clone();
        backwards.reverse();
        for sales in [&company.pos_sales, &backwards] {
            let got: BTreeMap<_, _> = SellOutMonths::of(sales)
                .months()
                .map(|(n, p, m, s)| ((n.to_string(), p.to_string(), m), (s.units, s.revenue, s.sales)))
                .collect();
            assert_eq!(got, expected);
        }
    }
}
