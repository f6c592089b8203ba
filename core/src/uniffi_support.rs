//! How the core's values cross to Kotlin, Swift and Python through uniffi (feature `uniffi`, which
//! the mobile bindings turn on): the core's records and enums derive uniffi's traits where they are
//! declared, so apps receive them as they are — no second copy in the binding crate.
//!
//! Three kinds of value need a rule here. Money (`Decimal`) crosses as its exact text, which
//! `core/uniffi.toml` turns into `BigDecimal` (Kotlin), `decimal.Decimal` (Python) and `Decimal`
//! (Swift): never a float. Dates (`NaiveDate`) cross as ISO `YYYY-MM-DD` text. Counts (`usize`)
//! cross as unsigned 64-bit integers. Ids cross as their text (see `model::ids`).
//!
//! Every call an app makes fails with one error, [`OmoMobileError`], mapped from the core's
//! [`OmoError`] in one `match`. A value that cannot cross in (an amount too large for a `Decimal`,
//! a malformed date, an empty id) is that error's `InvalidInput`, naming the value, because the
//! conversions here raise it: uniffi hands it to the app as the call's own error.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::OmoError;
use crate::credit::Reason;
use crate::error::shown;
use crate::kpi::Thresholds;

/// Why a call of an app failed; `detail` says what was wrong and where (which id, field or row).
///
/// Each variant carries the core's message as `detail` (uniffi does not pass a Rust `Display`
/// text on to Kotlin or Python, and Kotlin exceptions own `message` already).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OmoMobileError {
    /// The snapshot or a recorded event breaks the data's rules: malformed JSON, a broken
    /// reference, a duplicate id, a hierarchy cycle, a value over a documented limit, an event
    /// before a closed period, an order the credit check blocks on sync.
    #[error("{detail}")]
    InvalidData {
        /// What was wrong, and where.
        detail: String,
    },
    /// An argument of the call is not acceptable: a malformed id or date, an amount a `Decimal`
    /// cannot hold, an unknown model name, a level outside (0, 100).
    #[error("{detail}")]
    InvalidInput {
        /// What was wrong.
        detail: String,
    },
    /// An id the engine does not know (a customer, node, product or credit account).
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
        OmoError::Invalid { .. }
        | OmoError::Json(_)
        | OmoError::DuplicateId { .. }
        | OmoError::UnknownParents { .. }
        | OmoError::Cycle { .. }
        | OmoError::LimitExceeded { .. }
        | OmoError::ClosedPeriod { .. }
        | OmoError::FarAhead { .. } => OmoMobileError::InvalidData { detail },
        OmoError::InvalidId { .. } | OmoError::InvalidArgument { .. } => OmoMobileError::InvalidInput { detail },
        OmoError::UnknownId { .. } | OmoError::UnknownCreditAccount { .. } => OmoMobileError::UnknownId { detail },
        OmoError::NegativeStock { .. } => OmoMobileError::NegativeStock { detail },
        OmoError::CurrencyMismatch { .. } => OmoMobileError::CurrencyMismatch { detail },
        // `OmoError` is #[non_exhaustive]: a kind added to the core after this match lands here,
        // named as unexpected, until it is given its own arm above.
        _ => OmoMobileError::Unexpected { detail },
    }
}

uniffi::custom_type!(Decimal, String, {
    remote,
    lower: |d| d.to_string(),
    try_lift: |s| crate::model::exact::parse_decimal(s.trim()).map_err(|why| invalid_input(format!("amount: {why}"))),
});

uniffi::custom_type!(NaiveDate, String, {
    remote,
    lower: |d| d.format("%Y-%m-%d").to_string(),
    try_lift: |s| s.trim().parse::<NaiveDate>().map_err(|_| invalid_input(format!("date: {:?} is not a date (YYYY-MM-DD)", shown(&s)))),
});

/// A count of records, rows or periods.
type Count = usize;

uniffi::custom_type!(Count, u64, {
    remote,
    lower: |n| n as u64,
    try_lift: |n| usize::try_from(n).map_err(|_| invalid_input(format!("{n} is too large a count here"))),
});

// A KPI's thresholds cross as their JSON (`{"mode": "zones", ...}`, as the KPI catalogue writes
// them): apps show them, the core evaluates them.
uniffi::custom_type!(Thresholds, String, {
    lower: |t| serde_json::to_string(&t).unwrap_or_default(),
    try_lift: |s| serde_json::from_str(&s).map_err(|e| invalid_input(format!("thresholds: {e}"))),
});

/// What apps may ask a credit finding's reason besides its variant and fields.
#[uniffi::export]
impl Reason {
    /// The reason as a code: `limit_exceeded`, `near_limit`, `overdue`, ... (as in JSON).
    pub fn reason_code(&self) -> String {
        self.code().to_owned()
    }

    /// The reason in words, with its figures.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// A value that cannot cross in, as the error of the call it was passed to.
fn invalid_input(detail: String) -> uniffi::deps::anyhow::Error {
    OmoMobileError::InvalidInput { detail }.into()
}

/// A value the core refuses (an id, a currency code), as the error of the call it was passed to.
pub(crate) fn refused_input(e: OmoError) -> uniffi::deps::anyhow::Error {
    OmoMobileError::from(e).into()
}
