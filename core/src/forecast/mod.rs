//! Demand forecasting: models, prediction intervals and accuracy metrics.
//!
//! The classic benchmarks, the intermittent-demand methods, ETS and the Theta method: naive,
//! seasonal naive, moving average, the historic average, simple exponential smoothing (fitted, or
//! from the first value with a given or fitted alpha), Holt's linear and damped trend, Croston
//! (classic, optimised), SBA, TSB (fitted or with given parameters), ADIDA, IMAPA, Theta and
//! optimised Theta (seasonally adjusted by classical decomposition), ETS, AutoETS (over every
//! form or a pattern's), complex exponential smoothing (CES in its four seasonal forms, and
//! AutoCES), MSTL (several seasonal periods by STL, the trend by AutoETS: [`mstl`](fn@mstl),
//! [`mstl_decompose`], [`stl`](fn@stl)), AutoARIMA (also with regressors) and `auto`, each with
//! in-sample fitted values, its fitted parameters and normal prediction intervals at any levels.
//! Many series at once: [`forecast_many`], and [`Panel`] for series laid end to end as a long data
//! frame holds them ([`forecast_panel`], [`cross_validate_panel`]). The statsforecast conventions
//! each follows are in its own documentation; see `FORECASTING.md` of the project for the sources.

mod arima;
pub mod auto;
mod batch;
mod ces;
mod conformal;
mod decompose;
mod demand;
mod ets;
mod intermittent;
mod metrics;
mod models;
mod mstl;
mod optimize;
mod outlook;
mod panel;
mod reconcile;
mod stl;
mod theta;

pub use arima::auto_arima_with_regressors;
pub use auto::{DemandClass, demand_class};
pub use batch::{CvWindow, cross_validate, forecast_many, revenue_forecast};
pub use ces::CesForm;
pub use conformal::ConformalMethod;
pub(crate) use demand::first_period_read;
pub(crate) use demand::sell_out_forecast_of;
pub use demand::{DEMAND_HISTORY_YEARS, DemandForecast, projected_stock_from_forecast, sell_out_forecast};
pub use ets::{ErrorType, EtsPattern, EtsSpec, SeasonType, TrendType};
pub use metrics::{bias, coverage, mae, mape, mase, msis, rmse, smape, wape};
pub use mstl::{MstlDecomposition, mstl, mstl_decompose};
pub(crate) use outlook::sell_out_outlook_of;
pub use outlook::{OutlookScope, SellOutOutlook, sell_out_outlook};
pub use panel::{Panel, PanelForecast, cross_validate_panel, forecast_panel, train_lengths};
pub use reconcile::{MemberForecasts, Reconciliation, historical_shares, reconcile};
pub use stl::{LoessDegree, StlDecomposition, StlOptions, stl};
pub use theta::ThetaModel;

use serde::{Deserialize, Serialize};

