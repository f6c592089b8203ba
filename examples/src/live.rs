//! The main job's live part: an engine opened on a company's history up to the start of its
//! last quarter, then that quarter replayed as a stream of events, as an ERP would post them —
//! each light that turns red (or back) and each alert printed as it happens, with its date,
//! value, threshold and what to do. With a store the state survives the run: a second run
//! continues where the first stopped.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Months, NaiveDate};
use omo_core::Dataset;
use omo_core::engine::{Change, ChangeKind, Engine, EngineOptions, Event, events_of, events_streamed, numbered};
use omo_core::kpi::Light;
use omo_core::sample::{SampleConfig, StockRecord, sample_company_streamed};
use omo_core::views::quarter_start;
use omo_store::Store;

/// The engine the replay ran on: in memory, or durable in a store.
pub enum Live {
    /// In memory.
    Memory(Box<Engine>),
    /// In a store file.
    Durable(Box<Store>),
}

impl Live {
    /// The engine.
    pub fn engine(&self) -> &Engine {
        match self {
            Live::Memory(engine) => engine,
            Live::Durable(store) => store.engine(),
        }
    }
}

/// The day before the last quarter of `company` starts: the history the engine opens on.
pub fn history_cut(company: &Dataset) -> Option<NaiveDate> {
    let as_of = company.as_of;
    // A quarter is the last one once it has begun; on its first day, the quarter before is.
    let start = quarter_start(as_of);
    let start = if start == as_of { start.checked_sub_months(Months::new(3))? } else { start };
    start.pred_opt()
}

/// Replays `company`'s last quarter into an engine (a store at `store` when given: created on
/// the history when new, else reopened and continued), returning the engine and the log of what
/// happened, one line per light turning red or back from red and per alert, then a summary.
pub fn replay_last_quarter(company: &Dataset, store: Option<&Path>) -> Result<(Live, String), String> {
    let cut = history_cut(company).ok_or("the company's dates are out of range")?;
    let events = events_of(company, cut).map_err(|e| e.to_string())?;
    let mut out = String::new();
    let (live, done) = match store {
        Some(path) if path.exists() => {
            let store = Store::open(path).map_err(|e| e.to_string())?;
            let done = usize::try_from(store.seq()).unwrap_or(usize::MAX);
            let _ = writeln!(out, "Live: reopened {} at event {done} of {}", path.display(), events.len());
            (Live::Durable(Box::new(store)), done)
        }
        Some(path) => {
            let store = Store::create(path, company.until(cut), EngineOptions::default()).map_err(|e| e.to_string())?;
            let _ = writeln!(out, "Live: new store {}", path.display());
            (Live::Durable(Box::new(store)), 0)
        }
        None => {
            let engine = Engine::new(company.until(cut), EngineOptions::default()).map_err(|e| e.to_string())?;
            (Live::Memory(Box::new(engine)), 0)
        }
    };
    let count = events.len();
    replay(live, events.into_iter().skip(done), (cut, company.as_of), out, Some(count))
}

/// [`replay_last_quarter`] of the sample company made by `config`, its history bulk-loaded as
/// a stream ([`Engine::load`]), in memory or into a store at `store` (created when new, see
/// [`Store::create_loaded`]; else reopened, its history folded again, and continued after its
/// last event): the generator runs twice, first for every record but the movements and POS
/// sales, then on a thread of its own streaming those, folded into the engine up to the cut
/// and, after it, turned into the quarter's events a day at a time ([`events_streamed`]) as
/// they are applied. Neither the history nor the quarter is held, and the engine keeps no
/// movement or POS sale as a record ([`EngineOptions::keep_open_records`] off) and no backlog
/// of applied events ([`EngineOptions::log_capacity`] 0): memory follows its aggregates.
pub fn replay_sample_last_quarter(config: &SampleConfig, store: Option<&Path>) -> Result<(Live, String), String> {
    let master = sample_company_streamed(config, &mut |_| {}).map_err(|e| e.to_string())?;
    let cut = history_cut(&master).ok_or("the company's dates are out of range")?;
    let (generator, records) = sample_records(config);
    let mut records = numbered(records).peekable();
    let history = std::iter::from_fn(|| records.next_if(|(_, r)| r.date() <= cut).map(|(_, r)| r));
    let opened = open_loaded(master.until(cut), history, store);
    let replayed = opened.and_then(|(live, out, done)| {
        let events = events_streamed(&master, cut, records.by_ref()).map_err(|e| e.to_string())?;
        replay(live, events.skip(done), (cut, master.as_of), out, None)
    });
    // A reader that stopped early drops the receiver first, so the generator's sends fail
    // and it ends.
    drop(records);
    generator.join().map_err(|_| "the generator's thread failed")?.map_err(|e| e.to_string())?;
    replayed
}

