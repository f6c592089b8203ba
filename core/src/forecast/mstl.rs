//! MSTL: seasonal-trend decomposition with several seasonal periods (Bandara, Hyndman & Bergmeir,
//! 2021, "MSTL: A Seasonal-Trend Decomposition Algorithm for Time Series with Multiple Seasonal
//! Patterns", arXiv 2107.13462), and the forecasting model statsforecast builds on it,
//! `MSTL(season_length=[...], trend_forecaster=AutoETS(model="ZZN"))`.
//!
//! The decomposition ([`mstl_decompose`]) applies STL ([`stl`](fn@super::stl)) once per period, in
//! increasing order, each to the series with the other periods' seasonal components taken out,
//! and repeats that sweep twice (once with a single period); the trend is the last STL's, the
//! remainder what is left. Each STL is statsmodels' with a cycle-subseries loess of degree 0 and
//! span `7 + 4 i` for the `i`-th period (11, 15, 19...), as statsforecast's `mstl` (after R's
//! `forecast::mstl`). Periods of half the series or longer are dropped (`p < n / 2` is kept), as
//! R's `forecast::mstl` and statsmodels' `MSTL` do; statsforecast 2.1.1 keeps them (its STL then
//! works from fewer than two cycles). Periods are sorted and repeated ones merged.
//!
//! The forecast ([`mstl`](fn@mstl), and [`super::Method::Mstl`] for one period) is statsforecast's: each
//! seasonal component repeats its last cycle (seasonal naive); the deseasonalised series, trend
//! plus remainder, is forecast by non-seasonal AutoETS (`"ZZN"`, the core's own
//! [`super::Method::AutoEtsOf`] through [`super::forecast`]), whose prediction intervals (normal,
//! or conformal on the deseasonalised series) and fitted values are shifted by the seasonal
//! components. A series with no period left is forecast by that AutoETS alone.
//!
//! Design: [`super::Method`] is `Copy` and [`super::ForecastOptions`] holds one season length, so
//! several periods go through the function [`mstl`]; `Method::Mstl` is `mstl` with
//! `options.season_length`. A season length of 0 or 1 is an error (statsforecast smooths the
//! trend with Friedman's super smoother there).

use super::stl::{self, LoessDegree, StlOptions};
use super::{EtsPattern, Forecast, ForecastOptions, Method, forecast};
use crate::error::{OmoError, Result};

/// An MSTL decomposition: `y = trend + sum of seasonals + remainder` at every time.
#[derive(Debug, Clone, PartialEq)]
pub struct MstlDecomposition {
    /// The periods decomposed, increasing (those of half the series or longer are left out).
    pub seasons: Vec<usize>,
    /// The trend (the series itself when no period is left).
    pub trend: Vec<f64>,
    /// One seasonal component per period of `seasons`, in the same order.
    pub seasonals: Vec<Vec<f64>>,
    /// What is left.
    pub remainder: Vec<f64>,
}

impl MstlDecomposition {
    /// The seasonally adjusted series, trend plus remainder.
    pub fn deseasonalised(&self) -> Vec<f64> {
        self.trend.iter().zip(&self.remainder).map(|(t, r)| t + r).collect()
    }

    /// The sum of the seasonal components at time `t`.
    fn seasonal_at(&self, t: usize) -> f64 {
        self.seasonals.iter().filter_map(|s| s.get(t)).sum()
    }

    /// The sum of the seasonal components `k` steps (from 1) after the series: each component's
    /// last cycle, repeated.
    fn seasonal_ahead(&self, k: usize) -> f64 {
        self.seasons
            .iter()
            .zip(&self.seasonals)
            .filter_map(|(&period, component)| {
                let n = component.len();
                n.checked_sub(period).and_then(|start| component.get(start + (k - 1) % period))
            })
            .sum()
    }
}

