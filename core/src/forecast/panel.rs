//! Many series laid end to end in one array, as a long data frame holds them (sorted by series,
//! then time): forecasts and cross-validation of every series in parallel, returned as flat
//! columns in the same order, ready to become a frame's columns without a row-by-row copy.

use rayon::prelude::*;

use super::{Forecast, ForecastOptions, Interval, Method, forecast};
use crate::error::{OmoError, Result};

/// Series laid end to end: series `i` is `values[offsets[i]..offsets[i + 1]]`.
///
/// ```
/// use omo_core::forecast::Panel;
/// let panel = Panel::new(&[1.0, 2.0, 3.0, 10.0, 20.0], &[0, 3, 5])?;
/// assert_eq!(panel.len(), 2);
/// assert_eq!(panel.series(1), &[10.0, 20.0]);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel<'a> {
    values: &'a [f64],
    offsets: &'a [usize],
    labels: Option<&'a [String]>,
}

impl<'a> Panel<'a> {
    /// A panel of `values` cut at `offsets` (starting at 0, rising strictly, ending at the number
    /// of values: every series has at least one value). Errors name the offending offset.
    pub fn new(values: &'a [f64], offsets: &'a [usize]) -> Result<Panel<'a>> {
        let invalid = |message: String| OmoError::InvalidArgument { name: "offsets", message };
        match (offsets.first(), offsets.last()) {
            (Some(0), Some(last)) if *last == values.len() => {}
            _ => return Err(invalid(format!("must start at 0 and end at {}, the number of values", values.len()))),
        }
        if let Some(i) = offsets.windows(2).position(|w| w[1] <= w[0]) {
            return Err(invalid(format!("series {i} is empty (offsets {} and {})", offsets[i], offsets[i + 1])));
        }
        Ok(Panel { values, offsets, labels: None })
    }

    /// The panel with a label per series (a data frame's ids), which its errors name.
    pub fn with_labels(self, labels: &'a [String]) -> Result<Panel<'a>> {
        if labels.len() != self.len() {
            return Err(OmoError::InvalidArgument {
                name: "labels",
                message: format!("{} labels for {} series", labels.len(), self.len()),
            });
        }
        Ok(Panel { labels: Some(labels), ..self })
    }

    /// The label of series `i`: its own, or its position.
    pub fn label(&self, i: usize) -> String {
        self.labels.and_then(|l| l.get(i)).cloned().unwrap_or_else(|| i.to_string())
    }

    /// An error of series `i`, said so.
    fn error_in(&self, i: usize, error: OmoError) -> OmoError {
        OmoError::InSeries { series: self.label(i), source: Box::new(error) }
    }

    /// The number of series.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether the panel holds no series.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of series `i`.
    pub fn series(&self, i: usize) -> &'a [f64] {
        &self.values[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// Flat columns of one model's forecasts of a panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelForecast {
    /// The model fitted to each series, named exactly (a fallback says so).
    pub models: Vec<String>,
    /// `horizon` point forecasts per series, series after series.
    pub mean: Vec<f64>,
    /// One per requested level, laid out as `mean`.
    pub intervals: Vec<Interval>,
    /// The in-sample one-step forecasts, laid out as the panel's values (when asked for).
    pub fitted: Vec<f64>,
    /// Per requested level: the in-sample intervals `fitted -/+ z sd`, with `sd` the one-step
    /// error's, laid out as `fitted`.
    pub fitted_intervals: Vec<Interval>,
}

impl PanelForecast {
    fn push(&mut self, f: Forecast, with_fitted: bool, levels: &[f64]) -> Result<()> {
        self.mean.extend(&f.mean);
        for (slot, interval) in self.intervals.iter_mut().zip(&f.intervals) {
            slot.lower.extend(&interval.lower);
            slot.upper.extend(&interval.upper);
        }
        if with_fitted {
            let one_step_sd = f.sd.first().copied().unwrap_or(0.0);
            for (slot, level) in self.fitted_intervals.iter_mut().zip(levels) {
                let z = crate::spi::normal_quantile(0.5 + level / 200.0)?;
                slot.lower.extend(f.fitted.iter().map(|v| v - z * one_step_sd));
                slot.upper.extend(f.fitted.iter().map(|v| v + z * one_step_sd));
            }
            self.fitted.extend(&f.fitted);
        }
        self.models.push(f.model);
        Ok(())
    }

    fn empty(levels: &[f64], with_fitted: bool) -> PanelForecast {
        let slots = |on: bool| {
            let slot = |level: &f64| Interval { level: *level, lower: Vec::new(), upper: Vec::new() };
            if on { levels.iter().map(slot).collect() } else { Vec::new() }
        };
        PanelForecast { intervals: slots(true), fitted_intervals: slots(with_fitted), ..PanelForecast::default() }
    }
}

/// Forecasts every series of `panel` with `method` in parallel (rayon), `fallback` taking over
/// a series `method` cannot forecast (as statsforecast's `fallback_model`). With `with_fitted`,
/// the in-sample fitted values and their intervals come too. The first series that neither can
/// forecast is the error, naming the series by its position.
///
/// ```
/// use omo_core::forecast::{ForecastOptions, Method, Panel, forecast_panel};
/// let panel = Panel::new(&[1.0, 2.0, 3.0, 10.0, 20.0], &[0, 3, 5])?;
/// let f = forecast_panel(&panel, Method::Naive, None, &ForecastOptions::new(2), true)?;
/// assert_eq!(f.mean, vec![3.0, 3.0, 20.0, 20.0]);
/// assert!(f.fitted[0].is_nan() && f.fitted[1] == 1.0 && f.fitted[4] == 10.0);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn forecast_panel(
    panel: &Panel<'_>,
    method: Method,
    fallback: Option<Method>,
    options: &ForecastOptions,
    with_fitted: bool,
) -> Result<PanelForecast> {
    let fits: Vec<Result<Forecast>> = (0..panel.len())
        .into_par_iter()
        .map(|i| forecast_or_fallback(panel.series(i), method, fallback, options))
        .collect();
    let mut out = PanelForecast::empty(&options.levels, with_fitted);
    for (i, fit) in fits.into_iter().enumerate() {
        let fit = fit.map_err(|e| panel.error_in(i, e))?;
        out.push(fit, with_fitted, &options.levels)?;
    }
    Ok(out)
}

