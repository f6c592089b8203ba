//! What the store's tests share: scratch files, the sample company cut at a day with the events
//! after it, and a comparison of every view of two engines.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::Days;
use omo_core::Dataset;
use omo_core::engine::{Engine, EngineOptions, Event, events_of};
use omo_core::sample::{SampleConfig, sample_company};

pub type Res = Result<(), Box<dyn std::error::Error>>;

/// A fresh, empty directory for one test (under cargo's scratch directory for tests), and the
/// path of a store file in it that does not exist yet.
pub fn scratch(name: &str) -> Result<PathBuf, std::io::Error> {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("omo-store").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join("company.omo"))
}

/// Removes a test's directory (at the end of a test that passed).
pub fn clean(path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The small sample company (seed 3) cut `days` before its end, and every event after the cut,
/// in order: movements, counts, POS sales, orders, shipments, invoices, payments, status changes.
pub fn script(days: u64) -> Result<(Dataset, Vec<Event>), Box<dyn std::error::Error>> {
    let company = sample_company(&SampleConfig::small(3))?;
    let cut = company.as_of - Days::new(days);
    let events = events_of(&company, cut)?;
    Ok((company.until(cut), events))
}

/// An engine on `history` fed `events` (every one must be accepted).
pub fn fed(history: &Dataset, events: &[Event]) -> Result<Engine, Box<dyn std::error::Error>> {
    let mut engine = Engine::new(history.clone(), EngineOptions::default())?;
    for event in events {
        engine.apply(event.clone())?;
    }
    Ok(engine)
}

/// Every view of an engine that a store must bring back: seq, clock, S-P-I rows, stock, credit
/// positions, the dataset, and the whole snapshot (which holds the applied events' ids).
pub fn same_views(store: &Engine, reference: &Engine) -> Result<(), String> {
    // Compared by value: a restored book may hold 0 where the live one holds 0.0000.
    let positions = |engine: &Engine| {
        let book = engine.credit_book();
        book.customers().into_iter().map(|c| (c.clone(), engine.credit_position(c))).collect::<Vec<_>>()
    };
    let differ = |what: &str| Err(format!("{what} differ (seq {} / {})", store.seq(), reference.seq()));
    if store.seq() != reference.seq() {
        return differ("seqs");
    }
    if store.as_of() != reference.as_of() {
        return Err(format!("clocks differ: {} / {}", store.as_of(), reference.as_of()));
    }
    if store.spi_rows() != reference.spi_rows() {
        return differ("S-P-I rows");
    }
    if store.stock_on_hand() != reference.stock_on_hand() {
        return differ("stock on hand");
    }
    if positions(store) != positions(reference) {
        return differ("credit positions");
    }
    if store.to_dataset() != reference.to_dataset() {
        return differ("datasets");
    }
    if store.snapshot() != reference.snapshot() {
        return differ("snapshots");
    }
    Ok(())
}
