//! The views every door shows: computed once in the core, the same on the live engine as on the
//! batch dataset with the same records, and each with the definition its documentation states.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use omo_core::analytics::{
    Activity, SalesSource, Team, customer_summaries, rfm_from_invoices, sales_by_region_and_category, team_performance,
    top_customers,
};
use omo_core::engine::{Engine, EngineOptions};
use omo_core::kpi::{AlertRule, Light, standard_alerts, standard_kpis};
use omo_core::model::{CustomerId, CustomerKind, InvoiceKind, NodeId, NodeKind};
use omo_core::sample::{SampleConfig, sample_company};
use omo_core::spi::StockStatus;
use omo_core::views::{Axis, LimitStatus, RollupBy, StockTake, Views, Window};
use omo_core::{Dataset, OmoError, ValidDataset};
use rust_decimal::Decimal;

type Res = Result<(), Box<dyn std::error::Error>>;

fn company() -> Dataset {
    sample_company(&SampleConfig::small(11)).unwrap_or_else(|e| unreachable!("sample: {e}"))
}

/// An engine opened 75 days before the company's last day and fed the rest as events.
fn replayed() -> Result<Engine, Box<dyn std::error::Error>> {
    let company = company();
    let cut = company.as_of - Days::new(75);
    let mut engine = Engine::new(company.until(cut), EngineOptions::default())?;
    for event in omo_core::engine::events_of(&company, cut)? {
        engine.apply(event)?;
    }
    Ok(engine)
}

#[test]
fn the_engine_s_views_equal_the_views_of_its_records_as_a_dataset() -> Res {
    let engine = replayed()?;
    let records = engine.to_valid_dataset();
    let (live, batch) = (engine.views(), Views::new(&records));
    for axis in [Axis::Region, Axis::BusinessUnit] {
        assert_eq!(live.scorecard(axis, None)?, batch.scorecard(axis, None)?, "{axis:?}");
    }
    assert_eq!(live.alerts(None)?, batch.alerts(None)?);
    assert_eq!(live.positions(None)?, batch.positions(None)?);
    assert_eq!(live.blocked_orders(None)?, batch.blocked_orders(None)?);
    assert_eq!(live.suggested_orders(None, None)?, batch.suggested_orders(None, None)?);
    assert_eq!(live.unhealthy_stock()?, batch.unhealthy_stock()?);
    assert_eq!(live.reconciliation(None)?, batch.reconciliation(None)?);
    assert_eq!(live.customer_summaries(None, None)?, batch.customer_summaries(None, None)?);
    assert_eq!(live.team_performance(Team::BusinessUnit, None)?, batch.team_performance(Team::BusinessUnit, None)?);
    Ok(())
}

#[test]
fn a_scorecard_has_every_member_once_parents_first_with_names_depths_and_a_cell_per_kpi() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let kpis: Vec<String> = standard_kpis()?.into_iter().map(|k| k.id).collect();
    let card = views.scorecard(Axis::Region, None)?;
    assert_eq!(card.month, NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("date")?, "the last complete month");
    let mut depth_of: HashMap<&str, u32> = HashMap::new();
    for row in &card.rows {
        let expected = match &row.parent {
            None => 0,
            Some(parent) => depth_of.get(parent.as_str()).ok_or("a member before its parent")? + 1,
        };
        assert_eq!(row.depth, expected, "{}", row.member);
        assert!(depth_of.insert(&row.member, row.depth).is_none(), "{} twice", row.member);
        assert_eq!(row.cells.iter().map(|c| c.kpi.as_str()).collect::<Vec<_>>(), kpis, "{}", row.member);
        assert_eq!(row.overall, row.cells.iter().map(|c| c.light).max().unwrap_or(Light::Grey), "{}", row.member);
    }
    let regions: HashMap<&str, &str> = company.regions.iter().map(|r| (r.id.as_str(), r.name.as_str())).collect();
    let distributors: HashMap<&str, &str> = company
        .customers
        .iter()
        .filter(|c| c.kind == CustomerKind::Distributor)
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    for row in &card.rows {
        let name = regions.get(row.member.as_str()).or_else(|| distributors.get(row.member.as_str()));
        assert_eq!(Some(&row.name.as_str()), name, "{} is a region or a distributor, shown by name", row.member);
    }
    assert_eq!(card.rows.iter().filter(|r| distributors.contains_key(r.member.as_str())).count(), distributors.len());
    // A distributor's own value is its input's value; a region's cell has none of its own.
    for row in card.rows.iter().filter(|r| regions.contains_key(r.member.as_str())) {
        assert!(row.cells.iter().all(|c| c.value.is_none()), "{}", row.member);
    }
    // An earlier month, asked by any day of it, is that month.
    let june = views.scorecard(Axis::BusinessUnit, NaiveDate::from_ymd_opt(2025, 6, 17))?;
    assert_eq!((june.month.month(), june.month.day()), (6, 1));
    Ok(())
}

