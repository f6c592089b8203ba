//! The native half of the `omo` Python package: thin conversions between Python values and
//! `omo-core` calls, and the mapping of its errors to the exception classes of `omo.errors`.
//! Every business rule lives in `omo-core`.

use pyo3::prelude::*;

mod company;
mod convert;
mod engine;
mod plan;

/// The native module.
#[pymodule]
mod _native {
    use std::borrow::Cow;
    use std::collections::{BTreeMap, HashMap};

    use chrono::NaiveDate;
    use numpy::{IntoPyArray, PyReadonlyArray1, ToPyArray};
    use omo_core::forecast::{ForecastOptions, Method, Panel, forecast, forecast_many};
    use omo_core::model::{MovementKind, NodeId, ProductId, StockMovement};
    use omo_core::spi::{LedgerOptions, OpeningStock, Period, build_ledger};
    use pyo3::prelude::*;
    use pyo3::types::PyDict;
    use rust_decimal::Decimal;

    use super::convert::{argument_error, array, omo_error, validation_error};

    #[pymodule_export]
    use super::company::{
        PyCreditBook, PyDataset, alerts_json, channel_view_json, customer_summaries_json, inventory_health_json,
        rfm_json, sample_company, scorecard_json, spi_rollup_json, suggest_orders_json, team_performance_json,
    };

    #[pymodule_export]
    use super::plan::{mrp_record, supplier_scorecard_json, supply_chain_plan_json};

    #[pymodule_export]
    use super::engine::{PyEngine, events_of_json};

    /// How many days after the clock an event may be dated by default (the core's
    /// `EngineOptions::max_days_ahead`).
    #[pymodule_export]
    const DEFAULT_MAX_DAYS_AHEAD: u32 = omo_core::engine::DEFAULT_MAX_DAYS_AHEAD;

    /// The version of the package.
    #[pymodule_export]
    #[allow(non_upper_case_globals)]
    const __version__: &str = env!("CARGO_PKG_VERSION");

    /// Economic order quantity `sqrt(2 K lambda / h)`.
    #[pyfunction]
    #[pyo3(signature = (*, fixed_cost, holding_cost, demand_rate))]
    fn eoq(fixed_cost: f64, holding_cost: f64, demand_rate: f64) -> PyResult<f64> {
        omo_core::spi::eoq(fixed_cost, holding_cost, demand_rate).map_err(omo_error)
    }

    /// Newsvendor order quantity for normal demand.
    #[pyfunction]
    #[pyo3(signature = (*, holding_cost, stockout_cost, mean, sd))]
    fn newsvendor_normal(holding_cost: f64, stockout_cost: f64, mean: f64, sd: f64) -> PyResult<f64> {
        omo_core::spi::newsvendor_normal(holding_cost, stockout_cost, mean, sd).map_err(omo_error)
    }

    /// Base-stock level over `lead_time + 1` periods (periodic review, normal demand).
    #[pyfunction]
    #[pyo3(signature = (*, holding_cost, stockout_cost, mean, sd, lead_time))]
    fn base_stock_normal(holding_cost: f64, stockout_cost: f64, mean: f64, sd: f64, lead_time: f64) -> PyResult<f64> {
        omo_core::spi::base_stock_normal(holding_cost, stockout_cost, mean, sd, lead_time).map_err(omo_error)
    }

    /// Newsvendor order quantity for Poisson demand (an integer).
    #[pyfunction]
    #[pyo3(signature = (*, holding_cost, stockout_cost, mean))]
    fn newsvendor_poisson(holding_cost: f64, stockout_cost: f64, mean: f64) -> PyResult<u64> {
        omo_core::spi::newsvendor_poisson(holding_cost, stockout_cost, mean, 0).map_err(omo_error)
    }

    /// Safety stock for a cycle service level.
    #[pyfunction]
    #[pyo3(signature = (*, service_level, demand_sd, lead_time, demand_mean = 0.0, lead_time_sd = 0.0))]
    fn safety_stock(
        service_level: f64,
        demand_sd: f64,
        lead_time: f64,
        demand_mean: f64,
        lead_time_sd: f64,
    ) -> PyResult<f64> {
        omo_core::spi::safety_stock(service_level, demand_sd, lead_time, demand_mean, lead_time_sd).map_err(omo_error)
    }

