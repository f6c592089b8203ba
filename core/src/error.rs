//! The one error type of `omo-core`.
//!
//! Every variant says what was wrong and where: which id, which row, which field. Functions never
//! panic on bad input; they return one of these instead.

use crate::model::ValidationIssue;

/// Everything that can go wrong in `omo-core`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OmoError {
    /// One or more values broke a rule: each issue names the entity, its id or row, and the field.
    #[error("{} invalid value(s): {}", issues.len(), join_issues(issues))]
    Invalid {
        /// Every problem found, in the order found.
        issues: Vec<ValidationIssue>,
    },
    /// An id was empty or otherwise unusable.
    #[error("invalid {kind} id {:?}: {reason}", shown(id))]
    InvalidId {
        /// The kind of id (`"product"`, `"customer"`, ...).
        kind: &'static str,
        /// The rejected text.
        id: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The same id appears more than once where ids must be unique.
    #[error("duplicate {kind} id {:?}", shown(id))]
    DuplicateId {
        /// The kind of id.
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A hierarchy names parents that are not members of it.
    #[error("{axis} hierarchy: unknown parent(s): {}", links.iter().map(|(c, p)| format!("{c} -> {p}")).collect::<Vec<_>>().join(", "))]
    UnknownParents {
        /// Which hierarchy (`"region"`, `"product category"`, ...).
        axis: &'static str,
        /// Every `(child, missing parent)` pair.
        links: Vec<(String, String)>,
    },
    /// A hierarchy's parent links loop back on themselves.
    #[error("{axis} hierarchy: cycle {}", shown_path(ids))]
    Cycle {
        /// Which hierarchy.
        axis: &'static str,
        /// The ids on the cycle, each the parent of the one before it, the first repeated at the end.
        ids: Vec<String>,
    },
    /// An id was looked up that is not known.
    #[error("unknown {kind} id {:?}", shown(id))]
    UnknownId {
        /// The kind of id.
        kind: &'static str,
        /// The id that was not found.
        id: String,
    },
    /// An argument of a function was out of its domain (a negative cost, a service level of 1...).
    #[error("invalid argument {name}: {message}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What was wrong with it.
        message: String,
    },
    /// A movement would take stock below zero where negative stock is not allowed.
    #[error(
        "stock of {product} at {node} would go negative on {date}: {before} on hand, change {change}, {after} after"
    )]
    NegativeStock {
        /// The node.
        node: String,
        /// The product.
        product: String,
        /// The day on which stock goes below zero (all that day's movements applied).
        date: chrono::NaiveDate,
        /// Stock at the start of that day.
        before: rust_decimal::Decimal,
        /// The day's net change.
        change: rust_decimal::Decimal,
        /// Stock at the end of that day.
        after: rust_decimal::Decimal,
    },
    /// An amount in one currency was posted to an account kept in another.
    #[error("customer {customer}: amount in {got}, but the account is kept in {expected}")]
    CurrencyMismatch {
        /// The customer.
        customer: String,
        /// The account's currency.
        expected: String,
        /// The currency of what was posted.
        got: String,
    },
    /// A customer has no credit account (or its group's account is missing).
    #[error("customer {} has no credit account", shown(customer))]
    UnknownCreditAccount {
        /// The customer looked up.
        customer: String,
    },
    /// An input is larger than a documented limit (a string field, a document, a window).
    #[error("{what}: {actual} is more than the limit of {limit}")]
    LimitExceeded {
        /// What was too large, and where (`"invoices[3].id: string bytes"`).
        what: String,
        /// The limit.
        limit: u64,
        /// The size found.
        actual: u64,
    },
    /// The live engine refused an event: which one (its type and the sender's id), the field at
    /// fault where there is one, and why (the error the record itself raised).
    #[error("event {kind} {:?}: {reason}", shown(id))]
    Refused {
        /// The event's type (`"order"`, `"movement"`, ...).
        kind: String,
        /// The sender's id of the event.
        id: String,
        /// The field at fault (`"record.lines[0].quantity"`, `"id"`), where one is known.
        field: Option<String>,
        /// Why.
        reason: Box<OmoError>,
    },
    /// One series of a panel could not be forecast: the series' label and why.
    #[error("series {series}: {source}")]
    InSeries {
        /// The series' label (its position when the panel has no labels).
        series: String,
        /// What was wrong with it.
        source: Box<OmoError>,
    },
    /// An order the credit check blocks, proposed by a replica that could not know (sync).
    #[error("order {order} of customer {customer} is blocked by the credit check: {reasons}")]
    CreditBlocked {
        /// The order.
        order: String,
        /// Who ordered.
        customer: String,
        /// The blocking findings, in words.
        reasons: String,
    },
    /// An event dated before the engine's open period: the books of that month are closed.
    #[error("{field} {date} is in a closed period: the books are open from {open_from}")]
    ClosedPeriod {
        /// The event's date.
        date: chrono::NaiveDate,
        /// The record's field that holds it (`date`, `order_date`; an allocation's `payment` or
        /// `invoice`, the later of which it counts from).
        field: &'static str,
        /// The first day still open.
        open_from: chrono::NaiveDate,
    },
    /// An event dated further after the engine's clock than
    /// [`crate::engine::EngineOptions::max_days_ahead`] allows: most likely a mistyped year,
    /// which accepted would move the clock there for good. Time passed to the date first
    /// ([`crate::engine::Engine::advance_to`]) lets the event in when the date is right.
    #[error(
        "{field} {date} is {days} days after the engine's clock {clock}, more than the {limit} allowed \
         (a mistyped year?): advance the clock to it first if the date is right"
    )]
    FarAhead {
        /// The event's date.
        date: chrono::NaiveDate,
        /// The record's field holding it (`order_date`).
        field: &'static str,
        /// The engine's clock.
        clock: chrono::NaiveDate,
        /// How many days after the clock the date is.
        days: i64,
        /// How many days after the clock an event may be dated.
        limit: u32,
    },
    /// A JSON document could not be read or written; the message names the collection, the
    /// record's id where it has one, and the field.
    #[error("JSON: {0}")]
    Json(String),
}