#[test]
fn alerts_are_the_catalogue_s_over_the_standard_window_and_counted_per_month() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let view = views.alerts(None)?;
    assert_eq!(view.months.len(), 12);
    assert_eq!(view.months.last(), Some(&views.scorecard_month()));
    let last = views.scorecard_month();
    assert_eq!(view.events, standard_alerts(&company, last, 12, &AlertRule::default())?);
    assert_eq!(views.alerts(Some(5))?.events, standard_alerts(&company, last, 5, &AlertRule::default())?);
    // Clamped to the two years of data.
    assert_eq!(views.alerts(Some(1_000))?.months.len(), 24);
    let counted: u32 = view.per_month().iter().flat_map(|(_, c)| c.iter()).sum();
    assert_eq!(counted as usize, view.events.len());
    assert!(views.alerts(Some(0)).is_err());
    Ok(())
}

#[test]
fn positions_are_ranked_by_the_share_of_the_limit_used_with_the_policy_s_status() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let positions = views.positions(None)?;
    assert_eq!(positions.len(), company.credit_accounts.len());
    for pair in positions.windows(2) {
        assert!(pair[0].used >= pair[1].used, "{:?} before {:?}", pair[0].used, pair[1].used);
    }
    let warn = views.credit_book()?.policy().warn_share.ok_or("the default policy warns")?;
    for p in &positions {
        let c = &p.check;
        assert_eq!(p.used, (!c.limit.is_zero()).then(|| c.exposure_before / c.limit));
        // Independently of the findings: over when exposure passes the limit, near past the
        // policy's warning share of it.
        let expected = if c.exposure_before > c.limit {
            LimitStatus::Over
        } else if c.exposure_before > c.limit * warn {
            LimitStatus::Near
        } else {
            LimitStatus::Within
        };
        if !c.limit.is_zero() {
            assert_eq!(p.status, expected, "{}: {} of {}", c.customer, c.exposure_before, c.limit);
        }
        assert_eq!(c.date, company.as_of);
        assert_eq!(c.order_amount, Decimal::ZERO);
    }
    let distributors: HashSet<_> =
        company.customers.iter().filter(|c| c.kind == CustomerKind::Distributor).map(|c| &c.id).collect();
    let of_distributors = views.positions(Some(CustomerKind::Distributor))?;
    assert!(!of_distributors.is_empty());
    assert!(of_distributors.iter().all(|p| distributors.contains(&p.check.customer)));
    let expected: Vec<_> = positions.iter().filter(|p| distributors.contains(&p.check.customer)).collect();
    assert_eq!(of_distributors.iter().collect::<Vec<_>>(), expected, "the same ranking, filtered");
    Ok(())
}

