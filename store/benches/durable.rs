//! The live engine made durable (issue #15): events per second into a store file with group
//! commit ([`Store::apply_many`], batches of 1,000; and [`Store::apply_batch`], the lights settled
//! once a day of a batch) and with one commit per event
//! ([`Store::apply`]), and the time from an event to its subscriber's callback (p50, p99) in
//! memory ([`Engine::apply`]) and durable ([`Store::apply`], after the commit's sync).
//! `cargo bench -p omo-store --bench durable`.
//!
//! Reports numbers, asserts none. The events are the sample company's last 60 days (8
//! distributors, 80 retailers, 3,000 farmers, 2 years) applied to a store created on the history
//! before them; each pass over them starts a fresh file (created untimed) in cargo's scratch
//! directory for benchmarks, on the disk the project is built on. The stores take no snapshot
//! while they are timed (`snapshot_every` 0); what a snapshot costs is measured apart and
//! reported per event at the default of one per 10,000 events. A summary is printed at the end.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use chrono::Days;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use omo_core::Dataset;
use omo_core::engine::Applied;
use omo_core::engine::{Change, Engine, EngineOptions, Event, EventBody, events_of};
use omo_core::model::{MovementKind, NodeId, NodeKind, StockMovement};
use omo_core::sample::{SampleConfig, sample_company};
use omo_store::{Store, StoreError, StoreOptions};
use rust_decimal::Decimal;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Events per [`Store::apply_many`] call.
const BATCH: usize = 1_000;
/// Timed calls of the latency measurements.
const MEMORY_CALLS: usize = 2_000;
const DURABLE_CALLS: usize = 200;

/// The lines of the summary printed at the end.
static SUMMARY: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note(line: String) {
    eprintln!("{line}");
    SUMMARY.lock().unwrap_or_else(PoisonError::into_inner).push(line);
}

/// The sample company cut 60 days before its end: the history and the events after the cut.
fn company() -> Res<&'static (Dataset, Vec<Event>)> {
    static COMPANY: OnceLock<Result<(Dataset, Vec<Event>), String>> = OnceLock::new();
    let made = COMPANY.get_or_init(|| {
        let config = SampleConfig {
            seed: 42,
            distributors: 8,
            retailers_per_distributor: 10,
            farmers: 3_000,
            years: 2,
            start_year: 2024,
        };
        let company = sample_company(&config).map_err(|e| e.to_string())?;
        let cut = company.as_of - Days::new(60);
        let events = events_of(&company, cut).map_err(|e| e.to_string())?;
        Ok((company.until(cut), events))
    });
    made.as_ref().map_err(|e| e.clone().into())
}

/// Fresh store files in one scratch directory, each on the history; the previous one's files
/// are deleted when the next is made.
struct Files {
    dir: PathBuf,
    made: usize,
}

