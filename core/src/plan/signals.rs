//! KPIs and alerts from the plan: the supply side's own lights, each with what to do.
//!
//! - `projected_stockouts` (per node): products the channel plan sees running out inside their
//!   lead time — orders that should already have been placed. Green at 0, yellow at 1, red above.
//! - `capacity_load` (per line and period): hours the period's requirements need over the line's
//!   hours. Green up to 100 %, yellow up to 115 % (buildable ahead or by overtime), red above.
//! - `oem_on_time` (per OEM supplier): the share of its deliveries on or before the promised
//!   date. Green from 90 %, yellow from 75 %, red below.
//! - `production_attainment` (per line): good output over planned quantity of the production
//!   orders finished in the last 30 days. Green from 98 %, yellow from 90 %, red below.
//!
//! Every signal that is not green carries an action in words and a code: `reorder_now`,
//! `build_ahead`, `chase_oem`, `review_production`.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::channel::ChannelPlan;
use super::suppliers::SupplierScore;
use super::supply::SupplyPlan;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::kpi::{Direction, Evaluation, KpiDefinition, Light, absolute, evaluate};
use crate::model::{ProductionStatus, SupplierKind};

fn pct(x: i64) -> Decimal {
    Decimal::new(x, 2)
}

/// The plan's KPI definitions, with the thresholds of the [module](self).
pub fn plan_kpis() -> Vec<KpiDefinition> {
    vec![
        absolute(
            "projected_stockouts",
            "Projected stock-outs in lead time",
            "products",
            Direction::LowerIsBetter,
            Decimal::ZERO,
            Decimal::ONE,
        ),
        absolute("capacity_load", "Capacity load", "ratio", Direction::LowerIsBetter, Decimal::ONE, pct(115)),
        absolute("oem_on_time", "OEM on-time deliveries", "ratio", Direction::HigherIsBetter, pct(90), pct(75)),
        absolute(
            "production_attainment",
            "Production against plan",
            "ratio",
            Direction::HigherIsBetter,
            pct(98),
            pct(90),
        ),
    ]
}

/// What to do about a plan KPI that is not green, as a code; `None` for a KPI that is not the
/// plan's.
///
/// ```
/// assert_eq!(omo_core::plan::plan_action("capacity_load"), Some("build_ahead"));
/// assert_eq!(omo_core::plan::plan_action("dso"), None);
/// ```
pub fn plan_action(kpi: &str) -> Option<&'static str> {
    match kpi {
        "projected_stockouts" => Some("reorder_now"),
        "capacity_load" => Some("build_ahead"),
        "oem_on_time" => Some("chase_oem"),
        "production_attainment" => Some("review_production"),
        _ => None,
    }
}

/// One light of the plan and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSignal {
    /// The KPI's id.
    pub kpi: String,
    /// Who it is about: a node, a line or a supplier.
    pub member: String,
    /// The period it is about, for per-period KPIs.
    pub period: Option<NaiveDate>,
    /// Value, light, threshold.
    pub evaluation: Evaluation,
    /// What to do: a code (`reorder_now`, `build_ahead`, `chase_oem`, `review_production`), empty
    /// when green.
    pub action: String,
    /// The same in words.
    pub message: String,
}

/// Every plan KPI evaluated on a channel plan, its supply plan and the supplier scorecard, as of
/// `as_of`: by KPI, then member, then period.
///
/// # Errors
/// None today; the result keeps room for definitions that fail to build.
pub fn plan_signals(
    dataset: &Dataset,
    channel: &ChannelPlan,
    supply: Option<&SupplyPlan>,
    suppliers: &[SupplierScore],
    as_of: NaiveDate,
) -> Result<Vec<PlanSignal>> {
    let kpis: BTreeMap<String, KpiDefinition> = plan_kpis().into_iter().map(|k| (k.id.clone(), k)).collect();
    let mut out = Vec::new();
    let mut push = |kpi: &str, member: String, period: Option<NaiveDate>, value: Decimal, message: String| {
        let (Some(definition), Some(action)) = (kpis.get(kpi), plan_action(kpi)) else { return };
        let evaluation = evaluate(definition, Some(value), None, None);
        let green = evaluation.light == Light::Green;
        out.push(PlanSignal {
            kpi: kpi.to_owned(),
            member,
            period,
            evaluation,
            action: if green { String::new() } else { action.to_owned() },
            message: if green { String::new() } else { message },
        });
    };
    let mut late: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for plan in &channel.nodes {
        let entry = late.entry(plan.node.as_str()).or_default();
        if let Some(day) = plan.first_stockout.filter(|_| !plan.past_due.is_zero()) {
            entry.push(format!("{} ({} past due, out in {})", plan.product, plan.past_due, day.format("%Y-%m")));
        }
    }
    for (node, products) in late {
        let message = format!("place the past-due orders at {node} now: {}", products.join(", "));
        push("projected_stockouts", node.to_owned(), None, Decimal::from(products.len()), message);
    }
    for load in supply.map_or(&[][..], |s| s.loads.as_slice()) {
        if load.capacity_hours.is_zero() && load.required_hours.is_zero() {
            continue;
        }
        // Hours needed on a line with none that period: as red as a load can be.
        let ratio = load.load().unwrap_or(Decimal::from(99));
        let period = channel.periods.get(load.period).copied();
        let message = format!(
            "line {} needs {} hours of its {} in {}: build ahead in earlier months or send the rest to the OEM",
            load.line,
            load.required_hours.round_dp(1),
            load.capacity_hours,
            period.map_or_else(String::new, |p| p.format("%Y-%m").to_string())
        );
        push("capacity_load", load.line.to_string(), period, ratio, message);
    }
    for score in suppliers.iter().filter(|s| s.kind == SupplierKind::Oem) {
        let Some(rate) = score.on_time_rate.and_then(Decimal::from_f64) else { continue };
        let message = format!(
            "chase {}: {:.0} % on time, {:.1} days late on average, {} open lines overdue",
            score.supplier,
            score.on_time_rate.unwrap_or(0.0) * 100.0,
            score.days_late_mean.unwrap_or(0.0),
            score.open_lines_overdue
        );
        push("oem_on_time", score.supplier.to_string(), None, rate.round_dp(4), message);
    }
    let since = as_of.checked_sub_days(Days::new(30)).unwrap_or(as_of);
    let mut production: BTreeMap<&str, (Decimal, Decimal)> = BTreeMap::new();
    for order in dataset
        .supply
        .production_orders
        .iter()
        .filter(|o| o.status == ProductionStatus::Done && o.finished.is_some_and(|d| d > since && d <= as_of))
    {
        let slot = production.entry(order.line.as_str()).or_default();
        slot.0 += order.output;
        slot.1 += order.quantity;
    }
    for (line, (output, planned)) in production.into_iter().filter(|(_, (_, p))| !p.is_zero()) {
        let message = format!(
            "line {line} made {output} of the {planned} planned in the last 30 days: review scrap and stoppages"
        );
        push(
            "production_attainment",
            line.to_owned(),
            None,
            crate::model::exact::saturating_div(output, planned).round_dp(4),
            message,
        );
    }
    Ok(out)
}
