//! The machinery of `tests/fuzz.rs`: the runner (proptest's `TestRunner` with a fixed or chosen
//! seed and a case count from the environment), panic capture and counting, the almost-valid
//! base datasets, and the mutators of JSON values and text.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use omo_core::Dataset;
use omo_core::sample::{SampleConfig, sample_company};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::Value;

/// Cases per target in the test command's short run.
pub const SHORT_CASES: u32 = 24;

/// Cases per target: `OMO_FUZZ_CASES`, else [`SHORT_CASES`] (scaled by `weight`, at least 1).
pub fn cases(weight: f64) -> u32 {
    let base = std::env::var("OMO_FUZZ_CASES").ok().and_then(|v| v.parse::<u32>().ok()).unwrap_or(SHORT_CASES);
    ((f64::from(base) * weight) as u32).max(1)
}

/// Whether panics reach proptest (which then shrinks the input) instead of being counted.
fn shrinking() -> bool {
    std::env::var("OMO_FUZZ_SHRINK").is_ok_and(|v| v == "1")
}

/// The wall-clock budget of one target, from `OMO_FUZZ_SECONDS` (none by default).
fn budget() -> Option<Duration> {
    std::env::var("OMO_FUZZ_SECONDS").ok().and_then(|v| v.parse::<u64>().ok()).map(Duration::from_secs)
}

/// The seed of a target's random stream: fixed (so the test command is reproducible) unless
/// `OMO_FUZZ_SEED` is set.
fn seed(name: &str) -> [u8; 32] {
    let extra = std::env::var("OMO_FUZZ_SEED").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ extra.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        for b in name.bytes().chain([i as u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        chunk.copy_from_slice(&h.to_le_bytes());
    }
    out
}

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records the message and place of a panic inside
/// [`Target::call`] without printing it, and leaves every other panic to the default hook.
fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CAPTURING.with(Cell::get) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(no message)".into());
                let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
                let ours = first_own_frame(&std::backtrace::Backtrace::force_capture().to_string());
                LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{ours} [{place}]: {message}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// The innermost frame of the library (`src/...` of omo-core) in a backtrace's text: its
/// function and place, so that panics are told apart by where the library went wrong rather than
/// by the line of `rust_decimal` or `core` that panicked.
fn first_own_frame(backtrace: &str) -> String {
    let lines: Vec<&str> = backtrace.lines().map(str::trim).collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(place) = line.strip_prefix("at ")
            && place.contains("src/")
            && !place.contains("/rustc/")
            && !place.contains("/.cargo/")
            && !place.contains("tests/")
        {
            let function =
                i.checked_sub(1).and_then(|j| lines.get(j)).map_or("", |f| f.split_once(": ").map_or(*f, |x| x.1));
            return format!("{function} at {place}");
        }
    }
    "(no omo-core frame)".into()
}

/// One distinct panic: where and what, how often, and the first input that raised it.
#[derive(Debug, Clone)]
pub struct PanicRecord {
    /// How many calls panicked this way.
    pub count: u64,
    /// The call's label.
    pub label: String,
    /// The first input, described.
    pub input: String,
}

/// A fuzz target's counters: cases run, calls made, panics by place and message.
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    cases: AtomicU64,
    calls: AtomicU64,
    /// Calls that returned an error (for the report: how deep the inputs reach).
    errors: AtomicU64,
    panics: Mutex<BTreeMap<String, PanicRecord>>,
}

impl Target {
    fn new(name: &'static str) -> Self {
        Target {
            name,
            cases: AtomicU64::new(0),
            calls: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            panics: Mutex::new(BTreeMap::new()),
        }
    }

