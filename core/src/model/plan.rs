//! Sales plans: revenue targets per customer, salesperson, region, business unit or the whole
//! company, per month.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::{BusinessUnitId, CustomerId, RegionId, SalespersonId};
use super::issues::{Check, Issues};

/// Whose target it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "id")]
pub enum TargetScope {
    /// A customer's purchases.
    Customer(CustomerId),
    /// A salesperson's sales.
    Salesperson(SalespersonId),
    /// A region's sales.
    Region(RegionId),
    /// A business unit's sales.
    BusinessUnit(BusinessUnitId),
    /// The whole company.
    Company,
}

/// A monthly revenue target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesTarget {
    /// Whose.
    pub scope: TargetScope,
    /// The month (its first day).
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub month: NaiveDate,
    /// Revenue to reach, net of credit notes.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub revenue: Decimal,
}

impl Check for SalesTarget {
    const ENTITY: &'static str = "sales_target";
    fn issue_id(&self) -> Option<String> {
        None
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        issues.amount("revenue", self.revenue);
        if self.month.day() != 1 {
            issues.push("month", format!("{} is not the first day of a month", self.month));
        }
    }
}
