//! RFM: recency, frequency and monetary value scored 1 to 5 by quintile, and named segments.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::dataset::Dataset;
use crate::model::{CustomerId, InvoiceKind};

/// A named RFM segment.
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// R, F and M all 4 or 5: the best customers.
    Champions,
    /// F 4 or 5 and R at least 3: buy often.
    Loyal,
    /// R 4 or 5 and F 1: bought recently for the first time(s).
    New,
    /// R 1 or 2 with F at least 3: good customers slipping away.
    AtRisk,
    /// R and F 1 or 2: gone quiet.
    Hibernating,
    /// Everyone else: room to grow.
    Potential,
}

impl Segment {
    /// The segment of R, F and M scores (rules in the variants' docs, checked in that order).
    pub fn of(r: u8, f: u8, m: u8) -> Segment {
        if r >= 4 && f >= 4 && m >= 4 {
            Segment::Champions
        } else if f >= 4 && r >= 3 {
            Segment::Loyal
        } else if r >= 4 && f == 1 {
            Segment::New
        } else if r <= 2 && f >= 3 {
            Segment::AtRisk
        } else if r <= 2 && f <= 2 {
            Segment::Hibernating
        } else {
            Segment::Potential
        }
    }
}

/// One customer's RFM.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmScore {
    /// The customer.
    pub customer: CustomerId,
    /// Days since the last purchase.
    pub recency_days: i64,
    /// Number of purchases.
    pub frequency: u32,
    /// Money spent.
    pub monetary: Decimal,
    /// Recency score, 5 for the most recent fifth.
    pub r: u8,
    /// Frequency score, 5 for the most frequent fifth.
    pub f: u8,
    /// Monetary score, 5 for the biggest spenders.
    pub m: u8,
    /// The segment.
    pub segment: Segment,
}

/// Quintile scores of `values`: customers ranked from worst to best (ties broken by customer),
/// the customer at rank `i` (0-based) of `n` scores `1 + floor(5 i / n)`.
fn quintiles<K: Ord + Clone, V: Ord + Copy>(values: &[(K, V)], better_is_higher: bool) -> BTreeMap<K, u8> {
    let mut ranked: Vec<&(K, V)> = values.iter().collect();
    ranked.sort_by(|a, b| {
        let by_value = if better_is_higher { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) };
        by_value.then_with(|| a.0.cmp(&b.0))
    });
    let n = ranked.len().max(1);
    ranked.into_iter().enumerate().map(|(i, (k, _))| (k.clone(), 1 + (5 * i / n) as u8)).collect()
}

/// RFM scores of customers from `(customer, days since last purchase, purchases, money spent)`.
///
/// ```
/// use omo_core::analytics::{Segment, rfm_scores};
/// use omo_core::model::CustomerId;
/// use rust_decimal::Decimal;
/// let customer = |i: u32| CustomerId::new(format!("C{i}"));
/// let rows = (0..5).map(|i| Ok((customer(i)?, 50 - 10 * i as i64, i + 1, Decimal::from(100 * (i + 1)))));
/// let scores = rfm_scores(&rows.collect::<Result<Vec<_>, omo_core::OmoError>>()?);
/// assert_eq!((scores[4].r, scores[4].f, scores[4].m, scores[4].segment), (5, 5, 5, Segment::Champions));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn rfm_scores(rows: &[(CustomerId, i64, u32, Decimal)]) -> Vec<RfmScore> {
    let r = quintiles(&rows.iter().map(|(k, days, _, _)| (k.clone(), *days)).collect::<Vec<_>>(), false);
    let f = quintiles(&rows.iter().map(|(k, _, n, _)| (k.clone(), *n)).collect::<Vec<_>>(), true);
    let m = quintiles(&rows.iter().map(|(k, _, _, money)| (k.clone(), *money)).collect::<Vec<_>>(), true);
    rows.iter()
        .map(|(k, days, n, money)| {
            let (r, f, m) =
                (r.get(k).copied().unwrap_or(1), f.get(k).copied().unwrap_or(1), m.get(k).copied().unwrap_or(1));
            RfmScore {
                customer: k.clone(),
                recency_days: *days,
                frequency: *n,
                monetary: *money,
                r,
                f,
                m,
                segment: Segment::of(r, f, m),
            }
        })
        .collect()
}

/// The `count` largest customers of `[from, to]`: by money spent (invoices less credit notes),
/// then by number of invoices, then by id — the one ranking of "top customers" every view shows,
/// each with its RFM score.
///
/// ```
/// use omo_core::analytics::{rfm_from_invoices, top_customers};
/// use omo_core::sample::{SampleConfig, sample_company};
/// let d = sample_company(&SampleConfig::small(7))?;
/// let omo_core::views::Window { from, to } = omo_core::views::Window::trailing(&d, d.as_of, 12);
/// let top = top_customers(&d, from, to, 3);
/// let most = rfm_from_invoices(&d, from, to).into_iter().map(|s| s.monetary).max();
/// assert_eq!(top.len(), 3);
/// assert_eq!(Some(top[0].monetary), most);
/// assert!(top.windows(2).all(|w| w[0].monetary >= w[1].monetary));
/// # Ok::<(), omo_core::OmoError>(())
/// ```
pub fn top_customers(dataset: &Dataset, from: NaiveDate, to: NaiveDate, count: usize) -> Vec<RfmScore> {
    let mut scores = rfm_from_invoices(dataset, from, to);
    scores.sort_by(|a, b| {
        (b.monetary, b.frequency).cmp(&(a.monetary, a.frequency)).then_with(|| a.customer.cmp(&b.customer))
    });
    scores.truncate(count);
    scores
}

/// RFM of every customer with an invoice in `[from, to]`, from the maker's invoices (credit notes
/// reduce money spent), sorted by customer.
pub fn rfm_from_invoices(dataset: &Dataset, from: NaiveDate, to: NaiveDate) -> Vec<RfmScore> {
    let mut tally: BTreeMap<&CustomerId, (NaiveDate, u32, Decimal)> = BTreeMap::new();
    for invoice in dataset.invoices.iter().filter(|i| i.date >= from && i.date <= to) {
        let entry = tally.entry(&invoice.customer).or_insert((invoice.date, 0, Decimal::ZERO));
        entry.2 += invoice.signed_amount();
        if invoice.kind == InvoiceKind::Invoice {
            entry.0 = entry.0.max(invoice.date);
            entry.1 += 1;
        }
    }
    let rows: Vec<(CustomerId, i64, u32, Decimal)> =
        tally.into_iter().map(|(c, (last, n, money))| (c.clone(), (to - last).num_days(), n, money)).collect();
    rfm_scores(&rows)
}
