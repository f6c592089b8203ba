//! What can go wrong with a store: the disk, the file's format, the engine's own refusals.

use std::path::{Path, PathBuf};

use omo_core::OmoError;

/// An error of a [`crate::Store`]. Every variant about the file names its path.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The engine refused an event or a value (nothing was written): its own error, unchanged.
    #[error(transparent)]
    Engine(#[from] OmoError),
    /// The file system failed (creating, opening, syncing the file).
    #[error("{}: {message}", path.display())]
    Io {
        /// The store's file.
        path: PathBuf,
        /// What failed, in the operating system's words.
        message: String,
    },
    /// SQLite failed (a full disk, an I/O error, a constraint).
    #[error("{}: SQLite: {message}", path.display())]
    Sqlite {
        /// The store's file.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// The file is an omo store but what it holds cannot be read back: a snapshot that does not
    /// restore, an event that does not parse or that the engine refuses on replay, a gap.
    #[error("{}: corrupt store at seq {seq}: {reason}", path.display())]
    Corrupt {
        /// The store's file.
        path: PathBuf,
        /// The sequence number of the event (or snapshot) at fault.
        seq: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file is an omo store of a format version this library does not read (a newer one).
    #[error("{}: store format version {found}, but this omo-store reads versions 1 to {expected}", path.display())]
    Format {
        /// The store's file.
        path: PathBuf,
        /// The version the file declares.
        found: i64,
        /// The newest version this library reads (the one it writes).
        expected: i64,
    },
    /// The file is not an omo store (another SQLite database, or not a database at all).
    #[error("{}: not an omo store: {reason}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// [`crate::Store::create`] on a path that exists.
    #[error("{}: already exists: use Store::open to open it", path.display())]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// [`crate::Store::open`] on a path where there is no file.
    #[error("{}: no such store: use Store::create to make one", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// Another process (or another `Store` in this one) has the store open: one writer at a time.
    #[error("{}: the store is open elsewhere (one writer at a time): close it there first", path.display())]
    Locked {
        /// The store's file.
        path: PathBuf,
    },
    /// [`crate::Store::snapshot_now`] on a bulk-loaded store ([`crate::Store::create_loaded`]): its
    /// engine holds the history's aggregates, not its records, so a snapshot could not restore
    /// it; the store reopens by folding its history again instead.
    #[error("{}: a bulk-loaded store keeps no snapshots: it reopens by folding its stored history again", path.display())]
    NoSnapshots {
        /// The store's file.
        path: PathBuf,
    },
    /// A write failed after the engine had accepted an event, and reloading the engine from the
    /// file failed too: the store refuses every further change. Open the file again.
    #[error("{}: the store could not write and could not reload its state ({reason}): open it again", path.display())]
    Broken {
        /// The store's file.
        path: PathBuf,
        /// Why the reload failed.
        reason: String,
    },
}

/// A store's result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// The error of SQLite's `error` on the store at `path`: a busy or locked file is
    /// [`StoreError::Locked`], a file that is not a database [`StoreError::NotAStore`].
    pub(crate) fn sqlite(path: &Path, error: &rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked { path },
            Some(ErrorCode::NotADatabase) => StoreError::NotAStore { path, reason: error.to_string() },
            _ => StoreError::Sqlite { path, message: error.to_string() },
        }
    }

    /// The error of the file system's `error` on the store at `path`.
    pub(crate) fn io(path: &Path, error: &std::io::Error) -> Self {
        StoreError::Io { path: path.to_path_buf(), message: error.to_string() }
    }

    /// A corruption at `seq` of the store at `path`.
    pub(crate) fn corrupt(path: &Path, seq: u64, reason: impl Into<String>) -> Self {
        StoreError::Corrupt { path: path.to_path_buf(), seq, reason: reason.into() }
    }
}
