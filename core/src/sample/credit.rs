//! The sample company's credit accounts, set the way a credit manager would have at the start of
//! the last year: from each customer's purchases and how it paid.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;

use super::master::{Account, Layout, PayHabit};
use crate::credit::{AuditStamp, CreditAccount, RiskClass};
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::InvoiceKind;

pub(crate) fn credit_accounts(d: &mut Dataset, layout: &Layout, end: NaiveDate) -> Result<()> {
    let review = NaiveDate::from_ymd_opt(end.year(), 1, 1).unwrap_or(end);
    let year_before = review - Days::new(365);
    let accounts: Vec<&Account> = layout.distributors.iter().map(|s| &s.account).chain(&layout.direct).collect();
    for (i, account) in accounts.into_iter().enumerate() {
        let bought = |from: NaiveDate, until: NaiveDate| -> Decimal {
            d.invoices
                .iter()
                .filter(|inv| inv.customer == account.customer && inv.date >= from && inv.date < until)
                .map(|inv| if inv.kind == InvoiceKind::CreditNote { -inv.amount() } else { inv.amount() })
                .sum()
        };
        // A company simulated for one year has no year before its review: the committee then
        // judges by the year's own purchases (its declared volume), so no distributor starts
        // with a limit of zero.
        let purchases = match bought(year_before, review) {
            p if p > Decimal::ZERO => p,
            _ => bought(review, end + Days::new(1)),
        };
        let (factor, class) = match account.habit {
            PayHabit::Punctual => (Decimal::new(14, 1), RiskClass::A),
            PayHabit::SlightlyLate => (Decimal::new(11, 1), RiskClass::B),
            PayHabit::InParts => (Decimal::new(9, 1), RiskClass::C),
            PayHabit::ChronicallyLate => (Decimal::new(7, 1), RiskClass::D),
            PayHabit::Bureaucratic => (Decimal::new(12, 1), RiskClass::C),
        };
        let months = Decimal::from(account.terms_days) / Decimal::from(30) + Decimal::ONE;
        let limit =
            (purchases / Decimal::from(12) * months * factor / Decimal::from(1000)).ceil() * Decimal::from(1000);
        let mut credit =
            CreditAccount::new(account.customer.clone(), Decimal::ZERO, account.terms_days as u32, d.currency.clone())?;
        let committee = |why: &str| AuditStamp::new(review, "credit committee", why);
        credit.set_limit(limit, &committee("annual review from last year's purchases and payments"))?;
        credit.set_risk_class(class, &committee("annual review of the payment habits"));
        // The spring season gets a temporary increase for every other distributor that has a limit.
        let spring_from = NaiveDate::from_ymd_opt(review.year(), 2, 15).unwrap_or(review);
        let spring_until = NaiveDate::from_ymd_opt(review.year(), 5, 31).unwrap_or(review);
        if i % 2 == 0 && limit > Decimal::ZERO {
            let increase = (limit / Decimal::from(2)).round_dp(0);
            credit.grant_temporary_increase(increase, spring_from, spring_until, &committee("spring season"))?;
        }
        d.credit_accounts.push(credit);
    }
    Ok(())
}
