//! The records and enums an app receives and sends: flat views of the core's results, with
//! money as [`Decimal`] and dates as ISO strings.

use omo_core::model::MovementKind;
use rust_decimal::Decimal;

/// What a snapshot holds.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SnapshotInfo {
    /// The company.
    pub company: String,
    /// Its reporting currency (ISO 4217).
    pub currency: String,
    /// The snapshot date: the latest transaction's day (moves forward as the app records).
    pub as_of: String,
    /// Customers in scope.
    pub customers: u64,
    /// Products.
    pub products: u64,
    /// Supply-chain nodes.
    pub nodes: u64,
    /// Sales orders, including those recorded offline.
    pub orders: u64,
    /// Payments, including those recorded offline.
    pub payments: u64,
    /// Stock movements, including those recorded offline.
    pub movements: u64,
}

/// One customer at a glance, over the last twelve months.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CustomerView {
    /// The customer's id.
    pub customer: String,
    /// Its name.
    pub name: String,
    /// Its tier: `"distributor"`, `"retailer"`, ...
    pub kind: String,
    /// `"active"`, `"dormant"` or `"never"`.
    pub activity: String,
    /// The last purchase (invoice or POS sale), if any.
    pub last_purchase: Option<String>,
    /// Purchases in the window.
    pub deals: u64,
    /// Revenue in the window, net of credit notes.
    pub revenue: Decimal,
    /// Gross revenue per deal.
    pub average_order_value: Option<Decimal>,
    /// Share of revenue per product category, largest first.
    pub product_mix: Vec<CategoryShare>,
    /// Open receivables.
    pub open_receivables: Decimal,
    /// Of which overdue.
    pub overdue: Decimal,
}

/// A category's share of a customer's revenue.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CategoryShare {
    /// The category id.
    pub category: String,
    /// Its share (0.25 = 25 %).
    pub share: Decimal,
}

/// How nodes are grouped in an S-P-I roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum NodeGrouping {
    /// Each node on its own.
    Node,
    /// By the node's region.
    Region,
    /// By the node's kind (plant, distributor, retailer ...).
    Kind,
    /// The whole company.
    All,
}

/// How products are grouped in an S-P-I roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ProductGrouping {
    /// Each product on its own.
    Product,
    /// By category.
    Category,
    /// All products.
    All,
}

/// One S-P-I line: a node (or group) and product (or group) in one period, in units.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SpiLine {
    /// The node, or node group (a region, a kind, `"ALL"`).
    pub nodes: String,
    /// The product, or product group (a category, `"ALL"`).
    pub products: String,
    /// The period's first day.
    pub period: String,
    /// Stock at the start.
    pub opening: Decimal,
    /// Purchases and receipts (P).
    pub receipts: Decimal,
    /// Sales (S).
    pub sales: Decimal,
    /// Returns from customers.
    pub customer_returns: Decimal,
    /// Returns to suppliers.
    pub supplier_returns: Decimal,
    /// Transfers in.
    pub transfers_in: Decimal,
    /// Transfers out.
    pub transfers_out: Decimal,
    /// Adjustments (signed).
    pub adjustments: Decimal,
    /// Stock at the end (I).
    pub closing: Decimal,
}

/// The health of one node's stock of one product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StockHealthLine {
    /// The node.
    pub node: String,
    /// The product.
    pub product: String,
    /// Units on hand.
    pub on_hand: Decimal,
    /// Their value at standard cost.
    pub value: Decimal,
    /// The last day the node issued the product.
    pub last_issue: Option<String>,
    /// Days of cover at recent issues.
    pub days_of_cover: Option<f64>,
    /// `"healthy"`, `"dead"`, `"slow"` or `"empty"`.
    pub status: String,
}

/// Inventory health of the snapshot (or one node).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HealthView {
    /// Every node and product with stock or movements.
    pub stock: Vec<StockHealthLine>,
    /// Each product's ABC class by revenue.
    pub abc: Vec<ProductClass>,
    /// Each product's XYZ class by demand variability.
    pub xyz: Vec<ProductClass>,
    /// Value of all stock.
    pub total_value: Decimal,
    /// Value of dead stock.
    pub dead_value: Decimal,
    /// Value of slow stock.
    pub slow_value: Decimal,
    /// Dead plus slow over total value.
    pub ineffective_share: Decimal,
}

/// A product's class.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductClass {
    /// The product.
    pub product: String,
    /// The class: `"A"`, `"B"`, `"C"` or `"X"`, `"Y"`, `"Z"`.
    pub class: String,
}

