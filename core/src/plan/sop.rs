//! The S&OP table: per month and product family, the demand plan, the supply plan and the
//! inventory plan side by side, with the gaps in units and in value — the one table sales,
//! scheduling, production and OEM purchasing look at together.
//!
//! For each period and product category, from a channel plan and its supply plan:
//! - **demand**: the independent demand of every planned node (the greater of forecast and
//!   confirmed orders: the shops' sell-out and the direct customers' orders);
//! - **required**: what the top of the chain must deliver (the plant's planned receipts);
//! - **supply**: made on the lines plus received from the OEM supplier;
//! - **unmet**: required and neither made nor bought (the supply gap);
//! - **inventory**: closing stock over every planned node, and its **target**, the sum of their
//!   safety stocks; the inventory gap is inventory less target (negative: below target);
//! - every quantity also in value, at the product's standard cost.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::channel::ChannelPlan;
use super::supply::SupplyPlan;
use crate::dataset::Dataset;
use crate::model::{CategoryId, ProductId};

/// Units and their value at standard cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Amount {
    /// Units.
    pub units: Decimal,
    /// Their value at standard cost.
    pub value: Decimal,
}

impl Amount {
    fn add(&mut self, units: Decimal, cost: Decimal) {
        self.units += units;
        self.value += units * cost;
    }
}

/// One product family in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SopRow {
    /// The period's first day.
    pub period: NaiveDate,
    /// The product family (category).
    pub category: CategoryId,
    /// The demand plan.
    pub demand: Amount,
    /// What the top of the chain must deliver.
    pub required: Amount,
    /// Made plus bought from the OEM supplier (zero without a supply plan).
    pub supply: Amount,
    /// The supply gap: required, neither made nor bought (without a supply plan: everything
    /// required).
    pub unmet: Amount,
    /// Closing stock over the planned nodes.
    pub inventory: Amount,
    /// The sum of their safety stocks.
    pub inventory_target: Amount,
    /// `inventory - inventory_target`.
    pub inventory_gap: Amount,
}

/// The S&OP table of a channel plan and its supply plan, by period then category.
pub fn sales_and_operations(dataset: &Dataset, channel: &ChannelPlan, supply: Option<&SupplyPlan>) -> Vec<SopRow> {
    let family: HashMap<&ProductId, (&CategoryId, Decimal)> =
        dataset.products.iter().map(|p| (&p.id, (&p.category, p.standard_cost))).collect();
    let mut table: BTreeMap<(usize, &CategoryId), SopRow> = BTreeMap::new();
    let mut add = |t: usize, product: &ProductId, column: Column, units: Decimal| {
        let (Some(&(category, cost)), Some(&period)) = (family.get(product), channel.periods.get(t)) else { return };
        let row = table.entry((t, category)).or_insert_with(|| SopRow::empty(period, category.clone()));
        column(row).add(units, cost);
    };
    for plan in &channel.nodes {
        for (t, r) in plan.rows.iter().enumerate() {
            add(t, &plan.product, |row| &mut row.demand, r.forecast.max(r.confirmed));
            add(t, &plan.product, |row| &mut row.inventory, r.closing);
            add(t, &plan.product, |row| &mut row.inventory_target, plan.safety_stock);
            if plan.supplied_from.is_none() {
                add(t, &plan.product, |row| &mut row.required, r.planned_receipts);
                if supply.is_none() {
                    add(t, &plan.product, |row| &mut row.unmet, r.planned_receipts);
                }
            }
        }
    }
    for p in supply.map_or(&[][..], |s| s.products.as_slice()) {
        add(p.period, &p.product, |row| &mut row.supply, p.made + p.from_oem);
        add(p.period, &p.product, |row| &mut row.unmet, p.unmet);
    }
    table
        .into_values()
        .map(|mut row| {
            row.inventory_gap = Amount {
                units: row.inventory.units - row.inventory_target.units,
                value: row.inventory.value - row.inventory_target.value,
            };
            row
        })
        .collect()
}

/// Picks the column of a row a quantity adds to.
type Column = fn(&mut SopRow) -> &mut Amount;

impl SopRow {
    fn empty(period: NaiveDate, category: CategoryId) -> Self {
        SopRow {
            period,
            category,
            demand: Amount::default(),
            required: Amount::default(),
            supply: Amount::default(),
            unmet: Amount::default(),
            inventory: Amount::default(),
            inventory_target: Amount::default(),
            inventory_gap: Amount::default(),
        }
    }
}
