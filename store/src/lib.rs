//! The durable event log and snapshots of the omo live engine, in one embedded SQLite file.
//!
//! A [`Store`] owns an [`Engine`] and the file that makes it durable. Every change goes through
//! the store: the engine checks and applies an event first (a refused event writes nothing), then
//! the store appends it to the `events` table and commits before returning. A returned `Ok` means
//! the event is on disk; [`Store::open`] brings back exactly the state after the last committed
//! event, also after the process was killed in the middle of a write.
//!
//! **Durability.** The file uses SQLite's write-ahead log (`journal_mode=WAL`) with
//! `synchronous=FULL`: the log is synced to the device at every commit, so an acknowledged event
//! survives a crash of the process *and* of the machine (power loss), at the price of one sync per
//! commit. [`Store::apply_many`] and [`Store::apply_remote`] commit a whole batch with one sync
//! (group commit), which is much faster per event.
//!
//! **One writer.** The store holds an exclusive lock on its file (`locking_mode=EXCLUSIVE`) from
//! open to close; a second `Store` on the same file, in this process or another, is refused with
//! [`StoreError::Locked`]. The lock is the operating system's: it goes away with a killed process.
//!
//! **The file** (format version [`FORMAT_VERSION`]; SQLite `application_id` [`APPLICATION_ID`],
//! `user_version` = the format version):
//!
//! | table | columns | holds |
//! | --- | --- | --- |
//! | `meta` | `key`, `value` | `format_version` = `1`, `application` = `omo`, `created_by` |
//! | `events` | `seq` (primary key), `type`, `id`, `json`, unique (`type`, `id`) | every accepted event, as its sender sent it ([`Event::to_json`]), with the sequence number the engine gave it |
//! | `snapshots` | `seq` (primary key), `json` | the engine's whole state after event `seq` ([`omo_core::engine::EngineSnapshot`] as JSON); the latest [`StoreOptions::keep_snapshots`] are kept |
//! | `clock` | `after_seq` (primary key), `date` | each [`Store::advance_to`]: the clock moved to `date` after event `after_seq` |
//! | `bulk_load` | `master`, `options`, `records` | a store made by [`Store::create_loaded`]: the master data (JSON), the engine's options, and how many records its history holds (NULL until the load finished) |
//! | `history` | `batch` (primary key), `records`, `zstd` | that store's movements and POS sales in their order, as JSON lines ([`omo_core::sample::StockRecord`]) compressed with zstd, 4,096 a row |
//!
//! Version 2 added the last two tables; version 1 files are read as before.
//!
//! Opening replays the events after the latest snapshot in order, moving the clock where the
//! `clock` table says, so the restored engine went through the same steps as the live one. A
//! bulk-loaded store has no snapshots (its engine holds the history's aggregates, not its
//! records): opening folds its stored history again ([`Engine::load`]), then replays every event.
//! The
//! event log itself is never pruned: it is the audit trail and what [`Store::events_since`] serves
//! to replicas across restarts.
//!
//! **When a write fails** (a full disk, an I/O error) after the engine accepted an event, the
//! in-memory engine is ahead of the disk. The store then reloads the engine from the file, so it
//! holds exactly what is durable again, and returns the error: nothing that is not on disk is ever
//! acknowledged. Should the reload fail too, the store refuses every further change
//! ([`StoreError::Broken`]) until the file is opened again. (When a commit fails in a way that
//! leaves the data on disk after all, the reload finds the event there; a retry is then refused as
//! a duplicate, which is what a retry should get.)
//!
//! ```
//! use omo_core::engine::{EngineOptions, events_of};
//! use omo_core::sample::{SampleConfig, sample_company};
//! use omo_store::Store;
//!
//! let dir = std::env::temp_dir().join(format!("omo-store-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("company.omo");
//! # let _ = std::fs::remove_file(&path);
//!
//! // The history up to a day, then what happened after it as a stream of events.
//! let company = sample_company(&SampleConfig::small(5))?;
//! let cut = company.as_of - chrono::Days::new(10);
//! let events = events_of(&company, cut)?;
//!
//! let mut store = Store::create(&path, company.until(cut), EngineOptions::default())?;
//! let (first, rest) = events.split_at(1);
//! store.apply(first[0].clone())?;                        // one event, one commit
//! store.apply_many(rest.iter().cloned())?.into_result()?; // a batch, one commit
//! store.advance_to(company.as_of)?;                      // the clock is durable too
//! let (seq, rows) = (store.seq(), store.engine().spi_rows());
//! drop(store);                                 // or a crash: the same
//!
//! let mut store = Store::open(&path)?;
//! assert_eq!((store.seq(), store.engine().as_of()), (seq, company.as_of));
//! assert_eq!(store.engine().spi_rows(), rows);
//! assert!(store.apply(first[0].clone()).is_err());  // a duplicate stays a duplicate
//! assert_eq!(store.events_since(seq - 1)?.len(), 1);
//! # drop(store);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod history;
mod schema;

