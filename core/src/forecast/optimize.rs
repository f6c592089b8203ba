//! Minimisers for the smoothing parameters of a model: a small Nelder-Mead search for two or
//! three parameters, and a golden-section search for one. The parameters live in a box; the
//! Nelder-Mead search works on unconstrained values mapped into the box by a logistic function,
//! so every point it tries is admissible.

/// Minimises `f` over the box `[low, high]` (one pair per parameter) from `start`; returns the
/// best point and its value. Deterministic: the same input gives the same answer.
pub(crate) fn minimise(
    f: impl Fn(&[f64]) -> f64,
    start: &[f64],
    low: &[f64],
    high: &[f64],
    max_iterations: usize,
) -> (Vec<f64>, f64) {
    let n = start.len();
    let to_box = |u: &[f64]| -> Vec<f64> {
        u.iter().zip(low.iter().zip(high)).map(|(x, (l, h))| l + (h - l) / (1.0 + (-x).exp())).collect()
    };
    let from_box = |p: &[f64]| -> Vec<f64> {
        p.iter()
            .zip(low.iter().zip(high))
            .map(|(x, (l, h))| {
                let t = ((x - l) / (h - l)).clamp(1e-6, 1.0 - 1e-6);
                (t / (1.0 - t)).ln()
            })
            .collect()
    };
    let cost = |u: &[f64]| {
        let value = f(&to_box(u));
        if value.is_finite() { value } else { f64::INFINITY }
    };
    let origin = from_box(start);
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((origin.clone(), cost(&origin)));
    for i in 0..n {
        let mut vertex = origin.clone();
        if let Some(x) = vertex.get_mut(i) {
            *x += 1.0;
        }
        let value = cost(&vertex);
        simplex.push((vertex, value));
    }
    for _ in 0..max_iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        // Stop when the simplex's values agree to a relative 1e-6: on likelihoods in the
        // thousands that is far below any difference between models (R's optim uses 1e-8).
        if (worst - best).abs() <= 1e-6 * (best.abs() + 1e-6) {
            break;
        }
        let centroid: Vec<f64> =
            (0..n).map(|j| simplex[..n].iter().map(|(v, _)| v[j]).sum::<f64>() / n as f64).collect();
        let towards =
            |t: f64| -> Vec<f64> { centroid.iter().zip(&simplex[n].0).map(|(c, w)| c + t * (w - c)).collect() };
        let reflected = towards(-1.0);
        let reflected_cost = cost(&reflected);
        if reflected_cost < simplex[0].1 {
            let expanded = towards(-2.0);
            let expanded_cost = cost(&expanded);
            simplex[n] =
                if expanded_cost < reflected_cost { (expanded, expanded_cost) } else { (reflected, reflected_cost) };
        } else if reflected_cost < simplex[n - 1].1 {
            simplex[n] = (reflected, reflected_cost);
        } else {
            let contracted = towards(0.5);
            let contracted_cost = cost(&contracted);
            if contracted_cost < worst {
                simplex[n] = (contracted, contracted_cost);
            } else {
                let best_point = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let shrunk: Vec<f64> = best_point.iter().zip(&vertex.0).map(|(b, v)| b + 0.5 * (v - b)).collect();
                    let shrunk_cost = cost(&shrunk);
                    *vertex = (shrunk, shrunk_cost);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    (to_box(&simplex[0].0), simplex[0].1)
}

/// Minimises a function of one variable that has a single minimum on `[low, high]` by
/// golden-section search, to an interval narrower than 1e-12; returns the point. Where the two
/// inner points tie exactly (a flat function), the search ends at the middle of the interval
/// left, as statsforecast's does.
pub(crate) fn golden_section(f: impl Fn(f64) -> f64, low: f64, high: f64) -> f64 {
    // The golden ratio divides (rather than its inverse multiplying) and the interval shrinks
    // to 1e-12, as statsforecast's search does: on a flat objective a rounding of the points
    // decides where it stops, so the same arithmetic gives the same parameter.
    let golden = (5f64.sqrt() + 1.0) / 2.0;
    let (mut a, mut b) = (low, high);
    let mut c = b - (b - a) / golden;
    let mut d = a + (b - a) / golden;
    let (mut fc, mut fd) = (f(c), f(d));
    while (b - a).abs() >= 1e-12 {
        if fc == fd {
            break;
        }
        if fc < fd {
            (b, d, fd) = (d, c, fc);
            c = b - (b - a) / golden;
            fc = f(c);
        } else {
            (a, c, fc) = (c, d, fd);
            d = a + (b - a) / golden;
            fd = f(d);
        }
    }
    (a + b) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_bowl_inside_the_box() {
        let (p, v) =
            minimise(|x| (x[0] - 0.3).powi(2) + (x[1] - 0.7).powi(2), &[0.5, 0.5], &[0.0, 0.0], &[1.0, 1.0], 500);
        assert!((p[0] - 0.3).abs() < 1e-4 && (p[1] - 0.7).abs() < 1e-4 && v < 1e-8, "{p:?} {v}");
        // A minimum outside the box ends on its edge.
        let (p, _) = minimise(|x| (x[0] - 2.0).powi(2), &[0.5], &[0.0], &[1.0], 500);
        assert!(p[0] > 0.99);
    }

    #[test]
    fn golden_section_finds_a_parabola_s_vertex_or_the_nearer_edge() {
        assert!((golden_section(|x| (x - 0.17).powi(2), 0.1, 0.3) - 0.17).abs() < 1e-8);
        assert!((golden_section(|x| (x - 0.9).powi(2), 0.1, 0.3) - 0.3).abs() < 1e-8);
        assert!((golden_section(|_| 1.0, 0.1, 0.3) - 0.2).abs() < 1e-15);
    }
}
