//! The checks of the supply-side records (references, kinds of node, cycles in the bills of
//! materials) and the supply side as it stood at the end of an earlier day.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::references::{Ids, issues_of, refers};
use super::{Dataset, Known, unique};
use crate::model::*;

impl Dataset {
    /// Every supply-side record: its fields, the ids it names (products, materials, nodes, lines,
    /// suppliers), that lines stand in plants, dates up to `as_of`, one bill of materials per
    /// product and no product among its own components at any depth.
    pub(super) fn check_supply(&self, known: &Known<'_>, out: &mut Vec<ValidationIssue>) {
        let s = &self.supply;
        let materials = unique("material", s.materials.iter().map(|m| &m.id), out);
        let lines = unique("production_line", s.production_lines.iter().map(|l| &l.id), out);
        let suppliers = unique("supplier", s.suppliers.iter().map(|x| &x.id), out);
        unique("purchase_order", s.purchase_orders.iter().map(|p| &p.id), out);
        unique("production_order", s.production_orders.iter().map(|p| &p.id), out);
        unique("bom", s.boms.iter().map(|b| &b.product), out);
        let item = |is: &mut Issues<'_>, field: std::fmt::Arguments<'_>, item: &Item| {
            refers_item(is, field, item, known, &materials)
        };
        for material in &s.materials {
            issues_of(material, None, out);
        }
        for (row, stock) in s.material_stock.iter().enumerate() {
            let mut is = issues_of(stock, Some(row), out);
            refers(&mut is, "node", known.nodes(), Some(&stock.node));
            refers(&mut is, "material", &materials, Some(&stock.material));
        }
        let plants: HashSet<&NodeId> = self.nodes.iter().filter(|n| n.kind == NodeKind::Plant).map(|n| &n.id).collect();
        for line in &s.production_lines {
            let mut is = issues_of(line, None, out);
            if known.nodes().knows(&line.node) && !plants.contains(&line.node) {
                is.push("node", format!("node {} is not a plant", line.node));
            }
            refers(&mut is, "node", known.nodes(), Some(&line.node));
            for (i, rate) in line.rates.iter().enumerate() {
                refers(&mut is, format_args!("rates[{i}].product"), known.products(), Some(&rate.product));
            }
        }
        for bom in &s.boms {
            let mut is = issues_of(bom, None, out);
            refers(&mut is, "product", known.products(), Some(&bom.product));
            for (i, component) in bom.components.iter().enumerate() {
                item(&mut is, format_args!("components[{i}].item"), &component.item);
            }
        }
        self.check_bom_cycles(out);
        for supplier in &s.suppliers {
            let mut is = issues_of(supplier, None, out);
            refers(&mut is, "node", known.nodes(), supplier.node.as_ref());
            for (i, terms) in supplier.items.iter().enumerate() {
                item(&mut is, format_args!("items[{i}].item"), &terms.item);
            }
        }
        let ids = SupplyIds { materials, suppliers, lines };
        for order in &s.purchase_orders {
            check_purchase_order(order, known, &ids, self.as_of, out);
        }
        for order in &s.production_orders {
            check_production_order(order, known, s, &ids, self.as_of, out);
        }
    }

    /// A product that is, through the bills of materials, a component of itself.
    fn check_bom_cycles(&self, out: &mut Vec<ValidationIssue>) {
        // A component may go into many products, so this is a graph, not the one-parent tree the
        // hierarchy check walks: search it depth-first.
        let mut parts: HashMap<&ProductId, Vec<&ProductId>> = HashMap::default();
        for bom in &self.supply.boms {
            let list = parts.entry(&bom.product).or_default();
            list.extend(bom.components.iter().filter_map(|c| match &c.item {
                Item::Product(p) => Some(p),
                Item::Material(_) => None,
            }));
        }
        if let Some(path) = bom_cycle(&parts) {
            let ids: Vec<String> = path.iter().map(|p| p.to_string()).collect();
            let first = ids.first().cloned().unwrap_or_default();
            out.push(ValidationIssue::new(
                "bom",
                first,
                "components",
                format!("cycle {}", crate::error::shown_path(&ids)),
            ));
        }
    }
}

/// The supply-side ids a purchase or production order may name.
pub(crate) struct SupplyIds<'a> {
    /// The materials.
    pub materials: HashSet<&'a MaterialId>,
    /// The suppliers.
    pub suppliers: HashSet<&'a SupplierId>,
    /// The production lines.
    pub lines: HashSet<&'a LineId>,
}

impl<'a> SupplyIds<'a> {
    /// The ids of `supply`.
    pub(crate) fn of(supply: &'a SupplyData) -> Self {
        SupplyIds {
            materials: supply.materials.iter().map(|m| &m.id).collect(),
            suppliers: supply.suppliers.iter().map(|x| &x.id).collect(),
            lines: supply.production_lines.iter().map(|l| &l.id).collect(),
        }
    }
}

/// An item named at `field`: a known product or material.
fn refers_item(
    is: &mut Issues<'_>,
    field: impl std::fmt::Display,
    item: &Item,
    ids: &impl Ids,
    materials: &HashSet<&MaterialId>,
) {
    match item {
        Item::Product(id) => refers(is, format_args!("{field}.product"), ids.products(), Some(id)),
        Item::Material(id) => refers(is, format_args!("{field}.material"), materials, Some(id)),
    }
}

