//! Reads the UCI "Online Retail" ledger (Chen, Sain & Guo, 2012) into invoice-line rows for
//! [`omo_core::import::import_invoice_lines`].
//!
//! Columns: `InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID,
//! Country`; dates as `YYYY-MM-DD HH:MM:SS` (or `M/D/YYYY H:MM` as in the original spreadsheet).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use chrono::NaiveDateTime;
use omo_core::import::{ImportOptions, ImportedLedger, InvoiceLineRecord, import_invoice_lines};
use omo_core::model::Currency;
use rust_decimal::Decimal;
use serde::Deserialize;

/// What can go wrong reading the file.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// A row could not be parsed: its 1-based data-row number, the column and why.
    Row {
        /// 1-based data row.
        row: usize,
        /// The column at fault.
        column: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The rows were read but do not make a valid dataset.
    Import(omo_core::OmoError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "reading the ledger: {e}"),
            ReadError::Row { row, column, message } => write!(f, "row {row}, column {column}: {message}"),
            ReadError::Import(e) => write!(f, "importing the ledger: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

#[derive(Deserialize)]
struct RawRow {
    #[serde(rename = "InvoiceNo")]
    invoice_no: String,
    #[serde(rename = "StockCode")]
    stock_code: String,
    #[serde(rename = "Description")]
    description: String,
    #[serde(rename = "Quantity")]
    quantity: String,
    #[serde(rename = "InvoiceDate")]
    invoice_date: String,
    #[serde(rename = "UnitPrice")]
    unit_price: String,
    #[serde(rename = "CustomerID")]
    customer_id: String,
    #[serde(rename = "Country")]
    country: String,
}

/// Reads every row of the ledger at `path` (`.gz` files are decompressed on the fly).
pub fn read_rows(path: &Path) -> Result<Vec<InvoiceLineRecord>, ReadError> {
    let file = File::open(path).map_err(ReadError::Io)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    parse_rows(reader)
}

/// Parses ledger rows from any reader of CSV text with the header above.
pub fn parse_rows(reader: impl Read) -> Result<Vec<InvoiceLineRecord>, ReadError> {
    let mut csv = csv::Reader::from_reader(reader);
    let mut rows = Vec::new();
    for (index, raw) in csv.deserialize::<RawRow>().enumerate() {
        let row = index + 1;
        let raw = raw.map_err(|e| ReadError::Row { row, column: "*", message: e.to_string() })?;
        rows.push(InvoiceLineRecord {
            row,
            quantity: decimal(row, "Quantity", &raw.quantity)?,
            unit_price: decimal(row, "UnitPrice", &raw.unit_price)?,
            invoice_date: date_time(row, &raw.invoice_date)?,
            customer_id: Some(raw.customer_id).filter(|c| !c.trim().is_empty()),
            invoice_no: raw.invoice_no,
            stock_code: raw.stock_code,
            description: raw.description,
            country: raw.country,
        });
    }
    Ok(rows)
}

fn decimal(row: usize, column: &'static str, text: &str) -> Result<Decimal, ReadError> {
    text.trim().parse::<Decimal>().map_err(|e| ReadError::Row {
        row,
        column,
        message: format!("{text:?} is not a decimal number: {e}"),
    })
}

fn date_time(row: usize, text: &str) -> Result<NaiveDateTime, ReadError> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%m/%d/%Y %H:%M"))
        .map_err(|e| ReadError::Row {
            row,
            column: "InvoiceDate",
            message: format!("{text:?} is not a date and time: {e}"),
        })
}

/// Reads and imports the ledger at `path` as the books of a UK gift-ware wholesaler, in GBP.
pub fn import(path: &Path) -> Result<ImportedLedger, ReadError> {
    let rows = read_rows(path)?;
    let currency = Currency::new("GBP").map_err(ReadError::Import)?;
    let options =
        ImportOptions::new("UK gift-ware wholesaler (UCI Online Retail)", currency).map_err(ReadError::Import)?;
    import_invoice_lines(&rows, &options).map_err(ReadError::Import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_cells_name_row_and_column() {
        let csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
                   1,A,x,2,2011-01-01 10:00:00,1.5,,UK\n\
                   2,A,x,two,2011-01-01 10:00:00,1.5,,UK\n";
        let err = parse_rows(csv.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "row 2, column Quantity: \"two\" is not a decimal number: Invalid decimal: unknown character");
    }

    #[test]
    fn both_date_layouts_are_read() {
        assert_eq!(date_time(1, "12/1/2010 8:26").unwrap(), date_time(1, "2010-12-01 08:26:00").unwrap());
    }
}
