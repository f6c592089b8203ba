//! The S-P-I ledger: hand-worked cases, bad input, and properties over random movement streams.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use omo_core::OmoError;
use omo_core::model::{MovementKind, MovementKind::*, NodeId, ProductId, StockMovement};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn mv(node: &str, product: &str, date: NaiveDate, kind: MovementKind, q: i64) -> StockMovement {
    StockMovement::new(NodeId::new(node).unwrap(), ProductId::new(product).unwrap(), date, kind, Decimal::from(q))
        .unwrap()
}

/// Each row's days of cover reads the window the definition gives: the row and those before
/// it, back to the first that brings the days to the window's length (or the pair's first row),
/// for windows from none to every day there is (summed here row by row, the window kept as it
/// slides there), by day and by month over a sample company's history.
#[test]
fn the_cover_window_is_the_rows_back_to_its_length_for_any_length() {
    let company = sample_company(&SampleConfig::small(5)).unwrap();
    for (period, windows) in [(Period::Day, &[0, 1, 30, 90][..]), (Period::Month, &[0, 59, 400, u32::MAX][..])] {
        let rows = build_ledger(&company.movements, &[], LedgerOptions { period, allow_negative: false }).unwrap();
        let mut runs: BTreeMap<(&NodeId, &ProductId), Vec<usize>> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            runs.entry((&row.node, &row.product)).or_default().push(i);
        }
        for runs in runs.values_mut() {
            runs.sort_by_key(|&i| rows[i].period);
        }
        for &window in windows {
            let measures = derive_measures(&rows, period, MeasureOptions { cover_window_days: window });
            for run in runs.values() {
                for (position, &i) in run.iter().enumerate() {
                    let (mut sales, mut days) = (Decimal::ZERO, 0u32);
                    for &j in run[..=position].iter().rev() {
                        sales += rows[j].flows.sales - rows[j].flows.customer_returns;
                        days += period.days_in(rows[j].period);
                        if days >= window {
                            break;
                        }
                    }
                    let expected = days_of_cover(rows[i].flows.closing, sales, days).and_then(|d| d.try_into().ok());
                    assert_eq!(measures[i].days_of_cover, expected, "{period:?}, window {window}, row {i}");
                }
            }
        }
    }
}

/// The measures of rows at the ends of a decimal's range read as the largest decimal instead of
/// panicking (the ledger fuzz campaign, seed 37: a year whose average stock was 2 x 10^-28 units
/// divided its 852 units of sales and overflowed): a turnover past `Decimal::MAX` saturates
/// there, and sales net of returns of -1 at `Decimal::MAX` too; the values that fit stay exact.
#[test]
fn measures_past_a_decimals_range_saturate() {
    let row = |year: i32, flows: SpiFlows| SpiRow {
        node: NodeId::new("DC").unwrap(),
        product: ProductId::new("UREA").unwrap(),
        period: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        flows,
    };
    let tiny = Decimal::new(3, 28);
    let rows = [
        row(2024, SpiFlows { receipts: tiny, sales: Decimal::from(852), closing: tiny, ..SpiFlows::default() }),
        row(2025, SpiFlows { sales: Decimal::MAX, customer_returns: Decimal::NEGATIVE_ONE, ..SpiFlows::default() }),
    ];
    let measures = derive_measures(&rows, Period::Year, MeasureOptions::default());
    let largest = Some(7.922816251426434e28);
    assert_eq!(measures[0].turnover, largest);
    assert_eq!(measures[1].sales_change, Some(Decimal::MAX - Decimal::from(852)));
    let change = (Decimal::MAX - Decimal::from(852)) / Decimal::from(852);
    assert_eq!(measures[1].sales_change_ratio, change.to_f64());
    assert_eq!(measures[1].turnover, None);
    assert_eq!(rows[1].flows.net_sales(), Decimal::MAX);
}

