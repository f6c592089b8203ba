//! The core's results that both the terminal report and the dashboard show, computed once per
//! run: the standard KPIs of the last twelve months, the inventory health on the snapshot day and
//! the company's plan from that day.

use std::collections::HashMap;

use chrono::NaiveDate;
use omo_core::kpi::{KpiInput, TRAILING_MONTHS, months_up_to, standard_history};
use omo_core::plan::{ChannelSettings, CompanyPlan, SupplySettings, company_plan};
use omo_core::spi::{HealthOptions, HealthReport, inventory_health};
use omo_core::{OmoError, ValidDataset};

use crate::report::last_complete_month;

/// Shared results of one company.
pub struct Views<'a> {
    /// The company, validated once.
    pub dataset: &'a ValidDataset,
    /// The twelve months up to the last complete one (first days), oldest first.
    pub months: Vec<NaiveDate>,
    /// The standard KPIs of every distributor in each of `months`.
    pub kpi_history: Vec<HashMap<(String, String), KpiInput>>,
    /// The options the health was assessed with.
    pub health_options: HealthOptions,
    /// Inventory health on the snapshot day.
    pub health: HealthReport,
    /// The plan from the snapshot day, with the core's default settings.
    pub plan: CompanyPlan,
}

impl<'a> Views<'a> {
    /// Computes the shared results of `dataset`.
    pub fn new(dataset: &'a ValidDataset) -> Result<Self, OmoError> {
        let months = last_complete_month(dataset.as_of).map(|m| months_up_to(m, TRAILING_MONTHS)).unwrap_or_default();
        let kpi_history = standard_history(dataset, &months)?;
        let health_options = HealthOptions::new(dataset.as_of);
        let health = inventory_health(dataset, &health_options)?;
        let plan = company_plan(dataset, &ChannelSettings::new(dataset.as_of), &SupplySettings::default())?;
        Ok(Views { dataset, months, kpi_history, health_options, health, plan })
    }

    /// The last complete month, whose lights the scorecards show.
    pub fn month(&self) -> Option<NaiveDate> {
        self.months.last().copied()
    }

    /// The KPI inputs of the last complete month.
    pub fn kpi_inputs(&self) -> HashMap<(String, String), KpiInput> {
        self.kpi_history.last().cloned().unwrap_or_default()
    }
}