/// A purchase order's fields, its supplier, where it goes, its items, and its dates up to
/// `as_of`.
pub(crate) fn check_purchase_order(
    order: &PurchaseOrder,
    ids: &impl Ids,
    supply: &SupplyIds<'_>,
    as_of: NaiveDate,
    out: &mut Vec<ValidationIssue>,
) {
    let mut is = issues_of(order, None, out);
    refers(&mut is, "supplier", &supply.suppliers, Some(&order.supplier));
    refers(&mut is, "deliver_to", ids.nodes(), Some(&order.deliver_to));
    is.not_before("as_of", as_of, "order_date", order.order_date);
    for (i, line) in order.lines.iter().enumerate() {
        refers_item(&mut is, format_args!("lines[{i}].item"), &line.item, ids, &supply.materials);
        if let Some(received) = line.received_date {
            is.not_before("as_of", as_of, format_args!("lines[{i}].received_date"), received);
        }
    }
}

/// A production order's fields, its line, a product the line makes, and its finish up to
/// `as_of`.
pub(crate) fn check_production_order(
    order: &ProductionOrder,
    ids: &impl Ids,
    supply: &SupplyData,
    known: &SupplyIds<'_>,
    as_of: NaiveDate,
    out: &mut Vec<ValidationIssue>,
) {
    let mut is = issues_of(order, None, out);
    refers(&mut is, "line", &known.lines, Some(&order.line));
    refers(&mut is, "product", ids.products(), Some(&order.product));
    if let Some(line) = supply.production_lines.iter().find(|l| l.id == order.line)
        && line.rate_of(&order.product).is_none()
    {
        is.push("product", format!("line {} does not make product {}", order.line, order.product));
    }
    if let Some(day) = order.finished {
        is.not_before("as_of", as_of, "finished", day);
    }
}

/// The first cycle among the products' components, as the path that closes it (`A, B, A`).
fn bom_cycle<'a>(parts: &HashMap<&'a ProductId, Vec<&'a ProductId>>) -> Option<Vec<&'a ProductId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: HashMap<&ProductId, Mark> = HashMap::default();
    let mut roots: Vec<&&ProductId> = parts.keys().collect();
    roots.sort();
    for root in roots {
        if marks.contains_key(*root) {
            continue;
        }
        // An explicit stack of (product, next component index): no recursion on deep BOMs.
        let mut stack: Vec<(&ProductId, usize)> = vec![(root, 0)];
        marks.insert(root, Mark::Open);
        while let Some((product, next)) = stack.last_mut() {
            let children = parts.get(product).map_or(&[][..], Vec::as_slice);
            if let Some(&child) = children.get(*next) {
                *next += 1;
                match marks.get(child) {
                    Some(Mark::Open) => {
                        let start = stack.iter().position(|(p, _)| *p == child).unwrap_or(0);
                        let mut path: Vec<&ProductId> = stack[start..].iter().map(|(p, _)| *p).collect();
                        path.push(child);
                        return Some(path);
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(child, Mark::Open);
                        stack.push((child, 0));
                    }
                }
            } else {
                marks.insert(product, Mark::Done);
                stack.pop();
            }
        }
    }
    None
}

impl SupplyData {
    /// The supply side as it stood at the end of `date`, given that it is `as_of` now: purchase
    /// orders placed by then, their lines received later open again; production orders starting by
    /// then (a planned order starting later is dropped: when it was planned is not recorded), those finished later still released; material stock rolled back by what arrived
    /// after `date` (good units of received lines) and what production used after it (the
    /// bills of materials' quantities for the output and scrap of orders finished after `date`).
    pub fn until(&self, date: NaiveDate) -> SupplyData {
        let mut stock: HashMap<(NodeId, MaterialId), Decimal> =
            self.material_stock.iter().map(|m| ((m.node.clone(), m.material.clone()), m.quantity)).collect();
        for order in &self.purchase_orders {
            for line in order.lines.iter().filter(|l| l.received_date.is_some_and(|d| d > date)) {
                if let Item::Material(m) = &line.item
                    && let Some(q) = stock.get_mut(&(order.deliver_to.clone(), m.clone()))
                {
                    *q -= line.received_quantity - line.rejected_quantity;
                }
            }
        }
        for order in self.production_orders.iter().filter(|o| o.finished.is_some_and(|d| d > date)) {
            for (plant, material, used) in self.materials_used(order) {
                if let Some(q) = stock.get_mut(&(plant, material)) {
                    *q += used;
                }
            }
        }
        let purchase_orders =
            self.purchase_orders.iter().filter(|o| o.order_date <= date).map(|o| o.as_of(date)).collect();
        let production_orders =
            self.production_orders.iter().filter(|o| o.start <= date).map(|o| o.as_of(date)).collect();
        SupplyData {
            material_stock: self
                .material_stock
                .iter()
                .map(|m| MaterialStock {
                    quantity: stock
                        .get(&(m.node.clone(), m.material.clone()))
                        .copied()
                        .unwrap_or(m.quantity)
                        .max(Decimal::ZERO),
                    ..m.clone()
                })
                .collect(),
            purchase_orders,
            production_orders,
            ..self.clone()
        }
    }
}
