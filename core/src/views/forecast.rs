//! Forecasts as the doors show them: the next [`FORECAST_MONTHS`] months of sell-out by region
//! and category, rolled up with last year's same months and the change against them, and the
//! outlook charts over [`CHART_MONTHS`] of history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use serde::{Deserialize, Serialize};

use super::Views;
use super::cached;
use crate::error::Result;
use crate::forecast::{DemandForecast, SellOutOutlook, sell_out_forecast_of, sell_out_outlook_of};
use crate::kpi::months_up_to;

/// The months a forecast view looks ahead: the articles' "next three months".
pub const FORECAST_MONTHS: usize = 3;

/// The months of history on a chart, up to the last complete month.
pub const CHART_MONTHS: u32 = 24;

/// How a forecast roll-up groups its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupBy {
    /// One row per region and month.
    Region,
    /// One row per product category and month.
    Category,
    /// One row per month for the whole company.
    Company,
}

/// One group's forecast of one month beside the same month last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastRollupRow {
    /// The group's id (a region, a category; `"total"` for the company).
    pub key: String,
    /// Its name.
    pub name: String,
    /// The month (its first day).
    pub month: NaiveDate,
    /// Forecast units.
    pub volume: Decimal,
    /// Forecast revenue.
    pub revenue: Decimal,
    /// Units sold in the same month a year earlier.
    pub volume_last_year: Decimal,
    /// Revenue of the same month a year earlier.
    pub revenue_last_year: Decimal,
    /// Forecast units over last year's, less one (0.1: 10 % more); `None` without last year.
    pub change: Option<Decimal>,
}

/// The outlook charts: history months, the months ahead and one series per scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutlookView {
    /// The months of history shown (first days), oldest first: [`CHART_MONTHS`] up to the last
    /// complete month.
    pub history_months: Vec<NaiveDate>,
    /// The months forecast (first days).
    pub months_ahead: Vec<NaiveDate>,
    /// The company, each category and the top products.
    pub series: Vec<SellOutOutlook>,
}

impl Views<'_> {
    /// The months a chart of history shows (first days), oldest first: [`CHART_MONTHS`] up to the
    /// last complete month.
    pub fn chart_months(&self) -> Vec<NaiveDate> {
        months_up_to(self.scorecard_month(), CHART_MONTHS)
    }

    /// Sell-out forecasts by region and category for the next `months` months
    /// ([`FORECAST_MONTHS`] by default), with last year's same months.
    ///
    /// # Errors
    /// Those of [`crate::forecast::sell_out_forecast`].
    pub fn sell_out_forecast(&self, months: Option<usize>) -> Result<Vec<DemandForecast>> {
        let forecast = |horizon| sell_out_forecast_of(self.dataset(), self.sell_out_months(), self.as_of(), horizon);
        match months {
            Some(horizon) if horizon != FORECAST_MONTHS => forecast(horizon),
            _ => cached(&self.sell_out_forecast, || forecast(FORECAST_MONTHS)).cloned(),
        }
    }

    /// The default sell-out forecast rolled up `by` region, category or the whole company, sorted
    /// by group and month.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::{RollupBy, Views};
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let views = Views::new(&company);
    /// let total = views.forecast_rollup(RollupBy::Company)?;
    /// let regions = views.forecast_rollup(RollupBy::Region)?;
    /// assert_eq!(total.len(), 3);
    /// let january: rust_decimal::Decimal = regions.iter().filter(|r| r.month == total[0].month).map(|r| r.revenue).sum();
    /// assert_eq!(january, total[0].revenue);
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Views::sell_out_forecast`].
    pub fn forecast_rollup(&self, by: RollupBy) -> Result<Vec<ForecastRollupRow>> {
        let names = self.member_names();
        let mut groups: BTreeMap<(String, NaiveDate), [Decimal; 4]> = BTreeMap::new();
        for f in self.sell_out_forecast(None)? {
            let key = match by {
                RollupBy::Region => f.region.to_string(),
                RollupBy::Category => f.category.to_string(),
                RollupBy::Company => "total".to_owned(),
            };
            let volume = Decimal::from_f64(f.volume).unwrap_or_default();
            let cell = groups.entry((key, f.month)).or_insert([Decimal::ZERO; 4]);
            for (sum, value) in cell.iter_mut().zip([volume, f.revenue, f.volume_last_year, f.revenue_last_year]) {
                *sum += value;
            }
        }
        let category_names: BTreeMap<&str, &str> =
            self.dataset().categories.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
        Ok(groups
            .into_iter()
            .map(|((key, month), [volume, revenue, volume_last_year, revenue_last_year])| {
                let name = match by {
                    RollupBy::Region => names.name(&key).to_owned(),
                    RollupBy::Category => {
                        category_names.get(key.as_str()).map_or_else(|| key.clone(), |n| (*n).to_owned())
                    }
                    RollupBy::Company => "total".to_owned(),
                };
                let change = (!volume_last_year.is_zero()).then(|| {
                    crate::model::exact::saturating_div(volume, volume_last_year).saturating_sub(Decimal::ONE)
                });
                ForecastRollupRow { key, name, month, volume, revenue, volume_last_year, revenue_last_year, change }
            })
            .collect())
    }

    /// The outlook charts of the company, each category and the `top_products` best sellers:
    /// [`CHART_MONTHS`] of history and [`FORECAST_MONTHS`] ahead with 80 % and 95 % intervals.
    ///
    /// # Errors
    /// Those of [`crate::forecast::sell_out_outlook`].
    pub fn outlook(&self, top_products: usize) -> Result<OutlookView> {
        let history_months = self.chart_months();
        let series =
            sell_out_outlook_of(self.dataset(), self.sell_out_months(), self.as_of(), FORECAST_MONTHS, top_products)?;
        let months_ahead = series.first().map(|s| s.months_ahead.clone()).unwrap_or_default();
        Ok(OutlookView { history_months, months_ahead, series })
    }
}
