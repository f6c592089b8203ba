//! Validation issues and the shared checks that entities apply to their fields.
//!
//! Every entity knows how to check its own fields ([`Check`]); [`crate::Dataset::validate`] adds the
//! checks that need the whole dataset (references, duplicates, hierarchies). Magnitudes are bounded so
//! that no sum the library forms over a dataset that fits in memory can overflow a `Decimal`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{OmoError, Result};

/// The largest quantity (units, kilograms, tons...) a single record may carry: one billion.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// The largest unit price a record may carry: one billion in the record's currency.
pub const MAX_UNIT_PRICE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// The largest single amount of money (a payment, a limit, a deposit): 10^15.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// One problem found in a record: which entity, which id (or row), which field, and what is wrong.
///
/// ```
/// use omo_core::model::ValidationIssue;
/// let issue = ValidationIssue::new("customer", "C1", "region", "unknown region \"R9\"");
/// assert_eq!(issue.to_string(), "customer C1: region: unknown region \"R9\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationIssue {
    /// The kind of record (`"product"`, `"stock_movement"`, ...).
    pub entity: String,
    /// The record's id, or `#row` (0-based) for records without an id.
    pub id: String,
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ValidationIssue {
    /// Builds an issue.
    pub fn new(
        entity: impl Into<String>,
        id: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ValidationIssue { entity: entity.into(), id: id.into(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}: {}", self.entity, self.id, self.field, self.message)
    }
}

/// How a record is named in issues: by its id, or by its row (named only when an issue arises,
/// so checking millions of sound rows formats nothing).
#[derive(Debug, Clone)]
enum RecordName {
    Id(String),
    Row(usize),
}

/// Collects the issues of one record: the entity kind and id are given once.
#[derive(Debug)]
pub struct Issues<'a> {
    entity: &'static str,
    name: RecordName,
    out: &'a mut Vec<ValidationIssue>,
}

impl<'a> Issues<'a> {
    /// Starts collecting issues of the record `entity` `id` into `out`.
    pub fn new(entity: &'static str, id: impl Into<String>, out: &'a mut Vec<ValidationIssue>) -> Self {
        Issues { entity, name: RecordName::Id(id.into()), out }
    }

