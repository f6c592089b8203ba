//! Payment behaviour, a score and a risk class from documented rules, and a recommended limit
//! with the reasons that produced it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use super::receivables::{Receivables, Settlement};
use crate::error::{OmoError, Result};
use crate::model::CustomerId;
use crate::model::RiskClass;

/// How a customer paid over a window of time (payments only; credit notes do not count).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PaymentStats {
    /// Number of settlements (a payment applied to an invoice).
    pub settlements: usize,
    /// Share of the amount paid on or before the due date.
    pub on_time_share: Option<f64>,
    /// Average days late per settlement (early payments count as 0).
    pub average_days_late: Option<f64>,
    /// Days late weighted by amount (early payments count as 0).
    pub weighted_days_late: Option<f64>,
}

impl PaymentStats {
    fn of<'a>(settlements: impl Iterator<Item = &'a Settlement>) -> PaymentStats {
        let (mut n, mut amount, mut on_time, mut days, mut weighted) = (0usize, 0.0, 0.0, 0.0, 0.0);
        for s in settlements.filter(|s| !s.by_credit_note) {
            let value = s.amount.to_f64().unwrap_or(0.0);
            let late = s.days_late().max(0) as f64;
            n += 1;
            amount += value;
            days += late;
            weighted += late * value;
            if late == 0.0 {
                on_time += value;
            }
        }
        if n == 0 {
            return PaymentStats::default();
        }
        let share = |x: f64| (amount > 0.0).then_some(x / amount);
        PaymentStats {
            settlements: n,
            on_time_share: share(on_time),
            average_days_late: Some(days / n as f64),
            weighted_days_late: share(weighted),
        }
    }
}

/// A customer's payment behaviour: over all time and over the last 3, 6 and 12 months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentBehaviour {
    /// The customer.
    pub customer: CustomerId,
    /// Over every settlement up to the assessment date.
    pub all_time: PaymentStats,
    /// Over settlements of the last 3 months.
    pub last_3_months: PaymentStats,
    /// Over settlements of the last 6 months.
    pub last_6_months: PaymentStats,
    /// Over settlements of the last 12 months.
    pub last_12_months: PaymentStats,
    /// Open receivables on the assessment date.
    pub open: Decimal,
    /// Of which overdue.
    pub overdue: Decimal,
    /// Days past due of the oldest open invoice (0 when none is overdue).
    pub oldest_overdue_days: i64,
}

impl PaymentBehaviour {
    /// Weighted days late of the last 3 months minus those of the last 12: positive when paying
    /// is getting slower.
    pub fn trend(&self) -> Option<f64> {
        Some(self.last_3_months.weighted_days_late? - self.last_12_months.weighted_days_late?)
    }
}

/// The payment behaviour of `customer` as of `as_of`.
pub fn payment_behaviour(receivables: &Receivables, customer: &CustomerId, as_of: NaiveDate) -> PaymentBehaviour {
    let settlements = receivables.settlements(customer);
    let since = |days: u64| {
        let from = crate::kpi::days_before(as_of, days);
        PaymentStats::of(settlements.iter().filter(move |s| s.settled_on > from && s.settled_on <= as_of))
    };
    let open_items = receivables.open_items(customer);
    let overdue: Decimal = open_items.iter().filter(|i| i.due_date < as_of).map(|i| i.open).sum();
    let oldest = open_items.iter().map(|i| (as_of - i.due_date).num_days()).max().unwrap_or(0).max(0);
    PaymentBehaviour {
        customer: customer.clone(),
        all_time: PaymentStats::of(settlements.iter().filter(|s| s.settled_on <= as_of)),
        last_3_months: since(91),
        last_6_months: since(182),
        last_12_months: since(365),
        open: open_items.iter().map(|i| i.open).sum(),
        overdue,
        oldest_overdue_days: oldest,
    }
}

/// The documented rules that turn behaviour into a score (0 to 100) and a class.
///
/// The score starts at 100 and loses:
/// - `per_weighted_day_late` points per weighted day late over the last 12 months, at most
///   `max_lateness_penalty`;
/// - `overdue_share_penalty` times the share of open receivables that is overdue;
/// - `long_overdue_penalty` when the oldest open invoice is more than `long_overdue_days` past due;
/// - `worsening_penalty` when the 3-month trend is more than `worsening_days` slower.
///
/// Then: A at or above `class_floors[0]`, B at or above `[1]`, C `[2]`, D `[3]`, else E.
/// A customer without any payment yet scores from its open items alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoringRules {
    /// Points lost per weighted day late.
    pub per_weighted_day_late: f64,
    /// Cap on the lateness penalty.
    pub max_lateness_penalty: f64,
    /// Points lost for an overdue share of 1.
    pub overdue_share_penalty: f64,
    /// Points lost for a long-overdue invoice.
    pub long_overdue_penalty: f64,
    /// What counts as long overdue, in days.
    pub long_overdue_days: i64,
    /// Points lost when paying is getting slower.
    pub worsening_penalty: f64,
    /// How many days slower counts as worsening.
    pub worsening_days: f64,
    /// Lowest scores of classes A, B, C and D.
    pub class_floors: [f64; 4],
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            per_weighted_day_late: 1.0,
            max_lateness_penalty: 45.0,
            overdue_share_penalty: 25.0,
            long_overdue_penalty: 15.0,
            long_overdue_days: 60,
            worsening_penalty: 10.0,
            worsening_days: 10.0,
            class_floors: [85.0, 70.0, 55.0, 40.0],
        }
    }
}

