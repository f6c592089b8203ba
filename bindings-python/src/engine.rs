//! The live engine for the Python package: events cross as JSON text (read exactly by the core),
//! changes and sync results come back as JSON text. `omo/engine.py` delivers the changes to the
//! Python callbacks and turns results into dicts. Nothing here decides anything.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDate;
use omo_core::engine::{Change, Engine, EngineOptions, Event, events_of};
use omo_core::{Dataset, OmoError};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::company::PyDataset;
use crate::convert::omo_error;

/// A live engine held in memory.
#[pyclass(name = "Engine", module = "omo._native")]
pub struct PyEngine {
    inner: Mutex<Engine>,
}

fn text<T: serde::Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| omo_error(OmoError::Json(e.to_string())))
}

/// Changes as JSON: each change's own fields, its action in words.
fn changes_json(changes: &[Change]) -> PyResult<String> {
    let rows: Vec<Value> = changes
        .iter()
        .map(|c| {
            let mut row = serde_json::to_value(c).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut row {
                map.insert("action".to_owned(), Value::String(c.action()));
            }
            row
        })
        .collect();
    text(&rows)
}

/// A refusal as sync reports it: the event's id, the reason in words, the field at fault.
fn refusal_json(id: Option<&str>, error: &OmoError) -> Value {
    let (id, field) = match error {
        OmoError::Refused { id, field, .. } => (Some(id.as_str()), field.clone()),
        _ => (id, None),
    };
    json!({"id": id, "error": error.to_string(), "field": field})
}

impl PyEngine {
    fn engine(&self) -> PyResult<MutexGuard<'_, Engine>> {
        self.inner.lock().map_err(|_| omo_error(OmoError::Json("the engine was poisoned by a panic".to_owned())))
    }
}

#[pymethods]
impl PyEngine {
    /// An engine on `dataset`'s history (validated), or on an empty company when `None`.
    #[new]
    #[pyo3(signature = (dataset = None))]
    fn new(py: Python<'_>, dataset: Option<&PyDataset>) -> PyResult<Self> {
        let history = match dataset {
            Some(d) => Dataset::clone(&d.inner),
            None => Engine::empty_history().map_err(omo_error)?,
        };
        let engine = py.detach(|| Engine::new(history, EngineOptions::default())).map_err(omo_error)?;
        Ok(PyEngine { inner: Mutex::new(engine) })
    }

    /// Applies one event (JSON text); the changes as JSON.
    fn apply_json(&self, py: Python<'_>, event: &str) -> PyResult<String> {
        let event = Event::from_json(event).map_err(omo_error)?;
        let changes = py.detach(|| self.engine().map(|mut e| e.apply(event)))?.map_err(omo_error)?;
        changes_json(&changes)
    }

    /// Applies events one by one and stops at the first refused one: the changes of those
    /// applied (JSON), and the refusal, if any, as an exception object to raise.
    fn apply_many_json(&self, events: Vec<String>) -> PyResult<(String, Option<PyErr>)> {
        let mut engine = self.engine()?;
        let mut changes = Vec::new();
        for event in events {
            match Event::from_json(&event).and_then(|e| engine.apply(e)) {
                Ok(more) => changes.extend(more),
                Err(e) => return Ok((changes_json(&changes)?, Some(omo_error(e)))),
            }
        }
        Ok((changes_json(&changes)?, None))
    }

    /// Sync: one result per event (JSON): `{"seq": n}` or `{"id", "error", "field"}`.
    fn apply_remote_json(&self, events: Vec<String>) -> PyResult<String> {
        let mut engine = self.engine()?;
        let mut results = Vec::with_capacity(events.len());
        for text in events {
            let event = match Event::from_json(&text) {
                Ok(event) => event,
                Err(e) => {
                    results.push(refusal_json(None, &e));
                    continue;
                }
            };
            let id = event.id.clone();
            match engine.apply_remote([event]).pop() {
                Some(Ok(seq)) => results.push(json!({"seq": seq})),
                Some(Err(e)) => results.push(refusal_json(Some(&id), &e)),
                None => {}
            }
        }
        text(&results)
    }

    /// Lets time pass to the end of `date`; the changes as JSON.
    fn advance_to(&self, date: NaiveDate) -> PyResult<String> {
        let changes = self.engine()?.advance_to(date).map_err(omo_error)?;
        changes_json(&changes)
    }

    /// The engine's clock.
    #[getter]
    fn as_of(&self) -> PyResult<NaiveDate> {
        Ok(self.engine()?.as_of())
    }

    /// The sequence number of the last applied event.
    #[getter]
    fn seq(&self) -> PyResult<u64> {
        Ok(self.engine()?.seq())
    }

    /// The events after `seq`, in order, as a JSON list of events.
    fn events_since_json(&self, seq: u64) -> PyResult<String> {
        let events = self.engine()?.events_since(seq).map_err(omo_error)?;
        text(&events.into_iter().map(|(_, e)| e).collect::<Vec<_>>())
    }

    /// The history plus every applied event, as a dataset.
    fn to_dataset(&self) -> PyResult<PyDataset> {
        Ok(PyDataset { inner: Arc::new(self.engine()?.to_dataset()) })
    }
}

/// What happened after `after` in `dataset`, as a JSON list of events (see the core's
/// `events_of`).
#[pyfunction]
pub fn events_of_json(py: Python<'_>, dataset: &PyDataset, after: NaiveDate) -> PyResult<String> {
    let d = Arc::clone(&dataset.inner);
    let events = py.detach(|| events_of(&d, after)).map_err(omo_error)?;
    text(&events)
}
