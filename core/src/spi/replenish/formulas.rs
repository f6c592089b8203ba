//! Closed-form inventory formulas: safety stock, reorder point, EOQ (with all-units discounts),
//! newsvendor and base-stock levels for normal and Poisson demand, and the normal loss functions.
//!
//! Notation follows Snyder & Shen, *Fundamentals of Supply Chain Theory* (2nd ed.): `h` holding
//! cost, `p` stockout (backorder) cost, `K` fixed order cost, `lambda` demand rate. Results are
//! `f64` (these are planning quantities, not booked ones); every argument is checked and a bad one
//! is an [`OmoError::InvalidArgument`] that names it.

use statrs::distribution::{Continuous, ContinuousCDF, Discrete, DiscreteCDF, Normal, Poisson};

use crate::error::{OmoError, Result};

pub(crate) fn invalid(name: &'static str, message: impl Into<String>) -> OmoError {
    OmoError::InvalidArgument { name, message: message.into() }
}

/// `value` must be finite and positive.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, format!("must be a positive number, got {value}")))
    }
}

/// `value` must be finite and zero or positive.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, format!("must be zero or positive, got {value}")))
    }
}

/// A probability strictly between 0 and 1.
pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(invalid(name, format!("must lie strictly between 0 and 1, got {value}")))
    }
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// `Phi^-1(q)`: the standard normal quantile.
pub fn normal_quantile(q: f64) -> Result<f64> {
    Ok(standard_normal().inverse_cdf(probability("quantile", q)?))
}

/// Standard normal first-order loss `L(z) = E[(Z - z)^+] = phi(z) - z (1 - Phi(z))`.
pub fn standard_normal_loss(z: f64) -> f64 {
    let n = standard_normal();
    n.pdf(z) - z * (1.0 - n.cdf(z))
}

/// Standard normal second-order loss `L2(z) = E[((Z - z)^+)^2] / 2 = ((z^2 + 1)(1 - Phi(z)) - z phi(z)) / 2`.
pub fn standard_normal_second_loss(z: f64) -> f64 {
    let n = standard_normal();
    0.5 * ((z * z + 1.0) * (1.0 - n.cdf(z)) - z * n.pdf(z))
}

/// Safety stock for a cycle service level: `z * sqrt(L * sd_d^2 + d^2 * sd_L^2)`, the demand sd per
/// period, the lead time in the same periods, and the lead time's own sd (0 for a fixed lead time).
///
/// ```
/// // 50 a day with sd 5, 6 days lead time, 90 % cycle service: z = 1.2816, sigma_L = 5 sqrt(6).
/// let ss = omo_core::spi::safety_stock(0.9, 5.0, 6.0, 50.0, 0.0)?;
/// assert!((ss - 15.695737).abs() < 1e-6);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn safety_stock(
    service_level: f64,
    demand_sd: f64,
    lead_time: f64,
    demand_mean: f64,
    lead_time_sd: f64,
) -> Result<f64> {
    let z = normal_quantile(probability("service_level", service_level)?)?;
    Ok(z * lead_time_demand_sd(demand_sd, lead_time, demand_mean, lead_time_sd)?)
}

/// Standard deviation of demand over a lead time that may itself vary:
/// `sqrt(L * sd_d^2 + d^2 * sd_L^2)`.
pub fn lead_time_demand_sd(demand_sd: f64, lead_time: f64, demand_mean: f64, lead_time_sd: f64) -> Result<f64> {
    let (sd, l) = (non_negative("demand_sd", demand_sd)?, non_negative("lead_time", lead_time)?);
    let (d, sd_l) = (non_negative("demand_mean", demand_mean)?, non_negative("lead_time_sd", lead_time_sd)?);
    Ok((l * sd * sd + d * d * sd_l * sd_l).sqrt())
}

/// Reorder point: expected lead-time demand plus [`safety_stock`].
pub fn reorder_point(
    service_level: f64,
    demand_mean: f64,
    demand_sd: f64,
    lead_time: f64,
    lead_time_sd: f64,
) -> Result<f64> {
    let ss = safety_stock(service_level, demand_sd, lead_time, demand_mean, lead_time_sd)?;
    Ok(demand_mean * lead_time + ss)
}

/// Expected units short per replenishment cycle and the fill rate implied by a cycle service level,
/// for order quantity `order_quantity` and lead-time demand sd `lead_time_sd_demand`:
/// `EUS = L(z) * sigma_L`, `fill rate = 1 - EUS / Q`.
pub fn fill_rate(service_level: f64, lead_time_sd_demand: f64, order_quantity: f64) -> Result<(f64, f64)> {
    let z = normal_quantile(service_level)?;
    let short = standard_normal_loss(z) * non_negative("lead_time_sd_demand", lead_time_sd_demand)?;
    Ok((short, 1.0 - short / positive("order_quantity", order_quantity)?))
}