/// The MSTL decomposition of `y` with the seasonal `seasons` (see the module documentation).
///
/// Errors: an empty series or one with a NaN or infinite value; no season, or a season of 0 or 1.
///
/// ```
/// use omo_core::forecast::mstl_decompose;
/// let y: Vec<f64> = (0..96).map(|t| [1.0, -1.0][t % 2] + [0.0, 0.0, 0.0, 5.0][t % 4]).collect();
/// let parts = mstl_decompose(&y, &[4, 2])?;
/// assert_eq!(parts.seasons, vec![2, 4]);
/// let t = 50;
/// let sum = parts.trend[t] + parts.seasonals[0][t] + parts.seasonals[1][t] + parts.remainder[t];
/// assert!((sum - y[t]).abs() < 1e-9);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn mstl_decompose(y: &[f64], seasons: &[usize]) -> Result<MstlDecomposition> {
    if y.is_empty() {
        return Err(OmoError::InvalidArgument { name: "y", message: "the series is empty".into() });
    }
    super::metrics::finite("y", y)?;
    let periods = usable_periods(seasons, y.len())?;
    Ok(decompose(y, &periods))
}

/// The periods sorted and without repeats, those of half the series or longer left out; an
/// error when there is none or one below 2.
fn usable_periods(seasons: &[usize], n: usize) -> Result<Vec<usize>> {
    if let Some(bad) = seasons.iter().find(|&&p| p < 2) {
        return Err(OmoError::InvalidArgument {
            name: "season_length",
            message: format!("MSTL needs seasonal periods of at least 2, got {bad}"),
        });
    }
    if seasons.is_empty() {
        return Err(OmoError::InvalidArgument {
            name: "season_length",
            message: "MSTL needs at least one seasonal period".into(),
        });
    }
    let mut periods: Vec<usize> = seasons.iter().copied().filter(|&p| 2 * p < n).collect();
    periods.sort_unstable();
    periods.dedup();
    Ok(periods)
}

/// The STL parameters of the `index`-th period (from 0): statsforecast's `mstl` defaults.
fn stl_options(period: usize, index: usize) -> StlOptions {
    StlOptions { seasonal: 11 + 4 * index, seasonal_deg: LoessDegree::Constant, ..StlOptions::new(period) }
}

/// MSTL of a checked series with checked periods.
fn decompose(y: &[f64], periods: &[usize]) -> MstlDecomposition {
    let n = y.len();
    let mut seasonals = vec![vec![0.0; n]; periods.len()];
    let mut deseasonalised = y.to_vec();
    let mut trend = y.to_vec();
    let sweeps = if periods.len() > 1 { 2 } else { 1 };
    for _ in 0..sweeps {
        for (index, (&period, seasonal)) in periods.iter().zip(seasonals.iter_mut()).enumerate() {
            deseasonalised.iter_mut().zip(seasonal.iter()).for_each(|(d, s)| *d += s);
            let parts = stl::decompose(&deseasonalised, &stl_options(period, index));
            deseasonalised.iter_mut().zip(&parts.seasonal).for_each(|(d, s)| *d -= s);
            *seasonal = parts.seasonal;
            trend = parts.trend;
        }
    }
    let remainder = deseasonalised.iter().zip(&trend).map(|(d, t)| d - t).collect();
    MstlDecomposition { seasons: periods.to_vec(), trend, seasonals, remainder }
}

