//! A bulk-loaded store (`Store::create_loaded`): the history streamed into the file as it is
//! folded, reopened by folding it again and replaying the log; no snapshots; an unfinished or
//! damaged history refused naming what is wrong; a failed load leaves no file; a creator killed
//! mid-load leaves a file that is refused as unfinished, never one that opens half-loaded;
//! format 1 files still open.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use chrono::{Days, NaiveDate};
use omo_core::Dataset;
use omo_core::engine::{Engine, EngineOptions, Event, events_of};
use omo_core::sample::{SampleConfig, StockRecord, sample_company, sample_company_streamed};
use omo_store::{FORMAT_VERSION, Store, StoreError};
use support::{Res, clean, fed, same_views, scratch};

/// The small sample company's master data up to a cut, its movements and POS sales up to it in
/// stream order, the events after it, and the cut.
type Company = (Dataset, Vec<StockRecord>, Vec<Event>, NaiveDate);

/// The small sample company cut `days` before its end (see [`Company`]).
fn company(days: u64) -> Result<Company, Box<dyn std::error::Error>> {
    let config = SampleConfig::small(3);
    let mut records = Vec::new();
    let master = sample_company_streamed(&config, &mut |r| records.push(r))?;
    let cut = master.as_of - Days::new(days);
    records.retain(|r| r.date() <= cut);
    let events = events_of(&sample_company(&config)?, cut)?;
    Ok((master.until(cut), records, events, cut))
}

/// An engine bulk-loaded in memory with the same history, fed `events`.
fn loaded_and_fed(master: &Dataset, records: &[StockRecord], events: &[Event]) -> Result<Engine, omo_core::OmoError> {
    let mut engine = Engine::load(master.clone(), records.to_vec(), EngineOptions::default())?;
    for event in events {
        engine.apply(event.clone())?;
    }
    Ok(engine)
}

#[test]
fn a_bulk_loaded_store_reopens_with_its_history_folded_again_and_its_log_replayed() -> Res {
    let (master, records, events, cut) = company(25)?;
    assert!(records.len() > 10_000, "a history of several batches: {}", records.len());
    let path = scratch("bulk")?;
    let mut store = Store::create_loaded(&path, master.clone(), records.clone(), EngineOptions::default())?;
    same_views(store.engine(), &loaded_and_fed(&master, &records, &[])?)?;
    store.apply_many(events[..300].iter().cloned())?.into_result()?;
    let moved = cut + Days::new(2);
    store.advance_to(moved)?;
    store.apply_many(events[300..400].iter().cloned())?.into_result()?;
    // No snapshot is written, due or asked for: a snapshot of aggregates would not restore.
    assert!(matches!(store.snapshot_now().unwrap_err(), StoreError::NoSnapshots { .. }));
    assert_eq!(store.snapshot_seqs()?, Vec::<u64>::new());
    drop(store);

    let mut store = Store::open(&path)?;
    let mut reference = loaded_and_fed(&master, &records, &events[..300])?;
    reference.advance_to(moved)?;
    for event in &events[300..400] {
        reference.apply(event.clone())?;
    }
    same_views(store.engine(), &reference)?;
    // The aggregates are those of an engine holding the whole history as records.
    let whole = {
        let mut whole = fed(&sample_company(&SampleConfig::small(3))?.until(cut), &events[..300])?;
        whole.advance_to(moved)?;
        for event in &events[300..400] {
            whole.apply(event.clone())?;
        }
        whole
    };
    assert_eq!(store.engine().spi_rows(), whole.spi_rows());
    assert_eq!(store.engine().stock_on_hand(), whole.stock_on_hand());
    // It goes on where it stopped; a duplicate stays one.
    assert!(store.apply(events[10].clone()).is_err());
    store.apply_many(events[400..].iter().cloned())?.into_result()?;
    drop(store);
    let store = Store::open(&path)?;
    assert_eq!(store.seq(), events.len() as u64);
    drop(store);

    let conn = rusqlite::Connection::open(&path)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    assert_eq!(version, FORMAT_VERSION);
    let (batches, stored): (i64, i64) =
        conn.query_row("SELECT COUNT(*), SUM(records) FROM history", [], |row| Ok((row.get(0)?, row.get(1)?)))?;
    assert_eq!((batches, stored), ((records.len() as i64 + 4_095) / 4_096, records.len() as i64));
    drop(conn);
    clean(&path);
    Ok(())
}

#[test]
fn an_unfinished_or_damaged_history_is_refused_naming_it() -> Res {
    let (master, records, _, _) = company(25)?;
    let path = scratch("bulk-damaged")?;
    Store::create_loaded(&path, master, records, EngineOptions::default())?.close()?;
    let damage = |sql: &str| -> Result<StoreError, Box<dyn std::error::Error>> {
        rusqlite::Connection::open(&path)?.execute_batch(sql)?;
        Ok(Store::open(&path).unwrap_err())
    };

    // A load cut short: the count is written last.
    let err = damage("UPDATE bulk_load SET records = NULL")?;
    assert!(matches!(&err, StoreError::Corrupt { .. }) && err.to_string().contains("did not finish"), "{err}");
    // A count that does not match the rows.
    let err = damage("UPDATE bulk_load SET records = 12")?;
    assert!(err.to_string().contains("its bulk load wrote 12"), "{err}");
    // A record the engine refuses (an unknown node), well formed otherwise: the engine's reason.
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("UPDATE bulk_load SET records = (SELECT SUM(records) FROM history)", [])?;
        let blob: Vec<u8> = conn.query_row("SELECT zstd FROM history WHERE batch = 3", [], |row| row.get(0))?;
        let lines = String::from_utf8(zstd::bulk::decompress(&blob, 1 << 24)?)?;
        let node = lines.split("\"node\":\"").nth(1).and_then(|rest| rest.split('"').next()).ok_or("a node")?;
        let lines = lines.replacen(&format!("\"node\":\"{node}\""), "\"node\":\"NO-SUCH-NODE\"", 1);
        conn.execute("UPDATE history SET zstd = ?1 WHERE batch = 3", [zstd::bulk::compress(lines.as_bytes(), 3)?])?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(err.to_string().contains("the engine refuses its history on reload"), "{err}");
    assert!(err.to_string().contains("NO-SUCH-NODE"), "{err}");
    let err = damage("UPDATE history SET zstd = x'00112233' WHERE batch = 2")?;
    assert!(err.to_string().contains("history batch 2: does not decompress"), "{err}");
    clean(&path);
    Ok(())
}

