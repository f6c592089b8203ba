//! Planning from the forecast.
//!
//! - [`company_plan`]: all of the below at once, as the report, the dashboard and the doors show
//!   it;
//! - [`channel_plan`]: the channel plan (DRP) from each shop's sell-out forecast up to the plant;
//! - [`supply_plan`]: the plant's lines, building ahead, the OEM supplier and the materials (MRP
//!   through the bills of materials); [`plan_supply_chain`] runs both;
//! - [`sales_and_operations`]: the S&OP table, demand, supply and inventory plans per month and
//!   product family with their gaps in units and value;
//! - [`plan_signals`]: the plan's KPIs and lights (projected stock-outs in lead time, capacity
//!   load, OEM on-time deliveries, production against plan), each with what to do;
//! - [`supplier_scorecard`]: delivery time, cost and quality of each supplier and OEM, and the
//!   consignment stock held there, book against physical;
//! - [`mrp_record`]: the textbook material requirements planning (MRP) record of one item over
//!   periods `1..n` — gross and net requirements with stock on hand, scheduled receipts and
//!   safety stock, lot sizing by one of four rules ([`LotSizing`]) and order modifiers
//!   ([`OrderModifiers`]), lead-time offsetting, and the releases that would fall before period 1
//!   reported as past due.

mod channel;
mod company;
mod demand;
mod mrp;
mod rows;
mod signals;
mod sop;
mod suppliers;
mod supply;

pub(crate) use channel::channel_plan_with;
pub use channel::{
    ChannelPlan, ChannelRow, ChannelSettings, NodePlan, TierPolicy, channel_plan, channel_plan_of,
    forward_days_of_cover,
};
pub(crate) use company::company_plan_with;
pub use company::{CompanyPlan, company_plan};
pub(crate) use demand::independent_demand_with;
pub use demand::{DemandModel, Horizon, NodeDemand, independent_demand};
pub use mrp::{LotSizing, MrpInput, MrpRecord, MrpRow, OrderModifiers, mrp_record};
pub use rows::{PlanRows, PlanRowsIter};
pub use signals::{PlanSignal, plan_action, plan_kpis, plan_signals};
pub use sop::{Amount, SopRow, sales_and_operations};
pub use suppliers::{ConsignedStock, SupplierScore, supplier_scorecard};
pub use supply::{
    ComponentPlan, LineLoad, MAX_LINE_HOURS, OemOrder, ProductSupply, SupplyPlan, SupplySettings, plan_supply_chain,
    supply_plan,
};