    /// Runs `f`, counting it; a panic is caught and recorded with `input()` (unless shrinking,
    /// when it goes on to proptest). `None` when it panicked.
    pub fn call<R>(&self, label: &str, input: &dyn Fn() -> String, f: impl FnOnce() -> R) -> Option<R> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if shrinking() {
            return Some(f());
        }
        install_hook();
        CAPTURING.with(|c| c.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(f));
        CAPTURING.with(|c| c.set(false));
        match outcome {
            Ok(value) => Some(value),
            Err(_) => {
                let message = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| "(unknown panic)".into());
                let key = format!("{label} | {message}");
                let mut panics = self.panics.lock().unwrap_or_else(|e| e.into_inner());
                let record = panics.entry(key).or_insert_with(|| PanicRecord {
                    count: 0,
                    label: label.to_owned(),
                    input: shorten(&input(), 4000),
                });
                record.count += 1;
                None
            }
        }
    }

    /// [`Target::call`] for a call returning a `Result`: an `Err` is counted as an error.
    pub fn check<T, E>(&self, label: &str, input: &dyn Fn() -> String, f: impl FnOnce() -> Result<T, E>) -> Option<T> {
        match self.call(label, input, f)? {
            Ok(v) => Some(v),
            Err(_) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    fn report(&self, elapsed: Duration) -> String {
        let panics = self.panics.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = format!(
            "fuzz target {}: {} cases, {} calls ({} returned an error), {} distinct panic(s), {:.1} s\n",
            self.name,
            self.cases.load(Ordering::Relaxed),
            self.calls.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            panics.len(),
            elapsed.as_secs_f64()
        );
        for (key, record) in panics.iter() {
            text.push_str(&format!(
                "  PANIC x{} in {}\n    {}\n    input: {}\n",
                record.count, record.label, key, record.input
            ));
        }
        text
    }
}

/// Shortens a text to at most `max` bytes (on a character boundary).
pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes)", &text[..cut], text.len())
}

/// The reason a run gives when its wall-clock budget ([`budget`]) is spent.
const OUT_OF_TIME: &str = "the campaign's time budget is spent";

/// Runs a fuzz target: `cases(weight)` inputs drawn from `strategy`, each given to `body`; prints
/// the counts and every distinct panic, and fails when there was one.
pub fn run<S>(name: &'static str, weight: f64, strategy: S, body: impl Fn(&Target, S::Value))
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        cases: cases(weight),
        failure_persistence: None,
        max_shrink_iters: if shrinking() { 4096 } else { 0 },
        max_global_rejects: u32::MAX,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed(name)));
    let target = Target::new(name);
    let start = Instant::now();
    let limit = budget();
    // Once the budget is spent the run stops at the next case (a case that returned without
    // running would leave proptest drawing the rest of `cases`: minutes of drawing for nothing).
    let result = runner.run(&strategy, |input| {
        if limit.is_some_and(|l| start.elapsed() > l) {
            return Err(TestCaseError::fail(OUT_OF_TIME));
        }
        target.cases.fetch_add(1, Ordering::Relaxed);
        body(&target, input);
        Ok::<(), TestCaseError>(())
    });
    let report = target.report(start.elapsed());
    eprint!("{report}");
    let out_of_time = matches!(&result, Err(TestError::Fail(reason, _)) if reason.message() == OUT_OF_TIME);
    assert!(result.is_ok() || out_of_time, "{name}: {result:?}");
    let distinct = target.panics.lock().unwrap_or_else(|e| e.into_inner()).keys().count();
    assert_eq!(distinct, 0, "{report}");
}

/// Runs `body` once on `input` (a case a campaign found), failing when it panicked.
pub fn replay<T>(name: &'static str, input: T, body: impl Fn(&Target, T)) {
    let target = Target::new(name);
    body(&target, input);
    let report = target.report(Duration::ZERO);
    let distinct = target.panics.lock().unwrap_or_else(|e| e.into_inner()).len();
    assert_eq!(distinct, 0, "{report}");
}

/// A small deterministic generator for values derived from a seed inside a case.
#[derive(Debug, Clone)]
pub struct Draw(u64);

impl Draw {
    /// A stream from `seed`.
    pub fn new(seed: u64) -> Self {
        Draw(seed ^ 0x2545_F491_4F6C_DD1D)
    }

    /// The next 64 random bits (splitmix64).
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// A float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The tiny sample companies the dataset targets start from: one or two distributors, a retailer
/// each, a handful of farmers, every record after a cut-off month dropped (and `as_of` moved to
/// it), each one validated. Built once per process.
pub fn bases() -> &'static [(String, Dataset)] {
    static BASES: OnceLock<Vec<(String, Dataset)>> = OnceLock::new();
    BASES.get_or_init(|| {
        let mut out = Vec::new();
        for (seed, distributors, farmers, start_year, months) in
            [(1u64, 1usize, 4usize, 2024, 3u32), (2, 2, 6, 2023, 2), (3, 1, 3, 2031, 5), (4, 2, 5, 2024, 13)]
        {
            let config =
                SampleConfig { seed, distributors, retailers_per_distributor: 1, farmers, years: 2, start_year };
            let Ok(full) = sample_company(&config) else { continue };
            let cut = NaiveDate::from_ymd_opt(start_year + 1, 1, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(months)))
                .and_then(|d| d.pred_opt())
                .unwrap_or(full.as_of);
            let cut_data = truncated(&full, cut);
            let base = if cut_data.validate().is_ok() { cut_data } else { full };
            out.push((format!("seed {seed}, {distributors} distributor(s), to {}", base.as_of), base));
        }
        out
    })
}