#[test]
fn a_load_the_engine_refuses_leaves_no_file_and_names_the_record() -> Res {
    let (master, mut records, _, _) = company(25)?;
    let last = records.len() - 1;
    records.swap(0, last); // the last day's record first: out of date order at record 1
    let path = scratch("bulk-refused")?;
    let err = Store::create_loaded(&path, master, records, EngineOptions::default()).unwrap_err();
    assert!(matches!(&err, StoreError::Engine(_)), "{err}");
    assert!(err.to_string().contains("record 1"), "{err}");
    assert!(!path.exists(), "a failed load leaves no file");
    clean(&path);
    Ok(())
}

#[test]
fn a_format_1_store_still_opens() -> Res {
    let (history, events) = support::script(10)?;
    let path = scratch("format-1")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    store.apply_many(events[..50].iter().cloned())?.into_result()?;
    store.close()?;
    // Version 1 is version 2 without the bulk load's tables.
    rusqlite::Connection::open(&path)?.execute_batch(
        "DROP TABLE bulk_load; DROP TABLE history; \
         UPDATE meta SET value = '1' WHERE key = 'format_version'; PRAGMA user_version = 1;",
    )?;
    let mut store = Store::open(&path)?;
    store.apply_many(events[50..60].iter().cloned())?.into_result()?;
    same_views(store.engine(), &fed(&history, &events[..60])?)?;
    drop(store);
    clean(&path);
    Ok(())
}

/// Set to a store's path, it makes `creator_child` bulk-load the company into it.
const CREATOR: &str = "OMO_STORE_BULK_CREATOR";

/// The creator: bulk-loads the company into a new store at [`CREATOR`]'s path and prints
/// `created`. Does nothing unless that is set.
#[test]
fn creator_child() -> Res {
    let Ok(path) = std::env::var(CREATOR) else { return Ok(()) };
    let (master, records, _, _) = company(25)?;
    Store::create_loaded(&path, master, records, EngineOptions::default())?;
    println!("created");
    Ok(())
}

#[test]
fn a_creator_killed_mid_load_leaves_a_store_refused_as_unfinished_or_a_whole_one() -> Res {
    let (master, records, _, _) = company(25)?;
    let whole = Engine::load(master, records, EngineOptions::default())?;
    let path = scratch("bulk-killed")?;
    let exe = std::env::current_exe()?;
    let create = || {
        for file in ["", "-wal", "-journal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{file}", path.display()));
        }
        Command::new(&exe)
            .args(["--exact", "creator_child", "--nocapture", "--test-threads=1"])
            .env(CREATOR, &path)
            .stdout(Stdio::piped())
            .spawn()
    };
    // A whole run first, to know how long a load takes.
    let started = Instant::now();
    let run = create()?.wait_with_output()?;
    let took = started.elapsed();
    assert!(run.status.success() && String::from_utf8_lossy(&run.stdout).contains("created"));
    let (mut unfinished, mut whole_ones) = (0, 0);
    for round in 1..=8u32 {
        let mut child = create()?;
        std::thread::sleep(took.mul_f64(f64::from(round) / 9.0));
        child.kill()?; // SIGKILL (a child that already finished is not an error)
        let stdout = child.stdout.take().ok_or("the child's stdout")?;
        let created = BufReader::new(stdout).lines().any(|l| l.is_ok_and(|l| l == "created"));
        let status = child.wait()?;
        // Killed, or finished: a creator that failed by itself (a file left by the last round)
        // would make every round "killed before the schema" and prove nothing.
        assert!(status.success() || status.code().is_none(), "round {round}: the creator failed: {status}");
        match Store::open(&path) {
            Ok(store) => {
                same_views(store.engine(), &whole)?;
                whole_ones += 1;
            }
            Err(e) => {
                assert!(!created, "round {round}: it said created, yet: {e}");
                let text = e.to_string();
                let empty = matches!(&e, StoreError::NotAStore { .. })
                    && (text.contains("the file is empty") || text.contains("the database is empty"));
                let before_the_schema = matches!(&e, StoreError::NotFound { .. }) || empty;
                let refused = matches!(&e, StoreError::Corrupt { .. }) && e.to_string().contains("did not finish");
                assert!(before_the_schema || refused, "round {round}: {e}");
                unfinished += usize::from(refused);
            }
        }
    }
    eprintln!("killed creators: {unfinished} unfinished stores refused, {whole_ones} whole; a load took {took:?}");
    assert!(unfinished >= 1, "no kill landed during a load of {took:?}");
    clean(&path);
    Ok(())
}
