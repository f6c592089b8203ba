//! Coherent forecasts along a hierarchy (Hyndman & Athanasopoulos, FPP3 chapter 11): a region's
//! forecast equals the sum of its distributors'. Bottom-up, top-down by historical proportions
//! or by forecast proportions, middle-out, and least-squares reconciliation (OLS, Hyndman et al.
//! 2011; structural WLS and MinT with the shrunk residual covariance, Wickramasuriya et al. 2019).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;

use crate::error::{OmoError, Result};
use crate::model::Hierarchy;

/// How forecasts are made coherent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reconciliation {
    /// Sum the bottom-level forecasts up.
    BottomUp,
    /// Split the top forecast by each bottom series' share of the history's total (Gross & Sohl's
    /// proportions of the historical averages); needs the history of the bottom series.
    TopDownHistorical,
    /// Split each forecast down by the children's shares of their forecasts (Athanasopoulos,
    /// Ahmed & Hyndman, 2009).
    TopDownForecastProportions,
    /// Keep the forecasts at this depth, sum up above it, split by forecast proportions below.
    MiddleOut {
        /// The depth whose forecasts are kept (0: the top).
        depth: usize,
    },
    /// Ordinary least squares: the coherent forecasts closest to all the base forecasts.
    Ols,
    /// Weighted least squares with structural weights (each series weighted by the number of
    /// bottom series it adds up).
    WlsStructural,
    /// Minimum trace (MinT) with the covariance of the in-sample one-step residuals shrunk
    /// towards its diagonal (Schäfer & Strimmer 2005, as in Wickramasuriya et al. 2019 and R's
    /// hts): `history` then holds every member's residuals, all of one length.
    MinTShrink,
}

impl Reconciliation {
    /// The names [`Reconciliation::from_name`] takes, as hierarchicalforecast's reconcilers are
    /// known.
    pub const NAMES: [&'static str; 7] = [
        "bottom_up",
        "top_down_historical",
        "top_down_forecast_proportions",
        "middle_out",
        "ols",
        "wls_struct",
        "mint_shrink",
    ];

    /// The method of a name out of [`Reconciliation::NAMES`]; `middle_out` needs the `depth`
    /// whose forecasts are kept.
    ///
    /// ```
    /// use omo_core::forecast::Reconciliation;
    /// assert_eq!(Reconciliation::from_name("middle_out", Some(1))?, Reconciliation::MiddleOut { depth: 1 });
    /// assert!(Reconciliation::from_name("middle_out", None).is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn from_name(name: &str, depth: Option<usize>) -> Result<Reconciliation> {
        Ok(match (name, depth) {
            ("bottom_up", _) => Reconciliation::BottomUp,
            ("top_down_historical", _) => Reconciliation::TopDownHistorical,
            ("top_down_forecast_proportions", _) => Reconciliation::TopDownForecastProportions,
            ("middle_out", Some(depth)) => Reconciliation::MiddleOut { depth },
            ("middle_out", None) => {
                return Err(OmoError::InvalidArgument { name: "depth", message: "middle_out needs a depth".into() });
            }
            ("ols", _) => Reconciliation::Ols,
            ("wls_struct", _) => Reconciliation::WlsStructural,
            ("mint_shrink", _) => Reconciliation::MinTShrink,
            (other, _) => {
                return Err(OmoError::InvalidArgument {
                    name: "method",
                    message: format!(
                        "unknown reconciliation {other:?}, not one of {}",
                        Reconciliation::NAMES.join(", ")
                    ),
                });
            }
        })
    }
}

/// Forecasts of every member, one vector of `horizon` values each.
pub type MemberForecasts<K> = HashMap<K, Vec<f64>>;

