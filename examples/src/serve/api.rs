//! The engine's views as JSON (`GET /api/...`), the same calls the library's doors make, and
//! the stream of its changes (`GET /api/stream`). A view is computed once per state of the
//! engine (its seq and clock) and kept until the state moves, so fifty open pages cost one
//! computation per change.

use std::collections::HashMap;
use std::convert::Infallible;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use omo_core::OmoError;
use omo_core::credit::CheckMode;
use omo_core::engine::Engine;
use omo_core::model::{CustomerId, NodeId, RegionId};
use omo_core::spi::{NodeLevel, Period, ProductLevel};
use omo_core::views::{Axis, RollupBy};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use super::Shared;
use super::ingest::refuse;

/// Rows of dead and slow stock `GET /api/health` lists at most.
const UNHEALTHY_ROWS: usize = 50;

/// Events `GET /api/events` returns at most in one answer.
const EVENTS_PAGE: usize = 10_000;

/// Views computed for one state of the engine, by request (path and query).
#[derive(Default)]
pub struct ViewCache {
    entries: Mutex<CachedState>,
}

/// The state the cached views are of (seq and clock), and the views' texts.
#[derive(Default)]
struct CachedState {
    seq: u64,
    as_of: Option<NaiveDate>,
    views: HashMap<String, Arc<str>>,
}

impl ViewCache {
    /// The text kept for `key` in the state `(seq, as_of)`, or `compute`'s, kept.
    fn get_or(
        &self,
        seq: u64,
        as_of: NaiveDate,
        key: &str,
        compute: impl FnOnce() -> Result<String, OmoError>,
    ) -> Result<Arc<str>, OmoError> {
        {
            let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if (entries.seq, entries.as_of) == (seq, Some(as_of))
                && let Some(text) = entries.views.get(key)
            {
                return Ok(Arc::clone(text));
            }
        }
        let text: Arc<str> = Arc::from(compute()?);
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if (entries.seq, entries.as_of) != (seq, Some(as_of)) {
            *entries = CachedState { seq, as_of: Some(as_of), views: HashMap::new() };
        }
        entries.views.insert(key.to_owned(), Arc::clone(&text));
        Ok(text)
    }
}

/// The read routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/seq", get(seq))
        .route("/api/info", get(info))
        .route("/api/live", get(live))
        .route("/api/scorecard", get(scorecard))
        .route("/api/kpi_series", get(kpi_series))
        .route("/api/alert_states", get(alert_states))
        .route("/api/alerts", get(alerts))
        .route("/api/spi", get(spi))
        .route("/api/channel", get(channel))
        .route("/api/stock", get(stock))
        .route("/api/health", get(health))
        .route("/api/credit/positions", get(positions))
        .route("/api/credit/check", get(credit_check))
        .route("/api/customers", get(customers))
        .route("/api/customer", get(customer))
        .route("/api/distributor", get(distributor))
        .route("/api/forecasts", get(forecasts))
        .route("/api/events", get(events_since))
}

/// The status of a view's error: what the caller named wrongly is theirs.
fn status_of(error: &OmoError) -> StatusCode {
    match error {
        OmoError::UnknownId { .. } | OmoError::UnknownCreditAccount { .. } => StatusCode::NOT_FOUND,
        OmoError::InvalidArgument { .. } | OmoError::InvalidId { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn json_text(text: Arc<str>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text.to_string()).into_response()
}

/// Computes a view of the engine off the async threads, through the cache.
async fn view<T: serde::Serialize>(
    shared: Arc<Shared>,
    uri: Uri,
    compute: impl FnOnce(&Engine) -> Result<T, OmoError> + Send + 'static,
) -> Response {
    let key = uri.to_string();
    let work = tokio::task::spawn_blocking(move || {
        let store = shared.store();
        let engine = store.engine();
        shared.cache.get_or(engine.seq(), engine.as_of(), &key, || {
            serde_json::to_string(&compute(engine)?).map_err(|e| OmoError::Json(e.to_string()))
        })
    });
    match work.await {
        Ok(Ok(text)) => json_text(text),
        Ok(Err(e)) => refuse(status_of(&e), e.to_string()),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("the view failed: {e}")),
    }
}

/// `GET /api/seq`: the engine's sequence number and clock.
async fn seq(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.store();
    axum::Json(json!({"seq": store.seq(), "as_of": store.engine().as_of()})).into_response()
}

/// `GET /api/info`: the company, its currency, clock and how many records of each kind it holds.
async fn info(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| Ok(engine.dataset().summary())).await
}

