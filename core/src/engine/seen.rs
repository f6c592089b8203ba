//! The duplicate rule's memory: a 128-bit fingerprint of every applied event's `(type, id)`,
//! 16 bytes an event whatever the length of the sender's ids.

use std::hash::Hasher;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use siphasher::sip128::{Hasher128, SipHasher13};

/// The fingerprint of an event's `(type, id)`: SipHash-1-3 with fixed keys, the same on every
/// platform and in every version (snapshots keep them). Two different events share one with a
/// probability of about n² / 2¹²⁹ among n events: below 10⁻²⁰ at a billion.
///
/// Written as 32 hexadecimal digits; read from that form or from a `[type, id]` pair (snapshot
/// format 1, which kept the ids themselves).
///
/// ```
/// use omo_core::engine::EventFingerprint;
/// let a = EventFingerprint::of("movement", "mv-1");
/// // SipHash-1-3-128 of b"movement\xffmv-1", keys 0, computed apart by a Python transcription of
/// // the paper's algorithm: a snapshot's fingerprints stay readable across versions.
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"e9405497d12456fb4e8e9a1dff2ad152\"");
/// assert_ne!(a, EventFingerprint::of("pos_sale", "mv-1"));
/// assert_ne!(EventFingerprint::of("movement", "mv-1x"), EventFingerprint::of("movementm", "v-1x"));
/// let json = serde_json::to_string(&a).unwrap();
/// assert_eq!(json.len(), 34);
/// assert_eq!(serde_json::from_str::<EventFingerprint>(&json).unwrap(), a);
/// assert_eq!(serde_json::from_str::<EventFingerprint>(r#"["movement", "mv-1"]"#).unwrap(), a);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventFingerprint(u128);

impl EventFingerprint {
    /// The fingerprint of the event of type `kind` with the sender's `id`.
    pub fn of(kind: &str, id: &str) -> Self {
        let mut hasher = SipHasher13::new();
        // No UTF-8 text holds the byte 0xff: the type ends there, whatever the two strings are.
        let (kind, id) = (kind.as_bytes(), id.as_bytes());
        let length = kind.len() + 1 + id.len();
        // SipHash reads its input as one stream: the three parts written as one (nearly every
        // event's fit a small buffer) hash as written in turn, for less work.
        let mut buffer = [0u8; 64];
        if length <= buffer.len() {
            buffer[..kind.len()].copy_from_slice(kind);
            buffer[kind.len()] = 0xff;
            buffer[kind.len() + 1..length].copy_from_slice(id);
            hasher.write(&buffer[..length]);
        } else {
            hasher.write(kind);
            hasher.write(&[0xff]);
            hasher.write(id);
        }
        // The hash's two halves as little-endian bytes: the same number on every platform.
        EventFingerprint(u128::from_le_bytes(hasher.finish128().as_bytes()))
    }
}

impl Serialize for EventFingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{:032x}", self.0))
    }
}

impl<'de> Deserialize<'de> for EventFingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Hex(String),
            Pair(String, String),
        }
        match Written::deserialize(deserializer)? {
            Written::Pair(kind, id) => Ok(EventFingerprint::of(&kind, &id)),
            Written::Hex(hex) if hex.len() == 32 => u128::from_str_radix(&hex, 16)
                .map(EventFingerprint)
                .map_err(|e| serde::de::Error::custom(format!("event fingerprint {hex:?}: {e}"))),
            Written::Hex(hex) => {
                Err(serde::de::Error::custom(format!("event fingerprint {hex:?}: not 32 hexadecimal digits")))
            }
        }
    }
}

/// How many fingerprints the set of the latest events holds before they are merged into the
/// sorted ones (about 36 MB of hash table).
const RECENT: usize = 1 << 20;

/// Fingerprints per bucket of the sorted ones' index, on average.
const PER_BUCKET: usize = 8;