    /// Reorder point: lead-time demand plus safety stock.
    #[pyfunction]
    #[pyo3(signature = (*, service_level, demand_mean, demand_sd, lead_time, lead_time_sd = 0.0))]
    fn reorder_point(
        service_level: f64,
        demand_mean: f64,
        demand_sd: f64,
        lead_time: f64,
        lead_time_sd: f64,
    ) -> PyResult<f64> {
        omo_core::spi::reorder_point(service_level, demand_mean, demand_sd, lead_time, lead_time_sd).map_err(omo_error)
    }

    /// An accuracy metric by name (`mae`, `rmse`, `smape`, `mape`, `wape`, `bias`), or `mase` with
    /// the in-sample series and season length. `None` where the metric is undefined.
    #[pyfunction]
    #[pyo3(signature = (name, actual, forecast, insample = None, season_length = 1))]
    fn metric(
        name: &str,
        actual: PyReadonlyArray1<'_, f64>,
        forecast: PyReadonlyArray1<'_, f64>,
        insample: Option<PyReadonlyArray1<'_, f64>>,
        season_length: usize,
    ) -> PyResult<Option<f64>> {
        use omo_core::forecast as f;
        let (a, p) = (array(&actual)?, array(&forecast)?);
        let result = match name {
            "mae" => f::mae(&a, &p).map(Some),
            "rmse" => f::rmse(&a, &p).map(Some),
            "smape" => f::smape(&a, &p).map(Some),
            "mape" => f::mape(&a, &p),
            "wape" => f::wape(&a, &p),
            "bias" => f::bias(&a, &p).map(Some),
            "mase" => {
                let insample = insample.ok_or_else(|| validation_error("mase needs insample"))?;
                f::mase(&a, &p, &array(&insample)?, season_length)
            }
            other => return Err(validation_error(&format!("unknown metric {other:?}"))),
        };
        result.map_err(omo_error)
    }

    /// A metric of prediction intervals by name: `coverage` (the share of actuals inside), or `msis`
    /// (M4's mean scaled interval score at `level` percent, with the in-sample series and season
    /// length; `None` where undefined).
    #[pyfunction]
    #[pyo3(signature = (name, actual, lower, upper, insample = None, season_length = 1, level = 95.0))]
    fn interval_metric(
        name: &str,
        actual: PyReadonlyArray1<'_, f64>,
        lower: PyReadonlyArray1<'_, f64>,
        upper: PyReadonlyArray1<'_, f64>,
        insample: Option<PyReadonlyArray1<'_, f64>>,
        season_length: usize,
        level: f64,
    ) -> PyResult<Option<f64>> {
        use omo_core::forecast as f;
        let (a, l, u) = (array(&actual)?, array(&lower)?, array(&upper)?);
        let result = match name {
            "coverage" => f::coverage(&a, &l, &u).map(Some),
            "msis" => {
                let insample = insample.ok_or_else(|| validation_error("msis needs insample"))?;
                f::msis(&a, &l, &u, &array(&insample)?, season_length, level)
            }
            other => return Err(validation_error(&format!("unknown interval metric {other:?}"))),
        };
        result.map_err(omo_error)
    }

    fn options(h: usize, season_length: usize, levels: Vec<f64>, non_negative: bool) -> ForecastOptions {
        ForecastOptions { season_length, levels, non_negative, ..ForecastOptions::new(h) }
    }

    /// A season length, or several (statsforecast's `MSTL(season_length=[24, 168])`).
    #[derive(FromPyObject)]
    enum Seasons {
        One(usize),
        Many(Vec<usize>),
    }

    impl Seasons {
        /// The options' first season and further ones; none given is no season.
        fn into_options(self, options: ForecastOptions) -> ForecastOptions {
            match self {
                Seasons::One(season_length) => ForecastOptions { season_length, ..options },
                Seasons::Many(seasons) => match seasons.split_first() {
                    Some((first, more)) => {
                        ForecastOptions { season_length: *first, more_seasons: more.to_vec(), ..options }
                    }
                    None => options,
                },
            }
        }
    }

