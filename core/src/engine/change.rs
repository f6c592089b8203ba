//! What an event or the passing of time changed, as the engine reports it to its caller and its
//! subscribers: each change carries the sequence number of the event that caused it (or of the
//! last event, for time passing), its business date, and what to do about it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::kpi::{AlertEventKind, Light};
use crate::model::{CustomerId, NodeId, OrderId, ProductId};

/// One change.
///
/// ```
/// use omo_core::engine::{Change, ChangeKind};
/// use omo_core::model::{NodeId, ProductId};
/// let change = Change {
///     seq: 7,
///     date: chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
///     what: ChangeKind::StockOut { node: NodeId::new("DC")?, product: ProductId::new("UREA")?, on_hand: 0.into() },
/// };
/// let json = serde_json::to_value(&change).unwrap();
/// assert_eq!(json["type"], "stock_out");
/// assert_eq!(json["seq"], 7);
/// assert_eq!(change.action(), "replenish UREA at DC: nothing left on hand");
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Change {
    /// The sequence number of the event that caused it.
    pub seq: u64,
    /// The business date it happened on.
    pub date: NaiveDate,
    /// What changed.
    #[serde(flatten)]
    pub what: ChangeKind,
}

/// The kinds of change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ChangeKind {
    /// A node ran out of a product: a movement left nothing (or less) on hand.
    StockOut {
        /// The node.
        node: NodeId,
        /// The product.
        product: ProductId,
        /// Stock on hand after the movement (zero, or below where negative stock is allowed).
        on_hand: Decimal,
    },
    /// An order came in that the credit check blocks: it is recorded (the ERP took it) and
    /// should be held until the customer pays or the limit is raised.
    OrderBlocked {
        /// The order.
        order: OrderId,
        /// Who ordered.
        customer: CustomerId,
        /// The order's amount.
        amount: Decimal,
        /// The credit available before the order.
        available: Decimal,
        /// Why, as codes (`limit_exceeded`, `overdue`, `account_blocked`, ...).
        codes: Vec<String>,
        /// Why, in words.
        reasons: Vec<String>,
    },
    /// A member's light of a KPI changed colour (month to date; a region's light is rolled up
    /// from its distributors'). Apps see it as `LightChanged` (beside the `Light` enum).
    #[cfg_attr(feature = "uniffi", uniffi(name = "LightChanged"))]
    Light {
        /// The KPI's id (`days_of_cover`, `overdue_ratio`, ...).
        kpi: String,
        /// The member: a distributor, a region, or the root of the region tree.
        member: String,
        /// The light before.
        from: Light,
        /// The light now.
        to: Light,
        /// The member's value now (a distributor's own; none for a roll-up).
        value: Option<Decimal>,
        /// For a roll-up (a region, the root): the distributors below whose own light is red
        /// now, what made it red (empty for a distributor's own light).
        #[serde(default)]
        red_below: Vec<String>,
    },
    /// A distributor's alert on a KPI was raised, escalated or resolved at a month close.
    Alert {
        /// The KPI's id.
        kpi: String,
        /// The distributor.
        member: String,
        /// The month closed (its first day).
        month: NaiveDate,
        /// What happened.
        kind: AlertEventKind,
        /// The alert's state before: `normal`, `firing` (or the light it was raised at, for an
        /// escalation).
        from: String,
        /// The alert's state after.
        to: String,
        /// The month's light.
        light: Light,
        /// The month's value.
        value: Option<Decimal>,
        /// The threshold at the edge of the value's zone.
        threshold: Option<Decimal>,
        /// What to do, as a code (`reorder`, `reduce_stock`, `chase_invoices`, `visit_customer`,
        /// `review_deliveries`, `review_forecast`, `clear_dead_stock`, `none`).
        action_code: String,
        /// For `chase_invoices`: the distributor's overdue invoices, oldest due first.
        invoices: Vec<String>,
        /// For `chase_invoices` (raised or escalated): the credit the distributor has left today,
        /// above which its new orders should be held (zero, also when it is over its limit: hold
        /// every new order); none without a credit account.
        #[serde(default)]
        hold_above: Option<Decimal>,
        /// For `reorder` and `reorder_now` (raised or escalated): what to order today at the
        /// member's node, as the engine's suggested orders with [`super::reorder_settings`] have
        /// it (the lines with something to order, largest value first; none where the node has
        /// nothing to order or the suggestion could not be made).
        #[serde(default)]
        reorders: Vec<Reorder>,
    },
}

/// One line of what to reorder: `quantity` units of `product` at `node`.
///
/// ```
/// use omo_core::engine::Reorder;
/// use omo_core::model::{NodeId, ProductId};
/// let line = Reorder { node: NodeId::new("RN-002")?, product: ProductId::new("UREA-50")?, quantity: 40.into() };
/// assert_eq!(line.to_string(), "40 of UREA-50 at RN-002");
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Reorder {
    /// Where to deliver.
    pub node: NodeId,
    /// What to order.
    pub product: ProductId,
    /// How many units: the suggested order, in whole packs.
    pub quantity: Decimal,
}

