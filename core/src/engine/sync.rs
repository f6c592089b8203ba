//! Sync with replicas: the events applied since a sequence number ([`Engine::events_since`]) and
//! a replica's events applied one by one ([`Engine::apply_remote`]).

use super::Engine;
use super::change::Change;
use super::event::Event;
use crate::error::{OmoError, Result};
use serde::Serialize;

/// A replica's event that [`Engine::apply_remote`] accepted: its sequence number here and the
/// changes it caused.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The event's sequence number in this engine.
    pub seq: u64,
    /// The changes it caused, in order.
    pub changes: Vec<Change>,
}

/// An event refused, as sync and the live server's ingest report it: the event's id (when it
/// could be read), the reason in words and the field at fault (`record.lines[0].quantity`).
///
/// ```
/// use omo_core::engine::{Event, Refusal};
/// let error = Event::from_json(r#"{"type": "payment", "id": "P-1", "record": {"amount": 1.5}}"#).unwrap_err();
/// let refusal = Refusal::of(None, &error);
/// assert_eq!(refusal.id.as_deref(), Some("P-1"));
/// assert!(refusal.error.contains("P-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The sender's id of the event, when known.
    pub id: Option<String>,
    /// Why, in words (naming the event and the field).
    pub error: String,
    /// The field at fault, where one is known.
    pub field: Option<String>,
}

impl Refusal {
    /// The refusal of the event `id` (when the caller knows it) for `error`; an
    /// [`OmoError::Refused`] names its own event and field.
    pub fn of(id: Option<&str>, error: &OmoError) -> Self {
        let (id, field) = match error {
            OmoError::Refused { id, field, .. } => (Some(id.as_str()), field.clone()),
            _ => (id, None),
        };
        Refusal { id: id.map(str::to_owned), error: error.to_string(), field }
    }
}

/// Events sent as JSON texts in one batch that goes on past refusals (sync, the live server's
/// ingest): the ones that read go to the engine together, and each text gets its result in its
/// place — the event's [`Accepted`], or its [`Refusal`] (one that did not even read included).
#[derive(Debug)]
pub struct EventBatch {
    /// The events that read, in order.
    events: Vec<Event>,
    /// Per text: the refusal of one that did not read, or the id of one that did.
    slots: Vec<std::result::Result<String, Refusal>>,
}

impl EventBatch {
    /// Reads each text as an event (exactly, as [`Event::from_json`]).
    pub fn read<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut events = Vec::new();
        let slots = texts
            .into_iter()
            .map(|text| match Event::from_json(text) {
                Ok(event) => {
                    let id = event.id.clone();
                    events.push(event);
                    Ok(id)
                }
                Err(e) => Err(Refusal::of(None, &e)),
            })
            .collect();
        EventBatch { events, slots }
    }

    /// The events that read, in order, to apply; then [`EventBatch::results`] with their outcomes.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// One result per text, in the order sent, given the outcome of each event that read (in
    /// the order [`EventBatch::take_events`] gave them).
    pub fn results(self, outcomes: Vec<Result<Accepted>>) -> Vec<std::result::Result<Accepted, Refusal>> {
        let mut outcomes = outcomes.into_iter();
        self.slots
            .into_iter()
            .map(|slot| {
                let id = slot?;
                match outcomes.next() {
                    Some(Ok(accepted)) => Ok(accepted),
                    Some(Err(e)) => Err(Refusal::of(Some(&id), &e)),
                    None => Err(Refusal {
                        id: Some(id),
                        error: "the engine returned no result for this event".to_owned(),
                        field: None,
                    }),
                }
            })
            .collect()
    }
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
        let changes = self.apply_one(event, true)?;
        Ok(Accepted { seq: self.seq, changes })
    }

    /// The events applied after sequence number `seq`, each with its own number, in order.
    ///
    /// ```
    /// use omo_core::engine::{Engine, EngineOptions, events_of};
    /// use omo_core::sample::{SampleConfig, sample_company};
    /// let company = sample_company(&SampleConfig::small(1))?;
    /// let cut = company.as_of - chrono::Days::new(20);
    /// let options = EngineOptions { log_capacity: 3, ..EngineOptions::default() };
    /// let mut engine = Engine::new(company.until(cut), options)?;
    /// let events = events_of(&company, cut)?;
    /// for event in events.iter().take(5).cloned() {
    ///     engine.apply(event)?;
    /// }
    /// let since: Vec<u64> = engine.events_since(2)?.into_iter().map(|(seq, _)| seq).collect();
    /// assert_eq!(since, [3, 4, 5]);
    /// assert_eq!(engine.events_since(3)?[0].1, events[3]);
    /// assert!(engine.events_since(1).is_err()); // dropped from memory: the log keeps 3
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ///
    /// # Errors
    /// [`OmoError::InvalidArgument`] when `seq` is before the events this engine still holds:
    /// those applied before it was restored from a snapshot, or dropped beyond
    /// [`super::EngineOptions::log_capacity`]. A store keeps them all.
    pub fn events_since(&self, seq: u64) -> Result<Vec<(u64, Event)>> {
        if seq < self.log.start() {
            return Err(OmoError::InvalidArgument {
                name: "seq",
                message: format!(
                    "the events after {seq} up to {} are no longer in memory (kept: the last {} applied since the \
                     engine was built or restored); read them from the store",
                    self.log.start(),
                    self.options.log_capacity
                ),
            });
        }
        Ok(self.log.since(seq).map(|(seq, event)| (seq, event.clone())).collect())
    }
}