#[test]
fn blocked_orders_are_the_orders_of_the_window_a_static_check_blocks() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let orders = views.blocked_orders(None)?;
    assert_eq!(orders.window, Window::trailing_month(company.as_of));
    let in_window = company.orders.iter().filter(|o| orders.window.contains(o.order_date)).count();
    assert!(orders.checked as usize <= in_window && orders.checked > 0, "{} of {in_window}", orders.checked);
    for b in &orders.blocked {
        assert!(orders.window.contains(b.check.date), "{}", b.order);
        assert!(!b.reasons.is_empty(), "{} is blocked for a reason", b.order);
        let order = company.orders.iter().find(|o| o.id == b.order).ok_or("the order exists")?;
        assert_eq!(b.check.customer, order.customer);
    }
    let year = Window::new(company.as_of - Days::new(365), company.as_of)?;
    let over_a_year = views.blocked_orders(Some(year))?;
    assert!(over_a_year.checked >= orders.checked && over_a_year.blocked.len() >= orders.blocked.len());
    Ok(())
}

#[test]
fn dead_and_slow_stock_the_abc_summary_and_the_count_differences_are_ranked_as_documented() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let health = views.health()?;
    let unhealthy = views.unhealthy_stock()?;
    let expected = health.stock.iter().filter(|s| matches!(s.status, StockStatus::Dead | StockStatus::Slow)).count();
    assert_eq!(unhealthy.len(), expected);
    assert!(unhealthy.windows(2).all(|w| w[0].value >= w[1].value));
    let share = (health.dead_value + health.slow_value) / health.total_value;
    assert_eq!(health.ineffective_share, share);
    let abc = views.abc_summary()?;
    assert_eq!(abc.iter().map(|c| c.products).sum::<u64>() as usize, health.abc.len());
    for class in &abc {
        let value: Decimal = health.abc.iter().filter(|a| a.class == class.class).map(|a| a.value).sum();
        assert_eq!(class.value, value, "{:?}", class.class);
    }
    let StockTake { day, reconciliation } = views.reconciliation(None)?.ok_or("the sample counts its stock")?;
    assert_eq!(Some(day), company.counts.iter().map(|c| c.date).max());
    assert!(reconciliation.lines.windows(2).all(|w| w[0].difference_value <= w[1].difference_value));
    assert!(reconciliation.lines.iter().all(|l| l.date == day));
    Ok(())
}

#[test]
fn suggested_orders_carry_their_value_at_standard_cost_and_one_node_is_planned_as_its_kind() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let orders = views.suggested_orders(None, None)?;
    assert_eq!((orders.settings.lead_time_days, orders.settings.review_days), (7, 7));
    assert_eq!(orders.due as usize, orders.rows.iter().filter(|r| r.order.quantity > Decimal::ZERO).count());
    assert!(orders.due > 0);
    for row in &orders.rows {
        let product = company.products.iter().find(|p| p.id == row.order.product).ok_or("a known product")?;
        assert_eq!(row.value, row.order.quantity * product.standard_cost);
    }
    assert!(orders.rows.windows(2).all(|w| w[0].value >= w[1].value));
    let shop = company.nodes.iter().find(|n| n.kind == NodeKind::Retailer).ok_or("a shop")?;
    let of_shop = views.suggested_orders(Some(&shop.id), None)?;
    assert_eq!(of_shop.settings.node_kinds, vec![NodeKind::Retailer]);
    assert!(!of_shop.rows.is_empty() && of_shop.rows.iter().all(|r| r.order.node == shop.id));
    let nowhere = NodeId::new("NOWHERE")?;
    assert!(matches!(views.suggested_orders(Some(&nowhere), None), Err(OmoError::UnknownId { kind: "node", .. })));
    Ok(())
}