pub use error::{Result, StoreError};
pub use schema::{APPLICATION_ID, FORMAT_VERSION};

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::engine::{Accepted, Applied, Change, Engine, EngineOptions, EngineSnapshot, Event, Subscriber};
use omo_core::sample::StockRecord;
use rusqlite::{Connection, OpenFlags, Transaction};

/// How [`Store::apply_each`] checks its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// As the ERP's own ([`Engine::apply`]): an order over the credit limit is booked and
    /// flagged (the ERP took it).
    Local,
    /// As a replica's ([`Engine::apply_remote`]): an order the credit check now blocks is
    /// refused, as is anything the engine can no longer accept.
    Remote,
}

/// How a store writes snapshots.
///
/// A snapshot holds the whole state, so writing one costs in proportion to the records the
/// engine holds (some 0.4 s for the sample company's two years). Waiting for a number of events
/// that grows with the state keeps that cost per event flat however long the history is; a
/// reopened store replays the events since the latest snapshot, so the wait also bounds the
/// time a restart takes (about a quarter of the state's records replayed, at the engine's rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// A snapshot is written once at least this many events came since the last one, in the
    /// same transaction as the event (or batch) that reached the count; 0: only by
    /// [`Store::snapshot_now`]. 10,000 by default.
    pub snapshot_every: u64,
    /// ... and once the events since the last one reach this share, in percent, of the records
    /// the engine holds ([`omo_core::Dataset::record_count`] of its state); 0: the count alone
    /// decides. 25 by default.
    pub snapshot_growth_percent: u32,
    /// How many snapshots are kept (at least 1 is); the older ones are deleted when a new one is
    /// written. 2 by default: the latest, and one to fall back on should the latest not restore.
    pub keep_snapshots: usize,
}

impl StoreOptions {
    /// How many events a snapshot waits for after the last one, for a state of `records`
    /// records: at least `snapshot_every`, and `snapshot_growth_percent` of `records`; `None`
    /// when snapshots are written only on demand (`snapshot_every` 0).
    ///
    /// ```
    /// let options = omo_store::StoreOptions::default();
    /// assert_eq!(options.snapshot_after(1_000), Some(10_000));
    /// assert_eq!(options.snapshot_after(1_000_001), Some(250_001));
    /// ```
    pub fn snapshot_after(&self, records: usize) -> Option<u64> {
        let share = (records as u64).saturating_mul(u64::from(self.snapshot_growth_percent)).div_ceil(100);
        (self.snapshot_every > 0).then(|| self.snapshot_every.max(share))
    }
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { snapshot_every: 10_000, snapshot_growth_percent: 25, keep_snapshots: 2 }
    }
}

/// The live engine and the SQLite file that makes it durable (see the crate's documentation).
pub struct Store {
    engine: Engine,
    conn: Connection,
    path: PathBuf,
    options: StoreOptions,
    /// The seq of the latest snapshot on disk.
    snapshot_seq: u64,
    subscribers: Vec<Subscriber>,
    /// Why the store refuses changes, after a failed write it could not recover from.
    broken: Option<String>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("engine", &self.engine)
            .field("snapshot_seq", &self.snapshot_seq)
            .field("options", &self.options)
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

/// An accepted event waiting for its commit.
struct Row {
    seq: u64,
    kind: &'static str,
    id: String,
    json: String,
}

/// An event's `type`, id and JSON as its sender sent it: serialised before the engine takes it.
fn encode(event: &Event) -> Result<(&'static str, String, String)> {
    Ok((event.kind(), event.id.clone(), event.to_json()?))
}

impl Store {
    /// A new store at `path` on the history `history` (which must pass [`Dataset::validate`]),
    /// with the default [`StoreOptions`]. Refuses a path that exists ([`StoreError::Exists`]);
    /// writes the format and a snapshot of the initial state in one transaction.
    pub fn create(path: impl AsRef<Path>, history: Dataset, options: EngineOptions) -> Result<Store> {
        Store::create_with(path, history, options, StoreOptions::default())
    }

