//! The dashboard of a company: one self-contained HTML file with the scorecard's lights and
//! alerts, S-P-I and channel stock, forecasts against history, inventory health, credit,
//! customers and the plan, every chart drawn by plotters from the core's results.

pub mod charts;
mod credit;
mod customers;
mod forecast;
pub mod html;
mod lights;
mod plan;
mod stock;

use std::fmt;

use chrono::NaiveDate;
use omo_core::spi::Period;
use omo_core::{OmoError, ValidDataset};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use omo_core::views::Views;

/// Why the dashboard could not be drawn.
#[derive(Debug)]
pub enum DashboardError {
    /// The core refused the data.
    Core(OmoError),
    /// A chart could not be drawn.
    Chart(String),
}

impl fmt::Display for DashboardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DashboardError::Core(e) => write!(f, "{e}"),
            DashboardError::Chart(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for DashboardError {}

impl From<OmoError> for DashboardError {
    fn from(e: OmoError) -> Self {
        DashboardError::Core(e)
    }
}

impl From<String> for DashboardError {
    fn from(e: String) -> Self {
        DashboardError::Chart(e)
    }
}

/// What drawing the dashboard returns.
pub type Result<T> = std::result::Result<T, DashboardError>;

/// The ids and titles of the sections, in page order.
pub const SECTIONS: [(&str, &str); 7] = [
    ("scorecard", "KPI lights"),
    ("spi", "S-P-I"),
    ("forecast", "Forecast"),
    ("health", "Inventory health"),
    ("credit", "Credit"),
    ("customers", "Customers"),
    ("plan", "Plan"),
];

/// What each section shows, in a sentence for its reader.
const INTROS: [&str; 7] = [
    "The standard KPIs of every distributor as traffic lights, rolled up to the regions and business units (a parent shows the roll-up of the distributors below it), and the alerts they raised.",
    "Sales (S), purchases (P) and inventory (I) per month for the whole company and per region, and the channel: what distributors bought against what shops sold to end users.",
    "The next three months of units sold to end users, forecast per series by omo's automatic model choice, against the history and the same months last year.",
    "Stock on hand by how well it sells: ABC by revenue, XYZ by the variability of demand, and the stock that no longer moves.",
    "How much each distributor owes against its limit, how old the open receivables are, and the orders a credit check would have stopped.",
    "Who buys: recency-frequency-money segments, the largest customers, and each salesperson against the plan.",
    "The plan from today: each production line's hours against its capacity (building ahead of the peak), what the plant and the OEM supplier deliver against what the channel needs, the S&OP table, the suppliers' record, and the plan's lights with what to do.",
];

/// The whole dashboard of `d` as one HTML page.
pub fn render(d: &ValidDataset) -> Result<String> {
    render_views(&Views::new(d))
}

/// The whole dashboard, from results computed once for the report and the dashboard.
pub fn render_views(views: &Views<'_>) -> Result<String> {
    let d = views.dataset();
    let month = views.scorecard_month();
    let bodies = [
        lights::section(views, month)?,
        stock::spi_section(views)?,
        forecast::section(views)?,
        stock::health_section(views)?,
        credit::section(views)?,
        customers::section(views)?,
        plan::section(views)?,
    ];
    let sections: Vec<(&str, &str, String)> = SECTIONS
        .iter()
        .zip(INTROS)
        .zip(bodies)
        .map(|(((id, title), intro), body)| (*id, *title, html::section(id, title, intro, &body)))
        .collect();
    Ok(html::page(
        &format!("{} — dashboard", d.company),
        &format!("As of {} · amounts in {} · quantities in units", d.as_of, d.currency),
        &sections,
    ))
}

/// The months from `first` to `last` (first days), as labels `YYYY-MM`.
fn month_labels(months: &[NaiveDate]) -> Vec<String> {
    months.iter().map(|m| m.format("%Y-%m").to_string()).collect()
}

/// The running number of a month, as the core's ledger counts them.
fn month_number(d: NaiveDate) -> i64 {
    Period::Month.number(d)
}

/// A Decimal as a float for drawing (exact figures stay in the tables).
fn float(x: Decimal) -> f64 {
    x.to_f64().unwrap_or(0.0)
}
