//! S-P-I per month for the company and per region, channel stock (sell-in against sell-out), and
//! inventory health (ABC x XYZ, ineffective share, dead and slow stock, stock by age).

use std::collections::BTreeMap;

use omo_core::spi::{AbcClass, NodeLevel, Period, ProductLevel, XyzClass};
use rust_decimal::Decimal;

use super::charts::{Bars, Line, PALETTE, bar_chart, line_chart};
use super::html::{escape, figure, table};
use super::{Result, float, month_labels, month_number};
use crate::report::{money, quantity, region_name};
use omo_core::views::Views;

/// Sales, purchases and inventory per month for the company and per region, and the channel.
pub fn spi_section(views: &Views<'_>) -> Result<String> {
    let d = views.dataset();
    let months = views.chart_months();
    let labels = month_labels(&months);
    let index: BTreeMap<i64, usize> = months.iter().enumerate().map(|(i, m)| (month_number(*m), i)).collect();
    let slot = |date| index.get(&month_number(date)).copied();

    let mut company = [vec![None; months.len()], vec![None; months.len()], vec![None; months.len()]];
    for row in views.spi_rollup(&NodeLevel::Company, &ProductLevel::All, Period::Month, None)? {
        if let Some(i) = slot(row.period) {
            company[0][i] = Some(float(row.flows.sales));
            company[1][i] = Some(float(row.flows.receipts));
            company[2][i] = Some(float(row.flows.closing));
        }
    }
    let [sales, receipts, closing] = company;
    let company_chart = line_chart(
        "Company S-P-I per month",
        "units",
        &labels,
        &[
            Line { name: "S: sales".into(), values: sales, colour: PALETTE[0], dashed: false },
            Line { name: "P: receipts".into(), values: receipts, colour: PALETTE[1], dashed: false },
            Line { name: "I: closing stock".into(), values: closing, colour: PALETTE[2], dashed: false },
        ],
        None,
    )?;

    let mut by_region: BTreeMap<String, [Vec<Option<f64>>; 2]> = BTreeMap::new();
    for row in views.spi_rollup(&NodeLevel::Region, &ProductLevel::All, Period::Month, None)? {
        if let Some(i) = slot(row.period) {
            let entry = by_region
                .entry(region_name(d, &row.nodes))
                .or_insert_with(|| [vec![None; months.len()], vec![None; months.len()]]);
            entry[0][i] = Some(float(row.flows.sales));
            entry[1][i] = Some(float(row.flows.closing));
        }
    }
    let region_lines = |k: usize| -> Vec<Line> {
        by_region
            .iter()
            .enumerate()
            .map(|(n, (name, v))| Line {
                name: name.clone(),
                values: v[k].clone(),
                colour: PALETTE[n % PALETTE.len()],
                dashed: false,
            })
            .collect()
    };
    let region_sales = line_chart("Sales per region", "units sold", &labels, &region_lines(0), None)?;
    let region_stock = line_chart("Closing stock per region", "units on hand", &labels, &region_lines(1), None)?;

    let mut channel = [vec![None; months.len()], vec![None; months.len()], vec![None; months.len()]];
    for row in views.channel(Period::Month, None, None)? {
        if let Some(i) = slot(row.period) {
            channel[0][i] = Some(float(row.sell_in));
            channel[1][i] = Some(float(row.sell_out));
            channel[2][i] = Some(float(row.channel_stock()));
        }
    }
    let [sell_in, sell_out, channel_stock] = channel;
    let channel_chart = line_chart(
        "Channel: sell-in against sell-out",
        "units",
        &labels,
        &[
            Line { name: "sell-in (to distributors)".into(), values: sell_in, colour: PALETTE[3], dashed: false },
            Line { name: "sell-out (to end users)".into(), values: sell_out, colour: PALETTE[0], dashed: false },
            Line { name: "channel stock".into(), values: channel_stock, colour: PALETTE[4], dashed: true },
        ],
        None,
    )?;
    Ok(format!(
        r#"<div class="charts">{}{}{}{}</div>"#,
        figure(&company_chart, "Sales, receipts and closing stock of the whole company (internal transfers cancel)"),
        figure(&region_sales, "Units sold per region and month"),
        figure(&region_stock, "Units on hand per region at each month's end"),
        figure(&channel_chart, "What distributors bought, what shops sold to end users, and the stock between")
    ))
}

