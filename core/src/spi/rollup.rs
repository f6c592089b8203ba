//! Roll-ups of the S-P-I ledger along the supply-chain axis (node -> region -> company, or by kind
//! of node) and the product axis (SKU -> category -> all), and the channel view built on them.
//!
//! A roll-up is the ledger of groups, built from the movements themselves: a transfer between two
//! nodes of the same group is internal to it and left out on both sides, so a region's receipts
//! are what came into the region. Every other quantity is the sum of its members'.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::ledger::{LedgerOptions, LedgerStop, SpiFlows, aggregate};
use super::period::Period;
use crate::dataset::{Dataset, DatasetInput};
use crate::error::{OmoError, Result};
use crate::model::{NodeId, NodeKind, ProductId, RegionId};

/// How nodes are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum NodeLevel {
    /// Each node on its own.
    Node,
    /// By the node's region; nodes without a region form the group `"-"`.
    Region,
    /// By the node's region's ancestor at this depth of the region tree (0: the root).
    RegionAtDepth(usize),
    /// By kind of node (plant, distributor, retailer...).
    Kind,
    /// All nodes together: the company.
    Company,
}

/// How products are grouped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProductLevel {
    /// Each SKU on its own.
    Product,
    /// By the product's category.
    Category,
    /// By the product's category's ancestor at this depth of the category tree (0: the root).
    CategoryAtDepth(usize),
    /// All products together.
    All,
}

impl std::str::FromStr for NodeLevel {
    type Err = OmoError;
    /// `node`, `region`, `kind`, `company` (or `all`).
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "node" => Ok(NodeLevel::Node),
            "region" => Ok(NodeLevel::Region),
            "kind" => Ok(NodeLevel::Kind),
            "company" | "all" => Ok(NodeLevel::Company),
            other => Err(OmoError::InvalidArgument {
                name: "nodes",
                message: format!("{other:?} is not node, region, kind or company"),
            }),
        }
    }
}

impl std::str::FromStr for ProductLevel {
    type Err = OmoError;
    /// `product`, `category`, `all`.
    fn from_str(text: &str) -> Result<Self> {
        match text {
            "product" => Ok(ProductLevel::Product),
            "category" => Ok(ProductLevel::Category),
            "all" => Ok(ProductLevel::All),
            other => Err(OmoError::InvalidArgument {
                name: "products",
                message: format!("{other:?} is not product, category or all"),
            }),
        }
    }
}

/// One row of a rolled-up ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct RollUpRow {
    /// The node group (a node, region or kind id, or `"ALL"`).
    pub nodes: String,
    /// The product group (a product or category id, or `"ALL"`).
    pub products: String,
    /// First day of the period.
    pub period: NaiveDate,
    /// The group's quantities.
    #[serde(flatten)]
    pub flows: SpiFlows,
}

/// The key of the whole company or all products.
pub const ALL: &str = "ALL";

/// The S-P-I ledger of node groups x product groups per period, internal transfers cancelled.
///
/// ```
/// use omo_core::sample::{SampleConfig, sample_company};
/// use omo_core::spi::{NodeLevel, Period, ProductLevel, roll_up};
/// let company = sample_company(&SampleConfig::small(1))?;
/// let rows = roll_up(&company, Period::Quarter, &NodeLevel::Region, &ProductLevel::Category)?;
/// assert!(rows.iter().all(|r| r.flows.closing >= rust_decimal::Decimal::ZERO));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn roll_up(
    dataset: &impl DatasetInput,
    period: Period,
    nodes: &NodeLevel,
    products: &ProductLevel,
) -> Result<Vec<RollUpRow>> {
    roll_up_where(dataset.checked_stock()?, period, nodes, products, |_| true)
}

/// [`roll_up`] over the movements of the nodes that `keep` accepts.
pub(crate) fn roll_up_of(
    dataset: &impl DatasetInput,
    period: Period,
    (nodes, products): (&NodeLevel, &ProductLevel),
    keep: &dyn Fn(&NodeId) -> bool,
) -> Result<Vec<RollUpRow>> {
    roll_up_where(dataset.checked_stock()?, period, nodes, products, keep)
}

