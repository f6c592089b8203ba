//! The supply-chain axis: the nodes where stock is held and moves between.

use serde::{Deserialize, Serialize};

use super::ids::{CustomerId, NodeId, RegionId};
use super::issues::{Check, Issues};
use crate::error::Result;

/// What a node of the supply chain is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The maker itself (the root of its own chain).
    Manufacturer,
    /// A production plant.
    Plant,
    /// A warehouse or distribution centre.
    Warehouse,
    /// An OEM supplier producing for the maker.
    OemSupplier,
    /// A distributor's warehouse.
    Distributor,
    /// A retailer's shop.
    Retailer,
}

/// Whose stock sits at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StockOwnership {
    /// The stock is the node owner's own.
    #[default]
    Owned,
    /// The stock is ours but held by someone else: goods consigned at an OEM supplier (寄存貨物).
    Consigned,
}

/// A node of the supply chain, with its parent in the chain (a retailer under its distributor).
///
/// ```
/// use omo_core::model::{Node, NodeId, NodeKind, StockOwnership};
/// let mut oem = Node::new(NodeId::new("OEM-1")?, "Jiangsu OEM", NodeKind::OemSupplier, None)?;
/// oem.ownership = StockOwnership::Consigned;
/// assert!(oem.holds_consigned_stock());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The node's id.
    pub id: NodeId,
    /// Display name.
    pub name: String,
    /// What the node is.
    pub kind: NodeKind,
    /// The node above it in the chain; `None` for a root.
    pub parent: Option<NodeId>,
    /// Region the node lies in, if known.
    pub region: Option<RegionId>,
    /// Whose stock is held here.
    #[serde(default)]
    pub ownership: StockOwnership,
    /// The customer operating this node (a distributor's or retailer's own warehouse), if any.
    pub customer: Option<CustomerId>,
}

impl Node {
    /// An owned node with no region or customer; set those afterwards.
    pub fn new(id: NodeId, name: impl Into<String>, kind: NodeKind, parent: Option<NodeId>) -> Result<Self> {
        Node { id, name: name.into(), kind, parent, region: None, ownership: StockOwnership::Owned, customer: None }
            .validated()
    }

    /// True where the stock at this node is ours but held by another party.
    pub fn holds_consigned_stock(&self) -> bool {
        self.ownership == StockOwnership::Consigned
    }
}

impl Check for Node {
    const ENTITY: &'static str = "node";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        if self.parent.as_ref() == Some(&self.id) {
            issues.push("parent", "a node cannot be its own parent");
        }
    }
}
