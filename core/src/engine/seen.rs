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
        hasher.write(kind.as_bytes());
        // No UTF-8 text holds the byte 0xff: the type ends here, whatever the two strings are.
        hasher.write(&[0xff]);
        hasher.write(id.as_bytes());
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

/// The fingerprints of every event an engine applied.
#[derive(Debug, Clone, Default)]
pub(super) struct SeenEvents(FxHashSet<EventFingerprint>);

impl SeenEvents {
    /// Whether the event with `fingerprint` was applied.
    pub(super) fn contains(&self, fingerprint: EventFingerprint) -> bool {
        self.0.contains(&fingerprint)
    }

    /// Notes the event with `fingerprint` as applied.
    pub(super) fn insert(&mut self, fingerprint: EventFingerprint) {
        self.0.insert(fingerprint);
    }

    /// Every fingerprint, sorted (a snapshot's order).
    pub(super) fn sorted(&self) -> Vec<EventFingerprint> {
        let mut all: Vec<EventFingerprint> = self.0.iter().copied().collect();
        all.sort_unstable();
        all
    }
}

impl FromIterator<EventFingerprint> for SeenEvents {
    fn from_iter<I: IntoIterator<Item = EventFingerprint>>(iter: I) -> Self {
        SeenEvents(iter.into_iter().collect())
    }
}