use crate::error::{OmoError, Result};

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The last value.
    Naive,
    /// The value one season earlier.
    SeasonalNaive,
    /// The mean of the last `window` values.
    MovingAverage {
        /// How many values.
        window: usize,
    },
    /// The mean of every value (statsforecast's HistoricAverage).
    HistoricAverage,
    /// Simple exponential smoothing, alpha and the initial level fitted by least squares.
    Ses,
    /// Simple exponential smoothing from the first value, as statsforecast's
    /// SimpleExponentialSmoothing (`alpha` given) and SimpleExponentialSmoothingOptimized
    /// (`alpha` `None`: chosen by least squares in [0.01, 0.99]).
    SesFromFirst {
        /// The smoothing parameter, in [0, 1]; `None` to fit it.
        alpha: Option<f64>,
    },
    /// Holt's linear trend.
    Holt,
    /// Holt's damped trend.
    HoltDamped,
    /// Croston's method.
    Croston,
    /// Croston with the Syntetos-Boylan approximation.
    Sba,
    /// Croston with both smoothing parameters fitted in [0.1, 0.3] (statsforecast's
    /// CrostonOptimized).
    CrostonOptimized,
    /// Teunter-Syntetos-Babai, both smoothing parameters fitted by least squares in [0.01, 0.5].
    Tsb,
    /// Teunter-Syntetos-Babai with given smoothing parameters (statsforecast's `TSB`).
    TsbWith {
        /// Smoothing of the demand sizes, in [0, 1].
        alpha_d: f64,
        /// Smoothing of the demand probability, in [0, 1].
        alpha_p: f64,
    },
    /// ADIDA: smoothing of the demand in buckets as long as the mean interval between demands.
    Adida,
    /// IMAPA: the mean of ADIDA's forecasts at every bucket length up to that interval.
    Imapa,
    /// The standard Theta method; with a season of 4 or more periods, of the seasonally
    /// adjusted series when it tests seasonal (see `decompose`).
    Theta,
    /// The optimised Theta method (Fiorucci et al., 2016), seasonally adjusted as [`Method::Theta`].
    OptimizedTheta,
    /// One of the state-space Theta models (standard, optimised, dynamic standard, dynamic
    /// optimised: statsforecast's Theta, OptimizedTheta, DynamicTheta, DynamicOptimizedTheta),
    /// seasonally adjusted as [`Method::Theta`].
    StateSpaceTheta(ThetaModel),
    /// AutoTheta: the four state-space Theta models, the lowest in-sample error of 1 to 3 steps
    /// ahead kept; seasonally adjusted as [`Method::Theta`].
    AutoTheta,
    /// One ETS form, fitted by maximum likelihood.
    Ets(EtsSpec),
    /// AutoETS: every admissible ETS form, the lowest AICc wins.
    AutoEts,
    /// AutoETS among the forms of a pattern (`"ZZN"`, `"AAN"` with either damping...).
    AutoEtsOf(EtsPattern),
    /// Holt-Winters: ETS(A,A,A), or ETS(M,A,M) when multiplicative.
    HoltWinters {
        /// Multiplicative seasonality.
        multiplicative: bool,
    },
    /// AutoCES: complex exponential smoothing in its four seasonal forms, the lowest AICc wins
    /// (statsforecast's `AutoCES(season_length=m, model="Z")`; see `ces`).
    AutoCes,
    /// Complex exponential smoothing of one seasonal form (statsforecast's `AutoCES` with `model`
    /// that form's letter); a seasonal form on a season of 1 or fewer than two seasons is `N`.
    Ces(CesForm),
    /// MSTL with the periods `season_length` and [`ForecastOptions::more_seasons`] (each at
    /// least 2) and AutoETS `"ZZN"` on the deseasonalised series, as statsforecast's `MSTL`: see
    /// [`mstl`](fn@mstl).
    Mstl,
    /// AutoARIMA: ARIMA(p,d,q)(P,D,Q)_m with a mean or drift, fitted by exact maximum likelihood,
    /// orders by the stepwise search of Hyndman & Khandakar (2008) with statsforecast's
    /// `AutoARIMA` defaults (see `arima`); a series too short for any ARIMA gets the naive
    /// forecast (the random walk), named so. With regressors: [`auto_arima_with_regressors`].
    AutoArima,
    /// omo's automatic choice, per series: the rules and their measured accuracy are in [`auto`].
    Auto,
}

impl Method {
    /// The method of a name as data scientists write it (`"naive"`, `"seasonal_naive"`,
    /// `"moving_average"` (window 3), `"historic_average"`, `"ses"`, `"ses_optimized"`,
    /// `"croston_optimized"`, `"holt"`, `"holt_damped"`, `"croston"`, `"sba"`,
    /// `"tsb"`, `"adida"`, `"imapa"`, `"theta"`, `"optimized_theta"`, `"dynamic_optimized_theta"`,
    /// `"auto_theta"`, `"ets"` (AutoETS), `"auto_ces"` (AutoCES),
    /// `"holt_winters"` (additive), `"mstl"`, `"auto_arima"`, `"auto"`).
    pub fn from_name(name: &str) -> Result<Method> {
        Ok(match name {
            "naive" => Method::Naive,
            "seasonal_naive" => Method::SeasonalNaive,
            "moving_average" => Method::MovingAverage { window: 3 },
            "historic_average" => Method::HistoricAverage,
            "ses" => Method::Ses,
            "ses_optimized" => Method::SesFromFirst { alpha: None },
            "croston_optimized" => Method::CrostonOptimized,
            "holt" => Method::Holt,
            "holt_damped" | "damped" => Method::HoltDamped,
            "croston" => Method::Croston,
            "sba" => Method::Sba,
            "tsb" => Method::Tsb,
            "adida" => Method::Adida,
            "imapa" => Method::Imapa,
            "theta" => Method::Theta,
            "optimized_theta" => Method::OptimizedTheta,
            "dynamic_optimized_theta" => Method::StateSpaceTheta(ThetaModel::Dotm),
            "auto_theta" => Method::AutoTheta,
            "ets" => Method::AutoEts,
            "auto_ces" => Method::AutoCes,
            "auto" => Method::Auto,
            "auto_arima" => Method::AutoArima,
            "holt_winters" => Method::HoltWinters { multiplicative: false },
            "mstl" => Method::Mstl,
            other => {
                return Err(OmoError::InvalidArgument { name: "model", message: format!("unknown model {other:?}") });
            }
        })
    }
}

