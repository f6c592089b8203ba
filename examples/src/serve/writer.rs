//! The one thread that books into the store. Requests queue their events; each round takes
//! every request waiting (up to [`ROUND_EVENTS`] events), applies them in order and commits them
//! in one transaction (group commit), then answers each request with its own results. Nothing
//! is answered before its commit.

use std::sync::Arc;

use chrono::NaiveDate;
use omo_core::OmoError;
use omo_core::engine::{Accepted, Change, Event};
use omo_store::{Checks, StoreError};
use tokio::sync::{mpsc, oneshot};

use super::Shared;

/// Requests that may wait for the writer before senders wait too.
pub const QUEUE: usize = 1_024;

/// Events booked in one round at most (one commit), unless one request alone has more.
const ROUND_EVENTS: usize = 20_000;

/// The outcome of each event of a request, or the store's error (then none is durable).
pub type Booked = Result<Vec<Result<Accepted, OmoError>>, StoreError>;

/// What the writer is asked.
pub enum Job {
    /// Book these events (an ERP's: [`Checks::Local`]) and answer each.
    Events {
        /// The events, in order.
        events: Vec<Event>,
        /// Where the answer goes.
        reply: oneshot::Sender<Booked>,
    },
    /// Let time pass to the end of a day.
    Advance {
        /// The day.
        to: NaiveDate,
        /// Where the answer goes.
        reply: oneshot::Sender<Result<Vec<Change>, StoreError>>,
    },
}

/// Starts the writer thread on `queue`.
///
/// # Errors
/// The thread could not be started.
pub fn start(shared: Arc<Shared>, queue: mpsc::Receiver<Job>) -> Result<(), String> {
    std::thread::Builder::new()
        .name("omo-writer".to_owned())
        .spawn(move || run(&shared, queue))
        .map(|_| ())
        .map_err(|e| format!("cannot start the writer: {e}"))
}

fn run(shared: &Shared, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        let mut round = vec![first];
        let mut events: usize = round.iter().map(Job::len).sum();
        while events < ROUND_EVENTS {
            match queue.try_recv() {
                Ok(job) => {
                    events += job.len();
                    round.push(job);
                }
                Err(_) => break,
            }
        }
        book(shared, round);
    }
}

impl Job {
    fn len(&self) -> usize {
        match self {
            Job::Events { events, .. } => events.len(),
            Job::Advance { .. } => 0,
        }
    }
}

/// Books a round: runs of event jobs in one commit each, an advance on its own, in the order
/// the jobs came.
fn book(shared: &Shared, round: Vec<Job>) {
    let mut batch: Vec<(usize, oneshot::Sender<Booked>)> = Vec::new();
    let mut events = Vec::new();
    for job in round {
        match job {
            Job::Events { events: mine, reply } => {
                batch.push((mine.len(), reply));
                events.extend(mine);
            }
            Job::Advance { to, reply } => {
                commit(shared, std::mem::take(&mut events), std::mem::take(&mut batch));
                let _ = reply.send(shared.store().advance_to(to));
            }
        }
    }
    commit(shared, events, batch);
}

/// Applies `events` in one commit and hands each request its share of the results.
fn commit(shared: &Shared, events: Vec<Event>, batch: Vec<(usize, oneshot::Sender<Booked>)>) {
    if batch.is_empty() {
        return;
    }
    let booked = shared.store().apply_each(events, Checks::Local);
    match booked {
        Ok(results) => {
            let mut results = results.into_iter();
            for (count, reply) in batch {
                // A request whose client went away is booked all the same.
                let _ = reply.send(Ok(results.by_ref().take(count).collect()));
            }
        }
        Err(e) => {
            for (_, reply) in batch {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}