/// Economic order quantity `sqrt(2 K lambda / h)`.
///
/// ```
/// let q = omo_core::spi::eoq(8.0, 0.225, 1300.0)?;  // Snyder & Shen, Example 3.1
/// assert!((q - 304.0467800264368).abs() < 1e-9);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn eoq(fixed_cost: f64, holding_cost: f64, demand_rate: f64) -> Result<f64> {
    let (k, h, lambda) = (
        positive("fixed_cost", fixed_cost)?,
        positive("holding_cost", holding_cost)?,
        non_negative("demand_rate", demand_rate)?,
    );
    Ok((2.0 * k * lambda / h).sqrt())
}

/// Ordering plus holding cost per unit time of order quantity `q`: `K lambda / q + h q / 2`.
pub fn eoq_cost(order_quantity: f64, fixed_cost: f64, holding_cost: f64, demand_rate: f64) -> Result<f64> {
    let q = positive("order_quantity", order_quantity)?;
    Ok(non_negative("fixed_cost", fixed_cost)? * non_negative("demand_rate", demand_rate)? / q
        + non_negative("holding_cost", holding_cost)? * q / 2.0)
}

/// The best order quantity under all-units quantity discounts: unit cost `unit_costs[j]` applies
/// to every unit of an order of at least `breakpoints[j]` (the first breakpoint is 0), holding cost
/// is `holding_rate * unit cost`. Returns `(quantity, price region, total cost per unit time
/// including purchases)`.
pub fn eoq_all_units_discount(
    fixed_cost: f64,
    holding_rate: f64,
    demand_rate: f64,
    breakpoints: &[f64],
    unit_costs: &[f64],
) -> Result<(f64, usize, f64)> {
    if breakpoints.len() != unit_costs.len() || breakpoints.is_empty() {
        return Err(invalid("breakpoints", "need one breakpoint per unit cost, at least one"));
    }
    if breakpoints.first() != Some(&0.0) || breakpoints.windows(2).any(|w| w[1] <= w[0]) {
        return Err(invalid("breakpoints", "must start at 0 and increase"));
    }
    let (k, i, lambda) = (
        positive("fixed_cost", fixed_cost)?,
        positive("holding_rate", holding_rate)?,
        non_negative("demand_rate", demand_rate)?,
    );
    let mut best: Option<(f64, usize, f64)> = None;
    for (region, (&low, &cost)) in breakpoints.iter().zip(unit_costs).enumerate() {
        let h = i * positive("unit_costs", cost)?;
        let high = breakpoints.get(region + 1).copied().unwrap_or(f64::INFINITY);
        let q = (2.0 * k * lambda / h).sqrt().max(low);
        if q >= high || q <= 0.0 {
            // The region's best lies at or beyond the next breakpoint, where units are cheaper.
            continue;
        }
        let total = cost * lambda + k * lambda / q + h * q / 2.0;
        if best.is_none_or(|b| total < b.2) {
            best = Some((q, region, total));
        }
    }
    best.ok_or_else(|| invalid("unit_costs", "no price region"))
}

/// Newsvendor / single-period base-stock level for normal demand: `mean + Phi^-1(p / (p + h)) sd`.
///
/// ```
/// let s = omo_core::spi::newsvendor_normal(0.18, 0.7, 50.0, 8.0)?; // Snyder & Shen, Example 4.3
/// assert!((s - 56.60395592743389).abs() < 1e-9);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn newsvendor_normal(holding_cost: f64, stockout_cost: f64, mean: f64, sd: f64) -> Result<f64> {
    base_stock_normal(holding_cost, stockout_cost, mean, sd, 0.0)
}

/// Base-stock level with a lead time of `lead_time` periods under periodic review: demand over
/// `lead_time + 1` periods has mean `mean (L + 1)` and sd `sd sqrt(L + 1)`.
pub fn base_stock_normal(holding_cost: f64, stockout_cost: f64, mean: f64, sd: f64, lead_time: f64) -> Result<f64> {
    let (h, p) = (positive("holding_cost", holding_cost)?, positive("stockout_cost", stockout_cost)?);
    let periods = non_negative("lead_time", lead_time)? + 1.0;
    let (mu, sigma) = (non_negative("mean", mean)? * periods, non_negative("sd", sd)? * periods.sqrt());
    Ok(mu + normal_quantile(p / (p + h))? * sigma)
}