/// What to forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastOptions {
    /// Periods ahead; at least 1.
    pub horizon: usize,
    /// Observations per seasonal cycle (1: none).
    pub season_length: usize,
    /// Further seasonal cycles, for the models with several seasonalities ([`Method::Mstl`]:
    /// daily sales with a week of 7 and a year of 365); the other models use `season_length`
    /// alone.
    #[serde(default)]
    pub more_seasons: Vec<usize>,
    /// Prediction-interval levels in percent, each strictly between 0 and 100.
    pub levels: Vec<f64>,
    /// Demand cannot be negative: clip forecasts and lower bounds at zero.
    pub non_negative: bool,
    /// How the intervals are made: normal (the default) or conformal.
    #[serde(default)]
    pub intervals: Intervals,
}

impl ForecastOptions {
    /// `horizon` periods, no season, no intervals, negative values allowed.
    pub fn new(horizon: usize) -> Self {
        ForecastOptions {
            horizon,
            season_length: 1,
            more_seasons: Vec::new(),
            levels: Vec::new(),
            non_negative: false,
            intervals: Intervals::Normal,
        }
    }
}

/// How prediction intervals are made.
///
/// ```
/// use omo_core::forecast::{ConformalMethod, ForecastOptions, Intervals, Method, forecast};
/// let y: Vec<f64> = (0..40).map(|t| [0.0, 0.0, 3.0, 0.0, 1.0][t % 5]).collect();
/// let conformal = Intervals::Conformal { windows: 5, method: ConformalMethod::ConformalDistribution };
/// let options = ForecastOptions { levels: vec![80.0], intervals: conformal, non_negative: true, ..ForecastOptions::new(2) };
/// let f = forecast(&y, Method::Croston, &options)?;
/// assert!(f.intervals[0].lower.iter().all(|l| *l >= 0.0));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intervals {
    /// From the model's error variance, assuming normal errors.
    #[default]
    Normal,
    /// Conformal (statsforecast's `ConformalIntervals`): from the absolute errors of the model's
    /// forecasts of the last `windows` stretches of the horizon's length (at least 2; fewer than
    /// asked when the series is short). See `conformal`.
    Conformal {
        /// How many windows.
        windows: usize,
        /// How the errors become bounds.
        method: ConformalMethod,
    },
}

/// A prediction interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Interval {
    /// Level in percent.
    pub level: f64,
    /// Lower bounds, one per step.
    pub lower: Vec<f64>,
    /// Upper bounds, one per step.
    pub upper: Vec<f64>,
}

/// A forecast and what produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The model fitted, named exactly (a fallback says so).
    pub model: String,
    /// Point forecasts, one per step.
    pub mean: Vec<f64>,
    /// In-sample one-step forecasts (NaN where the model has none yet).
    pub fitted: Vec<f64>,
    /// Prediction intervals, one per requested level.
    pub intervals: Vec<Interval>,
    /// The standard deviation of the error, per step ahead (the intervals' spread).
    #[serde(default)]
    pub sd: Vec<f64>,
    /// The fitted parameters by name.
    pub params: Vec<(String, f64)>,
}

/// An ETS fit, or simple exponential smoothing when no ETS form suits the data (too short, or
/// multiplicative on data that is not positive), named so.
fn ets_or_fallback(y: &[f64], h: usize, fit: Option<ets::EtsFit>) -> models::Fit {
    fit.map(|f| f.fit).unwrap_or_else(|| {
        let mut fallback = models::ses(y, h);
        fallback.name = "SES (no ETS form fits the data)".into();
        fallback
    })
}

/// A pattern that asks for a season needs one: statsforecast refuses `HoltWinters` on
/// nonseasonal data too, where a quiet fallback would hide the mistake.
fn check_season(method: Method, season_length: usize) -> Result<()> {
    match method {
        Method::AutoEtsOf(pattern) if pattern.is_seasonal() && season_length < 2 => Err(OmoError::InvalidArgument {
            name: "season_length",
            message: format!(
                "ETS {:?} has a seasonal component, which needs a season_length of at least 2 (got {season_length})",
                pattern.model()
            ),
        }),
        _ => Ok(()),
    }
}

