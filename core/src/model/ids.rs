//! Newtype ids of every entity, so that a customer id can never be passed where a product id is due.
//!
//! An id is a non-empty string without leading or trailing white space, at most 128 characters:
//! the ERP's own key (a material number, a customer number). Ids deserialize through the same check.
//! An id of up to 24 bytes is stored inline (no heap allocation), so the millions of records that
//! name a node and a product keep their ids in their own memory: comparing, hashing and cloning
//! them follows no pointer.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::OmoError;

/// The longest id accepted, in characters.
pub const MAX_ID_LEN: usize = 128;

fn check_id(kind: &'static str, text: &str) -> Result<(), OmoError> {
    let reason = if text.is_empty() {
        "must not be empty"
    } else if text.trim() != text {
        "must not start or end with white space"
    } else if text.chars().count() > MAX_ID_LEN {
        "is longer than 128 characters"
    } else if text.chars().any(char::is_control) {
        "must not contain control characters"
    } else {
        return Ok(());
    };
    Err(OmoError::InvalidId { kind, id: text.to_owned(), reason })
}

/// Whether two texts are the same bytes. Ids are compared at every look-up of a hash table keyed
/// by them (a node x product's ledger, its sell-out, a customer's totals), nearly all of them
/// short: a text of 4 to 16 bytes is compared as two overlapping words read in place, where
/// comparing slices calls `memcmp` (a call and its dispatch, several times the comparison).
///
/// ```
/// use omo_core::model::NodeId;
/// let (a, b) = (NodeId::new("DN-07")?, NodeId::new("DN-07")?);
/// assert_eq!(a, b);
/// assert_ne!(a, NodeId::new("DN-08")?);
/// assert_ne!(NodeId::new("DN-07-1")?, a);
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[inline]
fn same_text(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |text: &[u8], at: usize| text.get(at..at + 8).and_then(|w| w.try_into().ok()).map(u64::from_ne_bytes);
    let half = |text: &[u8], at: usize| text.get(at..at + 4).and_then(|w| w.try_into().ok()).map(u32::from_ne_bytes);
    match n {
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => a == b,
    }
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(CompactString);

        // Equal as their text is ([`same_text`]: short ids compared in place, not through a
        // call), consistent with the derived order and hash, which read the same text.
        impl PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                same_text(self.0.as_bytes(), other.0.as_bytes())
            }
        }

        // Hashed as the text it wraps, as a derived hash would.
        impl std::hash::Hash for $name {
            #[inline]
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        impl $name {
            /// What kind of id this is, as named in errors.
            pub const KIND: &'static str = $kind;

            /// Checks and wraps an id.
            pub fn new(id: impl Into<String>) -> Result<Self, OmoError> {
                let id = id.into();
                check_id($kind, &id)?;
                Ok($name(CompactString::new(id)))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = OmoError;
            fn from_str(text: &str) -> Result<Self, OmoError> {
                $name::new(text)
            }
        }

        impl TryFrom<String> for $name {
            type Error = OmoError;
            fn try_from(text: String) -> Result<Self, OmoError> {
                $name::new(text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.into_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Apps see the id as a string; one the core would refuse does not cross in (the call
        // fails with `InvalidInput` naming it).
        #[cfg(feature = "uniffi")]
        uniffi::custom_type!($name, String, {
            lower: |id| String::from(id),
            try_lift: |text| $name::new(text).map_err(crate::uniffi_support::refused_input),
        });
    };
}

define_id!(
    /// A product's SKU / material number (物料號).
    ///
    /// ```
    /// use omo_core::model::ProductId;
    /// let sku: ProductId = "NPK-15-15-15-50KG".parse()?;
    /// assert_eq!(sku.as_str(), "NPK-15-15-15-50KG");
    /// assert!(ProductId::new(" padded").is_err());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    ProductId, "product"
);
define_id!(
    /// A node of the product category tree.
    CategoryId, "category"
);
define_id!(
    /// A bundle (產品套餐): a crop-nutrition plan sold as a set of products.
    BundleId, "bundle"
);
define_id!(
    /// A customer of any tier.
    CustomerId, "customer"
);
define_id!(
    /// A sales region.
    RegionId, "region"
);
define_id!(
    /// A business unit (BU).
    BusinessUnitId, "business unit"
);
define_id!(
    /// A salesperson.
    SalespersonId, "salesperson"
);
define_id!(
    /// A node of the supply chain: a plant, a warehouse, an OEM supplier, a distributor, a retailer.
    NodeId, "node"
);
define_id!(
    /// A sales order.
    OrderId, "order"
);
define_id!(
    /// A shipment.
    ShipmentId, "shipment"
);
define_id!(
    /// An invoice or credit note.
    InvoiceId, "invoice"
);
define_id!(
    /// A payment received.
    PaymentId, "payment"
);
define_id!(
    /// A prepaid pre-season order with deferred pickup.
    PrepaidOrderId, "prepaid order"
);
define_id!(
    /// A raw material or packaging item bought for production (urea, DAP, MOP, bags).
    MaterialId, "material"
);
define_id!(
    /// A supplier of materials, or an OEM supplier making finished products for us.
    SupplierId, "supplier"
);
define_id!(
    /// A production line of a plant.
    LineId, "production line"
);
define_id!(
    /// A purchase order to a supplier.
    PurchaseOrderId, "purchase order"
);
define_id!(
    /// A production order on a line.
    ProductionOrderId, "production order"
);

/// An ISO 4217 currency code: three upper-case letters.
///
/// ```
/// use omo_core::model::Currency;
/// assert_eq!(Currency::new("CNY")?.as_str(), "CNY");
/// assert!(Currency::new("yuan").is_err());
/// # Ok::<(), omo_core::OmoError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    /// Checks and wraps a currency code.
    pub fn new(code: impl Into<String>) -> Result<Self, OmoError> {
        let code = code.into();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(code))
        } else {
            Err(OmoError::InvalidId {
                kind: "currency",
                id: code,
                reason: "must be three upper-case letters (ISO 4217)",
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Currency {
    type Error = OmoError;
    fn try_from(code: String) -> Result<Self, OmoError> {
        Currency::new(code)
    }
}

impl From<Currency> for String {
    fn from(code: Currency) -> String {
        code.0
    }
}

// Apps see a currency as its code; a malformed one does not cross in.
#[cfg(feature = "uniffi")]
uniffi::custom_type!(Currency, String, {
    lower: |code| String::from(code),
    try_lift: |code| Currency::new(code).map_err(crate::uniffi_support::refused_input),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_reject_blank_padded_long_and_control_text() {
        assert!(matches!(CustomerId::new(""), Err(OmoError::InvalidId { kind: "customer", .. })));
        assert!(CustomerId::new(" C1").is_err());
        assert!(CustomerId::new("C\n1").is_err());
        assert!(CustomerId::new("x".repeat(129)).is_err());
        assert!(CustomerId::new("x".repeat(128)).is_ok());
    }

    #[test]
    fn ids_deserialize_through_the_check() {
        let ok: NodeId = serde_json::from_str("\"DC-01\"").unwrap();
        assert_eq!(ok.as_str(), "DC-01");
        let err = serde_json::from_str::<NodeId>("\"\"").unwrap_err().to_string();
        assert!(err.contains("invalid node id"), "{err}");
    }

    #[test]
    fn ids_are_equal_exactly_when_their_text_is_at_every_length() {
        // Every length either side of the in-place words (4, 8, 16) and of the inline ids (24),
        // one byte changed at each place: first, middle and last, and a length apart.
        for n in 1..=40usize {
            let text: String = (0..n).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
            let id = ProductId::new(text.as_str()).unwrap();
            assert_eq!(id, ProductId::new(text.clone()).unwrap(), "length {n}");
            for at in [0, n / 2, n - 1] {
                let mut other = text.clone().into_bytes();
                other[at] = b'z';
                let other = ProductId::new(String::from_utf8(other).unwrap()).unwrap();
                assert_ne!(id, other, "length {n}, byte {at}");
                assert_eq!(id == other, id.as_str() == other.as_str());
            }
            assert_ne!(id, ProductId::new(format!("{text}A")).unwrap(), "length {n} and one more");
        }
    }
}
