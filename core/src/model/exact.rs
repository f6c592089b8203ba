//! How numbers and dates are read from an ERP's JSON: exactly, or not at all.
//!
//! Every money amount and quantity of the dataset is a `Decimal`, written as a string. When an ERP
//! writes one as a JSON number instead (`"limit": 12345678901234567.89`), it is read from the
//! number's own text (serde_json's `arbitrary_precision`), never through an `f64`: every digit is
//! kept, or the value is refused naming the field — a number too large for a `Decimal`, or with
//! more significant digits than it holds, is an error, never a rounding. Strings are read by the
//! same rule, in plain (`"1200.50"`) or scientific (`"1.2005E+3"`) notation.
//!
//! Dates are ISO `YYYY-MM-DD`; an ISO date-time (`2025-03-01T08:30:00+08:00`, as ERPs export a
//! posting timestamp) is accepted and read as its calendar date, as written.
//!
//! ```
//! use omo_core::model::exact::parse_decimal;
//! use rust_decimal::Decimal;
//! use std::str::FromStr;
//! assert_eq!(parse_decimal("12345678901234567.89")?, Decimal::from_str("12345678901234567.89").unwrap());
//! assert_eq!(parse_decimal("1E+3")?, Decimal::from(1000));
//! assert!(parse_decimal("1e30").unwrap_err().contains("too large"));
//! assert!(parse_decimal("0.12345678901234567890123456789").unwrap_err().contains("digits"));
//! # Ok::<(), String>(())
//! ```

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::fmt;

/// The key under which serde_json (with `arbitrary_precision`) hands a number's text to a visitor.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The most digits after the decimal point a `Decimal` holds.
const MAX_SCALE: usize = 28;

/// Reads `text` as a `Decimal` without losing a digit: plain or scientific notation, an optional
/// sign. Returns a message saying what is wrong (too large, too many digits, not a number).
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let number = DecimalText::parse(text).ok_or_else(|| format!("{:?} is not a decimal number", shorten(text)))?;
    number.to_decimal().map_err(|why| format!("{}: {why}", shorten(text)))
}

fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    crate::error::shown(text)
}

/// A decimal number's text taken apart: sign, digits, and the power of ten of the last digit.
struct DecimalText {
    negative: bool,
    /// The significant digits, without leading zeros (empty for zero).
    digits: String,
    /// The value is `digits x 10^exponent`.
    exponent: i64,
}

impl DecimalText {
    fn parse(text: &str) -> Option<Self> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, power) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let fraction_len = i64::try_from(fraction.len()).ok()?;
        let digits: String = whole.chars().chain(fraction.chars()).skip_while(|c| *c == '0').collect();
        Some(DecimalText { negative, digits, exponent: power.checked_sub(fraction_len)? })
    }

    fn to_decimal(&self) -> Result<Decimal, &'static str> {
        if self.digits.is_empty() {
            let scale = u32::try_from(self.exponent.saturating_neg().clamp(0, MAX_SCALE as i64)).unwrap_or(0);
            return Ok(Decimal::new(0, scale));
        }
        let digits = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        if digits.saturating_add(self.exponent) > 29 {
            return Err("too large for a decimal (at most 79228162514264337593543950335)");
        }
        let mut digits = self.digits.clone();
        let mut scale = 0usize;
        if self.exponent >= 0 {
            digits.extend(std::iter::repeat_n('0', usize::try_from(self.exponent).unwrap_or(0)));
        } else {
            scale = usize::try_from(self.exponent.unsigned_abs()).unwrap_or(usize::MAX);
            // Trailing zeros past what a Decimal holds carry no value: drop them, exactly.
            while scale > MAX_SCALE && digits.ends_with('0') {
                digits.pop();
                scale -= 1;
            }
            if scale > MAX_SCALE {
                return Err("more digits after the point than a decimal holds exactly (28)");
            }
        }
        let mantissa: i128 = digits.parse().map_err(|_| "more significant digits than a decimal holds exactly")?;
        let mantissa = if self.negative { -mantissa } else { mantissa };
        Decimal::try_from_i128_with_scale(mantissa, scale as u32).map_err(|_| {
            if scale == 0 {
                "too large for a decimal (at most 79228162514264337593543950335)"
            } else {
                "more significant digits than a decimal holds exactly (about 28)"
            }
        })
    }
}

struct ExactDecimal;

impl<'de> Visitor<'de> for ExactDecimal {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number (a string such as \"1200.50\", or a JSON number)")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Decimal, E> {
        // Only reached from a deserializer other than serde_json's exact one: an f64 has already
        // lost the text, so it is refused rather than guessed at.
        Err(E::custom(format!("{value} arrived as a binary float, which is not exact: write it as a string")))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        parse_decimal(text).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                parse_decimal(&text).map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// Deserializes a `Decimal` exactly (see the module's rule); for `#[serde(deserialize_with)]`.
pub fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(ExactDecimal)
}

/// Deserializes an optional `Decimal` exactly; `null` is `None`.
pub fn option_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal number or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            decimal(d).map(Some)
        }
    }
    deserializer.deserialize_option(Optional)
}

