//! The store: what it acknowledged comes back after a restart exactly as an engine fed the same
//! events holds it; refused events and failed writes leave nothing behind; foreign and newer
//! files are refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::sync::{Arc, Mutex};

use chrono::{Days, NaiveDate};
use omo_core::OmoError;
use omo_core::engine::{ChangeKind, Engine, EngineOptions, Event, EventBody};
use omo_core::model::{MovementKind, NodeId, Payment, PaymentId, ProductId, StockMovement};
use omo_store::{FORMAT_VERSION, Store, StoreError, StoreOptions};
use rust_decimal::Decimal;
use support::{Res, clean, fed, same_views, scratch, script};

fn movement(
    id: &str,
    node: &NodeId,
    product: &ProductId,
    date: NaiveDate,
    kind: MovementKind,
    quantity: Decimal,
) -> Event {
    let m = StockMovement {
        node: node.clone(),
        product: product.clone(),
        date,
        kind,
        quantity,
        counterparty: None,
        reference: None,
    };
    Event::new(id, EventBody::Movement(m))
}

/// The node x product with the most stock.
fn stocked(engine: &Engine) -> Result<(NodeId, ProductId, Decimal), String> {
    engine.stock_on_hand().into_iter().max_by_key(|(_, _, q)| *q).ok_or_else(|| "no stock".to_owned())
}

/// Receipts and sales of the stocked node x product dated after the clock, and payments.
fn hand_made(engine: &Engine, count: usize) -> Result<Vec<Event>, Box<dyn std::error::Error>> {
    let (node, product, _) = stocked(engine)?;
    let customers: Vec<_> = engine.credit_book().customers().into_iter().cloned().collect();
    let d = engine.dataset();
    let mut events = Vec::new();
    for i in 0..count {
        let date = d.as_of + Days::new(1 + (i / 20) as u64);
        let event = match i % 3 {
            0 => {
                movement(&format!("grn-{i}"), &node, &product, date, MovementKind::Receipt, Decimal::from(7 + i as i64))
            }
            1 => movement(&format!("dn-{i}"), &node, &product, date, MovementKind::Sale, Decimal::from(5)),
            _ => {
                let customer = customers.get(i % customers.len().max(1)).ok_or("no account")?.clone();
                let id = PaymentId::new(format!("PAY-T-{i}"))?;
                let payment = Payment::new(id, customer, date, Decimal::new(12_345, 2), d.currency.clone())?;
                Event::new(format!("pay-{i}"), EventBody::Payment(Box::new(payment)))
            }
        };
        events.push(event);
    }
    Ok(events)
}

fn is_duplicate(refused: &Option<StoreError>) -> bool {
    matches!(refused, Some(StoreError::Engine(OmoError::Refused { reason, .. })) if matches!(**reason, OmoError::DuplicateId { .. }))
}

#[test]
fn what_the_store_acknowledged_comes_back_after_a_restart() -> Res {
    let (history, mut events) = script(10)?;
    events.truncate(300);
    let path = scratch("restart")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    let mut reference = fed(&history, &events[..0])?;
    for event in &events {
        store.apply(event.clone())?;
        reference.apply(event.clone())?;
    }
    let extra = hand_made(&reference, 60)?;
    for event in &extra {
        store.apply(event.clone())?;
        reference.apply(event.clone())?;
    }
    let later = reference.as_of() + Days::new(9);
    store.advance_to(later)?;
    reference.advance_to(later)?;
    same_views(store.engine(), &reference)?;
    let seq = store.seq();
    assert_eq!(seq, 360);
    drop(store);

    let mut store = Store::open(&path)?;
    same_views(store.engine(), &reference)?;
    assert_eq!(store.engine().as_of(), later);
    // The duplicate rule survives the restart, for the sample's events and the hand-made ones.
    assert!(is_duplicate(&store.apply(events[17].clone()).err()));
    assert!(is_duplicate(&store.apply(extra[4].clone()).err()));
    assert_eq!(store.seq(), seq);
    // The log across the restart: the last events before it, and one after it.
    let after = hand_made(store.engine(), 1)?.remove(0);
    let after = Event::new("after-restart", after.body);
    store.apply(after.clone())?;
    reference.apply(after.clone())?;
    let since = store.events_since(seq - 3)?;
    let expected: Vec<(u64, Event)> =
        vec![(seq - 2, extra[57].clone()), (seq - 1, extra[58].clone()), (seq, extra[59].clone()), (seq + 1, after)];
    assert_eq!(since, expected);
    assert_eq!(store.events_since(0)?.len(), 361);
    assert_eq!(store.events_since(0)?.into_iter().map(|(_, e)| e).take(300).collect::<Vec<_>>(), events);
    assert!(store.events_since(seq + 1)?.is_empty());
    assert!(store.events_since(u64::MAX)?.is_empty());
    same_views(store.engine(), &reference)?;
    store.close()?;
    clean(&path);
    Ok(())
}

