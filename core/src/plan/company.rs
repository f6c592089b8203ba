//! The whole plan of a company in one call: the channel plan, the supply plan, the S&OP table,
//! the supplier scorecard and the plan's lights — what the report, the dashboard and every door
//! show, computed once and the same for each.

use serde::{Deserialize, Serialize};

use super::channel::{ChannelPlan, ChannelSettings};
use super::signals::{PlanSignal, plan_signals};
use super::sop::{SopRow, sales_and_operations};
use super::suppliers::{SupplierScore, supplier_scorecard_with};
use super::supply::{SupplyPlan, SupplySettings, plan_supply_chain_with};
use crate::dataset::{Dataset, DatasetInput};
use crate::error::Result;
use crate::kpi::Light;
use crate::spi::{RecordFacts, StockFacts};

/// Everything planned for a company at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyPlan {
    /// The channel plan (DRP), shops up to the plant.
    pub channel: ChannelPlan,
    /// The supply plan, `None` for a company without production lines or suppliers.
    pub supply: Option<SupplyPlan>,
    /// The S&OP table, by period then product family.
    pub sop: Vec<SopRow>,
    /// Every supplier's and OEM's delivery, cost and quality record up to the planning date.
    pub suppliers: Vec<SupplierScore>,
    /// The plan's lights, each with what to do.
    pub signals: Vec<PlanSignal>,
}

impl CompanyPlan {
    /// The signals to act on: every light that is not green, red first, then in the order of
    /// [`CompanyPlan::signals`] (by KPI, member and period).
    pub fn to_act_on(&self) -> Vec<&PlanSignal> {
        let mut lit: Vec<&PlanSignal> = self.signals.iter().filter(|s| s.evaluation.light != Light::Green).collect();
        lit.sort_by_key(|s| s.evaluation.light != Light::Red);
        lit
    }
}

/// The whole plan of `dataset` at `channel.as_of`.
///
/// ```
/// use omo_core::plan::{ChannelSettings, SupplySettings, company_plan};
/// use omo_core::sample::{SampleConfig, sample_company};
///
/// let company = sample_company(&SampleConfig::small(3)).unwrap();
/// let plan = company_plan(&company, &ChannelSettings::new(company.as_of), &SupplySettings::default()).unwrap();
/// assert!(plan.supply.is_some() && !plan.sop.is_empty());
/// assert!(plan.suppliers.iter().any(|s| s.supplier.as_str() == "SUP-OEM"));
/// // The late OEM supplier is among the lights to act on.
/// assert!(plan.to_act_on().iter().any(|s| s.action == "chase_oem"));
/// ```
///
/// # Errors
/// Those of [`super::plan_supply_chain`] and [`super::supplier_scorecard`].
pub fn company_plan(
    dataset: &impl DatasetInput,
    channel: &ChannelSettings,
    supply: &SupplySettings,
) -> Result<CompanyPlan> {
    let dataset = dataset.checked_stock()?;
    company_plan_with(dataset, &RecordFacts::new(dataset, channel.as_of), channel, supply)
}

/// [`company_plan`] with the stock, sales and count books read from `facts` (the records' or
/// the live engine's, on `channel.as_of`).
pub(crate) fn company_plan_with(
    dataset: &Dataset,
    facts: &dyn StockFacts,
    channel: &ChannelSettings,
    supply: &SupplySettings,
) -> Result<CompanyPlan> {
    let (channel_plan, supply_plan) = plan_supply_chain_with(dataset, facts, channel, supply)?;
    let sop = sales_and_operations(dataset, &channel_plan, supply_plan.as_ref());
    let suppliers = supplier_scorecard_with(dataset, facts, channel.as_of)?;
    let signals = plan_signals(dataset, &channel_plan, supply_plan.as_ref(), &suppliers, channel.as_of)?;
    Ok(CompanyPlan { channel: channel_plan, supply: supply_plan, sop, suppliers, signals })
}
