//! KPIs as traffic lights: definitions with direction and thresholds, evaluation to green, yellow
//! or red (grey without a value), scorecards rolled up along the axes with drill-down, alerts
//! that do not flap, and the standard catalogue computed from a dataset.

mod alerts;
mod calendar;
mod catalogue;
mod definition;
mod evaluate;
mod scorecard;

pub use alerts::{AlertEvent, AlertEventKind, AlertMachine, AlertRule, AlertState, AlertTimer, run_alerts};
pub use calendar::{
    COVER_WINDOW_DAYS, TRAILING_MONTHS, first_of_month, last_complete_month, months_in_data, months_up_to,
    scorecard_month, window_start,
};
pub(crate) use calendar::{days_before, days_into_month, months_since, window_start_since};
pub(crate) use catalogue::{KpiValues, MonthValues, inputs_of_months};
pub(crate) use catalogue::{MonthFacts, absolute, forecast_wape_of, month_forecast, on_time_in_full, ratio_decimal};
pub use catalogue::{
    alerts_in_history, business_unit_hierarchy, distributor_hierarchy, standard_alerts, standard_history,
    standard_inputs, standard_kpis,
};
pub use definition::{Direction, KpiDefinition, Light, RollUp, Thresholds, ZoneBounds};
pub use evaluate::{Evaluation, Trend, evaluate};
pub use scorecard::{Cell, KpiInput, RolledUp, Scorecard, roll_up};
