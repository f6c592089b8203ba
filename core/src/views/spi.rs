//! S-P-I as a door shows it: one node's ledger (of one product or all) and the ledger rolled up
//! along the supply chain and the product tree, each cut to a window; and one node's projected
//! S-P-I, its plan of the months ahead.

use super::{Views, Window};
use crate::error::{OmoError, Result};
use crate::model::{NodeId, ProductId, RegionId};
use crate::plan::{ChannelSettings, NodePlan, channel_plan, channel_plan_with};
use crate::spi::{LedgerOptions, NodeLevel, Period, ProductLevel, RollUpRow, SpiRow, build_ledger, roll_up_of};

impl Views<'_> {
    /// One node's S-P-I ledger per `period` (of one product, or each of its products), the
    /// periods starting in `window` (all when `None`), in units.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::spi::Period;
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let node = company.movements[0].node.clone();
    /// let rows = Views::new(&company).node_ledger(&node, None, Period::Month, None)?;
    /// assert!(rows.iter().all(|r| r.node == node && r.flows.closing >= 0.into()));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`OmoError::UnknownId`] for a node the company does not have.
    pub fn node_ledger(
        &self,
        node: &NodeId,
        product: Option<&ProductId>,
        period: Period,
        window: Option<Window>,
    ) -> Result<Vec<SpiRow>> {
        let d = self.dataset();
        known_node(d, node)?;
        self.needs_all_records("a node's ledger")?;
        let movements: Vec<_> = d
            .movements
            .iter()
            .filter(|m| &m.node == node && product.is_none_or(|p| &m.product == p))
            .cloned()
            .collect();
        let options = LedgerOptions { period, allow_negative: d.allow_negative_stock };
        let mut rows = build_ledger(&movements, &[], options)?;
        rows.retain(|r| window.is_none_or(|w| w.contains(r.period)));
        Ok(rows)
    }

    /// One node's plan of each of its products over the next `months` months: the channel plan
    /// (DRP) from the shops' sell-out forecasts up the chain, with the core's default tier
    /// policies.
    ///
    /// # Errors
    /// [`OmoError::UnknownId`] for a node the company does not have; those of
    /// [`crate::plan::channel_plan`].
    pub fn node_plan(&self, node: &NodeId, months: usize) -> Result<Vec<NodePlan>> {
        let d = self.dataset();
        known_node(d, node)?;
        let settings = ChannelSettings::by(d.as_of, Period::Month, months);
        let plan = match self.live.and_then(|live| live.stock_facts(d.as_of)) {
            Some(facts) => channel_plan_with(d, facts.as_ref(), &settings)?,
            None => channel_plan(d, &settings)?,
        };
        Ok(plan.nodes.into_iter().filter(|p| &p.node == node).collect())
    }

    /// The S-P-I ledger per `period` rolled up to `nodes` x `products` (transfers inside a group
    /// cancelled), the periods starting in `window` (all when `None`).
    ///
    /// # Errors
    /// Those of [`crate::spi::roll_up`].
    pub fn spi_rollup(
        &self,
        nodes: &NodeLevel,
        products: &ProductLevel,
        period: Period,
        window: Option<Window>,
    ) -> Result<Vec<RollUpRow>> {
        let mut rows = self.rolled_up(period, (nodes, products), &|_| true)?;
        rows.retain(|r| window.is_none_or(|w| w.contains(r.period)));
        Ok(rows)
    }
}

impl Views<'_> {
    /// The S-P-I ledger of node groups x product groups per `period` over the nodes `keep`
    /// accepts: the live engine's monthly rows rolled up when it keeps the period, else the
    /// movements.
    pub(super) fn rolled_up(
        &self,
        period: Period,
        groups: (&NodeLevel, &ProductLevel),
        keep: &dyn Fn(&NodeId) -> bool,
    ) -> Result<Vec<RollUpRow>> {
        match self.live.and_then(|live| live.roll_up(period, groups, keep)) {
            Some(rows) => rows,
            None => {
                self.needs_all_records("an S-P-I roll-up by day or week")?;
                roll_up_of(self.dataset(), period, groups, keep)
            }
        }
    }
}

impl Views<'_> {
    /// The S-P-I ledger of one region's nodes taken together — a transfer between two of its
    /// nodes is internal and left out — per product group and `period`; the whole company's
    /// when `region` is `None`.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::spi::{Period, ProductLevel};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// let region = company.nodes.iter().find_map(|n| n.region.clone()).unwrap();
    /// let rows = views.region_spi(Some(&region), &ProductLevel::All, Period::Month)?;
    /// assert!(!rows.is_empty() && rows.iter().all(|r| r.nodes == region.as_str()));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`OmoError::UnknownId`] for a region the company does not have; those of
    /// [`crate::spi::roll_up`].
    pub fn region_spi(
        &self,
        region: Option<&RegionId>,
        products: &ProductLevel,
        period: Period,
    ) -> Result<Vec<RollUpRow>> {
        let Some(region) = region else {
            return self.spi_rollup(&NodeLevel::Company, products, period, None);
        };
        let depth = self
            .dataset()
            .region_tree()?
            .depth(region)
            .ok_or_else(|| OmoError::UnknownId { kind: "region", id: region.to_string() })?;
        let mut rows = self.spi_rollup(&NodeLevel::RegionAtDepth(depth), products, period, None)?;
        rows.retain(|r| r.nodes == region.as_str());
        Ok(rows)
    }
}

/// [`OmoError::UnknownId`] unless the company has `node`.
fn known_node(d: &crate::Dataset, node: &NodeId) -> Result<()> {
    match d.node(node) {
        Some(_) => Ok(()),
        None => Err(OmoError::UnknownId { kind: "node", id: node.to_string() }),
    }
}
