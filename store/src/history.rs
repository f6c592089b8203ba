//! The history of a bulk-loaded store ([`crate::Store::create_loaded`]): the master data and
//! the engine's options (the `bulk_load` row), and every movement and POS sale of the loaded
//! stream in its order (the `history` table), as JSON lines ([`StockRecord`]'s JSON, the record
//! as the dataset JSON writes it) in zstd-compressed batches of [`BATCH`] records. Reopening
//! folds them into the engine again ([`Engine::load`]) before the event log is replayed.
//!
//! The `bulk_load` row's `records` is written last, once every batch is on disk: until then the
//! store is incomplete (the process stopped while creating it) and opening it is refused.

use std::path::Path;

use omo_core::Dataset;
use omo_core::engine::{Engine, EngineOptions};
use omo_core::sample::StockRecord;
use rusqlite::{Connection, OptionalExtension};

use crate::error::{Result, StoreError};

/// Records per `history` row.
const BATCH: usize = 4_096;

/// `history` rows per transaction while loading.
const BATCHES_PER_COMMIT: i64 = 64;

/// zstd's compression level: its default, some 10 to 1 on the records' JSON lines.
const LEVEL: i32 = 3;

/// The SQLite errors of the store at `path`.
fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::sqlite(path, &e)
}

/// Writes the `bulk_load` row of a store about to load `master`'s history with `options`: the
/// store is incomplete until [`complete`] (inside the caller's transaction).
pub(crate) fn begin(conn: &Connection, path: &Path, master: &Dataset, options: &EngineOptions) -> Result<()> {
    let json = |what: &str, e: serde_json::Error| {
        StoreError::Engine(omo_core::OmoError::Json(format!("bulk load: the {what} as JSON: {e}")))
    };
    let master = serde_json::to_string(master).map_err(|e| json("master data", e))?;
    let options = serde_json::to_string(options).map_err(|e| json("engine options", e))?;
    conn.execute("INSERT INTO bulk_load (id, master, options, records) VALUES (1, ?1, ?2, NULL)", (master, options))
        .map_err(sql(path))?;
    Ok(())
}

/// Writes the records of a stream into the `history` table as they pass, in batches; the first
/// failure stops it ([`HistoryWriter::keep`] answers `false` from then on) and is returned by
/// [`HistoryWriter::finish`].
pub(crate) struct HistoryWriter<'a> {
    conn: &'a Connection,
    path: &'a Path,
    /// The JSON lines of the batch being filled.
    lines: Vec<u8>,
    in_batch: usize,
    /// The number of the last batch written.
    batch: i64,
    records: u64,
    in_transaction: bool,
    failure: Option<StoreError>,
}

impl<'a> HistoryWriter<'a> {
    /// A writer into the store `conn` at `path`, whose `bulk_load` row is written.
    pub(crate) fn new(conn: &'a Connection, path: &'a Path) -> Self {
        HistoryWriter {
            conn,
            path,
            lines: Vec::new(),
            in_batch: 0,
            batch: 0,
            records: 0,
            in_transaction: false,
            failure: None,
        }
    }

    /// Adds `record` to the history; `false` once writing failed (the stream should stop).
    pub(crate) fn keep(&mut self, record: &StockRecord) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let added = self.add(record);
        if let Err(e) = added {
            self.failure = Some(e);
            return false;
        }
        true
    }

    fn add(&mut self, record: &StockRecord) -> Result<()> {
        serde_json::to_writer(&mut self.lines, record).map_err(|e| {
            let row = self.records;
            StoreError::Engine(omo_core::OmoError::Json(format!("bulk load: record {row} as JSON: {e}")))
        })?;
        self.lines.push(b'\n');
        self.in_batch += 1;
        self.records += 1;
        if self.in_batch == BATCH { self.write_batch() } else { Ok(()) }
    }

    /// Compresses and inserts the batch being filled, committing every [`BATCHES_PER_COMMIT`].
    fn write_batch(&mut self) -> Result<()> {
        if self.in_batch == 0 {
            return Ok(());
        }
        let compressed = zstd::bulk::compress(&self.lines, LEVEL).map_err(|e| StoreError::io(self.path, &e))?;
        if !self.in_transaction {
            self.conn.execute_batch("BEGIN").map_err(sql(self.path))?;
            self.in_transaction = true;
        }
        self.batch += 1;
        let records = i64::try_from(self.in_batch).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached("INSERT INTO history (batch, records, zstd) VALUES (?1, ?2, ?3)")
            .and_then(|mut insert| insert.execute((self.batch, records, compressed)))
            .map_err(sql(self.path))?;
        self.lines.clear();
        self.in_batch = 0;
        if self.batch % BATCHES_PER_COMMIT == 0 {
            self.commit()?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<()> {
        if self.in_transaction {
            self.in_transaction = false;
            self.conn.execute_batch("COMMIT").map_err(sql(self.path))?;
        }
        Ok(())
    }

    /// Writes what is left and returns the number of records written, or the first failure.
    pub(crate) fn finish(mut self) -> Result<u64> {
        if let Some(e) = self.failure.take() {
            return Err(e);
        }
        self.write_batch()?;
        self.commit()?;
        Ok(self.records)
    }
}

/// Marks the history complete (`records` of them): the store's sync back on (the batches are
/// written with it off, see [`crate::Store::create_loaded`]), every batch checkpointed into the
/// file and synced there, then the count committed and synced. From here on the store opens.
pub(crate) fn complete(conn: &Connection, path: &Path, records: u64) -> Result<()> {
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql(path))?;
    // (busy, frames in the log, frames checkpointed): nobody else reads this file.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(sql(path))?;
    let records = i64::try_from(records).unwrap_or(i64::MAX);
    conn.execute("UPDATE bulk_load SET records = ?1 WHERE id = 1", [records]).map_err(sql(path))?;
    Ok(())
}