/// [`roll_up`] of a dataset whose stock records are checked, over the movements of the nodes
/// that `keep` accepts.
fn roll_up_where(
    dataset: &Dataset,
    period: Period,
    nodes: &NodeLevel,
    products: &ProductLevel,
    keep: impl Fn(&NodeId) -> bool + Clone,
) -> Result<Vec<RollUpRow>> {
    let node_group = node_groups(dataset, nodes)?;
    let product_group = product_groups(dataset, products)?;
    let group_of_node = |id| node_group.get(id).map_or("-", String::as_str);
    let group_of_product = |id| product_group.get(id).map_or("-", String::as_str);
    let entries = dataset
        .movements
        .iter()
        .filter(move |m| keep(&m.node))
        .filter(|m| {
            // A transfer inside one group moves nothing in or out of it.
            !(m.kind.is_transfer()
                && m.counterparty.as_ref().is_some_and(|other| group_of_node(other) == group_of_node(&m.node)))
        })
        .map(|m| ((group_of_node(&m.node), group_of_product(&m.product)), m.date, m.kind, m.quantity));
    let row = |&(n, p): &(&str, &str), number, flows| {
        Some(RollUpRow { nodes: n.to_owned(), products: p.to_owned(), period: period.start_of_number(number)?, flows })
    };
    aggregate(entries, &FxHashMap::default(), LedgerOptions { period, allow_negative: true }, row).map_err(|stop| {
        let message = match stop {
            LedgerStop::Negative(at) => format!("negative stock in group {:?} on {}", at.key, at.date),
            LedgerStop::TooLong(span) => format!("group {:?}: {}", span.key, span.describe(period)),
        };
        OmoError::InvalidArgument { name: "movements", message }
    })
}

/// The group of every node at `level`.
pub(crate) fn node_groups<'a>(dataset: &'a Dataset, level: &NodeLevel) -> Result<HashMap<&'a NodeId, String>> {
    let regions = dataset.region_tree()?;
    let mut groups = HashMap::with_capacity(dataset.nodes.len());
    for node in &dataset.nodes {
        let group = match level {
            NodeLevel::Node => node.id.to_string(),
            NodeLevel::Region => node.region.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string),
            NodeLevel::RegionAtDepth(depth) => node
                .region
                .as_ref()
                .and_then(|r| ancestor_at(&regions, r, *depth))
                .map_or_else(|| "-".to_owned(), |r| r.to_string()),
            NodeLevel::Kind => kind_name(node.kind).to_owned(),
            NodeLevel::Company => ALL.to_owned(),
        };
        groups.insert(&node.id, group);
    }
    Ok(groups)
}

/// The group of every product at `level`.
pub(crate) fn product_groups<'a>(dataset: &'a Dataset, level: &ProductLevel) -> Result<HashMap<&'a ProductId, String>> {
    let categories = dataset.category_tree()?;
    Ok(dataset
        .products
        .iter()
        .map(|p| {
            let group = match level {
                ProductLevel::Product => p.id.to_string(),
                ProductLevel::Category => p.category.to_string(),
                ProductLevel::CategoryAtDepth(depth) => ancestor_at(&categories, &p.category, *depth)
                    .map_or_else(|| p.category.to_string(), |c| c.to_string()),
                ProductLevel::All => ALL.to_owned(),
            };
            (&p.id, group)
        })
        .collect())
}

/// `id` itself when at `depth`, else its ancestor at `depth`; `None` when `id` is shallower.
fn ancestor_at<'h, K: Clone + Eq + std::hash::Hash + std::fmt::Display>(
    tree: &'h crate::model::Hierarchy<K>,
    id: &'h K,
    depth: usize,
) -> Option<&'h K> {
    let own = tree.depth(id)?;
    if own < depth {
        return None;
    }
    let ancestors = tree.ancestors(id);
    if own == depth { Some(id) } else { ancestors.get(own - depth - 1).copied() }
}