#[test]
fn customer_views_default_to_the_trailing_year_and_ninety_days_and_know_who_never_bought() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    // The sample ends on 2025-12-31: the trailing year starts on 2024-12-31.
    let (from, to) = (NaiveDate::from_ymd_opt(2024, 12, 31).ok_or("date")?, company.as_of);
    assert_eq!(views.trailing_year(), Window::new(from, to)?);
    let summaries = views.customer_summaries(None, None)?;
    assert_eq!(summaries, customer_summaries(&company, from, to, 90)?);
    assert_eq!(views.rfm(None), rfm_from_invoices(&company, from, to));
    let segments = views.rfm_segments(None);
    assert_eq!(segments.iter().map(|s| s.customers).sum::<u64>() as usize, views.rfm(None).len());
    assert_eq!(views.top_customers(5), top_customers(&company, from, to, 5));
    let december = Window::new(NaiveDate::from_ymd_opt(2025, 12, 1).ok_or("date")?, to)?;
    assert_eq!(
        views.team_performance(Team::Salesperson, None)?,
        team_performance(&company, Team::Salesperson, december.from, december.to)?
    );
    // Someone in the summaries has its summary; someone outside them is dormant or never bought,
    // by the last purchase before the window.
    let first = &summaries[0];
    assert_eq!(&views.customer(&first.customer)?.summary, first);
    let listed: HashSet<_> = summaries.iter().map(|s| &s.customer).collect();
    let outside = company.customers.iter().find(|c| !listed.contains(&c.id)).ok_or("a customer outside the year")?;
    let profile = views.customer(&outside.id)?;
    assert_eq!(
        (profile.name.as_str(), profile.summary.deals, profile.summary.revenue),
        (outside.name.as_str(), 0, Decimal::ZERO)
    );
    let bought = company.pos_sales.iter().filter(|s| s.customer.as_ref() == Some(&outside.id)).map(|s| s.date);
    let invoiced = company.invoices.iter().filter(|i| i.customer == outside.id && i.kind == InvoiceKind::Invoice);
    let invoiced = invoiced.map(|i| i.date);
    let last = bought.chain(invoiced).max();
    assert_eq!(profile.summary.last_purchase, last);
    assert!(last.is_none_or(|day| day < from), "outside the year");
    let expected = if last.is_some() { Activity::Dormant } else { Activity::Never };
    assert_eq!(profile.summary.activity, expected);
    let nobody = CustomerId::new("NOBODY")?;
    assert!(matches!(views.customer(&nobody), Err(OmoError::UnknownId { kind: "customer", .. })));
    Ok(())
}

#[test]
fn forecast_roll_ups_add_up_the_series_and_charts_show_two_years_to_the_last_complete_month() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let series = views.sell_out_forecast(None)?;
    let months: Vec<NaiveDate> = (1..=3).filter_map(|m| NaiveDate::from_ymd_opt(2026, m, 1)).collect();
    let mut seen: Vec<NaiveDate> = series.iter().map(|f| f.month).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen, months, "the next three months");
    let total = views.forecast_rollup(RollupBy::Company)?;
    assert_eq!(total.iter().map(|r| r.month).collect::<Vec<_>>(), months);
    for row in &total {
        let of_month = series.iter().filter(|f| f.month == row.month);
        let revenue: Decimal = of_month.clone().map(|f| f.revenue).sum();
        let last_year: Decimal = of_month.map(|f| f.volume_last_year).sum();
        assert_eq!((row.revenue, row.volume_last_year), (revenue, last_year), "{}", row.month);
        assert_eq!(row.change, Some(row.volume / row.volume_last_year - Decimal::ONE));
    }
    for by in [RollupBy::Region, RollupBy::Category] {
        let rows = views.forecast_rollup(by)?;
        for month in &months {
            let revenue: Decimal = rows.iter().filter(|r| r.month == *month).map(|r| r.revenue).sum();
            let company_row = total.iter().find(|r| r.month == *month).ok_or("a total per month")?;
            assert_eq!(revenue, company_row.revenue, "{by:?} {month}");
        }
    }
    let region = &company.regions.iter().find(|r| r.parent.is_some()).ok_or("a region")?;
    let rows = views.forecast_rollup(RollupBy::Region)?;
    if let Some(row) = rows.iter().find(|r| r.key == region.id.as_str()) {
        assert_eq!(row.name, region.name);
    }
    let chart = views.chart_months();
    assert_eq!((chart.len(), chart.last()), (24, NaiveDate::from_ymd_opt(2025, 12, 1).as_ref()));
    let outlook = views.outlook(2)?;
    assert_eq!((outlook.history_months, outlook.months_ahead), (chart, months));
    Ok(())
}

