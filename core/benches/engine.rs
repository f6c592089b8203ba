//! The live engine (issue #15), on one core, in memory: events applied per second for the sample
//! company's mix, the cost per event with 1 and with 10 years of history, and the speed-up against
//! recomputing the batch views (S-P-I ledger, credit book) after every event.
//! `cargo bench -p omo-core --bench engine`.
//!
//! Reports numbers, asserts none. Criterion prints its estimates per benchmark; a summary of the
//! issue's numbers (medians of the same timed runs) is printed at the end.
//!
//! Every timed run starts from an engine restored from a snapshot (untimed). A restored engine's
//! collections are exactly full, so the first record of each kind it books grows its vector (a
//! copy of that collection, once: amortised O(1), but a one-off cost that grows with history).
//! The per-event comparisons (1 vs 10 years, engine vs batch) therefore apply an untimed warm-up
//! prefix of the stream first and time the events after it; the one-off cost is reported apart.

use std::collections::HashSet;
use std::hint::black_box;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use chrono::Days;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use omo_core::Dataset;
use omo_core::credit::{CreditBook, CreditPolicy};
use omo_core::engine::{Engine, EngineOptions, EngineSnapshot, Event, EventBody, events_of};
use omo_core::model::{MovementKind, StockMovement};
use omo_core::sample::{SampleConfig, StockRecord, sample_company};
use omo_core::spi::build_ledger;
use rust_decimal::Decimal;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The lines of the summary printed at the end.
static SUMMARY: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn note(line: String) {
    eprintln!("{line}");
    SUMMARY.lock().unwrap_or_else(PoisonError::into_inner).push(line);
}

/// Untimed events applied before the timed ones in the per-event comparisons.
const WARM_UP: usize = 200;
/// Timed events of the 1 vs 10 years comparison.
const FLAT_EVENTS: usize = 2_000;
/// Events per [`Engine::apply_batch`] in the batched run of (a), as many as the durable bench's
/// group commits hold.
const BATCH: usize = 1_000;
/// Events of the engine vs batch comparison.
const BATCH_EVENTS: usize = 200;

fn config(seed: u64, distributors: usize, retailers: usize, farmers: usize, years: u32) -> SampleConfig {
    let start_year = 2026 - i32::try_from(years).unwrap_or(1);
    SampleConfig { seed, distributors, retailers_per_distributor: retailers, farmers, years, start_year }
}

/// The company of issue #15's first number (8 distributors, 80 retailers, 3,000 farmers, 2 years)
/// cut 60 days before its end: the history and the events after the cut, made once.
fn mix_company() -> Res<(Dataset, Vec<Event>)> {
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
        cut(&config, 60).map(|(history, events, _)| (history, events)).map_err(|e| e.to_string())
    });
    Ok(made.clone()?)
}

/// A sample company cut `days` before its end: the history, every event after the cut, and the
/// whole company.
fn cut(config: &SampleConfig, days: u64) -> Res<(Dataset, Vec<Event>, Dataset)> {
    let started = Instant::now();
    let company = sample_company(config)?;
    let generated = started.elapsed();
    let cut = company.as_of - Days::new(days);
    let events = events_of(&company, cut)?;
    let history = company.until(cut);
    eprintln!(
        "company {}x{} retailers, {} farmers, {} years: {} movements, {} orders, {} invoices, {} payments \
         (generated in {generated:.1?}); {} events in the last {days} days",
        config.distributors,
        config.retailers_per_distributor,
        config.farmers,
        config.years,
        company.movements.len(),
        company.orders.len(),
        company.invoices.len(),
        company.payments.len(),
        events.len(),
    );
    Ok((history, events, company))
}

/// An engine on `history` and its snapshot, checking that it takes every one of `events`.
fn snapshot_taking(history: Dataset, events: &[Event]) -> Res<EngineSnapshot> {
    let engine = Engine::new(history, EngineOptions::default())?;
    let snapshot = engine.snapshot();
    let mut trial = engine;
    for event in events {
        trial.apply(event.clone())?;
    }
    Ok(snapshot)
}

