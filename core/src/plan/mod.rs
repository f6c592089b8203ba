//! Planning from the forecast.
//!
//! So far: the textbook material requirements planning (MRP) record of one item over periods
//! `1..n` ([`mrp_record`]) — gross and net requirements with stock on hand, scheduled receipts and
//! safety stock, lot sizing by one of four rules ([`LotSizing`]) and lead-time offsetting of the
//! planned orders, with the releases that would fall before period 1 reported as past due.

mod channel;
mod demand;
mod mrp;
mod supply;

pub use channel::{ChannelPlan, ChannelRow, ChannelSettings, NodePlan, TierPolicy, channel_plan, days_of_cover};
pub use demand::{DemandModel, Horizon, NodeDemand};
pub use mrp::{LotSizing, MrpInput, MrpRecord, MrpRow, OrderModifiers, mrp_record};
pub use supply::{ComponentPlan, LineLoad, OemOrder, ProductSupply, SupplyPlan, SupplySettings, supply_plan};
