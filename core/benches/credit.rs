//! Order credit checks against a book of 100,000 customers and 5 million open items, kept up to
//! date incrementally as items are posted. `cargo bench -p omo-core --bench credit`.
//!
//! Reports the time per check; checks per second are its inverse.

use chrono::{Days, NaiveDate};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use omo_core::credit::{CheckMode, CreditAccount, CreditBook, CreditPolicy};
use omo_core::model::{Currency, CustomerId, Invoice, InvoiceId, Payment, PaymentId, ProductId, SalesLine};
use rust_decimal::Decimal;

const CUSTOMERS: usize = 100_000;
const ITEMS_PER_CUSTOMER: usize = 50;

fn book() -> Option<(CreditBook, Vec<CustomerId>)> {
    let cny = Currency::new("CNY").ok()?;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)?;
    let mut book = CreditBook::new(cny.clone(), CreditPolicy::default());
    let product = ProductId::new("P").ok()?;
    let mut customers = Vec::with_capacity(CUSTOMERS);
    for c in 0..CUSTOMERS {
        let id = CustomerId::new(format!("C{c:06}")).ok()?;
        book.open_account(
            CreditAccount::new(id.clone(), Decimal::from(50_000 + (c % 7) * 10_000), 30, cny.clone()).ok()?,
        )
        .ok()?;
        for i in 0..ITEMS_PER_CUSTOMER {
            let date = start + Days::new((i * 7) as u64);
            let line = SalesLine::new(
                product.clone(),
                Decimal::ONE,
                Decimal::new(((c * 31 + i * 17) % 900 + 100) as i64 * 100 + 55, 2),
            );
            let invoice = Invoice::new(
                InvoiceId::new(format!("I{c}-{i}")).ok()?,
                id.clone(),
                date,
                date + Days::new(30),
                cny.clone(),
                vec![line],
            )
            .ok()?;
            book.post_invoice(&invoice).ok()?;
        }
        // A partial payment, applied oldest first, keeps the totals moving.
        let payment = Payment::new(
            PaymentId::new(format!("P{c}")).ok()?,
            id.clone(),
            start + Days::new(200),
            Decimal::from(3_000),
            cny.clone(),
        )
        .ok()?;
        book.post_payment(&payment).ok()?;
        customers.push(id);
    }
    book.set_business_day(NaiveDate::from_ymd_opt(2025, 12, 31)?);
    Some((book, customers))
}

fn checks(c: &mut Criterion) {
    let Some((book, customers)) = book() else { return };
    let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
    let mut group = c.benchmark_group("credit_check");
    group.throughput(Throughput::Elements(1));
    // Each check is of an order that has just arrived: its customer id is fresh in memory (the
    // set-up, not timed, copies it), while the book's entry for it is wherever 100,000 customers
    // put it. Customers are visited in a scattered order.
    let mut next = 0usize;
    group.bench_function("static check, 100k customers, 5M open items", |b| {
        b.iter_batched(
            || {
                next = (next + 7919) % customers.len();
                customers[next].clone()
            },
            |customer| book.check_order(&customer, Decimal::from(12_345), today, CheckMode::Static).map(|c| c.decision),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, checks);
criterion_main!(benches);