/// Forecasts `y` by MSTL with the seasonal `seasons` and non-seasonal AutoETS (`"ZZN"`) on the
/// deseasonalised series, as statsforecast's `MSTL(season_length=seasons)`; `options.season_length`
/// is not used. Intervals are the trend forecaster's (normal or conformal, per `options`) plus the
/// seasonal forecasts.
///
/// Errors: those of [`mstl_decompose`] and of [`forecast`] (horizon, levels...).
///
/// ```
/// use omo_core::forecast::{ForecastOptions, mstl};
/// let y: Vec<f64> = (0..120).map(|t| 10.0 + 0.1 * t as f64 + [2.0, -2.0, 0.0][t % 3] + [0.0, 4.0, 0.0, 0.0, -4.0][t % 5]).collect();
/// let f = mstl(&y, &[3, 5], &ForecastOptions { levels: vec![80.0, 95.0], ..ForecastOptions::new(5) })?;
/// assert_eq!(f.mean.len(), 5);
/// assert!(f.intervals[1].lower[0] <= f.intervals[0].lower[0]);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn mstl(y: &[f64], seasons: &[usize], options: &ForecastOptions) -> Result<Forecast> {
    let parts = mstl_decompose(y, seasons)?;
    let trend_options =
        ForecastOptions { season_length: 1, more_seasons: Vec::new(), non_negative: false, ..options.clone() };
    let non_seasonal = EtsPattern::parse("ZZN", None)?;
    let mut result = forecast(&parts.deseasonalised(), Method::AutoEtsOf(non_seasonal), &trend_options)?;
    let floor = |v: f64| if options.non_negative { v.max(0.0) } else { v };
    let ahead: Vec<f64> = (1..=options.horizon).map(|k| parts.seasonal_ahead(k)).collect();
    for (value, s) in result.mean.iter_mut().zip(&ahead) {
        *value = floor(*value + s);
    }
    for interval in &mut result.intervals {
        for bounds in [&mut interval.lower, &mut interval.upper] {
            bounds.iter_mut().zip(&ahead).for_each(|(v, s)| *v = floor(*v + s));
        }
    }
    for (t, value) in result.fitted.iter_mut().enumerate() {
        *value += parts.seasonal_at(t);
    }
    let periods: Vec<String> = parts.seasons.iter().map(usize::to_string).collect();
    result.model = format!("MSTL({}; trend {})", periods.join(", "), result.model);
    result.params.extend(parts.seasons.iter().map(|&p| ("season_length".to_string(), p as f64)));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::{Intervals, smape};
    use proptest::prelude::*;

    use omo_test_support::AIR_PASSENGERS as AIR;

    /// Three weeks of a constructed hourly series: a trend, a daily and a weekly cycle and a
    /// deterministic wiggle, `10 + 0.01 t + 2 sin(2 pi t / 24) + 1.5 cos(2 pi t / 168) + 0.3 sin(0.7 t^1.1)`.
    fn hourly() -> Vec<f64> {
        use std::f64::consts::PI;
        (0..504)
            .map(|t| {
                let t = t as f64;
                10.0 + 0.01 * t
                    + 2.0 * (2.0 * PI * t / 24.0).sin()
                    + 1.5 * (2.0 * PI * t / 168.0).cos()
                    + 0.3 * (0.7 * t.powf(1.1)).sin()
            })
            .collect()
    }

    #[test]
    fn two_seasonalities_are_statsforecast_mstl() {
        // statsforecast 2.1.1: statsforecast.mstl.mstl(hourly, [24, 168]) (statsmodels 0.15.0 STL
        // inside), columns trend / seasonal24 / seasonal168 / remainder at these times, 9 places.
        // The weekly subseries hold 3 values for a span of 15: the widened bandwidth is exercised.
        // They agree to the 9 places printed; 1e-8 allows for the rounding and the order of sums.
        let at = [0, 1, 2, 100, 200, 250, 300, 400, 501, 502, 503];
        let trend = [
            10.006476214,
            10.016418759,
            10.026361499,
            11.001324437,
            12.000010702,
            12.500003650,
            12.999995252,
            14.001178403,
            15.016612436,
            15.026670713,
            15.036729205,
        ];
        let daily = [
            -0.049757609,
            0.479598546,
            1.033335509,
            1.790871595,
            1.655892010,
            1.114685591,
            -0.044321485,
            -1.729672335,
            -1.440753856,
            -1.012477400,
            -0.512153221,
        ];
        let weekly = [
            1.539775686,
            1.707595416,
            1.619426701,
            -1.181751826,
            0.499685219,
            -1.306820545,
            0.480599815,
            -1.101490115,
            1.538119621,
            1.526150121,
            1.452146769,
        ];
        let remainder = [
            0.003505709,
            0.016241732,
            0.135940694,
            -0.368028118,
            -0.119643847,
            -0.096225305,
            0.106053387,
            0.217692420,
            -0.155870127,
            0.226628835,
            0.231326904,
        ];
        let parts = mstl_decompose(&hourly(), &[168, 24]).unwrap();
        assert_eq!(parts.seasons, vec![24, 168]);
        // Through `forecast`, the second period is one of the options' further seasons.
        let options = ForecastOptions { season_length: 24, more_seasons: vec![168], ..ForecastOptions::new(48) };
        let both = forecast(&hourly(), Method::Mstl, &options).unwrap();
        assert_eq!(both, mstl(&hourly(), &[24, 168], &ForecastOptions::new(48)).unwrap());
        assert_ne!(both.mean, mstl(&hourly(), &[24], &ForecastOptions::new(48)).unwrap().mean);
        for (what, got, want) in [
            ("trend", &parts.trend, &trend),
            ("seasonal24", &parts.seasonals[0], &daily),
            ("seasonal168", &parts.seasonals[1], &weekly),
            ("remainder", &parts.remainder, &remainder),
        ] {
            for (&t, want) in at.iter().zip(want) {
                assert!((got[t] - want).abs() < 1e-8, "{what}[{t}]: {} vs {want}", got[t]);
            }
        }
    }

    #[test]
    fn air_passengers_forecast_is_statsforecast_mstl() {
        // statsforecast 2.1.1: MSTL(season_length=12).forecast(AIR, h=12, level=[80, 95]); its
        // trend forecaster chose ETS(M,A,N). Within 1 %: the decomposition is the same to 1e-6, but
        // the AutoETS fit (optimiser, starting values) of the two libraries may differ slightly
        // (seen: 446.565 against 446.539 one step ahead, 0.006 %).
        let mean = [
            446.539235806,
            430.122946509,
            473.190919263,
            472.869575239,
            482.094168571,
            536.325949906,
            590.974448535,
            588.986580153,
            517.446051921,
            470.658533910,
            425.269241298,
            458.815716601,
        ];
        let lo_95 = [
            407.999921330,
            377.642210334,
            409.650797229,
            399.830422569,
            400.568585491,
            447.036887028,
            494.469800260,
            485.698956704,
            407.727428895,
            354.801907211,
            303.522947722,
            331.393331473,
        ];
        let hi_80 = [
            471.738739058,
            464.438255431,
            514.737571910,
            520.627310171,
            535.400882088,
            594.708930011,
            654.075446336,
            656.522727030,
            589.187203400,
            546.413110268,
            504.874863831,
            542.132735911,
        ];
        let options = ForecastOptions { levels: vec![80.0, 95.0], ..ForecastOptions::new(12) };
        let f = mstl(&AIR, &[12], &options).unwrap();
        let within = |what: &str, got: &[f64], want: &[f64]| {
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                assert!((g - w).abs() < 0.01 * w.abs(), "{what}[{k}]: {g} vs {w}");
            }
        };
        within("mean", &f.mean, &mean);
        within("lo-95", &f.intervals[1].lower, &lo_95);
        within("hi-80", &f.intervals[0].upper, &hi_80);
        // The same call with fitted=True: "fitted", the trend forecaster's plus the seasonals.
        within("fitted", &f.fitted[..3], &[112.071492867, 113.996315518, 144.546530076]);
        assert!(f.model.starts_with("MSTL(12; trend ETS(M,A,N)"), "{}", f.model);
        // Method::Mstl is the same model through `forecast`.
        let options = ForecastOptions { season_length: 12, ..options };
        assert_eq!(forecast(&AIR, Method::Mstl, &options).unwrap(), f);
        assert_eq!(Method::from_name("mstl").unwrap(), Method::Mstl);
    }

    #[test]
    fn periods_of_half_the_series_or_more_are_dropped() {
        let y = hourly();
        let parts = mstl_decompose(&y[..300], &[24, 168]).unwrap();
        assert_eq!(parts.seasons, vec![24]);
        let parts = mstl_decompose(&y[..40], &[24]).unwrap();
        assert!(parts.seasons.is_empty() && parts.seasonals.is_empty());
        assert_eq!(parts.trend, y[..40].to_vec());
        let f = mstl(&y[..40], &[24], &ForecastOptions::new(3)).unwrap();
        assert!(f.mean.iter().all(|v| v.is_finite()));
        for n in [1, 2, 4, 5] {
            let f = mstl(&y[..n], &[2], &ForecastOptions::new(3)).unwrap();
            assert!(f.mean.iter().all(|v| v.is_finite()), "{n} values: {f:?}");
        }
    }

    #[test]
    fn bad_arguments_are_named_errors() {
        let name = |r: Result<MstlDecomposition>| match r {
            Err(OmoError::InvalidArgument { name, .. }) => name,
            other => panic!("expected an error, got {other:?}"),
        };
        assert_eq!(name(mstl_decompose(&[], &[12])), "y");
        assert_eq!(name(mstl_decompose(&[1.0, f64::NAN, 3.0], &[2])), "y");
        assert_eq!(name(mstl_decompose(&AIR, &[12, 1])), "season_length");
        assert_eq!(name(mstl_decompose(&AIR, &[0])), "season_length");
        assert_eq!(name(mstl_decompose(&AIR, &[])), "season_length");
        let seasonless = ForecastOptions::new(3);
        assert!(matches!(
            forecast(&AIR, Method::Mstl, &seasonless),
            Err(OmoError::InvalidArgument { name: "season_length", .. })
        ));
        assert!(matches!(
            mstl(&AIR, &[12], &ForecastOptions::new(0)),
            Err(OmoError::InvalidArgument { name: "horizon", .. })
        ));
    }

    #[test]
    fn conformal_intervals_and_non_negative_forecasts_work() {
        let options = ForecastOptions {
            levels: vec![90.0],
            non_negative: true,
            intervals: Intervals::Conformal {
                windows: 3,
                method: crate::forecast::ConformalMethod::ConformalDistribution,
            },
            ..ForecastOptions::new(6)
        };
        let y: Vec<f64> = AIR.iter().map(|v| v - 300.0).collect();
        let f = mstl(&y, &[12], &options).unwrap();
        assert!(f.mean.iter().chain(&f.intervals[0].lower).all(|v| *v >= 0.0));
        assert!(f.intervals[0].lower.iter().zip(&f.intervals[0].upper).all(|(l, u)| l <= u));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn decomposition_adds_back_and_forecasts_are_finite(
            y in prop::collection::vec(-1e5f64..1e5, 10..90),
            seasons in prop::collection::vec(2usize..9, 1..3),
        ) {
            let parts = mstl_decompose(&y, &seasons).unwrap();
            for t in 0..y.len() {
                let seasonal: f64 = parts.seasonals.iter().map(|s| s[t]).sum();
                let sum = parts.trend[t] + seasonal + parts.remainder[t];
                prop_assert!(sum.is_finite());
                prop_assert!((sum - y[t]).abs() <= 1e-9 * (1.0 + y[t].abs()), "{sum} vs {}", y[t]);
            }
            let options = ForecastOptions { levels: vec![80.0, 95.0], ..ForecastOptions::new(7) };
            let f = mstl(&y, &seasons, &options).unwrap();
            prop_assert!(f.mean.iter().chain(&f.sd).all(|v| v.is_finite()));
            let (eighty, ninety_five) = (&f.intervals[0], &f.intervals[1]);
            for k in 0..7 {
                prop_assert!(ninety_five.lower[k] <= eighty.lower[k] + 1e-9);
                prop_assert!(eighty.upper[k] <= ninety_five.upper[k] + 1e-9);
            }
        }
    }

    /// sMAPE and time of MSTL(12) on the tourism monthly training parts, the last 24 of each held
    /// out (`cargo test -p omo-core --lib forecast::mstl -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn tourism_monthly_accuracy_and_speed() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/tourism_monthly_train.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let mut series: Vec<(String, Vec<f64>)> = Vec::new();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let (id, value) = (fields[0].to_string(), fields[2].parse::<f64>().unwrap());
            match series.last_mut() {
                Some((last, values)) if *last == id => values.push(value),
                _ => series.push((id, vec![value])),
            }
        }
        let h = 24;
        let options = ForecastOptions::new(h);
        let start = std::time::Instant::now();
        let mut scores = Vec::new();
        for (_, y) in &series {
            let (train, test) = y.split_at(y.len() - h);
            let f = mstl(train, &[12], &options).unwrap();
            scores.push(smape(test, &f.mean).unwrap());
        }
        let elapsed = start.elapsed();
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let start = std::time::Instant::now();
        for (_, y) in &series {
            mstl_decompose(&y[..y.len() - h], &[12]).unwrap();
        }
        let decomposing = start.elapsed();
        println!(
            "MSTL(12) on {} tourism monthly series: sMAPE {mean:.3}, {elapsed:?} of which decomposing {decomposing:?} (debug build)",
            series.len()
        );
    }
}
