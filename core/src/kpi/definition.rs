//! KPI definitions: what is measured, which way is better, the target, and the thresholds that
//! turn a value into a green, yellow or red light.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// A traffic light.
///
/// Ordered by severity for roll-ups: green, then grey (unknown — never silently green), then
/// yellow, then red.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// On standard.
    Green,
    /// No value: unknown, shown grey.
    Grey,
    /// Warning.
    Yellow,
    /// Off standard.
    Red,
}

impl Light {
    /// `"green"`, `"grey"`, `"yellow"` or `"red"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Grey => "grey",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    /// A score for weighted roll-ups: green 1, yellow 0.5, red 0; grey has none.
    pub fn score(self) -> Option<Decimal> {
        match self {
            Light::Green => Some(Decimal::ONE),
            Light::Yellow => Some(Decimal::new(5, 1)),
            Light::Red => Some(Decimal::ZERO),
            Light::Grey => None,
        }
    }
}

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher is better (revenue, sell-through): SAP's Maximize.
    HigherIsBetter,
    /// Lower is better (DSO, overdue ratio): SAP's Minimize.
    LowerIsBetter,
    /// Near the target is better, too low and too high both bad (days of cover): SAP's Target.
    TargetBand,
}

/// The bounds of the zones on one side of the scale, best first: within `acceptance` the value is
/// good, within `tolerance` acceptable, within `deviation` critical, beyond it an error (SAP's
/// criticality ranges). A missing acceptance bound is the tolerance bound (no "acceptable" zone),
/// a missing deviation bound is the tolerance bound (no "critical" zone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneBounds {
    /// Edge of the good zone.
    #[serde(default, deserialize_with = "crate::model::exact::option_decimal")]
    pub acceptance: Option<Decimal>,
    /// Edge of the acceptable zone.
    #[serde(default, deserialize_with = "crate::model::exact::option_decimal")]
    pub tolerance: Option<Decimal>,
    /// Edge of the critical zone.
    #[serde(default, deserialize_with = "crate::model::exact::option_decimal")]
    pub deviation: Option<Decimal>,
}

impl ZoneBounds {
    fn resolved(&self) -> Option<[Decimal; 3]> {
        let tolerance = self.tolerance.or(self.acceptance).or(self.deviation)?;
        Some([self.acceptance.unwrap_or(tolerance), tolerance, self.deviation.unwrap_or(tolerance)])
    }
}

/// How a value becomes a light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Thresholds {
    /// Four zones by direction (good, acceptable, critical, error), each mapped to a light.
    Zones {
        /// Bounds below the target (used by higher-is-better and target bands).
        low: ZoneBounds,
        /// Bounds above the target (used by lower-is-better and target bands).
        high: ZoneBounds,
        /// Bounds are shares of the target (0.95 = 95 % of target) rather than absolute values.
        relative_to_target: bool,
        /// A value exactly on a bound belongs to the better zone (SAP); otherwise to the worse.
        inclusive: bool,
        /// The light of each zone: good, acceptable, critical, error.
        lights: [Light; 4],
    },
    /// Grafana's steps: a base light, then (value, light) steps in increasing order; the active
    /// step is the last whose value the measure reaches (`>=`). With `percent_of` set to
    /// `(min, max)`, the measure is first turned into a percentage of that range.
    Steps {
        /// The light below the first step.
        base: Light,
        /// The steps.
        steps: Vec<(Decimal, Light)>,
        /// The range of the percentage mode.
        percent_of: Option<(Decimal, Decimal)>,
    },
}

/// How a KPI's lights roll up a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum RollUp {
    /// The worst light below (PerformancePoint's WorstChild).
    WorstLight,
    /// The weighted average of the members' scores (PerformancePoint's AverageWeighted), green
    /// at or above `green_at`, yellow at or above `yellow_at`, else red.
    WeightedScore {
        /// Lowest green score.
        green_at: Decimal,
        /// Lowest yellow score.
        yellow_at: Decimal,
    },
    /// By the share of members in red: red above `red_above`, yellow above `yellow_above`.
    ShareInRed {
        /// Share of red members above which the parent is yellow.
        yellow_above: Decimal,
        /// Share of red members above which the parent is red.
        red_above: Decimal,
    },
}

