//! The supply side of the sample company, drawn from its simulated production.
//!
//! - **Materials** — urea, DAP, MOP, ammonium sulphate, superphosphate, filler, compost and bags —
//!   and each plant product's **bill of materials** per bag: a compound NPK `a-b-c` takes
//!   `b / 46` of DAP, urea for the nitrogen DAP does not bring (`(a/100 - 0.18 DAP) / 0.46`),
//!   `c / 60` of MOP and filler for the rest, per tonne; a straight fertilizer is its own
//!   material bagged; an organic product 90 % compost and 10 % filler; every bag one bag.
//! - **Three lines** at the plant, 416 hours a month each (two shifts, 26 days): granulation
//!   (compound), bagging (straight) and blending (organic). Each line's throughput is 15 % above
//!   what its average month of simulated production needed: enough on average, not at the spring
//!   peak (the simulated plant ran overtime then; a plan must build ahead).
//! - **Production orders**, one per simulated production batch (done, with a little scrap), and
//!   the materials they consumed.
//! - **Material suppliers** (chemicals in 21 days, compost in 10, bags in 7) with a purchase order
//!   on the first of each month for the next month's consumption plus 10 %: most arrive on time,
//!   some a few days late, a few with rejected units, at prices around the agreed ones.
//! - **The OEM supplier** of the water-soluble range (node `OEM-1`, 21 days, at least 100, in
//!   fifties, 92 % of standard cost agreed): one purchase order per simulated OEM batch, often
//!   late (four in ten, by 3 to 12 days), some units rejected, its price creeping up.
//! - **Material stock** at the plant at the end: an opening stock of the first month's use, plus
//!   good units received, less what production consumed.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::catalog::SKUS;
use super::demand::Draws;
use super::master::Layout;
use crate::dataset::Dataset;
use crate::error::Result;
use crate::model::*;

/// (id, name, unit, standard cost in cents).
const MATERIALS: [(&str, &str, &str, i64); 8] = [
    ("UREA", "Urea, 46 % N", "t", 230_000),
    ("DAP", "Diammonium phosphate 18-46", "t", 360_000),
    ("MOP", "Muriate of potash, 60 % K2O", "t", 290_000),
    ("AS", "Ammonium sulphate", "t", 110_000),
    ("SSP", "Single superphosphate", "t", 80_000),
    ("FILLER", "Filler and binder", "t", 30_000),
    ("COMPOST", "Composted organic matter", "t", 60_000),
    ("BAG", "Woven bag with liner", "piece", 120),
];

/// A supplier of materials and its terms.
struct MaterialSupplier {
    id: &'static str,
    name: &'static str,
    lead_time_days: u32,
    minimum: i64,
    multiple: i64,
    materials: &'static [&'static str],
}

const MATERIAL_SUPPLIERS: [MaterialSupplier; 3] = [
    MaterialSupplier {
        id: "SUP-CHEM",
        name: "Shandong chemicals",
        lead_time_days: 21,
        minimum: 10,
        multiple: 5,
        materials: &["UREA", "DAP", "MOP", "AS", "SSP", "FILLER"],
    },
    MaterialSupplier {
        id: "SUP-BIO",
        name: "Linyi compost works",
        lead_time_days: 10,
        minimum: 5,
        multiple: 1,
        materials: &["COMPOST"],
    },
    MaterialSupplier {
        id: "SUP-PACK",
        name: "Rizhao packaging",
        lead_time_days: 7,
        minimum: 5_000,
        multiple: 1_000,
        materials: &["BAG"],
    },
];

/// (line id, name, category it makes).
const LINES: [(&str, &str, &str); 3] = [
    ("GRAN-1", "Granulation line", "COMPOUND"),
    ("BAG-1", "Bagging line", "STRAIGHT"),
    ("BLEND-1", "Blending line", "ORGANIC"),
];

/// Hours a line runs in a month: two shifts of eight hours, 26 days.
const LINE_HOURS: i64 = 416;

const OEM_SUPPLIER: &str = "SUP-OEM";
const OEM_LEAD_DAYS: u32 = 21;

