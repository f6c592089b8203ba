//! The one error apps see, mapped from the core's error in one place. Each variant carries the
//! core's message as `detail` (uniffi does not pass a Rust `Display` text on to Kotlin or Python,
//! and Kotlin exceptions own `message` already).

use omo_core::OmoError;

/// Why a call failed; `detail` says what was wrong and where (which id, field or row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OmoMobileError {
    /// The snapshot or a recorded transaction breaks the data's rules: malformed JSON, a broken
    /// reference, a duplicate id, a hierarchy cycle, a value over a documented limit, a
    /// transaction after the snapshot that is not consistent.
    #[error("{detail}")]
    InvalidData {
        /// What was wrong, and where.
        detail: String,
    },
    /// An argument of the call is not acceptable: a malformed id, amount or date, an unknown
    /// model name, a level outside (0, 100).
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
    /// A failure of a kind this version of the bindings does not know (the core grew a new kind
    /// of error): named as such rather than passed off as one of the kinds above. Report it.
    #[error("{detail}")]
    Unexpected {
        /// The core's message.
        detail: String,
    },
}

impl From<OmoError> for OmoMobileError {
    fn from(e: OmoError) -> Self {
        let detail = e.to_string();
        kind_of(&e, detail)
    }
}

/// The app's error kind of `e` (an event the engine refused: its reason's kind) with `detail`.
fn kind_of(e: &OmoError, detail: String) -> OmoMobileError {
    match e {
        OmoError::Refused { reason, .. } => kind_of(reason, detail),
        OmoError::Invalid { .. } => OmoMobileError::InvalidData { detail },
        OmoError::Json(_) => OmoMobileError::InvalidData { detail },
        OmoError::DuplicateId { .. } => OmoMobileError::InvalidData { detail },
        OmoError::UnknownParents { .. } => OmoMobileError::InvalidData { detail },
        OmoError::Cycle { .. } => OmoMobileError::InvalidData { detail },
        OmoError::LimitExceeded { .. } => OmoMobileError::InvalidData { detail },
        OmoError::ClosedPeriod { .. } => OmoMobileError::InvalidData { detail },
        OmoError::InvalidId { .. } => OmoMobileError::InvalidInput { detail },
        OmoError::InvalidArgument { .. } => OmoMobileError::InvalidInput { detail },
        OmoError::UnknownId { .. } => OmoMobileError::UnknownId { detail },
        OmoError::UnknownCreditAccount { .. } => OmoMobileError::UnknownId { detail },
        OmoError::NegativeStock { .. } => OmoMobileError::NegativeStock { detail },
        OmoError::CurrencyMismatch { .. } => OmoMobileError::CurrencyMismatch { detail },
        // `OmoError` is #[non_exhaustive]: a kind added to the core after this match lands here,
        // named as unexpected, until it is given its own arm above (a credit block of a synced
        // order arrives here until the mobile engine syncs events).
        _ => OmoMobileError::Unexpected { detail },
    }
}
