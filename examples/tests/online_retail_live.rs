//! The live engine on a real ledger no one here wrote or tuned on: the UCI Online Retail
//! invoice lines (541,909 rows, December 2010 to December 2011) as the invoice-line importer
//! reads them, cut 300 days before its last day, the rest (21,797 invoices, credit notes and
//! write-offs) replayed as events in batches, in memory and through a store reopened from its
//! file; each engine ends where the batch functions on the whole ledger end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Days, NaiveDate};
use omo_core::analytics::SalesSource;
use omo_core::engine::{Engine, EngineOptions, Event, events_of};
use omo_core::spi::{LedgerOptions, build_ledger};
use omo_core::views::Views;
use omo_core::{Dataset, ValidDataset};
use omo_store::Store;

/// The ledger, the day it is cut and the events after it; `None` (said on stderr) without the
/// shared data outside CI.
fn ledger() -> Option<(Dataset, NaiveDate, Vec<Event>)> {
    let path = omo_test_support::shared_file("data/online_retail.csv.gz")?;
    let company = omo_examples::online_retail::import(&path).unwrap().dataset;
    let cut = company.as_of - Days::new(300);
    let events = events_of(&company, cut).unwrap();
    assert!(events.len() > 20_000, "{} events", events.len());
    Some((company, cut, events))
}

/// `events` applied by `apply_batch` a thousand at a time, none refused.
fn replay<E: std::fmt::Debug>(events: Vec<Event>, mut apply_batch: impl FnMut(Vec<Event>) -> Option<E>) {
    let mut events = events.into_iter();
    loop {
        let chunk: Vec<_> = events.by_ref().take(1_000).collect();
        if chunk.is_empty() {
            return;
        }
        if let Some(refused) = apply_batch(chunk) {
            panic!("refused: {refused:?}");
        }
    }
}

/// `engine` holds the ledger's records, and its S-P-I rows, stock, stock health, lights,
/// alerts, invoiced sales and customers' year are those the batch functions compute on it.
fn assert_as_batch(engine: &Engine, company: &Dataset) {
    let sorted_json = |d: &Dataset| {
        let mut invoices: Vec<String> = d.invoices.iter().map(|i| serde_json::to_string(i).unwrap()).collect();
        let mut movements: Vec<String> = d.movements.iter().map(|m| serde_json::to_string(m).unwrap()).collect();
        invoices.sort_unstable();
        movements.sort_unstable();
        (invoices, movements)
    };
    assert!(sorted_json(&engine.to_dataset()) == sorted_json(company), "the records differ from the ledger's");
    // The ledger's write-offs take some products below zero, which its dataset allows.
    let allow_negative = LedgerOptions { allow_negative: true, ..LedgerOptions::default() };
    let rows = engine.spi_rows();
    assert_eq!(rows, build_ledger(&company.movements, &[], allow_negative).unwrap(), "S-P-I rows");
    let fresh = Engine::new(company.clone(), EngineOptions::default()).unwrap();
    assert_eq!(engine.stock_on_hand(), fresh.stock_on_hand());
    assert_eq!(engine.lights(), fresh.lights());
    assert_eq!(engine.alert_states(), fresh.alert_states());
    let source = ValidDataset::new(company.clone()).unwrap();
    let (live, batch) = (engine.views(), Views::new(&source));
    let health = live.health().unwrap();
    assert_eq!(health, batch.health().unwrap());
    let sales = live.sales(SalesSource::Invoiced, None).unwrap();
    assert_eq!(sales, batch.sales(SalesSource::Invoiced, None).unwrap());
    let summaries = live.customer_summaries(None, None).unwrap();
    assert_eq!(summaries, batch.customer_summaries(None, None).unwrap());
    // What was compared is the ledger's, not a handful (its customers hold no credit accounts).
    assert!(rows.len() > 1_000 && health.stock.len() > 1_000, "{} rows, {} health", rows.len(), health.stock.len());
    assert!(sales.rows.len() > 10 && summaries.len() > 4_000, "{} regions, {}", sales.rows.len(), summaries.len());
}

#[test]
fn the_online_retail_ledger_replayed_as_events_ends_where_the_batch_functions_end() {
    let Some((company, cut, events)) = ledger() else { return };
    let mut engine = Engine::new(company.until(cut), EngineOptions::default()).unwrap();
    replay(events, |chunk| engine.apply_batch(chunk).refused);
    engine.advance_to(company.as_of).unwrap();
    assert_as_batch(&engine, &company);
}

#[test]
fn the_online_retail_ledger_replayed_into_a_store_reopens_where_the_batch_functions_end() {
    let Some((company, cut, events)) = ledger() else { return };
    let path = std::env::temp_dir().join(format!("omo-online-retail-{}.db", std::process::id()));
    let remove = || {
        for file in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{file}", path.display()));
        }
    };
    remove();
    let mut store = Store::create(&path, company.until(cut), EngineOptions::default()).unwrap();
    replay(events, |chunk| store.apply_batch(chunk).unwrap().refused);
    store.advance_to(company.as_of).unwrap();
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_as_batch(reopened.engine(), &company);
    drop(reopened);
    remove();
}
