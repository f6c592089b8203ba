//! The channel plan (DRP), the supply plan and the materials (MRP) at the size of the company in
//! the articles — 600 distributors, 30,000 shops, 50 SKUs, 18 months ahead — on synthetic data,
//! with the time and peak memory of each step. A report, never a test.
//!
//! The shops' forecasts are given (`channel_plan_of`): forecasting 1.5 million shop x SKU series
//! is timed on a 1 % sample with `auto` and scaled up, and reported beside the plan.
//!
//! ```text
//! cargo run --release -p omo-examples --bin plan_bench -- [DISTRIBUTORS SHOPS_PER_DISTRIBUTOR SKUS MONTHS]
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::forecast::{ForecastOptions, Method, forecast_many};
use omo_core::model::*;
use omo_core::plan::{ChannelSettings, Horizon, NodeDemand, SupplySettings, channel_plan_of, supply_plan};
use rust_decimal::Decimal;

fn main() -> Result<(), String> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (distributors, shops, skus, months) = match args.as_slice() {
        [d, s, k, m] => (*d, *s, *k, *m),
        _ => (600, 50, 50, 18),
    };
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).ok_or("date")?;
    let started = Instant::now();
    let dataset = company(distributors, shops, skus, as_of).map_err(|e| e.to_string())?;
    let built = started.elapsed();
    let settings = ChannelSettings { horizon: months, ..ChannelSettings::new(as_of) };
    let horizon = Horizon::after(as_of, settings.period, months).map_err(|e| e.to_string())?;
    let demand = shop_demand(&dataset, months);
    println!(
        "{distributors} distributors, {} shops, {skus} SKUs, {months} months: {} shop x SKU forecasts given (data built in {:.1} s)",
        distributors * shops,
        demand.len(),
        built.as_secs_f64()
    );

    let t = Instant::now();
    let plan = channel_plan_of(&dataset, &settings, &demand).map_err(|e| e.to_string())?;
    let channel_time = t.elapsed().as_secs_f64();
    let rows: usize = plan.nodes.iter().map(|p| p.rows.len()).sum();
    println!("channel plan (DRP): {} node x SKU records, {rows} rows in {channel_time:.2} s", plan.nodes.len());

    let t = Instant::now();
    let supply = supply_plan(&dataset, &horizon, &plan.top_requirements(), &SupplySettings::default())
        .map_err(|e| e.to_string())?;
    println!(
        "supply plan and MRP: {} line-months ({} over capacity), {} OEM orders, {} component records, carrying cost {} in {:.3} s",
        supply.loads.len(),
        supply.loads.iter().filter(|l| l.over_capacity).count(),
        supply.oem_orders.len(),
        supply.components.len(),
        supply.carrying_cost.round_dp(0),
        t.elapsed().as_secs_f64()
    );

    // Forecasting the shops' demand: a 1 % sample of 36-month series with `auto`, on every core.
    let sample = (demand.len() / 100).max(1);
    let series: Vec<(usize, Vec<f64>)> = (0..sample).map(|i| (i, history(i, 36))).collect();
    let options = ForecastOptions { season_length: 12, non_negative: true, ..ForecastOptions::new(months) };
    let t = Instant::now();
    let forecasts = forecast_many(&series, Method::Auto, &options);
    let per_series = t.elapsed().as_secs_f64() / sample as f64;
    let failed = forecasts.iter().filter(|f| f.is_err()).count();
    println!(
        "forecasting (auto, 36 months of history, every core): {:.2} ms a series on a sample of {sample} ({failed} failed); {:.0} s for all {}",
        per_series * 1e3,
        per_series * demand.len() as f64,
        demand.len()
    );
    println!("peak resident memory: {}", omo_examples::process::peak_resident());
    Ok(())
}