#[test]
fn a_refused_event_writes_nothing() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("refused")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    store.apply_many(events[..50].iter().cloned())?.into_result()?;
    let (node, product, on_hand) = stocked(store.engine())?;
    let too_much =
        movement("dn-too-much", &node, &product, store.engine().as_of(), MovementKind::Sale, on_hand + Decimal::ONE);
    let err = store.apply(too_much).unwrap_err();
    assert!(
        matches!(&err, StoreError::Engine(OmoError::Refused { reason, .. }) if matches!(**reason, OmoError::NegativeStock { .. })),
        "{err}"
    );
    assert!(store.events_since(50)?.is_empty());
    drop(store);
    let store = Store::open(&path)?;
    same_views(store.engine(), &fed(&history, &events[..50])?)?;
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn a_batch_is_one_commit_and_stops_at_the_first_refused_event() -> Res {
    let (history, events) = script(30)?;
    let path = scratch("batch")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    let started = std::time::Instant::now();
    store.apply_many(events[..1_000].iter().cloned())?.into_result()?;
    eprintln!("apply_many of 1,000 events: {:?}", started.elapsed());
    assert_eq!(store.seq(), 1_000);
    // A batch with a duplicate in its middle: the events before it are durable, the rest not.
    let mut batch: Vec<Event> = events[1_000..1_010].to_vec();
    batch.insert(5, events[3].clone());
    batch.extend_from_slice(&events[1_010..1_020]);
    let mut twin = fed(&history, &events[..1_000])?;
    let expected = twin.apply_many(batch[..5].iter().cloned()).into_result()?;
    let applied = store.apply_many(batch)?;
    assert!(is_duplicate(&applied.refused));
    assert_eq!(applied.changes, expected, "the changes of the events before the refused one");
    assert_eq!(store.seq(), 1_005);
    drop(store);
    let store = Store::open(&path)?;
    same_views(store.engine(), &fed(&history, &events[..1_005])?)?;
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn a_replica_s_events_each_get_a_seq_or_a_reason_and_the_accepted_ones_are_durable() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("remote")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    store.apply_many(events[..20].iter().cloned())?.into_result()?;
    let outbox = vec![events[20].clone(), events[21].clone(), events[2].clone(), events[22].clone()];
    let results = store.apply_remote(outbox);
    assert!(
        matches!(
            results.iter().map(|r| r.as_ref().map(|a| a.seq)).collect::<Vec<_>>()[..],
            [Ok(21), Ok(22), Err(StoreError::Engine(OmoError::Refused { .. })), Ok(23)]
        ),
        "{results:?}"
    );
    drop(store);
    let store = Store::open(&path)?;
    same_views(store.engine(), &fed(&history, &events[..23])?)?;
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn the_clock_is_durable_and_closes_the_same_months_after_a_restart() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("clock")?;
    let mut store = Store::create(&path, history.clone(), EngineOptions::default())?;
    store.apply_many(events[..30].iter().cloned())?.into_result()?;
    let (node, product, _) = stocked(store.engine())?;
    let back = store.engine().as_of();
    let next = back + Days::new(1);
    store.advance_to(next)?;
    assert!(store.advance_to(back)?.is_empty(), "the clock never goes back");
    // An advance between events is replayed between them: the snapshot is older than both.
    store.apply_many(events[30..40].iter().cloned())?.into_result()?;
    let far = store.engine().as_of() + Days::new(70);
    store.advance_to(far)?;
    drop(store);
    let mut store = Store::open(&path)?;
    assert_eq!(store.engine().as_of(), far);
    let mut reference = fed(&history, &events[..30])?;
    reference.advance_to(next)?;
    for event in &events[30..40] {
        reference.apply(event.clone())?;
    }
    reference.advance_to(far)?;
    same_views(store.engine(), &reference)?;
    // The months the clock closed stay closed.
    let late = movement("grn-late", &node, &product, back, MovementKind::Receipt, Decimal::ONE);
    let err = store.apply(late).unwrap_err();
    assert!(
        matches!(&err, StoreError::Engine(OmoError::Refused { reason, .. }) if matches!(**reason, OmoError::ClosedPeriod { .. })),
        "{err}"
    );
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn a_snapshot_waits_for_events_in_proportion_to_the_state() -> Res {
    let (history, events) = script(30)?;
    let path = scratch("growth")?;
    // 1 % of the records the state holds: about a thousand events for the sample company.
    let options = StoreOptions { snapshot_every: 100, snapshot_growth_percent: 1, keep_snapshots: 2 };
    let records = history.record_count() as u64;
    let wait = usize::try_from(records.div_ceil(100))?;
    assert!(wait > 100 && wait + 200 < events.len(), "{records} records, {} events", events.len());
    let mut store = Store::create_with(&path, history, EngineOptions::default(), options)?;
    store.apply_many(events[..wait - 50].iter().cloned())?.into_result()?;
    assert_eq!(store.snapshot_seqs()?, [0], "{} events since the snapshot: fewer than 1 % of {records}", wait - 50);
    for event in &events[wait - 50..wait + 50] {
        store.apply(event.clone())?;
    }
    // Due at the first event that brings the events since to 1 % of the state's records (which
    // grow by one per event applied).
    let due = store.snapshot_seqs()?;
    assert_eq!(due.len(), 2, "{due:?}");
    assert!(due[0] >= wait as u64 - 50 && due[0] <= wait as u64 + 50, "{due:?} around {wait}");
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn snapshots_are_written_every_n_events_and_only_the_latest_two_are_kept() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("snapshots")?;
    let options = StoreOptions { snapshot_every: 100, snapshot_growth_percent: 0, keep_snapshots: 2 };
    let mut store = Store::create_with(&path, history.clone(), EngineOptions::default(), options.clone())?;
    assert_eq!(store.snapshot_seqs()?, [0]);
    for event in &events[..250] {
        store.apply(event.clone())?;
    }
    assert_eq!(store.snapshot_seqs()?, [200, 100]);
    store.apply_many(events[250..380].iter().cloned())?.into_result()?; // crosses 300: one snapshot at the batch's end
    assert_eq!(store.snapshot_seqs()?, [380, 200]);
    store.advance_to(store.engine().as_of() + Days::new(3))?;
    assert_eq!(store.snapshot_now()?, 380); // replaces the one at 380: the clock moved since
    assert_eq!(store.snapshot_seqs()?, [380, 200]);
    store.apply_many(events[380..400].iter().cloned())?.into_result()?;
    store.compact()?;
    drop(store);
    let store = Store::open_with(&path, options)?;
    let mut reference = fed(&history, &events[..380])?;
    reference.advance_to(reference.as_of() + Days::new(3))?;
    for event in &events[380..400] {
        reference.apply(event.clone())?;
    }
    same_views(store.engine(), &reference)?;
    drop(store);

    // The latest snapshot damaged: the one before it and the events after it give the same.
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("UPDATE snapshots SET json = '{\"not\": \"a snapshot\"}' WHERE seq = 380", [])?;
    }
    let store = Store::open(&path)?;
    same_views(store.engine(), &reference)?;
    drop(store);
    // Every snapshot damaged: a corruption naming the seq.
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("UPDATE snapshots SET json = 'garbage'", [])?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { seq: 200, .. }), "{err}");
    clean(&path);
    Ok(())
}

