//! Charts drawn by plotters into SVG strings: lines over labelled periods (with an optional
//! prediction band) and grouped bars over categories. Titles, axis descriptions with units, and
//! legends on every chart.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of every chart, in pixels.
const SIZE: (u32, u32) = (560, 300);

/// The palette, one colour per series in turn.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(214, 39, 40),
];

/// One line of a line chart; `None` leaves a gap.
pub struct Line {
    /// The legend.
    pub name: String,
    /// One value per x label.
    pub values: Vec<Option<f64>>,
    /// Its colour.
    pub colour: RGBColor,
    /// Drawn dashed (last year, a plan).
    pub dashed: bool,
}

/// A shaded band between two bounds (a prediction interval).
pub struct Band {
    /// The legend.
    pub name: String,
    /// Lower bound per x label.
    pub lower: Vec<Option<f64>>,
    /// Upper bound per x label.
    pub upper: Vec<Option<f64>>,
    /// Its colour.
    pub colour: RGBColor,
}

/// One group of bars: a legend and one value per category.
pub struct Bars {
    /// The legend.
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Its colour.
    pub colour: RGBColor,
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn error(e: impl std::fmt::Display) -> String {
    format!("chart: {e}")
}

/// Draws into a fresh SVG of [`SIZE`] and returns its text.
fn svg(draw: impl FnOnce(&Area<'_>) -> Result<(), String>) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        draw(&root)?;
        root.present().map_err(error)?;
    }
    Ok(out)
}

/// The range of the values (never empty, always including 0 when `from_zero`).
fn value_range(values: impl Iterator<Item = f64>, from_zero: bool) -> std::ops::Range<f64> {
    let (mut low, mut high) = if from_zero { (0.0, 0.0) } else { (f64::INFINITY, f64::NEG_INFINITY) };
    for v in values.filter(|v| v.is_finite()) {
        low = low.min(v);
        high = high.max(v);
    }
    if !low.is_finite() || !high.is_finite() {
        return 0.0..1.0;
    }
    let pad = ((high - low) * 0.08).max(1e-9);
    (if low < 0.0 || !from_zero { low - pad } else { low })..high + pad
}

/// Thousands shown as `12k`, millions as `1.2M`.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A titled chart of `n` slots along x (centred on 0, 1, ...) and the `y` range.
fn chart_on<'a, 'b>(
    root: &'a Area<'b>,
    title: &str,
    n: usize,
    y: std::ops::Range<f64>,
) -> Result<Chart<'a, 'b>, String> {
    ChartBuilder::on(root)
        .caption(title, ("sans-serif", 17))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y)
        .map_err(error)
}

/// The label of the slot at `x`, blank between slots.
fn label_at(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 { String::new() } else { labels.get(i as usize).cloned().unwrap_or_default() }
}

/// A line chart over `x_labels` (periods), with `y_desc` naming the unit.
pub fn line_chart(
    title: &str,
    y_desc: &str,
    x_labels: &[String],
    lines: &[Line],
    band: Option<&Band>,
) -> Result<String, String> {
    let n = x_labels.len().max(1);
    let band_values = band.into_iter().flat_map(|b| b.lower.iter().chain(&b.upper).flatten().copied());
    let y = value_range(lines.iter().flat_map(|l| l.values.iter().flatten().copied()).chain(band_values), true);
    svg(|root| {
        let mut chart = chart_on(root, title, n, y)?;
        let label_of = |x: &f64| label_at(x_labels, *x);
        chart
            .configure_mesh()
            .x_labels(n.min(8))
            .x_label_formatter(&label_of)
            .y_label_formatter(&|v| short_number(*v))
            .y_desc(y_desc)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(error)?;
        if let Some(b) = band {
            let upper: Vec<(f64, f64)> =
                b.upper.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
            let lower: Vec<(f64, f64)> =
                b.lower.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).rev().collect();
            let colour = b.colour;
            chart
                .draw_series(std::iter::once(Polygon::new(
                    upper.into_iter().chain(lower).collect::<Vec<_>>(),
                    colour.mix(0.22).filled(),
                )))
                .map_err(error)?
                .label(b.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], colour.mix(0.22).filled()));
        }
        for line in lines {
            let colour = line.colour;
            for run in runs(&line.values) {
                if line.dashed {
                    chart.draw_series(DashedLineSeries::new(run, 6, 4, colour.stroke_width(2))).map_err(error)?;
                } else {
                    chart.draw_series(LineSeries::new(run, colour.stroke_width(2))).map_err(error)?;
                }
            }
            let points: Vec<(f64, f64)> =
                line.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 2, colour.filled())))
                .map_err(error)?
                .label(line.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(error)
    })
}

/// The unbroken runs of values, as (x, y) points.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match (v, out.last_mut()) {
            (Some(v), Some(run)) => run.push((i as f64, *v)),
            (None, Some(run)) if !run.is_empty() => out.push(Vec::new()),
            _ => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Grouped bars: one group per category, one bar per [`Bars`] in it.
pub fn bar_chart(title: &str, y_desc: &str, categories: &[String], groups: &[Bars]) -> Result<String, String> {
    let n = categories.len().max(1);
    let y = value_range(groups.iter().flat_map(|g| g.values.iter().copied()), true);
    let width = 0.8 / groups.len().max(1) as f64;
    svg(|root| {
        let mut chart = chart_on(root, title, n, y)?;
        let label_of = |x: &f64| label_at(categories, *x);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&label_of)
            .y_label_formatter(&|v| short_number(*v))
            .y_desc(y_desc)
            .draw()
            .map_err(error)?;
        for (k, group) in groups.iter().enumerate() {
            let colour = group.colour;
            let left = |i: usize| i as f64 - 0.4 + k as f64 * width;
            chart
                .draw_series(
                    group
                        .values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Rectangle::new([(left(i), 0.0), (left(i) + width * 0.92, *v)], colour.filled())),
                )
                .map_err(error)?
                .label(group.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_has_its_title_labels_legend_and_one_path_per_run() {
        let labels: Vec<String> = ["2025-01", "2025-02", "2025-03", "2025-04"].map(String::from).to_vec();
        let line = Line {
            name: "sales".into(),
            values: vec![Some(10.0), None, Some(30.0), Some(35.0)],
            colour: PALETTE[0],
            dashed: false,
        };
        let svg = line_chart("Sales per month", "units", &labels, &[line], None).unwrap();
        assert!(svg.starts_with("<svg"));
        for text in ["Sales per month", "units", "2025-01", "2025-04", "sales"] {
            assert!(svg.contains(text), "{text} missing");
        }
        // The gap splits the line: a run of one point draws nothing, the run of two one polyline.
        assert_eq!(
            runs(&[Some(1.0), None, Some(3.0), Some(4.0)]),
            vec![vec![(0.0, 1.0)], vec![(2.0, 3.0), (3.0, 4.0)]]
        );
    }

    #[test]
    fn numbers_on_axes_are_short() {
        assert_eq!(short_number(1_234_567.0), "1.2M");
        assert_eq!(short_number(45_600.0), "46k");
        assert_eq!(short_number(950.0), "950");
        assert_eq!(short_number(0.25), "0.25");
    }
}
