//! Properties of the plans: stock balances in every period, orders respect packs and minimums,
//! no line is loaded past its hours without a flag, the supply plan accounts for every unit
//! required, the explosion through a bill of materials conserves quantities, and a cycle in the
//! bills of materials is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use omo_core::Dataset;
use omo_core::plan::{Horizon, LotSizing, MrpInput, OrderModifiers, SupplySettings, mrp_record, supply_plan};
use omo_core::spi::Period;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;

fn lot_sizing() -> impl Strategy<Value = LotSizing> {
    prop_oneof![
        Just(LotSizing::LotForLot),
        (1i64..50).prop_map(|q| LotSizing::FixedOrderQuantity { lot_size: Decimal::from(q) }),
        (1usize..4).prop_map(|periods| LotSizing::PeriodsOfSupply { periods }),
    ]
}

proptest! {
    #[test]
    fn mrp_records_balance_and_respect_the_modifiers(
        gross in prop::collection::vec(0i64..200, 2..10),
        on_hand in 0i64..300,
        safety in 0i64..40,
        lead in 0usize..2,
        rule in lot_sizing(),
        minimum in 0i64..60,
        multiple in 0i64..25,
    ) {
        let d = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
        let modifiers = OrderModifiers { minimum: Decimal::from(minimum), multiple: Decimal::from(multiple) };
        let record = mrp_record(&MrpInput {
            gross_requirements: d(&gross),
            scheduled_receipts: None,
            on_hand: Decimal::from(on_hand),
            safety_stock: Decimal::from(safety),
            lead_time: lead.min(gross.len() - 1),
            lot_sizing: rule,
            modifiers,
        }).unwrap();
        let mut stock = Decimal::from(on_hand);
        for row in &record.rows {
            // Closing = opening + receipts - demand; a period with a planned receipt ends at or
            // above the safety stock.
            stock += row.scheduled_receipts + row.planned_order_receipts - row.gross_requirements;
            prop_assert_eq!(row.projected_on_hand, stock);
            if !row.planned_order_receipts.is_zero() {
                prop_assert!(row.projected_on_hand >= Decimal::from(safety));
            }
            let q = row.planned_order_receipts;
            if !q.is_zero() {
                prop_assert!(q >= row.net_requirements && q >= modifiers.minimum);
                if multiple > 0 {
                    prop_assert!((q % modifiers.multiple).is_zero(), "{} is not a multiple of {}", q, multiple);
                }
            }
        }
    }

    #[test]
    fn the_supply_plan_accounts_for_every_unit_and_flags_every_overload(
        first in prop::collection::vec(0i64..3_000, 4),
        second in prop::collection::vec(0i64..1_500, 4),
        hours in 20i64..200,
    ) {
        let dataset = plant(hours);
        let horizon = Horizon::after("2026-01-31".parse().unwrap(), Period::Month, 4).unwrap();
        let d = |v: &[i64]| v.iter().map(|&x| Decimal::from(x)).collect::<Vec<_>>();
        let required: BTreeMap<_, _> = [("P1".parse().unwrap(), d(&first)), ("P2".parse().unwrap(), d(&second))].into_iter().collect();
        let plan = supply_plan(&dataset, &horizon, &required, &SupplySettings::default()).unwrap();
        for load in &plan.loads {
            // Planned hours never pass the line's hours (but for less than a hundredth of a unit);
            // a period needing more is flagged.
            prop_assert!(load.planned_hours <= load.capacity_hours + Decimal::new(1, 2), "{:?}", load);
            prop_assert_eq!(load.over_capacity, load.required_hours > load.capacity_hours);
        }
        for (product, quantities) in &required {
            // No OEM supplier here: every unit required is made (in its period or earlier) or unmet.
            let rows: Vec<_> = plan.products.iter().filter(|p| &p.product == product).collect();
            let made: Decimal = rows.iter().map(|r| r.made).sum();
            let unmet: Decimal = rows.iter().map(|r| r.unmet).sum();
            prop_assert_eq!(made + unmet, quantities.iter().sum::<Decimal>());
            // Nothing is made later than it is needed: cumulative supply covers cumulative need
            // less what is unmet.
            let mut supplied = Decimal::ZERO;
            let mut needed = Decimal::ZERO;
            for r in &rows {
                supplied += r.made + r.unmet;
                needed += r.required;
                prop_assert!(supplied >= needed, "{} short in period {}", product, r.period);
            }
        }
        // The explosion conserves quantities: half a tonne of urea and one bag per unit of P1 made.
        let made_p1: Decimal = plan.products.iter().filter(|p| p.product.as_str() == "P1").map(|p| p.made).sum();
        let gross = |id: &str| -> Decimal {
            plan.components.iter().find(|c| matches!(&c.item, omo_core::model::Item::Material(m) if m.as_str() == id))
                .map_or(Decimal::ZERO, |c| c.record.rows.iter().map(|r| r.gross_requirements).sum())
        };
        prop_assert_eq!(gross("UREA"), made_p1 * Decimal::new(5, 1));
        prop_assert_eq!(gross("BAG"), made_p1);
    }

    #[test]
    fn a_chain_of_bills_is_accepted_and_closing_it_into_a_cycle_is_refused(length in 2usize..8, back in 0usize..7) {
        let products: Vec<String> = (0..length).map(|i| format!("P{i}")).collect();
        let bom = |parent: &str, child: &str| json!({"product": parent, "components": [{"item": {"product": child}, "quantity": "1"}]});
        let mut boms: Vec<serde_json::Value> = products.windows(2).map(|w| bom(&w[0], &w[1])).collect();
        prop_assert!(Dataset::from_json_validated(&company(&products, &boms).to_string()).is_ok());
        // The last product made of an earlier one closes a cycle.
        boms.push(bom(&products[length - 1], &products[back % (length - 1)]));
        let err = Dataset::from_json_validated(&company(&products, &boms).to_string()).unwrap_err().to_string();
        prop_assert!(err.contains("cycle"), "{}", err);
    }
}