/// How many rows the top tables show.
const TOP: usize = 10;

/// ABC x XYZ, the ineffective share, the worst dead and slow stock, and stock by age.
pub fn health_section(views: &Views<'_>) -> Result<String> {
    let (options, report) = (views.health_options(), views.health()?);
    let xyz: BTreeMap<_, XyzClass> = report.xyz.iter().map(|x| (&x.product, x.class)).collect();
    let mut stock_value: BTreeMap<_, Decimal> = BTreeMap::new();
    for s in &report.stock {
        *stock_value.entry(&s.product).or_default() += s.value;
    }
    let mut matrix: BTreeMap<(AbcClass, Option<XyzClass>), (usize, Decimal)> = BTreeMap::new();
    for item in &report.abc {
        let cell = matrix.entry((item.class, xyz.get(&item.product).copied())).or_default();
        cell.0 += 1;
        cell.1 += stock_value.get(&item.product).copied().unwrap_or_default();
    }
    let columns = [Some(XyzClass::X), Some(XyzClass::Y), Some(XyzClass::Z), None];
    let rows: Vec<Vec<String>> = [AbcClass::A, AbcClass::B, AbcClass::C]
        .iter()
        .map(|abc| {
            let mut row = vec![format!("<b>{}</b>", abc.as_str())];
            for xyz in columns {
                let (n, value) = matrix.get(&(*abc, xyz)).copied().unwrap_or_default();
                row.push(format!(
                    r#"<span class="heat" data-abc="{}" data-xyz="{}">{n} SKUs · {}</span>"#,
                    abc.as_str(),
                    xyz.map_or("-", |x| x.as_str()),
                    money(value)
                ));
            }
            row
        })
        .collect();
    let matrix_table = table("abc-xyz", &["ABC \\ XYZ", "X steady", "Y fluctuating", "Z erratic", "no sales"], &rows);

    let unhealthy = views.unhealthy_stock()?;
    let worst: Vec<Vec<String>> = unhealthy
        .iter()
        .take(TOP)
        .map(|s| {
            vec![
                escape(s.node.as_str()),
                escape(s.product.as_str()),
                s.status.as_str().to_owned(),
                quantity(s.on_hand),
                money(s.value),
                s.last_issue.map_or_else(|| "never".to_owned(), |d| d.to_string()),
                s.days_of_cover.map_or_else(|| "-".to_owned(), |c| format!("{c:.0}")),
            ]
        })
        .collect();

    let mut ages = vec![0.0; options.age_buckets.len() + 1];
    for s in &report.stock {
        for (total, units) in ages.iter_mut().zip(&s.age_buckets) {
            *total += float(*units);
        }
    }
    let mut age_labels: Vec<String> = Vec::new();
    let mut lower = 0;
    for upper in &options.age_buckets {
        age_labels.push(format!("{lower}-{upper} d"));
        lower = upper + 1;
    }
    age_labels.push(format!("over {} d", lower.saturating_sub(1)));
    let age_chart = bar_chart(
        "Stock by age (FIFO)",
        "units on hand",
        &age_labels,
        &[Bars { name: "units".into(), values: ages, colour: PALETTE[0] }],
    )?;
    Ok(format!(
        r#"<div class="kpis"><div><div class="big" data-figure="ineffective_share">{}%</div>ineffective stock (dead or slow) of {} at standard cost</div><div><div class="big">{}</div>dead stock value</div><div><div class="big">{}</div>slow stock value</div></div>
<h3>ABC (last year's revenue) x XYZ (variability of monthly sales)</h3>{}<div class="charts">{}<div><h3>Top dead and slow stock</h3>{}</div></div>"#,
        (report.ineffective_share * Decimal::ONE_HUNDRED).round_dp(1),
        money(report.total_value),
        money(report.dead_value),
        money(report.slow_value),
        matrix_table,
        figure(&age_chart, "Units on hand by how long ago they were received"),
        table("worst-stock", &["node", "product", "status", "on hand", "value", "last issue", "days of cover"], &worst)
    ))
}
