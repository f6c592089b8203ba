//! Conversions shared by the native functions: numpy arrays to slices, core errors to the
//! exception classes of `omo.errors`.

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

/// The values of a one-dimensional float64 array: borrowed without a copy when contiguous,
/// copied when not. NaN and infinities are left to the core, which names them.
pub fn array(values: &PyReadonlyArray1<'_, f64>) -> PyResult<Vec<f64>> {
    match values.as_slice() {
        Ok(slice) => Ok(slice.to_vec()),
        Err(_) => Ok(values.as_array().iter().copied().collect()),
    }
}

fn raise(class: &str, message: String) -> PyErr {
    Python::attach(|py| match py.import("omo.errors").and_then(|m| m.getattr(class)) {
        Ok(cls) => match cls.call1((message,)) {
            Ok(instance) => PyErr::from_value(instance),
            Err(e) => e,
        },
        Err(e) => e,
    })
}

/// The exception for a core error: `omo.CreditError` for an unknown credit account or another
/// currency, `omo.ValidationError` for other bad input (malformed JSON, unknown ids, values out of
/// range), `omo.OmoError` otherwise.
pub fn omo_error(error: omo_core::OmoError) -> PyErr {
    use omo_core::OmoError as E;
    let class = match &error {
        E::Invalid { .. }
        | E::InvalidId { .. }
        | E::InvalidArgument { .. }
        | E::NegativeStock { .. }
        | E::DuplicateId { .. }
        | E::UnknownParents { .. }
        | E::Cycle { .. }
        | E::Json(_) => "ValidationError",
        E::UnknownId { kind, .. } if kind.contains("credit") => "CreditError",
        E::UnknownId { .. } => "ValidationError",
        E::CurrencyMismatch { .. } => "CreditError",
        _ => "OmoError",
    };
    raise(class, error.to_string())
}

/// An `omo.ValidationError` with `message`.
pub fn validation_error(message: &str) -> PyErr {
    raise("ValidationError", message.to_owned())
}