/// A path of ids as a message shows it (`A -> B -> A`): whole when short, else its first and
/// last few ids around the count of those left out, so a ring of 100,000 ids stays one line.
///
/// ```
/// use omo_core::error::shown_path;
/// assert_eq!(shown_path(&["A".into(), "B".into(), "A".into()]), "A -> B -> A");
/// let ring: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
/// assert_eq!(shown_path(&ring), "0 -> 1 -> 2 -> 3 -> 4 -> ... (99992 more) ... -> 99997 -> 99998 -> 99999");
/// ```
pub fn shown_path(ids: &[String]) -> String {
    const HEAD: usize = 5;
    const TAIL: usize = 3;
    let show = |part: &[String]| part.iter().map(|id| shown(id).into_owned()).collect::<Vec<_>>().join(" -> ");
    match (ids.get(..HEAD), ids.len().checked_sub(TAIL).and_then(|cut| ids.get(cut..))) {
        (Some(head), Some(tail)) if ids.len() > HEAD + TAIL => {
            format!("{} -> ... ({} more) ... -> {}", show(head), ids.len() - HEAD - TAIL, show(tail))
        }
        _ => show(ids),
    }
}

/// The most characters of one value (an id, a piece of text) that a message shows.
pub const SHOWN_CHARS: usize = 80;

/// `value` as a message shows it: whole when short, else its first [`SHOWN_CHARS`] characters and
/// its length, so that a megabyte id does not make a megabyte message.
///
/// ```
/// use omo_core::error::shown;
/// assert_eq!(shown("D-01"), "D-01");
/// let long = "x".repeat(1_000_000);
/// assert!(shown(&long).len() < 120);
/// assert!(shown(&long).ends_with("(1000000 bytes)"));
/// ```
pub fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(SHOWN_CHARS) {
        None => std::borrow::Cow::Borrowed(value),
        Some((cut, _)) => std::borrow::Cow::Owned(format!("{}... ({} bytes)", &value[..cut], value.len())),
    }
}

fn join_issues(issues: &[ValidationIssue]) -> String {
    const SHOWN: usize = 20;
    let mut text = issues.iter().take(SHOWN).map(ToString::to_string).collect::<Vec<_>>().join("; ");
    if issues.len() > SHOWN {
        text.push_str(&format!("; ... and {} more", issues.len() - SHOWN));
    }
    text
}

impl From<serde_json::Error> for OmoError {
    fn from(error: serde_json::Error) -> Self {
        OmoError::Json(error.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = OmoError> = std::result::Result<T, E>;