impl Reorder {
    /// The units and the product, without the node: "40 of UREA-50".
    fn units_of_product(&self) -> String {
        format!("{} of {}", self.quantity.normalize(), self.product)
    }
}

impl std::fmt::Display for Reorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}", self.units_of_product(), self.node)
    }
}

impl Change {
    /// The change as the doors send it on (Python's change dicts, the live server's stream): its
    /// own fields (`seq`, `date`, `type`, ...) and `action`, what to do about it in words.
    ///
    /// ```
    /// use omo_core::engine::{Change, ChangeKind};
    /// use omo_core::model::{NodeId, ProductId};
    /// let change = Change {
    ///     seq: 3,
    ///     date: chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap(),
    ///     what: ChangeKind::StockOut { node: NodeId::new("DC")?, product: ProductId::new("UREA")?, on_hand: 0.into() },
    /// };
    /// let json = change.to_value();
    /// assert_eq!(json["action"], "replenish UREA at DC: nothing left on hand");
    /// assert_eq!(json["node"], "DC");
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn to_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("action".to_owned(), serde_json::Value::String(self.action()));
        }
        value
    }

    /// What to do about the change, in words.
    pub fn action(&self) -> String {
        match &self.what {
            ChangeKind::StockOut { node, product, .. } => {
                format!("replenish {product} at {node}: nothing left on hand")
            }
            ChangeKind::OrderBlocked { order, customer, amount, reasons, .. } => {
                format!("hold order {order} of {amount} for customer {customer}: {}", reasons.join("; "))
            }
            ChangeKind::Light { kpi, member, from, to, value, red_below } => {
                let value = match value {
                    Some(v) => v.round_dp(4).normalize().to_string(),
                    None if red_below.is_empty() => "no value".to_owned(),
                    None => format!("red below: {}", red_below.join(", ")),
                };
                format!("{kpi} of {member} turned {} from {} ({value})", to.as_str(), from.as_str())
            }
            ChangeKind::Alert { kpi, member, kind, value, threshold, action_code, .. } => {
                let value = value.map_or_else(|| "no value".to_owned(), |v| v.round_dp(4).normalize().to_string());
                let threshold = threshold.map_or_else(String::new, |t| format!(", threshold {}", t.normalize()));
                match kind {
                    AlertEventKind::Resolved => {
                        format!("{kpi} of {member} is back ({value}{threshold}): nothing to do")
                    }
                    _ => format!("{}: {kpi} of {member} at {value}{threshold}", self.what_to_do(action_code, member)),
                }
            }
        }
    }

    /// An alert's action code in words, for `member`, with what the alert carries: the lines to
    /// reorder, the invoices to chase and the credit above which to hold orders.
    fn what_to_do(&self, code: &str, member: &str) -> String {
        let ChangeKind::Alert { invoices, hold_above, reorders, .. } = &self.what else {
            return action_words(code, member);
        };
        match code {
            "reorder" | "reorder_now" if !reorders.is_empty() => {
                format!("reorder {} for {member}: {}", reorder_lines(reorders), reorder_why(code))
            }
            "chase_invoices" => {
                let chase = if invoices.is_empty() { String::new() } else { format!(" ({})", invoices.join(", ")) };
                let hold = match hold_above {
                    Some(left) if left.is_sign_positive() && !left.is_zero() => {
                        format!("hold its orders above {:.2}", left.round_dp(2))
                    }
                    Some(_) => "hold every new order: no credit left".to_owned(),
                    None => "hold new credit".to_owned(),
                };
                format!("chase {member}'s overdue invoices{chase} and {hold}")
            }
            _ => action_words(code, member),
        }
    }
}

/// Lines to reorder in words, each node named once after its products: "120 of NPK-50, 80 of
/// SSP-50 at DN-01".
fn reorder_lines(reorders: &[Reorder]) -> String {
    let mut nodes: Vec<(&NodeId, Vec<String>)> = Vec::new();
    for line in reorders {
        let product = line.units_of_product();
        match nodes.iter_mut().find(|(node, _)| *node == &line.node) {
            Some((_, products)) => products.push(product),
            None => nodes.push((&line.node, vec![product])),
        }
    }
    let at: Vec<String> =
        nodes.into_iter().map(|(node, products)| format!("{} at {node}", products.join(", "))).collect();
    at.join("; ")
}

/// Why a reorder is due, by its action code.
fn reorder_why(code: &str) -> &'static str {
    if code == "reorder_now" {
        "the plan sees it run out inside its lead time"
    } else {
        "its stock covers too few days"
    }
}