/// Reconciles base forecasts (one per member; a missing member counts as zero) into coherent
/// ones. `history` (bottom members' past values) is needed by
/// [`Reconciliation::TopDownHistorical`] only.
///
/// ```
/// use omo_core::forecast::{Reconciliation, reconcile};
/// use omo_core::model::Hierarchy;
/// use std::collections::HashMap;
/// let tree = Hierarchy::from_parent_links("region", [("CN", None), ("East", Some("CN")), ("West", Some("CN"))])?;
/// let base = HashMap::from([("CN", vec![100.0]), ("East", vec![70.0]), ("West", vec![40.0])]);
/// let coherent = reconcile(&tree, &base, &HashMap::new(), &Reconciliation::Ols)?;
/// assert!((coherent[&"CN"][0] - (coherent[&"East"][0] + coherent[&"West"][0])).abs() < 1e-9);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn reconcile<K: Clone + Eq + Hash + Display>(
    tree: &Hierarchy<K>,
    base: &MemberForecasts<K>,
    history: &MemberForecasts<K>,
    method: &Reconciliation,
) -> Result<MemberForecasts<K>> {
    if let Some(stranger) = base.keys().find(|k| !tree.contains(k)) {
        return Err(OmoError::UnknownId { kind: tree.axis(), id: stranger.to_string() });
    }
    let h = base.values().map(Vec::len).max().unwrap_or(0);
    if base.values().any(|v| v.len() != h || v.iter().any(|x| !x.is_finite())) {
        return Err(OmoError::InvalidArgument {
            name: "base",
            message: "every forecast needs the same horizon and finite values".into(),
        });
    }
    let get = |k: &K| base.get(k).cloned().unwrap_or_else(|| vec![0.0; h]);
    let leaves: Vec<&K> = tree.members().filter(|m| tree.is_leaf(m)).collect();
    let bottom: MemberForecasts<K> = match method {
        Reconciliation::BottomUp => leaves.iter().map(|k| ((*k).clone(), get(k))).collect(),
        Reconciliation::TopDownHistorical => {
            let root = single_root(tree)?;
            let histories: Vec<&[f64]> =
                leaves.iter().map(|k| history.get(*k).map_or(&[][..], Vec::as_slice)).collect();
            let shares = historical_shares(&histories).ok_or_else(|| OmoError::InvalidArgument {
                name: "history",
                message: "the bottom series' history sums to zero".into(),
            })?;
            let top = get(root);
            leaves
                .iter()
                .zip(&shares)
                .map(|(k, share)| ((*k).clone(), top.iter().map(|v| v * share).collect()))
                .collect()
        }
        Reconciliation::TopDownForecastProportions => {
            split_down(tree, single_root(tree)?.clone(), get(single_root(tree)?), &get)
        }
        Reconciliation::MiddleOut { depth } => {
            let mut out = HashMap::new();
            for member in tree.members().filter(|m| {
                tree.depth(m) == Some(*depth) || (tree.is_leaf(m) && tree.depth(m).is_some_and(|d| d < *depth))
            }) {
                out.extend(split_down(tree, member.clone(), get(member), &get));
            }
            out
        }
        Reconciliation::Ols | Reconciliation::WlsStructural | Reconciliation::MinTShrink => {
            least_squares(tree, &leaves, &get, h, method, history)?
        }
    };
    sum_up(tree, &bottom, h)
}

/// Each member's share of its group: its history's total over the group's (Gross & Sohl's
/// proportions of the historical averages, members of one length); `None` when the group's
/// total is not above zero.
///
/// ```
/// use omo_core::forecast::historical_shares;
/// let shares = historical_shares(&[&[1.0, 3.0], &[0.0, 0.0], &[2.0, 2.0]]).ok_or("no demand")?;
/// assert_eq!(shares, [0.5, 0.0, 0.5]);
/// assert_eq!(historical_shares(&[&[0.0], &[0.0]]), None);
/// # Ok::<(), &str>(())
/// ```
pub fn historical_shares(histories: &[&[f64]]) -> Option<Vec<f64>> {
    let totals: Vec<f64> = histories.iter().map(|h| h.iter().sum()).collect();
    let grand: f64 = totals.iter().sum();
    (grand > 0.0).then(|| totals.iter().map(|t| t / grand).collect())
}