/// The base datasets as JSON values (mutated by the dataset target).
pub fn base_values() -> &'static [Value] {
    static VALUES: OnceLock<Vec<Value>> = OnceLock::new();
    VALUES.get_or_init(|| bases().iter().filter_map(|(_, d)| serde_json::to_value(d).ok()).collect())
}

/// The base datasets as JSON text (mutated by the JSON-text target).
pub fn base_texts() -> &'static [String] {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| bases().iter().filter_map(|(_, d)| d.to_json().ok()).collect())
}

/// `dataset` with every transaction dated after `cut` dropped and `as_of` set to `cut` (a year
/// of the second simulated year starts the history: credit accounts exist by then).
fn truncated(dataset: &Dataset, cut: NaiveDate) -> Dataset {
    let mut d = dataset.clone();
    let from = NaiveDate::from_ymd_opt(cut.year() - 1, cut.month(), 1).unwrap_or(cut);
    let _ = from;
    d.as_of = cut;
    d.movements.retain(|m| m.date <= cut);
    d.counts.retain(|c| c.date <= cut);
    d.pos_sales.retain(|s| s.date <= cut);
    d.orders.retain(|o| o.order_date <= cut);
    d.shipments.retain(|s| s.shipped_date <= cut);
    d.invoices.retain(|i| i.date <= cut);
    d.payments.retain(|p| p.date <= cut);
    d.prepaid_orders.retain(|p| p.order_date <= cut);
    d
}

/// Dates a mutation writes: malformed, out of range, extreme, or near the data.
pub const DATES: &[&str] = &[
    "2025-13-45",
    "2024-02-30",
    "0000-00-00",
    "",
    "2024-1-1",
    "2024-01-01T00:00:00Z",
    "20240101",
    "+262142-12-31",
    "-262143-01-01",
    "9999-12-31",
    "1900-01-01",
    "1970-01-01",
    "2100-12-31",
    "2024-02-29",
    "２０２４-01-01",
];

/// Numbers a mutation writes where a Decimal (a string) or a count is: huge, tiny, negative,
/// floats, exponents, not numbers.
pub const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "1",
    "-0",
    "0.5",
    "1e30",
    "1E+3",
    "-1e-30",
    "79228162514264337593543950335",
    "-79228162514264337593543950335",
    "79228162514264337593543950336",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "1000000000",
    "1000000001",
    "1000000000000000",
    "1000000000000001",
    "999999999.9999999999999999999",
    "12345678901234567.89",
    "NaN",
    "inf",
    "-inf",
    " 5",
    "5 ",
    "1_000",
    "0x10",
    "",
];

/// JSON values (not strings) a mutation writes.
pub fn raw_numbers() -> Vec<Value> {
    let mut v: Vec<Value> = [
        "0",
        "-1",
        "1.5",
        "1e308",
        "-1e308",
        "1e999",
        "18446744073709551615",
        "18446744073709551616",
        "4294967295",
        "4294967296",
        "-9223372036854775808",
        "12345678901234567.89",
        "0.1",
        "99999999999999999999999999999999999999",
    ]
    .iter()
    .filter_map(|t| serde_json::from_str(t).ok())
    .collect();
    v.push(Value::Null);
    v.push(Value::Bool(true));
    v.push(Value::String("x".into()));
    v.push(Value::Array(Vec::new()));
    v.push(Value::Object(serde_json::Map::new()));
    v
}

/// Whether a string looks like an ISO date.
fn looks_like_date(s: &str) -> bool {
    s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(7) == Some(&b'-')
}

/// Whether a string looks like a Decimal.
fn looks_like_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Every string in `value` (ids to reuse elsewhere), at most `max`.
fn strings(value: &Value, out: &mut Vec<String>, max: usize) {
    if out.len() >= max {
        return;
    }
    match value {
        Value::String(s) if !looks_like_date(s) && !looks_like_number(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out, max)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out, max)),
        _ => {}
    }
}