/// The fingerprints of every event an engine applied: the latest (up to [`RECENT`]) in a hash
/// set, the others in one sorted vector they are merged into when the set is full, found through
/// an index of their top bits (the fingerprints are uniform, so each bucket holds a few). At 15
/// million events that is under 300 MB where one hash set took 570 MB (its table half empty just
/// after doubling) and 850 MB while doubling; a look-up costs a probe of the set and a short
/// binary search (15.2 million fingerprints checked and inserted in 7.8 s against the hash
/// set's 7.2 s, fingerprinting included).
#[derive(Debug, Clone)]
pub(super) struct SeenEvents {
    recent: FxHashSet<EventFingerprint>,
    /// Sorted, without repeats, none of them in `recent`.
    merged: Vec<EventFingerprint>,
    /// `merged`'s index: bucket `b` (the fingerprints whose top `bits` bits are `b`) is
    /// `merged[starts[b]..starts[b + 1]]`; empty when `merged` is.
    starts: Vec<usize>,
    /// How many top bits name a bucket (0 before the first merge).
    bits: u32,
    /// The size at which `recent` is merged ([`RECENT`]; smaller in tests).
    recent_limit: usize,
}

impl Default for SeenEvents {
    fn default() -> Self {
        SeenEvents {
            recent: FxHashSet::default(),
            merged: Vec::new(),
            starts: Vec::new(),
            bits: 0,
            recent_limit: RECENT,
        }
    }
}

impl SeenEvents {
    /// Whether the event with `fingerprint` was applied.
    #[cfg(test)]
    fn contains(&self, fingerprint: EventFingerprint) -> bool {
        self.recent.contains(&fingerprint) || self.bucket(fingerprint).binary_search(&fingerprint).is_ok()
    }

    /// Notes the event with `fingerprint` as being applied, when it was not (false: it was):
    /// one look-up where asking and then noting took two. [`SeenEvents::release`] takes the
    /// claim back (its event was refused) until [`SeenEvents::keep`].
    pub(super) fn claim(&mut self, fingerprint: EventFingerprint) -> bool {
        self.bucket(fingerprint).binary_search(&fingerprint).is_err() && self.recent.insert(fingerprint)
    }

    /// Takes back the claim of a refused event.
    pub(super) fn release(&mut self, fingerprint: EventFingerprint) {
        self.recent.remove(&fingerprint);
    }

    /// Keeps the claims made: the latest fingerprints merged when they reach their limit.
    pub(super) fn keep(&mut self) {
        if self.recent.len() >= self.recent_limit {
            self.merge();
        }
    }

    /// Every fingerprint, sorted (a snapshot's order): a copy with the latest merged in.
    pub(super) fn sorted(&self) -> Vec<EventFingerprint> {
        let mut copy = SeenEvents { recent: self.recent.clone(), merged: self.merged.clone(), ..SeenEvents::default() };
        copy.merge_recent();
        copy.merged
    }