/// The master data, options and record count of a bulk-loaded store; `None` for a store made
/// from a whole dataset (or a format 1 file, which has no `bulk_load` table).
fn base(conn: &Connection, path: &Path) -> Result<Option<(String, String, Option<i64>)>> {
    let has_table: Option<i64> = conn
        .query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bulk_load'", [], |row| row.get(0))
        .optional()
        .map_err(sql(path))?;
    if has_table.is_none() {
        return Ok(None);
    }
    conn.query_row("SELECT master, options, records FROM bulk_load WHERE id = 1", [], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })
    .optional()
    .map_err(sql(path))
}

/// The engine of a bulk-loaded store's history, before any event (`None` for another store):
/// its master data and options, and every record of its `history` folded in their order.
pub(crate) fn rebuild(conn: &Connection, path: &Path) -> Result<Option<Engine>> {
    let Some((master, options, records)) = base(conn, path)? else {
        return Ok(None);
    };
    let corrupt = |reason: String| StoreError::corrupt(path, 0, reason);
    let Some(records) = records.and_then(|n| u64::try_from(n).ok()) else {
        return Err(corrupt(
            "its bulk load did not finish (the process stopped while creating it): delete the file and create it again"
                .to_owned(),
        ));
    };
    let master: Dataset =
        serde_json::from_str(&master).map_err(|e| corrupt(format!("the bulk load's master data do not parse: {e}")))?;
    let options: EngineOptions =
        serde_json::from_str(&options).map_err(|e| corrupt(format!("the bulk load's options do not parse: {e}")))?;
    let mut reader = HistoryReader { conn, path, batch: 0, read: 0, failure: None };
    let loaded = Engine::load(master, reader.records(), options);
    if let Some(e) = reader.failure {
        return Err(e);
    }
    // A refusal stops the fold before the end: it is the error, not the count read so far.
    let engine = loaded.map_err(|e| corrupt(format!("the engine refuses its history on reload: {e}")))?;
    if reader.read != records {
        return Err(corrupt(format!("its history holds {} records, its bulk load wrote {records}", reader.read)));
    }
    Ok(Some(engine))
}

/// Reads the `history` table back, batch after batch; the first failure ends the stream and is
/// kept in `failure`.
struct HistoryReader<'a> {
    conn: &'a Connection,
    path: &'a Path,
    /// The number of the last batch read.
    batch: i64,
    read: u64,
    failure: Option<StoreError>,
}

impl HistoryReader<'_> {
    /// The records, in the order they were written.
    fn records(&mut self) -> impl Iterator<Item = StockRecord> + '_ {
        let mut current = Vec::new().into_iter();
        std::iter::from_fn(move || {
            loop {
                if let Some(record) = current.next() {
                    self.read += 1;
                    return Some(record);
                }
                if self.failure.is_some() {
                    return None;
                }
                match self.next_batch() {
                    Ok(Some(records)) => current = records.into_iter(),
                    Ok(None) => return None,
                    Err(e) => self.failure = Some(e),
                }
            }
        })
    }

    /// The records of the next batch; `None` after the last.
    fn next_batch(&mut self) -> Result<Option<Vec<StockRecord>>> {
        let batch = self.batch + 1;
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT records, zstd FROM history WHERE batch = ?1")
            .and_then(|mut select| select.query_row([batch], |row| Ok((row.get(0)?, row.get(1)?))).optional())
            .map_err(sql(self.path))?;
        let Some((count, compressed)) = row else {
            return Ok(None);
        };
        self.batch = batch;
        let corrupt = |reason: String| StoreError::corrupt(self.path, 0, format!("history batch {batch}: {reason}"));
        let capacity = usize::try_from(count).unwrap_or(0).saturating_mul(1_024).max(1 << 20);
        let lines =
            zstd::bulk::decompress(&compressed, capacity).map_err(|e| corrupt(format!("does not decompress: {e}")))?;
        let records = serde_json::Deserializer::from_slice(&lines)
            .into_iter::<StockRecord>()
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| corrupt(format!("a record does not parse: {e}")))?;
        if i64::try_from(records.len()).ok() != Some(count) {
            return Err(corrupt(format!("holds {} records, its row says {count}", records.len())));
        }
        Ok(Some(records))
    }
}