/// A log holding an event further ahead of the clock than the engine's options now allow (one
/// accepted before the limit, or under a wider one) reopens: replaying what was acknowledged is
/// not held to the limit, which still guards new events.
#[test]
fn a_log_accepted_under_a_wider_horizon_reopens() -> Res {
    let (history, _) = script(0)?;
    let path = scratch("horizon")?;
    let options = EngineOptions { max_days_ahead: None, ..EngineOptions::default() };
    let mut store = Store::create(&path, history, options)?;
    let (node, product, _) = stocked(store.engine())?;
    let far = store.engine().as_of() + Days::new(4_000);
    store.apply(movement("grn-far", &node, &product, far, MovementKind::Receipt, Decimal::from(3)))?;
    let views = store.engine().stock_on_hand();
    drop(store);
    // The snapshot's options as a file written before the limit read: five years, the default.
    let conn = rusqlite::Connection::open(&path)?;
    let edited = conn.execute(
        r#"UPDATE snapshots SET json = replace(json, '"max_days_ahead":null', '"max_days_ahead":1827')"#,
        [],
    )?;
    assert_eq!(edited, 1);
    drop(conn);
    let mut store = Store::open(&path)?;
    assert_eq!((store.engine().as_of(), store.engine().stock_on_hand()), (far, views));
    let further = far + Days::new(4_000);
    let refused = store.apply(movement("grn-further", &node, &product, further, MovementKind::Receipt, Decimal::ONE));
    assert!(
        matches!(refused, Err(StoreError::Engine(OmoError::Refused { reason, .. })) if matches!(*reason, OmoError::FarAhead { .. }))
    );
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn a_log_that_does_not_replay_is_a_corruption_naming_the_seq() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("corrupt")?;
    let mut store = Store::create(&path, history, EngineOptions::default())?;
    store.apply_many(events[..40].iter().cloned())?.into_result()?;
    drop(store);
    {
        let conn = rusqlite::Connection::open(&path)?;
        // Event 31 replaced by event 5 again: a duplicate on replay.
        let json: String = conn.query_row("SELECT json FROM events WHERE seq = 5", [], |r| r.get(0))?;
        conn.execute("DELETE FROM events WHERE seq = 31", [])?;
        conn.execute("INSERT INTO events (seq, type, id, json) VALUES (31, 'x', 'y', ?1)", [json])?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt { seq: 31, .. }), "{err}");
    assert!(err.to_string().contains("seq 31"), "{err}");
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("DELETE FROM events WHERE seq = 31", [])?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt { seq: 32, .. }), "a gap: {err}");
    clean(&path);
    Ok(())
}

