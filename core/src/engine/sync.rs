//! Sync with replicas: the events applied since a sequence number ([`Engine::events_since`]) and
//! a replica's events applied one by one ([`Engine::apply_remote`]).

use super::Engine;
use super::change::Change;
use super::event::Event;
use crate::error::{OmoError, Result};

/// A replica's event that [`Engine::apply_remote`] accepted: its sequence number here and the
/// changes it caused.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The event's sequence number in this engine.
    pub seq: u64,
    /// The changes it caused, in order.
    pub changes: Vec<Change>,
}

impl Engine {
    /// Sync: applies a replica's events one by one. Each gets its sequence number and changes,
    /// or the reason the engine can no longer accept it — an id already taken, stock already
    /// gone, or an order the credit check now blocks ([`OmoError::CreditBlocked`]) — and a
    /// refusal does not stop the events after it. Nothing is merged or dropped silently.
    pub fn apply_remote(&mut self, events: impl IntoIterator<Item = Event>) -> Vec<Result<Accepted>> {
        events.into_iter().map(|event| self.apply_remote_event(event)).collect()
    }

    /// One of a replica's events, as [`Engine::apply_remote`] applies each.
    pub fn apply_remote_event(&mut self, event: Event) -> Result<Accepted> {
        let changes = self.apply_checked(event, true)?;
        self.deliver(&changes);
        Ok(Accepted { seq: self.seq, changes })
    }

    /// The events applied after sequence number `seq`, each with its own number, in order.
    /// Errors when `seq` is before this engine's log (it was restored from a snapshot then).
    pub fn events_since(&self, seq: u64) -> Result<Vec<(u64, Event)>> {
        if seq < self.log_start {
            return Err(OmoError::InvalidArgument {
                name: "seq",
                message: format!("events up to {} are in the store, not in memory; ask the store", self.log_start),
            });
        }
        let skip = usize::try_from(seq - self.log_start).unwrap_or(usize::MAX);
        Ok(self.log.iter().enumerate().skip(skip).map(|(i, e)| (self.log_start + i as u64 + 1, e.clone())).collect())
    }
}
