//! KPI throughput: 10 million evaluations, and a scorecard of 100,000 members rolled up a
//! three-level hierarchy. `cargo bench -p omo-core --bench kpi`.

use std::collections::HashMap;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omo_core::kpi::{KpiDefinition, KpiInput, RollUp, Scorecard, evaluate};
use omo_core::model::Hierarchy;
use rust_decimal::Decimal;

fn kpis() -> Option<Vec<KpiDefinition>> {
    let mut plan = KpiDefinition::higher_is_better(
        "plan",
        "Revenue vs plan",
        "ratio",
        Decimal::ONE,
        Decimal::new(95, 2),
        Decimal::new(85, 2),
    )
    .ok()?;
    plan.roll_up = RollUp::WeightedScore { green_at: Decimal::new(95, 2), yellow_at: Decimal::new(85, 2) };
    let dso =
        KpiDefinition::lower_is_better("dso", "DSO", "days", Decimal::from(45), Decimal::ONE, Decimal::new(133, 2))
            .ok()?;
    let mut cover = KpiDefinition::target_band(
        "cover",
        "Days of cover",
        "days",
        Decimal::from(45),
        Decimal::new(34, 2),
        Decimal::new(67, 2),
    )
    .ok()?;
    cover.roll_up = RollUp::ShareInRed { yellow_above: Decimal::ZERO, red_above: Decimal::new(25, 2) };
    Some(vec![plan, dso, cover])
}

fn evaluations(c: &mut Criterion) {
    let Some(kpis) = kpis() else { return };
    let values: Vec<Decimal> = (0..10_000_000u64).map(|i| Decimal::new((i * 7919 % 20_000) as i64, 4)).collect();
    let mut group = c.benchmark_group("kpi");
    group.sample_size(10);
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("10M evaluations", |b| {
        b.iter(|| {
            values
                .iter()
                .enumerate()
                .filter(|(i, v)| evaluate(&kpis[i % 3], Some(**v), None, None).light == omo_core::kpi::Light::Red)
                .count()
        })
    });
    let mut links: Vec<(String, Option<String>)> = vec![("CO".into(), None)];
    links.extend((0..100).map(|r| (format!("R{r}"), Some("CO".to_owned()))));
    links.extend((0..100_000).map(|m| (format!("M{m}"), Some(format!("R{}", m % 100)))));
    let Ok(tree) = Hierarchy::from_parent_links("member", links) else { return };
    let inputs: HashMap<(String, String), KpiInput> = (0..100_000)
        .flat_map(|m| {
            kpis.iter().enumerate().map(move |(k, kpi)| {
                let value = Decimal::new(((m * 31 + k * 17) % 20_000) as i64, 4) * kpi.target.unwrap_or(Decimal::ONE);
                ((format!("M{m}"), kpi.id.clone()), KpiInput { value: Some(value), previous: None, last_year: None })
            })
        })
        .collect();
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("scorecard of 100k members x 3 KPIs", |b| {
        b.iter(|| Scorecard::build(&tree, &kpis, &inputs, &HashMap::new()).map(|s| s.cells.len()))
    });
    group.finish();
}

criterion_group!(benches, evaluations);
criterion_main!(benches);