#[test]
fn the_sales_pivot_holds_every_cell_of_the_last_complete_quarter_with_row_and_column_totals() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    for source in [SalesSource::Invoiced, SalesSource::SellOut] {
        let pivot = views.sales(source, None)?;
        let quarter = Window::new(NaiveDate::from_ymd_opt(2025, 10, 1).ok_or("date")?, company.as_of)?;
        assert_eq!(pivot.window, quarter);
        let cells = sales_by_region_and_category(&company, quarter.from, quarter.to, source)?;
        assert!(!cells.is_empty());
        for cell in &cells {
            let row = pivot.rows.iter().find(|r| r.key == cell.region.as_str()).ok_or("a row per region")?;
            let column = pivot.categories.iter().position(|c| *c == cell.category).ok_or("a column per category")?;
            assert_eq!((row.cells[column].quantity, row.cells[column].revenue), (cell.quantity, cell.revenue));
        }
        let revenue: Decimal = cells.iter().map(|c| c.revenue).sum();
        let quantity: Decimal = cells.iter().map(|c| c.quantity).sum();
        assert_eq!((pivot.total.total.revenue, pivot.total.total.quantity), (revenue, quantity), "{source:?}");
        for (i, category) in pivot.categories.iter().enumerate() {
            let column: Decimal = cells.iter().filter(|c| &c.category == category).map(|c| c.revenue).sum();
            assert_eq!(pivot.total.cells[i].revenue, column, "{category}");
        }
        assert!(pivot.categories.windows(2).all(|w| w[0] < w[1]));
    }
    Ok(())
}

#[test]
fn the_live_scorecard_shows_the_engine_s_month_to_date_lights_and_values_in_the_tree_s_order() -> Res {
    let engine = replayed()?;
    let live = engine.live_scorecard();
    let month_card = engine.views().scorecard(Axis::Region, None)?;
    // The same tree as the month's scorecard: members, parents and depths in the same order.
    let tree = |card: &omo_core::views::ScorecardView| -> Vec<(String, Option<String>, u32)> {
        card.rows.iter().map(|r| (r.member.clone(), r.parent.clone(), r.depth)).collect()
    };
    assert_eq!(tree(&live), tree(&month_card));
    assert_eq!(live.month, NaiveDate::from_ymd_opt(engine.as_of().year(), engine.as_of().month(), 1).unwrap());
    let lights: HashMap<(String, String), Light> = engine.lights().into_iter().map(|(m, k, l)| ((m, k), l)).collect();
    let mut red = 0;
    for row in &live.rows {
        for cell in &row.cells {
            assert_eq!(
                Some(&cell.light),
                lights.get(&(row.member.clone(), cell.kpi.clone())),
                "{} {}",
                row.member,
                cell.kpi
            );
            if row.cells.iter().any(|c| c.value.is_some()) {
                assert_eq!(cell.value, engine.kpi_value(&row.member, &cell.kpi), "{} {}", row.member, cell.kpi);
            }
            red += usize::from(cell.light == Light::Red);
        }
        assert_eq!(row.overall, row.cells.iter().map(|c| c.light).max().unwrap_or(Light::Grey), "{}", row.member);
    }
    assert!(red > 0, "no red light month to date: the test shows nothing");
    Ok(())
}

#[test]
fn a_kpi_series_is_the_member_s_cell_in_each_month_s_scorecard() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let months = views.kpi_history()?.months.clone();
    let card = views.scorecard(Axis::Region, Some(months[months.len() - 2]))?;
    // A distributor's cell with a value of its own.
    let (row, cell) = card
        .rows
        .iter()
        .find_map(|r| r.cells.iter().find(|c| c.value.is_some()).map(|c| (r, c)))
        .ok_or("no member has a value")?;
    let series = views.kpi_series(Axis::Region, &row.member, &cell.kpi)?;
    assert_eq!(series.iter().map(|p| p.month).collect::<Vec<_>>(), months);
    let point = &series[months.len() - 2];
    assert_eq!((point.light, point.value, point.threshold), (cell.light, cell.value, cell.threshold));
    assert!(matches!(views.kpi_series(Axis::Region, "NOBODY", &cell.kpi), Err(OmoError::UnknownId { .. })));
    assert!(matches!(views.kpi_series(Axis::Region, &row.member, "happiness"), Err(OmoError::UnknownId { .. })));
    Ok(())
}

