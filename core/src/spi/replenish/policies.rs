//! Optimal stochastic policies: (s, S) periodic review and (r, Q) continuous review, the
//! Wagner-Whitin lot-sizing plan, and the guaranteed-service model for safety stock across echelons.

use statrs::distribution::{ContinuousCDF, Discrete, Normal, Poisson};

use super::formulas::{
    eoq, invalid, non_negative, normal_quantile, poisson_level_cost, positive, standard_normal_loss,
    standard_normal_second_loss,
};
use crate::error::Result;

/// An (s, S) policy: when the inventory position is at or below `s`, order up to `S`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SsPolicy {
    /// Reorder point `s`.
    pub reorder_point: i64,
    /// Order-up-to level `S`.
    pub order_up_to: i64,
    /// Expected cost per period.
    pub cost: f64,
}

/// The optimal (s, S) policy for Poisson demand per period, zero lead time, backorders, by the
/// exact algorithm of Zheng & Federgruen (1991). `fixed_cost` is paid per order.
///
/// ```
/// let policy = omo_core::spi::optimal_ss_poisson(1.0, 4.0, 5.0, 6.0)?; // Snyder & Shen, Example 4.7
/// assert_eq!((policy.reorder_point, policy.order_up_to), (4, 10));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn optimal_ss_poisson(holding_cost: f64, stockout_cost: f64, fixed_cost: f64, mean: f64) -> Result<SsPolicy> {
    let k = non_negative("fixed_cost", fixed_cost)?;
    let g = |y: i64| poisson_level_cost(y, holding_cost, stockout_cost, mean, 0);
    let demand = Poisson::new(positive("mean", mean)?).map_err(|e| invalid("mean", e.to_string()))?;
    // m(j): expected number of periods the position spends j units below S (renewal masses).
    let p0 = demand.pmf(0);
    let mut masses: Vec<f64> = Vec::new();
    let mass = |j: usize, masses: &mut Vec<f64>| -> f64 {
        while masses.len() <= j {
            let n = masses.len();
            let m = if n == 0 {
                1.0 / (1.0 - p0)
            } else {
                (1..=n).map(|l| demand.pmf(l as u64) * masses[n - l]).sum::<f64>() / (1.0 - p0)
            };
            masses.push(m);
        }
        masses[j]
    };
    let cost_of = |s: i64, big_s: i64, masses: &mut Vec<f64>| -> Result<f64> {
        let n = usize::try_from(big_s - s).map_err(|_| invalid("order_up_to", "must exceed the reorder point"))?;
        let (mut total, mut weight) = (k, 0.0);
        for j in 0..n {
            let m = mass(j, masses);
            total += m * g(big_s - j as i64)?;
            weight += m;
        }
        Ok(total / weight)
    };
    // y*: the minimiser of the one-period cost.
    let mut y_star = (mean.floor()) as i64;
    while g(y_star + 1)? < g(y_star)? {
        y_star += 1;
    }
    while g(y_star - 1)? < g(y_star)? {
        y_star -= 1;
    }
    let mut s = y_star - 1;
    while cost_of(s, y_star, &mut masses)? > g(s)? {
        s -= 1;
    }
    let (mut best_s, mut best_cost) = (y_star, cost_of(s, y_star, &mut masses)?);
    let mut candidate = y_star + 1;
    while g(candidate)? <= best_cost {
        if cost_of(s, candidate, &mut masses)? < best_cost {
            best_s = candidate;
            while cost_of(s, best_s, &mut masses)? <= g(s + 1)? {
                s += 1;
            }
            best_cost = cost_of(s, best_s, &mut masses)?;
        }
        candidate += 1;
    }
    Ok(SsPolicy { reorder_point: s, order_up_to: best_s, cost: best_cost })
}

/// An (r, Q) policy: when the inventory position falls to `r`, order `Q`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RqPolicy {
    /// Reorder point `r`.
    pub reorder_point: f64,
    /// Order quantity `Q`.
    pub order_quantity: f64,
    /// Expected cost per unit time where the method gives one.
    pub cost: Option<f64>,
}

/// Demand per unit time (`mean`, `sd`) and lead time `L` give lead-time demand `(mean L, sd sqrt(L))`.
struct LeadTimeDemand {
    mu: f64,
    sigma: f64,
}