    /// The sorted fingerprints sharing `fingerprint`'s top bits.
    fn bucket(&self, fingerprint: EventFingerprint) -> &[EventFingerprint] {
        let Some(at) = self.bucket_of(fingerprint) else { return &[] };
        match (self.starts.get(at), self.starts.get(at + 1)) {
            (Some(&from), Some(&to)) => self.merged.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The index's bucket of `fingerprint` (its top `bits` bits); `None` before any merge.
    fn bucket_of(&self, fingerprint: EventFingerprint) -> Option<usize> {
        let top = fingerprint.0.checked_shr(128u32.checked_sub(self.bits)?)?;
        usize::try_from(top).ok()
    }

    /// Merges the latest fingerprints into the sorted ones and rebuilds the index.
    fn merge(&mut self) {
        self.merge_recent();
        self.index();
    }

    /// Merges the latest fingerprints into the sorted ones, from the back, in place: the vector
    /// grows by exactly their number.
    fn merge_recent(&mut self) {
        let mut recent: Vec<EventFingerprint> = self.recent.drain().collect();
        recent.sort_unstable();
        let old = self.merged.len();
        self.merged.reserve_exact(recent.len());
        self.merged.resize(old + recent.len(), EventFingerprint(0));
        let (mut kept, mut to) = (old, self.merged.len());
        while let Some(next) = recent.last().copied() {
            to -= 1;
            let last_kept = kept.checked_sub(1).and_then(|at| self.merged.get(at).copied());
            let value = match last_kept {
                Some(k) if k > next => {
                    kept -= 1;
                    k
                }
                _ => {
                    recent.pop();
                    next
                }
            };
            if let Some(slot) = self.merged.get_mut(to) {
                *slot = value;
            }
        }
    }

    /// Rebuilds the index of `merged` for a few fingerprints a bucket.
    fn index(&mut self) {
        let buckets = (self.merged.len() / PER_BUCKET).max(1).next_power_of_two();
        self.bits = buckets.trailing_zeros().max(1);
        let count = 1usize << self.bits;
        self.starts.clear();
        self.starts.reserve_exact(count + 1);
        let mut at = 0;
        for bucket in 0..count {
            while self.merged.get(at).and_then(|f| self.bucket_of(*f)).is_some_and(|b| b < bucket) {
                at += 1;
            }
            self.starts.push(at);
        }
        self.starts.push(self.merged.len());
    }
}

impl FromIterator<EventFingerprint> for SeenEvents {
    fn from_iter<I: IntoIterator<Item = EventFingerprint>>(iter: I) -> Self {
        let mut merged: Vec<EventFingerprint> = iter.into_iter().collect();
        merged.sort_unstable();
        merged.dedup();
        merged.shrink_to_fit();
        let mut seen = SeenEvents { merged, ..SeenEvents::default() };
        seen.index();
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The type, the separator and the id hashed as three writes, as the first version did.
    fn written_in_turn(kind: &str, id: &str) -> EventFingerprint {
        let mut hasher = SipHasher13::new();
        hasher.write(kind.as_bytes());
        hasher.write(&[0xff]);
        hasher.write(id.as_bytes());
        EventFingerprint(u128::from_le_bytes(hasher.finish128().as_bytes()))
    }

    #[test]
    fn a_fingerprint_is_that_of_its_parts_written_in_turn_short_or_long() {
        // Either side of the 64-byte buffer: "movement" and 0xff are 9 bytes, so ids of 55
        // bytes fill it and of 56 do not; an id of two-byte characters too.
        let ids = [1, 20, 54, 55, 56, 57, 128].map(|length| "mv-1".chars().cycle().take(length).collect::<String>());
        for id in ids.iter().map(String::as_str).chain(["é".repeat(30).as_str()]) {
            assert_eq!(EventFingerprint::of("movement", id), written_in_turn("movement", id), "{id}");
        }
    }

    proptest! {
        /// Claimed with merges every few events (every fifth fresh claim taken back, as for a
        /// refused event), and restored from its sorted form, it answers as a set of every
        /// fingerprint kept.
        #[test]
        fn answers_as_a_set_across_merges(
            ids in proptest::collection::vec(0u32..400, 1..300),
            limit in 1usize..20,
        ) {
            let fingerprint = |id: u32| EventFingerprint::of("movement", &id.to_string());
            let mut seen = SeenEvents { recent_limit: limit, ..SeenEvents::default() };
            let mut expected = BTreeSet::new();
            for (n, id) in ids.iter().enumerate() {
                prop_assert_eq!(seen.claim(fingerprint(*id)), !expected.contains(id));
                if expected.contains(id) {
                    continue;
                }
                if n % 5 == 4 {
                    seen.release(fingerprint(*id));
                } else {
                    seen.keep();
                    expected.insert(*id);
                }
            }
            let sorted = seen.sorted();
            prop_assert_eq!(sorted.len(), expected.len());
            prop_assert!(sorted.windows(2).all(|w| w[0] < w[1]));
            let restored: SeenEvents = sorted.iter().copied().collect();
            for id in 0..400 {
                prop_assert_eq!(seen.contains(fingerprint(id)), expected.contains(&id));
                prop_assert_eq!(restored.contains(fingerprint(id)), expected.contains(&id));
            }
        }
    }
}