/// Expected cost per period of base-stock level `level` (normal demand, lead time `lead_time`):
/// `h (S - mu) + (h + p) sigma L((S - mu) / sigma)`.
pub fn base_stock_normal_cost(
    level: f64,
    holding_cost: f64,
    stockout_cost: f64,
    mean: f64,
    sd: f64,
    lead_time: f64,
) -> Result<f64> {
    let (h, p) = (positive("holding_cost", holding_cost)?, positive("stockout_cost", stockout_cost)?);
    let periods = non_negative("lead_time", lead_time)? + 1.0;
    let (mu, sigma) = (non_negative("mean", mean)? * periods, positive("sd", sd)? * periods.sqrt());
    Ok(h * (level - mu) + (h + p) * sigma * standard_normal_loss((level - mu) / sigma))
}

/// The newsvendor with revenue `r`, purchase cost `c` and salvage value `v`: order
/// `mean + Phi^-1((r - c) / (r - v)) sd`. Returns `(quantity, expected profit)`.
pub fn newsvendor_profit(revenue: f64, purchase_cost: f64, salvage: f64, mean: f64, sd: f64) -> Result<(f64, f64)> {
    let (r, c, v) = (
        positive("revenue", revenue)?,
        non_negative("purchase_cost", purchase_cost)?,
        non_negative("salvage", salvage)?,
    );
    if !(v < c && c < r) {
        return Err(invalid("purchase_cost", format!("need salvage < purchase cost < revenue, got {v}, {c}, {r}")));
    }
    let (underage, overage) = (r - c, c - v);
    let q = newsvendor_normal(overage, underage, mean, sd)?;
    Ok((q, underage * mean - base_stock_normal_cost(q, overage, underage, mean, sd, 0.0)?))
}

fn poisson(mean: f64) -> Result<Poisson> {
    Poisson::new(positive("mean", mean)?).map_err(|e| invalid("mean", e.to_string()))
}

/// Newsvendor / base-stock level for Poisson demand: the smallest integer `S` with
/// `F(S) >= p / (p + h)`; `lead_time` periods of lead time add to the mean (`mean (L + 1)`).
///
/// ```
/// assert_eq!(omo_core::spi::newsvendor_poisson(1.0, 4.0, 6.0, 0)?, 8); // Example 4.7
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn newsvendor_poisson(holding_cost: f64, stockout_cost: f64, mean: f64, lead_time: u32) -> Result<u64> {
    let (h, p) = (positive("holding_cost", holding_cost)?, positive("stockout_cost", stockout_cost)?);
    let demand = poisson(mean * f64::from(lead_time + 1))?;
    let target = p / (p + h);
    let mut level = 0u64;
    while demand.cdf(level) < target {
        level += 1;
    }
    Ok(level)
}

/// Expected cost `E[h (S - D)^+ + p (D - S)^+]` of an integer level `S` for Poisson demand `D`
/// with mean `mean (L + 1)`.
pub fn poisson_level_cost(level: i64, holding_cost: f64, stockout_cost: f64, mean: f64, lead_time: u32) -> Result<f64> {
    let (h, p) = (non_negative("holding_cost", holding_cost)?, non_negative("stockout_cost", stockout_cost)?);
    let mu = positive("mean", mean)? * f64::from(lead_time + 1);
    let demand = poisson(mu)?;
    // E[(S - D)^+] = S - mu + E[(D - S)^+]; the loss E[(D - S)^+] sums the upper tail.
    let s = level as f64;
    let loss = if level < 0 {
        mu - s
    } else {
        mu - s + (0..level.unsigned_abs()).map(|d| (s - d as f64) * demand.pmf(d)).sum::<f64>()
    };
    Ok(h * (s - mu + loss) + p * loss)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(
            eoq(-1.0, 1.0, 1.0).unwrap_err().to_string(),
            "invalid argument fixed_cost: must be a positive number, got -1"
        );
        assert!(matches!(
            safety_stock(1.0, 1.0, 1.0, 0.0, 0.0),
            Err(OmoError::InvalidArgument { name: "service_level", .. })
        ));
        assert!(matches!(
            newsvendor_normal(0.1, f64::NAN, 1.0, 1.0),
            Err(OmoError::InvalidArgument { name: "stockout_cost", .. })
        ));
        assert!(eoq_all_units_discount(1.0, 0.1, 10.0, &[0.0, 5.0], &[1.0]).is_err());
    }

    #[test]
    fn loss_functions_match_their_integrals() {
        // L(0) = phi(0) = 0.398942..., L2(0) = 1/4.
        assert!((standard_normal_loss(0.0) - 0.3989422804014327).abs() < 1e-15);
        assert!((standard_normal_second_loss(0.0) - 0.25).abs() < 1e-15);
    }
}
