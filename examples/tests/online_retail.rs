//! Imports the whole real Online Retail ledger (541,909 invoice lines) and checks the counts and
//! totals against figures computed independently from the same file with pandas and Python's
//! `decimal` module (see the comments at each figure).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use omo_core::model::{CustomerKind, InvoiceKind, MovementKind};
use rust_decimal::Decimal;

#[test]
fn the_whole_online_retail_ledger_imports_with_exact_counts_and_revenue() {
    let Some(path) = omo_test_support::shared_file("data/online_retail.csv.gz") else { return };
    let ledger = omo_examples::online_retail::import(&path).unwrap();
    let s = &ledger.summary;
    assert_eq!(s.rows, 541_909);
    // Distinct InvoiceNo not starting with "C" among rows that are not write-offs (20,726), and
    // distinct "C" documents plus the two negative-price bad-debt adjustments (3,836 + 2).
    assert_eq!(s.invoices, 20_726);
    assert_eq!(s.credit_notes, 3_838);
    // Rows with a negative quantity, a zero price and no "C" prefix: write-offs.
    assert_eq!(s.stock_adjustments, 1_336);
    // 4,372 distinct CustomerIDs plus the walk-in customer; 4,070 distinct StockCodes.
    assert_eq!(s.customers, 4_373);
    assert_eq!(s.products, 4_070);
    assert_eq!(s.walk_in_rows, 133_744);
    // sum(Quantity x UnitPrice) in exact decimals: invoices, credit notes, and all rows together.
    assert_eq!(s.invoiced, "10666684.544".parse::<Decimal>().unwrap());
    assert_eq!(s.credited, "918936.61".parse::<Decimal>().unwrap());
    assert_eq!(s.net_revenue(), "9747747.934".parse::<Decimal>().unwrap());

    let d = &ledger.dataset;
    assert!(d.validate().is_ok());
    assert_eq!(d.invoices.iter().filter(|i| i.kind == InvoiceKind::CreditNote).count(), 3_838);
    let net: Decimal = d.invoices.iter().map(|i| i.signed_amount()).sum();
    assert_eq!(net.round_dp(2), "9747747.93".parse::<Decimal>().unwrap());
    let written_off: Decimal =
        d.movements.iter().filter(|m| m.kind == MovementKind::Adjustment).map(|m| m.quantity).sum();
    assert_eq!(written_off, Decimal::from(-206_957));
    // The customer's region is the country of its first row: 3,950 customers start in the UK.
    let uk = d
        .customers
        .iter()
        .filter(|c| c.region.as_str() == "United Kingdom" && c.kind == CustomerKind::Retailer)
        .count();
    assert_eq!(uk, 3_950);
    assert_eq!(d.as_of, chrono::NaiveDate::from_ymd_opt(2011, 12, 9).unwrap());
    // "17850.0" became "17850".
    assert!(d.customers.iter().any(|c| c.id.as_str() == "17850"));
}