/// The engine of `master` and its `history` (the stream of movements and POS sales up to the
/// cut): bulk-loaded in memory, or into a new store at `store`, or a store there reopened (the
/// stream then skipped); with the first line of the log and the number of the quarter's events
/// already applied.
fn open_loaded(
    master: Dataset,
    history: impl Iterator<Item = StockRecord>,
    store: Option<&Path>,
) -> Result<(Live, String, usize), String> {
    // The report and the dashboard read the engine's aggregates only: no movement or POS sale
    // is kept as a record, the open period's included; and no replica reads this engine's
    // backlog of events (a store serves them from its file), so none is kept in memory.
    let aggregates_only = EngineOptions { keep_open_records: false, log_capacity: 0, ..EngineOptions::default() };
    let cut = master.as_of;
    let loaded = |engine: &Engine, into: &str| {
        format!(
            "Live: the history up to {cut} bulk-loaded as a stream into {into} (open from {})\n",
            engine.open_from()
        )
    };
    match store {
        Some(path) if path.exists() => {
            let store = Store::open(path).map_err(|e| e.to_string())?;
            history.for_each(drop);
            let done = usize::try_from(store.seq()).unwrap_or(usize::MAX);
            let out = format!("Live: reopened {} at event {done}, its history folded again\n", path.display());
            Ok((Live::Durable(Box::new(store)), out, done))
        }
        Some(path) => {
            let store = Store::create_loaded(path, master, history, aggregates_only).map_err(|e| e.to_string())?;
            let out = loaded(store.engine(), &format!("the new store {} and the engine's aggregates", path.display()));
            Ok((Live::Durable(Box::new(store)), out, 0))
        }
        None => {
            let engine = Engine::load(master, history, aggregates_only).map_err(|e| e.to_string())?;
            let out = loaded(&engine, "the engine's aggregates");
            Ok((Live::Memory(Box::new(engine)), out, 0))
        }
    }
}

/// The generator of the sample company made by `config`, run on a thread of its own (its
/// result: every record but the movements and POS sales), and those records as it makes them,
/// in date order, handed over in batches.
pub fn sample_records(
    config: &SampleConfig,
) -> (std::thread::JoinHandle<omo_core::Result<Dataset>>, impl Iterator<Item = StockRecord> + use<>) {
    const BATCH: usize = 4_096;
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<StockRecord>>(16);
    let config = config.clone();
    let generator = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let made = sample_company_streamed(&config, &mut |record| {
            batch.push(record);
            if batch.len() == BATCH {
                // A closed receiver means the reader stopped on an error, which it reports.
                let _ = send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        let _ = send.send(batch);
        made
    });
    (generator, receive.into_iter().flatten())
}

/// Applies `events` (the quarter after `cut`, less those a reopened store holds; `count` of
/// them in all when known ahead) to `live` in chunks, then lets time pass to `end`, noting each
/// change in `out`.
fn replay(
    mut live: Live,
    events: impl Iterator<Item = Event>,
    (cut, end): (NaiveDate, NaiveDate),
    mut out: String,
    count: Option<usize>,
) -> Result<(Live, String), String> {
    let quarter = count.map_or_else(|| "the events".to_owned(), |n| format!("{n} events"));
    let _ = writeln!(out, "Live: history up to {cut}, then {quarter} of the quarter to {end} replayed as a stream");
    let mut tally = Tally::default();
    let mut events = events.peekable();
    while events.peek().is_some() {
        let changes = apply(&mut live, events.by_ref().take(1_000))?;
        for change in &changes {
            tally.note(change, &mut out);
        }
    }
    let changes = match &mut live {
        Live::Memory(engine) => engine.advance_to(end).map_err(|e| e.to_string())?,
        Live::Durable(store) => store.advance_to(end).map_err(|e| e.to_string())?,
    };
    for change in &changes {
        tally.note(change, &mut out);
    }
    let engine = live.engine();
    let _ = writeln!(
        out,
        "Live: {} events applied (seq {}), clock {}; {} light changes ({} to red, {} back from red), {} alerts, {} stock-outs, {} orders blocked\n",
        engine.seq(),
        engine.seq(),
        engine.as_of(),
        tally.lights,
        tally.to_red,
        tally.from_red,
        tally.alerts,
        tally.stock_outs,
        tally.blocked
    );
    Ok((live, out))
}

/// Applies a chunk of events (one group commit in a store).
fn apply(live: &mut Live, events: impl Iterator<Item = Event>) -> Result<Vec<Change>, String> {
    match live {
        Live::Memory(engine) => engine.apply_many(events).into_result().map_err(|e| e.to_string()),
        Live::Durable(store) => store.apply_many(events).and_then(|a| a.into_result()).map_err(|e| e.to_string()),
    }
}

/// Counts of what the replay reported.
#[derive(Default)]
struct Tally {
    lights: usize,
    to_red: usize,
    from_red: usize,
    alerts: usize,
    stock_outs: usize,
    blocked: usize,
}

impl Tally {
    /// Counts a change; prints the ones a sales director must see: a distributor's light turning
    /// red or back to green, every alert, every blocked order.
    fn note(&mut self, change: &Change, out: &mut String) {
        match &change.what {
            ChangeKind::Light { from, to, value, .. } => {
                self.lights += 1;
                if *to == Light::Red {
                    self.to_red += 1;
                } else if *from == Light::Red {
                    self.from_red += 1;
                }
                // A distributor's own light (it has a value) turning red, or back to green.
                let turned = *to == Light::Red || (*from == Light::Red && *to == Light::Green);
                if turned && value.is_some() {
                    let _ = writeln!(out, "  {} #{:<7} light  {}", change.date, change.seq, change.action());
                }
            }
            ChangeKind::Alert { .. } => {
                self.alerts += 1;
                let _ = writeln!(out, "  {} #{:<7} ALERT  {}", change.date, change.seq, change.action());
            }
            ChangeKind::StockOut { .. } => self.stock_outs += 1,
            ChangeKind::OrderBlocked { .. } => {
                self.blocked += 1;
                let _ = writeln!(out, "  {} #{:<7} credit {}", change.date, change.seq, change.action());
            }
        }
    }
}
