//! Views of the business along its axes: sales by region and category, customer summaries and
//! RFM segments, salesperson and BU performance, campaign engagement, and the BG/NBD model of
//! repeat purchasing.

mod bgnbd;
mod customer;
mod engagement;
mod rfm;
mod sales;
mod sell_out;
mod team;

pub use bgnbd::BgNbd;
pub use customer::{Activity, CategoryShare, CustomerSummary, customer_summaries};
pub use engagement::{CampaignDay, Engagement, engagement};
pub use rfm::{RfmScore, Segment, rfm_from_invoices, rfm_scores, top_customers};
pub(crate) use sales::sell_out_by_region_and_category;
pub use sales::{SalesCell, SalesSource, sales_by_region_and_category};
pub(crate) use sell_out::SellOutMonths;
pub use team::{Team, TeamPerformance, team_performance};
