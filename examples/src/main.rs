//! The main job: builds the sample company (or reads a company's JSON dataset), opens the live
//! engine on its history up to its last quarter and replays that quarter as a stream of events
//! (printing each light that turns red and each alert as it fires), then prints the report and
//! writes the dashboard (one self-contained HTML file) of the engine's state.
//!
//! ```text
//! cargo run --release -p omo-examples -- [--seed N] [--distributors N] [--retailers-per-distributor N]
//!     [--farmers N] [--years N] [--dataset company.json] [--store omo.db] [--out dashboard.html]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use omo_core::sample::SampleConfig;
use omo_examples::serve::{self, ServeOptions};
use omo_examples::{dashboard, live, report};

const USAGE: &str = "usage: omo-examples [--seed N] [--distributors N] [--retailers-per-distributor N] [--farmers N] \
[--years N] [--dataset company.json] [--store omo.db] [--out dashboard.html]

Builds the seeded sample company (a fertilizer maker; the options set its size), or reads a company's
dataset exported as JSON; opens the live engine on its history up to its last quarter and replays the
quarter as events, printing each light that turns red and each alert as it fires; then prints the
report and writes the dashboard (default target/omo-dashboard.html) of the engine's state. With
--store the engine is durable in that SQLite file: a second run continues where the first stopped.

omo-examples serve --token SECRET [--port 8080] ... serves the live engine and its dashboard (serve --help).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "serve") {
        return serve(args.into_iter().skip(1));
    }
    match run(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("omo-examples: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `omo-examples serve ...`: the live server (see [`omo_examples::serve`]).
fn serve(args: impl Iterator<Item = String>) -> ExitCode {
    let outcome = match ServeOptions::parse(args) {
        Ok(Some(options)) => serve::run(options),
        Ok(None) => {
            print!("{}", serve::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => Err(message),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("omo-examples serve: {message}");
            ExitCode::FAILURE
        }
    }
}

fn number<T: std::str::FromStr<Err: std::fmt::Display>>(flag: &str, text: String) -> Result<T, String> {
    text.parse().map_err(|e| format!("{flag} {text:?}: {e}"))
}

fn run(args: Vec<String>) -> Result<String, String> {
    let mut config = SampleConfig::default();
    let mut dataset_path = None;
    let mut out = PathBuf::from("target/omo-dashboard.html");
    let mut store = None;
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => config.seed = number(&flag, value()?)?,
            "--distributors" => config.distributors = number(&flag, value()?)?,
            "--retailers-per-distributor" => config.retailers_per_distributor = number(&flag, value()?)?,
            "--farmers" => config.farmers = number(&flag, value()?)?,
            "--years" => config.years = number(&flag, value()?)?,
            "--dataset" => dataset_path = Some(value()?),
            "--out" => out = PathBuf::from(value()?),
            "--store" => store = Some(PathBuf::from(value()?)),
            "--help" | "-h" => return Ok(USAGE.into()),
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    let (live, mut text) = match (dataset_path, store) {
        (Some(path), store) => {
            live::replay_last_quarter(&omo_examples::read_dataset(Path::new(&path))?, store.as_deref())?
        }
        (None, store) => live::replay_sample_last_quarter(&config, store.as_deref())?,
    };
    let views = live.engine().views();
    text.push_str(&report::render_views(&views).map_err(|e| e.to_string())?);
    let page = dashboard::render_views(&views).map_err(|e| e.to_string())?;
    write_whole(&out, &page)?;
    text.push_str(&format!("\nDashboard: {} ({} KB); open it in a browser.\n", out.display(), page.len() / 1024));
    Ok(text)
}

/// Writes `text` to `path` whole: into a temporary file beside it, then renamed over it, so a
/// reader never sees half a dashboard.
fn write_whole(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let partial = path.with_extension("html.partial");
    std::fs::write(&partial, text).map_err(|e| format!("{}: {e}", partial.display()))?;
    std::fs::rename(&partial, path).map_err(|e| format!("{}: {e}", path.display()))
}
