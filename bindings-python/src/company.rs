//! A company's data and the core's views of it, for the Python package: the dataset (JSON in
//! and out, its collections as records), the sample company, S-P-I roll-ups, inventory health,
//! suggested orders, credit books and checks, scorecards, alerts and customer analytics.
//!
//! Results cross as JSON text of the core's own serde form (Decimals as exact strings, dates as
//! ISO strings); `omo/_frames.py` turns them into data frames with `decimal.Decimal` and
//! `datetime.date` columns. Nothing here decides anything: each function calls one core function.
//!
//! Every view reads a [`Source`]: a dataset, or the current state of a live engine (its views
//! read the engine's own dataset and credit book, nothing copied).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use omo_core::analytics::Team;
use omo_core::credit::{AgingBuckets, CheckMode, CreditBook};
use omo_core::model::CustomerId;
use omo_core::model::RegionId;
use omo_core::sample::{SampleConfig, sample_company as core_sample};
use omo_core::spi::{HealthOptions, NodeLevel, Period, PlanSettings, ProductLevel};
use omo_core::views::{Axis, Views, Window, ranked_positions};
use omo_core::{Dataset, JsonLimits, OmoError, ValidDataset};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;
use serde::Serialize;

use crate::convert::{money, omo_error, validation_error};
use crate::engine::PyEngine;

pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| omo_error(OmoError::Json(e.to_string())))
}

/// What a view reads: a dataset, or a live engine's current state.
#[derive(FromPyObject)]
pub enum Source<'py> {
    /// A validated dataset.
    Dataset(PyRef<'py, PyDataset>),
    /// A live engine, in memory or durable.
    Engine(PyRef<'py, PyEngine>),
}

impl Source<'_> {
    /// Runs `f` on the source's views without the GIL.
    fn views<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&Views<'_>) -> omo_core::Result<R> + Send) -> PyResult<R> {
        match self {
            Source::Dataset(dataset) => {
                let dataset = Arc::clone(&dataset.inner);
                py.detach(|| f(&Views::new(&dataset))).map_err(omo_error)
            }
            Source::Engine(engine) => engine.read(py, |engine| f(&engine.views()).map_err(omo_error)),
        }
    }
}

/// A company's data: master data of the three axes and its transactions, validated.
#[pyclass(name = "Dataset", module = "omo._native", frozen)]
pub struct PyDataset {
    pub(crate) inner: Arc<ValidDataset>,
}

#[pymethods]
impl PyDataset {
    /// Reads a dataset from JSON (the core's format: `str`, or `bytes` that must be UTF-8) and
    /// validates it: a broken dataset raises `ValidationError` naming every broken reference. A
    /// UTF-8 byte-order mark is accepted; a string longer than `max_string_bytes` (the core's
    /// default when `None`) raises `LimitError` naming where it is.
    #[staticmethod]
    #[pyo3(signature = (text, max_string_bytes = None))]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyAny>, max_string_bytes: Option<usize>) -> PyResult<Self> {
        let limits =
            max_string_bytes.map_or_else(JsonLimits::default, |max_string_bytes| JsonLimits { max_string_bytes });
        let read = |dataset: omo_core::Result<Dataset>| dataset.and_then(ValidDataset::new);
        let dataset = if let Ok(bytes) = text.cast::<PyBytes>() {
            let bytes = bytes.as_bytes();
            py.detach(|| read(Dataset::from_json_bytes(bytes, &limits)))
        } else {
            let text: PyBackedStr = text.extract()?;
            py.detach(|| read(Dataset::from_json_with(&text, &limits)))
        };
        Ok(PyDataset { inner: Arc::new(dataset.map_err(omo_error)?) })
    }

    /// The dataset as JSON.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.inner.to_json()).map_err(omo_error)
    }

    /// The same company as it stood at the end of `date` (see the core's `Dataset::until`),
    /// validated: a payment that names an invoice of a later day raises `ValidationError`.
    fn until(&self, py: Python<'_>, date: NaiveDate) -> PyResult<PyDataset> {
        let d = Arc::clone(&self.inner);
        let cut = py.detach(|| ValidDataset::new(d.until(date))).map_err(omo_error)?;
        Ok(PyDataset { inner: Arc::new(cut) })
    }

    /// The company's name.
    #[getter]
    fn company(&self) -> String {
        self.inner.company.clone()
    }

    /// The reporting currency.
    #[getter]
    fn currency(&self) -> String {
        self.inner.currency.to_string()
    }

    /// The snapshot date.
    #[getter]
    fn as_of(&self) -> NaiveDate {
        self.inner.as_of
    }

    /// The records of one collection (`"customers"`, `"movements"`, `"invoices"`, ...) as JSON.
    fn records_json(&self, py: Python<'_>, collection: &str) -> PyResult<String> {
        let d = &self.inner;
        py.detach(|| match collection {
            "categories" => json(&d.categories),
            "products" => json(&d.products),
            "bundles" => json(&d.bundles),
            "regions" => json(&d.regions),
            "business_units" => json(&d.business_units),
            "salespeople" => json(&d.salespeople),
            "customers" => json(&d.customers),
            "nodes" => json(&d.nodes),
            "movements" => json(&d.movements),
            "counts" => json(&d.counts),
            "pos_sales" => json(&d.pos_sales),
            "orders" => json(&d.orders),
            "shipments" => json(&d.shipments),
            "invoices" => json(&d.invoices),
            "payments" => json(&d.payments),
            "prepaid_orders" => json(&d.prepaid_orders),
            "credit_accounts" => json(&d.credit_accounts),
            "sales_targets" => json(&d.sales_targets),
            other => Err(validation_error(&format!("unknown collection {other:?}"))),
        })
    }

    /// How many records each collection holds.
    fn counts(&self) -> HashMap<&'static str, usize> {
        let s = self.inner.summary();
        HashMap::from([
            ("products", s.products),
            ("customers", s.customers),
            ("nodes", s.nodes),
            ("movements", s.movements),
            ("pos_sales", s.pos_sales),
            ("orders", s.orders),
            ("invoices", s.invoices),
            ("payments", s.payments),
            ("credit_accounts", s.credit_accounts),
        ])
    }
}

