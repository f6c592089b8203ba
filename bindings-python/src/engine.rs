//! The live engine for the Python package: events cross as JSON text (read exactly by the core),
//! changes and sync results come back as JSON text. `omo/engine.py` delivers the changes to the
//! Python callbacks and turns results into dicts. Nothing here decides anything.
//!
//! An engine is held in memory ([`Engine`]) or durably in a SQLite file ([`Store`], which owns
//! its engine and commits every event before it returns). The work runs without the GIL, and the
//! engine's lock is only ever taken inside that work (never held while waiting for the GIL).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::NaiveDate;
use omo_core::engine::{Accepted, Change, DEFAULT_MAX_DAYS_AHEAD, Engine, EngineOptions, Event, EventBatch, events_of};
use omo_core::sample::StockRecord;
use omo_core::{OmoError, ValidDataset};
use omo_store::{Checks, Store};
use pyo3::prelude::*;
use serde_json::{Value, json};

use crate::company::PyDataset;
use crate::convert::{argument_error, omo_error, store_error};

/// Where the engine lives.
enum Backend {
    Memory(Box<Engine>),
    Durable(Box<Store>),
}

impl Backend {
    fn engine(&self) -> &Engine {
        match self {
            Backend::Memory(engine) => engine,
            Backend::Durable(store) => store.engine(),
        }
    }
}

/// A live engine, in memory or durable in a SQLite file; `None` once closed.
#[pyclass(name = "Engine", module = "omo._native")]
pub struct PyEngine {
    inner: Mutex<Option<Backend>>,
}

fn text<T: serde::Serialize + ?Sized>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| omo_error(OmoError::Json(e.to_string())))
}

/// Changes as JSON values: each change's own fields, its action in words.
fn changes_value(changes: &[Change]) -> Value {
    changes.iter().map(Change::to_value).collect()
}

/// Changes as JSON text.
fn changes_json(changes: &[Change]) -> PyResult<String> {
    text(&changes_value(changes))
}

/// Events read from JSON text in order, up to the first that does not read: those, and its error.
fn parse_prefix(texts: &[String]) -> (Vec<Event>, Option<OmoError>) {
    let mut events = Vec::with_capacity(texts.len());
    for text in texts {
        match Event::from_json(text) {
            Ok(event) => events.push(event),
            Err(e) => return (events, Some(e)),
        }
    }
    (events, None)
}

/// A closed engine's error.
fn closed_error() -> PyErr {
    argument_error("engine", "closed")
}

impl PyEngine {
    fn wrap(backend: Backend) -> Self {
        PyEngine { inner: Mutex::new(Some(backend)) }
    }

    /// The engine, refused after a panic in the core left it in an unknown state (a durable one
    /// is reopened from its file, which holds only committed events).
    fn lock(&self) -> PyResult<MutexGuard<'_, Option<Backend>>> {
        self.inner.lock().map_err(|_| {
            omo_error(OmoError::Json(
                "the engine was poisoned by a panic (a durable one: close it and open it again)".to_owned(),
            ))
        })
    }

    /// Runs `f` on the open engine's state without the GIL (the view functions read it so).
    pub(crate) fn read<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&Engine) -> PyResult<R> + Send) -> PyResult<R> {
        self.with(py, |backend| f(backend.engine()))
    }

    /// Runs `f` on the open engine without the GIL.
    fn with<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Backend) -> PyResult<R> + Send) -> PyResult<R> {
        py.detach(|| match self.lock()?.as_mut() {
            Some(backend) => f(backend),
            None => Err(closed_error()),
        })
    }
}

#[pymethods]
impl PyEngine {
    /// An engine on `dataset`'s history (validated), or on an empty company when `None`: in
    /// memory, or durable in a new store file at `path` (an existing path is refused);
    /// `plan_alerts` is `EngineOptions::plan_alerts`, `log_capacity` (the core's default when
    /// `None`) `EngineOptions::log_capacity`, `max_days_ahead` `EngineOptions::max_days_ahead`.
    #[new]
    #[pyo3(signature = (dataset = None, path = None, plan_alerts = false, log_capacity = None, max_days_ahead = Some(DEFAULT_MAX_DAYS_AHEAD)))]
    fn new(
        py: Python<'_>,
        dataset: Option<&PyDataset>,
        path: Option<PathBuf>,
        plan_alerts: bool,
        log_capacity: Option<usize>,
        max_days_ahead: Option<u32>,
    ) -> PyResult<Self> {
        let history = match dataset {
            Some(d) => ValidDataset::clone(&d.inner),
            None => ValidDataset::new(Engine::empty_history().map_err(omo_error)?).map_err(omo_error)?,
        };
        let defaults = EngineOptions::default();
        let log_capacity = log_capacity.unwrap_or(defaults.log_capacity);
        let options = EngineOptions { plan_alerts, log_capacity, max_days_ahead, ..defaults };
        let backend = match path {
            None => Backend::Memory(Box::new(py.detach(|| Engine::on_valid(history, options)).map_err(omo_error)?)),
            Some(path) => {
                let store = py.detach(|| Store::create(&path, history.into_inner(), options)).map_err(store_error)?;
                Backend::Durable(Box::new(store))
            }
        };
        Ok(PyEngine::wrap(backend))
    }