    /// [`Store::create`] with `store_options`.
    pub fn create_with(
        path: impl AsRef<Path>,
        history: Dataset,
        options: EngineOptions,
        store_options: StoreOptions,
    ) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        refuse_existing(&path)?;
        let engine = Engine::new(history, options)?;
        create_file(&path)?;
        undo_on_failure(&path, Store::initialise(&path, engine, store_options))
    }

    /// A new store at `path` whose engine is bulk-loaded ([`Engine::load`]) from `master` (the
    /// master data and every record but the movements and POS sales) and `history` (those, in
    /// date order, as a stream): each record is folded into the engine and written to the
    /// file's `history` table as it passes, so neither the engine nor the store holds the
    /// stream in memory. This is the store of a company too large to hold as a [`Dataset`].
    ///
    /// Such a store keeps no snapshots ([`StoreError::NoSnapshots`]): [`Store::open`] folds
    /// the stored history again, then replays the event log, so reopening takes about as long as
    /// the load. The history is written with the file's sync off and synced once at the end;
    /// until then the file is incomplete and opening it is refused ([`StoreError::Corrupt`]
    /// saying so). Refuses a path that exists ([`StoreError::Exists`]); a load that fails leaves
    /// no file behind.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions};
    /// use omo_core::sample::{SampleConfig, sample_company_streamed};
    /// use omo_store::Store;
    ///
    /// let dir = std::env::temp_dir().join(format!("omo-store-load-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("company.omo");
    /// # let _ = std::fs::remove_file(&path);
    /// let mut records = Vec::new();
    /// let master = sample_company_streamed(&SampleConfig::small(3), &mut |r| records.push(r))?;
    /// let store = Store::create_loaded(&path, master.clone(), records.clone(), EngineOptions::default())?;
    /// let rows = store.engine().spi_rows();
    /// drop(store);
    ///
    /// let store = Store::open(&path)?;                  // the history folded again
    /// assert_eq!(store.engine().spi_rows(), rows);
    /// assert_eq!(rows, Engine::load(master, records, EngineOptions::default())?.spi_rows());
    /// # drop(store);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create_loaded(
        path: impl AsRef<Path>,
        master: Dataset,
        history: impl IntoIterator<Item = StockRecord>,
        options: EngineOptions,
    ) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        refuse_existing(&path)?;
        create_file(&path)?;
        undo_on_failure(&path, Store::initialise_loaded(&path, master, history, options))
    }

    /// Writes the format and the bulk-loaded history into the empty file at `path`.
    fn initialise_loaded(
        path: &Path,
        master: Dataset,
        history: impl IntoIterator<Item = StockRecord>,
        options: EngineOptions,
    ) -> Result<Store> {
        let mut conn = connect(path)?;
        schema::journal(&conn, path)?;
        let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
        let tx = conn.transaction().map_err(sql)?;
        schema::create(&tx).map_err(sql)?;
        history::begin(&tx, path, &master, &options)?;
        tx.commit().map_err(sql)?;
        // Synced once at the end (history::complete): a load cut short is refused anyway.
        conn.pragma_update(None, "synchronous", "OFF").map_err(sql)?;
        let mut writer = history::HistoryWriter::new(&conn, path);
        let loaded = Engine::load(master, history.into_iter().take_while(|r| writer.keep(r)), options);
        let records = writer.finish()?;
        let engine = loaded?;
        history::complete(&conn, path, records)?;
        sync_parent(path)?;
        Ok(Store::assemble(engine, conn, path.to_path_buf(), StoreOptions::default(), 0))
    }

    /// Writes the format and the first snapshot into the empty file at `path`.
    fn initialise(path: &Path, engine: Engine, options: StoreOptions) -> Result<Store> {
        let mut conn = connect(path)?;
        schema::journal(&conn, path)?;
        let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
        let tx = conn.transaction().map_err(sql)?;
        schema::create(&tx).map_err(sql)?;
        write_snapshot(&tx, path, &engine, options.keep_snapshots)?;
        tx.commit().map_err(sql)?;
        sync_parent(path)?;
        Ok(Store::assemble(engine, conn, path.to_path_buf(), options, 0))
    }

    /// Opens the store at `path` with the default [`StoreOptions`]: restores the latest snapshot
    /// and replays every event after it, in order, moving the clock as it moved.
    ///
    /// Errors: no file ([`StoreError::NotFound`]), a file that is not an omo store
    /// ([`StoreError::NotAStore`]), an unknown format version ([`StoreError::Format`], naming
    /// it), a store open elsewhere ([`StoreError::Locked`]), and a snapshot or event that cannot
    /// be read back or replayed ([`StoreError::Corrupt`], naming its seq).
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, StoreOptions::default())
    }

    /// [`Store::open`] with `store_options`.
    pub fn open_with(path: impl AsRef<Path>, store_options: StoreOptions) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => return Err(StoreError::NotAStore { path, reason: "not a file".to_owned() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound { path }),
            Err(e) => return Err(StoreError::io(&path, &e)),
        }
        let conn = connect(&path)?;
        schema::check(&conn, &path)?;
        schema::journal(&conn, &path)?;
        let (engine, snapshot_seq) = load(&conn, &path)?;
        Ok(Store::assemble(engine, conn, path, store_options, snapshot_seq))
    }

    fn assemble(engine: Engine, conn: Connection, path: PathBuf, options: StoreOptions, snapshot_seq: u64) -> Store {
        Store { engine, conn, path, options, snapshot_seq, subscribers: Vec::new(), broken: None }
    }

    /// The engine, for every view (S-P-I rows, stock, credit positions, the dataset). Change it
    /// only through the store.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The sequence number of the last durable event (0: none).
    pub fn seq(&self) -> u64 {
        self.engine.seq()
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the store writes snapshots.
    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    /// Calls `subscriber` with every change from now on, in order, once the event that caused it
    /// is committed (never for an event that did not become durable).
    pub fn subscribe(&mut self, subscriber: Subscriber) {
        self.subscribers.push(subscriber);
    }

    /// Applies one event and commits it before returning its changes. A refused event returns
    /// the engine's error ([`StoreError::Engine`]) and writes nothing.
    pub fn apply(&mut self, event: Event) -> Result<Vec<Change>> {
        self.usable()?;
        let (kind, id, json) = encode(&event)?;
        let changes = self.engine.apply(event)?;
        self.commit(&[Row { seq: self.engine.seq(), kind, id, json }], None)?;
        self.deliver(&changes);
        Ok(changes)
    }

    /// Applies `events` one by one and commits them in one transaction (group commit). Stops at
    /// the first refused event: the ones before it are committed and stay applied, and their
    /// changes come back with the refusal. An error writing is the outer error: then nothing of
    /// the batch is durable or applied.
    pub fn apply_many(&mut self, events: impl IntoIterator<Item = Event>) -> Result<Applied<StoreError>> {
        self.apply_group(events, |engine, events| engine.apply_many(events))
    }

    /// [`Store::apply_many`] with the lights settled once a day of the batch, as
    /// [`Engine::apply_batch`] settles them.
    pub fn apply_batch(&mut self, events: impl IntoIterator<Item = Event>) -> Result<Applied<StoreError>> {
        self.apply_group(events, |engine, events| engine.apply_batch(events))
    }

    /// Applies `events` with `apply` and commits those it applied in one transaction.
    fn apply_group(
        &mut self,
        events: impl IntoIterator<Item = Event>,
        apply: fn(&mut Engine, Vec<Event>) -> Applied,
    ) -> Result<Applied<StoreError>> {
        self.usable()?;
        let mut encoded = Vec::new();
        let mut batch = Vec::new();
        let mut unwritable = None;
        for event in events {
            match encode(&event) {
                Ok(row) => {
                    encoded.push(row);
                    batch.push(event);
                }
                Err(e) => {
                    unwritable = Some(e);
                    break;
                }
            }
        }
        let first = self.engine.seq();
        let applied = apply(&mut self.engine, batch);
        let rows: Vec<Row> = (first + 1..=self.engine.seq())
            .zip(encoded)
            .map(|(seq, (kind, id, json))| Row { seq, kind, id, json })
            .collect();
        if !rows.is_empty() {
            self.commit(&rows, None)?;
        }
        let refused = applied.refused.map(StoreError::Engine).or(unwritable);
        let applied = Applied { changes: applied.changes, refused };
        self.deliver(&applied.changes);
        Ok(applied)
    }

    /// Sync: applies a replica's events one by one with the engine's remote checks
    /// ([`Engine::apply_remote`]) and commits the accepted ones in one transaction. Each gets its
    /// sequence number and changes, or the reason it was refused; a refusal does not stop the
    /// rest. Should the commit fail, every event of the batch gets that error instead (none is
    /// durable).
    pub fn apply_remote(&mut self, events: impl IntoIterator<Item = Event>) -> Vec<Result<Accepted>> {
        let events: Vec<Event> = events.into_iter().collect();
        let count = events.len();
        match self.apply_each(events, Checks::Remote) {
            Ok(results) => results.into_iter().map(|r| r.map_err(StoreError::Engine)).collect(),
            Err(e) => (0..count).map(|_| Err(e.clone())).collect(),
        }
    }

    /// Applies `events` one by one with `checks` — a refusal does not stop the rest; each gets
    /// its sequence number and changes, or the engine's reason — and commits the accepted ones in
    /// one transaction (group commit) before returning. The outer error is the store's (the
    /// disk, a broken store): then nothing of the batch is durable.
    ///
    /// This is how the live server books what an ERP posts: every event answered, in order.
    pub fn apply_each(
        &mut self,
        events: impl IntoIterator<Item = Event>,
        checks: Checks,
    ) -> Result<Vec<omo_core::Result<Accepted>>> {
        self.usable()?;
        let mut rows = Vec::new();
        let mut results = Vec::new();
        for event in events {
            let (kind, id, json) = match encode(&event) {
                Ok(row) => row,
                Err(StoreError::Engine(e)) => {
                    results.push(Err(e));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let outcome = match checks {
                Checks::Local => self.engine.apply(event).map(|changes| Accepted { seq: self.engine.seq(), changes }),
                Checks::Remote => self.engine.apply_remote_event(event),
            };
            if let Ok(accepted) = &outcome {
                rows.push(Row { seq: accepted.seq, kind, id, json });
            }
            results.push(outcome);
        }
        if !rows.is_empty() {
            self.commit(&rows, None)?;
        }
        let changes: Vec<Change> = results.iter().flatten().flat_map(|a| a.changes.iter().cloned()).collect();
        self.deliver(&changes);
        Ok(results)
    }

    /// Lets time pass to the end of `date` (see [`Engine::advance_to`]) and records it durably:
    /// the clock is part of the state. A date before the clock changes and writes nothing; the
    /// clock's own date closes its month if that is its last day.
    pub fn advance_to(&mut self, date: NaiveDate) -> Result<Vec<Change>> {
        self.usable()?;
        // Even when the clock is there already (the last event was dated `date`), the passing of
        // that day's end closes its month: recorded, so a reopened store closes it too.
        if date < self.engine.as_of() {
            return Ok(Vec::new());
        }
        let changes = self.engine.advance_to(date)?;
        self.commit(&[], Some((self.engine.seq(), date)))?;
        self.deliver(&changes);
        Ok(changes)
    }

    /// The events after sequence number `seq`, each with its own number, in order, read from the
    /// file (so across restarts), as their senders sent them.
    pub fn events_since(&self, seq: u64) -> Result<Vec<(u64, Event)>> {
        let sql = |e: rusqlite::Error| StoreError::sqlite(&self.path, &e);
        let mut statement =
            self.conn.prepare_cached("SELECT seq, json FROM events WHERE seq > ?1 ORDER BY seq").map_err(sql)?;
        // SQLite's integers are signed: no event is numbered beyond i64::MAX.
        let mut rows = statement.query([seq.min(i64::MAX as u64)]).map_err(sql)?;
        let mut events = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            let seq: u64 = row.get(0).map_err(sql)?;
            let json: String = row.get(1).map_err(sql)?;
            let event = Event::from_json(&json)
                .map_err(|e| StoreError::corrupt(&self.path, seq, format!("the event does not parse: {e}")))?;
            events.push((seq, event));
        }
        Ok(events)
    }

    /// Writes a snapshot of the current state now (replacing one at the same seq: the clock may
    /// have moved since) and returns its seq. The oldest snapshots beyond
    /// [`StoreOptions::keep_snapshots`] are deleted. A bulk-loaded store keeps none
    /// ([`StoreError::NoSnapshots`]).
    pub fn snapshot_now(&mut self) -> Result<u64> {
        self.usable()?;
        if self.bulk_loaded() {
            return Err(StoreError::NoSnapshots { path: self.path.clone() });
        }
        let sql = |e: rusqlite::Error| StoreError::sqlite(&self.path, &e);
        let tx = self.conn.transaction().map_err(sql)?;
        write_snapshot(&tx, &self.path, &self.engine, self.options.keep_snapshots)?;
        tx.commit().map_err(sql)?;
        self.snapshot_seq = self.engine.seq();
        Ok(self.snapshot_seq)
    }

    /// The seqs of the snapshots on disk, newest first.
    pub fn snapshot_seqs(&self) -> Result<Vec<u64>> {
        snapshot_seqs(&self.conn, &self.path)
    }

    /// Deletes the snapshots beyond [`StoreOptions::keep_snapshots`] (and the clock moves they
    /// hold) and folds the write-ahead log into the file, truncating it. The event log is kept.
    pub fn compact(&mut self) -> Result<()> {
        self.usable()?;
        let sql = |e: rusqlite::Error| StoreError::sqlite(&self.path, &e);
        let tx = self.conn.transaction().map_err(sql)?;
        prune(&tx, self.options.keep_snapshots).map_err(sql)?;
        tx.commit().map_err(sql)?;
        // (busy, frames in the log, frames checkpointed): a busy checkpoint is not an error.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(sql)?;
        Ok(())
    }

    /// Closes the file (checkpointing the write-ahead log into it) and reports an error closing.
    /// Dropping a store closes it too, silently.
    pub fn close(self) -> Result<()> {
        let path = self.path;
        self.conn.close().map_err(|(_, e)| StoreError::sqlite(&path, &e))
    }

    /// Refuses changes once a failed write could not be recovered from.
    fn usable(&self) -> Result<()> {
        match &self.broken {
            None => Ok(()),
            Some(reason) => Err(StoreError::Broken { path: self.path.clone(), reason: reason.clone() }),
        }
    }

    /// Commits `rows` (events the engine accepted) and a clock move, with a snapshot when one is
    /// due, in one transaction. On failure, reloads the engine from the file (see the crate's
    /// documentation) and returns the error.
    fn commit(&mut self, rows: &[Row], clock: Option<(u64, NaiveDate)>) -> Result<()> {
        let due = self.snapshot_due();
        let keep = due.then_some(self.options.keep_snapshots);
        match write(&mut self.conn, &self.path, &self.engine, rows, clock, keep) {
            Ok(()) => {
                if due {
                    self.snapshot_seq = self.engine.seq();
                }
                Ok(())
            }
            Err(e) => Err(self.recover(e)),
        }
    }

    /// Whether the engine was bulk-loaded ([`Store::create_loaded`]): it holds aggregates a
    /// snapshot cannot restore.
    fn bulk_loaded(&self) -> bool {
        self.engine.folded().is_some()
    }

    /// Whether the events since the latest snapshot call for a new one ([`StoreOptions`]); never
    /// in a bulk-loaded store.
    fn snapshot_due(&self) -> bool {
        if self.bulk_loaded() {
            return false;
        }
        let since = self.engine.seq().saturating_sub(self.snapshot_seq);
        self.options.snapshot_after(self.engine.dataset().record_count()).is_some_and(|wait| since >= wait)
    }

    /// After a failed write: the engine back to what the file holds, or the store broken.
    fn recover(&mut self, error: StoreError) -> StoreError {
        match load(&self.conn, &self.path) {
            Ok((engine, snapshot_seq)) => {
                self.engine = engine;
                self.snapshot_seq = snapshot_seq;
            }
            Err(reload) => self.broken = Some(reload.to_string()),
        }
        error
    }

    /// Hands committed changes to the subscribers.
    fn deliver(&mut self, changes: &[Change]) {
        for subscriber in &mut self.subscribers {
            for change in changes {
                subscriber(change);
            }
        }
    }
}

/// The store's file and the ones SQLite may keep beside it.
fn companions(path: &Path) -> [PathBuf; 4] {
    ["", "-wal", "-journal", "-shm"].map(|suffix| {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        PathBuf::from(file)
    })
}

/// Refuses a store at `path` when it, or a log left beside a deleted store (which would be
/// replayed into the new one), exists.
fn refuse_existing(path: &Path) -> Result<()> {
    for file in companions(path) {
        if std::fs::symlink_metadata(&file).is_ok() {
            return Err(StoreError::Exists { path: file });
        }
    }
    Ok(())
}

/// Creates the empty file at `path`, exclusively, so that two creators cannot both succeed.
fn create_file(path: &Path) -> Result<()> {
    match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StoreError::Exists { path: path.to_path_buf() }),
        Err(e) => Err(StoreError::io(path, &e)),
    }
}