/// The seeded sample company (a fertilizer maker) of the given size.
#[pyfunction]
#[pyo3(signature = (seed = 42, distributors = 8, retailers_per_distributor = 10, farmers = 3000, years = 3))]
pub fn sample_company(
    py: Python<'_>,
    seed: u64,
    distributors: usize,
    retailers_per_distributor: usize,
    farmers: usize,
    years: u32,
) -> PyResult<PyDataset> {
    let config =
        SampleConfig { seed, distributors, retailers_per_distributor, farmers, years, ..SampleConfig::default() };
    let dataset = py.detach(|| core_sample(&config).and_then(ValidDataset::new)).map_err(omo_error)?;
    Ok(PyDataset { inner: Arc::new(dataset) })
}

/// The S-P-I ledger rolled up along the supply chain and the product tree, as JSON rows.
#[pyfunction]
pub fn spi_rollup_json(
    py: Python<'_>,
    source: Source<'_>,
    period: &str,
    nodes: &str,
    products: &str,
) -> PyResult<String> {
    let period = Period::from_str(period).map_err(omo_error)?;
    let nodes = NodeLevel::from_str(nodes).map_err(omo_error)?;
    let products = ProductLevel::from_str(products).map_err(omo_error)?;
    json(&source.views(py, |v| v.spi_rollup(&nodes, &products, period, None))?)
}

/// Inventory health on `as_of` (the snapshot date by default), as JSON of the core's report.
#[pyfunction]
#[pyo3(signature = (source, as_of = None))]
pub fn inventory_health_json(py: Python<'_>, source: Source<'_>, as_of: Option<NaiveDate>) -> PyResult<String> {
    json(&source.views(py, |v| v.health_with(&HealthOptions::new(as_of.unwrap_or(v.as_of()))))?)
}

/// Suggested orders on the snapshot date, as JSON rows ranked as the core ranks them, each with
/// its value; a setting not given is the core's default (`PlanSettings::new`).
#[pyfunction]
#[pyo3(signature = (source, service_level = None, lead_time_days = None, review_days = None, demand = None))]
pub fn suggest_orders_json(
    py: Python<'_>,
    source: Source<'_>,
    service_level: Option<f64>,
    lead_time_days: Option<u32>,
    review_days: Option<u32>,
    demand: Option<&str>,
) -> PyResult<String> {
    let demand = demand.map(omo_core::spi::DemandBasis::from_name).transpose().map_err(omo_error)?;
    let orders = source.views(py, |v| {
        let mut settings = PlanSettings::new(v.as_of());
        settings.service_level = service_level.unwrap_or(settings.service_level);
        settings.lead_time_days = lead_time_days.unwrap_or(settings.lead_time_days);
        settings.review_days = review_days.unwrap_or(settings.review_days);
        settings.demand = demand.unwrap_or(settings.demand);
        v.suggested_orders(None, Some(settings))
    })?;
    json(&orders.rows)
}

/// A credit book of a dataset on its snapshot date under the default policy.
#[pyclass(name = "CreditBook", module = "omo._native", frozen)]
pub struct PyCreditBook {
    book: CreditBook,
    as_of: NaiveDate,
}

#[pymethods]
impl PyCreditBook {
    /// A dataset's book, built under the default policy; an engine's own book, copied.
    #[new]
    fn new(py: Python<'_>, source: Source<'_>) -> PyResult<Self> {
        let (book, as_of) = source.views(py, |v| Ok((v.credit_book()?.clone(), v.as_of())))?;
        Ok(PyCreditBook { book, as_of })
    }