#[test]
fn a_hand_worked_quarter() {
    // January: +100 received, -30 sold, +2 returned by a customer, -10 to another site.
    // February: nothing. March: -5 found missing at a count, +20 transferred in, -40 sold,
    // -7 back to the supplier.
    let moves = vec![
        mv("DC", "UREA", day(3, 9), Sale, 40),
        mv("DC", "UREA", day(1, 3), Receipt, 100),
        mv("DC", "UREA", day(1, 10), Sale, 30),
        mv("DC", "UREA", day(1, 11), CustomerReturn, 2),
        mv("DC", "UREA", day(1, 31), TransferOut, 10),
        mv("DC", "UREA", day(3, 1), Adjustment, -5),
        mv("DC", "UREA", day(3, 2), TransferIn, 20),
        mv("DC", "UREA", day(3, 30), SupplierReturn, 7),
    ];
    let opening = [OpeningStock {
        node: NodeId::new("DC").unwrap(),
        product: ProductId::new("UREA").unwrap(),
        quantity: Decimal::from(8),
    }];
    let rows = build_ledger(&moves, &opening, LedgerOptions::default()).unwrap();
    let closing: Vec<i64> = rows.iter().map(|r| r.flows.closing.try_into().unwrap()).collect();
    // 8 + 100 - 30 + 2 - 10 = 70; February 70; 70 - 5 + 20 - 40 - 7 = 38.
    assert_eq!(closing, [70, 70, 38]);
    assert_eq!(rows[0].period, day(1, 1));
    assert_eq!(rows[1].period, day(2, 1));
    assert_eq!(
        rows[1].flows,
        SpiFlows { opening: Decimal::from(70), closing: Decimal::from(70), ..SpiFlows::default() }
    );
    assert_eq!(rows[2].flows.adjustments, Decimal::from(-5));
    assert_eq!(rows[2].flows.supplier_returns, Decimal::from(7));

    let measures = derive_measures(&rows, Period::Month, MeasureOptions { cover_window_days: 59 });
    // January: sell-through 30 / (8 + 100); net sales 28; turnover 28 / ((8 + 70) / 2).
    assert!((measures[0].sell_through.unwrap() - 30.0 / 108.0).abs() < 1e-12);
    assert!((measures[0].turnover.unwrap() - 28.0 / 39.0).abs() < 1e-12);
    // February: no sales; its 59-day window is Feb + Jan = 59 days with 28 net sales:
    // cover = 70 / (28 / 59).
    assert!((measures[1].days_of_cover.unwrap() - 70.0 * 59.0 / 28.0).abs() < 1e-9);
    assert_eq!(measures[1].stock_to_sales, None);
    assert_eq!(measures[1].sales_change, Some(Decimal::from(-28)));
    // March: window March (31) + February (28) = 59 days with 40 net sales.
    assert!((measures[2].days_of_cover.unwrap() - 38.0 * 59.0 / 40.0).abs() < 1e-9);
    assert_eq!(measures[2].sales_vs_last_year, None);
}

#[test]
fn the_first_day_below_zero_is_named() {
    let moves = vec![
        mv("R-7", "NPK", day(1, 2), Receipt, 10),
        mv("R-7", "NPK", day(1, 20), Sale, 6),
        mv("R-7", "NPK", day(1, 25), Sale, 6), // -2 at the end of the 25th
        mv("R-7", "NPK", day(1, 28), Receipt, 10),
        mv("OTHER", "NPK", day(1, 26), Sale, 1), // later than the 25th
    ];
    let err = build_ledger(&moves, &[], LedgerOptions::default()).unwrap_err();
    // R-7 dips on the 25th, before OTHER on the 26th: the earliest day is named.
    let expected = OmoError::NegativeStock {
        node: "R-7".into(),
        product: "NPK".into(),
        date: day(1, 25),
        before: Decimal::from(4),
        change: Decimal::from(-6),
        after: Decimal::from(-2),
    };
    assert_eq!(err, expected);
    assert_eq!(err.to_string(), "stock of NPK at R-7 would go negative on 2025-01-25: 4 on hand, change -6, -2 after");
    // Allowed, the same stream books the dip.
    let rows = build_ledger(&moves, &[], LedgerOptions { allow_negative: true, ..LedgerOptions::default() }).unwrap();
    assert_eq!(rows.iter().find(|r| r.node.as_str() == "R-7").unwrap().flows.closing, Decimal::from(8));
}

#[test]
fn bad_quantities_are_named_by_row() {
    let mut zero = mv("DC", "UREA", day(1, 3), Receipt, 1);
    zero.quantity = Decimal::ZERO;
    let mut negative = mv("DC", "UREA", day(1, 3), Sale, 1);
    negative.quantity = Decimal::from(-3);
    // At the limit of a billion units, in whole and in decimal form; one unit (or a thousandth)
    // more is refused, and only an adjustment may be negative.
    let at = |kind, quantity: Decimal| {
        let mut m = mv("DC", "UREA", day(1, 4), kind, 1);
        m.quantity = quantity;
        m
    };
    let billion = Decimal::from(1_000_000_000);
    let moves = vec![
        mv("DC", "UREA", day(1, 2), Receipt, 5),
        zero,
        negative,
        at(Receipt, billion),
        at(Receipt, billion + Decimal::ONE),
        at(Receipt, Decimal::new(1_000_000_000_000, 3)),
        at(Receipt, Decimal::new(1_000_000_000_001, 3)),
        at(Adjustment, -billion),
        at(Adjustment, -billion - Decimal::ONE),
        at(Adjustment, Decimal::from(-7)),
        at(Sale, Decimal::new(-25, 1)),
    ];
    let OmoError::Invalid { issues } = build_ledger(&moves, &[], LedgerOptions::default()).unwrap_err() else {
        panic!()
    };
    assert_eq!(issues.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["#1", "#2", "#4", "#6", "#8", "#10"]);
    assert!(
        issues[1].message.contains("sale of UREA at DC on 2025-01-03: quantity -3 must be positive"),
        "{}",
        issues[1]
    );
}

