//! Foreign-currency records: exchange rates, and the record of a conversion into the company's
//! currency.
//!
//! Every amount the library adds up is in the company's currency. A record that arrives in
//! another currency (an OEM supplier's invoice in USD, a payment from an export customer) is
//! converted exactly when the dataset is read, at the latest rate on or before the record's date;
//! the rate used, its date and the original currency stay on the record ([`Conversion`]), so the
//! conversion can be audited and is never applied twice. Without a rate the record is refused,
//! naming it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Check, Currency, Issues};

/// The value of one unit of `currency` in the company's currency, from `date` on (until a later
/// rate of the same currency). For example `{"currency": "USD", "date": "2025-03-01", "rate": "7.1"}`
/// for a company reporting in CNY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// The foreign currency.
    pub currency: Currency,
    /// The first day the rate applies.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub date: NaiveDate,
    /// Company-currency units per unit of `currency`; positive.
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub rate: Decimal,
}

impl Check for ExchangeRate {
    const ENTITY: &'static str = "exchange_rate";
    fn issue_id(&self) -> Option<String> {
        Some(format!("{} {}", self.currency, self.date))
    }
    fn check_fields(&self, issues: &mut Issues<'_>) {
        if self.rate <= Decimal::ZERO {
            issues.push("rate", format!("must be positive, got {}", self.rate));
        }
    }
}

/// How a record was converted into the company's currency: from which currency, at which rate,
/// set on which day.
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// The currency the record arrived in.
    pub currency: Currency,
    /// The rate used (company-currency units per unit of `currency`).
    #[serde(deserialize_with = "crate::model::exact::decimal")]
    pub rate: Decimal,
    /// The date of the rate used.
    #[serde(deserialize_with = "crate::model::exact::date")]
    pub rate_date: NaiveDate,
}

/// The exchange rates of a dataset, for looking up the rate of a currency on a day.
#[derive(Debug)]
pub struct RateTable<'a> {
    by_currency: rustc_hash::FxHashMap<&'a str, Vec<&'a ExchangeRate>>,
}

impl<'a> RateTable<'a> {
    /// The table of `rates` (in any order).
    pub fn new(rates: &'a [ExchangeRate]) -> Self {
        let mut by_currency: rustc_hash::FxHashMap<&str, Vec<&ExchangeRate>> = Default::default();
        for rate in rates {
            by_currency.entry(rate.currency.as_str()).or_default().push(rate);
        }
        for list in by_currency.values_mut() {
            list.sort_by_key(|r| r.date);
        }
        RateTable { by_currency }
    }

    /// The conversion of `currency` on `date`: the latest rate dated on or before it.
    ///
    /// ```
    /// use omo_core::model::{Currency, ExchangeRate, RateTable};
    /// use rust_decimal::Decimal;
    /// let day = |d| chrono::NaiveDate::from_ymd_opt(2025, 3, d).unwrap();
    /// let usd = Currency::new("USD")?;
    /// let rates = [ExchangeRate { currency: usd.clone(), date: day(1), rate: Decimal::new(71, 1) },
    ///              ExchangeRate { currency: usd.clone(), date: day(10), rate: Decimal::new(72, 1) }];
    /// let table = RateTable::new(&rates);
    /// assert_eq!(table.on(&usd, day(9)).map(|c| c.rate), Some(Decimal::new(71, 1)));
    /// assert_eq!(table.on(&usd, day(10)).map(|c| c.rate_date), Some(day(10)));
    /// assert!(table.on(&usd, chrono::NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()).is_none());
    /// # Ok::<(), omo_core::OmoError>(())
    /// ```
    pub fn on(&self, currency: &Currency, date: NaiveDate) -> Option<Conversion> {
        let list = self.by_currency.get(currency.as_str())?;
        let after = list.partition_point(|r| r.date <= date);
        let rate = list.get(after.checked_sub(1)?)?;
        Some(Conversion { currency: currency.clone(), rate: rate.rate, rate_date: rate.date })
    }
}

/// Converts `amount` at `conversion`'s rate, exactly (`None` if the product does not fit a
/// Decimal).
pub fn convert(amount: Decimal, conversion: &Conversion) -> Option<Decimal> {
    amount.checked_mul(conversion.rate)
}
