//! Reading a dataset's JSON as an ERP exports it: exact numbers (see [`crate::model::exact`]),
//! unknown fields refused, every string within a documented size, a UTF-8 byte-order mark
//! accepted, and errors that name the collection, the record's id and the field.

use serde::{Deserialize, Serialize};

use super::Dataset;
use crate::error::{OmoError, Result, shown};

/// The limits a JSON document is read under. Checked on the raw text before anything is built,
/// so a gigabyte string is refused without being allocated.
///
/// ```
/// use omo_core::{Dataset, JsonLimits};
/// let limits = JsonLimits { max_string_bytes: 8 };
/// let err = Dataset::from_json_with(r#"{"company": "A much too long name"}"#, &limits).unwrap_err();
/// assert!(err.to_string().contains("company"), "{err}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonLimits {
    /// The most bytes one JSON string (an id, a name, a reason) may have as written, escapes
    /// included. Default [`JsonLimits::DEFAULT_MAX_STRING_BYTES`].
    pub max_string_bytes: usize,
}

impl JsonLimits {
    /// The default limit of one string: 64 KiB, far above any id (128 characters) or name.
    pub const DEFAULT_MAX_STRING_BYTES: usize = 64 * 1024;
}

impl Default for JsonLimits {
    fn default() -> Self {
        JsonLimits { max_string_bytes: Self::DEFAULT_MAX_STRING_BYTES }
    }
}

impl Dataset {
    /// Reads a dataset from JSON under the default [`JsonLimits`]. The content is not validated
    /// (call [`Dataset::validate`] or use [`Dataset::from_json_validated`]).
    ///
    /// Numbers are exact, an unknown field is refused, and an error names where it is:
    ///
    /// ```
    /// use omo_core::Dataset;
    /// let json = r#"{"company": "Acme", "currency": "CNY", "as_of": "2025-03-01",
    ///               "regions": [{"id": "R1", "name": "East", "parnet": "R0"}]}"#;
    /// let err = Dataset::from_json(json).unwrap_err().to_string();
    /// assert!(err.contains("regions[0] R1: parnet: unknown field"), "{err}");
    /// ```
    pub fn from_json(json: &str) -> Result<Self> {
        Dataset::from_json_with(json, &JsonLimits::default())
    }

    /// Reads a dataset from JSON under `limits`.
    pub fn from_json_with(json: &str, limits: &JsonLimits) -> Result<Self> {
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        check_string_sizes(json, limits)?;
        let mut dataset: Dataset = serde_json::from_str(json).map_err(|_| located_error(json))?;
        dataset.convert_currencies();
        Ok(dataset)
    }

    /// Reads a dataset from the bytes of a JSON file: text that is not UTF-8 is refused naming
    /// the byte where it stops being UTF-8.
    pub fn from_json_bytes(bytes: &[u8], limits: &JsonLimits) -> Result<Self> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            OmoError::Json(format!("the document is not UTF-8 text: byte {} is not valid UTF-8", e.valid_up_to()))
        })?;
        Dataset::from_json_with(text, limits)
    }

    /// Reads a dataset from JSON and validates it: every broken reference is reported at once.
    pub fn from_json_validated(json: &str) -> Result<Self> {
        Dataset::from_json_validated_with(json, &JsonLimits::default())
    }

    /// Reads a dataset from JSON under `limits` and validates it.
    pub fn from_json_validated_with(json: &str, limits: &JsonLimits) -> Result<Self> {
        let dataset = Dataset::from_json_with(json, limits)?;
        dataset.validate().into_result()?;
        Ok(dataset)
    }

    /// Writes the dataset as JSON (money and quantities as strings, digit for digit).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }
}