/// A pair's ledger holds a row for every period between its first and last movement, up to a
/// hundred years of days (36,525: 2000-01-01 to 2099-12-31); a day more, as a mistyped year far
/// from the rest would ask, is refused naming the row of the far movement, while a month's
/// ledger of the same movements (1,201 rows) is built. A roll-up's group is held to the same.
#[test]
fn a_pair_spanning_more_than_a_hundred_years_of_days_is_refused_naming_its_row() {
    let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    let moves = |last: NaiveDate| {
        vec![
            mv("DC", "UREA", start, Receipt, 10),
            mv("DC", "DAP", day(3, 1), Receipt, 4),
            mv("DC", "UREA", last, Sale, 3),
        ]
    };
    let by = |period| LedgerOptions { period, allow_negative: false };
    let edge = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
    let rows = build_ledger(&moves(edge), &[], by(Period::Day)).unwrap();
    assert_eq!(rows.iter().filter(|r| r.product.as_str() == "UREA").count(), 36_525);
    assert_eq!(rows.last().unwrap().flows.closing, Decimal::from(7));

    let past = edge + Days::new(1);
    let OmoError::Invalid { issues } = build_ledger(&moves(past), &[], by(Period::Day)).unwrap_err() else { panic!() };
    assert_eq!(
        (issues[0].entity.as_str(), issues[0].id.as_str(), issues[0].field.as_str()),
        ("stock_movement", "#2", "date")
    );
    assert!(
        issues[0]
            .message
            .contains("UREA at DC: movements from the day of 2000-01-01 to the day of 2100-01-01 span 36526 days"),
        "{}",
        issues[0]
    );
    assert_eq!(build_ledger(&moves(past), &[], by(Period::Month)).unwrap().len(), 1_201 + 1);

    let mut company = sample_company(&SampleConfig::small(2)).unwrap();
    let first = company.movements.iter().map(|m| m.date).min().unwrap();
    let mut early = company.movements.iter().find(|m| m.kind == Receipt).unwrap().clone();
    early.date = first - Days::new(36_600);
    company.movements.push(early);
    let refused = roll_up(&company, Period::Day, &NodeLevel::Company, &ProductLevel::All).unwrap_err();
    assert!(matches!(&refused, OmoError::InvalidArgument { name: "movements", .. }), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains(&format!("group (\"ALL\", \"ALL\"): movements from the day of {}", first - Days::new(36_600))),
        "{refused}"
    );
    assert!(roll_up(&company, Period::Month, &NodeLevel::Company, &ProductLevel::All).is_ok());
}

#[test]
fn the_dataset_ledger_refuses_unknown_nodes_and_late_movements() {
    let mut company = sample_company(&SampleConfig::small(2)).unwrap();
    let rows = dataset_ledger(&company, LedgerOptions::default()).unwrap();
    assert!(rows.iter().all(|r| r.flows.closing >= Decimal::ZERO));
    company.movements[3].node = NodeId::new("NOWHERE").unwrap();
    company.movements[4].date = company.as_of + Days::new(1);
    let OmoError::Invalid { issues } = dataset_ledger(&company, LedgerOptions::default()).unwrap_err() else {
        panic!()
    };
    let fields: Vec<_> = issues.iter().map(|i| (i.id.as_str(), i.field.as_str())).collect();
    assert_eq!(fields, [("#3", "node"), ("#4", "as_of")]);
}

#[test]
fn the_sample_company_ledger_never_goes_negative_in_any_bucket() {
    let company = sample_company(&SampleConfig::small(8)).unwrap();
    for period in [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year] {
        let rows = build_ledger(&company.movements, &[], LedgerOptions { period, allow_negative: false }).unwrap();
        let total: Decimal = company.movements.iter().map(StockMovement::stock_change).sum();
        // The last row of every pair carries that pair's stock: together, everything ever moved.
        let mut last: BTreeMap<(&NodeId, &ProductId), Decimal> = BTreeMap::new();
        for r in &rows {
            last.insert((&r.node, &r.product), r.flows.closing);
        }
        assert_eq!(last.values().copied().sum::<Decimal>(), total, "{period:?}");
    }
}