/// `made`, or, when making the new store at `path` failed, its error with the files removed
/// (best effort: they are ours, none of them existed before).
fn undo_on_failure(path: &Path, made: Result<Store>) -> Result<Store> {
    if made.is_err() {
        for file in companions(path) {
            let _ = std::fs::remove_file(file);
        }
    }
    made
}

/// A connection to the existing file at `path`, locked for this store alone.
fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| StoreError::sqlite(path, &e))?;
    schema::configure(&conn, path)?;
    Ok(conn)
}

/// Syncs the directory holding a new file, so that the file itself survives a power loss.
fn sync_parent(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(parent).and_then(|dir| dir.sync_all()).map_err(|e| StoreError::io(path, &e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// One transaction: the events, the clock move, the snapshot (keeping `keep`) when one is due.
fn write(
    conn: &mut Connection,
    path: &Path,
    engine: &Engine,
    rows: &[Row],
    clock: Option<(u64, NaiveDate)>,
    snapshot: Option<usize>,
) -> Result<()> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let tx = conn.transaction().map_err(sql)?;
    {
        let mut insert =
            tx.prepare_cached("INSERT INTO events (seq, type, id, json) VALUES (?1, ?2, ?3, ?4)").map_err(sql)?;
        for row in rows {
            insert.execute((row.seq, row.kind, &row.id, &row.json)).map_err(sql)?;
        }
    }
    if let Some((after_seq, date)) = clock {
        tx.execute(
            "INSERT INTO clock (after_seq, date) VALUES (?1, ?2) \
             ON CONFLICT (after_seq) DO UPDATE SET date = excluded.date",
            (after_seq, date.to_string()),
        )
        .map_err(sql)?;
    }
    if let Some(keep) = snapshot {
        write_snapshot(&tx, path, engine, keep)?;
    }
    tx.commit().map_err(sql)
}

/// Writes the engine's snapshot at its seq and deletes the ones beyond `keep`.
fn write_snapshot(tx: &Transaction<'_>, path: &Path, engine: &Engine, keep: usize) -> Result<()> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let json = serde_json::to_string(&engine.snapshot())
        .map_err(|e| StoreError::Engine(omo_core::OmoError::Json(format!("snapshot: {e}"))))?;
    tx.execute("INSERT OR REPLACE INTO snapshots (seq, json) VALUES (?1, ?2)", (engine.seq(), json)).map_err(sql)?;
    prune(tx, keep).map_err(sql)
}

/// Deletes the snapshots beyond the latest `keep` (at least one stays), and the clock moves
/// before the oldest one kept (it holds them).
fn prune(tx: &Transaction<'_>, keep: usize) -> rusqlite::Result<()> {
    let keep = i64::try_from(keep.max(1)).unwrap_or(i64::MAX);
    tx.execute(
        "DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?1)",
        [keep],
    )?;
    tx.execute("DELETE FROM clock WHERE after_seq < (SELECT MIN(seq) FROM snapshots)", [])?;
    Ok(())
}

fn snapshot_seqs(conn: &Connection, path: &Path) -> Result<Vec<u64>> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let mut statement = conn.prepare("SELECT seq FROM snapshots ORDER BY seq DESC").map_err(sql)?;
    let seqs = statement.query_map([], |row| row.get::<_, u64>(0)).map_err(sql)?;
    seqs.collect::<rusqlite::Result<Vec<u64>>>().map_err(sql)
}

/// The engine the file holds: the latest snapshot that restores (or, in a bulk-loaded store,
/// its history folded again), then every event after it in order, with the clock moves between
/// them. Returns it with its snapshot's seq (0 for a bulk-loaded store).
fn load(conn: &Connection, path: &Path) -> Result<(Engine, u64)> {
    if let Some(engine) = history::rebuild(conn, path)? {
        return replay(conn, path, engine, 0).map(|engine| (engine, 0));
    }
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let mut failure = StoreError::corrupt(path, 0, "the store holds no snapshot");
    for seq in snapshot_seqs(conn, path)? {
        let json: String =
            conn.query_row("SELECT json FROM snapshots WHERE seq = ?1", [seq], |row| row.get(0)).map_err(sql)?;
        match restore(&json, seq) {
            Ok(engine) => return replay(conn, path, engine, seq).map(|engine| (engine, seq)),
            Err(reason) => failure = StoreError::corrupt(path, seq, format!("the snapshot does not restore: {reason}")),
        }
    }
    Err(failure)
}

/// The engine of a snapshot's JSON, which must be at `seq`.
fn restore(json: &str, seq: u64) -> std::result::Result<Engine, String> {
    let snapshot = EngineSnapshot::from_json(json).map_err(|e| e.to_string())?;
    if snapshot.seq != seq {
        return Err(format!("it is stored at seq {seq} but holds seq {}", snapshot.seq));
    }
    Engine::restore(snapshot).map_err(|e| e.to_string())
}

/// Replays the events after `from` onto `engine`, with the clock moves recorded after `from`.
fn replay(conn: &Connection, path: &Path, mut engine: Engine, from: u64) -> Result<Engine> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let corrupt = |seq: u64, reason: String| StoreError::corrupt(path, seq, reason);
    let mut clock = Vec::new();
    {
        let mut statement =
            conn.prepare("SELECT after_seq, date FROM clock WHERE after_seq >= ?1 ORDER BY after_seq").map_err(sql)?;
        let mut rows = statement.query([from]).map_err(sql)?;
        while let Some(row) = rows.next().map_err(sql)? {
            let after: u64 = row.get(0).map_err(sql)?;
            let text: String = row.get(1).map_err(sql)?;
            let date = text
                .parse::<NaiveDate>()
                .map_err(|e| corrupt(after, format!("the clock move {text:?} after it is not a date: {e}")))?;
            clock.push((after, date));
        }
    }
    let mut clock = clock.into_iter().peekable();
    let mut advance = |engine: &mut Engine, before: Option<u64>| -> Result<()> {
        while let Some((after, date)) = clock.next_if(|(after, _)| before.is_none_or(|seq| *after < seq)) {
            engine.advance_to(date).map_err(|e| corrupt(after, format!("the clock move to {date} fails: {e}")))?;
        }
        Ok(())
    };
    let mut statement =
        conn.prepare("SELECT seq, type, id, json FROM events WHERE seq > ?1 ORDER BY seq").map_err(sql)?;
    let mut rows = statement.query([from]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        let seq: u64 = row.get(0).map_err(sql)?;
        let kind: String = row.get(1).map_err(sql)?;
        let id: String = row.get(2).map_err(sql)?;
        let json: String = row.get(3).map_err(sql)?;
        if seq != engine.seq() + 1 {
            return Err(corrupt(seq, format!("the log jumps from seq {} to {seq}", engine.seq())));
        }
        advance(&mut engine, Some(seq))?;
        let event = Event::from_json(&json).map_err(|e| corrupt(seq, format!("the event does not parse: {e}")))?;
        if event.kind() != kind || event.id != id {
            let found = format!("{} {:?}", event.kind(), event.id);
            return Err(corrupt(seq, format!("the row says {kind} {id:?} but its JSON is {found}")));
        }
        engine.replay_logged(event).map_err(|e| corrupt(seq, format!("the engine refuses it on replay: {e}")))?;
        if engine.seq() != seq {
            return Err(corrupt(seq, format!("the engine gave it seq {}", engine.seq())));
        }
    }
    advance(&mut engine, None)?;
    Ok(engine)
}