#[test]
fn a_distributor_s_drill_down_holds_its_shops_stock_and_sell_out_and_its_shops_best_customers() -> Res {
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let distributor = company.customers.iter().find(|c| c.kind == CustomerKind::Distributor).ok_or("none")?;
    let view = views.distributor(&distributor.id)?;
    assert_eq!(view.node, distributor.node);
    let window = views.trailing_year();
    for shop in &view.shops {
        let node = shop.node.as_ref().ok_or("a shop without a node")?;
        // Recomputed here from the records: stock is every movement's change up to the day,
        // sell-out the trailing year's POS sales at the shop.
        let on_hand: Decimal = company.movements.iter().filter(|m| &m.node == node).map(|m| m.stock_change()).sum();
        let sales: Vec<_> = company.pos_sales.iter().filter(|s| &s.node == node && window.contains(s.date)).collect();
        assert_eq!(shop.on_hand, on_hand, "{}", shop.customer);
        assert_eq!(shop.sell_out_units, sales.iter().map(|s| s.quantity).sum::<Decimal>());
        assert_eq!(shop.sell_out_revenue, sales.iter().map(|s| s.revenue).sum::<Decimal>());
        assert_eq!(
            shop.buyers as usize,
            sales.iter().filter_map(|s| s.customer.as_ref()).collect::<HashSet<_>>().len()
        );
    }
    assert!(view.shops.iter().any(|s| s.sell_out_revenue > Decimal::ZERO));
    let shops: HashSet<&CustomerId> = view.shops.iter().map(|s| &s.customer).collect();
    for summary in &view.top_customers {
        let customer = company.customers.iter().find(|c| c.id == summary.customer).ok_or("unknown")?;
        assert!(customer.parent.as_ref().is_some_and(|p| shops.contains(p)), "{} is not a shop's", summary.customer);
    }
    assert!(view.top_customers.windows(2).all(|w| w[0].revenue >= w[1].revenue));
    assert!(matches!(views.distributor(&view.shops[0].customer), Err(OmoError::UnknownId { .. })));
    Ok(())
}

#[test]
fn a_region_s_spi_is_its_nodes_taken_together() -> Res {
    use omo_core::spi::{NodeLevel, Period, ProductLevel};
    let company = ValidDataset::new(company())?;
    let views = Views::new(&company);
    let tree = company.region_tree()?;
    // A region with regions below it, so its nodes sit in several regions.
    let region = company
        .nodes
        .iter()
        .filter_map(|n| n.region.as_ref())
        .flat_map(|r| tree.ancestors(r))
        .next()
        .ok_or("no region above another")?
        .clone();
    let rows = views.region_spi(Some(&region), &ProductLevel::All, Period::Month)?;
    let within: HashSet<String> = company
        .nodes
        .iter()
        .filter(|n| n.region.as_ref().is_some_and(|r| tree.is_within(r, &region)))
        .map(|n| n.id.to_string())
        .collect();
    let per_node = views.spi_rollup(&NodeLevel::Node, &ProductLevel::All, Period::Month, None)?;
    for row in &rows {
        // Sales leave the region whichever node sells; each node's own sales add up to them.
        let sales: Decimal = per_node
            .iter()
            .filter(|r| r.period == row.period && within.contains(&r.nodes))
            .map(|r| r.flows.sales)
            .sum();
        assert_eq!(row.flows.sales, sales, "{}", row.period);
    }
    assert!(rows.iter().any(|r| r.flows.sales > Decimal::ZERO));
    let all = views.region_spi(None, &ProductLevel::All, Period::Month)?;
    assert!(all.iter().all(|r| r.nodes == "ALL"));
    assert!(matches!(
        views.region_spi(Some(&omo_core::model::RegionId::new("ATLANTIS")?), &ProductLevel::All, Period::Month),
        Err(OmoError::UnknownId { .. })
    ));
    Ok(())
}
