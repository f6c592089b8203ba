//! The one error apps see, mapped from the core's error in one place. Each variant carries the
//! core's message as `detail` (uniffi does not pass a Rust `Display` text on to Kotlin or Python,
//! and Kotlin exceptions own `message` already).

use omo_core::OmoError;

/// Why a call failed; `detail` says what was wrong and where (which id, field or row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OmoMobileError {
    /// The snapshot or a recorded transaction breaks the data's rules: malformed JSON, a broken
    /// reference, a duplicate id, a transaction after the snapshot that is not consistent.
    #[error("{detail}")]
    InvalidData {
        /// What was wrong, and where.
        detail: String,
    },
    /// An argument of the call is not acceptable: a malformed amount or date, an unknown model
    /// name, a level outside (0, 100).
    #[error("{detail}")]
    InvalidInput {
        /// What was wrong.
        detail: String,
    },
    /// An id the snapshot does not know (a customer, node, product or credit account).
    #[error("{detail}")]
    UnknownId {
        /// Which id, of what.
        detail: String,
    },
    /// A movement would take stock below zero.
    #[error("{detail}")]
    NegativeStock {
        /// Which node, product and day.
        detail: String,
    },
    /// Money in another currency than the account's.
    #[error("{detail}")]
    CurrencyMismatch {
        /// Which currencies.
        detail: String,
    },
}

impl From<OmoError> for OmoMobileError {
    fn from(e: OmoError) -> Self {
        let detail = e.to_string();
        match e {
            OmoError::Invalid { .. }
            | OmoError::Json(_)
            | OmoError::DuplicateId { .. }
            | OmoError::UnknownParents { .. }
            | OmoError::Cycle { .. } => OmoMobileError::InvalidData { detail },
            OmoError::InvalidId { .. } | OmoError::InvalidArgument { .. } => OmoMobileError::InvalidInput { detail },
            OmoError::UnknownId { .. } => OmoMobileError::UnknownId { detail },
            OmoError::NegativeStock { .. } => OmoMobileError::NegativeStock { detail },
            OmoError::CurrencyMismatch { .. } => OmoMobileError::CurrencyMismatch { detail },
            _ => OmoMobileError::InvalidData { detail },
        }
    }
}