#[test]
fn a_failed_write_is_not_acknowledged_and_the_engine_goes_back_to_the_disk() -> Res {
    let (history, events) = script(10)?;
    let path = scratch("failed-write")?;
    let store = Store::create(&path, history.clone(), EngineOptions::default())?;
    drop(store);
    {
        // The disk says no to one event id.
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute_batch(
            "CREATE TRIGGER fail BEFORE INSERT ON events WHEN NEW.id LIKE 'boom%' \
             BEGIN SELECT RAISE(ABORT, 'disk says no'); END;",
        )?;
    }
    let mut store = Store::open(&path)?;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&seen);
    store.subscribe(Box::new(move |change| {
        if let (Ok(mut seen), ChangeKind::StockOut { .. }) = (sink.lock(), &change.what) {
            seen.push(format!("stock out at {}", change.seq));
        }
    }));
    store.apply_many(events[..20].iter().cloned())?.into_result()?;
    let reference = fed(&history, &events[..20])?;
    // A sale of everything: accepted by the engine (a stock-out), refused by the disk.
    let (node, product, on_hand) = stocked(store.engine())?;
    let all = movement("dn-all", &node, &product, store.engine().as_of(), MovementKind::Sale, on_hand);
    let boom = Event::new("boom-1", all.body.clone());
    let err = store.apply(boom.clone()).unwrap_err();
    assert!(matches!(&err, StoreError::Sqlite { message, .. } if message.contains("disk says no")), "{err}");
    same_views(store.engine(), &reference)?;
    assert!(seen.lock().map_err(|e| e.to_string())?.is_empty(), "no change of an event that is not durable");
    // In a batch, the whole batch goes: one transaction.
    let batch =
        vec![events[20].clone(), events[21].clone(), Event::new("boom-2", all.body.clone()), events[22].clone()];
    assert!(matches!(store.apply_many(batch), Err(StoreError::Sqlite { .. })));
    same_views(store.engine(), &reference)?;
    let results = store.apply_remote(vec![events[20].clone(), Event::new("boom-3", all.body.clone())]);
    assert!(results.iter().all(|r| matches!(r, Err(StoreError::Sqlite { .. }))), "{results:?}");
    same_views(store.engine(), &reference)?;
    // The store goes on: the same sale under an id the disk takes.
    store.apply(Event::new("fine-1", all.body))?;
    assert_eq!(store.seq(), 21);
    assert_eq!(*seen.lock().map_err(|e| e.to_string())?, ["stock out at 21"]);
    drop(store);
    let store = Store::open(&path)?;
    assert_eq!(store.seq(), 21);
    drop(store);
    clean(&path);
    Ok(())
}

