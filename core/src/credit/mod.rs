//! Safe credit (安全授信): credit accounts and limits, exposure by category, receivables with
//! aging and DSO, payment behaviour and risk classes, recommended limits, and the order credit
//! check. Money is `Decimal` throughout.

mod behaviour;
mod book;
mod policy;
mod receivables;

/// The credit account is an entity of the model (a dataset holds accounts); it is named here too,
/// beside the calculations on it.
pub use crate::model::{AccountChange, AuditEntry, AuditStamp, CreditAccount, RiskClass, TemporaryIncrease};
pub use behaviour::{
    LimitRecommendation, LimitRules, PaymentBehaviour, PaymentStats, ScoringRules, payment_behaviour, recommend_limit,
};
pub(crate) use book::shipment_value;
pub use book::{
    CheckMode, CreditBook, CreditCheck, CreditDecisionRow, Decision, Exposure, Finding, Reason, replay_order_checks,
};
pub use policy::{CategoryRule, CreditPolicy, ExposureKind, LimitComparison, OverLimitAction, ZeroLimit};
pub use receivables::{AgingBuckets, AgingReport, AgingRow, OpenItem, OverdueSummary, Receivables, Settlement};
