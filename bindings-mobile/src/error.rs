//! The one error apps see, mapped from the core's error in one place. Each variant carries the
//! core's message (uniffi does not pass a Rust `Display` text on to Kotlin or Python).

use omo_core::OmoError;

/// Why a call failed; `message` says what was wrong and where (which id, field or row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OmoMobileError {
    /// The snapshot or a recorded transaction breaks the data's rules: malformed JSON, a broken
    /// reference, a duplicate id, a transaction after the snapshot that is not consistent.
    #[error("{message}")]
    InvalidData {
        /// What was wrong, and where.
        message: String,
    },
    /// An argument of the call is not acceptable: a malformed amount or date, an unknown model
    /// name, a level outside (0, 100).
    #[error("{message}")]
    InvalidInput {
        /// What was wrong.
        message: String,
    },
    /// An id the snapshot does not know (a customer, node, product or credit account).
    #[error("{message}")]
    UnknownId {
        /// Which id, of what.
        message: String,
    },
    /// A movement would take stock below zero.
    #[error("{message}")]
    NegativeStock {
        /// Which node, product and day.
        message: String,
    },
    /// Money in another currency than the account's.
    #[error("{message}")]
    CurrencyMismatch {
        /// Which currencies.
        message: String,
    },
}

impl From<OmoError> for OmoMobileError {
    fn from(e: OmoError) -> Self {
        let message = e.to_string();
        match e {
            OmoError::Invalid { .. }
            | OmoError::Json(_)
            | OmoError::DuplicateId { .. }
            | OmoError::UnknownParents { .. }
            | OmoError::Cycle { .. } => OmoMobileError::InvalidData { message },
            OmoError::InvalidId { .. } | OmoError::InvalidArgument { .. } => OmoMobileError::InvalidInput { message },
            OmoError::UnknownId { .. } => OmoMobileError::UnknownId { message },
            OmoError::NegativeStock { .. } => OmoMobileError::NegativeStock { message },
            OmoError::CurrencyMismatch { .. } => OmoMobileError::CurrencyMismatch { message },
            _ => OmoMobileError::InvalidData { message },
        }
    }
}
