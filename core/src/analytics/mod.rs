//! Views of the business along its axes: sales by region, category, customer and period.
//!
//! This module grows into the customer, salesperson and BU views; for now it holds the sales
//! summaries the main report needs.

mod sales;

pub use sales::{SalesCell, SalesSource, sales_by_region_and_category};
