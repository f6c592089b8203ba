//! The live dashboard page and its assets, compiled into the binary (nothing is fetched from
//! elsewhere: the charting library, uPlot, is vendored beside the page under its MIT licence).

use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::Shared;

/// One asset: its content type and its text.
fn asset(content_type: &'static str, text: &'static str) -> impl IntoResponse + Clone {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], text)
}

/// `GET /` and `/assets/...`.
pub fn routes() -> Router<Arc<Shared>> {
    let page = asset("text/html; charset=utf-8", include_str!("page/index.html"));
    let app = asset("text/javascript; charset=utf-8", include_str!("page/app.js"));
    let style = asset("text/css; charset=utf-8", include_str!("page/style.css"));
    let uplot = asset("text/javascript; charset=utf-8", include_str!("page/vendor/uPlot.iife.min.js"));
    let uplot_css = asset("text/css; charset=utf-8", include_str!("page/vendor/uPlot.min.css"));
    Router::new()
        .route("/", get(move || async move { page.clone() }))
        .route("/assets/app.js", get(move || async move { app.clone() }))
        .route("/assets/style.css", get(move || async move { style.clone() }))
        .route("/assets/uplot.js", get(move || async move { uplot.clone() }))
        .route("/assets/uplot.css", get(move || async move { uplot_css.clone() }))
}
