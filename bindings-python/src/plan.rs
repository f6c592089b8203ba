//! Planning for the Python package: the MRP record of one item (`omo.plan.mrp_record`).
//!
//! Quantities and costs cross as exact decimal text (the Python layer writes a `decimal.Decimal`,
//! `int`, `str` or a float's shortest text) and are read by the core's one rule for exact numbers;
//! the rule, its parameters and every number are decided by `omo_core::plan::mrp_record`.

use omo_core::model::exact::parse_decimal;
use omo_core::plan::{LotSizing, MrpInput, MrpRow};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use rust_decimal::Decimal;

use crate::convert::{argument_error, omo_error};

/// One quantity named `name` (at `index` of a sequence, when it is one).
fn quantity(text: &str, name: &'static str, index: Option<usize>) -> PyResult<Decimal> {
    parse_decimal(text.trim()).map_err(|why| match index {
        Some(i) => argument_error(name, format!("period {} (index {i}): {why}", i + 1)),
        None => argument_error(name, why),
    })
}

/// How a quantity column of the record is read from a row.
type Column = fn(&MrpRow) -> Decimal;

fn quantities(texts: &[String], name: &'static str) -> PyResult<Vec<Decimal>> {
    texts.iter().enumerate().map(|(i, t)| quantity(t, name, Some(i))).collect()
}

fn optional(text: Option<&str>, name: &'static str) -> PyResult<Option<Decimal>> {
    text.map(|t| quantity(t, name, None)).transpose()
}

/// The MRP record of one item: a dict of its columns (`period`, then one list of `Decimal`s per
/// quantity) and `past_due`, the total of the releases that would fall before period 1.
#[pyfunction]
#[pyo3(signature = (*, gross_requirements, scheduled_receipts, on_hand, safety_stock, lead_time, lot_sizing, lot_size, periods_of_supply, ordering_cost, holding_cost))]
#[allow(clippy::too_many_arguments)]
pub fn mrp_record<'py>(
    py: Python<'py>,
    gross_requirements: Vec<String>,
    scheduled_receipts: Option<Vec<String>>,
    on_hand: &str,
    safety_stock: &str,
    lead_time: usize,
    lot_sizing: &str,
    lot_size: Option<&str>,
    periods_of_supply: Option<usize>,
    ordering_cost: Option<&str>,
    holding_cost: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let input = MrpInput {
        gross_requirements: quantities(&gross_requirements, "gross_requirements")?,
        scheduled_receipts: scheduled_receipts.map(|s| quantities(&s, "scheduled_receipts")).transpose()?,
        on_hand: quantity(on_hand, "on_hand", None)?,
        safety_stock: quantity(safety_stock, "safety_stock", None)?,
        lead_time,
        lot_sizing: LotSizing::from_name(
            lot_sizing,
            optional(lot_size, "lot_size")?,
            periods_of_supply,
            optional(ordering_cost, "ordering_cost")?,
            optional(holding_cost, "holding_cost")?,
        )
        .map_err(omo_error)?,
        modifiers: Default::default(),
    };
    let record = omo_core::plan::mrp_record(&input).map_err(omo_error)?;
    let out = PyDict::new(py);
    out.set_item("period", record.rows.iter().map(|r| r.period).collect::<Vec<_>>())?;
    let columns: [(&str, Column); 6] = [
        ("gross_requirements", |r| r.gross_requirements),
        ("scheduled_receipts", |r| r.scheduled_receipts),
        ("projected_on_hand", |r| r.projected_on_hand),
        ("net_requirements", |r| r.net_requirements),
        ("planned_order_receipts", |r| r.planned_order_receipts),
        ("planned_order_releases", |r| r.planned_order_releases),
    ];
    for (name, pick) in columns {
        out.set_item(name, record.rows.iter().map(pick).collect::<Vec<_>>())?;
    }
    out.set_item("past_due", record.past_due)?;
    Ok(out)
}

/// The channel plan and the supply plan of `dataset` planned at the end of `as_of`, by `period`
/// (`"week"` or `"month"`) over `horizon` periods, with the core's default policies, as JSON
/// (`{"channel": ..., "supply": ..., "sop": ..., "suppliers": ..., "signals": ...}`); every number,
/// window and default is the core's (`omo_core::plan::company_plan`).
#[pyfunction]
#[pyo3(signature = (dataset, as_of, period, horizon, method))]
pub fn supply_chain_plan_json(
    py: Python<'_>,
    dataset: &crate::company::PyDataset,
    as_of: chrono::NaiveDate,
    period: &str,
    horizon: usize,
    method: Option<&str>,
) -> PyResult<String> {
    use omo_core::plan::{ChannelSettings, SupplySettings, company_plan};
    let period: omo_core::spi::Period = period.parse().map_err(omo_error)?;
    let mut settings = ChannelSettings::by(as_of, period, horizon);
    if let Some(name) = method {
        settings.method = omo_core::forecast::Method::from_name(name).map_err(omo_error)?;
    }
    let d = std::sync::Arc::clone(&dataset.inner);
    let plan = py.detach(|| company_plan(&d, &settings, &SupplySettings::default())).map_err(omo_error)?;
    crate::company::json(&plan)
}

/// The scorecard of every supplier and OEM on `as_of` as JSON (`omo_core::plan::supplier_scorecard`).
#[pyfunction]
pub fn supplier_scorecard_json(
    py: Python<'_>,
    dataset: &crate::company::PyDataset,
    as_of: chrono::NaiveDate,
) -> PyResult<String> {
    let d = std::sync::Arc::clone(&dataset.inner);
    let scores = py.detach(|| omo_core::plan::supplier_scorecard(&d, as_of)).map_err(omo_error)?;
    crate::company::json(&scores)
}
