//! A writer killed with SIGKILL at random moments loses nothing it acknowledged and leaves
//! nothing half-applied: the test binary runs itself as the writer (`writer_child`), reads the
//! sequence numbers it acknowledges, kills it, reopens the store and compares it with an engine
//! fed exactly the events the store holds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::engine::{Engine, EngineOptions, Event};
use omo_store::{Store, StoreOptions};
use support::{Res, clean, same_views, scratch, script};

/// Set to the store's path, it makes `writer_child` the writer.
const WRITER: &str = "OMO_STORE_CRASH_WRITER";
/// Set to a number, it replaces the random seed of the kill moments (to replay a failure).
const SEED: &str = "OMO_STORE_CRASH_SEED";

/// How many of the script's events the writer applies.
const EVENTS: usize = 3_000;

/// Snapshots often, so that kills land in snapshot writes too.
fn options() -> StoreOptions {
    StoreOptions { snapshot_every: 250, snapshot_growth_percent: 0, keep_snapshots: 2 }
}

/// One step of the writer.
#[derive(Debug, Clone)]
enum Op {
    /// One event, one commit.
    Apply(Box<Event>),
    /// A batch, one commit.
    Batch(Vec<Event>),
    /// The clock moved to the date of the next event.
    Advance(NaiveDate),
}

/// The writer's deterministic steps, each with the seq of its first event (for an advance, of the
/// event after it).
fn ops(events: &[Event]) -> Vec<(u64, Op)> {
    let mut ops = Vec::new();
    let mut next = 0usize;
    let mut step = 0usize;
    while next < events.len() {
        let start = next as u64 + 1;
        step += 1;
        if step % 53 == 0 {
            let end = (next + 1 + step % 37).min(events.len());
            ops.push((start, Op::Batch(events[next..end].to_vec())));
            next = end;
        } else if step % 71 == 0
            && let Some(date) = events[next].date()
        {
            ops.push((start, Op::Advance(date)));
        } else {
            ops.push((start, Op::Apply(Box::new(events[next].clone()))));
            next += 1;
        }
    }
    ops
}

fn the_script() -> Result<(Dataset, Vec<Event>), Box<dyn std::error::Error>> {
    let (history, mut events) = script(60)?;
    events.truncate(EVENTS);
    Ok((history, events))
}

/// The writer: opens the store, goes on from where it stands, prints `ack <seq>` after each
/// acknowledged step, and `done` at the end. Does nothing unless [`WRITER`] is set.
#[test]
fn writer_child() -> Res {
    let Ok(path) = std::env::var(WRITER) else { return Ok(()) };
    let (_, events) = the_script()?;
    let ops = ops(&events);
    let mut store = Store::open_with(&path, options())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "open {}", store.seq())?;
    out.flush()?;
    let seq = store.seq();
    for (_, op) in ops.into_iter().filter(|(start, _)| *start > seq) {
        match op {
            Op::Apply(event) => drop(store.apply(*event)?),
            Op::Batch(events) => drop(store.apply_many(events)?.into_result()?),
            Op::Advance(date) => drop(store.advance_to(date)?),
        }
        writeln!(out, "ack {}", store.seq())?;
        out.flush()?;
    }
    writeln!(out, "done {}", store.seq())?;
    out.flush()?;
    Ok(())
}

/// A small random stream (xorshift), seeded from the clock unless [`SEED`] is set.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// The engine the store must equal: the steps up to `seq`, with the clock moves right after it
/// when the store's clock says they were made.
fn reference(history: &Dataset, ops: &[(u64, Op)], seq: u64, as_of: NaiveDate) -> Result<Engine, String> {
    let e = |e: omo_core::OmoError| e.to_string();
    let mut engine = Engine::new(history.clone(), EngineOptions::default()).map_err(e)?;
    for (start, op) in ops {
        match op {
            Op::Apply(event) if *start <= seq => drop(engine.apply(*event.clone()).map_err(e)?),
            Op::Batch(events) if *start <= seq => {
                if *start + events.len() as u64 - 1 > seq {
                    return Err(format!("seq {seq} is inside the batch starting at {start}: half applied"));
                }
                engine.apply_many(events.iter().cloned()).into_result().map_err(e)?;
            }
            Op::Advance(date) if *start <= seq || (*start == seq + 1 && as_of > engine.as_of()) => {
                engine.advance_to(*date).map_err(e)?;
            }
            _ => {}
        }
    }
    Ok(engine)
}

#[test]
fn a_killed_writer_loses_nothing_it_acknowledged() -> Res {
    let started = Instant::now();
    let (history, events) = the_script()?;
    let ops = ops(&events);
    let path = scratch("crash")?;
    Store::create_with(&path, history.clone(), EngineOptions::default(), options())?.close()?;
    let seed = match std::env::var(SEED) {
        Ok(seed) => seed.parse()?,
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos() as u64 | 1,
    };
    eprintln!("crash test seed {seed} (set {SEED} to replay it)");
    let mut random = Random(seed);
    let exe = std::env::current_exe()?;
    let mut acknowledged = 0u64;
    let mut kills = 0;
    for round in 0..5 {
        let last_round = round == 4;
        let mut child = Command::new(&exe)
            .args(["--exact", "writer_child", "--nocapture", "--test-threads=1"])
            .env(WRITER, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("the child's stdout")?;
        let kill_after = 100 + random.below(500);
        let (mut acks, mut done) = (0u64, false);
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(seq) = line.strip_prefix("ack ") {
                acknowledged = seq.parse()?;
                acks += 1;
                if !last_round && acks >= kill_after {
                    std::thread::sleep(Duration::from_micros(random.below(3_000)));
                    child.kill()?; // SIGKILL
                    kills += 1;
                    break;
                }
            } else if let Some(seq) = line.strip_prefix("done ") {
                acknowledged = seq.parse()?;
                done = true;
            }
        }
        let status = child.wait()?;
        if last_round {
            assert!(status.success() && done, "the last writer runs to the end: {status}");
        }
        let store = Store::open_with(&path, options())?;
        let seq = store.seq();
        eprintln!("round {round}: acknowledged {acknowledged}, the store holds {seq}");
        assert!(seq >= acknowledged, "round {round}: acknowledged {acknowledged} but the store holds {seq}");
        let expected = reference(&history, &ops, seq, store.engine().as_of())?;
        same_views(store.engine(), &expected).map_err(|e| format!("round {round}, seq {seq}: {e}"))?;
        assert_eq!(store.events_since(0)?.len() as u64, seq);
        store.close()?;
        acknowledged = seq;
    }
    assert_eq!(acknowledged, EVENTS as u64);
    assert!(kills >= 3);
    eprintln!("crash test: {kills} kills, {EVENTS} events, {:?}", started.elapsed());
    clean(&path);
    Ok(())
}