/// The error of a document that did not deserialize, read again to say where: the path
/// (`invoices[3].date`), the id of the record at fault where it has one, and serde's reason.
fn located_error(json: &str) -> OmoError {
    let mut reader = serde_json::Deserializer::from_str(json);
    let error = match serde_path_to_error::deserialize::<_, Dataset>(&mut reader) {
        Ok(_) => return OmoError::Json("the document did not read the second time".to_owned()),
        Err(error) => error,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    let (record, field) = split_record(&path);
    let named = match record_id(json, &record) {
        Some(id) => format!("{record} {}", shown(&id)),
        None => record,
    };
    let place = format!("line {} column {}", inner.line(), inner.column());
    let reason = inner.to_string();
    let reason = reason.split(" at line ").next().unwrap_or(&reason).to_owned();
    if field.is_empty() || path == "." {
        OmoError::Json(format!("{named}: {reason} ({place})"))
    } else {
        OmoError::Json(format!("{named}: {field}: {reason} ({place})"))
    }
}

/// Splits `invoices[3].lines[0].unit_price` into the record `invoices[3]` and the field
/// `lines[0].unit_price`; a top-level field is its own record.
fn split_record(path: &str) -> (String, String) {
    match path.find('[') {
        Some(open) => {
            let close = path[open..].find(']').map_or(path.len(), |c| open + c + 1);
            let field = path[close..].trim_start_matches('.');
            (path[..close].to_owned(), field.to_owned())
        }
        None => ("dataset".to_owned(), path.to_owned()),
    }
}

/// The `id` (or `customer`, for a credit account) of the record at `collection[index]`, read
/// from the document's tree; `None` when the document does not parse that far.
fn record_id(json: &str, record: &str) -> Option<String> {
    let (collection, index) = record.split_once('[')?;
    let index: usize = index.trim_end_matches(']').parse().ok()?;
    let tree: serde_json::Value = serde_json::from_str(json).ok()?;
    let entry = tree.get(collection)?.get(index)?;
    ["id", "customer"].iter().find_map(|key| entry.get(key)?.as_str().map(str::to_owned))
}

/// Refuses the first string longer than `limits.max_string_bytes`, naming its path, in one pass
/// over the raw text (nothing is allocated for the string itself).
fn check_string_sizes(json: &str, limits: &JsonLimits) -> Result<()> {
    let bytes = json.as_bytes();
    let mut path = PathTracker::default();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                let end = string_end(bytes, at + 1);
                let length = end.saturating_sub(at + 1);
                if length > limits.max_string_bytes {
                    return Err(OmoError::LimitExceeded {
                        what: format!("{}: string bytes", path.describe()),
                        limit: limits.max_string_bytes as u64,
                        actual: length as u64,
                    });
                }
                path.string(json.get(at + 1..end).unwrap_or(""));
                at = end + 1;
                continue;
            }
            b'{' => path.open(false),
            b'[' => path.open(true),
            b'}' | b']' => path.close(),
            b',' => path.next(),
            b':' => path.colon(),
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// The index of the quote that closes the string whose text starts at `from` (or the end).
fn string_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\\' => at += 2,
            b'"' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Where the scanner is in the document, to name a string that is too long.
#[derive(Default)]
struct PathTracker {
    frames: Vec<Frame>,
}

enum Frame {
    Array(usize),
    Object { key: Option<String>, awaiting_key: bool },
}

impl PathTracker {
    fn open(&mut self, array: bool) {
        self.frames.push(if array { Frame::Array(0) } else { Frame::Object { key: None, awaiting_key: true } });
    }

    fn close(&mut self) {
        self.frames.pop();
    }

    fn next(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Array(index)) => *index += 1,
            Some(Frame::Object { awaiting_key, .. }) => *awaiting_key = true,
            None => {}
        }
    }

    fn colon(&mut self) {
        if let Some(Frame::Object { awaiting_key, .. }) = self.frames.last_mut() {
            *awaiting_key = false;
        }
    }

    /// A string was read: an object's key when one is awaited.
    fn string(&mut self, text: &str) {
        if let Some(Frame::Object { key, awaiting_key: true }) = self.frames.last_mut() {
            *key = Some(shown(text).into_owned());
        }
    }

    fn describe(&self) -> String {
        let mut text = String::new();
        for frame in &self.frames {
            match frame {
                Frame::Array(index) => text.push_str(&format!("[{index}]")),
                Frame::Object { key: Some(key), .. } => {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                }
                Frame::Object { key: None, .. } => {}
            }
        }
        if text.is_empty() { "document".to_owned() } else { text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#""company": "Acme", "currency": "CNY", "as_of": "2025-03-01""#;

    #[test]
    fn a_long_string_is_named_by_its_path() {
        let json = format!(
            r#"{{{HEAD}, "regions": [{{"id": "R1", "name": "East"}}, {{"id": "R2", "name": "{}"}}]}}"#,
            "x".repeat(20)
        );
        let err = Dataset::from_json_with(&json, &JsonLimits { max_string_bytes: 19 }).unwrap_err();
        assert_eq!(
            err,
            OmoError::LimitExceeded { what: "regions[1].name: string bytes".into(), limit: 19, actual: 20 }
        );
        assert!(Dataset::from_json_with(&json, &JsonLimits { max_string_bytes: 20 }).is_ok());
    }

    #[test]
    fn errors_name_collection_record_and_field() {
        let json = format!(
            r#"{{{HEAD}, "regions": [{{"id": "R1", "name": "East"}}],
               "payments": [{{"id": "PAY-9", "customer": "C1", "date": "2025-13-45", "amount": "1", "currency": "CNY"}}]}}"#
        );
        let err = Dataset::from_json(&json).unwrap_err().to_string();
        assert!(err.starts_with("JSON: payments[0] PAY-9: date: \"2025-13-45\" is not a date"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_bad_utf8_named() {
        let json = format!("\u{feff}{{{HEAD}}}");
        assert_eq!(Dataset::from_json(&json).map(|d| d.company), Ok("Acme".to_owned()));
        let mut bytes = format!("{{{HEAD}}}").into_bytes();
        bytes.insert(14, 0xff);
        let err = Dataset::from_json_bytes(&bytes, &JsonLimits::default()).unwrap_err().to_string();
        assert!(err.contains("byte 14"), "{err}");
    }
}
