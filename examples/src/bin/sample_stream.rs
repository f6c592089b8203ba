//! The sample company generated as a stream at any size — by default the articles' (600
//! distributors, 50 shops each, 300,000 farmers, 3 years) — with its record counts, the time
//! and the peak resident memory. Movements and POS sales go to a sink that folds them into
//! monthly totals per node (what a bulk load keeps) and are never held. With `--load`, the
//! generator then runs again on a thread of its own, streaming into the live engine's bulk load
//! (`Engine::load`), and the load's time and the peak resident memory after it are reported. A
//! report, never a test.
//!
//! ```text
//! cargo run --release -p omo-examples --bin sample_stream -- [--distributors N]
//!     [--retailers-per-distributor N] [--farmers N] [--years N] [--seed N] [--load]
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::Datelike;
use omo_core::engine::{Engine, EngineOptions};
use omo_core::model::{MovementKind, NodeId};
use omo_core::sample::{SampleConfig, StockRecord, sample_company_streamed};
use rust_decimal::Decimal;
use std::collections::HashMap;

fn main() -> Result<(), String> {
    let mut config = SampleConfig {
        distributors: 600,
        retailers_per_distributor: 50,
        farmers: 300_000,
        years: 3,
        ..SampleConfig::default()
    };
    let mut args = std::env::args().skip(1);
    let mut load = false;
    while let Some(flag) = args.next() {
        if flag == "--load" {
            load = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v:?}: {e}"));
        match flag.as_str() {
            "--distributors" => config.distributors = number(&value)? as usize,
            "--retailers-per-distributor" => config.retailers_per_distributor = number(&value)? as usize,
            "--farmers" => config.farmers = number(&value)? as usize,
            "--years" => config.years = number(&value)? as u32,
            "--seed" => config.seed = number(&value)?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let started = Instant::now();
    let mut kinds: BTreeMap<MovementKind, u64> = BTreeMap::new();
    let mut sales = 0u64;
    // Net stock change and POS units per node and month: the size of what a bulk load keeps.
    let mut monthly: HashMap<(NodeId, i32, u32), (Decimal, Decimal)> = HashMap::new();
    let rest = sample_company_streamed(&config, &mut |record| match record {
        StockRecord::Movement(m) => {
            *kinds.entry(m.kind).or_default() += 1;
            monthly.entry((m.node.clone(), m.date.year(), m.date.month())).or_default().0 += m.stock_change();
        }
        StockRecord::PosSale(s) => {
            sales += 1;
            monthly.entry((s.node, s.date.year(), s.date.month())).or_default().1 += s.quantity;
        }
    })
    .map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let movements: u64 = kinds.values().sum();
    println!(
        "{} distributors, {} shops, {} farmers, {} years: generated as a stream in {:.1} s (peak resident {})",
        config.distributors,
        config.distributors * config.retailers_per_distributor,
        config.farmers,
        config.years,
        elapsed.as_secs_f64(),
        omo_examples::process::peak_resident()
    );
    println!(
        "stock movements {movements} ({:.1} million a second with the POS sales)",
        (movements + sales) as f64 / elapsed.as_secs_f64() / 1e6
    );
    for (kind, count) in &kinds {
        println!("  {:<16} {count}", format!("{kind:?}"));
    }
    println!("POS sales {sales}");
    println!(
        "kept: {} customers, {} nodes, {} orders, {} shipments, {} invoices, {} payments, {} prepaid orders, {} stock counts, {} credit accounts; {} node-months of totals",
        rest.customers.len(),
        rest.nodes.len(),
        rest.orders.len(),
        rest.shipments.len(),
        rest.invoices.len(),
        rest.payments.len(),
        rest.prepaid_orders.len(),
        rest.counts.len(),
        rest.credit_accounts.len(),
        monthly.len()
    );
    if load {
        load_engine(&config, rest)?;
    }
    Ok(())
}

/// Streams the company's movements and POS sales again, from a generator thread, into the
/// engine's bulk load on `master` (the records the first pass kept); reports the time and the
/// peak resident memory.
fn load_engine(config: &SampleConfig, master: omo_core::Dataset) -> Result<(), String> {
    let started = Instant::now();
    let (generator, records) = omo_examples::live::sample_records(config);
    let loaded = Engine::load(master, records, EngineOptions::default());
    generator.join().map_err(|_| "the generator's thread failed")?.map_err(|e| e.to_string())?;
    let engine = loaded.map_err(|e| e.to_string())?;
    let folded = engine.folded().ok_or("nothing folded")?;
    println!(
        "bulk load (generator and engine on two threads): {:.1} s, peak resident {}; {} movements and {} POS sales folded, {} and {} kept from {}; {} S-P-I rows",
        started.elapsed().as_secs_f64(),
        omo_examples::process::peak_resident(),
        folded.movements,
        folded.pos_sales,
        engine.dataset().movements.len(),
        engine.dataset().pos_sales.len(),
        folded.kept_from.map_or_else(|| "none".to_owned(), |day| day.to_string()),
        engine.spi_rows().len()
    );
    Ok(())
}
