//! Where an ERP's webhook or a POS posts its transactions: `POST /events` (one event, or JSON
//! lines of events, in the engine's event form) and `POST /api/advance` (time passing). Both need
//! the bearer token. A body over the limits is 413, one that is not JSON or JSON lines 400, one
//! that does not arrive in time 408; a parsable body gets 200 with one result per event.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::NaiveDate;
use omo_core::engine::{EventBatch, Refusal};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::Shared;
use super::writer::Job;

/// The ingest route.
pub fn routes(_: &Arc<Shared>) -> Router<Arc<Shared>> {
    Router::new().route("/events", post(events))
}

/// An error answer: its status and `{"error": ...}`.
pub fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    Refused(status, message.into()).into_response()
}

/// A request refused: its status and why.
pub struct Refused(StatusCode, String);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

/// `401` unless the request bears the server's token.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Refused> {
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(token) if token.as_bytes() == shared.token.as_bytes() => Ok(()),
        Some(_) => Err(Refused(StatusCode::UNAUTHORIZED, "wrong token".to_owned())),
        None => Err(Refused(StatusCode::UNAUTHORIZED, "writes need the header Authorization: Bearer TOKEN".to_owned())),
    }
}

/// The whole body within the limits: `413` when it says or turns out to be too large, `408`
/// when it does not arrive in time.
async fn read_body(shared: &Shared, headers: &HeaderMap, body: Body) -> Result<Bytes, Refused> {
    let max = shared.limits.max_body_bytes;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let too_large = || Refused(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is over the limit of {max} bytes"));
    if declared.is_some_and(|length| length > max as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(shared.limits.body_timeout, axum::body::to_bytes(body, max)).await {
        Err(_) => Err(Refused(
            StatusCode::REQUEST_TIMEOUT,
            format!("the body did not arrive within {} s", shared.limits.body_timeout.as_secs_f64()),
        )),
        Ok(Err(_)) => Err(too_large()),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// The events of a body: the body itself when it is one JSON value, else each non-blank line.
///
/// # Errors
/// A body that is not UTF-8, empty, or a line that is not JSON: what and where, for a `400`.
pub fn event_texts(body: &[u8]) -> Result<Vec<&str>, String> {
    let text =
        std::str::from_utf8(body).map_err(|e| format!("the body is not UTF-8 text: byte {}", e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim();
    if text.is_empty() {
        return Err("the body is empty: send one event, or JSON lines of events".to_owned());
    }
    if serde_json::from_str::<&RawValue>(text).is_ok() {
        return Ok(vec![text]);
    }
    let mut texts = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        serde_json::from_str::<&RawValue>(line)
            .map_err(|e| format!("line {}: not JSON (send one event, or JSON lines of events): {e}", number + 1))?;
        texts.push(line);
    }
    Ok(texts)
}

/// `POST /events`.
async fn events(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    if let Err(refused) = authorize(&shared, &headers) {
        return refused.into_response();
    }
    let body = match read_body(&shared, &headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused.into_response(),
    };
    let texts = match event_texts(&body) {
        Ok(texts) => texts,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    let max = shared.limits.max_events;
    if texts.len() > max {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, format!("{} events: at most {max} in one request", texts.len()));
    }
    let mut batch = EventBatch::read(texts);
    let (reply, answer) = oneshot::channel();
    if shared.jobs.send(Job::Events { events: batch.take_events(), reply }).await.is_err() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "the writer has stopped");
    }
    let outcomes = match answer.await {
        Ok(Ok(outcomes)) => outcomes,
        // The disk, not an event: nothing of the request is durable, nothing is acknowledged.
        Ok(Err(e)) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("nothing was booked: {e}")),
        Err(_) => return refuse(StatusCode::SERVICE_UNAVAILABLE, "the writer has stopped"),
    };
    let results: Vec<Value> = batch
        .results(outcomes)
        .into_iter()
        .map(|result| match result {
            Ok(accepted) => json!({"seq": accepted.seq}),
            Err(refusal) => refusal_value(&refusal),
        })
        .collect();
    Json(json!({"results": results})).into_response()
}

fn refusal_value(refusal: &Refusal) -> Value {
    serde_json::to_value(refusal).unwrap_or(Value::Null)
}

/// `POST /api/advance` with `{"to": "YYYY-MM-DD"}`: the engine's clock moves to the end of that
/// day (month closes included); the answer has the clock, the seq and the changes.
pub async fn advance(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    if let Err(refused) = authorize(&shared, &headers) {
        return refused.into_response();
    }
    let body = match read_body(&shared, &headers, body).await {
        Ok(body) => body,
        Err(refused) => return refused.into_response(),
    };
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Advance {
        to: NaiveDate,
    }
    let to = match serde_json::from_slice::<Advance>(&body) {
        Ok(advance) => advance.to,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("expected {{\"to\": \"YYYY-MM-DD\"}}: {e}")),
    };
    let (reply, answer) = oneshot::channel();
    if shared.jobs.send(Job::Advance { to, reply }).await.is_err() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "the writer has stopped");
    }
    match answer.await {
        Ok(Ok(changes)) => {
            let store = shared.store();
            let changes: Vec<Value> = changes.iter().map(|c| c.to_value()).collect();
            Json(json!({"seq": store.seq(), "as_of": store.engine().as_of(), "changes": changes})).into_response()
        }
        Ok(Err(e)) => refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the writer has stopped"),
    }
}