impl ScoringRules {
    /// The score of a behaviour, with a reason for every point lost.
    pub fn score(&self, b: &PaymentBehaviour) -> (f64, Vec<String>) {
        let mut score = 100.0;
        let mut reasons = Vec::new();
        if let Some(late) = b.last_12_months.weighted_days_late.filter(|d| *d > 0.0) {
            let penalty = (late * self.per_weighted_day_late).min(self.max_lateness_penalty);
            score -= penalty;
            reasons
                .push(format!("paid {late:.1} days late on average (amount-weighted, last 12 months): -{penalty:.1}"));
        }
        if b.open > Decimal::ZERO && b.overdue > Decimal::ZERO {
            let share = (b.overdue / b.open).to_f64().unwrap_or(0.0);
            let penalty = share * self.overdue_share_penalty;
            score -= penalty;
            reasons.push(format!("{:.0} % of open receivables overdue: -{penalty:.1}", share * 100.0));
        }
        if b.oldest_overdue_days > self.long_overdue_days {
            score -= self.long_overdue_penalty;
            reasons
                .push(format!("an invoice {} days past due: -{:.1}", b.oldest_overdue_days, self.long_overdue_penalty));
        }
        if b.trend().is_some_and(|t| t > self.worsening_days) {
            score -= self.worsening_penalty;
            reasons.push(format!("paying more slowly over the last 3 months: -{:.1}", self.worsening_penalty));
        }
        (score.max(0.0), reasons)
    }

    /// The class of a score.
    pub fn class(&self, score: f64) -> RiskClass {
        let [a, b, c, d] = self.class_floors;
        if score >= a {
            RiskClass::A
        } else if score >= b {
            RiskClass::B
        } else if score >= c {
            RiskClass::C
        } else if score >= d {
            RiskClass::D
        } else {
            RiskClass::E
        }
    }
}

/// How a limit is recommended: the average monthly purchases of the last 12 months, times the
/// months of purchases the terms leave unpaid (`terms_days / 30 + 1`), times the class's factor,
/// rounded up to `rounding`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitRules {
    /// Factors of classes A to E.
    pub class_factors: [Decimal; 5],
    /// The step the limit is rounded up to.
    pub rounding: Decimal,
}

impl Default for LimitRules {
    fn default() -> Self {
        LimitRules {
            class_factors: [Decimal::new(15, 1), Decimal::new(12, 1), Decimal::ONE, Decimal::new(5, 1), Decimal::ZERO],
            rounding: Decimal::from(1000),
        }
    }
}

/// A recommended limit and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitRecommendation {
    /// The customer.
    pub customer: CustomerId,
    /// The score.
    pub score: f64,
    /// The class of the score.
    pub risk_class: RiskClass,
    /// The recommended limit.
    pub limit: Decimal,
    /// Every step that produced it.
    pub reasons: Vec<String>,
}

/// Scores a customer and recommends a limit for terms of `terms_days`.
pub fn recommend_limit(
    receivables: &Receivables,
    customer: &CustomerId,
    terms_days: u32,
    as_of: NaiveDate,
    scoring: &ScoringRules,
    limits: &LimitRules,
) -> Result<LimitRecommendation> {
    if limits.rounding <= Decimal::ZERO {
        return Err(OmoError::InvalidArgument { name: "rounding", message: "must be positive".into() });
    }
    let behaviour = payment_behaviour(receivables, customer, as_of);
    let (score, mut reasons) = scoring.score(&behaviour);
    let class = scoring.class(score);
    reasons.push(format!("score {score:.1}: class {}", class.as_str()));
    let purchases =
        receivables.invoiced_between(customer, crate::kpi::days_before(as_of, 365), as_of).max(Decimal::ZERO);
    let monthly = purchases / Decimal::from(12);
    let months = Decimal::from(terms_days) / Decimal::from(30) + Decimal::ONE;
    let factor = limits
        .class_factors
        .get(RiskClass::ALL.iter().position(|c| *c == class).unwrap_or(2))
        .copied()
        .unwrap_or(Decimal::ONE);
    let rounded = |raw: Decimal| raw.checked_div(limits.rounding)?.ceil().checked_mul(limits.rounding);
    let raw_and_limit =
        monthly.checked_mul(months).and_then(|m| m.checked_mul(factor)).and_then(|raw| Some((raw, rounded(raw)?)));
    let (raw, limit) = raw_and_limit.ok_or_else(|| OmoError::InvalidArgument {
        name: "limits",
        message: format!(
            "the limit of {customer} ({} x {} months x class factor {factor}, rounded up to {}) is larger than a decimal holds",
            monthly.round_dp(2),
            months.round_dp(2),
            limits.rounding
        ),
    })?;
    reasons.push(format!(
        "average monthly purchases {} x {} months of terms ({} days + 1 month) x class {} factor {} = {}, rounded up to {}",
        monthly.round_dp(2),
        months.round_dp(2),
        terms_days,
        class.as_str(),
        factor,
        raw.round_dp(2),
        limit
    ));
    Ok(LimitRecommendation { customer: customer.clone(), score, risk_class: class, limit, reasons })
}
