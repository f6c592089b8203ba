//! The plan's alerts kept live. When [`EngineOptions::plan_alerts`](super::EngineOptions) is on,
//! each month close plans the company from the month's last day ([`crate::plan::company_plan`] with the
//! core's default settings: the channel plan, the supply plan, the supplier scorecard) and steps
//! one alert state machine per plan KPI ([`plan_kpis`]) and member — a node, a production line,
//! an OEM supplier — with the member's worst value over the horizon (a line's heaviest month
//! ahead, a node's late products). The machines follow the engine's alert rule, so a line
//! overloaded at two month closes running raises an alert whose action is `build_ahead`.
//!
//! Planning forecasts every shop and product, so it is off by default. The machines start at the
//! engine's first month close (a history loaded in bulk does not warm them) and are kept in the
//! engine's snapshots, so a reopened engine goes on where it stood. A company whose plan cannot
//! be made (a product nobody makes or supplies, a supplier's lead time beyond the horizon) gets
//! no plan step that month; [`Engine::plan`](super::Engine::plan) names why.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::kpis::{AlertStatus, KpiChange};
use crate::dataset::Dataset;
use crate::kpi::{AlertMachine, AlertRule, AlertState, Direction, KpiDefinition};
use crate::plan::{ChannelSettings, PlanSignal, SupplySettings, company_plan_with, plan_kpis};
use crate::spi::StockFacts;

/// One plan alert's machine, as a snapshot keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAlertRecord {
    /// The plan KPI's id.
    pub kpi: String,
    /// The node, line or supplier.
    pub member: String,
    /// The member's worst value at the last month close (none: not in that plan).
    pub last_value: Option<Decimal>,
    /// The state machine.
    pub machine: AlertMachine,
}

/// Every plan alert of an engine.
#[derive(Debug, Clone)]
pub(crate) struct PlanAlerts {
    kpis: Vec<KpiDefinition>,
    rule: AlertRule,
    machines: BTreeMap<(String, String), (AlertMachine, Option<Decimal>)>,
}

impl PlanAlerts {
    /// The alerts as a snapshot left them.
    pub(crate) fn from_records(records: Vec<PlanAlertRecord>, rule: AlertRule) -> Self {
        let machines = records.into_iter().map(|r| ((r.kpi, r.member), (r.machine, r.last_value))).collect();
        PlanAlerts { kpis: plan_kpis(), rule, machines }
    }

    /// The alerts for a snapshot, by KPI and member.
    pub(crate) fn records(&self) -> Vec<PlanAlertRecord> {
        self.machines
            .iter()
            .map(|((kpi, member), (machine, last_value))| PlanAlertRecord {
                kpi: kpi.clone(),
                member: member.clone(),
                last_value: *last_value,
                machine: *machine,
            })
            .collect()
    }

    /// Plans from the last day of `month` and steps every machine; returns the transitions.
    /// A member missing from this month's plan steps with no value (its alert keeps its
    /// condition).
    pub(crate) fn close_month(
        &mut self,
        dataset: &Dataset,
        facts: &dyn StockFacts,
        month: NaiveDate,
    ) -> Vec<KpiChange> {
        let end = month.checked_add_months(Months::new(1)).map_or(month, |d| d - Days::new(1));
        let Ok(plan) = company_plan_with(dataset, facts, &ChannelSettings::new(end), &SupplySettings::default()) else {
            return Vec::new();
        };
        let worst = self.worst(&plan.signals);
        for key in worst.keys() {
            self.machines.entry(key.clone()).or_insert_with(|| (AlertMachine::new(&self.rule), None));
        }
        let mut changes = Vec::new();
        for ((kpi, member), (machine, last)) in &mut self.machines {
            let Some(definition) = self.kpis.iter().find(|k| &k.id == kpi) else { continue };
            let value = worst.get(&(kpi.clone(), member.clone())).copied();
            *last = value;
            if let Some(event) = machine.step(definition, &self.rule, member, month, value) {
                changes.push(event.into());
            }
        }
        changes
    }

    /// Each (KPI, member)'s worst value among `signals`: the highest of a lower-is-better KPI,
    /// the lowest of a higher-is-better one.
    fn worst(&self, signals: &[PlanSignal]) -> BTreeMap<(String, String), Decimal> {
        let mut worst: BTreeMap<(String, String), Decimal> = BTreeMap::new();
        for signal in signals {
            let (Some(value), Some(definition)) =
                (signal.evaluation.value, self.kpis.iter().find(|k| k.id == signal.kpi))
            else {
                continue;
            };
            let slot = worst.entry((signal.kpi.clone(), signal.member.clone())).or_insert(value);
            *slot = match definition.direction {
                Direction::HigherIsBetter => (*slot).min(value),
                _ => (*slot).max(value),
            };
        }
        worst
    }

    /// Where every plan alert stands, Grafana's way.
    pub(crate) fn states(&self) -> Vec<AlertStatus> {
        self.machines
            .iter()
            .map(|((kpi, member), (machine, last))| AlertStatus {
                member: member.clone(),
                kpi: kpi.clone(),
                state: AlertStatus::state_name(machine, last.is_some()),
                raised: machine.raised(),
            })
            .collect()
    }
}

impl AlertStatus {
    /// The Grafana name of a machine's state: `recovering` for a firing alert whose condition is
    /// gone, `no_data` for an inactive one without a value at the last step.
    pub(crate) fn state_name(machine: &AlertMachine, has_value: bool) -> &'static str {
        match machine.state() {
            AlertState::Firing if !machine.condition() => "recovering",
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive if !has_value => "no_data",
            AlertState::Inactive => "normal",
        }
    }
}