#[test]
fn newer_foreign_and_existing_files_are_refused() -> Res {
    let (history, _) = script(10)?;
    let path = scratch("format")?;
    let dir = path.parent().ok_or("dir")?.to_path_buf();

    // A newer format version, in the meta table or in SQLite's user_version.
    Store::create(&path, history.clone(), EngineOptions::default())?.close()?;
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'", [])?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Format { found: 99, expected: FORMAT_VERSION, .. }), "{err}");
    assert!(err.to_string().contains("99"), "{err}");
    {
        let conn = rusqlite::Connection::open(&path)?;
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'", [])?;
        conn.pragma_update(None, "user_version", 7)?;
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Format { found: 7, .. }), "{err}");

    // Another application's SQLite database: refused, and left as it was (not switched to WAL).
    let foreign = dir.join("foreign.sqlite");
    {
        let conn = rusqlite::Connection::open(&foreign)?;
        conn.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")?;
    }
    let before = std::fs::read(&foreign)?;
    let err = Store::open(&foreign).unwrap_err();
    assert!(matches!(&err, StoreError::NotAStore { .. }), "{err}");
    assert!(err.to_string().contains("foreign.sqlite"), "{err}");
    assert_eq!(std::fs::read(&foreign)?, before);
    // Not a database at all.
    let text = dir.join("notes.txt");
    std::fs::write(&text, "this is not a database, it is a text file that is long enough to have a header".repeat(20))?;
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(&err, StoreError::NotAStore { .. }), "{err}");
    // An empty file (what a creation cut short before its first write leaves): said so, and
    // left empty (opening writes nothing to a file that is not a store).
    let empty = dir.join("empty.omo");
    std::fs::write(&empty, "")?;
    let err = Store::open(&empty).unwrap_err();
    assert!(matches!(&err, StoreError::NotAStore { .. }) && err.to_string().contains("the file is empty"), "{err}");
    assert_eq!(std::fs::metadata(&empty)?.len(), 0);
    // A database with no table and no application id (what a creation cut short after
    // switching to the write-ahead log leaves): said so, and left as it was.
    let bare = dir.join("bare.omo");
    {
        let conn = rusqlite::Connection::open(&bare)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    }
    let before = std::fs::read(&bare)?;
    assert!(!before.is_empty());
    let err = Store::open(&bare).unwrap_err();
    assert!(matches!(&err, StoreError::NotAStore { .. }) && err.to_string().contains("the database is empty"), "{err}");
    assert_eq!(std::fs::read(&bare)?, before);
    // Nothing there.
    let err = Store::open(dir.join("missing.omo")).unwrap_err();
    assert!(matches!(&err, StoreError::NotFound { .. }), "{err}");

    // create on an existing path: refused naming it, the file untouched.
    let err = Store::create(&text, history.clone(), EngineOptions::default()).unwrap_err();
    assert!(matches!(&err, StoreError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("notes.txt") && err.to_string().contains("use Store::open"), "{err}");
    assert!(std::fs::read_to_string(&text)?.starts_with("this is not a database"));

    // A write-ahead log left beside a deleted store: it would be replayed into a new one.
    let stale = dir.join("stale.omo");
    std::fs::write(dir.join("stale.omo-wal"), b"left over")?;
    let err = Store::create(&stale, history.clone(), EngineOptions::default()).unwrap_err();
    assert!(matches!(&err, StoreError::Exists { path } if path.ends_with("stale.omo-wal")), "{err}");
    assert!(!stale.exists());

    // An invalid history: refused before any file is made.
    let mut bad = history.clone();
    if let Some(m) = bad.movements.first_mut() {
        m.product = ProductId::new("NO-SUCH-PRODUCT")?;
    }
    let fresh = dir.join("fresh.omo");
    assert!(matches!(Store::create(&fresh, bad, EngineOptions::default()), Err(StoreError::Engine(_))));
    assert!(!fresh.exists());
    clean(&path);
    Ok(())
}

#[test]
fn one_writer_at_a_time() -> Res {
    fn send<T: Send>() {}
    send::<Store>(); // a server may hand it to another thread (behind a mutex)
    let (history, _) = script(10)?;
    let path = scratch("lock")?;
    let store = Store::create(&path, history, EngineOptions::default())?;
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(&err, StoreError::Locked { .. }), "{err}");
    drop(store);
    let store = Store::open(&path)?;
    assert!(matches!(Store::open(&path), Err(StoreError::Locked { .. })));
    drop(store);
    clean(&path);
    Ok(())
}