fn lead_time_demand(mean: f64, sd: f64, lead_time: f64) -> Result<LeadTimeDemand> {
    let l = non_negative("lead_time", lead_time)?;
    Ok(LeadTimeDemand { mu: non_negative("demand_mean", mean)? * l, sigma: positive("demand_sd", sd)? * l.sqrt() })
}

/// (r, Q) by "EOQ plus safety stock": `Q = EOQ`, `r = mu_L + Phi^-1(p / (p + h)) sigma_L`.
pub fn rq_eoq_plus_safety_stock(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    mean: f64,
    sd: f64,
    lead_time: f64,
) -> Result<RqPolicy> {
    let ltd = lead_time_demand(mean, sd, lead_time)?;
    let (h, p) = (positive("holding_cost", holding_cost)?, positive("stockout_cost", stockout_cost)?);
    let q = eoq(fixed_cost, h, mean)?;
    Ok(RqPolicy { reorder_point: ltd.mu + normal_quantile(p / (p + h))? * ltd.sigma, order_quantity: q, cost: None })
}

/// The checked inputs of an (r, Q) approximation.
struct RqProblem {
    ltd: LeadTimeDemand,
    h: f64,
    p: f64,
    k: f64,
    lambda: f64,
}

impl RqProblem {
    fn new(holding_cost: f64, stockout_cost: f64, fixed_cost: f64, mean: f64, sd: f64, lead_time: f64) -> Result<Self> {
        Ok(RqProblem {
            ltd: lead_time_demand(mean, sd, lead_time)?,
            h: positive("holding_cost", holding_cost)?,
            p: positive("stockout_cost", stockout_cost)?,
            k: positive("fixed_cost", fixed_cost)?,
            lambda: positive("demand_mean", mean)?,
        })
    }

    /// First- and second-order loss of lead-time demand at `r`.
    fn losses(&self, r: f64) -> (f64, f64) {
        let z = (r - self.ltd.mu) / self.ltd.sigma;
        (self.ltd.sigma * standard_normal_loss(z), self.ltd.sigma * self.ltd.sigma * standard_normal_second_loss(z))
    }

    /// Iterates `(r, Q) = step(Q)` from `Q = EOQ` until both move less than 1e-9.
    fn fixed_point(&self, step: impl Fn(f64) -> Result<(f64, f64)>) -> Result<(f64, f64)> {
        let (mut r, mut q) = (0.0, eoq(self.k, self.h, self.lambda)?);
        for _ in 0..1000 {
            let (next_r, next_q) = step(q)?;
            let done = (next_r - r).abs() <= 1e-9 && (next_q - q).abs() <= 1e-9;
            (r, q) = (next_r, next_q);
            if done {
                break;
            }
        }
        Ok((r, q))
    }
}

/// (r, Q) by the expected-inventory-level approximation (Hadley & Whitin), iterating
/// `r = F^-1(1 - Q h / (p lambda))` and `Q = sqrt(2 lambda (K + p n(r)) / h)` from `Q = EOQ`.
pub fn rq_expected_inventory_level(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    mean: f64,
    sd: f64,
    lead_time: f64,
) -> Result<RqPolicy> {
    let pr = RqProblem::new(holding_cost, stockout_cost, fixed_cost, mean, sd, lead_time)?;
    let (h, p, k, lambda) = (pr.h, pr.p, pr.k, pr.lambda);
    let (r, q) = pr.fixed_point(|q| {
        let r = pr.ltd.mu + pr.ltd.sigma * normal_quantile(1.0 - q * h / (p * lambda))?;
        Ok((r, (2.0 * lambda * (k + p * pr.losses(r).0) / h).sqrt()))
    })?;
    let cost = h * (r - pr.ltd.mu + q / 2.0) + k * lambda / q + p * lambda * pr.losses(r).0 / q;
    Ok(RqPolicy { reorder_point: r, order_quantity: q, cost: Some(cost) })
}