/// What to do about an alert of `kpi`, as a code: what a sales director's assistant would do.
pub(crate) fn action_code(kpi: &str, value: Option<Decimal>, target: Option<Decimal>) -> &'static str {
    match kpi {
        "days_of_cover" => match (value, target) {
            (Some(v), Some(t)) if v < t => "reorder",
            _ => "reduce_stock",
        },
        "ineffective_stock_share" | "sell_through" => "clear_dead_stock",
        "dso" | "overdue_ratio" | "collection_rate" => "chase_invoices",
        "otif" => "review_deliveries",
        "forecast_wape" => "review_forecast",
        "revenue_vs_plan" | "revenue_growth" | "active_retailers" | "average_order_value" => "visit_customer",
        plan => crate::plan::plan_action(plan).unwrap_or("none"),
    }
}

/// An action code in words, for `member`.
fn action_words(code: &str, member: &str) -> String {
    match code {
        "reorder" => format!("reorder for {member}: {}", reorder_why(code)),
        "reduce_stock" => format!("hold shipments to {member} and move its surplus: too many days of cover"),
        "clear_dead_stock" => format!("promote or move {member}'s slow and dead stock"),
        "review_deliveries" => format!("review late and short deliveries to {member}"),
        "review_forecast" => format!("review the demand forecast of {member}"),
        "visit_customer" => format!("visit {member}: sales below plan or last year"),
        "reorder_now" => format!("place {member}'s past-due orders now: {}", reorder_why(code)),
        "build_ahead" => {
            format!(
                "build ahead on line {member} or send work to the OEM: the months ahead need more hours than it has"
            )
        }
        "chase_oem" => format!("chase {member}: its deliveries come later than promised"),
        "review_production" => format!("review line {member}'s scrap and stoppages: output below plan"),
        _ => format!("look at {member}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(code: &str, hold_above: Option<Decimal>, reorders: Vec<Reorder>) -> Change {
        let date = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default();
        let what = ChangeKind::Alert {
            kpi: "days_of_cover".to_owned(),
            member: "D-01".to_owned(),
            month: date,
            kind: AlertEventKind::Raised,
            from: "normal".to_owned(),
            to: "firing".to_owned(),
            light: Light::Red,
            value: Some(Decimal::new(125, 1)),
            threshold: Some(Decimal::new(1485, 2)),
            action_code: code.to_owned(),
            invoices: vec!["INV-1".to_owned(), "INV-2".to_owned()],
            hold_above,
            reorders,
        };
        Change { seq: 1, date, what }
    }

    fn line(node: &str, product: &str, quantity: i64) -> Reorder {
        let (node, product) = (NodeId::new(node), ProductId::new(product));
        Reorder {
            node: node.unwrap_or_else(|e| unreachable!("{e}")),
            product: product.unwrap_or_else(|e| unreachable!("{e}")),
            quantity: quantity.into(),
        }
    }

    #[test]
    fn a_reorder_names_each_node_once_after_its_products() {
        let lines = vec![line("DN-01", "UREA", 120), line("DN-01", "SSP", 80), line("DN-02", "UREA", 20)];
        assert_eq!(
            alert("reorder", None, lines).action(),
            "reorder 120 of UREA, 80 of SSP at DN-01; 20 of UREA at DN-02 for D-01: its stock covers too few days: \
             days_of_cover of D-01 at 12.5, threshold 14.85"
        );
        assert!(alert("reorder", None, Vec::new()).action().starts_with("reorder for D-01: its stock covers"));
    }

    #[test]
    fn a_roll_up_s_light_names_what_is_red_below_it() {
        let date = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap_or_default();
        let light = |value, red_below: &[&str]| {
            let red_below = red_below.iter().map(|m| (*m).to_owned()).collect();
            let (kpi, member) = ("otif".to_owned(), "EAST".to_owned());
            let what = ChangeKind::Light { kpi, member, from: Light::Green, to: Light::Red, value, red_below };
            Change { seq: 9, date, what }.action()
        };
        assert_eq!(light(None, &["D-02", "D-05"]), "otif of EAST turned red from green (red below: D-02, D-05)");
        assert_eq!(light(None, &[]), "otif of EAST turned red from green (no value)");
        assert_eq!(light(Some(Decimal::new(81234, 5)), &[]), "otif of EAST turned red from green (0.8123)");
    }

    #[test]
    fn a_chase_holds_orders_above_the_credit_left_or_every_order_when_none_is_left() {
        let words = |left| alert("chase_invoices", left, Vec::new()).action();
        assert!(words(Some(Decimal::new(88465010, 2))).starts_with(
            "chase D-01's overdue invoices (INV-1, INV-2) and hold its orders above 884650.10: days_of_cover"
        ));
        assert!(words(Some(Decimal::new(-5, 0))).contains("and hold every new order: no credit left: "));
        assert!(words(Some(Decimal::ZERO)).contains("and hold every new order: no credit left: "));
        assert!(words(None).contains("(INV-1, INV-2) and hold new credit: "));
    }
}