fn single_root<K: Clone + Eq + Hash + Display>(tree: &Hierarchy<K>) -> Result<&K> {
    let roots: Vec<&K> = tree.roots().collect();
    match roots.as_slice() {
        [root] => Ok(root),
        _ => Err(OmoError::InvalidArgument {
            name: "hierarchy",
            message: format!("top-down needs one top, the {} hierarchy has {}", tree.axis(), roots.len()),
        }),
    }
}

/// Splits `forecast` of `node` down to its leaves by the children's shares of their own base
/// forecasts (equal shares where those sum to zero).
fn split_down<K: Clone + Eq + Hash + Display>(
    tree: &Hierarchy<K>,
    node: K,
    forecast: Vec<f64>,
    get: &dyn Fn(&K) -> Vec<f64>,
) -> MemberForecasts<K> {
    let mut out = HashMap::new();
    let mut stack = vec![(node, forecast)];
    while let Some((member, value)) = stack.pop() {
        let children = tree.children(&member);
        if children.is_empty() {
            out.insert(member, value);
            continue;
        }
        let own: Vec<Vec<f64>> = children.iter().map(|c| get(c)).collect();
        for (child, child_base) in children.iter().zip(&own) {
            let share: Vec<f64> = (0..value.len())
                .map(|i| {
                    let total: f64 = own.iter().map(|o| o.get(i).copied().unwrap_or(0.0)).sum();
                    if total != 0.0 {
                        child_base.get(i).copied().unwrap_or(0.0) / total
                    } else {
                        1.0 / children.len() as f64
                    }
                })
                .collect();
            stack.push(((*child).clone(), value.iter().zip(&share).map(|(v, s)| v * s).collect()));
        }
    }
    out
}

/// The bottom forecasts of the (generalised) least-squares reconciliation `(S' W S)^-1 S' W y`,
/// W the identity (OLS), the inverse of the number of bottom series under each member (structural
/// WLS), or the inverse of the shrunk residual covariance (MinT).
fn least_squares<K: Clone + Eq + Hash + Display>(
    tree: &Hierarchy<K>,
    leaves: &[&K],
    get: &dyn Fn(&K) -> Vec<f64>,
    h: usize,
    method: &Reconciliation,
    residuals: &MemberForecasts<K>,
) -> Result<MemberForecasts<K>> {
    let members: Vec<&K> = tree.members().collect();
    let position: HashMap<&K, usize> = leaves.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut s = DMatrix::<f64>::zeros(members.len(), leaves.len());
    for (row, member) in members.iter().enumerate() {
        let below = tree.leaves_under(member);
        for leaf in below {
            if let Some(&col) = position.get(leaf) {
                s[(row, col)] = 1.0;
            }
        }
    }
    let w = match method {
        Reconciliation::WlsStructural => DMatrix::from_diagonal(&DVector::from_iterator(
            members.len(),
            (0..members.len()).map(|r| 1.0 / s.row(r).sum().max(1.0)),
        )),
        Reconciliation::MinTShrink => {
            let covariance = shrunk_covariance(&residual_matrix(&members, residuals)?)?;
            covariance.try_inverse().ok_or_else(|| OmoError::InvalidArgument {
                name: "history",
                message: "the shrunk residual covariance is singular".into(),
            })?
        }
        _ => DMatrix::identity(members.len(), members.len()),
    };
    let st_w = s.transpose() * &w;
    let normal = &st_w * &s;
    let cholesky = normal.cholesky().ok_or_else(|| OmoError::InvalidArgument {
        name: "hierarchy",
        message: "the summing matrix is singular".into(),
    })?;
    let mut out: MemberForecasts<K> = leaves.iter().map(|k| ((*k).clone(), vec![0.0; h])).collect();
    for step in 0..h {
        let y = DVector::from_iterator(members.len(), members.iter().map(|m| get(m).get(step).copied().unwrap_or(0.0)));
        let b = cholesky.solve(&(&st_w * y));
        for (i, leaf) in leaves.iter().enumerate() {
            if let Some(slot) = out.get_mut(*leaf).and_then(|v| v.get_mut(step)) {
                *slot = b[i];
            }
        }
    }
    Ok(out)
}