/// Movements of 3 nodes and 2 products over about a year, or (one case in three) over eight
/// years: by day, those pairs span more buckets than the ledger adds at once (it adds big ledgers
/// block by block). Quantities are whole, or have decimals, or (rarely) have more digits than
/// 32 bits hold, which the ledger stages apart.
fn arb_movements() -> impl Strategy<Value = Vec<StockMovement>> {
    let kinds = prop::sample::select(MovementKind::ALL.to_vec());
    let span = prop_oneof![2 => Just(400u64), 1 => Just(3000u64)];
    let quantity = prop_oneof![
        6 => (1i64..50).prop_map(Decimal::from),
        2 => (1i64..50_000).prop_map(|q| Decimal::new(q, 3)),
        1 => (1i64..1000).prop_map(|q| Decimal::new(q * 1_000_000_007, 5)),
    ];
    let raw = span.prop_flat_map(move |span| {
        prop::collection::vec(
            (0usize..3, 0usize..2, 0u64..span, kinds.clone(), quantity.clone(), any::<bool>()),
            1..120,
        )
    });
    raw.prop_map(|raw| {
        raw.into_iter()
            .map(|(n, p, offset, kind, q, negative)| {
                let q = if kind == Adjustment && negative { -q } else { q };
                let (node, product) =
                    (NodeId::new(["A", "B", "C"][n]).unwrap(), ProductId::new(["X", "Y"][p]).unwrap());
                StockMovement::new(node, product, day(1, 1) + Days::new(offset), kind, q).unwrap()
            })
            .collect()
    })
}

proptest! {
    /// Conservation and chaining hold in every bucket, rows have no gaps, and the columns are the
    /// plain sums of the movements of each node, product and period.
    #[test]
    fn conservation_chaining_and_sums(moves in arb_movements(), which in 0usize..5) {
        let period = [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year][which];
        let rows = build_ledger(&moves, &[], LedgerOptions { period, allow_negative: true }).unwrap();
        let mut expected: BTreeMap<(String, String, NaiveDate), SpiFlows> = BTreeMap::new();
        for m in &moves {
            expected.entry((m.node.to_string(), m.product.to_string(), period.start_of(m.date))).or_default().add(m.kind, m.quantity);
        }
        for pair in rows.chunk_by(|a, b| a.node == b.node && a.product == b.product) {
            prop_assert_eq!(pair[0].flows.opening, Decimal::ZERO);
            for w in pair.windows(2) {
                prop_assert_eq!(w[1].flows.opening, w[0].flows.closing);
                prop_assert_eq!(period.number(w[1].period), period.number(w[0].period) + 1);
            }
        }
        for r in &rows {
            let f = &r.flows;
            prop_assert_eq!(f.closing, f.opening + f.receipts + f.customer_returns + f.transfers_in + f.adjustments - f.sales - f.supplier_returns - f.transfers_out);
            let mut columns = expected.remove(&(r.node.to_string(), r.product.to_string(), r.period)).unwrap_or_default();
            columns.opening = f.opening;
            columns.closing = f.closing;
            prop_assert_eq!(&columns, f);
        }
        prop_assert!(expected.is_empty(), "movements without a row: {:?}", expected.keys().collect::<Vec<_>>());
    }

    /// With negative stock refused, the ledger fails exactly when a day-by-day replay dips below
    /// zero, and names the earliest such day.
    #[test]
    fn negative_stock_is_found_exactly(moves in arb_movements(), daily in any::<bool>()) {
        let mut by_day: BTreeMap<(NaiveDate, String, String), Decimal> = BTreeMap::new();
        for m in &moves {
            *by_day.entry((m.date, m.node.to_string(), m.product.to_string())).or_default() += m.stock_change();
        }
        let mut stock: BTreeMap<(String, String), Decimal> = BTreeMap::new();
        let mut first_dip = None;
        for ((date, node, product), change) in by_day {
            let s = stock.entry((node.clone(), product.clone())).or_default();
            *s += change;
            if *s < Decimal::ZERO && first_dip.is_none() {
                first_dip = Some((date, node, product));
            }
        }
        let period = if daily { Period::Day } else { Period::Month };
        match (build_ledger(&moves, &[], LedgerOptions { period, allow_negative: false }), first_dip) {
            (Ok(_), None) => {}
            (Err(OmoError::NegativeStock { node, product, date, .. }), Some(dip)) => prop_assert_eq!((date, node, product), dip),
            (result, dip) => prop_assert!(false, "ledger {:?} but replay {:?}", result.map(|r| r.len()), dip),
        }
    }
}
