//! The latest applied events an engine keeps in memory for [`super::Engine::events_since`]: a
//! replication backlog of at most [`super::EngineOptions::log_capacity`] events.

use std::collections::VecDeque;

use super::Event;

/// The most events one block holds.
const BLOCK: usize = 4096;

/// The latest applied events, oldest first, in blocks of a fixed size (4,096 events, or the
/// capacity when smaller): growing adds a block and never moves the events kept, where one
/// vector doubling copied them all and held both copies at once (150 MB and then 300 MB at the
/// default million events). An event beyond the capacity is no longer kept at once; its memory
/// goes with its block, when the block holds none of the latest.
#[derive(Debug, Clone, Default)]
pub(super) struct EventLog {
    blocks: VecDeque<Vec<Event>>,
    /// How many events at the front of the first block are no longer kept.
    dropped: usize,
    /// How many are kept.
    len: usize,
    /// The sequence number before the first event kept.
    start: u64,
}

impl EventLog {
    /// An empty log whose next event will have sequence number `seq + 1`.
    pub(super) fn after(seq: u64) -> Self {
        EventLog { start: seq, ..EventLog::default() }
    }

    /// The sequence number before the first event kept.
    pub(super) fn start(&self) -> u64 {
        self.start
    }

    /// Keeps the next applied event, and no more than the latest `capacity`.
    pub(super) fn push(&mut self, event: Event, capacity: usize) {
        if capacity == 0 {
            self.start += 1;
            return;
        }
        let block = capacity.min(BLOCK);
        match self.blocks.back_mut() {
            Some(last) if last.len() < block => last.push(event),
            _ => {
                let mut next = Vec::with_capacity(block);
                next.push(event);
                self.blocks.push_back(next);
            }
        }
        self.len += 1;
        if self.len > capacity {
            self.len -= 1;
            self.dropped += 1;
            self.start += 1;
            if self.blocks.front().is_some_and(|first| first.len() == self.dropped) {
                self.blocks.pop_front();
                self.dropped = 0;
            }
        }
    }

    /// The events kept after sequence number `seq` (at least [`EventLog::start`]), with theirs.
    pub(super) fn since(&self, seq: u64) -> impl Iterator<Item = (u64, &Event)> {
        let skip = usize::try_from(seq.saturating_sub(self.start)).unwrap_or(usize::MAX);
        let first = seq.max(self.start);
        self.blocks
            .iter()
            .flatten()
            .skip(self.dropped.saturating_add(skip))
            .zip(first.saturating_add(1)..=u64::MAX)
            .map(|(event, seq)| (seq, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EventBody;
    use crate::model::{NodeId, ProductId, StockCount};

    fn event(n: u64) -> Event {
        let count = StockCount {
            node: NodeId::new("DC").unwrap_or_else(|_| unreachable!()),
            product: ProductId::new("UREA").unwrap_or_else(|_| unreachable!()),
            date: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            counted: n.into(),
        };
        Event { id: format!("e{n}"), body: EventBody::Count(count) }
    }

    fn ids<'a>(events: impl Iterator<Item = (u64, &'a Event)>) -> Vec<(u64, String)> {
        events.map(|(seq, e)| (seq, e.id.clone())).collect()
    }

    /// Against a plain queue of (seq, id) trimmed to the capacity after every push: the same
    /// events kept, with the same numbers, read from every sequence number (none after the
    /// last, `u64::MAX` included).
    #[test]
    fn keeps_the_latest_capacity_events_as_a_trimmed_queue_does() {
        for capacity in [1, 2, 3, 5, 4096, 4097, 9000] {
            let mut log = EventLog::after(7);
            let mut expected: VecDeque<(u64, String)> = VecDeque::new();
            for n in 8..8 + 10_000u64 {
                log.push(event(n), capacity);
                expected.push_back((n, format!("e{n}")));
                if expected.len() > capacity {
                    expected.pop_front();
                }
                if n % 997 == 0 || n < 20 {
                    let start = expected.front().map_or(n, |(seq, _)| seq - 1);
                    assert_eq!((log.start(), log.len), (start, expected.len()), "capacity {capacity} at {n}");
                    for from in [start, start + 1, n.saturating_sub(2), n, n + 1, u64::MAX] {
                        let want: Vec<_> = expected.iter().filter(|(seq, _)| *seq > from).cloned().collect();
                        assert_eq!(ids(log.since(from)), want, "capacity {capacity}, {n} pushed, since {from}");
                    }
                }
            }
            assert!(log.blocks.len() <= capacity.div_ceil(capacity.min(BLOCK)) + 1, "blocks dropped: {capacity}");
        }
    }

    #[test]
    fn a_capacity_of_zero_keeps_nothing_and_counts_on() {
        let mut log = EventLog::after(0);
        log.push(event(1), 0);
        log.push(event(2), 0);
        assert_eq!((log.start(), log.len, log.since(2).count()), (2, 0, 0));
    }
}
