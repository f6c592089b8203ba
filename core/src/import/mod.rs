//! Importers that turn rows of an ERP's extract into a [`crate::Dataset`].
//!
//! Importers take rows, not files: reading CSV, Excel or a database is the caller's job (the
//! `omo-examples` crate reads the real Online Retail ledger this way).

mod invoice_lines;

pub use invoice_lines::{ImportOptions, ImportSummary, ImportedLedger, InvoiceLineRecord, import_invoice_lines};