impl Files {
    fn new(name: &str) -> Res<Files> {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("omo-store-bench")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Files { dir, made: 0 })
    }

    fn store(&mut self, history: &Dataset, options: StoreOptions) -> Res<Store> {
        self.made += 1;
        let path = self.dir.join(format!("company-{}.omo", self.made));
        Ok(Store::create_with(path, history.clone(), EngineOptions::default(), options)?)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Closes a store and deletes its files.
fn discard(store: Store) {
    let path = store.path().to_owned();
    drop(store);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.clone().into_os_string();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

fn timed_store() -> StoreOptions {
    StoreOptions { snapshot_every: 0, ..StoreOptions::default() }
}

/// Events per second of `times`, each `per` events.
fn rate(times: &[Duration], per: usize) -> f64 {
    let total: Duration = times.iter().sum();
    (times.len() * per) as f64 / total.as_secs_f64().max(f64::MIN_POSITIVE)
}

fn median(times: &mut [Duration]) -> Duration {
    percentile(times, 50.0)
}

/// The `p`th percentile (nearest rank).
fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let rank = ((p / 100.0) * times.len() as f64).ceil() as usize;
    times.get(rank.saturating_sub(1)).copied().unwrap_or_default()
}

/// How a group of events is applied and committed.
type ApplyGroup = fn(&mut Store, Vec<Event>) -> omo_store::Result<Applied<StoreError>>;

/// Group commit: one [`Store::apply_many`] of the next [`BATCH`] events per iteration.
fn group_commit(c: &mut Criterion) {
    if let Err(e) = try_group_commit(c, ("apply_many", |s, batch| s.apply_many(batch))) {
        note(format!("group commit: not measured: {e}"));
    }
}

/// The same with [`Store::apply_batch`]: the lights settled once a day of each group.
fn group_commit_settled_daily(c: &mut Criterion) {
    if let Err(e) = try_group_commit(c, ("apply_batch", |s, batch| s.apply_batch(batch))) {
        note(format!("group commit, apply_batch: not measured: {e}"));
    }
}

fn try_group_commit(c: &mut Criterion, (name, apply): (&str, ApplyGroup)) -> Res<()> {
    let (history, events) = company()?;
    let mut files = Files::new("group")?;
    // Made before the timing starts: criterion's warm-up counts the wall time of its calls.
    let mut store = Some(files.store(history, timed_store())?);
    let mut next = 0;
    let mut times = Vec::new();
    let mut errors = Vec::new();
    let mut group = c.benchmark_group(format!("durable_group_commit_{name}"));
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(format!("{name} of {BATCH} events, one commit"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if next + BATCH > events.len() {
                    if let Some(old) = store.take() {
                        discard(old);
                    }
                    match files.store(history, timed_store()) {
                        Ok(s) => store = Some(s),
                        Err(e) => {
                            errors.push(e.to_string());
                            break;
                        }
                    }
                    next = 0;
                }
                let (Some(s), Some(batch)) = (store.as_mut(), events.get(next..next + BATCH)) else { break };
                let batch = batch.to_vec();
                next += BATCH;
                let started = Instant::now();
                let applied = apply(s, batch).and_then(|a| a.into_result());
                let took = started.elapsed();
                if let Err(e) = applied {
                    errors.push(e.to_string());
                    next = events.len();
                }
                total += took;
                times.push(took);
            }
            total
        })
    });
    group.finish();
    // What a snapshot costs, on the store as the bench left it (history + what was applied).
    let snapshot = match store.as_mut() {
        Some(s) => {
            let started = Instant::now();
            s.snapshot_now()?;
            Some((started.elapsed(), s.seq(), s.engine().dataset().record_count()))
        }
        None => None,
    };
    if let Some(s) = store.take() {
        discard(s);
    }
    report_errors("group commit", &errors);
    let m = median(&mut times);
    note(format!(
        "durable, group commit: {BATCH} events per {name} (one commit, synced): median {m:.1?} per batch = \
         {:.0} events/s ({:.0} events/s over all {} timed batches)",
        BATCH as f64 / m.as_secs_f64().max(f64::MIN_POSITIVE),
        rate(&times, BATCH),
        times.len(),
    ));
    if let Some((took, seq, records)) = snapshot {
        let every = StoreOptions::default().snapshot_after(records).unwrap_or(u64::MAX);
        note(format!(
            "durable, snapshot (after {name}): writing one ({records} records: history + {seq} events) took {took:.1?}; at the \
             default of one per {every} events that is {:.1} µs per event more",
            took.as_secs_f64() * 1e6 / every as f64
        ));
    }
    Ok(())
}

/// One commit per event: one [`Store::apply`] of the next event per iteration.
fn commit_per_event(c: &mut Criterion) {
    if let Err(e) = try_commit_per_event(c) {
        note(format!("one commit per event: not measured: {e}"));
    }
}