fn company(products: &[String], boms: &[serde_json::Value]) -> serde_json::Value {
    let product = |id: &str| {
        json!({"id": id, "name": id, "category": "C", "brand": "B", "unit": "bag", "pack_size": "1",
               "minimum_order": "0", "standard_cost": "100", "list_price": "150", "status": "active"})
    };
    json!({
        "company": "Test", "currency": "CNY", "as_of": "2026-01-31",
        "categories": [{"id": "C", "name": "C", "parent": null}],
        "products": products.iter().map(|p| product(p)).collect::<Vec<_>>(),
        "supply": {"boms": boms}
    })
}

/// One line of `hours` a month making P1 (10 an hour, half a tonne of urea and a bag each) and
/// P2 (5 an hour); no OEM supplier.
fn plant(hours: i64) -> Dataset {
    let mut data = company(
        &["P1".into(), "P2".into()],
        &[json!({"product": "P1", "components": [
        {"item": {"material": "UREA"}, "quantity": "0.5"}, {"item": {"material": "BAG"}, "quantity": "1"}]})],
    );
    data["nodes"] =
        json!([{"id": "PLANT", "name": "Plant", "kind": "plant", "parent": null, "region": null, "customer": null}]);
    data["supply"]["materials"] = json!([{"id": "UREA", "name": "Urea", "unit": "t", "standard_cost": "2"},
                                         {"id": "BAG", "name": "Bag", "unit": "piece", "standard_cost": "0.5"}]);
    data["supply"]["production_lines"] = json!([{"id": "L1", "name": "L1", "node": "PLANT", "hours_per_month": hours.to_string(),
        "rates": [{"product": "P1", "units_per_hour": "10"}, {"product": "P2", "units_per_hour": "5"}]}]);
    Dataset::from_json_validated(&data.to_string()).unwrap()
}
