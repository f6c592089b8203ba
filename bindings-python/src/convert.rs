//! Conversions shared by the native functions: numpy arrays to slices, exact money text to
//! Decimals, and core errors to the exception classes of `omo.errors`.

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use rust_decimal::Decimal;

/// The exception classes of `omo.errors`, each imported once and kept (pyo3 caches the type
/// object of an imported exception in a static on first use).
mod classes {
    pyo3::import_exception!(omo.errors, OmoError);
    pyo3::import_exception!(omo.errors, ValidationError);
    pyo3::import_exception!(omo.errors, InvalidDataError);
    pyo3::import_exception!(omo.errors, JsonError);
    pyo3::import_exception!(omo.errors, InvalidIdError);
    pyo3::import_exception!(omo.errors, DuplicateIdError);
    pyo3::import_exception!(omo.errors, HierarchyError);
    pyo3::import_exception!(omo.errors, UnknownIdError);
    pyo3::import_exception!(omo.errors, ArgumentError);
    pyo3::import_exception!(omo.errors, NegativeStockError);
    pyo3::import_exception!(omo.errors, LimitError);
    pyo3::import_exception!(omo.errors, CurrencyError);
    pyo3::import_exception!(omo.errors, UnknownAccountError);
    pyo3::import_exception!(omo.errors, ClosedPeriodError);
    pyo3::import_exception!(omo.errors, DateAheadError);
    pyo3::import_exception!(omo.errors, CreditBlockedError);
    pyo3::import_exception!(omo.errors, StoreError);
    pyo3::import_exception!(omo.errors, StorageError);
}

/// The values of a one-dimensional float64 array: borrowed without a copy when contiguous,
/// copied when not. NaN and infinities are left to the core, which names them.
pub fn array(values: &PyReadonlyArray1<'_, f64>) -> PyResult<Vec<f64>> {
    match values.as_slice() {
        Ok(slice) => Ok(slice.to_vec()),
        Err(_) => Ok(values.as_array().iter().copied().collect()),
    }
}

/// The exception for a core error: one class of `omo.errors` per error kind, chosen by its
/// variant (see the table in `omo/errors.py`); a kind the core adds later is a plain `omo.ValidationError`.
pub fn omo_error(error: omo_core::OmoError) -> PyErr {
    let message = error.to_string();
    exception(&error, message)
}

/// The class of `error` (an event the engine refused: the class of its reason) with `message`.
fn exception(error: &omo_core::OmoError, message: String) -> PyErr {
    use classes::*;
    use omo_core::OmoError as E;
    match error {
        E::Refused { reason, .. } => exception(reason, message),
        E::InSeries { source, .. } => exception(source, message),
        E::Invalid { .. } => InvalidDataError::new_err(message),
        E::Json(_) => JsonError::new_err(message),
        E::InvalidId { .. } => InvalidIdError::new_err(message),
        E::DuplicateId { .. } => DuplicateIdError::new_err(message),
        E::UnknownParents { .. } | E::Cycle { .. } => HierarchyError::new_err(message),
        E::UnknownId { .. } => UnknownIdError::new_err(message),
        E::InvalidArgument { .. } => ArgumentError::new_err(message),
        E::NegativeStock { .. } => NegativeStockError::new_err(message),
        E::LimitExceeded { .. } => LimitError::new_err(message),
        E::ClosedPeriod { .. } => ClosedPeriodError::new_err(message),
        E::FarAhead { .. } => DateAheadError::new_err(message),
        E::CurrencyMismatch { .. } => CurrencyError::new_err(message),
        E::UnknownCreditAccount { .. } => UnknownAccountError::new_err(message),
        E::CreditBlocked { .. } => CreditBlockedError::new_err(message),
        _ => ValidationError::new_err(message),
    }
}

/// The exception for an error of a durable engine's store, the one place it is chosen: the
/// engine's own refusal is [`omo_error`]'s; a file that is not a usable store (there already, not
/// there, not a store, a newer format, corrupt, open elsewhere) an `omo.StoreError` (a
/// `ValidationError`); the disk or SQLite failing, or a store that could not recover from that, an
/// `omo.StorageError` (an `OSError`).
pub fn store_error(error: omo_store::StoreError) -> PyErr {
    use classes::{OmoError, StorageError, StoreError};
    use omo_store::StoreError as E;
    match error {
        E::Engine(e) => omo_error(e),
        E::Exists { path } => StoreError::new_err(format!(
            "{}: already exists: use omo.Engine.open(path) to open it, or choose a new path",
            path.display()
        )),
        E::NotFound { path } => StoreError::new_err(format!(
            "{}: no such store: use omo.Engine(dataset, path=path) to make one",
            path.display()
        )),
        e @ (E::NotAStore { .. } | E::Format { .. } | E::Corrupt { .. } | E::Locked { .. } | E::NoSnapshots { .. }) => {
            StoreError::new_err(e.to_string())
        }
        e @ (E::Io { .. } | E::Sqlite { .. } | E::Broken { .. }) => StorageError::new_err(e.to_string()),
        e => OmoError::new_err(e.to_string()),
    }
}

/// An `omo.ValidationError` with `message` (bad rows of an input the binding reads itself).
pub fn validation_error(message: &str) -> PyErr {
    classes::ValidationError::new_err(message.to_owned())
}

/// An `omo.ArgumentError` naming the argument `name`.
pub fn argument_error(name: &'static str, message: impl Into<String>) -> PyErr {
    omo_error(omo_core::OmoError::InvalidArgument { name, message: message.into() })
}

/// A money amount from its exact decimal text (plain or scientific notation, as the Python layer
/// writes a `decimal.Decimal`, `int` or `str`), read by the core's one rule for exact numbers:
/// too large, too many digits or not a number is an `omo.ArgumentError` naming `name`.
pub fn money(text: &str, name: &'static str) -> PyResult<Decimal> {
    omo_core::model::exact::parse_decimal(text.trim()).map_err(|why| argument_error(name, why))
}
