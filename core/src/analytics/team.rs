//! Salesperson and business-unit performance: revenue, margin, new and lost customers, plan
//! attainment, and comparison with the previous period and last year.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{CustomerId, InvoiceKind, ProductId, TargetScope};

/// Which team a performance row is for.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Team {
    /// A salesperson (the customers they are in charge of).
    Salesperson,
    /// A business unit (the customers it serves).
    BusinessUnit,
}

/// A team's performance over a period.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamPerformance {
    /// The salesperson or BU id.
    pub member: String,
    /// Net invoiced revenue.
    pub revenue: Decimal,
    /// Revenue minus standard cost of the goods invoiced (credit notes reduce both).
    pub margin: Decimal,
    /// Customers whose first invoice ever falls in the period.
    pub new_customers: usize,
    /// Customers who bought in the period before and not in this one.
    pub lost_customers: usize,
    /// The plan for the period: the team's own targets, else its customers' targets.
    pub plan: Option<Decimal>,
    /// Revenue over plan.
    pub attainment: Option<Decimal>,
    /// Revenue of the period of the same length just before.
    pub revenue_previous: Decimal,
    /// Revenue of the same period a year earlier.
    pub revenue_last_year: Decimal,
}

/// Performance of every salesperson or BU over `[from, to]`, sorted by revenue.
pub fn team_performance(dataset: &Dataset, team: Team, from: NaiveDate, to: NaiveDate) -> Result<Vec<TeamPerformance>> {
    if to < from {
        return Err(OmoError::InvalidArgument { name: "to", message: format!("{to} is before {from}") });
    }
    let team_of: HashMap<&CustomerId, String> = dataset
        .customers
        .iter()
        .filter_map(|c| {
            let member = match team {
                Team::Salesperson => c.salesperson.as_ref()?.to_string(),
                Team::BusinessUnit => c.business_unit.to_string(),
            };
            Some((&c.id, member))
        })
        .collect();
    let cost: HashMap<&ProductId, Decimal> = dataset.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    let length = u64::try_from((to - from).num_days() + 1).unwrap_or(1);
    // The period before starts at the calendar's first day at the earliest; a period starting
    // there has none before it.
    let previous = from.pred_opt().map(|day_before| (crate::kpi::days_before(from, length), day_before));
    let year = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    let mut rows: BTreeMap<String, TeamPerformance> = BTreeMap::new();
    let mut first_invoice: HashMap<&CustomerId, NaiveDate> = HashMap::new();
    let mut bought: BTreeMap<(&String, bool), BTreeSet<&CustomerId>> = BTreeMap::new();
    for invoice in &dataset.invoices {
        let Some(member) = team_of.get(&invoice.customer) else { continue };
        if invoice.kind == InvoiceKind::Invoice {
            let first = first_invoice.entry(&invoice.customer).or_insert(invoice.date);
            *first = (*first).min(invoice.date);
        }
        let row = rows.entry(member.clone()).or_insert_with(|| empty(member));
        let amount = invoice.signed_amount();
        let sign = if invoice.kind == InvoiceKind::CreditNote { Decimal::NEGATIVE_ONE } else { Decimal::ONE };
        if invoice.date >= from && invoice.date <= to {
            row.revenue += amount;
            row.margin += amount
                - sign
                    * invoice
                        .lines
                        .iter()
                        .map(|l| l.quantity * cost.get(&l.product).copied().unwrap_or_default())
                        .sum::<Decimal>();
            bought.entry((member, true)).or_default().insert(&invoice.customer);
        } else if previous.is_some_and(|(first, last)| invoice.date >= first && invoice.date <= last) {
            row.revenue_previous += amount;
            bought.entry((member, false)).or_default().insert(&invoice.customer);
        }
        if invoice.date >= year(from) && invoice.date <= year(to) {
            row.revenue_last_year += amount;
        }
    }
    for (member, row) in rows.iter_mut() {
        let now = bought.get(&(member, true)).cloned().unwrap_or_default();
        let before = bought.get(&(member, false)).cloned().unwrap_or_default();
        row.lost_customers = before.difference(&now).count();
        row.new_customers = now.iter().filter(|c| first_invoice.get(*c).is_some_and(|d| *d >= from)).count();
        let own: Decimal = dataset
            .sales_targets
            .iter()
            .filter(|t| t.month >= from && t.month <= to)
            .filter(|t| match (&t.scope, team) {
                (TargetScope::Salesperson(s), Team::Salesperson) => s.as_str() == member,
                (TargetScope::BusinessUnit(b), Team::BusinessUnit) => b.as_str() == member,
                _ => false,
            })
            .map(|t| t.revenue)
            .sum();
        let customers: Decimal = dataset
            .sales_targets
            .iter()
            .filter(|t| t.month >= from && t.month <= to)
            .filter(|t| matches!(&t.scope, TargetScope::Customer(c) if team_of.get(c) == Some(member)))
            .map(|t| t.revenue)
            .sum();
        row.plan = [own, customers].into_iter().find(|p| !p.is_zero());
        row.attainment = row.plan.map(|p| row.revenue / p);
    }
    let mut out: Vec<TeamPerformance> = rows.into_values().collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.revenue));
    Ok(out)
}

fn empty(member: &str) -> TeamPerformance {
    TeamPerformance {
        member: member.to_owned(),
        revenue: Decimal::ZERO,
        margin: Decimal::ZERO,
        new_customers: 0,
        lost_customers: 0,
        plan: None,
        attainment: None,
        revenue_previous: Decimal::ZERO,
        revenue_last_year: Decimal::ZERO,
    }
}
