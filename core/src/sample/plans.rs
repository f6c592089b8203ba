//! The sample company's sales plans: for every distributor and month after the first year, the
//! same month's invoiced revenue a year earlier plus 8 %, rounded up to a thousand; the company's
//! plan is their sum.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use crate::dataset::Dataset;
use crate::model::{CustomerKind, InvoiceKind, SalesTarget, TargetScope};

pub(crate) fn sales_targets(d: &mut Dataset, start: NaiveDate) {
    let distributors: Vec<_> =
        d.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).map(|c| c.id.clone()).collect();
    let mut monthly: BTreeMap<(usize, NaiveDate), Decimal> = BTreeMap::new();
    for invoice in &d.invoices {
        let Some(i) = distributors.iter().position(|c| c == &invoice.customer) else { continue };
        let Some(month) = NaiveDate::from_ymd_opt(invoice.date.year(), invoice.date.month(), 1) else { continue };
        let signed = if invoice.kind == InvoiceKind::CreditNote { -invoice.amount() } else { invoice.amount() };
        *monthly.entry((i, month)).or_default() += signed;
    }
    let growth = Decimal::new(108, 2);
    let thousand = Decimal::from(1000);
    let mut company: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for ((i, month), revenue) in monthly {
        let Some(next_year) = month.checked_add_months(Months::new(12)) else { continue };
        if next_year > d.as_of || month < start {
            continue;
        }
        let target = (revenue.max(Decimal::ZERO) * growth / thousand).ceil() * thousand;
        *company.entry(next_year).or_default() += target;
        if let Some(customer) = distributors.get(i) {
            d.sales_targets.push(SalesTarget {
                scope: TargetScope::Customer(customer.clone()),
                month: next_year,
                revenue: target,
            });
        }
    }
    for (month, revenue) in company {
        d.sales_targets.push(SalesTarget { scope: TargetScope::Company, month, revenue });
    }
}
