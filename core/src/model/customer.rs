//! The customer axis: regions, business units and salespeople (each a hierarchy), and customers of
//! every tier with their parent in the channel.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{BusinessUnitId, CustomerId, NodeId, RegionId, SalespersonId};
use super::issues::{Check, Issues};
use crate::error::Result;

/// A sales region; regions nest (a province under a country).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The region's id.
    pub id: RegionId,
    /// Display name.
    pub name: String,
    /// The enclosing region; `None` for the whole market.
    pub parent: Option<RegionId>,
}

impl Region {
    /// A region; `parent` is `None` for a root.
    pub fn new(id: RegionId, name: impl Into<String>, parent: Option<RegionId>) -> Result<Self> {
        Region { id, name: name.into(), parent }.validated()
    }
}

impl Check for Region {
    const ENTITY: &'static str = "region";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
    }
}

/// A business unit (BU); BUs nest under the company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessUnit {
    /// The BU's id.
    pub id: BusinessUnitId,
    /// Display name.
    pub name: String,
    /// The enclosing BU; `None` for the company.
    pub parent: Option<BusinessUnitId>,
}

impl BusinessUnit {
    /// A business unit; `parent` is `None` for a root.
    pub fn new(id: BusinessUnitId, name: impl Into<String>, parent: Option<BusinessUnitId>) -> Result<Self> {
        BusinessUnit { id, name: name.into(), parent }.validated()
    }
}

impl Check for BusinessUnit {
    const ENTITY: &'static str = "business_unit";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
    }
}

/// A salesperson; the `manager` links make the sales organisation a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Salesperson {
    /// The salesperson's id.
    pub id: SalespersonId,
    /// Name.
    pub name: String,
    /// The salesperson's manager; `None` at the top.
    pub manager: Option<SalespersonId>,
    /// The region the salesperson covers, if one.
    pub region: Option<RegionId>,
    /// The BU the salesperson belongs to, if one.
    pub business_unit: Option<BusinessUnitId>,
}

impl Salesperson {
    /// A salesperson reporting to `manager`, with no region or BU set.
    pub fn new(id: SalespersonId, name: impl Into<String>, manager: Option<SalespersonId>) -> Result<Self> {
        Salesperson { id, name: name.into(), manager, region: None, business_unit: None }.validated()
    }
}

impl Check for Salesperson {
    const ENTITY: &'static str = "salesperson";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
    }
}

/// The tier of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    /// Buys from the maker and sells on to retailers (經銷商).
    Distributor,
    /// Buys from a distributor and sells to end users (零售商).
    Retailer,
    /// A farmer or other end user.
    EndUser,
    /// A company buying for its own use (a plantation, a cooperative).
    Enterprise,
    /// A government body (tenders, subsidy programmes).
    Government,
}

impl CustomerKind {
    /// Every kind, in channel order.
    pub const ALL: [CustomerKind; 5] = [
        CustomerKind::Distributor,
        CustomerKind::Retailer,
        CustomerKind::EndUser,
        CustomerKind::Enterprise,
        CustomerKind::Government,
    ];

    /// The kind's name as used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Distributor => "distributor",
            CustomerKind::Retailer => "retailer",
            CustomerKind::EndUser => "end_user",
            CustomerKind::Enterprise => "enterprise",
            CustomerKind::Government => "government",
        }
    }
}

/// A customer of any tier, placed on the customer axis (region, BU, salesperson) and in the channel
/// (`parent`: the distributor a retailer buys from, the retailer a farmer buys from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The customer's id.
    pub id: CustomerId,
    /// Name.
    pub name: String,
    /// Tier.
    pub kind: CustomerKind,
    /// Sales region.
    pub region: RegionId,
    /// Business unit that serves the customer.
    pub business_unit: BusinessUnitId,
    /// Salesperson in charge, if any.
    pub salesperson: Option<SalespersonId>,
    /// The customer it buys through in the channel, if any.
    pub parent: Option<CustomerId>,
    /// The supply-chain node where this customer's stock is held, if it holds stock we track.
    pub node: Option<NodeId>,
    /// Date the customer was first served, if known.
    #[serde(default, deserialize_with = "crate::model::exact::option_date")]
    pub since: Option<NaiveDate>,
}

impl Customer {
    /// A customer with no salesperson, channel parent, node or start date; set those afterwards.
    pub fn new(
        id: CustomerId,
        name: impl Into<String>,
        kind: CustomerKind,
        region: RegionId,
        business_unit: BusinessUnitId,
    ) -> Result<Self> {
        Customer {
            id,
            name: name.into(),
            kind,
            region,
            business_unit,
            salesperson: None,
            parent: None,
            node: None,
            since: None,
        }
        .validated()
    }
}

impl Check for Customer {
    const ENTITY: &'static str = "customer";
    fn issue_id(&self) -> Option<String> {
        Some(self.id.to_string())
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.non_blank("name", &self.name);
        if self.parent.as_ref() == Some(&self.id) {
            issues.push("parent", "a customer cannot be its own parent");
        }
    }
}