/// Given smoothing parameters must lie in [0, 1]; the error names the parameter.
fn check_smoothing(method: Method) -> Result<()> {
    let given: &[(&'static str, Option<f64>)] = match method {
        Method::SesFromFirst { alpha } => &[("alpha", alpha)],
        Method::TsbWith { alpha_d, alpha_p } => &[("alpha_d", Some(alpha_d)), ("alpha_p", Some(alpha_p))],
        _ => &[],
    };
    for (name, value) in given {
        if let Some(v) = value.filter(|v| !(0.0..=1.0).contains(v)) {
            return Err(OmoError::InvalidArgument { name, message: format!("{v} is not in [0, 1]") });
        }
    }
    Ok(())
}

/// A state-space Theta fit of `y`, seasonally adjusted where it is seasonal at `m`; a series
/// too short for one (fewer than 4 values) is an error, which a caller's fallback can take over.
fn theta_or_error(y: &[f64], m: usize, fit: impl Fn(&[f64]) -> theta::ThetaFit) -> Result<models::Fit> {
    if y.len() < 4 {
        return Err(OmoError::InvalidArgument {
            name: "y",
            message: format!("the Theta models need at least 4 values, got {}", y.len()),
        });
    }
    Ok(decompose::seasonally_adjusted(y, m, |adjusted| fit(adjusted).fit))
}

/// The normal intervals of a fit at `levels`: the forecast -/+ the normal quantile times the
/// error's standard deviation at each step.
fn normal_intervals(fit: &models::Fit, levels: &[f64]) -> Result<Vec<Interval>> {
    levels
        .iter()
        .map(|&level| {
            let z = crate::spi::normal_quantile(0.5 + level / 200.0)?;
            Ok(Interval {
                level,
                lower: fit.mean.iter().zip(&fit.sd).map(|(m, s)| m - z * s).collect(),
                upper: fit.mean.iter().zip(&fit.sd).map(|(m, s)| m + z * s).collect(),
            })
        })
        .collect()
}

/// The checks every forecast makes of the series and the options: not empty, finite, a
/// horizon from 1 to [`MAX_HORIZON`], levels strictly between 0 and 100.
fn check_request(y: &[f64], options: &ForecastOptions) -> Result<()> {
    if y.is_empty() {
        return Err(OmoError::InvalidArgument { name: "y", message: "the series is empty".into() });
    }
    metrics::finite("y", y)?;
    if options.horizon == 0 {
        return Err(OmoError::InvalidArgument { name: "horizon", message: "must be at least 1".into() });
    }
    if options.horizon > MAX_HORIZON {
        return Err(OmoError::LimitExceeded {
            what: "horizon".into(),
            limit: MAX_HORIZON as u64,
            actual: options.horizon as u64,
        });
    }
    if let Some(level) = options.levels.iter().find(|l| !(l.is_finite() && **l > 0.0 && **l < 100.0)) {
        return Err(OmoError::InvalidArgument {
            name: "levels",
            message: format!("{level} is not strictly between 0 and 100"),
        });
    }
    Ok(())
}

/// The longest horizon a forecast may ask for: 100,000 steps (27 years of days), far beyond any
/// plan, so that a mistyped horizon is an error rather than an allocation that never ends.
pub const MAX_HORIZON: usize = 100_000;

/// Forecasts `y` with `method`.
///
/// Errors name what was wrong: an empty series, a NaN or infinite value (with its index), a zero
/// horizon, a level outside (0, 100). A season longer than the data falls back to naive and says
/// so in [`Forecast::model`].
///
/// ```
/// use omo_core::forecast::{ForecastOptions, Method, forecast};
/// let y = [3.0, 5.0, 4.0, 6.0, 5.0, 7.0];
/// let f = forecast(&y, Method::Naive, &ForecastOptions { levels: vec![80.0], ..ForecastOptions::new(2) })?;
/// assert_eq!(f.mean, vec![7.0, 7.0]);
/// assert!(f.intervals[0].lower[1] < f.intervals[0].lower[0]); // wider two steps ahead
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn forecast(y: &[f64], method: Method, options: &ForecastOptions) -> Result<Forecast> {
    check_request(y, options)?;
    check_smoothing(method)?;
    check_season(method, options.season_length)?;
    let h = options.horizon;
    let fit = match method {
        Method::Naive => models::naive(y, h),
        Method::SeasonalNaive => models::seasonal_naive(y, h, options.season_length),
        Method::MovingAverage { window } => models::moving_average(y, h, window),
        Method::HistoricAverage => models::historic_average(y, h),
        Method::Ses => models::ses(y, h),
        Method::SesFromFirst { alpha } => models::ses_from_first(y, h, alpha),
        Method::Holt => models::holt(y, h, false),
        Method::HoltDamped => models::holt(y, h, true),
        Method::Croston => intermittent::croston(y, h, false),
        Method::Sba => intermittent::croston(y, h, true),
        Method::CrostonOptimized => intermittent::croston_optimized(y, h),
        Method::Tsb => intermittent::tsb(y, h),
        Method::TsbWith { alpha_d, alpha_p } => intermittent::tsb_with(y, h, alpha_d, alpha_p),
        Method::Adida => intermittent::adida(y, h),
        Method::Imapa => intermittent::imapa(y, h),
        Method::Theta => decompose::seasonally_adjusted(y, options.season_length, |y| models::theta(y, h)),
        Method::OptimizedTheta => {
            decompose::seasonally_adjusted(y, options.season_length, |y| models::optimized_theta(y, h))
        }
        Method::Ets(spec) => ets_or_fallback(y, h, ets::fit_ets(y, spec, options.season_length, h)),
        Method::StateSpaceTheta(model) => theta_or_error(y, options.season_length, |y| theta::fit_theta(y, model, h))?,
        Method::AutoTheta => theta_or_error(y, options.season_length, |y| theta::auto_theta(y, h))?,
        Method::AutoEts => ets_or_fallback(y, h, ets::auto_ets(y, options.season_length, h)),
        Method::AutoEtsOf(pattern) => {
            let fit = ets::auto_ets_of(y, options.season_length, h, pattern);
            if fit.is_none() && pattern.is_seasonal() {
                // Holt-Winters asked of a series too short for two seasons: an error (as in
                // statsforecast), which a caller's fallback can take over, not a quiet SES.
                return Err(OmoError::InvalidArgument {
                    name: "y",
                    message: format!(
                        "no seasonal ETS form {:?} fits {} values with a season of {} (two full seasons needed)",
                        pattern.model(),
                        y.len(),
                        options.season_length
                    ),
                });
            }
            ets_or_fallback(y, h, fit)
        }
        Method::AutoCes => ces::ces(y, None, options.season_length, h),
        Method::Ces(form) => ces::ces(y, Some(form), options.season_length, h),
        Method::Auto => auto::auto(y, h, options.season_length),
        Method::Mstl => {
            let seasons: Vec<usize> =
                std::iter::once(options.season_length).chain(options.more_seasons.clone()).collect();
            return mstl(y, &seasons, options);
        }
        Method::AutoArima => arima::auto_arima_or_fallback(y, h, options.season_length),
        Method::HoltWinters { multiplicative } => {
            let (error, season) =
                if multiplicative { (ErrorType::M, SeasonType::M) } else { (ErrorType::A, SeasonType::A) };
            let spec = EtsSpec { error, trend: TrendType::A, season };
            ets_or_fallback(y, h, ets::fit_ets(y, spec, options.season_length, h))
        }
    };
    let intervals = match options.intervals {
        Intervals::Normal => normal_intervals(&fit, &options.levels)?,
        Intervals::Conformal { windows, method: how } => {
            conformal::intervals(y, method, options, &fit.mean, windows, how)?
        }
    };
    Ok(finish(fit, options, intervals))
}

/// A fit and its intervals as a [`Forecast`], clipped at zero when `options.non_negative`.
fn finish(fit: models::Fit, options: &ForecastOptions, mut intervals: Vec<Interval>) -> Forecast {
    let floor = |v: f64| if options.non_negative { v.max(0.0) } else { v };
    for interval in &mut intervals {
        interval.lower.iter_mut().chain(interval.upper.iter_mut()).for_each(|v| *v = floor(*v));
    }
    Forecast {
        model: fit.name,
        mean: fit.mean.into_iter().map(floor).collect(),
        fitted: fit.fitted,
        intervals,
        sd: fit.sd,
        params: fit.params,
    }
}