    fn to_dict<'py>(py: Python<'py>, f: &omo_core::forecast::Forecast) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("model", &f.model)?;
        dict.set_item("mean", f.mean.to_pyarray(py))?;
        let lower = PyDict::new(py);
        let upper = PyDict::new(py);
        for interval in &f.intervals {
            lower.set_item(interval.level, interval.lower.to_pyarray(py))?;
            upper.set_item(interval.level, interval.upper.to_pyarray(py))?;
        }
        dict.set_item("lower", lower)?;
        dict.set_item("upper", upper)?;
        dict.set_item("fitted", f.fitted.to_pyarray(py))?;
        dict.set_item("params", f.params.clone())?;
        Ok(dict)
    }

    /// Forecasts one series: a dict with `model`, `mean`, `lower`, `upper` and `fitted`.
    #[pyfunction]
    #[pyo3(signature = (y, h, season_length = 1, model = "auto", levels = vec![], non_negative = false))]
    fn forecast_array<'py>(
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        h: usize,
        season_length: usize,
        model: &str,
        levels: Vec<f64>,
        non_negative: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let method = Method::from_name(model).map_err(omo_error)?;
        let values = array(&y)?;
        let f = py
            .detach(|| forecast(&values, method, &options(h, season_length, levels, non_negative)))
            .map_err(omo_error)?;
        to_dict(py, &f)
    }

    /// Forecasts many series in parallel, without the GIL: one dict per series, in order.
    #[pyfunction]
    #[pyo3(signature = (series, h, season_length = 1, model = "auto", levels = vec![], non_negative = false))]
    fn forecast_batch<'py>(
        py: Python<'py>,
        series: Vec<PyReadonlyArray1<'py, f64>>,
        h: usize,
        season_length: usize,
        model: &str,
        levels: Vec<f64>,
        non_negative: bool,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let method = Method::from_name(model).map_err(omo_error)?;
        let owned: Vec<(usize, Vec<f64>)> =
            series.iter().enumerate().map(|(i, s)| Ok((i, array(s)?))).collect::<PyResult<_>>()?;
        let opts = options(h, season_length, levels, non_negative);
        let results = py.detach(|| forecast_many(&owned, method, &opts));
        results.iter().map(|r| to_dict(py, r.as_ref().map_err(|e| omo_error(e.clone()))?)).collect()
    }

    /// A method from its name ([`Method::from_name`]: `naive`, `ets`...) or its JSON form
    /// (`{"tsb_with": {"alpha_d": 0.1, "alpha_p": 0.2}}`, `{"auto_ets_of": {"model": "ZZN",
    /// "damped": null}}`), refused with the reason.
    fn method_of(text: &str) -> PyResult<Method> {
        if !text.trim_start().starts_with(['{', '"']) {
            return Method::from_name(text).map_err(omo_error);
        }
        serde_json::from_str(text).map_err(|e| argument_error("model", format!("{text}: {e}")))
    }

    /// How intervals are made, from JSON (`"normal"`, `{"conformal": {"windows": 2, "method":
    /// "conformal_distribution"}}`); normal when `None`.
    fn intervals_of(text: Option<&str>) -> PyResult<omo_core::forecast::Intervals> {
        text.map_or(Ok(omo_core::forecast::Intervals::Normal), |t| {
            serde_json::from_str(t).map_err(|e| argument_error("prediction_intervals", format!("{t}: {e}")))
        })
    }

    /// Runs `work` on `n_jobs` threads (all cores when `None`): results do not depend on it.
    fn on_threads<T: Send>(py: Python<'_>, n_jobs: Option<usize>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
        match n_jobs {
            None => Ok(py.detach(work)),
            Some(n) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .build()
                    .map_err(|e| argument_error("n_jobs", e.to_string()))?;
                Ok(py.detach(|| pool.install(work)))
            }
        }
    }

    /// Flat columns of a panel forecast as numpy arrays, moved without a copy.
    fn panel_dict<'py>(py: Python<'py>, f: omo_core::forecast::PanelForecast) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("models", f.models)?;
        out.set_item("mean", f.mean.into_pyarray(py))?;
        let bands = |bands: Vec<omo_core::forecast::Interval>| -> Vec<(f64, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
            bands
                .into_iter()
                .map(|i| (i.level, i.lower.into_pyarray(py).into_any(), i.upper.into_pyarray(py).into_any()))
                .collect()
        };
        out.set_item("intervals", bands(f.intervals))?;
        out.set_item("fitted", f.fitted.into_pyarray(py))?;
        out.set_item("fitted_intervals", bands(f.fitted_intervals))?;
        Ok(out)
    }

    /// What a panel call reads: the series of a long frame laid end to end (`values`, cut at
    /// `offsets`, one label per series), the method and its fallback. The values are numpy's own
    /// memory when the array is contiguous (a frame's float64 column is): ten million rows cost
    /// no copy. The array is borrowed read-only for the call; the GIL is released while the core
    /// reads it, as numpy's own functions do.
    struct PanelCall<'a> {
        values: Cow<'a, [f64]>,
        offsets: Vec<usize>,
        labels: Vec<String>,
        method: Method,
        fallback: Option<Method>,
    }

    impl<'a> PanelCall<'a> {
        fn read(
            values: &'a PyReadonlyArray1<'_, f64>,
            offsets: &PyReadonlyArray1<'_, i64>,
            labels: Vec<String>,
            method: &str,
            fallback: Option<&str>,
        ) -> PyResult<PanelCall<'a>> {
            let offsets = offsets
                .as_array()
                .iter()
                .map(|o| usize::try_from(*o).map_err(|_| validation_error(&format!("offset {o} is negative"))))
                .collect::<PyResult<Vec<usize>>>()?;
            Ok(PanelCall {
                values: values.as_slice().map_or_else(|_| Cow::Owned(values.as_array().to_vec()), Cow::Borrowed),
                offsets,
                labels,
                method: method_of(method)?,
                fallback: fallback.map(method_of).transpose()?,
            })
        }

        fn panel(&self) -> PyResult<Panel<'_>> {
            Panel::new(&self.values, &self.offsets).and_then(|p| p.with_labels(&self.labels)).map_err(omo_error)
        }
    }

    /// Forecasts every series of a panel with one method (JSON), a fallback for the series it
    /// cannot forecast, on `n_jobs` threads: a dict of flat columns (`models`, `mean`,
    /// `intervals` as `(level, lower, upper)`, and with `fitted` the in-sample `fitted` values and
    /// `fitted_intervals`).
    #[pyfunction]
    #[pyo3(signature = (values, offsets, labels, h, method, season_length = Seasons::One(1), levels = vec![], fitted = false, fallback = None, n_jobs = None, intervals = None))]
    #[allow(clippy::too_many_arguments)]
    fn forecast_panel<'py>(
        py: Python<'py>,
        values: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        labels: Vec<String>,
        h: usize,
        method: &str,
        season_length: Seasons,
        levels: Vec<f64>,
        fitted: bool,
        fallback: Option<&str>,
        n_jobs: Option<usize>,
        intervals: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let call = PanelCall::read(&values, &offsets, labels, method, fallback)?;
        let panel = call.panel()?;
        let opts = season_length
            .into_options(ForecastOptions { intervals: intervals_of(intervals)?, ..options(h, 1, levels, false) });
        let f = on_threads(py, n_jobs, || {
            omo_core::forecast::forecast_panel(&panel, call.method, call.fallback, &opts, fitted)
        })?
        .map_err(omo_error)?;
        panel_dict(py, f)
    }

    /// Rolling-origin cross-validation of every series of a panel: the forecasts' flat columns
    /// (as [`forecast_panel`]) and `train_lengths`, one per series and window.
    #[pyfunction]
    #[pyo3(signature = (values, offsets, labels, h, method, windows, step, season_length = Seasons::One(1), levels = vec![], fallback = None, n_jobs = None, intervals = None))]
    #[allow(clippy::too_many_arguments)]
    fn cross_validate_panel<'py>(
        py: Python<'py>,
        values: PyReadonlyArray1<'py, f64>,
        offsets: PyReadonlyArray1<'py, i64>,
        labels: Vec<String>,
        h: usize,
        method: &str,
        windows: usize,
        step: usize,
        season_length: Seasons,
        levels: Vec<f64>,
        fallback: Option<&str>,
        n_jobs: Option<usize>,
        intervals: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let call = PanelCall::read(&values, &offsets, labels, method, fallback)?;
        let panel = call.panel()?;
        let opts = season_length
            .into_options(ForecastOptions { intervals: intervals_of(intervals)?, ..options(h, 1, levels, false) });
        let (f, lengths) = on_threads(py, n_jobs, || {
            omo_core::forecast::cross_validate_panel(&panel, call.method, call.fallback, &opts, windows, step)
        })?
        .map_err(omo_error)?;
        let out = panel_dict(py, f)?;
        out.set_item("train_lengths", lengths)?;
        Ok(out)
    }

    /// Quantities of a numeric column without a copy: each float taken at its shortest decimal
    /// text (0.1 is 0.1), which is what the data scientist typed.
    fn exact_quantities(values: &PyReadonlyArray1<'_, f64>) -> PyResult<Vec<Decimal>> {
        array(values)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                if !v.is_finite() {
                    return Err(validation_error(&format!("quantity of row {row}: {v} is not a finite number")));
                }
                let text = format!("{v}");
                Decimal::from_str_exact(&text)
                    .map_err(|_| validation_error(&format!("quantity of row {row}: {text} is out of range")))
            })
            .collect()
    }

    /// Coherent forecasts along a hierarchy: `members` with their `parents` (`None` for a root),
    /// the base forecasts by member, and the history the method needs (the bottom members' past
    /// values for `top_down_historical`, every member's in-sample residuals for `mint_shrink`).
    #[pyfunction]
    #[pyo3(signature = (members, parents, base, history, method, depth = None))]
    fn reconcile(
        members: Vec<String>,
        parents: Vec<Option<String>>,
        base: HashMap<String, Vec<f64>>,
        history: HashMap<String, Vec<f64>>,
        method: &str,
        depth: Option<usize>,
    ) -> PyResult<HashMap<String, Vec<f64>>> {
        use omo_core::forecast::Reconciliation;
        if members.len() != parents.len() {
            return Err(validation_error("members and parents differ in length"));
        }
        let method = Reconciliation::from_name(method, depth).map_err(omo_error)?;
        let tree = omo_core::model::Hierarchy::from_parent_links("series", members.into_iter().zip(parents))
            .map_err(omo_error)?;
        omo_core::forecast::reconcile(&tree, &base, &history, &method).map_err(omo_error)
    }

    /// Rolling-origin cross-validation of one series: one dict per window (`train_len`,
    /// `forecast`, `actual`, `mae`, `rmse`, `smape`).
    #[pyfunction]
    #[pyo3(signature = (y, h, windows, step = 1, season_length = 1, model = "auto"))]
    fn cross_validation<'py>(
        py: Python<'py>,
        y: PyReadonlyArray1<'py, f64>,
        h: usize,
        windows: usize,
        step: usize,
        season_length: usize,
        model: &str,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let method = Method::from_name(model).map_err(omo_error)?;
        let values = array(&y)?;
        let opts = options(h, season_length, vec![], false);
        let windows = py
            .detach(|| omo_core::forecast::cross_validate(&values, method, &opts, windows, step))
            .map_err(omo_error)?;
        windows
            .iter()
            .map(|w| {
                let d = PyDict::new(py);
                d.set_item("train_len", w.train_len)?;
                d.set_item("forecast", w.forecast.to_pyarray(py))?;
                d.set_item("actual", w.actual.to_pyarray(py))?;
                d.set_item("mae", w.mae)?;
                d.set_item("rmse", w.rmse)?;
                d.set_item("smape", w.smape)?;
                Ok(d)
            })
            .collect()
    }

    /// Labels as ids of the core (each validated once), named by `what` in errors.
    fn labelled<T>(labels: Vec<String>, what: &str, make: impl Fn(String) -> omo_core::Result<T>) -> PyResult<Vec<T>> {
        labels.into_iter().map(|l| make(l).map_err(|e| validation_error(&format!("{what}: {e}")))).collect()
    }

    /// The label of `code` (a pandas factorize code) at `row`.
    fn pick<'a, T>(labels: &'a [T], codes: &[i64], row: usize, what: &str) -> PyResult<&'a T> {
        codes
            .get(row)
            .and_then(|c| usize::try_from(*c).ok())
            .and_then(|c| labels.get(c))
            .ok_or_else(|| validation_error(&format!("{what} of row {row} is missing")))
    }

    /// The S-P-I ledger from movement columns; returns a dict of columns. Nodes, products and
    /// kinds come factorized (int64 codes into their labels), dates as int64 days since
    /// 1970-01-01, all as numpy arrays without copies; quantities as exact Decimals, or as a
    /// float64 array (`quantities_f64`) read at each value's shortest decimal text.
    #[pyfunction]
    #[pyo3(signature = (node_codes, node_labels, product_codes, product_labels, kind_codes, kind_labels, days, quantities, period, opening, allow_negative, quantities_f64 = None))]
    #[allow(clippy::too_many_arguments)]
    fn spi_ledger<'py>(
        py: Python<'py>,
        node_codes: PyReadonlyArray1<'py, i64>,
        node_labels: Vec<String>,
        product_codes: PyReadonlyArray1<'py, i64>,
        product_labels: Vec<String>,
        kind_codes: PyReadonlyArray1<'py, i64>,
        kind_labels: Vec<String>,
        days: PyReadonlyArray1<'py, i64>,
        quantities: Vec<Decimal>,
        period: &str,
        opening: Vec<(String, String, Decimal)>,
        allow_negative: bool,
        quantities_f64: Option<PyReadonlyArray1<'py, f64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let quantities = match quantities_f64 {
            Some(values) => exact_quantities(&values)?,
            None => quantities,
        };
        let (node_codes, product_codes, kind_codes, days) =
            (node_codes.as_array(), product_codes.as_array(), kind_codes.as_array(), days.as_array());
        let n = days.len();
        if [node_codes.len(), product_codes.len(), kind_codes.len(), quantities.len()].iter().any(|l| *l != n) {
            return Err(validation_error("movements: node, product, date, kind and quantity columns differ in length"));
        }
        let nodes = labelled(node_labels, "node", NodeId::new)?;
        let products = labelled(product_labels, "product", ProductId::new)?;
        let kinds: Vec<Option<MovementKind>> =
            kind_labels.iter().map(|k| MovementKind::ALL.into_iter().find(|m| m.as_str() == k)).collect();
        let (node_codes, product_codes, kind_codes) =
            (node_codes.to_vec(), product_codes.to_vec(), kind_codes.to_vec());
        let mut movements = Vec::with_capacity(n);
        for (row, (day, quantity)) in days.iter().zip(quantities).enumerate() {
            let kind = match pick(&kinds, &kind_codes, row, "kind")? {
                Some(kind) => *kind,
                None => {
                    let label = pick(&kind_labels, &kind_codes, row, "kind")?;
                    return Err(validation_error(&format!("row {row}: unknown kind {label:?}")));
                }
            };
            let date = i32::try_from(*day)
                .ok()
                .and_then(|d| d.checked_add(719_163))
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| validation_error(&format!("date of row {row} is out of range")))?;
            movements.push(StockMovement {
                node: pick(&nodes, &node_codes, row, "node")?.clone(),
                product: pick(&products, &product_codes, row, "product")?.clone(),
                date,
                kind,
                quantity,
                counterparty: None,
                reference: None,
            });
        }
        let opening = opening
            .into_iter()
            .map(|(node, product, quantity)| {
                Ok(OpeningStock {
                    node: NodeId::new(node).map_err(omo_error)?,
                    product: ProductId::new(product).map_err(omo_error)?,
                    quantity,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let period: Period = period.parse().map_err(omo_error)?;
        let rows = py
            .detach(|| build_ledger(&movements, &opening, LedgerOptions { period, allow_negative }))
            .map_err(omo_error)?;
        let mut columns: BTreeMap<&str, Vec<Decimal>> = BTreeMap::new();
        for row in &rows {
            let f = &row.flows;
            for (name, value) in [
                ("opening", f.opening),
                ("receipts", f.receipts),
                ("sales", f.sales),
                ("customer_returns", f.customer_returns),
                ("supplier_returns", f.supplier_returns),
                ("transfers_in", f.transfers_in),
                ("transfers_out", f.transfers_out),
                ("adjustments", f.adjustments),
                ("closing", f.closing),
            ] {
                columns.entry(name).or_default().push(value);
            }
        }
        let out = PyDict::new(py);
        out.set_item("node", rows.iter().map(|r| r.node.as_str()).collect::<Vec<_>>())?;
        out.set_item("product", rows.iter().map(|r| r.product.as_str()).collect::<Vec<_>>())?;
        out.set_item("period", rows.iter().map(|r| r.period).collect::<Vec<_>>())?;
        for (name, values) in columns {
            out.set_item(name, values)?;
        }
        Ok(out)
    }
}
