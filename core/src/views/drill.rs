//! Drill-down below a distributor, the last step of company -> region -> distributor: its credit
//! position, its shops (stock on hand, sell-out of the trailing year, buyers) and its shops'
//! best customers.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Views;
use super::credit::Position;
use crate::analytics::CustomerSummary;
use crate::error::{OmoError, Result};
use crate::model::{CustomerId, CustomerKind, NodeId, RegionId};

/// How many of a distributor's end customers [`Views::distributor`] lists.
pub const TOP_END_CUSTOMERS: usize = 20;

/// One shop under a distributor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopLine {
    /// The shop (a retailer customer).
    pub customer: CustomerId,
    /// Its name.
    pub name: String,
    /// Its stock node, if it keeps stock.
    pub node: Option<NodeId>,
    /// Units on hand at its node on the views' day, all products together.
    pub on_hand: Decimal,
    /// Units sold to end customers in the trailing year.
    pub sell_out_units: Decimal,
    /// Revenue of those sales.
    pub sell_out_revenue: Decimal,
    /// End customers named on those sales.
    pub buyers: u64,
}

/// A distributor and what is below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributorView {
    /// The distributor.
    pub distributor: CustomerId,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: RegionId,
    /// Its stock node, if it keeps stock.
    pub node: Option<NodeId>,
    /// Its credit position, if it has an account.
    pub position: Option<Position>,
    /// Its shops, highest sell-out revenue first, then by id.
    pub shops: Vec<ShopLine>,
    /// Its shops' end customers over the trailing year, highest revenue first, at most
    /// [`TOP_END_CUSTOMERS`].
    pub top_customers: Vec<CustomerSummary>,
}

impl Views<'_> {
    /// The distributor `id` with its shops and its shops' best customers.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::model::CustomerKind;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let first = company.customers.iter().find(|c| c.kind == CustomerKind::Distributor).unwrap();
    /// let view = Views::new(&company).distributor(&first.id)?;
    /// let shops = company.customers.iter().filter(|c| c.parent.as_ref() == Some(&first.id)).count();
    /// assert_eq!(view.shops.len(), shops);
    /// assert!(view.shops.windows(2).all(|w| w[0].sell_out_revenue >= w[1].sell_out_revenue));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`OmoError::UnknownId`] unless `id` is a distributor of the company.
    pub fn distributor(&self, id: &CustomerId) -> Result<DistributorView> {
        let d = self.dataset();
        let distributor = d
            .customers
            .iter()
            .find(|c| &c.id == id && c.kind == CustomerKind::Distributor)
            .ok_or_else(|| OmoError::UnknownId { kind: "distributor", id: id.to_string() })?;
        let shops: Vec<_> = d.customers.iter().filter(|c| c.parent.as_ref() == Some(id)).collect();
        let shop_ids: BTreeSet<&CustomerId> = shops.iter().map(|c| &c.id).collect();
        self.needs_all_records("the distributor's shops")?;
        let window = self.trailing_year();
        let nodes: BTreeSet<&NodeId> = shops.iter().filter_map(|c| c.node.as_ref()).collect();
        let mut on_hand: BTreeMap<&NodeId, Decimal> = BTreeMap::new();
        for m in d.movements.iter().filter(|m| nodes.contains(&m.node) && m.date <= self.as_of()) {
            *on_hand.entry(&m.node).or_default() += m.stock_change();
        }
        let mut sold: BTreeMap<&NodeId, (Decimal, Decimal, BTreeSet<&CustomerId>)> = BTreeMap::new();
        for s in d.pos_sales.iter().filter(|s| nodes.contains(&s.node) && window.contains(s.date)) {
            let entry = sold.entry(&s.node).or_default();
            entry.0 += s.quantity;
            entry.1 += s.revenue;
            entry.2.extend(s.customer.as_ref());
        }
        let mut lines: Vec<ShopLine> = shops
            .iter()
            .map(|shop| {
                let node = shop.node.as_ref();
                let (units, revenue, buyers) = node.and_then(|n| sold.get(n)).cloned().unwrap_or_default();
                ShopLine {
                    customer: shop.id.clone(),
                    name: shop.name.clone(),
                    node: shop.node.clone(),
                    on_hand: node.and_then(|n| on_hand.get(n)).copied().unwrap_or_default(),
                    sell_out_units: units,
                    sell_out_revenue: revenue,
                    buyers: buyers.len() as u64,
                }
            })
            .collect();
        lines.sort_by(|a, b| b.sell_out_revenue.cmp(&a.sell_out_revenue).then_with(|| a.customer.cmp(&b.customer)));
        let below: BTreeSet<&CustomerId> = d
            .customers
            .iter()
            .filter(|c| c.parent.as_ref().is_some_and(|p| shop_ids.contains(p)))
            .map(|c| &c.id)
            .collect();
        let mut top: Vec<CustomerSummary> =
            self.customer_summaries(None, None)?.into_iter().filter(|s| below.contains(&s.customer)).collect();
        top.truncate(TOP_END_CUSTOMERS);
        let has_account = d.credit_accounts.iter().any(|a| &a.customer == id);
        Ok(DistributorView {
            distributor: id.clone(),
            name: distributor.name.clone(),
            region: distributor.region.clone(),
            node: distributor.node.clone(),
            position: if has_account { Some(self.position(id)?) } else { None },
            shops: lines,
            top_customers: top,
        })
    }
}
