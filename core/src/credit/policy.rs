//! Credit policies: which exposure categories count, per-category limits, how the limit is
//! compared, what a zero limit means, and when to warn or block. Presets reproduce the rules of
//! ERPNext, Odoo and OCA's account_financial_risk exactly.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::RiskClass;

/// The categories of credit exposure, as the best ERP credit modules break it down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ExposureKind {
    /// Sales orders taken, not yet shipped.
    OpenOrders,
    /// Goods shipped, not yet invoiced.
    ShippedNotInvoiced,
    /// Invoices not yet due.
    ReceivablesNotDue,
    /// Invoices past their due date.
    ReceivablesOverdue,
    /// Money held for the customer: unapplied payments, deposits of prepaid pre-season orders,
    /// unapplied credit notes. It reduces exposure when included.
    Prepayments,
}

impl ExposureKind {
    /// Every kind, in the order of the flow of an order.
    pub const ALL: [ExposureKind; 5] = [
        ExposureKind::OpenOrders,
        ExposureKind::ShippedNotInvoiced,
        ExposureKind::ReceivablesNotDue,
        ExposureKind::ReceivablesOverdue,
        ExposureKind::Prepayments,
    ];

    /// The category's name in words: `"open orders"`, `"shipped not invoiced"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ExposureKind::OpenOrders => "open orders",
            ExposureKind::ShippedNotInvoiced => "shipped not invoiced",
            ExposureKind::ReceivablesNotDue => "receivables not due",
            ExposureKind::ReceivablesOverdue => "receivables overdue",
            ExposureKind::Prepayments => "prepayments",
        }
    }
}

/// How one exposure category is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRule {
    /// Whether it counts towards exposure.
    pub include: bool,
    /// A limit of its own (OCA): exceeding it blocks whatever the total.
    pub limit: Option<Decimal>,
}

impl CategoryRule {
    /// Counted, without a limit of its own.
    pub const COUNTED: CategoryRule = CategoryRule { include: true, limit: None };
    /// Not counted.
    pub const IGNORED: CategoryRule = CategoryRule { include: false, limit: None };
}

/// How the exposure is compared with the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitComparison {
    /// Over the limit only when strictly above it (ERPNext, Odoo, OCA): exactly at the limit passes.
    Above,
    /// Over the limit when at or above it.
    AtOrAbove,
}

/// What a limit of zero means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroLimit {
    /// No credit: every order with exposure is over the limit.
    NoCredit,
    /// No limit set: the limit check is skipped (ERPNext, Odoo).
    Unlimited,
}

/// What happens when the limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverLimitAction {
    /// The order is blocked (ERPNext, OCA).
    Block,
    /// The order passes with a warning (Odoo's banner).
    Warn,
}

/// A whole credit policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditPolicy {
    /// Sales orders not yet shipped.
    pub open_orders: CategoryRule,
    /// Shipped, not yet invoiced.
    pub shipped_not_invoiced: CategoryRule,
    /// Invoices not yet due.
    pub receivables_not_due: CategoryRule,
    /// Invoices past due.
    pub receivables_overdue: CategoryRule,
    /// Whether money held (prepayments, deposits, unapplied credit) reduces exposure.
    pub net_prepayments: bool,
    /// Strictly above, or at or above.
    pub comparison: LimitComparison,
    /// What a zero limit means.
    pub zero_limit: ZeroLimit,
    /// Block or warn when over the limit.
    pub over_limit: OverLimitAction,
    /// Warn when exposure after the order passes this share of the limit (e.g. 0.9).
    pub warn_share: Option<Decimal>,
    /// Block when an invoice is overdue by more than this many days.
    pub block_overdue_days: Option<u32>,
    /// Warn when an invoice is overdue by more than this many days.
    pub warn_overdue_days: Option<u32>,
    /// The largest order each risk class (A to E) may place; `None` for no cap.
    pub max_order_by_class: [Option<Decimal>; 5],
}

impl Default for CreditPolicy {
    /// omo's policy for a maker selling through distributors: everything counts, deposits net,
    /// strictly above the limit blocks, a zero limit means no credit, warn above 90 % of the limit
    /// and past 30 days overdue, block past 90 days overdue, class D orders at most 50,000 and
    /// class E none.
    fn default() -> Self {
        CreditPolicy {
            open_orders: CategoryRule::COUNTED,
            shipped_not_invoiced: CategoryRule::COUNTED,
            receivables_not_due: CategoryRule::COUNTED,
            receivables_overdue: CategoryRule::COUNTED,
            net_prepayments: true,
            comparison: LimitComparison::Above,
            zero_limit: ZeroLimit::NoCredit,
            over_limit: OverLimitAction::Block,
            warn_share: Some(Decimal::new(9, 1)),
            block_overdue_days: Some(90),
            warn_overdue_days: Some(30),
            max_order_by_class: [None, None, None, Some(Decimal::from(50_000)), Some(Decimal::ZERO)],
        }
    }
}

impl CreditPolicy {
    /// ERPNext's `check_credit_limit`: the GL balance (receivables net of advances) plus unbilled
    /// sales orders plus delivered-not-billed; blocked when strictly above a non-zero limit.
    pub fn erpnext() -> Self {
        CreditPolicy {
            warn_share: None,
            block_overdue_days: None,
            warn_overdue_days: None,
            max_order_by_class: [None; 5],
            zero_limit: ZeroLimit::Unlimited,
            ..CreditPolicy::default()
        }
    }

    /// ERPNext with "bypass credit limit check at sales order": orders do not count.
    pub fn erpnext_bypass_sales_orders() -> Self {
        CreditPolicy { open_orders: CategoryRule::IGNORED, ..CreditPolicy::erpnext() }
    }

    /// Odoo's credit warning: unreconciled receivables plus confirmed orders to invoice plus the
    /// current document; a warning (never a block) when strictly above a non-zero limit.
    pub fn odoo() -> Self {
        CreditPolicy { over_limit: OverLimitAction::Warn, ..CreditPolicy::erpnext() }
    }

    /// OCA account_financial_risk: the included categories add up; an exception (block) when
    /// any category passes its own non-zero limit or the total passes the credit limit.
    pub fn oca_financial_risk() -> Self {
        CreditPolicy::erpnext()
    }

    /// The rule of a category (prepayments: included as `net_prepayments` says, no limit).
    pub fn rule(&self, kind: ExposureKind) -> CategoryRule {
        match kind {
            ExposureKind::OpenOrders => self.open_orders,
            ExposureKind::ShippedNotInvoiced => self.shipped_not_invoiced,
            ExposureKind::ReceivablesNotDue => self.receivables_not_due,
            ExposureKind::ReceivablesOverdue => self.receivables_overdue,
            ExposureKind::Prepayments => CategoryRule { include: self.net_prepayments, limit: None },
        }
    }

    /// The order-size cap of a risk class.
    pub fn max_order(&self, class: RiskClass) -> Option<Decimal> {
        RiskClass::ALL.iter().position(|c| *c == class).and_then(|i| self.max_order_by_class.get(i).copied().flatten())
    }

    /// Whether `exposure` is over `limit` under this policy (never, for a zero limit that means
    /// "unlimited").
    pub fn over(&self, exposure: Decimal, limit: Decimal) -> bool {
        if limit.is_zero() && self.zero_limit == ZeroLimit::Unlimited {
            return false;
        }
        match self.comparison {
            LimitComparison::Above => exposure > limit,
            LimitComparison::AtOrAbove => exposure >= limit,
        }
    }
}
