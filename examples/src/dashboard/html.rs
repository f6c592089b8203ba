//! The page's HTML pieces: escaping, tables, traffic-light dots, sections, and the page frame
//! with its style sheet (one self-contained file: no scripts, fonts or images from anywhere).

use std::fmt::Write;

use omo_core::kpi::Light;

/// Text made safe inside HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A traffic light: a coloured dot whose `data-light` names its colour, with a tooltip.
pub fn light(light: Light, tooltip: &str) -> String {
    let name = light.as_str();
    format!(r#"<span class="light light-{name}" data-light="{name}" title="{}"></span>"#, escape(tooltip))
}

/// A table: a header row and rows of cells that are HTML already (escape text before).
pub fn table(class: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(r#"<table class="{class}"><thead><tr>"#);
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A chart in a figure, with its caption for readers of the page.
pub fn figure(svg: &str, caption: &str) -> String {
    format!(r#"<figure class="chart">{svg}<figcaption>{}</figcaption></figure>"#, escape(caption))
}

/// A section of the page: `id` names it for links and tests.
pub fn section(id: &str, title: &str, intro: &str, body: &str) -> String {
    format!(
        r#"<section id="{id}" data-section="{id}"><h2>{}</h2><p class="intro">{}</p>{body}</section>"#,
        escape(title),
        escape(intro)
    )
}

/// The whole page around its sections.
pub fn page(title: &str, subtitle: &str, sections: &[(&str, &str, String)]) -> String {
    let mut nav = String::new();
    for (id, name, _) in sections {
        let _ = write!(nav, r##"<a href="#{id}">{}</a>"##, escape(name));
    }
    let body: String = sections.iter().map(|(_, _, html)| html.as_str()).collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{STYLE}</style></head>
<body><header><h1>{title}</h1><p>{subtitle}</p><nav>{nav}</nav></header><main>{body}</main>
<footer>Computed by omo-core; drawn with plotters. One self-contained file: nothing is loaded from the network.</footer>
</body></html>
"#,
        title = escape(title),
        subtitle = escape(subtitle),
    )
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
header{background:#1d3557;color:#fff;padding:14px 24px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0 0 8px;opacity:.85}
nav a{color:#fff;margin-right:14px;font-size:14px;text-decoration:none;border-bottom:1px dotted #fff}
main{padding:8px 24px}section{background:#fff;border-radius:8px;margin:16px 0;padding:12px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h2{margin:4px 0 6px;font-size:19px}h3{font-size:15px;margin:12px 0 4px}.intro{margin:0 0 8px;color:#4a5866;font-size:14px}
.charts{display:flex;flex-wrap:wrap;gap:10px}figure.chart{margin:0;flex:0 0 auto}figcaption{font-size:12px;color:#4a5866;max-width:560px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 10px}th,td{border-bottom:1px solid #e3e7eb;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef1f4}
.light{display:inline-block;width:13px;height:13px;border-radius:50%;vertical-align:middle;border:1px solid rgba(0,0,0,.25)}
.light-green{background:#2ca02c}.light-yellow{background:#f2c80f}.light-red{background:#d62728}.light-grey{background:#b0b7bf}
.legend span{margin-right:12px;font-size:13px}.kpis{display:flex;flex-wrap:wrap;gap:10px 26px}.big{font-size:26px;font-weight:600}
td.heat{text-align:center}footer{padding:10px 24px;color:#6b7785;font-size:12px}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_lights_carry_their_colour() {
        assert_eq!(escape(r#"<b>"R&D"</b>"#), "&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;");
        let dot = light(Light::Red, "dso 72 > 60");
        assert!(dot.contains(r#"data-light="red""#) && dot.contains("dso 72 &gt; 60"));
    }
}