/// A maker with one plant (one line per 10 SKUs, each SKU of four materials and a bag; a line's
/// hours make 15 % more than its SKUs' average month, short of the spring peak), an OEM supplier
/// for what the lines cannot make, its distributors (200 of each SKU in stock) and their shops.
fn company(distributors: usize, shops: usize, skus: usize, as_of: NaiveDate) -> omo_core::Result<Dataset> {
    let mut d = Dataset::new("Bench", Currency::new("CNY")?, as_of);
    d.categories.push(ProductCategory::new(CategoryId::new("C")?, "C", None)?);
    for k in 0..skus {
        let cost = Decimal::from(100 + k as i64);
        let mut p = Product::new(
            ProductId::new(format!("SKU-{k:03}"))?,
            format!("SKU {k}"),
            CategoryId::new("C")?,
            "bag",
            cost,
            cost,
        )?;
        p.pack_size = Decimal::TEN;
        p.minimum_order = Decimal::from(20);
        d.products.push(p);
    }
    d.nodes.push(Node::new(NodeId::new("MAKER")?, "Maker", NodeKind::Manufacturer, None)?);
    d.nodes.push(Node::new(NodeId::new("PLANT")?, "Plant", NodeKind::Plant, Some(NodeId::new("MAKER")?))?);
    let day = as_of - chrono::Days::new(10);
    for i in 0..distributors {
        let dn = NodeId::new(format!("D{i:04}"))?;
        d.nodes.push(Node::new(
            dn.clone(),
            format!("Distributor {i}"),
            NodeKind::Distributor,
            Some(NodeId::new("MAKER")?),
        )?);
        for p in &d.products.clone() {
            d.movements.push(StockMovement::new(
                dn.clone(),
                p.id.clone(),
                day,
                MovementKind::Receipt,
                Decimal::from(200),
            )?);
        }
        for j in 0..shops {
            d.nodes.push(Node::new(
                NodeId::new(format!("S{i:04}-{j:03}"))?,
                "Shop",
                NodeKind::Retailer,
                Some(dn.clone()),
            )?);
        }
    }
    let materials = ["UREA", "DAP", "MOP", "FILLER", "BAG"];
    for m in materials {
        d.supply.materials.push(Material {
            id: MaterialId::new(m)?,
            name: m.into(),
            unit: "t".into(),
            standard_cost: Decimal::ONE,
        });
    }
    for (l, chunk) in d.products.chunks(10).enumerate() {
        d.supply.production_lines.push(ProductionLine {
            id: LineId::new(format!("L{l}"))?,
            name: format!("Line {l}"),
            node: NodeId::new("PLANT")?,
            hours_per_month: Decimal::from(416),
            calendar: Vec::new(),
            rates: chunk
                .iter()
                .map(|p| LineRate { product: p.id.clone(), units_per_hour: line_rate(distributors * shops) })
                .collect(),
        });
    }
    for p in &d.products {
        let components = materials
            .iter()
            .map(|m| Ok(Component { item: Item::Material(MaterialId::new(*m)?), quantity: Decimal::new(125, 4) }))
            .collect::<omo_core::Result<_>>()?;
        d.supply.boms.push(BillOfMaterials { product: p.id.clone(), batch: Decimal::ONE, components });
    }
    let items = materials
        .iter()
        .map(|m| {
            Ok(SupplyTerms {
                item: Item::Material(MaterialId::new(*m)?),
                lead_time_days: 21,
                minimum_order: Decimal::TEN,
                multiple: Decimal::ONE,
                price: Decimal::ONE,
            })
        })
        .collect::<omo_core::Result<_>>()?;
    d.supply.suppliers.push(Supplier {
        id: SupplierId::new("CHEM")?,
        name: "Chem".into(),
        kind: SupplierKind::Material,
        node: None,
        items,
    });
    let oem_items = d
        .products
        .iter()
        .map(|p| SupplyTerms {
            item: Item::Product(p.id.clone()),
            lead_time_days: 45,
            minimum_order: Decimal::from(1000),
            multiple: Decimal::from(100),
            price: p.standard_cost * Decimal::new(11, 1),
        })
        .collect();
    d.supply.suppliers.push(Supplier {
        id: SupplierId::new("OEM")?,
        name: "OEM".into(),
        kind: SupplierKind::Oem,
        node: None,
        items: oem_items,
    });
    Ok(d)
}

/// Units an hour that give a line of 10 SKUs 15 % more than their average month over
/// `shops` shops: a shop sells on average 6 units of a SKU a month (see [`shop_demand`]), over
/// a line's 416 hours.
fn line_rate(shops: usize) -> Decimal {
    Decimal::from(shops as u64 * 6 * 10) * Decimal::new(115, 2) / Decimal::from(416)
}

/// Every shop's forecast of every SKU: a spring peak, scaled by shop and SKU.
fn shop_demand(dataset: &Dataset, months: usize) -> BTreeMap<(NodeId, ProductId), NodeDemand> {
    let mut out = BTreeMap::new();
    let shops = dataset.nodes.iter().filter(|n| n.kind == NodeKind::Retailer);
    for (i, shop) in shops.enumerate() {
        for (k, p) in dataset.products.iter().enumerate() {
            let forecast =
                (0..months).map(|t| Decimal::new(((i % 7 + k % 5 + 1) as i64) * season(t) as i64, 1)).collect();
            out.insert((shop.id.clone(), p.id.clone()), NodeDemand { forecast, error_sd: 1.5, model: "given".into() });
        }
    }
    out
}

/// A seasonal index in tenths: a spring peak in months 3 and 4.
fn season(t: usize) -> u32 {
    [6, 7, 18, 22, 12, 8, 7, 8, 11, 9, 7, 6][t % 12]
}

/// A 36-month history for the forecasting sample.
fn history(i: usize, months: usize) -> Vec<f64> {
    (0..months)
        .map(|t| f64::from(season(t)) * (1.0 + (i % 9) as f64 / 10.0) + ((i * 31 + t * 17) % 7) as f64 / 3.0)
        .collect()
}