/// Adds the supply side to the simulated company (see the [module](self)).
/// `batches` are the production receipts of the plant and the OEM supplier, in date order.
pub(crate) fn supply_side(
    d: &mut Dataset,
    batches: &[StockMovement],
    layout: &Layout,
    end: NaiveDate,
    draws: &mut Draws,
) -> Result<()> {
    let mut s = SupplyData::default();
    for (id, name, unit, cents) in MATERIALS {
        s.materials.push(Material {
            id: MaterialId::new(id)?,
            name: name.into(),
            unit: unit.into(),
            standard_cost: Decimal::new(cents, 2),
        });
    }
    let made: Vec<_> = SKUS.iter().filter(|spec| !spec.oem).collect();
    for spec in &made {
        s.boms.push(bill_of_materials(spec.id, spec.name, spec.category)?);
    }
    let plant_batches: Vec<&StockMovement> = batches.iter().filter(|m| m.node == layout.plant).collect();
    s.production_lines = lines(&made, &plant_batches, &layout.plant)?;
    s.production_orders = production_orders(&s, &plant_batches, draws)?;
    let use_by_month = consumption(&s);
    s.suppliers = suppliers(&layout.oem)?;
    s.purchase_orders = material_orders(&use_by_month, &layout.plant, end, draws)?;
    s.material_stock = material_stock(&s, &use_by_month, &layout.plant)?;
    let oem_batches: Vec<StockMovement> = batches.iter().filter(|m| m.node == layout.oem).cloned().collect();
    let list_cost: BTreeMap<&ProductId, Decimal> = d.products.iter().map(|p| (&p.id, p.standard_cost)).collect();
    s.purchase_orders.extend(oem_orders(&oem_batches, &layout.oem, &list_cost, draws)?);
    d.supply = s;
    Ok(())
}

/// Tonnes of product in one bag, from the "50 kg" at the end of its name.
fn tonnes_per_bag(name: &str) -> Decimal {
    let kg =
        name.rsplit(", ").next().and_then(|t| t.strip_suffix(" kg")).and_then(|t| t.parse::<i64>().ok()).unwrap_or(50);
    Decimal::new(kg, 3)
}

fn bill_of_materials(id: &str, name: &str, category: &str) -> Result<BillOfMaterials> {
    let per_tonne: Vec<(&str, f64)> = match category {
        "COMPOUND" => {
            let grade: Vec<f64> = id
                .split('-')
                .nth(1)
                .map(|g| g.as_bytes().chunks(2).filter_map(|c| std::str::from_utf8(c).ok()?.parse().ok()).collect())
                .unwrap_or_default();
            let (n, p, k) = (
                grade.first().copied().unwrap_or(15.0),
                grade.get(1).copied().unwrap_or(15.0),
                grade.get(2).copied().unwrap_or(15.0),
            );
            let dap = p / 46.0;
            let urea = ((n / 100.0 - 0.18 * dap) / 0.46).max(0.0);
            let mop = k / 60.0;
            vec![("UREA", urea), ("DAP", dap), ("MOP", mop), ("FILLER", (1.0 - urea - dap - mop).max(0.0))]
        }
        "STRAIGHT" => vec![(id.split('-').next().unwrap_or("UREA"), 1.0)],
        _ => vec![("COMPOST", 0.9), ("FILLER", 0.1)],
    };
    let bag = tonnes_per_bag(name);
    let mut components: Vec<Component> = per_tonne
        .into_iter()
        .filter(|(_, t)| *t > 0.0)
        .map(|(m, t)| {
            let quantity = (Decimal::from_f64_retain(t).unwrap_or_default() * bag).round_dp(4);
            Ok(Component { item: Item::Material(MaterialId::new(m)?), quantity })
        })
        .collect::<Result<_>>()?;
    components.push(Component { item: Item::Material(MaterialId::new("BAG")?), quantity: Decimal::ONE });
    Ok(BillOfMaterials { product: ProductId::new(id)?, batch: Decimal::ONE, components })
}

fn lines(made: &[&super::catalog::SkuSpec], batches: &[&StockMovement], plant: &NodeId) -> Result<Vec<ProductionLine>> {
    let months =
        batches.iter().map(|m| (m.date.year(), m.date.month())).collect::<std::collections::BTreeSet<_>>().len().max(1);
    let hours = Decimal::from(LINE_HOURS);
    let mut out = Vec::new();
    for (id, name, category) in LINES {
        let specs: Vec<_> = made.iter().filter(|s| s.category == category).collect();
        let mut tonnes = Decimal::ZERO;
        for spec in &specs {
            let product = ProductId::new(spec.id)?;
            tonnes += batches.iter().filter(|m| m.product == product).map(|m| m.quantity).sum::<Decimal>()
                * tonnes_per_bag(spec.name);
        }
        // Tonnes an hour: 15 % above what the average month needed over the line's hours.
        let throughput = tonnes / Decimal::from(months as i64) * Decimal::new(115, 2) / hours;
        let rates = specs
            .iter()
            .map(|spec| {
                let rate = (throughput / tonnes_per_bag(spec.name)).round_dp(4).max(Decimal::new(1, 4));
                Ok(LineRate { product: ProductId::new(spec.id)?, units_per_hour: rate })
            })
            .collect::<Result<_>>()?;
        out.push(ProductionLine {
            id: LineId::new(id)?,
            name: name.into(),
            node: plant.clone(),
            hours_per_month: hours,
            calendar: Vec::new(),
            rates,
        });
    }
    Ok(out)
}