    /// Starts collecting issues of the record at `row` (named `#row`) of `entity` into `out`.
    pub fn for_row(entity: &'static str, row: usize, out: &'a mut Vec<ValidationIssue>) -> Self {
        Issues { entity, name: RecordName::Row(row), out }
    }

    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl fmt::Display, message: impl Into<String>) {
        let id = match &self.name {
            RecordName::Id(id) => id.clone(),
            RecordName::Row(row) => format!("#{row}"),
        };
        self.out.push(ValidationIssue::new(self.entity, id, field.to_string(), message));
    }

    /// `text` must not be empty or blank.
    pub fn non_blank(&mut self, field: impl fmt::Display, text: &str) {
        if text.trim().is_empty() {
            self.push(field, "must not be empty");
        }
    }

    /// A quantity must be positive and at most [`MAX_QUANTITY`].
    pub fn positive_quantity(&mut self, field: impl fmt::Display, value: Decimal) {
        if value <= Decimal::ZERO {
            self.push(field, format!("must be positive, got {value}"));
        } else {
            self.at_most(field, value, MAX_QUANTITY);
        }
    }

    /// A quantity must be zero or positive and at most [`MAX_QUANTITY`].
    pub fn non_negative_quantity(&mut self, field: impl fmt::Display, value: Decimal) {
        self.non_negative(field, value, MAX_QUANTITY);
    }

    /// A signed quantity (an adjustment) must lie within [`MAX_QUANTITY`] either way. Zero is
    /// allowed: ERPs post zero-quantity adjustments for valuation-only reconciliations, and they
    /// change no stock.
    pub fn signed_quantity(&mut self, field: impl fmt::Display, value: Decimal) {
        self.at_most(field, value.abs(), MAX_QUANTITY);
    }

    /// A unit price must be zero or positive and at most [`MAX_UNIT_PRICE`].
    pub fn unit_price(&mut self, field: impl fmt::Display, value: Decimal) {
        self.non_negative(field, value, MAX_UNIT_PRICE);
    }

    /// An amount of money must be zero or positive and at most [`MAX_AMOUNT`].
    pub fn amount(&mut self, field: impl fmt::Display, value: Decimal) {
        self.non_negative(field, value, MAX_AMOUNT);
    }

    /// A rate (a discount, a share) must lie in `[0, 1]`.
    pub fn rate(&mut self, field: impl fmt::Display, value: Decimal) {
        if value < Decimal::ZERO || value > Decimal::ONE {
            self.push(field, format!("must lie between 0 and 1, got {value}"));
        }
    }

    fn non_negative(&mut self, field: impl fmt::Display, value: Decimal, max: Decimal) {
        if value < Decimal::ZERO {
            self.push(field, format!("must not be negative, got {value}"));
        } else {
            self.at_most(field, value, max);
        }
    }

    fn at_most(&mut self, field: impl fmt::Display, value: Decimal, max: Decimal) {
        // A mantissa no larger than a whole-number limit's is within it whatever its scale: no
        // decimal comparison for nearly every quantity and amount of every record.
        let within = max.scale() == 0 && value.mantissa().unsigned_abs() <= max.mantissa().unsigned_abs();
        if !within && value > max {
            self.push(field, format!("{value} is larger than the largest allowed, {max}"));
        }
    }

    /// `later` must not come before `earlier`.
    pub fn not_before<T: PartialOrd + fmt::Display>(
        &mut self,
        field: impl fmt::Display,
        later: T,
        earlier_field: impl fmt::Display,
        earlier: T,
    ) {
        if later < earlier {
            self.push(field, format!("{later} is before {earlier_field} {earlier}"));
        }
    }
}

/// A record that can check its own fields (not its references: those need the dataset).
pub trait Check {
    /// The entity kind used in issues, e.g. `"product"`.
    const ENTITY: &'static str;

    /// The id used in issues; records without an id of their own return `None` and are named by row.
    fn issue_id(&self) -> Option<String>;

    /// Appends every problem with the record's own fields to `issues`.
    fn check_fields(&self, issues: &mut Issues<'_>);

    /// Checks the record on its own, in place: `Ok(())` or every problem found.
    fn check(&self) -> Result<()> {
        let mut found = Vec::new();
        let id = self.issue_id().unwrap_or_else(|| "(new)".to_owned());
        self.check_fields(&mut Issues::new(Self::ENTITY, id, &mut found));
        if found.is_empty() { Ok(()) } else { Err(OmoError::Invalid { issues: found }) }
    }

    /// Checks the record on its own, as a constructor does: `Ok(self)` or every problem found.
    fn validated(self) -> Result<Self>
    where
        Self: Sized,
    {
        self.check()?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_have_the_documented_values() {
        assert_eq!(MAX_QUANTITY, Decimal::from(1_000_000_000u64));
        assert_eq!(MAX_UNIT_PRICE, Decimal::from(1_000_000_000u64));
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000u64));
    }

    #[test]
    fn quantity_checks_name_the_field_and_value() {
        let mut out = Vec::new();
        let mut issues = Issues::new("stock_movement", "#3", &mut out);
        issues.positive_quantity("quantity", Decimal::ZERO);
        issues.signed_quantity("quantity", Decimal::from(-2_000_000_000i64));
        issues.rate("discount", Decimal::new(15, 1));
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].to_string(), "stock_movement #3: quantity: must be positive, got 0");
        assert!(out[1].message.contains("-2000000000") || out[1].message.contains("2000000000"));
        assert_eq!(out[2].field, "discount");
    }
}
