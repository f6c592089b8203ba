//! The sample company is deterministic, valid, and shows the patterns it claims.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use omo_core::Dataset;
use omo_core::model::*;
use omo_core::sample::{SampleConfig, sample_company};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

fn company() -> &'static Dataset {
    static COMPANY: OnceLock<Dataset> = OnceLock::new();
    COMPANY.get_or_init(|| sample_company(&SampleConfig::default()).unwrap())
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = sample_company(&SampleConfig::small(11)).unwrap();
    let b = sample_company(&SampleConfig::small(11)).unwrap();
    let c = sample_company(&SampleConfig::small(12)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.pos_sales, c.pos_sales);
    assert_eq!(company(), &sample_company(&SampleConfig::default()).unwrap());
}

#[test]
fn it_has_the_size_the_articles_describe_and_validates() {
    let d = company();
    assert!(d.validate().is_ok(), "{:?}", d.validate().issues.first());
    let count = |kind| d.customers.iter().filter(|c| c.kind == kind).count();
    assert_eq!(count(CustomerKind::Distributor), 8);
    assert_eq!(count(CustomerKind::Retailer), 80);
    assert_eq!(count(CustomerKind::EndUser), 3_000);
    assert_eq!(d.products.len(), 20);
    assert_eq!(d.categories.iter().filter(|c| c.parent.is_some()).count(), 4);
    assert_eq!(d.bundles.len(), 3);
    assert_eq!(d.regions.iter().filter(|r| r.parent.is_some()).count(), 4);
    assert_eq!(d.business_units.iter().filter(|b| b.parent.is_some()).count(), 2);
    assert!(d.nodes.iter().any(|n| n.kind == NodeKind::OemSupplier && n.holds_consigned_stock()));
    let days: std::collections::HashSet<NaiveDate> = d.pos_sales.iter().map(|s| s.date).collect();
    assert!(days.len() > 3 * 360, "POS data on {} days only", days.len());
    assert_eq!(d.as_of, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
}

/// End-of-day stock per node and product never goes below zero, and the simulation's counts
/// match the book stock except where it says stock went missing.
#[test]
fn stock_never_goes_negative_and_counts_mostly_match_the_book() {
    let d = company();
    let mut by_day: BTreeMap<(NaiveDate, &NodeId, &ProductId), Decimal> = BTreeMap::new();
    for m in &d.movements {
        *by_day.entry((m.date, &m.node, &m.product)).or_default() += m.stock_change();
    }
    let mut stock: HashMap<(&NodeId, &ProductId), Decimal> = HashMap::new();
    let mut counts: Vec<&StockCount> = d.counts.iter().collect();
    counts.sort_by_key(|c| c.date);
    let mut pending = counts.iter().peekable();
    let mut at_counts: HashMap<(NaiveDate, &NodeId, &ProductId), Decimal> = HashMap::new();
    for ((date, node, product), change) in by_day {
        // Counts are taken at the end of their day: settle those of earlier days first.
        while let Some(count) = pending.next_if(|c| c.date < date) {
            let book = stock.get(&(&count.node, &count.product)).copied().unwrap_or_default();
            at_counts.insert((count.date, &count.node, &count.product), book);
        }
        let s = stock.entry((node, product)).or_default();
        *s += change;
        assert!(*s >= Decimal::ZERO, "{node} {product} at {date}: {s}");
    }
    for count in pending {
        let book = stock.get(&(&count.node, &count.product)).copied().unwrap_or_default();
        at_counts.insert((count.date, &count.node, &count.product), book);
    }
    let differences =
        d.counts.iter().filter(|c| at_counts.get(&(c.date, &c.node, &c.product)) != Some(&c.counted)).count();
    assert!(differences > 0, "no book-vs-physical differences");
    assert!(differences * 10 < d.counts.len(), "{differences} of {} counts differ", d.counts.len());
    // Every count found no more than the book: stock only goes missing.
    assert!(
        d.counts.iter().all(|c| at_counts.get(&(c.date, &c.node, &c.product)).is_some_and(|book| c.counted <= *book))
    );
}

#[test]
fn spring_outsells_winter_every_year() {
    let d = company();
    for year in 2023..=2025 {
        let volume = |months: &[u32]| -> Decimal {
            d.pos_sales
                .iter()
                .filter(|s| s.date.year() == year && months.contains(&s.date.month()))
                .map(|s| s.quantity)
                .sum()
        };
        let spring = volume(&[3, 4, 5]);
        let winter = volume(&[1, 2, 12]);
        assert!(spring > winter * Decimal::from(3), "{year}: spring {spring} vs winter {winter}");
    }
}

#[test]
fn late_payers_pay_late_and_punctual_ones_do_not() {
    let d = company();
    let due: HashMap<&InvoiceId, NaiveDate> = d.invoices.iter().map(|i| (&i.id, i.due_date)).collect();
    let mut late: HashMap<&CustomerId, (f64, f64)> = HashMap::new();
    for p in &d.payments {
        for a in &p.allocations {
            // Deposits are paid before their invoices exist: count only payments after the invoice.
            let Some(due) = due.get(&a.invoice) else { continue };
            let days = (p.date - *due).num_days() as f64;
            if p.date >= *due - chrono::Days::new(40) {
                let entry = late.entry(&p.customer).or_default();
                entry.0 += days * a.amount.to_f64().unwrap();
                entry.1 += a.amount.to_f64().unwrap();
            }
        }
    }
    let average = |id: &str| {
        let (weighted, amount) = late[&CustomerId::new(id).unwrap()];
        weighted / amount
    };
    assert!(average("D-01") <= 0.5, "punctual D-01: {}", average("D-01"));
    assert!(average("D-03") > 30.0, "chronically late D-03: {}", average("D-03"));
    assert!(average("G-01") > 45.0, "government buyer: {}", average("G-01"));
    // At the snapshot some invoices are still open: payments cover less than was invoiced.
    let invoiced: Decimal = d.invoices.iter().map(Invoice::signed_amount).sum();
    let paid: Decimal = d.payments.iter().map(|p| p.amount).sum();
    assert!(paid < invoiced);
}

#[test]
fn discontinued_products_stop_selling_but_leave_dead_stock() {
    let d = company();
    let dead: Vec<&ProductId> =
        d.products.iter().filter(|p| p.status == LifecycleStatus::Discontinued).map(|p| &p.id).collect();
    assert_eq!(dead.len(), 2);
    let last_year = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for product in dead {
        assert!(d.pos_sales.iter().any(|s| &s.product == product && s.date < last_year));
        assert!(!d.pos_sales.iter().any(|s| &s.product == product && s.date >= last_year));
        let left: Decimal = d.movements.iter().filter(|m| &m.product == product).map(StockMovement::stock_change).sum();
        assert!(left > Decimal::ZERO, "{product}: no stock left");
    }
}

#[test]
fn some_products_sell_only_now_and_then() {
    let d = company();
    let retailers = d.nodes.iter().filter(|n| n.kind == NodeKind::Retailer).count() as f64;
    let share_of_days = |sku: &str| {
        let rows = d.pos_sales.iter().filter(|s| s.product.as_str() == sku).count() as f64;
        rows / (retailers * 1096.0)
    };
    assert!(share_of_days("WS-TRACE-5") < 0.02, "{}", share_of_days("WS-TRACE-5"));
    assert!(share_of_days("UREA-46-50") > 0.3, "{}", share_of_days("UREA-46-50"));
}

#[test]
fn some_shipments_are_late_and_sell_in_follows_sell_out() {
    let d = company();
    let delivered: Vec<&Shipment> = d.shipments.iter().filter(|s| s.delivered_date.is_some()).collect();
    let late = delivered.iter().filter(|s| s.on_time() == Some(false)).count() as f64 / delivered.len() as f64;
    assert!((0.03..0.3).contains(&late), "late share {late}");
    // Over a year, what the maker ships into the channel is close to what farmers buy.
    let year = |date: NaiveDate| date.year() == 2024;
    let sell_out: Decimal = d.pos_sales.iter().filter(|s| year(s.date)).map(|s| s.quantity).sum();
    let sell_in: Decimal = d
        .invoices
        .iter()
        .filter(|i| year(i.date))
        .flat_map(|i| {
            i.lines.iter().map(move |l| if i.kind == InvoiceKind::CreditNote { -l.quantity } else { l.quantity })
        })
        .sum();
    let ratio = (sell_in / sell_out).to_f64().unwrap();
    assert!((0.8..1.25).contains(&ratio), "sell-in / sell-out = {ratio}");
    // Orders placed in the last days are still open, or shipped but not invoiced.
    assert!(d.orders.iter().any(|o| matches!(o.status, OrderStatus::Open | OrderStatus::Shipped)));
}

#[test]
fn prepaid_orders_hold_deposits_and_are_picked_up_in_spring() {
    let d = company();
    assert_eq!(d.prepaid_orders.len(), 3 * 8);
    for order in &d.prepaid_orders {
        assert_eq!(order.deposit, (order.total() * Decimal::new(30, 2)).round_dp(2));
        assert!(!order.pickups.is_empty(), "{} never picked up", order.id);
        assert!(order.pickups.iter().all(|p| (3..=4).contains(&p.date.month())));
    }
}

#[test]
fn a_one_year_company_of_a_few_customers_is_sound() {
    let config = SampleConfig {
        seed: 7,
        distributors: 2,
        retailers_per_distributor: 2,
        farmers: 20,
        years: 1,
        ..SampleConfig::default()
    };
    let company = sample_company(&config).unwrap();
    assert!(company.validate().is_ok());
    assert_eq!(company.customers.iter().filter(|c| c.kind == omo_core::model::CustomerKind::Distributor).count(), 2);
    // Every account gets a limit from the year's own purchases (there is no year before it).
    assert!(!company.credit_accounts.is_empty());
    for account in &company.credit_accounts {
        assert!(account.limit > rust_decimal::Decimal::ZERO, "{} has limit {}", account.customer, account.limit);
    }
}