fn production_orders(s: &SupplyData, batches: &[&StockMovement], draws: &mut Draws) -> Result<Vec<ProductionOrder>> {
    let mut out = Vec::with_capacity(batches.len());
    for (n, m) in batches.iter().enumerate() {
        let Some(line) = s.production_lines.iter().find(|l| l.rate_of(&m.product).is_some()) else { continue };
        let scrap = Decimal::from((i64::try_from(m.quantity.trunc()).unwrap_or(0) * draws.between(0, 20)) / 1000);
        out.push(ProductionOrder {
            id: ProductionOrderId::new(format!("MO-{:06}", n + 1))?,
            line: line.id.clone(),
            product: m.product.clone(),
            quantity: m.quantity,
            start: m.date - Days::new(3),
            due: m.date,
            status: ProductionStatus::Done,
            output: m.quantity,
            scrap,
            finished: Some(m.date),
        });
    }
    Ok(out)
}

/// Material used per month (its first day) and material.
fn consumption(s: &SupplyData) -> BTreeMap<(NaiveDate, MaterialId), Decimal> {
    let mut out = BTreeMap::new();
    for order in &s.production_orders {
        let Some(bom) = s.boms.iter().find(|b| b.product == order.product) else { continue };
        let month = order.due.with_day(1).unwrap_or(order.due);
        for c in &bom.components {
            if let Item::Material(m) = &c.item {
                *out.entry((month, m.clone())).or_default() += c.quantity * (order.output + order.scrap) / bom.batch;
            }
        }
    }
    out
}

fn suppliers(oem: &NodeId) -> Result<Vec<Supplier>> {
    let cost: BTreeMap<&str, i64> = MATERIALS.iter().map(|(id, _, _, c)| (*id, *c)).collect();
    let mut out = Vec::new();
    for sup in &MATERIAL_SUPPLIERS {
        let terms = sup
            .materials
            .iter()
            .map(|m| {
                Ok(SupplyTerms {
                    item: Item::Material(MaterialId::new(*m)?),
                    lead_time_days: sup.lead_time_days,
                    minimum_order: Decimal::from(sup.minimum),
                    multiple: Decimal::from(sup.multiple),
                    price: Decimal::new(cost.get(m).copied().unwrap_or(0), 2),
                })
            })
            .collect::<Result<_>>()?;
        out.push(Supplier {
            id: SupplierId::new(sup.id)?,
            name: sup.name.into(),
            kind: SupplierKind::Material,
            node: None,
            items: terms,
        });
    }
    let oem_items = SKUS
        .iter()
        .filter(|spec| spec.oem)
        .map(|spec| {
            Ok(SupplyTerms {
                item: Item::Product(ProductId::new(spec.id)?),
                lead_time_days: OEM_LEAD_DAYS,
                minimum_order: Decimal::from(100),
                multiple: Decimal::from(50),
                price: Decimal::new(spec.cost_cents * 92 / 100, 2),
            })
        })
        .collect::<Result<_>>()?;
    out.push(Supplier {
        id: SupplierId::new(OEM_SUPPLIER)?,
        name: "Jiangsu water-soluble OEM".into(),
        kind: SupplierKind::Oem,
        node: Some(oem.clone()),
        items: oem_items,
    });
    Ok(out)
}

