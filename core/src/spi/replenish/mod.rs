//! Replenishment: how much stock to hold and when to order, from textbook formulas and optimal
//! policies to the reorder rules of ERP systems and suggested orders per node and product.

mod formulas;
mod open_orders;
mod plan;
mod policies;
mod rules;

pub use formulas::{
    base_stock_normal, base_stock_normal_cost, eoq, eoq_all_units_discount, eoq_cost, fill_rate, lead_time_demand_sd,
    newsvendor_normal, newsvendor_poisson, newsvendor_profit, normal_quantile, poisson_level_cost, reorder_point,
    safety_stock, standard_normal_loss, standard_normal_second_loss,
};
pub(crate) use open_orders::{OpenOrderRows, OpenOrders};
pub(crate) use plan::suggest_orders_with;
pub use plan::{DemandBasis, PlanSettings, SuggestedOrder, suggest_orders};
pub use policies::{
    GsmStage, LotSizingPlan, RqPolicy, SsPolicy, cycle_service_level, gsm_safety_stock, gsm_serial, optimal_ss_poisson,
    rq_eoq_plus_safety_stock, rq_expected_inventory_level, rq_loss_function, rq_poisson_exact, wagner_whitin,
};
pub use rules::{InventoryPosition, ReorderRule, Rounding, Trigger};