/// A value of the same kind as `old` (a date, a number, an id, a count...), chosen to be valid
/// but extreme most of the time, broken otherwise.
fn replacement(old: &Value, draw: &mut Draw, ids: &[String], as_of: &str) -> Value {
    let broken = draw.below(4) == 0;
    match old {
        Value::String(s) if looks_like_date(s) => {
            if broken {
                Value::String(draw.pick(DATES).copied().unwrap_or("").to_owned())
            } else {
                // A valid date near the data: the same day, as_of, a day after as_of, far back.
                let options = [s.as_str(), as_of, "2099-06-30", "2000-01-01", "2024-12-31", "2025-01-01"];
                let mut chosen = draw.pick(&options).copied().unwrap_or(as_of).to_owned();
                if chosen == as_of && draw.below(2) == 0 {
                    chosen = NaiveDate::parse_from_str(as_of, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.succ_opt())
                        .map_or(chosen, |d| d.to_string());
                }
                Value::String(chosen)
            }
        }
        Value::String(s) if looks_like_number(s) => {
            if broken {
                Value::String(draw.pick(NUMBERS).copied().unwrap_or("0").to_owned())
            } else {
                let options = ["1000000000", "1000000000000000", "0.0000000001", "0", "1", "0.99", "1.00", "999999999"];
                Value::String(draw.pick(&options).copied().unwrap_or("0").to_owned())
            }
        }
        Value::String(_) => match draw.below(6) {
            0 => Value::String(String::new()),
            1 => Value::String("x".repeat(1 + draw.below(300))),
            2 => Value::String("NO-SUCH-ID".into()),
            3 => Value::String("\u{0}\u{FEFF}é\u{10FFFF}".into()),
            _ => Value::String(draw.pick(ids).cloned().unwrap_or_default()),
        },
        Value::Number(_) => {
            let options = raw_numbers();
            if broken {
                draw.pick(&options).cloned().unwrap_or(Value::Null)
            } else {
                Value::from([0u64, 1, 7, 30, 365, 3650, 100_000, u64::from(u32::MAX)][draw.below(8)])
            }
        }
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => match draw.below(4) {
            0 => Value::String(draw.pick(ids).cloned().unwrap_or_default()),
            1 => Value::String(as_of.to_owned()),
            2 => Value::String("1000000000000000".into()),
            _ => draw.pick(&raw_numbers()).cloned().unwrap_or(Value::Null),
        },
        Value::Array(_) | Value::Object(_) => Value::Null,
    }
}

/// Applies one mutation chosen by `draw` to `root`; returns what it did. A date written is
/// near `root`'s own `as_of` (a dataset's), else near the last day of 2024.
pub fn mutate_value(root: &mut Value, draw: &mut Draw) -> String {
    let as_of = root.get("as_of").and_then(Value::as_str).unwrap_or("2024-12-31").to_owned();
    mutate_value_near(root, draw, &as_of)
}

/// [`mutate_value`] writing its dates near `as_of` (an engine's clock, for an event).
pub fn mutate_value_near(root: &mut Value, draw: &mut Draw, as_of: &str) -> String {
    let mut ids = Vec::new();
    strings(root, &mut ids, 2000);
    let op = draw.below(100);
    // Walk down from the root to a random node, keeping the path.
    let mut path = Vec::<String>::new();
    let mut node = &*root;
    let depth_goal = 1 + draw.below(5);
    loop {
        let next: Option<(String, &Value)> = match node {
            Value::Object(map) if !map.is_empty() && path.len() < depth_goal => {
                let keys: Vec<&String> = map.keys().collect();
                draw.pick(&keys).and_then(|k| Some(((*k).clone(), map.get(*k)?)))
            }
            Value::Array(items) if !items.is_empty() && path.len() < depth_goal => {
                let i = draw.below(items.len());
                items.get(i).map(|v| (i.to_string(), v))
            }
            _ => None,
        };
        let Some((step, child)) = next else { break };
        path.push(step);
        node = child;
        // Stop early at an array or object sometimes, to mutate it whole.
        if matches!(node, Value::Array(_) | Value::Object(_)) && draw.below(4) == 0 && path.len() > 1 {
            break;
        }
    }
    let pointer: String = path.iter().map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1"))).collect();
    let Some(node) = root.pointer_mut(&pointer) else { return format!("{pointer}: not found") };
    let at = format!("/{}", path.join("/"));
    match node {
        Value::Array(items) => match op % 5 {
            0 if !items.is_empty() => {
                let i = draw.below(items.len());
                let copy = items.get(i).cloned().unwrap_or(Value::Null);
                items.push(copy);
                format!("{at}: duplicated element {i}")
            }
            1 if !items.is_empty() => {
                let i = draw.below(items.len());
                items.remove(i);
                format!("{at}: removed element {i}")
            }
            2 => {
                items.clear();
                format!("{at}: emptied")
            }
            3 if !items.is_empty() => {
                let keep = draw.below(items.len());
                items.truncate(keep);
                format!("{at}: truncated to {keep}")
            }
            _ => {
                items.reverse();
                format!("{at}: reversed")
            }
        },
        Value::Object(map) => match op % 4 {
            0 if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = draw.pick(&keys).cloned().unwrap_or_default();
                map.remove(&key);
                format!("{at}: removed field {key:?}")
            }
            1 => {
                let name = ["blockd", "parnet", "vat_no", "id", "kind"][draw.below(5)];
                map.insert(name.into(), Value::String("x".into()));
                format!("{at}: added field {name:?}")
            }
            2 if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = draw.pick(&keys).cloned().unwrap_or_default();
                let old = map.get(&key).cloned().unwrap_or(Value::Null);
                let new = replacement(&old, draw, &ids, as_of);
                let shown = shorten(&new.to_string(), 120);
                map.insert(key.clone(), new);
                format!("{at}/{key}: {} -> {shown}", shorten(&old.to_string(), 120))
            }
            _ => {
                *node = Value::Null;
                format!("{at}: set to null")
            }
        },
        leaf => {
            let old = leaf.clone();
            let new = replacement(&old, draw, &ids, as_of);
            let shown = shorten(&new.to_string(), 120);
            *leaf = new;
            format!("{at}: {} -> {shown}", shorten(&old.to_string(), 120))
        }
    }
}

