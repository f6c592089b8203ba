//! The server's options and how it opens its engine: the store at `--store` reopened when it
//! exists, else created on a company (the sample company unless `--dataset` names one; with
//! `--replay`, on its history up to its last quarter, the quarter to be fed as events).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use omo_core::Dataset;
use omo_core::engine::{EngineOptions, Event, events_of};
use omo_core::sample::{SampleConfig, sample_company};
use omo_store::Store;

use crate::live::history_cut;

/// The environment variable that may carry the write token instead of `--token`.
pub const TOKEN_VARIABLE: &str = "OMO_TOKEN";

/// Limits on what one request may ask.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of a request body (10 MiB: at least the 10 MB API.md promises).
    pub max_body_bytes: usize,
    /// Events in one request.
    pub max_events: usize,
    /// How long a client may take to send its whole request body.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 10 * 1024 * 1024, max_events: 10_000, body_timeout: Duration::from_secs(10) }
    }
}

/// What `serve` was asked.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to bind (127.0.0.1 unless `--host`).
    pub host: IpAddr,
    /// The port (`--port`, 8080; 0 picks a free one).
    pub port: u16,
    /// The token writes must bear.
    pub token: String,
    /// The store's file (`--store`, default `omo-live.db`).
    pub store: PathBuf,
    /// A company's dataset to start a new store on (`--dataset`).
    pub dataset: Option<PathBuf>,
    /// The sample company's size, when no dataset is given.
    pub sample: SampleConfig,
    /// Feed the company's last quarter as events at this many a second (`--replay N`).
    pub replay: Option<f64>,
    /// Request limits.
    pub limits: Limits,
}

/// The usage of `serve`.
pub const USAGE: &str =
    "usage: omo-examples serve --token SECRET [--port 8080] [--host 127.0.0.1] [--store omo-live.db]
    [--dataset company.json] [--replay N] [--body-timeout-secs 10]
    [--seed N] [--distributors N] [--retailers-per-distributor N] [--farmers N] [--years N]

Serves the live engine: POST /events (JSON or JSON lines of events, with Authorization: Bearer SECRET),
POST /api/advance, GET /api/... (the views as JSON), GET /api/stream (server-sent changes) and the live
dashboard at /. The token may also come from the environment variable OMO_TOKEN. A store that exists is
reopened (--dataset is then ignored); a new one is made on the dataset, or on the sample company.
--replay N feeds the company's last quarter as events at N a second.
";

impl ServeOptions {
    /// Reads the options after `serve`; `Ok(None)` for `--help`.
    ///
    /// # Errors
    /// An unknown option, a value that does not read, no token.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<ServeOptions>, String> {
        let mut options = ServeOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            token: std::env::var(TOKEN_VARIABLE).unwrap_or_default(),
            store: PathBuf::from("omo-live.db"),
            dataset: None,
            sample: SampleConfig::default(),
            replay: None,
            limits: Limits::default(),
        };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--host" => options.host = number(&flag, value()?)?,
                "--port" => options.port = number(&flag, value()?)?,
                "--token" => options.token = value()?,
                "--store" => options.store = PathBuf::from(value()?),
                "--dataset" => options.dataset = Some(PathBuf::from(value()?)),
                "--replay" => {
                    let rate: f64 = number(&flag, value()?)?;
                    if !(rate.is_finite() && rate > 0.0) {
                        return Err(format!("--replay {rate}: must be a positive number of events a second"));
                    }
                    options.replay = Some(rate);
                }
                "--body-timeout-secs" => {
                    options.limits.body_timeout = Duration::from_secs_f64(number::<f64>(&flag, value()?)?.max(0.1));
                }
                "--seed" => options.sample.seed = number(&flag, value()?)?,
                "--distributors" => options.sample.distributors = number(&flag, value()?)?,
                "--retailers-per-distributor" => options.sample.retailers_per_distributor = number(&flag, value()?)?,
                "--farmers" => options.sample.farmers = number(&flag, value()?)?,
                "--years" => options.sample.years = number(&flag, value()?)?,
                "--help" | "-h" => return Ok(None),
                other => return Err(format!("unknown option {other:?} (try serve --help)")),
            }
        }
        if options.token.trim().is_empty() {
            return Err(format!("serve needs a write token: --token SECRET or the variable {TOKEN_VARIABLE}"));
        }
        Ok(Some(options))
    }
}

fn number<T: std::str::FromStr<Err: std::fmt::Display>>(flag: &str, text: String) -> Result<T, String> {
    text.parse().map_err(|e| format!("{flag} {text:?}: {e}"))
}

/// The engine opened, and what the replay driver is to feed: the events, their rate, and the
/// day to advance the clock to once they are all in.
pub struct Opened {
    /// The engine in its store.
    pub store: Store,
    /// Events to feed, events a second, the day they end on.
    pub replay: Option<(Vec<Event>, f64, NaiveDate)>,
}

/// Opens or creates the store, saying on stderr what it did.
///
/// # Errors
/// A dataset that does not read or validate, a store that does not open.
pub fn open(options: &ServeOptions) -> Result<Opened, String> {
    if !options.host.is_loopback() {
        eprintln!(
            "serve: listening on {}: the views and the stream are open to anyone who reaches it (writes need the token); put it behind a proxy that authenticates",
            options.host
        );
    }
    let reopen = options.store.exists();
    if reopen && options.dataset.is_some() {
        eprintln!("serve: {} holds an engine already: reopened, --dataset ignored", options.store.display());
    }
    // The company is needed for a new store, and for a replay (its events).
    let company = if reopen && options.replay.is_none() { None } else { Some(company(options)?) };
    let cut = match (&company, options.replay) {
        (Some(company), Some(_)) => Some(history_cut(company).ok_or("the company's dates are out of range")?),
        _ => None,
    };
    let store = match &company {
        Some(company) if !reopen => {
            let history = cut.map_or_else(|| company.clone(), |cut| company.until(cut));
            eprintln!("serve: new store {}", options.store.display());
            Store::create(&options.store, history, EngineOptions::default())
        }
        _ => {
            eprintln!("serve: reopened {}", options.store.display());
            Store::open(&options.store)
        }
    }
    .map_err(|e| e.to_string())?;
    let replay = match (company, cut, options.replay) {
        (Some(company), Some(cut), Some(rate)) => {
            // After a restart, what the store has already had is refused as a duplicate: the
            // feed starts at the store's clock day.
            let from = store.engine().as_of();
            let events: Vec<Event> = events_of(&company, cut)
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|e| e.date().is_none_or(|day| day >= from))
                .collect();
            eprintln!("serve: replaying {} events of {} to {} at {rate} a second", events.len(), cut, company.as_of);
            Some((events, rate, company.as_of))
        }
        _ => None,
    };
    Ok(Opened { store, replay })
}

/// The dataset at `--dataset`, or the sample company.
fn company(options: &ServeOptions) -> Result<Dataset, String> {
    match &options.dataset {
        Some(path) => crate::read_dataset(path),
        None => sample_company(&options.sample).map_err(|e| e.to_string()),
    }
}
