//! The replay driver (`serve --replay N`): the company's last quarter fed to the engine as
//! events, N a second, through the same writer as the ingest endpoint, so a newcomer sees the
//! business move; the clock then advances to the company's last day.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use omo_core::engine::Event;
use tokio::sync::oneshot;

use super::Shared;
use super::writer::Job;

/// How often the driver sends a batch.
const TICK: Duration = Duration::from_millis(100);

/// Feeds `events` at `rate` a second, then advances the clock to `end`. Refused events (those a
/// restarted store already has) are counted, not fatal; progress goes to stderr.
pub async fn feed(shared: Arc<Shared>, events: Vec<Event>, rate: f64, end: NaiveDate) {
    let per_tick = (rate * TICK.as_secs_f64()).max(1.0);
    let mut owed = 0.0;
    let mut ticker = tokio::time::interval(TICK);
    let (mut accepted, mut refused, total) = (0usize, 0usize, events.len());
    let mut pending = events.into_iter().peekable();
    while pending.peek().is_some() {
        ticker.tick().await;
        owed += per_tick;
        let take = owed.floor() as usize;
        owed -= take as f64;
        let batch: Vec<Event> = pending.by_ref().take(take).collect();
        let (reply, answer) = oneshot::channel();
        if shared.jobs.send(Job::Events { events: batch, reply }).await.is_err() {
            return;
        }
        match answer.await {
            Ok(Ok(results)) => {
                let ok = results.iter().filter(|r| r.is_ok()).count();
                accepted += ok;
                refused += results.len() - ok;
            }
            Ok(Err(e)) => {
                eprintln!("replay: stopped, the store failed: {e}");
                return;
            }
            Err(_) => return,
        }
        if (accepted + refused) % 10_000 < take {
            eprintln!("replay: {} of {total} events ({refused} refused)", accepted + refused);
        }
    }
    let (reply, answer) = oneshot::channel();
    if shared.jobs.send(Job::Advance { to: end, reply }).await.is_ok() {
        let _ = answer.await;
    }
    eprintln!("replay: done, {accepted} events booked, {refused} refused, clock {end}");
}