/// Every member's forecast as the sum of its leaves'.
fn sum_up<K: Clone + Eq + Hash + Display>(
    tree: &Hierarchy<K>,
    bottom: &MemberForecasts<K>,
    h: usize,
) -> Result<MemberForecasts<K>> {
    let mut out = HashMap::new();
    for step in 0..h {
        let values: HashMap<K, f64> =
            bottom.iter().map(|(k, v)| (k.clone(), v.get(step).copied().unwrap_or(0.0))).collect();
        for (k, v) in tree.roll_up(&values)? {
            out.entry(k).or_insert_with(|| vec![0.0; h])[step] = v;
        }
    }
    Ok(out)
}

/// The residuals as a T x n matrix, one column per member in `members` order.
fn residual_matrix<K: Clone + Eq + Hash + Display>(
    members: &[&K],
    residuals: &MemberForecasts<K>,
) -> Result<DMatrix<f64>> {
    let invalid = |message: String| OmoError::InvalidArgument { name: "history", message };
    let columns: Vec<&Vec<f64>> = members
        .iter()
        .map(|m| residuals.get(*m).ok_or_else(|| invalid(format!("no in-sample residuals of {m}"))))
        .collect::<Result<_>>()?;
    let t = columns.first().map_or(0, |c| c.len());
    if t < 2 || columns.iter().any(|c| c.len() != t || c.iter().any(|x| !x.is_finite())) {
        return Err(invalid("MinT needs at least two finite residuals of every member, all of one length".into()));
    }
    Ok(DMatrix::from_fn(t, members.len(), |row, col| columns.get(col).and_then(|c| c.get(row)).copied().unwrap_or(0.0)))
}

/// The covariance of the residuals `x` (T x n; centred, divided by T, as hierarchicalforecast
/// does) shrunk towards its diagonal by the intensity of Schäfer & Strimmer (2005):
/// `lambda = sum of var(r_ij) / sum of r_ij^2` over i != j, on the correlation scale, clipped to
/// [0, 1]. A member whose residuals do not vary is refused (its variance would be zero).
fn shrunk_covariance(x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let (t, n) = (x.nrows() as f64, x.ncols());
    let means = x.row_mean();
    let x = DMatrix::from_fn(x.nrows(), n, |r, c| x[(r, c)] - means[c]);
    let covariance = x.transpose() * &x / t;
    let sd: Vec<f64> = (0..n).map(|i| covariance[(i, i)].sqrt()).collect();
    if let Some(i) = sd.iter().position(|v| *v <= 0.0) {
        return Err(OmoError::InvalidArgument {
            name: "history",
            message: format!("the residuals of member #{i} do not vary: MinT needs a variance"),
        });
    }
    let standard = DMatrix::from_fn(x.nrows(), n, |r, c| x[(r, c)] / sd.get(c).copied().unwrap_or(1.0));
    let squares = standard.map(|v| v * v);
    let cross = standard.transpose() * &standard;
    let variance = (squares.transpose() * &squares - cross.map(|v| v * v) / t) / (t * (t - 1.0));
    let (mut numerator, mut denominator) = (0.0, 0.0);
    for i in 0..n {
        for j in (0..n).filter(|j| *j != i) {
            numerator += variance[(i, j)];
            let correlation = covariance[(i, j)] / (sd[i] * sd[j]);
            denominator += correlation * correlation;
        }
    }
    let lambda = if denominator > 0.0 { (numerator / denominator).clamp(0.0, 1.0) } else { 1.0 };
    Ok(DMatrix::from_fn(n, n, |i, j| if i == j { covariance[(i, j)] } else { (1.0 - lambda) * covariance[(i, j)] }))
}