/// A KPI definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[serde(deny_unknown_fields)]
pub struct KpiDefinition {
    /// Short id (`"revenue_vs_plan"`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unit of the value (`"%"`, `"days"`, `"CNY"`).
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The target, if any (required by relative thresholds).
    #[serde(default, deserialize_with = "crate::model::exact::option_decimal")]
    pub target: Option<Decimal>,
    /// The thresholds.
    pub thresholds: Thresholds,
    /// Weight in scorecards.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub weight: Decimal,
    /// The light shown without a value (grey by default: never silently green).
    pub missing: Light,
    /// How lights roll up.
    pub roll_up: RollUp,
}

impl KpiDefinition {
    /// A higher-is-better KPI with thresholds relative to `target`: green at or above
    /// `yellow_below` x target, yellow at or above `red_below` x target, red below. A value
    /// exactly at a bound is the better light (95 % of target with `yellow_below` 0.95 is green).
    ///
    /// ```
    /// use omo_core::kpi::{KpiDefinition, Light, evaluate};
    /// use rust_decimal::Decimal;
    /// let kpi = KpiDefinition::higher_is_better("revenue", "Revenue", "CNY", Decimal::from(1000), Decimal::new(95, 2), Decimal::new(85, 2))?;
    /// assert_eq!(evaluate(&kpi, Some(Decimal::from(950)), None, None).light, Light::Green);
    /// assert_eq!(evaluate(&kpi, Some(Decimal::from(949)), None, None).light, Light::Yellow);
    /// assert_eq!(evaluate(&kpi, Some(Decimal::from(849)), None, None).light, Light::Red);
    /// assert_eq!(evaluate(&kpi, None, None, None).light, Light::Grey);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn higher_is_better(
        id: &str,
        name: &str,
        unit: &str,
        target: Decimal,
        yellow_below: Decimal,
        red_below: Decimal,
    ) -> Result<Self> {
        Self::relative(
            id,
            name,
            unit,
            Direction::HigherIsBetter,
            target,
            ZoneBounds { acceptance: Some(yellow_below), tolerance: Some(red_below), deviation: None },
            ZoneBounds::default(),
        )
    }

    /// A lower-is-better KPI with thresholds relative to `target`: green at or below
    /// `yellow_above` x target, yellow at or below `red_above` x target, red above.
    pub fn lower_is_better(
        id: &str,
        name: &str,
        unit: &str,
        target: Decimal,
        yellow_above: Decimal,
        red_above: Decimal,
    ) -> Result<Self> {
        Self::relative(
            id,
            name,
            unit,
            Direction::LowerIsBetter,
            target,
            ZoneBounds::default(),
            ZoneBounds { acceptance: Some(yellow_above), tolerance: Some(red_above), deviation: None },
        )
    }

    /// A target-band KPI: green within `green` (a share either side of the target, e.g. 0.2 for
    /// +/- 20 %), yellow within `yellow`, red beyond.
    pub fn target_band(
        id: &str,
        name: &str,
        unit: &str,
        target: Decimal,
        green: Decimal,
        yellow: Decimal,
    ) -> Result<Self> {
        let shares = (
            Decimal::ONE.checked_sub(green),
            Decimal::ONE.checked_sub(yellow),
            Decimal::ONE.checked_add(green),
            Decimal::ONE.checked_add(yellow),
        );
        let (Some(low_green), Some(low_yellow), Some(high_green), Some(high_yellow)) = shares else {
            return Err(OmoError::InvalidArgument {
                name: "kpi",
                message: format!("{id}: band shares {green} and {yellow} are out of range"),
            });
        };
        let low = ZoneBounds { acceptance: Some(low_green), tolerance: Some(low_yellow), deviation: None };
        let high = ZoneBounds { acceptance: Some(high_green), tolerance: Some(high_yellow), deviation: None };
        Self::relative(id, name, unit, Direction::TargetBand, target, low, high)
    }

    fn relative(
        id: &str,
        name: &str,
        unit: &str,
        direction: Direction,
        target: Decimal,
        low: ZoneBounds,
        high: ZoneBounds,
    ) -> Result<Self> {
        KpiDefinition {
            id: id.to_owned(),
            name: name.to_owned(),
            unit: unit.to_owned(),
            direction,
            target: Some(target),
            thresholds: Thresholds::Zones {
                low,
                high,
                relative_to_target: true,
                inclusive: true,
                lights: [Light::Green, Light::Yellow, Light::Red, Light::Red],
            },
            weight: Decimal::ONE,
            missing: Light::Grey,
            roll_up: RollUp::WorstLight,
        }
        .validated()
    }

    /// Checks the definition: an id, bounds in order (better bounds first), a target for relative
    /// thresholds, steps in increasing order, a non-negative weight.
    pub fn validated(self) -> Result<Self> {
        let bad = |message: String| {
            Err(OmoError::InvalidArgument { name: "kpi", message: format!("{}: {message}", self.id) })
        };
        if self.id.trim().is_empty() {
            return bad("a KPI needs an id".into());
        }
        if self.weight < Decimal::ZERO {
            return bad(format!("weight {} is negative", self.weight));
        }
        match &self.thresholds {
            Thresholds::Zones { low, high, relative_to_target, .. } => {
                if *relative_to_target && self.target.is_none() {
                    return bad("relative thresholds need a target".into());
                }
                let uses_low = self.direction != Direction::LowerIsBetter;
                let uses_high = self.direction != Direction::HigherIsBetter;
                match (uses_low.then(|| low.resolved()).flatten(), uses_low) {
                    (None, true) => return bad("needs bounds below the target".into()),
                    (Some([a, t, d]), _) if !(a >= t && t >= d) => {
                        return bad(format!("low bounds must decrease: {a}, {t}, {d}"));
                    }
                    _ => {}
                }
                match (uses_high.then(|| high.resolved()).flatten(), uses_high) {
                    (None, true) => return bad("needs bounds above the target".into()),
                    (Some([a, t, d]), _) if !(a <= t && t <= d) => {
                        return bad(format!("high bounds must increase: {a}, {t}, {d}"));
                    }
                    _ => {}
                }
            }
            Thresholds::Steps { steps, percent_of, .. } => {
                if steps.windows(2).any(|w| w[1].0 <= w[0].0) {
                    return bad("steps must increase".into());
                }
                if let Some((min, max)) = percent_of
                    && max <= min
                {
                    return bad(format!("percentage range {min}..{max} is empty"));
                }
            }
        }
        Ok(self)
    }

    /// The zone (0 good, 1 acceptable, 2 critical, 3 error) and light of a value, and the bound
    /// that decided it (the edge of the zone the value is in, where there is one).
    pub fn classify(&self, value: Decimal) -> (Option<usize>, Light, Option<Decimal>) {
        match &self.thresholds {
            Thresholds::Zones { low, high, relative_to_target, inclusive, lights } => {
                let scale = |bounds: &ZoneBounds| {
                    let [a, t, d] = bounds.resolved()?;
                    Some(if *relative_to_target {
                        let target = self.target.unwrap_or_default();
                        let times = |bound: Decimal| super::evaluate::saturating_mul(bound, target);
                        [times(a), times(t), times(d)]
                    } else {
                        [a, t, d]
                    })
                };
                let below = |b: Decimal| if *inclusive { value >= b } else { value > b };
                let above = |b: Decimal| if *inclusive { value <= b } else { value < b };
                let low_zone = || scale(low).map(|bounds| zone_of(&bounds, below));
                let high_zone = || scale(high).map(|bounds| zone_of(&bounds, above));
                let zone = match self.direction {
                    Direction::HigherIsBetter => low_zone(),
                    Direction::LowerIsBetter => high_zone(),
                    Direction::TargetBand => {
                        let (l, h) = (low_zone(), high_zone());
                        if l.map(|z| z.0) >= h.map(|z| z.0) { l } else { h }
                    }
                };
                match zone {
                    Some((z, bound)) => (Some(z), lights.get(z).copied().unwrap_or(Light::Red), bound),
                    None => (None, self.missing, None),
                }
            }
            Thresholds::Steps { base, steps, percent_of } => {
                let measure = match percent_of {
                    // An empty range (refused by `validated`) gives no measure.
                    Some((min, max)) if max <= min => return (None, self.missing, None),
                    Some((min, max)) => super::evaluate::saturating_mul(
                        crate::model::exact::saturating_div(value.saturating_sub(*min), max.saturating_sub(*min)),
                        Decimal::ONE_HUNDRED,
                    ),
                    None => value,
                };
                match steps.iter().rev().find(|(at, _)| measure >= *at) {
                    Some((at, light)) => (None, *light, Some(*at)),
                    None => (None, *base, steps.first().map(|s| s.0)),
                }
            }
        }
    }
}

/// The zone of a value against three bounds ordered best first, with the bound at the edge of
/// that zone (the worse edge; for the error zone, the deviation bound it passed).
fn zone_of(bounds: &[Decimal; 3], within: impl Fn(Decimal) -> bool) -> (usize, Option<Decimal>) {
    match bounds.iter().position(|b| within(*b)) {
        Some(z) => (z, bounds.get(z).copied()),
        None => (3, bounds.get(2).copied()),
    }
}
