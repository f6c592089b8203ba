//! The file format: SQLite pragmas, tables, and the checks that a file is an omo store of a
//! version this library reads.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Result, StoreError};

/// SQLite's `application_id` of an omo store: the ASCII bytes `OMOS`.
pub const APPLICATION_ID: i32 = 0x4F4D_4F53;

/// The version of the on-disk format this library writes (also SQLite's `user_version` and the
/// `meta` row `format_version`). It reads version 1 too: version 2 added the tables of a
/// bulk-loaded store (`bulk_load`, `history`), which a version 1 file simply lacks.
pub const FORMAT_VERSION: i64 = 2;

/// The oldest format version this library reads.
const OLDEST_FORMAT: i64 = 1;

/// The tables of format version 2.
const TABLES: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE events (
    seq  INTEGER PRIMARY KEY NOT NULL,
    type TEXT NOT NULL,
    id   TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (type, id)
) STRICT;
CREATE TABLE snapshots (
    seq  INTEGER PRIMARY KEY NOT NULL,
    json TEXT NOT NULL
) STRICT;
CREATE TABLE clock (
    after_seq INTEGER PRIMARY KEY NOT NULL,
    date      TEXT NOT NULL
) STRICT;
CREATE TABLE bulk_load (
    id      INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    master  TEXT NOT NULL,
    options TEXT NOT NULL,
    records INTEGER
) STRICT;
CREATE TABLE history (
    batch   INTEGER PRIMARY KEY NOT NULL,
    records INTEGER NOT NULL,
    zstd    BLOB NOT NULL
) STRICT;
";

/// The connection settings of every store, set before the file is first read: one writer
/// (`locking_mode=EXCLUSIVE`, held until the connection closes), the write-ahead log, and a sync
/// of the log at every commit (`synchronous=FULL`).
pub(crate) fn configure(conn: &Connection, path: &Path) -> Result<()> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    conn.busy_timeout(std::time::Duration::ZERO).map_err(sql)?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE").map_err(sql)?;
    Ok(())
}

/// The write-ahead log and full sync, once the file is known to be ours (they change its header).
pub(crate) fn journal(conn: &Connection, path: &Path) -> Result<()> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)).map_err(sql)?;
    if !mode.eq_ignore_ascii_case("wal") {
        let message = format!("could not switch to the write-ahead log (journal_mode is {mode})");
        return Err(StoreError::Sqlite { path: path.to_path_buf(), message });
    }
    conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
    // Take the write lock now, so that a second writer is refused at open rather than at its
    // first event.
    conn.execute_batch("BEGIN IMMEDIATE; COMMIT;").map_err(sql)?;
    Ok(())
}

/// Writes the tables, the pragmas and the `meta` rows of a new store (of [`FORMAT_VERSION`]) (inside the caller's
/// transaction).
pub(crate) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(TABLES)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.pragma_update(None, "user_version", FORMAT_VERSION)?;
    let mut insert = conn.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2)")?;
    insert.execute(("format_version", FORMAT_VERSION.to_string()))?;
    insert.execute(("application", "omo"))?;
    insert.execute(("created_by", concat!("omo-store ", env!("CARGO_PKG_VERSION"))))?;
    Ok(())
}

/// Checks that the file is an omo store of a format version this library reads (1 to
/// [`FORMAT_VERSION`]), without writing to it.
pub(crate) fn check(conn: &Connection, path: &Path) -> Result<()> {
    let sql = |e: rusqlite::Error| StoreError::sqlite(path, &e);
    let not_ours = |reason: String| StoreError::NotAStore { path: path.to_path_buf(), reason };
    if std::fs::metadata(path).is_ok_and(|meta| meta.len() == 0) {
        return Err(not_ours(
            "the file is empty (a store whose creation was cut short leaves one): delete it and create the store again"
                .to_owned(),
        ));
    }
    let application_id: i32 = conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(sql)?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0)).map_err(sql)?;
    if application_id == 0 && objects == 0 {
        return Err(not_ours(
            "the database is empty, with no table (a store whose creation was cut short after its first write \
             leaves one): delete it and create the store again"
                .to_owned(),
        ));
    }
    if application_id != APPLICATION_ID {
        return Err(not_ours(format!(
            "SQLite application_id is {application_id:#010x}, an omo store's is {APPLICATION_ID:#010x}"
        )));
    }
    let has_meta: Option<i64> = conn
        .query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'", [], |row| row.get(0))
        .optional()
        .map_err(sql)?;
    if has_meta.is_none() {
        return Err(not_ours("it has no meta table".to_owned()));
    }
    let version: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format_version'", [], |row| row.get(0))
        .optional()
        .map_err(sql)?;
    let Some(version) = version else {
        return Err(not_ours("its meta table has no format_version".to_owned()));
    };
    let format = |found: i64| StoreError::Format { path: path.to_path_buf(), found, expected: FORMAT_VERSION };
    let Ok(found) = version.trim().parse::<i64>() else {
        return Err(not_ours(format!("its format_version {version:?} is not a number")));
    };
    let readable = OLDEST_FORMAT..=FORMAT_VERSION;
    if !readable.contains(&found) {
        return Err(format(found));
    }
    let user_version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(sql)?;
    if user_version != found {
        return Err(format(user_version));
    }
    Ok(())
}