    /// The check of an order of `amount` (exact decimal text, plain or scientific) as JSON; `horizon_days` makes it
    /// a dynamic check. Each finding carries its reason's words (`message`) and code.
    #[pyo3(signature = (customer, amount, date = None, horizon_days = None))]
    fn check_order_json(
        &self,
        customer: &str,
        amount: &str,
        date: Option<NaiveDate>,
        horizon_days: Option<u32>,
    ) -> PyResult<String> {
        let customer = CustomerId::new(customer).map_err(omo_error)?;
        let amount = money(amount, "amount")?;
        let mode = horizon_days.map_or(CheckMode::Static, |horizon_days| CheckMode::Dynamic { horizon_days });
        let check = self.book.check_order(&customer, amount, date.unwrap_or(self.as_of), mode).map_err(omo_error)?;
        let messages: Vec<(String, &str)> =
            check.findings.iter().map(|f| (f.reason.to_string(), f.reason.code())).collect();
        json(&(check, messages))
    }

    /// Every account's position on the snapshot date (a check of an order of nothing, with its
    /// risk class, share of the limit used and status), ranked as the core ranks them, as JSON.
    fn positions_json(&self) -> PyResult<String> {
        json(&ranked_positions(&self.book, self.as_of).map_err(omo_error)?)
    }

    /// Every account's audit trail on `as_of` (the snapshot date by default), as JSON rows:
    /// customer, date, action code, the change in words, by whom and why.
    #[pyo3(signature = (as_of = None))]
    fn audit_trail_json(&self, as_of: Option<NaiveDate>) -> PyResult<String> {
        json(&self.book.credit_decisions(as_of.unwrap_or(self.as_of)))
    }

    /// The aging of all receivables on `as_of` (the snapshot date by default), as JSON.
    #[pyo3(signature = (as_of = None, buckets = None))]
    fn aging_json(&self, as_of: Option<NaiveDate>, buckets: Option<Vec<u32>>) -> PyResult<String> {
        let buckets = match buckets {
            Some(bounds) => AgingBuckets::new(bounds).map_err(omo_error)?,
            None => AgingBuckets::default(),
        };
        json(&self.book.receivables().aging(as_of.unwrap_or(self.as_of), &buckets))
    }
}

/// The standard scorecard of a month along an axis (`"region"` or `"business_unit"`): JSON of
/// the month, the KPIs, and one row per member and KPI with the member's name, parent and depth
/// (the core's `Views::scorecard`, flattened).
#[pyfunction]
#[pyo3(signature = (source, axis = "region", month = None))]
pub fn scorecard_json(py: Python<'_>, source: Source<'_>, axis: &str, month: Option<NaiveDate>) -> PyResult<String> {
    let axis = Axis::from_str(axis).map_err(omo_error)?;
    let card = source.views(py, |v| v.scorecard(axis, month))?;
    json(&(card.month, &card.kpis, card.lines()))
}

/// The alerts of the distributors' standard KPIs over the `months` months up to the last
/// complete one, as JSON.
#[pyfunction]
#[pyo3(signature = (source, months = 12))]
pub fn alerts_json(py: Python<'_>, source: Source<'_>, months: u32) -> PyResult<String> {
    json(&source.views(py, |v| v.alerts(Some(months)))?.events)
}

/// Customer summaries over the last `months` months (the core's trailing year by default),
/// active when they bought within `dormant_after_days` (the core's default when None).
#[pyfunction]
#[pyo3(signature = (source, months = None, dormant_after_days = None))]
pub fn customer_summaries_json(
    py: Python<'_>,
    source: Source<'_>,
    months: Option<u32>,
    dormant_after_days: Option<u32>,
) -> PyResult<String> {
    json(&source.views(py, |v| {
        let window = months.map(|m| Window::trailing(v.dataset(), v.as_of(), m));
        v.customer_summaries(window, dormant_after_days)
    })?)
}

/// RFM scores and segments of the customers invoiced in `[start, end]`: `end` defaults to the
/// snapshot date, `start` to the trailing year before `end`.
#[pyfunction]
#[pyo3(signature = (source, start = None, end = None))]
pub fn rfm_json(
    py: Python<'_>,
    source: Source<'_>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> PyResult<String> {
    json(&source.views(py, |v| Ok(v.rfm(Some(v.customer_window(start, end)?))))?)
}

/// Sell-in, sell-through, sell-out and channel stock per period, for the market or a region.
#[pyfunction]
#[pyo3(signature = (source, period = "month", region = None))]
pub fn channel_view_json(py: Python<'_>, source: Source<'_>, period: &str, region: Option<&str>) -> PyResult<String> {
    let period = Period::from_str(period).map_err(omo_error)?;
    let region = region.map(RegionId::new).transpose().map_err(omo_error)?;
    json(&source.views(py, |v| v.channel(period, region.as_ref(), None))?)
}

/// Each salesperson's or business unit's revenue, margin, plan, last month and last year, and
/// customers won and lost, over `[start, end]`: by default `end` is the last day of the last
/// complete month and `start` the first day of `end`'s month.
#[pyfunction]
#[pyo3(signature = (source, team, start = None, end = None))]
pub fn team_performance_json(
    py: Python<'_>,
    source: Source<'_>,
    team: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> PyResult<String> {
    let team = match team {
        "salesperson" => Team::Salesperson,
        "business_unit" => Team::BusinessUnit,
        other => return Err(validation_error(&format!("team: {other:?} is not salesperson or business_unit"))),
    };
    json(&source.views(py, |v| v.team_performance(team, Some(v.team_window(start, end)?)))?)
}