/// `a / b`, or the largest Decimal of the quotient's sign where it does not fit (a value of 10^28
/// over a target of 10^-28); zero for a zero `b`. KPI values and credit limits come from
/// anywhere, and a light or a credit position must not panic on any of them.
pub(crate) fn saturating_div(a: Decimal, b: Decimal) -> Decimal {
    if b.is_zero() {
        return Decimal::ZERO;
    }
    a.checked_div(b).unwrap_or(if a.is_sign_negative() == b.is_sign_negative() { Decimal::MAX } else { Decimal::MIN })
}

/// Reads an ISO date, or the calendar date of an ISO date-time (`2025-03-01T08:30:00Z`,
/// `2025-03-01 08:30:00+08:00`), as written. A date outside the years 0000 to 9999 is read in
/// ISO 8601's expanded form with its sign (`+10000-01-01`), the form every date this crate writes
/// takes there, so that whatever it writes reads back.
///
/// ```
/// use chrono::NaiveDate;
/// use omo_core::model::exact::parse_date;
/// let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
/// assert_eq!(parse_date("2025-03-01"), Ok(day));
/// assert_eq!(parse_date("2025-03-01T08:30:00+08:00"), Ok(day));
/// assert!(parse_date("2025-13-45").unwrap_err().contains("not a date"));
/// assert_eq!(parse_date(&NaiveDate::MAX.to_string()), Ok(NaiveDate::MAX));
/// assert_eq!(parse_date("-0001-12-31"), Ok(NaiveDate::from_ymd_opt(-1, 12, 31).unwrap()));
/// assert!(parse_date("+10000-01-01T08:00").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let not_a_date = || format!("{:?} is not a date (YYYY-MM-DD)", shorten(text));
    if text.starts_with(['+', '-']) {
        return text.parse().map_err(|_| not_a_date());
    }
    let (day, time) = match text.char_indices().nth(10) {
        Some((at, 'T' | 't' | ' ')) => (&text[..at], Some(&text[at + 1..])),
        Some(_) => return Err(not_a_date()),
        None => (text, None),
    };
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| not_a_date())?;
    if let Some(time) = time {
        let clock = time.trim_end_matches(['Z', 'z']);
        let clock = clock.find(['+', '-']).map_or(clock, |at| &clock[..at]);
        let formats = ["%H:%M:%S%.f", "%H:%M:%S", "%H:%M"];
        if !formats.iter().any(|f| chrono::NaiveTime::parse_from_str(clock, f).is_ok()) {
            return Err(not_a_date());
        }
    }
    Ok(date)
}

struct IsoDate;

impl<'de> Visitor<'de> for IsoDate {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date (YYYY-MM-DD)")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
        parse_date(text).map_err(E::custom)
    }
}

/// Deserializes a date by [`parse_date`]; for `#[serde(deserialize_with)]`.
pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    deserializer.deserialize_str(IsoDate)
}

/// Deserializes an optional date by [`parse_date`]; `null` is `None`.
pub fn option_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    struct Optional;
    impl<'de> Visitor<'de> for Optional {
        type Value = Option<NaiveDate>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date (YYYY-MM-DD) or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            date(d).map(Some)
        }
    }
    deserializer.deserialize_option(Optional)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap_or_default()
    }

    #[test]
    fn plain_and_scientific_text_keep_every_digit_and_the_scale() {
        assert_eq!(parse_decimal("12345678901234567.89"), Ok(d("12345678901234567.89")));
        assert_eq!(parse_decimal("1.50").map(|v| v.scale()), Ok(2));
        assert_eq!(parse_decimal("-0.001"), Ok(d("-0.001")));
        assert_eq!(parse_decimal("1.2005E+3"), Ok(d("1200.5")));
        assert_eq!(parse_decimal("25e-2"), Ok(d("0.25")));
        assert_eq!(parse_decimal("79228162514264337593543950335"), Ok(Decimal::MAX));
        assert_eq!(parse_decimal("0.1000000000000000000000000000000"), Ok(d("0.1")));
        assert_eq!(parse_decimal("0"), Ok(Decimal::ZERO));
    }

    #[test]
    fn what_does_not_fit_is_refused_with_the_reason() {
        let too_large = parse_decimal("1e30").unwrap_err();
        assert!(too_large.contains("too large"), "{too_large}");
        assert!(parse_decimal("79228162514264337593543950336").unwrap_err().contains("too large"));
        assert!(parse_decimal("0.12345678901234567890123456789").unwrap_err().contains("digits"));
        assert!(parse_decimal("1.2.3").unwrap_err().contains("not a decimal number"));
        assert!(parse_decimal("NaN").is_err());
        assert!(parse_decimal("").is_err());
        assert!(parse_decimal("1e99999999999999999999").is_err());
    }

    #[test]
    fn date_times_read_as_their_date() {
        let day = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert_eq!(parse_date("2025-03-01T00:00:00").ok(), day);
        assert_eq!(parse_date("2025-03-01 23:59:59.123Z").ok(), day);
        assert_eq!(parse_date("2025-03-01T08:30-05:00").ok(), day);
        assert!(parse_date("2025-03-01Tnoon").is_err());
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2025-02-30").is_err());
    }
}