/// `GET /api/live`: the month-to-date lights of the region tree.
async fn live(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| Ok(engine.live_scorecard())).await
}

#[derive(Deserialize)]
struct ScorecardQuery {
    axis: Option<String>,
    month: Option<NaiveDate>,
}

fn axis(text: Option<&str>) -> Result<Axis, OmoError> {
    Axis::from_str(text.unwrap_or("region"))
}

/// `GET /api/scorecard?axis=region|business_unit&month=`: a month's scorecard laid flat.
async fn scorecard(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<ScorecardQuery>) -> Response {
    view(shared, uri, move |engine| {
        let card = engine.views().scorecard(axis(q.axis.as_deref())?, q.month)?;
        serde_json::to_value(card.lines()).map_err(|e| OmoError::Json(e.to_string()))
    })
    .await
}

#[derive(Deserialize)]
struct SeriesQuery {
    member: String,
    kpi: String,
    axis: Option<String>,
}

/// `GET /api/kpi_series?member=&kpi=`: one member's KPI month by month.
async fn kpi_series(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<SeriesQuery>) -> Response {
    view(shared, uri, move |engine| engine.views().kpi_series(axis(q.axis.as_deref())?, &q.member, &q.kpi)).await
}

/// `GET /api/alert_states`: where every alert stands now.
async fn alert_states(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| Ok(engine.alert_states())).await
}

#[derive(Deserialize)]
struct AlertsQuery {
    months: Option<u32>,
}

/// `GET /api/alerts?months=12`: the alert transitions of the last months.
async fn alerts(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<AlertsQuery>) -> Response {
    view(shared, uri, move |engine| Ok(engine.views().alerts(q.months)?.events)).await
}

#[derive(Deserialize)]
struct SpiQuery {
    nodes: Option<String>,
    region: Option<String>,
    products: Option<String>,
    period: Option<String>,
}

/// `GET /api/spi?nodes=company&products=all&period=month`: the S-P-I ledger rolled up; with
/// `region=R` instead of `nodes`, the region's nodes taken together.
async fn spi(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<SpiQuery>) -> Response {
    view(shared, uri, move |engine| {
        let products = ProductLevel::from_str(q.products.as_deref().unwrap_or("all"))?;
        let period = Period::from_str(q.period.as_deref().unwrap_or("month"))?;
        if let Some(region) = &q.region {
            return engine.views().region_spi(Some(&RegionId::new(region)?), &products, period);
        }
        let nodes = NodeLevel::from_str(q.nodes.as_deref().unwrap_or("company"))?;
        engine.views().spi_rollup(&nodes, &products, period, None)
    })
    .await
}

#[derive(Deserialize)]
struct ChannelQuery {
    period: Option<String>,
    region: Option<String>,
}

/// `GET /api/channel?period=month&region=`: sell-in, sell-through, sell-out and channel stock.
async fn channel(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<ChannelQuery>) -> Response {
    view(shared, uri, move |engine| {
        let period = Period::from_str(q.period.as_deref().unwrap_or("month"))?;
        let region = q.region.as_deref().map(RegionId::new).transpose()?;
        engine.views().channel(period, region.as_ref(), None)
    })
    .await
}

#[derive(Deserialize)]
struct NodeQuery {
    node: Option<String>,
}

/// `GET /api/stock?node=`: stock on hand now, of one node or all.
async fn stock(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<NodeQuery>) -> Response {
    view(shared, uri, move |engine| {
        let node = q.node.as_deref().map(NodeId::new).transpose()?;
        let rows: Vec<Value> = engine
            .stock_on_hand()
            .into_iter()
            .filter(|(n, _, _)| node.as_ref().is_none_or(|wanted| n == wanted))
            .map(|(node, product, on_hand)| json!({"node": node, "product": product, "on_hand": on_hand}))
            .collect();
        Ok(rows)
    })
    .await
}

