//! A quasi-Newton (BFGS) minimiser with finite-difference gradients, for the ARIMA
//! likelihoods: R's `arima` and statsforecast's fit them with BFGS (`optim`, scipy's
//! `minimize`), and with up to a dozen unbounded parameters and a smooth objective it needs far
//! fewer evaluations than the project's Nelder-Mead (`optimize::minimise`), which works in a box
//! and suits the two or three smoothing parameters of the exponential-smoothing models.

/// The result of a minimisation.
#[derive(Debug, Clone)]
pub(super) struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    /// Whether it stopped by converging (not by running out of iterations).
    pub converged: bool,
}

/// The gradient of `f` at `x` by forward differences (steps of sqrt(eps) relative to |x|, as
/// scipy's default), into `g`.
fn gradient(f: &mut impl FnMut(&[f64]) -> f64, x: &mut [f64], fx: f64, g: &mut [f64]) {
    for i in 0..x.len() {
        let xi = x[i];
        let step = 1.490_116_119_384_765_6e-8 * xi.abs().max(1.0);
        x[i] = xi + step;
        let up = f(x);
        x[i] = xi;
        g[i] = if up.is_finite() {
            (up - fx) / step
        } else {
            // A wall ahead: look behind instead.
            x[i] = xi - step;
            let down = f(x);
            x[i] = xi;
            if down.is_finite() { (fx - down) / step } else { 0.0 }
        };
    }
}

/// Minimises `f` from `start` by BFGS with a backtracking (Armijo) line search: stops when the
/// gradient's largest component is below `gtol`, when a step improves the value by less than a
/// relative `ftol`, or after `max_iterations`. Non-finite values count as +infinity.
pub(super) fn bfgs(
    mut f: impl FnMut(&[f64]) -> f64,
    start: &[f64],
    max_iterations: usize,
    gtol: f64,
    ftol: f64,
) -> Minimum {
    let n = start.len();
    let mut eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut x = start.to_vec();
    let mut fx = eval(&x);
    if n == 0 || !fx.is_finite() {
        return Minimum { x, value: fx, converged: n == 0 };
    }
    let mut g = vec![0.0; n];
    gradient(&mut eval, &mut x, fx, &mut g);
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    let (mut direction, mut trial, mut g_new, mut s, mut yv, mut hy) =
        (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut converged = false;
    for _ in 0..max_iterations {
        if g.iter().all(|v| v.abs() <= gtol) {
            converged = true;
            break;
        }
        for i in 0..n {
            direction[i] = -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>();
        }
        let mut slope: f64 = direction.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h.iter_mut().enumerate().for_each(|(k, v)| *v = if k % (n + 1) == 0 { 1.0 } else { 0.0 });
            direction.iter_mut().zip(&g).for_each(|(d, g)| *d = -g);
            slope = -g.iter().map(|g| g * g).sum::<f64>();
        }
        // Keep the first trial step moderate: the parameters live on a scale of about 1.
        let longest = direction.iter().fold(0.0f64, |a, d| a.max(d.abs()));
        let mut alpha = if longest > 1.0 { 1.0 / longest } else { 1.0 };
        let mut f_trial = f64::INFINITY;
        let mut found = false;
        for _ in 0..40 {
            for i in 0..n {
                trial[i] = x[i] + alpha * direction[i];
            }
            f_trial = eval(&trial);
            if f_trial <= fx + 1e-4 * alpha * slope {
                found = true;
                break;
            }
            alpha *= 0.5;
        }
        if !found {
            converged = true;
            break;
        }
        let improvement = fx - f_trial;
        gradient(&mut eval, &mut trial, f_trial, &mut g_new);
        for i in 0..n {
            s[i] = trial[i] - x[i];
            yv[i] = g_new[i] - g[i];
        }
        x.copy_from_slice(&trial);
        g.copy_from_slice(&g_new);
        fx = f_trial;
        if improvement <= ftol * (fx.abs() + ftol) {
            converged = true;
            break;
        }
        let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
        if sy > 1e-12 {
            for i in 0..n {
                hy[i] = (0..n).map(|j| h[i * n + j] * yv[j]).sum();
            }
            let yhy: f64 = yv.iter().zip(&hy).map(|(a, b)| a * b).sum();
            let rho = 1.0 / sy;
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
                }
            }
        }
    }
    Minimum { x, value: fx, converged }
}
