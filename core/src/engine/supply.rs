//! The supply side kept live: purchase and production orders arrive as they stand (placed,
//! received, started, finished) and replace the order with their id; the material stock follows
//! them — good units of a material received add to its stock where they are delivered, and a
//! finished production order takes its bill of materials' quantities for its output and scrap
//! from the stock of its line's plant. This is the rule [`crate::model::SupplyData::until`] runs
//! backwards, so a history cut at a day and fed the events after it ends with the same stock.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::index::Index;
use crate::dataset::{Dataset, SupplyIds, check_production_order, check_purchase_order};
use crate::model::{
    Item, MaterialId, MaterialStock, NodeId, ProductionOrder, PurchaseOrder, SupplyData, ValidationIssue,
};

/// Checks a purchase order event against the dataset's ids, its dates up to `as_of`.
pub(crate) fn check_purchase(
    d: &Dataset,
    index: &Index,
    order: &PurchaseOrder,
    as_of: NaiveDate,
    out: &mut Vec<ValidationIssue>,
) {
    check_purchase_order(order, index, &SupplyIds::of(&d.supply), as_of, out);
}

/// Checks a production order event against the dataset's ids and lines, its dates up to `as_of`.
pub(crate) fn check_production(
    d: &Dataset,
    index: &Index,
    order: &ProductionOrder,
    as_of: NaiveDate,
    out: &mut Vec<ValidationIssue>,
) {
    check_production_order(order, index, &d.supply, &SupplyIds::of(&d.supply), as_of, out);
}

/// Books a purchase order as it stands: replaces the one with its id, and moves the material
/// stock by the good units received since.
pub(crate) fn book_purchase(d: &mut Dataset, index: &mut Index, order: &PurchaseOrder) {
    let before = index.purchase_orders.get(&order.id).and_then(|&i| d.supply.purchase_orders.get(i)).cloned();
    for material in materials_of(order) {
        let received =
            order.good_received(&material) - before.as_ref().map_or(Decimal::ZERO, |b| b.good_received(&material));
        add_stock(&mut d.supply, &order.deliver_to, &material, received);
    }
    super::booking::upsert(&mut d.supply.purchase_orders, &mut index.purchase_orders, order.id.clone(), order.clone());
}

/// Books a production order as it stands: replaces the one with its id, and takes what its
/// newly booked output and scrap used from the plant's material stock.
pub(crate) fn book_production(d: &mut Dataset, index: &mut Index, order: &ProductionOrder) {
    let before = index.production_orders.get(&order.id).and_then(|&i| d.supply.production_orders.get(i)).cloned();
    let finished = |o: &ProductionOrder| o.finished.is_some();
    let used = |o: Option<&ProductionOrder>| o.filter(|o| finished(o)).map(|o| d.supply.materials_used(o));
    let (now, then) = (used(Some(order)).unwrap_or_default(), used(before.as_ref()).unwrap_or_default());
    if now != then {
        for (plant, material, quantity) in now {
            add_stock(&mut d.supply, &plant, &material, -quantity);
        }
        for (plant, material, quantity) in then {
            add_stock(&mut d.supply, &plant, &material, quantity);
        }
    }
    super::booking::upsert(
        &mut d.supply.production_orders,
        &mut index.production_orders,
        order.id.clone(),
        order.clone(),
    );
}

/// The materials an order's lines name, each once.
fn materials_of(order: &PurchaseOrder) -> Vec<MaterialId> {
    let mut out: Vec<MaterialId> = order
        .lines
        .iter()
        .filter_map(|l| match &l.item {
            Item::Material(m) => Some(m.clone()),
            Item::Product(_) => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Adds `quantity` (negative: takes) to the stock of `material` at `node`.
fn add_stock(supply: &mut SupplyData, node: &NodeId, material: &MaterialId, quantity: Decimal) {
    if quantity.is_zero() {
        return;
    }
    match supply.material_stock.iter_mut().find(|s| &s.node == node && &s.material == material) {
        Some(stock) => stock.quantity += quantity,
        None => supply.material_stock.push(MaterialStock { node: node.clone(), material: material.clone(), quantity }),
    }
}