/// (r, Q) by the loss-function approximation (Hadley & Whitin), iterating
/// `Q = sqrt(2 (K lambda + (h + p) n2(r)) / h)` and `n(r) = h Q / (h + p)` from `Q = EOQ`.
pub fn rq_loss_function(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    mean: f64,
    sd: f64,
    lead_time: f64,
) -> Result<RqPolicy> {
    let pr = RqProblem::new(holding_cost, stockout_cost, fixed_cost, mean, sd, lead_time)?;
    let (h, p, k, lambda) = (pr.h, pr.p, pr.k, pr.lambda);
    let (r, q) = pr.fixed_point(|q| {
        // n(.) decreases: bisect for n(r) = h Q / (h + p).
        let target = h * q / (h + p);
        let (mut lo, mut hi) = (pr.ltd.mu - 20.0 * pr.ltd.sigma - q, pr.ltd.mu + 20.0 * pr.ltd.sigma);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if pr.losses(mid).0 > target { lo = mid } else { hi = mid }
        }
        let r = 0.5 * (lo + hi);
        Ok((r, (2.0 * (k * lambda + (h + p) * pr.losses(r).1) / h).sqrt()))
    })?;
    Ok(RqPolicy { reorder_point: r, order_quantity: q, cost: None })
}

/// The exact optimal integer (r, Q) for Poisson demand (Federgruen & Zheng, 1992): the cost
/// `(K lambda + sum_{y=r+1}^{r+Q} g(y)) / Q` with `g` the one-period cost of lead-time demand.
/// The window of `Q` levels grows one level at a time, taking the cheaper neighbour, until the
/// next level costs more than the current average.
pub fn rq_poisson_exact(
    holding_cost: f64,
    stockout_cost: f64,
    fixed_cost: f64,
    mean: f64,
    lead_time: f64,
) -> Result<RqPolicy> {
    let lambda = positive("demand_mean", mean)?;
    let k = positive("fixed_cost", fixed_cost)?;
    let mu = lambda * non_negative("lead_time", lead_time)?;
    let g = |y: i64| poisson_level_cost(y, holding_cost, stockout_cost, mu.max(f64::MIN_POSITIVE), 0);
    let mut y = mu.floor() as i64;
    while g(y + 1)? < g(y)? {
        y += 1;
    }
    while g(y - 1)? < g(y)? {
        y -= 1;
    }
    let (mut low, mut high, mut sum) = (y, y, g(y)?);
    let mut q = 1i64;
    let mut cost = (k * lambda + sum) / q as f64;
    loop {
        let (below, above) = (g(low - 1)?, g(high + 1)?);
        let next = below.min(above);
        if next >= cost {
            break;
        }
        if below < above {
            low -= 1
        } else {
            high += 1
        }
        sum += next;
        q += 1;
        cost = (k * lambda + sum) / q as f64;
    }
    Ok(RqPolicy { reorder_point: (low - 1) as f64, order_quantity: q as f64, cost: Some(cost) })
}

/// A Wagner-Whitin plan: what to order in each period.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LotSizingPlan {
    /// Quantity ordered in each period (same length as the demand).
    pub order_quantities: Vec<f64>,
    /// Fixed plus holding cost of the plan.
    pub total_cost: f64,
    /// For each period t, the period of the next order in the optimal plan started at t
    /// (`demand.len()` when none).
    pub next_order_period: Vec<usize>,
}

/// Dynamic lot sizing (Wagner & Whitin, 1958): the orders that meet every period's demand at least
/// fixed plus holding cost, with holding cost per unit carried over a period.
///
/// ```
/// let plan = omo_core::spi::wagner_whitin(&[90.0, 120.0, 80.0, 70.0], 2.0, 500.0)?;
/// assert_eq!(plan.order_quantities, vec![210.0, 0.0, 150.0, 0.0]);
/// assert_eq!(plan.total_cost, 1380.0);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn wagner_whitin(demand: &[f64], holding_cost: f64, fixed_cost: f64) -> Result<LotSizingPlan> {
    let (h, k) = (non_negative("holding_cost", holding_cost)?, non_negative("fixed_cost", fixed_cost)?);
    for &d in demand {
        non_negative("demand", d)?;
    }
    let n = demand.len();
    // theta[t]: least cost of periods t.. when ordering in t; next[t]: the next order period.
    let mut theta = vec![0.0; n + 1];
    let mut next = vec![n; n + 1];
    for t in (0..n).rev() {
        let (mut best, mut best_next, mut holding) = (f64::INFINITY, n, 0.0);
        for s in t + 1..=n {
            // Ordering in t covers t..s-1; demand of period s-1 is held s-1-t periods.
            holding += h * (s - 1 - t) as f64 * demand[s - 1];
            let cost = k + holding + theta[s];
            if cost < best {
                (best, best_next) = (cost, s);
            }
        }
        theta[t] = best;
        next[t] = best_next;
    }
    let mut order_quantities = vec![0.0; n];
    let mut t = 0;
    while t < n {
        order_quantities[t] = demand[t..next[t]].iter().sum();
        t = next[t];
    }
    next.truncate(n);
    Ok(LotSizingPlan { order_quantities, total_cost: theta.first().copied().unwrap_or(0.0), next_order_period: next })
}

