//! Stock as the doors show it: the dead and slow stock worst first, the ABC summary, the book
//! against the last physical count, the channel's flows, and suggested orders with their value,
//! ranked.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Views, Window};
use crate::error::{OmoError, Result};
use crate::model::{NodeId, RegionId};
use crate::spi::{
    AbcClass, ChannelRow, DemandBasis, NodeLevel, Period, PlanSettings, ProductLevel, Reconciliation, StockHealth,
    StockStatus, SuggestedOrder, channel_from, reconcile_counts, reconcile_with, suggest_orders, suggest_orders_with,
};

/// A stock-take (盤點): the book against the physical counts of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct StockTake {
    /// The day counted.
    pub day: NaiveDate,
    /// Its count lines against the book, and their totals.
    pub reconciliation: Reconciliation,
}

/// One ABC class of the products: how many, their revenue and its share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbcShare {
    /// The class.
    pub class: AbcClass,
    /// Products in it.
    pub products: u64,
    /// Their revenue over the health's year.
    pub value: Decimal,
    /// Its share of all products' revenue (0 when there is none).
    pub share: Decimal,
}

/// A suggested order with its value at standard cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SuggestedOrderRow {
    /// The suggestion (its fields at the top level in JSON).
    #[serde(flatten)]
    pub order: SuggestedOrder,
    /// Its quantity at the product's standard cost.
    pub value: Decimal,
}

/// Suggested orders, ranked: the largest order by value first, then the lines closest to (or
/// furthest below) their reorder point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedOrders {
    /// The settings they were computed with.
    pub settings: PlanSettings,
    /// How many lines need an order now (a quantity above zero).
    pub due: u64,
    /// Every line, ranked.
    pub rows: Vec<SuggestedOrderRow>,
}

impl Views<'_> {
    /// The dead and slow stock of [`Views::health`], most valuable first.
    ///
    /// # Errors
    /// Those of [`Views::health`].
    pub fn unhealthy_stock(&self) -> Result<Vec<&StockHealth>> {
        let mut rows: Vec<&StockHealth> =
            self.health()?.stock.iter().filter(|s| matches!(s.status, StockStatus::Dead | StockStatus::Slow)).collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.value));
        Ok(rows)
    }

    /// The products per ABC class of [`Views::health`], A first.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let classes = Views::new(&company).abc_summary()?;
    /// let total: rust_decimal::Decimal = classes.iter().map(|c| c.share).sum();
    /// assert!((total - rust_decimal::Decimal::ONE).abs() < rust_decimal::Decimal::new(1, 20));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// Those of [`Views::health`].
    pub fn abc_summary(&self) -> Result<Vec<AbcShare>> {
        let abc = &self.health()?.abc;
        let total: Decimal = abc.iter().map(|a| a.value).sum();
        let mut classes: BTreeMap<AbcClass, (u64, Decimal)> = BTreeMap::new();
        for item in abc {
            let entry = classes.entry(item.class).or_default();
            entry.0 += 1;
            entry.1 += item.value;
        }
        Ok(classes
            .into_iter()
            .map(|(class, (products, value))| AbcShare {
                class,
                products,
                value,
                share: if total.is_zero() { Decimal::ZERO } else { value / total },
            })
            .collect())
    }

    /// The book against the physical count of `day` (the last count by default; `None` when the
    /// company has no counts), its lines ranked by the value of their difference: the most
    /// missing first, the largest surplus last.
    ///
    /// # Errors
    /// Those of [`crate::spi::reconcile_counts`].
    pub fn reconciliation(&self, day: Option<NaiveDate>) -> Result<Option<StockTake>> {
        let Some(day) = day.or_else(|| self.dataset().counts.iter().map(|c| c.date).max()) else { return Ok(None) };
        let facts = self.live.and_then(|live| live.stock_facts(self.dataset().as_of));
        let mut reconciliation = match facts {
            Some(facts) => reconcile_with(self.dataset(), (day, day), |at| facts.count_book(at))?,
            None => reconcile_counts(self.dataset(), day, day)?,
        };
        reconciliation.lines.sort_by_key(|l| l.difference_value);
        Ok(Some(StockTake { day, reconciliation }))
    }

    /// Sell-in, sell-through, sell-out and the stock between per period, for the whole market or
    /// the nodes within `region`, the periods starting within `window` (all when `None`).
    ///
    /// # Errors
    /// An unknown region is an [`OmoError::UnknownId`]; else those of
    /// [`crate::spi::channel_view`].
    pub fn channel(
        &self,
        period: Period,
        region: Option<&RegionId>,
        window: Option<Window>,
    ) -> Result<Vec<ChannelRow>> {
        let by_kind = (&NodeLevel::Kind, &ProductLevel::All);
        let mut rows = channel_from(self.dataset(), region, |keep| self.rolled_up(period, by_kind, keep))?;
        rows.retain(|row| window.is_none_or(|w| w.contains(row.period)));
        Ok(rows)
    }

    /// Suggested orders on the views' day with `settings` (the defaults of
    /// [`PlanSettings::new`]: 95 % service, 7 days' lead time, weekly review, the forecast's
    /// demand, distributors), for one node when given (planned as its own kind of node), ranked.
    ///
    /// ```
    /// use omo_core::ValidDataset;
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// use omo_core::views::Views;
    /// let company = ValidDataset::new(sample_company(&SampleConfig::small(7))?)?;
    /// let orders = Views::new(&company).suggested_orders(None, None)?;
    /// assert_eq!(orders.settings.service_level, 0.95);
    /// assert!(orders.rows.windows(2).all(|w| w[0].value >= w[1].value));
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// An unknown node is an [`OmoError::UnknownId`]; else those of
    /// [`crate::spi::suggest_orders`].
    pub fn suggested_orders(&self, node: Option<&NodeId>, settings: Option<PlanSettings>) -> Result<SuggestedOrders> {
        let d = self.dataset();
        let mut settings = settings.unwrap_or_else(|| PlanSettings::new(d.as_of));
        if let Some(id) = node {
            let found = d.node(id).ok_or_else(|| OmoError::UnknownId { kind: "node", id: id.to_string() })?;
            settings.node_kinds = vec![found.kind];
        }
        let cost: HashMap<_, _> = d.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
        let live = self.live.and_then(|live| live.stock_facts(settings.as_of));
        let suggested = match (live, settings.demand) {
            (Some(facts), DemandBasis::Forecast { .. }) => suggest_orders_with(d, facts.as_ref(), &settings, node)?,
            _ => {
                self.needs_all_records("suggested orders of another day or demand basis")?;
                suggest_orders(d, &settings)?
            }
        };
        let mut rows: Vec<SuggestedOrderRow> = suggested
            .into_iter()
            .filter(|o| node.is_none_or(|n| &o.node == n))
            .map(|order| {
                let value = order.quantity * cost.get(&order.product).copied().unwrap_or_default();
                SuggestedOrderRow { order, value }
            })
            .collect();
        rows.sort_by(|a, b| {
            let gap = |r: &SuggestedOrderRow| r.order.position.projected() - r.order.reorder_point;
            b.value.cmp(&a.value).then_with(|| gap(a).cmp(&gap(b)))
        });
        let due = rows.iter().filter(|r| r.order.quantity > Decimal::ZERO).count() as u64;
        Ok(SuggestedOrders { settings, due, rows })
    }
}