/// The name of a node kind as used for groups.
pub fn kind_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Manufacturer => "manufacturer",
        NodeKind::Plant => "plant",
        NodeKind::Warehouse => "warehouse",
        NodeKind::OemSupplier => "oem_supplier",
        NodeKind::Distributor => "distributor",
        NodeKind::Retailer => "retailer",
    }
}

/// The channel in one period: what the maker sold in, what distributors sold through to
/// retailers, what retailers sold out to end users, and the stock between.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRow {
    /// First day of the period.
    pub period: NaiveDate,
    /// Receipts at distributors, net of their returns to the maker.
    pub sell_in: Decimal,
    /// Receipts at retailers, net of their returns.
    pub sell_through: Decimal,
    /// Sales of retailers to end users, net of end users' returns.
    pub sell_out: Decimal,
    /// Distributors' closing stock.
    pub distributor_stock: Decimal,
    /// Retailers' closing stock.
    pub retailer_stock: Decimal,
}

impl ChannelRow {
    /// Stock in the channel: at distributors and retailers together.
    pub fn channel_stock(&self) -> Decimal {
        self.distributor_stock + self.retailer_stock
    }
}

/// Sell-in, sell-through, sell-out and channel stock per period, for the whole market or the
/// nodes within `region` (and the regions below it).
pub fn channel_view(input: &impl DatasetInput, period: Period, region: Option<&RegionId>) -> Result<Vec<ChannelRow>> {
    let dataset = input.checked_stock()?;
    channel_from(dataset, region, |keep| roll_up_where(dataset, period, &NodeLevel::Kind, &ProductLevel::All, keep))
}

/// The channel of the nodes within `region` (all when `None`) from their roll-up by kind of
/// node over all products, which `rows_of` gives for the nodes its argument accepts (the batch
/// view rolls the movements up, the live engine its monthly rows).
pub(crate) fn channel_from(
    dataset: &Dataset,
    region: Option<&RegionId>,
    rows_of: impl FnOnce(&dyn Fn(&NodeId) -> bool) -> Result<Vec<RollUpRow>>,
) -> Result<Vec<ChannelRow>> {
    let tree = dataset.region_tree()?;
    if let Some(region) = region
        && !tree.contains(region)
    {
        return Err(OmoError::UnknownId { kind: "region", id: region.to_string() });
    }
    let node_region: HashMap<&NodeId, Option<&RegionId>> =
        dataset.nodes.iter().map(|n| (&n.id, n.region.as_ref())).collect();
    let keep = |node: &NodeId| match region {
        None => true,
        Some(scope) => node_region.get(node).copied().flatten().is_some_and(|r| tree.is_within(r, scope)),
    };
    let rows = rows_of(&keep)?;
    let periods: std::collections::BTreeSet<NaiveDate> = rows.iter().map(|r| r.period).collect();
    let kind_rows = |kind: NodeKind| -> std::collections::BTreeMap<NaiveDate, SpiFlows> {
        rows.iter().filter(|r| r.nodes == kind_name(kind)).map(|r| (r.period, r.flows)).collect()
    };
    let (distributors, retailers) = (kind_rows(NodeKind::Distributor), kind_rows(NodeKind::Retailer));
    // Before a kind's first movement its stock is zero; after its last, it stays where it was.
    let stock_at = |flows: &std::collections::BTreeMap<NaiveDate, SpiFlows>, period: &NaiveDate| {
        flows.range(..=period).next_back().map_or(Decimal::ZERO, |(_, f)| f.closing)
    };
    Ok(periods
        .iter()
        .map(|period| {
            let d = distributors.get(period).copied().unwrap_or_default();
            let r = retailers.get(period).copied().unwrap_or_default();
            ChannelRow {
                period: *period,
                sell_in: d.receipts - d.supplier_returns,
                sell_through: r.receipts - r.supplier_returns,
                sell_out: r.sales - r.customer_returns,
                distributor_stock: stock_at(&distributors, period),
                retailer_stock: stock_at(&retailers, period),
            }
        })
        .collect())
}
