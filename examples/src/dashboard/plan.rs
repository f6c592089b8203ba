//! The plan: each line's hours per month against its capacity, demand against supply per month,
//! the S&OP table, the suppliers' record, and the plan's lights to act on.

use omo_core::plan::CompanyPlan;

use super::charts::{Bars, PALETTE, bar_chart};
use super::html::{escape, figure, light, table};
use super::{Result, float, month_labels};
use crate::report::{SOP_HEADER, SUPPLIER_HEADER, sop_cells, supplier_cells};
use omo_core::views::Views;

/// The section.
pub fn section(views: &Views<'_>) -> Result<String> {
    let plan = views.plan()?;
    let months = month_labels(&plan.channel.periods);
    let mut charts = String::new();
    if let Some(supply) = &plan.supply {
        let mut lines: Vec<&str> = supply.loads.iter().map(|l| l.line.as_str()).collect();
        lines.dedup();
        for line in lines {
            let loads: Vec<_> = supply.loads.iter().filter(|l| l.line.as_str() == line).collect();
            let column = |pick: fn(&omo_core::plan::LineLoad) -> rust_decimal::Decimal| {
                loads.iter().map(|l| float(pick(l))).collect::<Vec<f64>>()
            };
            let chart = bar_chart(
                &format!("Line {line}: hours per month"),
                "hours",
                &months,
                &[
                    Bars { name: "capacity".into(), values: column(|l| l.capacity_hours), colour: PALETTE[0] },
                    Bars { name: "demand needs".into(), values: column(|l| l.required_hours), colour: PALETTE[5] },
                    Bars {
                        name: "planned (built ahead)".into(),
                        values: column(|l| l.planned_hours),
                        colour: PALETTE[2],
                    },
                ],
            )?;
            let over = loads.iter().filter(|l| l.over_capacity).count();
            charts.push_str(&figure(
                &chart,
                &format!("{over} of {} months need more hours than line {line} has; the plan builds ahead into earlier months.", loads.len()),
            ));
        }
    }
    let mut totals = vec![[0.0; 3]; months.len()];
    for row in &plan.sop {
        if let Some(t) = plan.channel.periods.iter().position(|p| *p == row.period) {
            totals[t][0] += float(row.required.units);
            totals[t][1] += float(row.supply.units);
            totals[t][2] += float(row.unmet.units);
        }
    }
    let column = |k: usize| totals.iter().map(|t| t[k]).collect::<Vec<f64>>();
    let sop_chart = bar_chart(
        "Required from the plant against supply",
        "units",
        &months,
        &[
            Bars { name: "required".into(), values: column(0), colour: PALETTE[1] },
            Bars { name: "made or bought".into(), values: column(1), colour: PALETTE[2] },
            Bars { name: "unmet".into(), values: column(2), colour: PALETTE[5] },
        ],
    )?;
    charts.push_str(&figure(
        &sop_chart,
        "What the top of the chain must deliver each month, what the lines and the OEM supplier provide, and the gap.",
    ));
    let mut out = format!(r#"<div class="charts">{charts}</div>"#);
    out.push_str(&signals(plan));
    let sop: Vec<Vec<String>> =
        plan.sop.iter().map(|r| sop_cells(views.dataset(), r).iter().map(|c| escape(c)).collect()).collect();
    out.push_str("<h3>S&amp;OP by month and product family (units; gap value at standard cost)</h3>");
    out.push_str(&table("sop", &SOP_HEADER, &sop));
    let suppliers: Vec<Vec<String>> =
        plan.suppliers.iter().map(|s| supplier_cells(s).iter().map(|c| escape(c)).collect()).collect();
    out.push_str("<h3>Suppliers and OEM</h3>");
    out.push_str(&table("suppliers", &SUPPLIER_HEADER, &suppliers));
    Ok(out)
}

/// The plan's lights to act on, with what to do.
fn signals(plan: &CompanyPlan) -> String {
    let rows: Vec<Vec<String>> = plan
        .to_act_on()
        .into_iter()
        .map(|s| {
            let tooltip = format!("{} = {:?}", s.kpi, s.evaluation.value);
            vec![
                format!(
                    r#"<span data-plan-signal="{}">{}</span>"#,
                    escape(&s.kpi),
                    light(s.evaluation.light, &tooltip)
                ),
                escape(&s.member),
                s.period.map_or_else(String::new, |p| p.format("%Y-%m").to_string()),
                escape(&s.action),
                escape(&s.message),
            ]
        })
        .collect();
    format!(
        "<h3>To act on: {} plan lights not green</h3>{}",
        rows.len(),
        table("plan-signals", &["light", "who", "month", "action", "what to do"], &rows)
    )
}
