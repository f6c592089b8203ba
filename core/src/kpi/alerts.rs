//! Alerts: a KPI that turns yellow or red raises an alert only after it stays there for a number
//! of periods, stays raised (hysteresis) until it is clearly back, and is reported once per
//! transition: raised, escalated from yellow to red, resolved.
//!
//! The timing follows Prometheus alerting rules exactly: a condition becomes *pending* when it
//! first holds, *firing* once it has held for `for` periods, a pending alert whose condition
//! clears is dropped, and a firing alert keeps firing for `keep_firing_for` periods after its
//! condition clears.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::definition::{Direction, KpiDefinition, Light};
use super::evaluate::evaluate;

/// The state of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// The condition does not hold.
    Inactive,
    /// The condition holds, not yet long enough.
    Pending,
    /// Raised.
    Firing,
}

/// Prometheus's `for` / `keep_firing_for` timing over evaluation steps.
///
/// ```
/// use omo_core::kpi::{AlertState::*, AlertTimer};
/// let mut timer = AlertTimer::new(3, 0);
/// let states: Vec<_> = [true, true, false, true, true, true, true].iter().enumerate().map(|(t, c)| timer.step(t as u64, *c)).collect();
/// assert_eq!(states, [Pending, Pending, Inactive, Pending, Pending, Pending, Firing]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertTimer {
    for_steps: u64,
    keep_firing_for: u64,
    active_since: Option<u64>,
    firing: bool,
    clear_since: Option<u64>,
}

impl AlertTimer {
    /// A timer firing after `for_steps` steps and keeping firing `keep_firing_for` steps.
    pub fn new(for_steps: u32, keep_firing_for: u32) -> Self {
        AlertTimer {
            for_steps: u64::from(for_steps),
            keep_firing_for: u64::from(keep_firing_for),
            active_since: None,
            firing: false,
            clear_since: None,
        }
    }

    /// Advances to step `t` with the condition's truth at it; returns the new state.
    pub fn step(&mut self, t: u64, condition: bool) -> AlertState {
        if condition {
            self.clear_since = None;
            let since = *self.active_since.get_or_insert(t);
            if self.firing || t.saturating_sub(since) >= self.for_steps {
                self.firing = true;
                return AlertState::Firing;
            }
            return AlertState::Pending;
        }
        if self.firing && self.keep_firing_for > 0 {
            let since = *self.clear_since.get_or_insert(t);
            if t.saturating_sub(since) < self.keep_firing_for {
                return AlertState::Firing;
            }
        }
        *self = AlertTimer::new(self.for_steps as u32, self.keep_firing_for as u32);
        AlertState::Inactive
    }

    /// True while firing.
    pub fn is_firing(&self) -> bool {
        self.firing
    }
}

/// When a KPI's alert is raised and cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    /// The lightest light that counts as a problem: yellow (yellow and red) or red (red only).
    pub raise_at: Light,
    /// Periods the problem must last before the alert is raised (Prometheus `for`).
    pub for_periods: u32,
    /// Periods a raised alert stays after the KPI is back (Prometheus `keep_firing_for`).
    pub keep_for_periods: u32,
    /// A raised alert counts as recovered only when the value would still be good this much
    /// worse: a value hovering at a threshold does not flap.
    pub hysteresis: Decimal,
}

impl Default for AlertRule {
    /// Yellow or red in two periods running raises (`for` 1); one period back keeps it raised
    /// (`keep_firing_for` 1), the second resolves; no value margin.
    fn default() -> Self {
        AlertRule { raise_at: Light::Yellow, for_periods: 1, keep_for_periods: 1, hysteresis: Decimal::ZERO }
    }
}

/// A transition of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum AlertEventKind {
    /// The alert is raised.
    Raised,
    /// A raised alert went from yellow to red.
    Escalated,
    /// The alert is over.
    Resolved,
}

impl AlertEventKind {
    /// Its name, as JSON writes it: `"raised"`, `"escalated"` or `"resolved"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEventKind::Raised => "raised",
            AlertEventKind::Escalated => "escalated",
            AlertEventKind::Resolved => "resolved",
        }
    }
}

/// One alert transition of one member's KPI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AlertEvent {
    /// The member (its id).
    pub member: String,
    /// The KPI.
    pub kpi: String,
    /// The period it happened in.
    pub period: NaiveDate,
    /// What happened.
    pub kind: AlertEventKind,
    /// The light in that period.
    pub light: Light,
    /// The value in that period.
    pub value: Option<Decimal>,
    /// The threshold at the edge of the value's zone.
    pub threshold: Option<Decimal>,
}