/// Applies every event; returns the engine (dropped untimed) and how many were refused.
fn apply_all(mut engine: Engine, events: Vec<Event>) -> (Engine, usize) {
    let refused = events.into_iter().map(|e| engine.apply(e)).filter(|r| r.is_err()).count();
    (engine, refused)
}

/// Applies every event in batches of [`BATCH`] taken from one iterator over the stream (each
/// batch handed over as it is read: no copy of the rest of the stream per batch); returns the
/// engine (dropped untimed) and whether a batch was refused.
fn apply_batches(mut engine: Engine, events: Vec<Event>) -> (Engine, bool) {
    let mut refused = false;
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        refused |= engine.apply_batch(events.by_ref().take(BATCH)).refused.is_some();
    }
    (engine, refused)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn per_event(total: Duration, events: usize) -> f64 {
    total.as_secs_f64() * 1e9 / events.max(1) as f64
}

/// (a) Events applied per second, in memory, for the mix of the sample company's last 60 days.
fn in_memory(c: &mut Criterion) {
    if let Err(e) = try_in_memory(c) {
        note(format!("in memory: not measured: {e}"));
    }
}

fn try_in_memory(c: &mut Criterion) -> Res<()> {
    let (history, events) = mix_company()?;
    let snapshot = snapshot_taking(history.clone(), &events)?;
    let (master, records) = StockRecord::stream_of(history);
    let n = events.len();
    let mut times = (Vec::new(), Vec::new(), Vec::new());
    let mut group = c.benchmark_group("engine_in_memory");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("sample company 8x10, last 60 days ({n} events)"), |b| {
        b.iter_batched(
            || (Engine::restore(snapshot.clone()), events.clone()),
            |(engine, events)| {
                let started = Instant::now();
                let out = engine.map(|engine| apply_all(engine, events));
                times.0.push(started.elapsed());
                out
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(format!("sample company 8x10 bulk-loaded, last 60 days ({n} events)"), |b| {
        b.iter_batched(
            || (Engine::load(master.clone(), records.clone(), EngineOptions::default()), events.clone()),
            |(engine, events)| {
                let started = Instant::now();
                let out = engine.map(|engine| apply_all(engine, events));
                times.1.push(started.elapsed());
                out
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(
        format!("sample company 8x10 bulk-loaded, last 60 days ({n} events), apply_batch of {BATCH}"),
        |b| {
            b.iter_batched(
                || (Engine::load(master.clone(), records.clone(), EngineOptions::default()), events.clone()),
                |(engine, events)| {
                    let started = Instant::now();
                    let out = engine.map(|engine| apply_batches(engine, events));
                    times.2.push(started.elapsed());
                    out
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
    let rate = |m: Duration| {
        format!(
            "median {m:.1?} = {:.0} events/s ({:.2} µs/event)",
            n as f64 / m.as_secs_f64().max(f64::MIN_POSITIVE),
            per_event(m, n) / 1e3
        )
    };
    note(format!(
        "(a) in memory, one core: {n} events (sample company 8x10, 3,000 farmers, 2 years, last 60 days) \
         onto a freshly restored engine (every record kept): {}; onto an engine bulk-loaded from the \
         stream (records of the open period only): {}; the same in batches of {BATCH} (`apply_batch`, lights \
         settled once a day of a batch): {}",
        rate(median(&mut times.0)),
        rate(median(&mut times.1)),
        rate(median(&mut times.2)),
    ));
    Ok(())
}

/// Receipts and sales of the most stocked node x product pairs, dated after the clock.
fn receipts_and_sales(engine: &Engine, count: usize) -> Res<Vec<Event>> {
    let mut stocked = engine.stock_on_hand();
    stocked.sort_by_key(|s| std::cmp::Reverse(s.2));
    stocked.truncate(20);
    if stocked.is_empty() {
        return Err("no stock on hand".into());
    }
    let mut events = Vec::with_capacity(count);
    for i in 0..count {
        let (node, product, _) = &stocked[i % stocked.len()];
        let date = engine.as_of() + Days::new(1 + (i / 100) as u64);
        let (kind, quantity, prefix) = if (i / stocked.len()) % 2 == 0 {
            (MovementKind::Receipt, 10, "grn")
        } else {
            (MovementKind::Sale, 5, "dn")
        };
        let m = StockMovement::new(node.clone(), product.clone(), date, kind, Decimal::from(quantity))?;
        events.push(Event::new(format!("bench-{prefix}-{i}"), EventBody::Movement(m)));
    }
    Ok(events)
}

/// One history of the 1 vs 10 years comparison: its snapshot, the warm-up prefix and the timed
/// events, for the mix and for plain movements.
struct Flat {
    years: u32,
    /// The movements of each history: the company cut 30 days before its end, the whole company.
    movements: (usize, usize),
    mix: (EngineSnapshot, Vec<Event>, Vec<Event>),
    moves: (EngineSnapshot, Vec<Event>, Vec<Event>),
}

fn flat_history(years: u32) -> Res<Flat> {
    let config = config(7, 4, 5, 500, years);
    let (history, events, company) = cut(&config, 30)?;
    let movements = (history.movements.len(), company.movements.len());
    let mix_snapshot = snapshot_taking(history, &events)?;
    let (warm, timed) = warm_and_timed(events, FLAT_EVENTS);
    // Plain movements after the whole company's end.
    let whole = Engine::new(company, EngineOptions::default())?;
    let moves = receipts_and_sales(&whole, WARM_UP + FLAT_EVENTS)?;
    let moves_snapshot = snapshot_taking(whole.to_dataset(), &moves)?;
    let (moves_warm, moves_timed) = warm_and_timed(moves, FLAT_EVENTS);
    Ok(Flat { years, movements, mix: (mix_snapshot, warm, timed), moves: (moves_snapshot, moves_warm, moves_timed) })
}

/// Splits a stream into an untimed warm-up and up to `n` timed events. The warm-up holds at least
/// [`WARM_UP`] events and one of every kind among the timed ones, so that no timed event is the
/// first of its kind after the restore (see the module's documentation).
fn warm_and_timed(mut stream: Vec<Event>, n: usize) -> (Vec<Event>, Vec<Event>) {
    let mut warm = WARM_UP.min(stream.len());
    loop {
        let end = (warm + n).min(stream.len());
        let seen: HashSet<&str> = stream[..warm].iter().map(Event::kind).collect();
        match stream[warm..end].iter().position(|e| !seen.contains(e.kind())) {
            Some(i) => warm += i + 1,
            None => break,
        }
    }
    let mut timed = stream.split_off(warm);
    timed.truncate(n);
    (stream, timed)
}

/// Each kind in `events` and how many of it, in order of first appearance.
fn kinds(events: &[Event]) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for event in events {
        match kinds.iter_mut().find(|(k, _)| *k == event.kind()) {
            Some((_, count)) => *count += 1,
            None => kinds.push((event.kind(), 1)),
        }
    }
    kinds.iter().map(|(k, c)| format!("{c} {k}")).collect::<Vec<_>>().join(", ")
}

/// (b) The cost per event with 1 year and with 10 years of history.
fn history_length(c: &mut Criterion) {
    if let Err(e) = try_history_length(c) {
        note(format!("(b) 1 vs 10 years: not measured: {e}"));
    }
}

fn try_history_length(c: &mut Criterion) -> Res<()> {
    // The same number of timed mix events on both histories: what the shorter 30 days hold.
    let mut histories = vec![flat_history(1)?, flat_history(10)?];
    let n_mix = histories.iter().map(|h| h.mix.2.len()).min().unwrap_or(0);
    for h in &mut histories {
        h.mix.2.truncate(n_mix);
    }
    let mut group = c.benchmark_group("engine_per_event_vs_history");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(3));
    let mut results = Vec::new();
    for h in &histories {
        let streams = [("mix of the last 30 days", &h.mix, h.movements.0), ("receipts+sales", &h.moves, h.movements.1)];
        for (stream, (snapshot, warm, timed), movements) in streams {
            let n = timed.len();
            let mut times = Vec::new();
            let mut one_off = Vec::new();
            group.throughput(Throughput::Elements(n as u64));
            group.bench_function(format!("{} years, {stream} ({n} events)", h.years), |b| {
                b.iter_batched(
                    || {
                        let engine = Engine::restore(snapshot.clone()).map(|engine| {
                            let started = Instant::now();
                            let (engine, _) = apply_all(engine, warm.clone());
                            one_off.push(started.elapsed());
                            engine
                        });
                        (engine, timed.clone())
                    },
                    |(engine, events)| {
                        let started = Instant::now();
                        let out = engine.map(|engine| apply_all(engine, events));
                        times.push(started.elapsed());
                        out
                    },
                    BatchSize::PerIteration,
                )
            });
            let warm_up = (warm.len(), median(&mut one_off));
            results.push((h.years, movements, stream, n, median(&mut times), warm_up, kinds(timed)));
        }
    }
    group.finish();
    for stream in ["mix of the last 30 days", "receipts+sales"] {
        let rows: Vec<_> = results.iter().filter(|r| r.2 == stream).collect();
        for (years, movements, _, n, m, (warm_n, warm), timed_kinds) in &rows {
            note(format!(
                "(b) {years:>2} years of history ({movements} movements), {stream}: {:.2} µs/event \
                 (median of the {n} timed events {m:.1?}: {timed_kinds}); \
                 the untimed first {warm_n} events after the restore took {warm:.1?}",
                per_event(*m, *n) / 1e3,
            ));
        }
        if let [(_, _, _, n1, m1, ..), (_, _, _, n10, m10, ..)] = rows.as_slice() {
            note(format!(
                "(b) {stream}: 10 years / 1 year per-event cost = {:.2}",
                per_event(*m10, *n10) / per_event(*m1, *n1).max(f64::MIN_POSITIVE)
            ));
        }
    }
    Ok(())
}

/// A record pushed into a dataset as the batch way would: appended, the clock moved.
fn fold(d: &mut Dataset, body: &EventBody) {
    match body {
        EventBody::Movement(m) => d.movements.push(m.clone()),
        EventBody::Count(c) => d.counts.push(c.clone()),
        EventBody::PosSale(s) => d.pos_sales.push(s.clone()),
        EventBody::Order(o) => d.orders.push(o.clone()),
        EventBody::Shipment(s) => d.shipments.push((**s).clone()),
        EventBody::Invoice(i) => d.invoices.push((**i).clone()),
        EventBody::Payment(p) => d.payments.push((**p).clone()),
        _ => {}
    }
    if let Some(date) = body.date() {
        d.as_of = d.as_of.max(date);
    }
}

/// True for the events that add one record (what [`fold`] pushes).
fn adds_a_record(event: &Event) -> bool {
    matches!(
        event.body,
        EventBody::Movement(_)
            | EventBody::Count(_)
            | EventBody::PosSale(_)
            | EventBody::Order(_)
            | EventBody::Shipment(_)
            | EventBody::Invoice(_)
            | EventBody::Payment(_)
    )
}

/// (c) Engine against recomputing the batch views after each event.
fn against_batch(c: &mut Criterion) {
    if let Err(e) = try_against_batch(c) {
        note(format!("(c) engine vs batch: not measured: {e}"));
    }
}

fn try_against_batch(c: &mut Criterion) -> Res<()> {
    let (history, events) = mix_company()?;
    // The record-adding events of the stream that an engine takes, in this order.
    let mut engine = Engine::new(history, EngineOptions::default())?;
    let snapshot = engine.snapshot();
    let mut stream = Vec::new();
    for event in events.into_iter().filter(adds_a_record) {
        if engine.apply(event.clone()).is_ok() {
            stream.push(event);
        }
        if stream.len() == 10 * (WARM_UP + BATCH_EVENTS) {
            break;
        }
    }
    let (warm, timed) = warm_and_timed(stream, BATCH_EVENTS);
    let mut warmed = Engine::restore(snapshot.clone())?;
    for event in &warm {
        warmed.apply(event.clone())?;
    }
    let dataset = warmed.to_dataset();
    let n = timed.len();
    // The batch way's dataset, with room for the stream (as the engine's has after its warm-up).
    let fresh = || {
        let mut d = dataset.clone();
        d.movements.reserve(n);
        d.counts.reserve(n);
        d.pos_sales.reserve(n);
        d.orders.reserve(n);
        d.shipments.reserve(n);
        d.invoices.reserve(n);
        d.payments.reserve(n);
        d
    };

    let mut engine_times = Vec::new();
    let mut batch_times = Vec::new();
    let mut group = c.benchmark_group("engine_vs_batch_recompute");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(format!("engine.apply each of {n} events"), |b| {
        b.iter_batched(
            || {
                let engine = Engine::restore(snapshot.clone()).map(|engine| apply_all(engine, warm.clone()).0);
                (engine, timed.clone())
            },
            |(engine, events)| {
                let started = Instant::now();
                let out = engine.map(|engine| apply_all(engine, events));
                engine_times.push(started.elapsed());
                out
            },
            BatchSize::PerIteration,
        )
    });
    // One event per iteration (the whole stream would take minutes): the next event of the
    // stream is pushed and both views recomputed; after the last, the dataset starts over.
    group.throughput(Throughput::Elements(1));
    let mut d = fresh();
    let mut next = 0;
    let mut failures = 0usize;
    group.bench_function(format!("push + build_ledger + CreditBook::from_dataset, per event of the {n}"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if next == timed.len() {
                    (d, next) = (fresh(), 0);
                }
                let Some(event) = timed.get(next) else { break };
                next += 1;
                let started = Instant::now();
                fold(&mut d, &event.body);
                let ledger = build_ledger(&d.movements, &[], Default::default());
                let book = CreditBook::from_dataset(&d, d.as_of, CreditPolicy::default());
                failures += usize::from(ledger.is_err() || book.is_err());
                drop(black_box((ledger, book)));
                let took = started.elapsed();
                batch_times.push(took);
                total += took;
            }
            total
        })
    });
    group.finish();
    if failures > 0 {
        note(format!("(c) the batch recompute failed {failures} times"));
    }
    let e = median(&mut engine_times);
    let b_one = median(&mut batch_times);
    let b = b_one * u32::try_from(n).unwrap_or(u32::MAX);
    note(format!(
        "(c) {n} events ({}) on the sample company 8x10 ({} movements, {} POS sales): \
         engine.apply each {e:.2?} ({:.2} µs/event); push + build_ledger + CreditBook::from_dataset after each \
         {:.1} ms/event (median of {} timed) = {b:.1?} for the {n}; batch / engine = {:.0}x",
        kinds(&timed),
        dataset.movements.len(),
        dataset.pos_sales.len(),
        per_event(e, n) / 1e3,
        b_one.as_secs_f64() * 1e3,
        batch_times.len(),
        b.as_secs_f64() / e.as_secs_f64().max(f64::MIN_POSITIVE),
    ));
    Ok(())
}

/// The numbers, together.
fn summary(_: &mut Criterion) {
    let lines = SUMMARY.lock().unwrap_or_else(PoisonError::into_inner);
    if lines.is_empty() {
        return;
    }
    println!(
        "\n== issue #15, in memory ({} cores available) ==",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for line in lines.iter() {
        println!("{line}");
    }
}

criterion_group!(benches, in_memory, history_length, against_batch, summary);
criterion_main!(benches);
