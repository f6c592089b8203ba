//! Evaluating a KPI: a value (with the previous period's and last year's) gives a light, the
//! distance to target, the trend, and a score for roll-ups.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::definition::{Direction, KpiDefinition, Light};
use crate::model::exact::saturating_div;

/// Whether a KPI moved the good way since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Moved the good way (up when higher is better, towards the target for a band).
    Improving,
    /// Did not move.
    Steady,
    /// Moved the bad way.
    Worsening,
}

/// One KPI evaluated for one member and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The KPI.
    pub kpi: String,
    /// The value, if any.
    pub value: Option<Decimal>,
    /// The light.
    pub light: Light,
    /// The zone (0 good, 1 acceptable, 2 critical, 3 error) for zone thresholds.
    pub zone: Option<usize>,
    /// The threshold at the edge of the value's zone or step.
    pub threshold: Option<Decimal>,
    /// The target.
    pub target: Option<Decimal>,
    /// Value minus target.
    pub distance: Option<Decimal>,
    /// Value over target (none for a zero target).
    pub attainment: Option<Decimal>,
    /// Against the previous period's value.
    pub trend: Option<Trend>,
    /// Value minus last year's.
    pub vs_last_year: Option<Decimal>,
    /// Performance score in [0, 1] for weighted roll-ups: attainment (or its inverse for
    /// lower-is-better, or closeness for a band) capped at 1; from the light where there is no
    /// target; none without a value.
    pub score: Option<Decimal>,
}

/// Evaluates `definition` for a value and, optionally, the previous period's and last year's.
/// A missing value gives the definition's `missing` light (grey by default) and no score.
pub fn evaluate(
    definition: &KpiDefinition,
    value: Option<Decimal>,
    previous: Option<Decimal>,
    last_year: Option<Decimal>,
) -> Evaluation {
    let Some(v) = value else {
        return Evaluation {
            kpi: definition.id.clone(),
            value: None,
            light: definition.missing,
            zone: None,
            threshold: None,
            target: definition.target,
            distance: None,
            attainment: None,
            trend: None,
            vs_last_year: None,
            score: None,
        };
    };
    let (zone, light, threshold) = definition.classify(v);
    let target = definition.target;
    let attainment = target.filter(|t| !t.is_zero()).map(|t| saturating_div(v, t));
    let score = match (definition.direction, target, attainment) {
        (Direction::HigherIsBetter, _, Some(a)) => Some(a),
        (Direction::LowerIsBetter, _, Some(_)) => {
            target.filter(|_| !v.is_zero()).map(|t| saturating_div(t, v)).or(Some(Decimal::ONE))
        }
        (Direction::TargetBand, Some(t), Some(_)) => {
            Some(Decimal::ONE.saturating_sub(saturating_div(v.saturating_sub(t), t).abs()))
        }
        _ => light.score(),
    }
    .map(|s| s.clamp(Decimal::ZERO, Decimal::ONE));
    Evaluation {
        kpi: definition.id.clone(),
        value: Some(v),
        light,
        zone,
        threshold,
        target,
        distance: target.map(|t| v.saturating_sub(t)),
        attainment,
        trend: previous.map(|p| trend(definition, p, v)),
        vs_last_year: last_year.map(|l| v.saturating_sub(l)),
        score,
    }
}

fn trend(definition: &KpiDefinition, previous: Decimal, now: Decimal) -> Trend {
    let better = match (definition.direction, definition.target) {
        (Direction::HigherIsBetter, _) => now.cmp(&previous),
        (Direction::LowerIsBetter, _) => previous.cmp(&now),
        (Direction::TargetBand, Some(t)) => previous.saturating_sub(t).abs().cmp(&now.saturating_sub(t).abs()),
        (Direction::TargetBand, None) => std::cmp::Ordering::Equal,
    };
    match better {
        std::cmp::Ordering::Greater => Trend::Improving,
        std::cmp::Ordering::Equal => Trend::Steady,
        std::cmp::Ordering::Less => Trend::Worsening,
    }
}

/// `a * b`, or the largest Decimal of the product's sign where it does not fit.
pub(crate) fn saturating_mul(a: Decimal, b: Decimal) -> Decimal {
    a.checked_mul(b).unwrap_or(if a.is_sign_negative() == b.is_sign_negative() { Decimal::MAX } else { Decimal::MIN })
}