/// What to order for one node and product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SuggestedOrderView {
    /// The node.
    pub node: String,
    /// The product.
    pub product: String,
    /// On hand plus on order minus reserved.
    pub position: Decimal,
    /// Mean daily demand.
    pub daily_demand: f64,
    /// Safety stock.
    pub safety_stock: Decimal,
    /// Reorder point.
    pub reorder_point: Decimal,
    /// Order-up-to level.
    pub order_up_to: Decimal,
    /// Quantity to order now (0: nothing).
    pub quantity: Decimal,
    /// Why, in words: the demand basis, the lead time and review period, the safety stock.
    pub reason: String,
}

/// One period of a node's plan of one product.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PlanPeriodView {
    /// The period's first day.
    pub period: String,
    /// Its own customers' forecast demand.
    pub forecast: Decimal,
    /// Confirmed orders due in the period.
    pub confirmed: Decimal,
    /// What the nodes it supplies plan to order from it.
    pub dependent: Decimal,
    /// Everything it must deliver: the greater of forecast and confirmed, plus dependent.
    pub gross: Decimal,
    /// Receipts already on the way (in transit, open orders).
    pub scheduled_receipts: Decimal,
    /// Receipts the plan adds.
    pub planned_receipts: Decimal,
    /// Orders the plan places in the period (the receipts moved back by the lead time).
    pub planned_orders: Decimal,
    /// Stock at the period's end.
    pub closing: Decimal,
    /// Days the closing stock lasts at the demand ahead (none: no demand ahead).
    pub days_of_cover: Option<f64>,
    /// The stock runs out in the period.
    pub stockout: bool,
    /// More stock than the policy's cover.
    pub overstock: bool,
}

/// A node's plan of one product: what it has, what it must order, period by period.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NodePlanView {
    /// The node.
    pub node: String,
    /// The product.
    pub product: String,
    /// Who supplies it in the plan (none at the top of the chain).
    pub supplied_from: Option<String>,
    /// Stock on hand at the start.
    pub on_hand: Decimal,
    /// Safety stock kept at every period's end.
    pub safety_stock: Decimal,
    /// Orders that should already have been placed.
    pub past_due: Decimal,
    /// The first period whose stock runs out, if any.
    pub first_stockout: Option<String>,
    /// One row per period.
    pub periods: Vec<PlanPeriodView>,
}

/// Forecast sell-out of one region and category in one month.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DemandForecastView {
    /// The region id.
    pub region: String,
    /// The category id.
    pub category: String,
    /// The month's first day.
    pub month: String,
    /// Forecast units.
    pub volume: f64,
    /// Forecast revenue.
    pub revenue: Decimal,
    /// The model that made it.
    pub model: String,
    /// Units in the same month last year.
    pub volume_last_year: Decimal,
    /// Revenue in the same month last year.
    pub revenue_last_year: Decimal,
}

/// A forecast of one series.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SeriesForecast {
    /// The model fitted, named exactly (e.g. `"ETS(A,N,N)"`).
    pub model: String,
    /// Point forecasts.
    pub mean: Vec<f64>,
    /// One interval per requested level.
    pub intervals: Vec<ForecastInterval>,
}

/// A prediction interval.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ForecastInterval {
    /// Level in percent.
    pub level: f64,
    /// Lower bounds.
    pub lower: Vec<f64>,
    /// Upper bounds.
    pub upper: Vec<f64>,
}

/// A line of an order taken offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewOrderLine {
    /// The product id.
    pub product: String,
    /// Units, a decimal number as text (`"12.5"`).
    pub quantity: String,
    /// Unit price, a decimal number as text.
    pub unit_price: String,
    /// Discount as a share of the price (`"0.05"`), if any.
    pub discount: Option<String>,
}

/// An order taken offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewOrder {
    /// A new order id.
    pub id: String,
    /// The customer id.
    pub customer: String,
    /// The day taken (ISO).
    pub date: String,
    /// The node that will ship it.
    pub ship_from: String,
    /// The lines.
    pub lines: Vec<NewOrderLine>,
}

/// A payment received offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewPayment {
    /// A new payment id.
    pub id: String,
    /// The customer id.
    pub customer: String,
    /// The day received (ISO).
    pub date: String,
    /// The amount, a decimal number as text.
    pub amount: String,
    /// Its currency (ISO 4217); the snapshot's currency when None.
    pub currency: Option<String>,
}

/// A stock movement recorded offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NewMovement {
    /// The event's id, unique among the company's movements (a UUID the app makes): a movement
    /// synced twice is booked once.
    pub event_id: String,
    /// The node.
    pub node: String,
    /// The product.
    pub product: String,
    /// The day (ISO).
    pub date: String,
    /// What happened.
    pub kind: MovementKind,
    /// Units, a decimal number as text (positive; signed for adjustments).
    pub quantity: String,
}