/// Tokens a text mutation inserts.
const TOKENS: &[&str] = &[
    "1e999",
    "-0",
    "99999999999999999999999999999999",
    "\u{FEFF}",
    "null",
    "{}",
    "[]",
    "\"\"",
    "\"2025-13-45\"",
    ",",
    ":",
    "\"",
    "\\u0000",
    "\\ud800",
    "1.7976931348623157e308",
    "-12345678901234567.89",
    "\"79228162514264337593543950336\"",
    "{\"id\":\"X\"}",
];

/// Applies one text mutation chosen by `draw`: truncation, a changed byte, a deleted or repeated
/// range, an inserted token, or a number or date replaced.
pub fn mutate_text(text: &mut String, draw: &mut Draw) -> String {
    let len = text.len();
    if len == 0 {
        text.push_str(draw.pick(TOKENS).copied().unwrap_or("{"));
        return "inserted into empty text".into();
    }
    let mut at = draw.below(len);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let span = 1 + draw.below(64);
    let mut end = (at + span).min(len);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match draw.below(7) {
        0 => {
            text.truncate(at);
            format!("truncated at {at}")
        }
        1 => {
            let byte = (draw.below(95) + 32) as u8 as char;
            text.replace_range(at..(at + 1).min(len).max(at), &byte.to_string());
            format!("byte {at} set to {byte:?}")
        }
        2 => {
            text.replace_range(at..end, "");
            format!("deleted {at}..{end}")
        }
        3 => {
            let piece = text.get(at..end).unwrap_or("").to_owned();
            text.insert_str(end, &piece);
            format!("repeated {at}..{end}")
        }
        4 => {
            let token = draw.pick(TOKENS).copied().unwrap_or("");
            text.insert_str(at, token);
            format!("inserted {token:?} at {at}")
        }
        _ => {
            // The next quoted number or date after `at`, replaced.
            let rest = text.get(at..).unwrap_or("");
            let found = rest.match_indices('"').map(|(i, _)| at + i).collect::<Vec<_>>();
            let pair = found.windows(2).find(|w| {
                text.get(w[0] + 1..w[1]).is_some_and(|inner| looks_like_number(inner) || looks_like_date(inner))
            });
            match pair {
                Some(w) => {
                    let (a, b) = (w[0], w[1]);
                    let new = if draw.below(2) == 0 {
                        format!("\"{}\"", draw.pick(NUMBERS).copied().unwrap_or("0"))
                    } else {
                        // Unquoted: a JSON number where a string was.
                        ["1e30", "-5", "0.1", "12345678901234567.89", "1e999", "18446744073709551616"][draw.below(6)]
                            .to_owned()
                    };
                    let old = text.get(a..=b).unwrap_or("").to_owned();
                    text.replace_range(a..=b, &new);
                    format!("{old} at {a} -> {new}")
                }
                None => {
                    text.truncate(at);
                    format!("truncated at {at} (no value to replace)")
                }
            }
        }
    }
}