    /// An engine on `master` (every record but the movements and POS sales) and `records`, an
    /// iterable of movement and POS-sale events as JSON text in date order, read one at a time
    /// ([`Engine::load`]): in memory, or durable in a new store file at `path`, the records
    /// written to it as they are folded ([`Store::create_loaded`]; reopened with
    /// `Engine.open(path)`). `keep_open_records` is `EngineOptions::keep_open_records`,
    /// `max_days_ahead` `EngineOptions::max_days_ahead`. The first record that does not read
    /// stops the load and is raised (and no file is left).
    #[staticmethod]
    #[pyo3(signature = (master, records, keep_open_records = true, log_capacity = None, path = None, max_days_ahead = Some(DEFAULT_MAX_DAYS_AHEAD)))]
    fn load(
        master: &PyDataset,
        records: &Bound<'_, PyAny>,
        keep_open_records: bool,
        log_capacity: Option<usize>,
        path: Option<PathBuf>,
        max_days_ahead: Option<u32>,
    ) -> PyResult<Self> {
        let defaults = EngineOptions::default();
        let log_capacity = log_capacity.unwrap_or(defaults.log_capacity);
        let options = EngineOptions { keep_open_records, log_capacity, max_days_ahead, ..defaults };
        let mut unread: Option<PyErr> = None;
        // Python's iterator is read under the GIL, one record at a time, as the core folds them.
        let stream = records.try_iter()?.map_while(|item| {
            let record = item
                .and_then(|item| item.extract::<String>())
                .and_then(|text| Event::from_json(&text).and_then(StockRecord::try_from).map_err(omo_error));
            record.map_err(|e| unread = Some(e)).ok()
        });
        let master = ValidDataset::clone(&master.inner).into_inner();
        let loaded = match path {
            None => Engine::load(master, stream, options).map(|e| Backend::Memory(Box::new(e))).map_err(omo_error),
            Some(path) => Store::create_loaded(path, master, stream, options)
                .map(|s| Backend::Durable(Box::new(s)))
                .map_err(store_error),
        };
        match unread {
            Some(e) => Err(e),
            None => Ok(PyEngine::wrap(loaded?)),
        }
    }

    /// Reopens the durable engine in the store file at `path` (also after a crash).
    #[staticmethod]
    fn open(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let store = py.detach(|| Store::open(&path)).map_err(store_error)?;
        Ok(PyEngine::wrap(Backend::Durable(Box::new(store))))
    }

