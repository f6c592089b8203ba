//! Customers as the doors show them: summaries over the standard trailing year, one customer's
//! profile (also one who never bought), RFM with its segments and the top customers, and the
//! team's performance over the last complete month.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use serde::{Deserialize, Serialize};

use super::{Views, Window};
use crate::analytics::{
    Activity, CustomerSummary, RfmScore, Segment, Team, TeamPerformance, customer_summaries, rfm_from_invoices,
    team_performance, top_customers,
};
use crate::error::{OmoError, Result};
use crate::kpi::window_start_since;
use crate::model::{CustomerId, InvoiceKind};

/// Days without a purchase after which a customer counts as dormant.
pub const DORMANT_AFTER_DAYS: u32 = 90;

/// One customer with its name and its summary over the standard trailing year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CustomerProfile {
    /// The customer's name.
    pub name: String,
    /// Its summary (its fields at the top level in JSON); a customer who never bought in the
    /// history has activity [`Activity::Never`] and nothing else.
    #[serde(flatten)]
    pub summary: CustomerSummary,
}

/// How many customers fall in an RFM segment.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    /// The segment.
    pub segment: Segment,
    /// Its customers.
    pub customers: u64,
}

impl Views<'_> {
    /// The default window of the customer views: the standard trailing year up to the views'
    /// day ([`Window::trailing`] over [`crate::kpi::TRAILING_MONTHS`]).
    pub fn trailing_year(&self) -> Window {
        let months = crate::kpi::TRAILING_MONTHS;
        Window { from: window_start_since(self.first_date(), self.as_of(), months), to: self.as_of() }
    }

    fn or_trailing_year(&self, window: Option<Window>) -> Window {
        window.unwrap_or_else(|| self.trailing_year())
    }

    /// The window of the customer views between optional bounds: `to` is the views' day and
    /// `from` the start of the trailing year before `to` unless given.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// assert_eq!(views.customer_window(None, None)?, views.trailing_year());
    /// let june = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    /// assert_eq!(views.customer_window(None, Some(june))?.from, NaiveDate::from_ymd_opt(2024, 6, 30).unwrap());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Window::new`].
    pub fn customer_window(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Window> {
        let to = to.unwrap_or(self.as_of());
        let from = from.unwrap_or_else(|| window_start_since(self.first_date(), to, crate::kpi::TRAILING_MONTHS));
        Window::new(from, to)
    }

    /// The window of team performance between optional bounds: `to` is the last day of the
    /// last complete month and `from` the first day of `to`'s month unless given.
    ///
    /// # Errors
    /// As [`Window::new`].
    pub fn team_window(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Window> {
        let to = to.unwrap_or_else(|| Window::last_complete_month(self.as_of()).to);
        Window::new(from.unwrap_or_else(|| Window::month_of(to).from), to)
    }

    /// Every customer who bought in `window` (the trailing year by default) or holds a credit
    /// account, highest revenue first; dormant after `dormant_after_days`
    /// ([`DORMANT_AFTER_DAYS`] by default).
    ///
    /// # Errors
    /// Those of [`crate::analytics::customer_summaries`].
    pub fn customer_summaries(
        &self,
        window: Option<Window>,
        dormant_after_days: Option<u32>,
    ) -> Result<Vec<CustomerSummary>> {
        let window = self.or_trailing_year(window);
        self.needs_all_records("customer summaries")?;
        customer_summaries(self.dataset(), window.from, window.to, dormant_after_days.unwrap_or(DORMANT_AFTER_DAYS))
    }

    /// One customer's profile over the trailing year. A customer who neither bought in it nor
    /// holds a credit account has no deals, revenue or receivables in it; its last purchase
    /// (before the window) tells whether it is dormant or never bought.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::analytics::Activity;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let first = &company.customers[0];
    /// let profile = Views::new(&company).customer(&first.id)?;
    /// assert_eq!((profile.name.as_str(), profile.summary.kind), (first.name.as_str(), first.kind));
    /// assert_ne!(profile.summary.activity, Activity::Never);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// An unknown customer is an [`OmoError::UnknownId`].
    pub fn customer(&self, id: &CustomerId) -> Result<CustomerProfile> {
        let known = self
            .dataset()
            .customers
            .iter()
            .find(|c| &c.id == id)
            .ok_or_else(|| OmoError::UnknownId { kind: "customer", id: id.to_string() })?;
        let found = self.customer_summaries(None, None)?.into_iter().find(|s| &s.customer == id);
        let summary = found.unwrap_or_else(|| {
            let d = self.dataset();
            let invoiced = d.invoices.iter().filter(|i| &i.customer == id && i.kind == InvoiceKind::Invoice);
            let sold = d.pos_sales.iter().filter(|s| s.customer.as_ref() == Some(id));
            let last_purchase =
                invoiced.map(|i| i.date).chain(sold.map(|s| s.date)).filter(|day| *day <= d.as_of).max();
            CustomerSummary {
                customer: id.clone(),
                kind: known.kind,
                last_purchase,
                activity: Activity::of(last_purchase, d.as_of, DORMANT_AFTER_DAYS),
                deals: 0,
                revenue: Default::default(),
                average_order_value: None,
                product_mix: Vec::new(),
                open_receivables: Default::default(),
                overdue: Default::default(),
            }
        });
        Ok(CustomerProfile { name: known.name.clone(), summary })
    }

    /// RFM scores of the customers invoiced in `window` (the trailing year by default).
    pub fn rfm(&self, window: Option<Window>) -> Vec<RfmScore> {
        let window = self.or_trailing_year(window);
        rfm_from_invoices(self.dataset(), window.from, window.to)
    }

    /// How many customers of [`Views::rfm`] fall in each segment, in the segments' order.
    pub fn rfm_segments(&self, window: Option<Window>) -> Vec<SegmentCount> {
        let mut counts: BTreeMap<Segment, u64> = BTreeMap::new();
        for score in self.rfm(window) {
            *counts.entry(score.segment).or_default() += 1;
        }
        counts.into_iter().map(|(segment, customers)| SegmentCount { segment, customers }).collect()
    }

    /// The `count` largest customers of the trailing year (see [`crate::analytics::top_customers`]).
    pub fn top_customers(&self, count: usize) -> Vec<RfmScore> {
        let window = self.trailing_year();
        top_customers(self.dataset(), window.from, window.to, count)
    }

    /// Each salesperson's or business unit's performance over `window` (the last complete month
    /// by default).
    ///
    /// # Errors
    /// Those of [`crate::analytics::team_performance`].
    pub fn team_performance(&self, team: Team, window: Option<Window>) -> Result<Vec<TeamPerformance>> {
        let window = window.unwrap_or_else(|| Window::last_complete_month(self.as_of()));
        team_performance(self.dataset(), team, window.from, window.to)
    }
}