/// `GET /api/health`: the totals of dead and slow stock and the ineffective share, the worst
/// lines of dead and slow stock (at most [`UNHEALTHY_ROWS`]) and the ABC shares.
async fn health(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| {
        let views = engine.views();
        let report = views.health()?;
        let unhealthy = views.unhealthy_stock()?;
        let worst: Vec<_> = unhealthy.iter().take(UNHEALTHY_ROWS).copied().cloned().collect();
        Ok(json!({
            "total_value": report.total_value,
            "dead_value": report.dead_value,
            "slow_value": report.slow_value,
            "ineffective_share": report.ineffective_share,
            "unhealthy_lines": unhealthy.len(),
            "unhealthy": worst,
            "abc": views.abc_summary()?,
        }))
    })
    .await
}

/// `GET /api/credit/positions`: every account, most of its limit used first.
async fn positions(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| engine.views().positions(None)).await
}

#[derive(Deserialize)]
struct CheckQuery {
    customer: String,
    amount: String,
}

/// `GET /api/credit/check?customer=&amount=`: the credit check of an order of `amount` today.
async fn credit_check(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<CheckQuery>) -> Response {
    view(shared, uri, move |engine| {
        let customer = CustomerId::new(&q.customer)?;
        let amount = Decimal::from_str_exact(&q.amount).map_err(|e| OmoError::InvalidArgument {
            name: "amount",
            message: format!("{:?} is not an exact decimal amount: {e}", q.amount),
        })?;
        engine.credit_book().check_order(&customer, amount, engine.as_of(), CheckMode::Static)
    })
    .await
}

/// `GET /api/customers`: every customer over the trailing year, highest revenue first.
async fn customers(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    view(shared, uri, |engine| engine.views().customer_summaries(None, None)).await
}

#[derive(Deserialize)]
struct IdQuery {
    id: String,
}

/// `GET /api/customer?id=`: one customer's profile.
async fn customer(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<IdQuery>) -> Response {
    view(shared, uri, move |engine| engine.views().customer(&CustomerId::new(&q.id)?)).await
}

/// `GET /api/distributor?id=`: a distributor, its shops and their best customers.
async fn distributor(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<IdQuery>) -> Response {
    view(shared, uri, move |engine| engine.views().distributor(&CustomerId::new(&q.id)?)).await
}

#[derive(Deserialize)]
struct ForecastQuery {
    by: Option<RollupBy>,
}

/// `GET /api/forecasts?by=company|region|category`: the next months beside last year.
async fn forecasts(State(shared): State<Arc<Shared>>, uri: Uri, Query(q): Query<ForecastQuery>) -> Response {
    view(shared, uri, move |engine| engine.views().forecast_rollup(q.by.unwrap_or(RollupBy::Company))).await
}

#[derive(Deserialize)]
struct SinceQuery {
    since: Option<u64>,
}

/// `GET /api/events?since=N`: the events after `N` (at most [`EVENTS_PAGE`]), for a replica.
async fn events_since(State(shared): State<Arc<Shared>>, Query(q): Query<SinceQuery>) -> Response {
    let work = tokio::task::spawn_blocking(move || {
        let events = shared.store().events_since(q.since.unwrap_or(0))?;
        let rows: Vec<Value> =
            events.into_iter().take(EVENTS_PAGE).map(|(seq, event)| json!({"seq": seq, "event": event})).collect();
        Ok::<_, omo_store::StoreError>(rows)
    });
    match work.await {
        Ok(Ok(rows)) => axum::Json(rows).into_response(),
        Ok(Err(e)) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /api/stream`: every committed change as a server-sent event, one `data:` line of JSON
/// each; a client too slow to keep up gets an event `lagged` with how many it missed (its page
/// should read the views again).
pub async fn stream(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let changes = BroadcastStream::new(shared.changes.subscribe()).map(|item| {
        Ok::<_, Infallible>(match item {
            Ok(text) => SseEvent::default().data(&*text),
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                SseEvent::default().event("lagged").data(format!("{{\"missed\": {missed}}}"))
            }
        })
    });
    ([(header::CACHE_CONTROL, "no-cache")], Sse::new(changes).keep_alive(KeepAlive::default()))
}