fn try_commit_per_event(c: &mut Criterion) -> Res<()> {
    let (history, events) = company()?;
    let mut files = Files::new("single")?;
    // Made before the timing starts: criterion's warm-up counts the wall time of its calls.
    let mut store = Some(files.store(history, timed_store())?);
    let mut next = 0;
    let mut times = Vec::new();
    let mut errors = Vec::new();
    let mut group = c.benchmark_group("durable_commit_per_event");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(1));
    group.bench_function("apply of one event, one commit", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if next >= events.len() {
                    if let Some(old) = store.take() {
                        discard(old);
                    }
                    match files.store(history, timed_store()) {
                        Ok(s) => store = Some(s),
                        Err(e) => {
                            errors.push(e.to_string());
                            break;
                        }
                    }
                    next = 0;
                }
                let (Some(s), Some(event)) = (store.as_mut(), events.get(next)) else { break };
                let event = event.clone();
                next += 1;
                let started = Instant::now();
                let applied = s.apply(event);
                let took = started.elapsed();
                if let Err(e) = applied {
                    errors.push(e.to_string());
                    next = events.len();
                }
                total += took;
                times.push(took);
            }
            total
        })
    });
    group.finish();
    if let Some(s) = store.take() {
        discard(s);
    }
    report_errors("one commit per event", &errors);
    let n = times.len();
    let m = median(&mut times);
    note(format!(
        "durable, one commit per event: median {m:.2?} per apply = {:.0} events/s ({:.0} events/s over all {n} \
         timed events, p99 {:.2?})",
        1.0 / m.as_secs_f64().max(f64::MIN_POSITIVE),
        rate(&times, 1),
        percentile(&mut times, 99.0),
    ));
    Ok(())
}

fn report_errors(what: &str, errors: &[String]) {
    if let Some(first) = errors.first() {
        note(format!("{what}: {} errors, the first: {first}", errors.len()));
    }
}

/// Where the stock-outs of the latency measurements happen.
#[derive(Clone, Copy, PartialEq)]
enum At {
    /// A distributor's warehouse: each sale also moves that distributor's KPIs.
    Distributor,
    /// A node of the maker (plant, warehouse): stock and S-P-I only.
    Maker,
}

impl At {
    fn describe(self) -> &'static str {
        match self {
            At::Distributor => "stock-outs at a distributor's warehouse",
            At::Maker => "stock-outs at one of the maker's own nodes",
        }
    }
}

/// A sale that empties the most stocked product of a node (untimed: the first movement after
/// the engine was built grows its collections), then, `pairs` times, a receipt of 10 and a sale
/// of 10 (a stock-out change: every such sale has one). Only those sales are timed. Dated after
/// `engine`'s clock, 50 events a day.
fn stock_outs(engine: &Engine, pairs: usize, at: At) -> Res<Vec<(bool, Event)>> {
    let d = engine.dataset();
    let kind = |node: &NodeId| d.nodes.iter().find(|n| &n.id == node).map(|n| n.kind);
    let wanted = |node: &NodeId| match (at, kind(node)) {
        (At::Distributor, Some(NodeKind::Distributor)) => true,
        (At::Maker, Some(k)) => !matches!(k, NodeKind::Distributor | NodeKind::Retailer),
        _ => false,
    };
    let (node, product, on_hand) = engine
        .stock_on_hand()
        .into_iter()
        .filter(|(node, _, _)| wanted(node))
        .max_by_key(|(_, _, q)| *q)
        .ok_or_else(|| format!("no stock for {}", at.describe()))?;
    let tag = if at == At::Distributor { "d" } else { "m" };
    let movement = |i: usize, kind: MovementKind, quantity: Decimal| -> Res<Event> {
        let date = engine.as_of() + Days::new(1 + (i / 50) as u64);
        let m = StockMovement::new(node.clone(), product.clone(), date, kind, quantity)?;
        Ok(Event::new(format!("bench-{tag}-{}-{i}", kind.as_str()), EventBody::Movement(m)))
    };
    let mut events = vec![(false, movement(0, MovementKind::Sale, on_hand)?)];
    for pair in 0..pairs {
        events.push((false, movement(1 + 2 * pair, MovementKind::Receipt, Decimal::from(10))?));
        events.push((true, movement(2 + 2 * pair, MovementKind::Sale, Decimal::from(10))?));
    }
    Ok(events)
}

