//! Planning from the forecast.
//!
//! - [`channel_plan`]: the channel plan (DRP) from each shop's sell-out forecast up to the plant;
//! - [`supply_plan`]: the plant's lines, building ahead, the OEM supplier and the materials (MRP
//!   through the bills of materials); [`plan_supply_chain`] runs both;
//! - [`mrp_record`]: the textbook material requirements planning (MRP) record of one item over
//!   periods `1..n` — gross and net requirements with stock on hand, scheduled receipts and
//!   safety stock, lot sizing by one of four rules ([`LotSizing`]) and order modifiers
//!   ([`OrderModifiers`]), lead-time offsetting, and the releases that would fall before period 1
//!   reported as past due.

mod channel;
mod demand;
mod mrp;
mod supply;

pub use channel::{ChannelPlan, ChannelRow, ChannelSettings, NodePlan, TierPolicy, channel_plan, days_of_cover};
pub use demand::{DemandModel, Horizon, NodeDemand};
pub use mrp::{LotSizing, MrpInput, MrpRecord, MrpRow, OrderModifiers, mrp_record};
pub use supply::{
    ComponentPlan, LineLoad, OemOrder, ProductSupply, SupplyPlan, SupplySettings, plan_supply_chain, supply_plan,
};