fn forecast_or_fallback(
    y: &[f64],
    method: Method,
    fallback: Option<Method>,
    options: &ForecastOptions,
) -> Result<Forecast> {
    match (forecast(y, method, options), fallback) {
        (Err(_), Some(fallback)) => forecast(y, fallback, options).map(|mut f| {
            f.model = format!("{} (fallback)", f.model);
            f
        }),
        (result, _) => result,
    }
}

/// The training lengths of a rolling-origin evaluation of a series of `n` values: `windows`
/// origins `step` apart, the last `horizon` values before the end, each keeping at least one
/// training value. Errors say how many values the windows need.
///
/// ```
/// use omo_core::forecast::train_lengths;
/// assert_eq!(train_lengths(10, 2, 3, 1)?, vec![6, 7, 8]);
/// assert!(train_lengths(4, 2, 3, 1).is_err());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn train_lengths(n: usize, horizon: usize, windows: usize, step: usize) -> Result<Vec<usize>> {
    if windows == 0 || step == 0 {
        return Err(OmoError::InvalidArgument {
            name: "windows",
            message: "windows and step must be at least 1".into(),
        });
    }
    let needed = step.checked_mul(windows - 1).and_then(|n| n.checked_add(horizon)).and_then(|n| n.checked_add(1));
    match needed {
        Some(needed) if needed <= n => Ok((0..windows).map(|w| n - horizon - step * (windows - 1 - w)).collect()),
        _ => {
            let needed = needed.map_or_else(|| "more than memory holds".to_owned(), |n| n.to_string());
            Err(OmoError::InvalidArgument {
                name: "y",
                message: format!("{windows} windows of {horizon} steps, {step} apart, need {needed} values, got {n}"),
            })
        }
    }
}

/// Rolling-origin cross-validation of every series of a panel, as statsforecast's
/// `cross_validation` (refitting at each origin): per series, `windows` forecasts of
/// `options.horizon` steps with origins `step` apart, the last window ending with the series.
/// Returns the forecasts laid out series after series, window after window, and each window's
/// training length. Errors name the first series too short for its windows.
pub fn cross_validate_panel(
    panel: &Panel<'_>,
    method: Method,
    fallback: Option<Method>,
    options: &ForecastOptions,
    windows: usize,
    step: usize,
) -> Result<(PanelForecast, Vec<usize>)> {
    let h = options.horizon;
    let lengths: Vec<Vec<usize>> = (0..panel.len())
        .map(|i| train_lengths(panel.series(i).len(), h, windows, step).map_err(|e| panel.error_in(i, e)))
        .collect::<Result<_>>()?;
    let jobs: Vec<(usize, usize)> =
        lengths.iter().enumerate().flat_map(|(i, ls)| ls.iter().map(move |l| (i, *l))).collect();
    let fits: Vec<Result<Forecast>> = jobs
        .par_iter()
        .map(|(i, l)| forecast_or_fallback(&panel.series(*i)[..*l], method, fallback, options))
        .collect();
    let mut out = PanelForecast::empty(&options.levels, false);
    for ((i, _), fit) in jobs.iter().zip(fits) {
        out.push(fit.map_err(|e| panel.error_in(*i, e))?, false, &options.levels)?;
    }
    Ok((out, jobs.into_iter().map(|(_, l)| l).collect()))
}