/// What a subscriber saw: the seq of each change and when the callback ran.
type Seen = Arc<Mutex<Vec<(u64, Instant)>>>;

fn subscriber(seen: &Seen) -> Box<dyn FnMut(&Change) + Send> {
    let seen = Arc::clone(seen);
    Box::new(move |change: &Change| {
        let now = Instant::now();
        seen.lock().unwrap_or_else(PoisonError::into_inner).push((change.seq, now));
    })
}

/// From the instant before each timed call to the first callback of its event.
fn latencies(before: &[(u64, Instant)], seen: &Seen) -> Vec<Duration> {
    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    before
        .iter()
        .filter_map(|(seq, at)| seen.iter().find(|(s, _)| s == seq).map(|(_, called)| called.duration_since(*at)))
        .collect()
}

/// Event to subscriber callback, in memory and durable.
fn latency(_: &mut Criterion) {
    if let Err(e) = try_latency() {
        note(format!("event to callback: not measured: {e}"));
    }
}

fn try_latency() -> Res<()> {
    let (history, _) = company()?;
    let mut lines = Vec::new();

    let mut engine = Engine::new(history.clone(), EngineOptions::default())?;
    let seen: Seen = Arc::default();
    engine.subscribe(subscriber(&seen));
    for at in [At::Distributor, At::Maker] {
        let mut before = Vec::new();
        for (timed, event) in stock_outs(&engine, MEMORY_CALLS, at)? {
            let at = Instant::now();
            black_box(engine.apply(event)?);
            if timed {
                before.push((engine.seq(), at));
            }
        }
        lines.push(("in memory, Engine::apply", at, latencies(&before, &seen)));
    }
    drop(engine);

    let mut files = Files::new("latency")?;
    let mut store = files.store(history, StoreOptions::default())?;
    let seen: Seen = Arc::default();
    store.subscribe(subscriber(&seen));
    for at in [At::Distributor, At::Maker] {
        let mut before = Vec::new();
        for (timed, event) in stock_outs(store.engine(), DURABLE_CALLS, at)? {
            let at = Instant::now();
            black_box(store.apply(event)?);
            if timed {
                before.push((store.seq(), at));
            }
        }
        lines.push(("durable, Store::apply", at, latencies(&before, &seen)));
    }
    discard(store);

    for (what, at, mut times) in lines {
        let n = times.len();
        note(format!(
            "event -> subscriber callback, {what}, {}: p50 {:.1?}, p99 {:.1?}, max {:.1?} over {n} calls",
            at.describe(),
            percentile(&mut times, 50.0),
            percentile(&mut times, 99.0),
            percentile(&mut times, 100.0),
        ));
    }
    disk_sync(&files.dir)?;
    Ok(())
}

/// What the disk under the stores takes to write and sync 4 KiB (the floor of a durable
/// commit), for reading the durable numbers on another machine.
fn disk_sync(dir: &std::path::Path) -> Res<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(dir.join("sync-probe"))?;
    let page = [7u8; 4096];
    let mut times = Vec::with_capacity(DURABLE_CALLS);
    for _ in 0..DURABLE_CALLS {
        let started = Instant::now();
        file.write_all(&page)?;
        file.sync_data()?;
        times.push(started.elapsed());
    }
    note(format!(
        "the disk (cargo's scratch directory): write + fdatasync of 4 KiB p50 {:.1?}, p99 {:.1?} over {} calls",
        percentile(&mut times, 50.0),
        percentile(&mut times, 99.0),
        times.len(),
    ));
    Ok(())
}

/// The numbers, together.
fn summary(_: &mut Criterion) {
    let lines = SUMMARY.lock().unwrap_or_else(PoisonError::into_inner);
    if lines.is_empty() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let events = company().map_or(0, |(_, events)| events.len());
    println!("\n== issue #15, durable ({cores} cores available; {events} events of the sample company) ==");
    for line in lines.iter() {
        println!("{line}");
    }
}

criterion_group!(benches, group_commit, group_commit_settled_daily, commit_per_event, latency, summary);
criterion_main!(benches);