/// One stage of a guaranteed-service supply chain.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GsmStage {
    /// Holding cost per unit of safety stock.
    pub holding_cost: f64,
    /// Processing time (periods).
    pub processing_time: u32,
    /// Standard deviation of the demand the stage serves, per period.
    pub demand_sd: f64,
}

/// Optimal committed service times of a serial guaranteed-service chain (Graves & Willems, 2000),
/// stages listed from the most upstream to the demand stage. `inbound_service_time` is what the
/// outside supplier commits to the first stage, `max_outbound_service_time` what the last stage
/// may quote to customers; `z` the safety factor. Returns the service times and the total cost
/// `sum h_k z sd_k sqrt(SI_k + T_k - S_k)`.
pub fn gsm_serial(
    stages: &[GsmStage],
    inbound_service_time: u32,
    max_outbound_service_time: u32,
    z: f64,
) -> Result<(Vec<u32>, f64)> {
    let z = non_negative("z", z)?;
    if stages.is_empty() {
        return Err(invalid("stages", "need at least one stage"));
    }
    let total_time: u32 = inbound_service_time + stages.iter().map(|s| s.processing_time).sum::<u32>();
    // best[si]: least cost of the stages from here downstream when this stage's inbound service
    // time is si, and the service times chosen.
    let mut best: Vec<Option<(f64, Vec<u32>)>> = vec![Some((0.0, Vec::new())); total_time as usize + 1];
    for (index, stage) in stages.iter().enumerate().rev() {
        let last = index + 1 == stages.len();
        let mut here = vec![None; total_time as usize + 1];
        for si in 0..=total_time {
            let mut choice: Option<(f64, Vec<u32>)> = None;
            let max_s = if last {
                max_outbound_service_time.min(si + stage.processing_time)
            } else {
                si + stage.processing_time
            };
            for s in 0..=max_s.min(total_time) {
                let Some((downstream, times)) = best.get(s as usize).cloned().flatten() else { continue };
                let net = f64::from(si + stage.processing_time - s);
                let cost = stage.holding_cost * z * stage.demand_sd * net.sqrt() + downstream;
                if choice.as_ref().is_none_or(|c| cost < c.0) {
                    let mut times = times;
                    times.insert(0, s);
                    choice = Some((cost, times));
                }
            }
            here[si as usize] = choice;
        }
        best = here;
    }
    let (cost, times) = best
        .get(inbound_service_time as usize)
        .cloned()
        .flatten()
        .ok_or_else(|| invalid("max_outbound_service_time", "no feasible service times"))?;
    Ok((times, cost))
}

/// Safety stock of a guaranteed-service stage: `z sd sqrt(SI + T - S)` (zero net lead time, zero stock).
pub fn gsm_safety_stock(
    z: f64,
    demand_sd: f64,
    inbound_service_time: u32,
    processing_time: u32,
    outbound_service_time: u32,
) -> Result<f64> {
    let net = i64::from(inbound_service_time) + i64::from(processing_time) - i64::from(outbound_service_time);
    if net < 0 {
        return Err(invalid(
            "outbound_service_time",
            format!("exceeds inbound service time plus processing time by {}", -net),
        ));
    }
    Ok(non_negative("z", z)? * non_negative("demand_sd", demand_sd)? * (net as f64).sqrt())
}

/// The fraction of demand cycles without stock-out at reorder point `r` for normal lead-time demand.
pub fn cycle_service_level(reorder_point: f64, lead_time_mean: f64, lead_time_sd: f64) -> Result<f64> {
    let n = Normal::new(lead_time_mean, positive("lead_time_sd", lead_time_sd)?)
        .map_err(|e| invalid("lead_time_sd", e.to_string()))?;
    Ok(n.cdf(reorder_point))
}