/// Runs `rule` over a member's values of `definition`, period by period, and returns every
/// transition. A period without a value leaves the alert as it is.
pub fn run_alerts<K: std::fmt::Display + ?Sized>(
    definition: &KpiDefinition,
    rule: &AlertRule,
    member: &K,
    series: &[(NaiveDate, Option<Decimal>)],
) -> Vec<AlertEvent> {
    let mut machine = AlertMachine::new(rule);
    series.iter().filter_map(|(period, value)| machine.step(definition, rule, member, *period, *value)).collect()
}

/// One member's alert on one KPI, stepped period by period: the state machine behind
/// [`run_alerts`], kept by the live engine between month closes.
///
/// ```
/// use omo_core::kpi::{AlertMachine, AlertRule, AlertState, KpiDefinition};
/// use rust_decimal::Decimal;
/// let otif = KpiDefinition::higher_is_better("otif", "OTIF", "ratio", Decimal::ONE, Decimal::new(95, 2), Decimal::new(85, 2))?;
/// let rule = AlertRule::default();                       // raised after two bad periods
/// let mut alert = AlertMachine::new(&rule);
/// let month = |m| chrono::NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
/// assert!(alert.step(&otif, &rule, &"D-01", month(1), Some(Decimal::new(80, 2))).is_none());
/// assert_eq!(alert.state(), AlertState::Pending);
/// let raised = alert.step(&otif, &rule, &"D-01", month(2), Some(Decimal::new(80, 2))).unwrap();
/// assert_eq!(raised.kind, omo_core::kpi::AlertEventKind::Raised);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertMachine {
    timer: AlertTimer,
    raised_light: Option<Light>,
    last_condition: bool,
    steps: u64,
    state: AlertState,
}

impl AlertMachine {
    /// A machine that has seen nothing.
    pub fn new(rule: &AlertRule) -> Self {
        AlertMachine {
            timer: AlertTimer::new(rule.for_periods, rule.keep_for_periods),
            raised_light: None,
            last_condition: false,
            steps: 0,
            state: AlertState::Inactive,
        }
    }

    /// The state after the last step.
    pub fn state(&self) -> AlertState {
        self.state
    }

    /// Whether the alert's condition held at the last step (a firing alert whose condition no
    /// longer holds is recovering: kept for its `keep_for_periods`).
    pub fn condition(&self) -> bool {
        self.last_condition
    }

    /// The light the alert was raised (or escalated) at, while it is raised.
    pub fn raised(&self) -> Option<Light> {
        self.raised_light
    }

    /// Steps to `period` with the member's `value` in it; returns the transition, if any.
    pub fn step<K: std::fmt::Display + ?Sized>(
        &mut self,
        definition: &KpiDefinition,
        rule: &AlertRule,
        member: &K,
        period: NaiveDate,
        value: Option<Decimal>,
    ) -> Option<AlertEvent> {
        let evaluation = evaluate(definition, value, None, None);
        let condition = match value {
            None => self.last_condition,
            Some(v) => {
                let bad = |light: Light| light != Light::Grey && light >= rule.raise_at;
                bad(evaluation.light)
                    || (self.timer.is_firing() && shifted(definition, v, rule.hysteresis).into_iter().any(bad))
            }
        };
        self.last_condition = condition;
        self.state = self.timer.step(self.steps, condition);
        self.steps = self.steps.saturating_add(1);
        let event = |kind| AlertEvent {
            member: member.to_string(),
            kpi: definition.id.clone(),
            period,
            kind,
            light: evaluation.light,
            value,
            threshold: evaluation.threshold,
        };
        match (self.state, self.raised_light) {
            (AlertState::Firing, None) => {
                self.raised_light = Some(evaluation.light);
                Some(event(AlertEventKind::Raised))
            }
            (AlertState::Firing, Some(Light::Yellow)) if evaluation.light == Light::Red => {
                self.raised_light = Some(Light::Red);
                Some(event(AlertEventKind::Escalated))
            }
            (AlertState::Inactive | AlertState::Pending, Some(_)) => {
                self.raised_light = None;
                Some(event(AlertEventKind::Resolved))
            }
            _ => None,
        }
    }
}

/// The lights of `value` moved `margin` the bad way (both ways for a band).
fn shifted(definition: &KpiDefinition, value: Decimal, margin: Decimal) -> Vec<Light> {
    let light = |v| definition.classify(v).1;
    match definition.direction {
        Direction::HigherIsBetter => vec![light(value.saturating_sub(margin))],
        Direction::LowerIsBetter => vec![light(value.saturating_add(margin))],
        Direction::TargetBand => vec![light(value.saturating_sub(margin)), light(value.saturating_add(margin))],
    }
}