    /// Releases the engine (and its file); later calls raise. Closing twice does nothing.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        // Also after a panic: the file is released either way.
        py.detach(|| match self.inner.lock().unwrap_or_else(PoisonError::into_inner).take() {
            Some(Backend::Durable(store)) => store.close().map_err(store_error),
            Some(Backend::Memory(_)) | None => Ok(()),
        })
    }

    /// The store file of a durable engine; `None` in memory.
    #[getter]
    fn path(&self) -> PyResult<Option<PathBuf>> {
        match self.lock()?.as_ref() {
            Some(Backend::Durable(store)) => Ok(Some(store.path().to_path_buf())),
            Some(Backend::Memory(_)) => Ok(None),
            None => Err(closed_error()),
        }
    }

    /// Applies one event (JSON text), committed before it returns when durable; the changes as
    /// JSON.
    fn apply_json(&self, py: Python<'_>, event: &str) -> PyResult<String> {
        let event = Event::from_json(event).map_err(omo_error)?;
        let changes = self.with(py, |backend| match backend {
            Backend::Memory(engine) => engine.apply(event).map_err(omo_error),
            Backend::Durable(store) => store.apply(event).map_err(store_error),
        })?;
        changes_json(&changes)
    }

    /// Applies events one by one and stops at the first refused one (durable: in one commit):
    /// the changes of those applied (JSON), and the refusal, if any, as an exception object to
    /// raise. `batch`: the lights settled once a day of the events (`Engine::apply_batch`).
    #[pyo3(signature = (events, batch=false))]
    fn apply_many_json(&self, py: Python<'_>, events: Vec<String>, batch: bool) -> PyResult<(String, Option<PyErr>)> {
        let (changes, error) = self.with(py, |backend| {
            let (events, unreadable) = parse_prefix(&events);
            Ok(match backend {
                Backend::Memory(engine) => {
                    let applied = if batch { engine.apply_batch(events) } else { engine.apply_many(events) };
                    (applied.changes, applied.refused.or(unreadable).map(omo_error))
                }
                Backend::Durable(store) => {
                    let applied = if batch { store.apply_batch(events) } else { store.apply_many(events) };
                    let applied = applied.map_err(store_error)?;
                    (applied.changes, applied.refused.map(store_error).or_else(|| unreadable.map(omo_error)))
                }
            })
        })?;
        Ok((changes_json(&changes)?, error))
    }

    /// Sync: one result per event (JSON): `{"seq": n, "changes": [...]}` or `{"id", "error", "field"}` (durable:
    /// the accepted ones in one commit; a failed commit raises, nothing of the batch is durable).
    fn apply_remote_json(&self, py: Python<'_>, events: Vec<String>) -> PyResult<String> {
        let results = self.with(py, |backend| {
            let mut batch = EventBatch::read(events.iter().map(String::as_str));
            let readable = batch.take_events();
            let outcomes: Vec<Result<Accepted, OmoError>> = match backend {
                Backend::Memory(engine) => engine.apply_remote(readable),
                // A failed commit is the disk's, not an event's: nothing of the batch is durable.
                Backend::Durable(store) => store.apply_each(readable, Checks::Remote).map_err(store_error)?,
            };
            let results: Vec<Value> = batch
                .results(outcomes)
                .into_iter()
                .map(|result| match result {
                    Ok(accepted) => json!({"seq": accepted.seq, "changes": changes_value(&accepted.changes)}),
                    Err(refusal) => serde_json::to_value(refusal).unwrap_or(Value::Null),
                })
                .collect();
            Ok(results)
        })?;
        text(&results)
    }

    /// Lets time pass to the end of `date` (durable: recorded before it returns); the changes as
    /// JSON.
    fn advance_to(&self, py: Python<'_>, date: NaiveDate) -> PyResult<String> {
        let changes = self.with(py, |backend| match backend {
            Backend::Memory(engine) => engine.advance_to(date).map_err(omo_error),
            Backend::Durable(store) => store.advance_to(date).map_err(store_error),
        })?;
        changes_json(&changes)
    }

    /// The engine's clock.
    #[getter]
    fn as_of(&self) -> PyResult<NaiveDate> {
        self.lock()?.as_ref().map(|b| b.engine().as_of()).ok_or_else(closed_error)
    }

    /// The sequence number of the last applied (durable: committed) event.
    #[getter]
    fn seq(&self) -> PyResult<u64> {
        self.lock()?.as_ref().map(|b| b.engine().seq()).ok_or_else(closed_error)
    }

    /// The events after `seq`, in order, as a JSON list of events (durable: read from the file,
    /// so across reopening).
    fn events_since_json(&self, py: Python<'_>, seq: u64) -> PyResult<String> {
        let events = self.with(py, |backend| match backend {
            Backend::Memory(engine) => engine.events_since(seq).map_err(omo_error),
            Backend::Durable(store) => store.events_since(seq).map_err(store_error),
        })?;
        text(&events.into_iter().map(|(_, e)| e).collect::<Vec<_>>())
    }

    /// The scorecard the engine keeps current event by event (the month to date along the
    /// regions), laid out as `scorecard_json` lays out a month's: (month, KPIs, lines).
    fn live_scorecard_json(&self, py: Python<'_>) -> PyResult<String> {
        let card = self.read(py, |engine| Ok(engine.live_scorecard()))?;
        text(&(card.month, &card.kpis, card.lines()))
    }

    /// Where every distributor's alert on each KPI stands now, as a JSON list.
    fn alert_states_json(&self, py: Python<'_>) -> PyResult<String> {
        self.read(py, |engine| text(&engine.alert_states()))
    }

    /// The history plus every applied event, as a dataset.
    fn to_dataset(&self, py: Python<'_>) -> PyResult<PyDataset> {
        let dataset = self.with(py, |backend| Ok(backend.engine().to_valid_dataset()))?;
        Ok(PyDataset { inner: Arc::new(dataset) })
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
