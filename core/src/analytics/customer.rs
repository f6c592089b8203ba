//! Customer visibility (客戶看得見): per customer, activity, deals, revenue, average order value,
//! product mix and collection status; and RFM scores with named segments.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use crate::credit::{CreditBook, CreditPolicy};
use crate::dataset::Dataset;
use crate::error::{OmoError, Result};
use crate::model::{CategoryId, CustomerId, CustomerKind, InvoiceKind, ProductId};

/// Whether a customer still buys.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Bought within the activity window.
    Active,
    /// Bought before, not within the window.
    Dormant,
    /// Never bought.
    Never,
}

impl Activity {
    /// The activity on `day` of a customer whose last purchase was `last`: active when it is at
    /// most `dormant_after_days` before `day`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use omo_core::analytics::Activity;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day);
    /// assert_eq!(Activity::of(d(3, 1), d(5, 30).unwrap(), 90), Activity::Active);
    /// assert_eq!(Activity::of(d(3, 1), d(5, 31).unwrap(), 90), Activity::Dormant);
    /// assert_eq!(Activity::of(None, d(5, 31).unwrap(), 90), Activity::Never);
    /// ```
    pub fn of(last: Option<NaiveDate>, day: NaiveDate, dormant_after_days: u32) -> Self {
        match last {
            None => Activity::Never,
            Some(last) if (day - last).num_days() <= i64::from(dormant_after_days) => Activity::Active,
            Some(_) => Activity::Dormant,
        }
    }
}

/// A product category's share of a customer's gross revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CategoryShare {
    /// The category.
    pub category: CategoryId,
    /// Its share (0 to 1).
    pub share: Decimal,
}

/// One customer at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CustomerSummary {
    /// The customer.
    pub customer: CustomerId,
    /// Tier.
    pub kind: CustomerKind,
    /// Last purchase (invoice or POS sale) up to the assessment day.
    pub last_purchase: Option<NaiveDate>,
    /// Active, dormant or never bought.
    pub activity: Activity,
    /// Purchases (invoices and POS sales) in the window.
    pub deals: usize,
    /// Revenue in the window, net of credit notes.
    pub revenue: Decimal,
    /// Gross revenue per deal in the window.
    pub average_order_value: Option<Decimal>,
    /// Share of the window's gross revenue per product category, largest first.
    pub product_mix: Vec<CategoryShare>,
    /// Open receivables on the assessment day (customers with a credit account).
    pub open_receivables: Decimal,
    /// Of which overdue.
    pub overdue: Decimal,
}

/// Summaries of every customer who bought in `[from, to]` or holds a credit account, sorted by
/// revenue (highest first). A customer is active when its last purchase is within
/// `dormant_after_days` of `to`.
pub fn customer_summaries(
    dataset: &Dataset,
    from: NaiveDate,
    to: NaiveDate,
    dormant_after_days: u32,
) -> Result<Vec<CustomerSummary>> {
    if to < from {
        return Err(OmoError::InvalidArgument { name: "to", message: format!("{to} is before {from}") });
    }
    let category: HashMap<&ProductId, &CategoryId> = dataset.products.iter().map(|p| (&p.id, &p.category)).collect();
    #[derive(Default)]
    struct Tally<'a> {
        last: Option<NaiveDate>,
        deals: usize,
        net: Decimal,
        gross: Decimal,
        mix: BTreeMap<&'a CategoryId, Decimal>,
    }
    let mut tallies: HashMap<&CustomerId, Tally> = HashMap::new();
    for invoice in dataset.invoices.iter().filter(|i| i.date <= to) {
        let tally = tallies.entry(&invoice.customer).or_default();
        if invoice.kind == InvoiceKind::Invoice {
            tally.last = tally.last.max(Some(invoice.date));
        }
        if invoice.date < from {
            continue;
        }
        tally.net += invoice.signed_amount();
        if invoice.kind == InvoiceKind::Invoice {
            tally.deals += 1;
            tally.gross += invoice.amount();
            for line in &invoice.lines {
                if let Some(c) = category.get(&line.product) {
                    *tally.mix.entry(c).or_default() += line.amount();
                }
            }
        }
    }
    for sale in dataset.pos_sales.iter().filter(|s| s.date <= to) {
        let Some(customer) = &sale.customer else { continue };
        let tally = tallies.entry(customer).or_default();
        tally.last = tally.last.max(Some(sale.date));
        if sale.date >= from {
            tally.deals += 1;
            tally.net += sale.revenue;
            tally.gross += sale.revenue;
            if let Some(c) = category.get(&sale.product) {
                *tally.mix.entry(c).or_default() += sale.revenue;
            }
        }
    }
    let book = CreditBook::from_dataset(dataset, to, CreditPolicy::default())?;
    let mut out = Vec::new();
    for customer in &dataset.customers {
        let tally = tallies.remove(&customer.id);
        let has_account = book.account(&customer.id).is_some();
        if tally.as_ref().is_none_or(|t| t.deals == 0) && !has_account {
            continue;
        }
        let t = tally.unwrap_or_default();
        let activity = Activity::of(t.last, to, dormant_after_days);
        let mut mix: Vec<CategoryShare> = t
            .mix
            .iter()
            .map(|(c, v)| CategoryShare {
                category: (*c).clone(),
                share: if t.gross.is_zero() { Decimal::ZERO } else { *v / t.gross },
            })
            .collect();
        mix.sort_by_key(|m| std::cmp::Reverse(m.share));
        let overdue = book.receivables().overdue_summary(&customer.id, to, &[]).overdue;
        out.push(CustomerSummary {
            customer: customer.id.clone(),
            kind: customer.kind,
            last_purchase: t.last,
            activity,
            deals: t.deals,
            revenue: t.net,
            average_order_value: (t.deals > 0).then(|| t.gross / Decimal::from(t.deals)),
            product_mix: mix,
            open_receivables: book.receivables().receivable(&customer.id),
            overdue,
        });
    }
    out.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.customer.cmp(&b.customer)));
    Ok(out)
}
