//! Building a monthly S-P-I ledger from large movement streams, single-threaded.
//!
//! `cargo bench -p omo-core --bench ledger`. The comparison with pandas and polars on the same
//! data, in the same run, is `python3 examples/bench/spi_vs_pandas_polars.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use omo_core::sample::movement_stream;
use omo_core::spi::{LedgerOptions, Period, build_ledger};

fn ledger(c: &mut Criterion) {
    let mut group = c.benchmark_group("monthly_ledger");
    group.sample_size(10);
    for (count, label) in [(1_000_000, "1M movements, 10k pairs"), (10_000_000, "10M movements, 10k pairs")] {
        let Ok(moves) = movement_stream(100, 100, count, 1096, 7) else { return };
        let options = LedgerOptions { period: Period::Month, allow_negative: true };
        group.bench_function(label, |b| {
            b.iter(|| build_ledger(std::hint::black_box(&moves), &[], options).map(|rows| rows.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, ledger);
criterion_main!(benches);