/// A purchase order on the first of each month for the next month's use plus 10 %.
fn material_orders(
    use_by_month: &BTreeMap<(NaiveDate, MaterialId), Decimal>,
    plant: &NodeId,
    end: NaiveDate,
    draws: &mut Draws,
) -> Result<Vec<PurchaseOrder>> {
    let cost: BTreeMap<&str, i64> = MATERIALS.iter().map(|(id, _, _, c)| (*id, *c)).collect();
    let mut by_supplier_month: BTreeMap<(NaiveDate, &str), Vec<PurchaseLine>> = BTreeMap::new();
    for ((month, material), used) in use_by_month {
        let Some(sup) = MATERIAL_SUPPLIERS.iter().find(|s| s.materials.contains(&material.as_str())) else {
            continue;
        };
        let (supplier, lead, minimum, multiple) = (sup.id, sup.lead_time_days, sup.minimum, sup.multiple);
        let Some(ordered) = month.checked_sub_months(chrono::Months::new(1)) else { continue };
        let promised = ordered + Days::new(u64::from(lead));
        let want = (*used * Decimal::new(11, 1)).max(Decimal::from(minimum));
        let quantity = (want / Decimal::from(multiple)).ceil() * Decimal::from(multiple);
        let late = if draws.chance(0.15) { draws.between(1, 7) } else { 0 };
        let arrived = promised + Days::new(late as u64);
        let rejected = if draws.chance(0.1) {
            (quantity * Decimal::new(draws.between(1, 3), 2)).round_dp(0)
        } else {
            Decimal::ZERO
        };
        let agreed = Decimal::new(cost.get(material.as_str()).copied().unwrap_or(0), 2);
        let received = arrived <= end;
        by_supplier_month.entry((ordered, supplier)).or_default().push(PurchaseLine {
            item: Item::Material(material.clone()),
            quantity,
            price: (agreed * Decimal::new(100 + draws.between(-3, 3), 2)).round_dp(2),
            promised_date: promised,
            received_date: received.then_some(arrived),
            received_quantity: if received { quantity } else { Decimal::ZERO },
            rejected_quantity: if received { rejected } else { Decimal::ZERO },
        });
    }
    by_supplier_month
        .into_iter()
        .filter(|((ordered, _), _)| *ordered <= end)
        .enumerate()
        .map(|(n, ((ordered, supplier), lines))| {
            Ok(PurchaseOrder {
                id: PurchaseOrderId::new(format!("PO-{:06}", n + 1))?,
                supplier: SupplierId::new(supplier)?,
                order_date: ordered,
                deliver_to: plant.clone(),
                lines,
            })
        })
        .collect()
}

/// Opening stock of the first month's use, plus good units received, less what was consumed.
fn material_stock(
    s: &SupplyData,
    use_by_month: &BTreeMap<(NaiveDate, MaterialId), Decimal>,
    plant: &NodeId,
) -> Result<Vec<MaterialStock>> {
    let mut stock: BTreeMap<MaterialId, Decimal> = BTreeMap::new();
    let first = use_by_month.keys().map(|(m, _)| *m).min();
    for ((month, material), used) in use_by_month {
        let entry = stock.entry(material.clone()).or_default();
        if Some(*month) == first {
            *entry += *used;
        }
        *entry -= *used;
    }
    for order in &s.purchase_orders {
        for line in order.lines.iter().filter(|l| l.received_date.is_some()) {
            if let Item::Material(m) = &line.item {
                *stock.entry(m.clone()).or_default() += line.received_quantity - line.rejected_quantity;
            }
        }
    }
    Ok(stock
        .into_iter()
        .map(|(material, q)| MaterialStock {
            node: plant.clone(),
            material,
            quantity: q.max(Decimal::ZERO).round_dp(3),
        })
        .collect())
}

/// One purchase order per OEM batch: received the day the batch was booked, often late.
fn oem_orders(
    batches: &[StockMovement],
    oem: &NodeId,
    cost: &BTreeMap<&ProductId, Decimal>,
    draws: &mut Draws,
) -> Result<Vec<PurchaseOrder>> {
    let supplier = SupplierId::new(OEM_SUPPLIER)?;
    let mut out = Vec::with_capacity(batches.len());
    for (n, m) in batches.iter().enumerate() {
        let promised = if draws.chance(0.4) {
            m.date - Days::new(draws.between(3, 12) as u64)
        } else {
            m.date + Days::new(draws.between(0, 3) as u64)
        };
        let rejected = if draws.chance(0.2) {
            (m.quantity * Decimal::new(draws.between(1, 4), 2)).round_dp(0)
        } else {
            Decimal::ZERO
        };
        let agreed = (cost.get(&m.product).copied().unwrap_or_default() * Decimal::new(92, 2)).round_dp(2);
        let creep = Decimal::new(100 + draws.between(-1, 4), 2);
        out.push(PurchaseOrder {
            id: PurchaseOrderId::new(format!("PO-OEM-{:06}", n + 1))?,
            supplier: supplier.clone(),
            order_date: promised - Days::new(u64::from(OEM_LEAD_DAYS)),
            deliver_to: oem.clone(),
            lines: vec![PurchaseLine {
                item: Item::Product(m.product.clone()),
                quantity: m.quantity + rejected,
                price: (agreed * creep).round_dp(2),
                promised_date: promised,
                received_date: Some(m.date),
                received_quantity: m.quantity + rejected,
                rejected_quantity: rejected,
            }],
        });
    }
    Ok(out)
}
