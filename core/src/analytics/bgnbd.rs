//! The BG/NBD model of customer purchasing (Fader, Hardie & Lee, 2005): given fitted parameters
//! `r, alpha, a, b` and a customer's history (`x` repeat purchases, the last at `t_x`, observed
//! for `T`), the expected purchases in the next `t` periods and the probability the customer is
//! still alive.

use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// Fitted BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BgNbd {
    /// Shape of the purchase-rate gamma.
    pub r: f64,
    /// Scale of the purchase-rate gamma.
    pub alpha: f64,
    /// First shape of the dropout beta.
    pub a: f64,
    /// Second shape of the dropout beta.
    pub b: f64,
}

impl BgNbd {
    /// Parameters, all positive.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        for (name, v) in [("r", r), ("alpha", alpha), ("a", a), ("b", b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(OmoError::InvalidArgument { name, message: format!("must be positive, got {v}") });
            }
        }
        Ok(BgNbd { r, alpha, a, b })
    }

    /// Probability that a customer with `x` repeat purchases, the last at `t_x`, observed for `T`,
    /// is still alive.
    pub fn p_alive(&self, x: f64, t_x: f64, big_t: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        let ratio = ((self.alpha + big_t) / (self.alpha + t_x)).powf(self.r + x);
        1.0 / (1.0 + self.a / (self.b + x - 1.0) * ratio)
    }

    /// Expected purchases in the next `t` periods: Fader, Hardie & Lee (2005), equation (10).
    ///
    /// ```
    /// // CDNOW parameters of the paper; a customer with 2 repeat purchases.
    /// let model = omo_core::analytics::BgNbd::new(0.243, 4.414, 0.793, 2.426)?;
    /// assert!((model.conditional_expected_purchases(39.0, 2.0, 30.43, 38.86)? - 1.226).abs() < 1e-3);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn conditional_expected_purchases(&self, t: f64, x: f64, t_x: f64, big_t: f64) -> Result<f64> {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        if (a - 1.0).abs() < 1e-12 {
            return Err(OmoError::InvalidArgument { name: "a", message: "the closed form needs a != 1".into() });
        }
        let z = t / (alpha + big_t + t);
        let hyp = hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let first = (a + b + x - 1.0) / (a - 1.0);
        let second = 1.0 - ((alpha + big_t) / (alpha + big_t + t)).powf(r + x) * hyp;
        let alive = if x > 0.0 { 1.0 + a / (b + x - 1.0) * ((alpha + big_t) / (alpha + t_x)).powf(r + x) } else { 1.0 };
        Ok(first * second / alive)
    }
}

/// The Gauss hypergeometric function 2F1(a, b; c; z) for 0 <= z < 1, by its power series.
fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64> {
    if !(0.0..1.0).contains(&z) {
        return Err(OmoError::InvalidArgument { name: "z", message: format!("the series needs 0 <= z < 1, got {z}") });
    }
    let (mut term, mut sum) = (1.0, 1.0);
    for n in 0..100_000 {
        let n = f64::from(n);
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() < 1e-15 * sum.abs() {
            return Ok(sum);
        }
    }
    Err(OmoError::InvalidArgument { name: "z", message: "the series did not converge".into() })
}
