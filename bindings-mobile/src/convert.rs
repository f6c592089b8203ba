//! Conversions between the app's views and the core's types. Parsing an app's text (amounts,
//! dates, ids) names the field at fault.

use std::str::FromStr;

use chrono::NaiveDate;
use omo_core::OmoError;
use omo_core::error::shown;
use omo_core::model::{
    Currency, CustomerId, NodeId, OrderId, Payment, PaymentId, ProductId, SalesLine, SalesOrder, StockMovement,
};
use rust_decimal::Decimal;

use crate::error::OmoMobileError;
use crate::views::*;

type Result<T> = std::result::Result<T, OmoMobileError>;

/// The error of an app's text that could not be read: the field, the text (shortened) and why.
fn invalid(field: &str, value: &str, why: &str) -> OmoMobileError {
    OmoMobileError::InvalidInput { detail: format!("{field}: {:?} {why}", shown(value)) }
}

/// A decimal number written as text (`"1200.50"`, `"-3"`, `"1.2E+3"`), read by the core's one
/// rule for exact numbers (`omo_core::model::exact`): an empty text, a decimal comma (`"12,50"`),
/// `"NaN"`, and a number that does not fit a `Decimal` (10^30, 31 decimals) are refused naming
/// `field` — never rounded.
pub fn parse_decimal(field: &str, text: &str) -> Result<Decimal> {
    omo_core::model::exact::parse_decimal(text.trim())
        .map_err(|why| OmoMobileError::InvalidInput { detail: format!("{field}: {why}") })
}

/// An ISO date, `YYYY-MM-DD`.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::from_str(text.trim()).map_err(|_| invalid(field, text, "is not a date (YYYY-MM-DD)"))
}

/// An id of the core (validated by its newtype).
pub fn parse_id<T: FromStr<Err = OmoError>>(text: &str) -> Result<T> {
    Ok(T::from_str(text)?)
}

/// A date as ISO text.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl TryFrom<NewOrder> for SalesOrder {
    type Error = OmoMobileError;

    fn try_from(o: NewOrder) -> Result<Self> {
        let lines = o
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let line = SalesLine::new(
                    parse_id::<ProductId>(&l.product)?,
                    parse_decimal(&format!("lines[{i}].quantity"), &l.quantity)?,
                    parse_decimal(&format!("lines[{i}].unit_price"), &l.unit_price)?,
                );
                Ok(match &l.discount {
                    Some(d) => line.with_discount(parse_decimal(&format!("lines[{i}].discount"), d)?),
                    None => line,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SalesOrder::new(
            parse_id::<OrderId>(&o.id)?,
            parse_id::<CustomerId>(&o.customer)?,
            parse_date("date", &o.date)?,
            parse_id::<NodeId>(&o.ship_from)?,
            lines,
        )?)
    }
}

/// The core's payment of an app's, in `default_currency` unless it names one.
pub fn payment(p: NewPayment, default_currency: &Currency) -> Result<Payment> {
    let currency = match &p.currency {
        Some(code) => Currency::new(code.as_str())?,
        None => default_currency.clone(),
    };
    Ok(Payment::new(
        parse_id::<PaymentId>(&p.id)?,
        parse_id::<CustomerId>(&p.customer)?,
        parse_date("date", &p.date)?,
        parse_decimal("amount", &p.amount)?,
        currency,
    )?)
}

impl TryFrom<NewMovement> for StockMovement {
    type Error = OmoMobileError;

    fn try_from(m: NewMovement) -> Result<Self> {
        Ok(StockMovement::new(
            parse_id::<NodeId>(&m.node)?,
            parse_id::<ProductId>(&m.product)?,
            parse_date("date", &m.date)?,
            m.kind,
            parse_decimal("quantity", &m.quantity)?,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_from_text_are_exact_or_refused_by_name() {
        assert_eq!(parse_decimal("amount", " 1200.50 ").unwrap(), Decimal::new(120050, 2));
        let err = parse_decimal("amount", "12,5").unwrap_err();
        let detail = "amount: \"12,5\" is not a decimal number";
        assert_eq!(err, OmoMobileError::InvalidInput { detail: detail.into() });
        assert!(parse_decimal("amount", "NaN").is_err());
        let huge = parse_decimal("amount", &format!("1{}", "0".repeat(30))).unwrap_err().to_string();
        assert!(huge.contains("too large"), "{huge}");
        assert_eq!(parse_decimal("amount", "1E+3").unwrap(), Decimal::from(1000));
        assert!(parse_decimal("amount", "").unwrap_err().to_string().contains("not a decimal number"));
        let long = parse_decimal("amount", &"9".repeat(1_000_000)).unwrap_err().to_string();
        assert!(long.len() < 300, "{}", long.len());
        assert_eq!(parse_date("date", "2025-03-01").unwrap(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert!(matches!(parse_date("date", "2025-02-30"), Err(OmoMobileError::InvalidInput { .. })));
    }
}
