//! Load run of the live server, on loopback only and bounded in events and time: the sample
//! company's last quarter posted as events (JSON lines, one request at a time per poster) while
//! clients hold the change stream open. Reports events a second acknowledged, the time from a
//! request being sent to each of its changes reaching each client (p50, p99), and that the
//! engine's seq equals the events acknowledged; then kills the server with SIGKILL in the middle
//! of a burst, restarts it on the same store and checks every acknowledged event is there.
//!
//! ```text
//! cargo run --release -p omo-examples --bin serve_load -- [--clients 50] [--batch 200] [--seconds 20]
//!     [--events N] [--distributors N --retailers-per-distributor N --farmers N --years N]
//! ```
//! It starts `omo-examples serve` from the same folder as itself (build both in one profile).

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omo_core::engine::{Event, events_of};
use omo_core::sample::{SampleConfig, sample_company};
use omo_examples::live::history_cut;
use omo_examples::serve::client::{ServerProcess, StreamReader, request};

const TOKEN: &str = "load-token";

struct Options {
    clients: usize,
    batch: usize,
    seconds: f64,
    events: usize,
    sample: SampleConfig,
}

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("serve_load: {message}");
            ExitCode::FAILURE
        }
    }
}

fn options() -> Result<Options, String> {
    let mut o = Options { clients: 50, batch: 200, seconds: 20.0, events: usize::MAX, sample: SampleConfig::default() };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value:?}: {e}");
        match flag.as_str() {
            "--clients" => o.clients = value.parse().map_err(|e| bad(&e))?,
            "--batch" => o.batch = value.parse::<usize>().map_err(|e| bad(&e))?.max(1),
            "--seconds" => o.seconds = value.parse().map_err(|e| bad(&e))?,
            "--events" => o.events = value.parse().map_err(|e| bad(&e))?,
            "--distributors" => o.sample.distributors = value.parse().map_err(|e| bad(&e))?,
            "--retailers-per-distributor" => o.sample.retailers_per_distributor = value.parse().map_err(|e| bad(&e))?,
            "--farmers" => o.sample.farmers = value.parse().map_err(|e| bad(&e))?,
            "--years" => o.sample.years = value.parse().map_err(|e| bad(&e))?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(o)
}

/// Arrival times of each change's seq, per client.
type Arrivals = Arc<Mutex<Vec<(u64, Instant)>>>;

fn run() -> Result<String, String> {
    let o = options()?;
    let binary = std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("omo-examples");
    let dir = std::env::temp_dir().join(format!("omo-serve-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let company = sample_company(&o.sample).map_err(|e| e.to_string())?;
    let cut = history_cut(&company).ok_or("no last quarter")?;
    let history = dir.join("history.json");
    std::fs::write(&history, company.until(cut).to_json().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let mut events = events_of(&company, cut).map_err(|e| e.to_string())?;
    events.truncate(o.events);
    let args: Vec<String> = vec![
        "--token".into(),
        TOKEN.into(),
        "--store".into(),
        dir.join("live.db").display().to_string(),
        "--dataset".into(),
        history.display().to_string(),
    ];
    let server = ServerProcess::start(&binary, &args)?;
    let at = server.address;

    let arrivals: Vec<Arrivals> = (0..o.clients).map(|_| Arc::new(Mutex::new(Vec::new()))).collect();
    let mut listeners = Vec::new();
    for log in &arrivals {
        let mut stream = StreamReader::open(at, Duration::from_secs(3))?;
        let log = Arc::clone(log);
        listeners.push(std::thread::spawn(move || {
            while let Some(change) = stream.next_change() {
                let seq = serde_json::from_str::<serde_json::Value>(&change).ok().and_then(|c| c["seq"].as_u64());
                if let (Some(seq), Ok(mut log)) = (seq, log.lock()) {
                    log.push((seq, Instant::now()));
                }
            }
        }));
    }

    // Post in order, one request at a time, until the events or the time run out.
    let began = Instant::now();
    let deadline = began + Duration::from_secs_f64(o.seconds);
    let mut sent_at: HashMap<u64, Instant> = HashMap::new();
    let mut acknowledged = 0usize;
    let mut posted = 0usize;
    // The last fifth is kept for the burst the server is killed in.
    let (main, burst) = events.split_at(events.len() - events.len() / 5);
    for chunk in main.chunks(o.batch) {
        if Instant::now() >= deadline {
            break;
        }
        let body: String =
            chunk.iter().map(|e| e.to_json().map(|j| j + "\n")).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        let sent = Instant::now();
        let answer = request(at, "POST", "/events", Some(TOKEN), body.as_bytes())?;
        if answer.status != 200 {
            return Err(format!("POST /events answered {}: {}", answer.status, answer.body));
        }
        posted += chunk.len();
        for seq in answer.json()["results"].as_array().into_iter().flatten().filter_map(|r| r["seq"].as_u64()) {
            sent_at.insert(seq, sent);
            acknowledged += 1;
        }
    }
    let elapsed = began.elapsed().as_secs_f64();
    let seq = request(at, "GET", "/api/seq", None, b"")?.json()["seq"].as_u64().unwrap_or(0);
    for listener in listeners {
        let _ = listener.join();
    }
    let mut latencies: Vec<f64> = Vec::new();
    let mut deliveries = 0usize;
    for log in &arrivals {
        let log = log.lock().map_err(|_| "a listener panicked")?;
        deliveries += log.len();
        latencies
            .extend(log.iter().filter_map(|(seq, at)| sent_at.get(seq).map(|sent| (*at - *sent).as_secs_f64() * 1e3)));
    }
    latencies.sort_by(f64::total_cmp);
    let quantile =
        |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    let mut report = format!(
        "serve_load: {posted} events posted in {elapsed:.1} s in requests of {} ({:.0} events/s acknowledged), {acknowledged} acknowledged, engine seq {seq}{}\n\
         {} stream clients: {deliveries} changes delivered; request sent to change received: p50 {:.1} ms, p99 {:.1} ms\n",
        o.batch,
        acknowledged as f64 / elapsed,
        if seq == acknowledged as u64 { " (equal: nothing lost, nothing twice)" } else { " (DIFFERENT)" },
        o.clients,
        quantile(0.5),
        quantile(0.99),
    );
    if seq != acknowledged as u64 {
        return Err(report);
    }
    report.push_str(&kill_and_restart(server, &binary, &args, burst.chunks(o.batch), acknowledged as u64)?);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report)
}

/// Posts the rest in a thread, kills the server with SIGKILL in the middle of it, restarts it on
/// the same store and checks that every acknowledged event is there.
fn kill_and_restart(
    mut server: ServerProcess,
    binary: &std::path::Path,
    args: &[String],
    rest: std::slice::Chunks<'_, Event>,
    acknowledged_before: u64,
) -> Result<String, String> {
    let at = server.address;
    let bodies: Vec<String> = rest
        .take(200)
        .map(|chunk| chunk.iter().map(|e| e.to_json().map(|j| j + "\n")).collect::<Result<String, _>>())
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let acked = Arc::new(Mutex::new(Vec::<(u64, String)>::new()));
    let log = Arc::clone(&acked);
    let poster = std::thread::spawn(move || {
        for body in bodies {
            let Ok(answer) = request(at, "POST", "/events", Some(TOKEN), body.as_bytes()) else { return };
            let ids = body.lines().filter_map(|l| Event::from_json(l).ok().map(|e| e.id));
            let results = answer.json()["results"].as_array().cloned().unwrap_or_default();
            if let Ok(mut log) = log.lock() {
                log.extend(results.iter().zip(ids).filter_map(|(r, id)| r["seq"].as_u64().map(|s| (s, id))));
            }
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    server.kill();
    let _ = poster.join();
    let acked = acked.lock().map_err(|_| "the poster panicked")?.clone();
    let restarted = ServerProcess::start(binary, args)?;
    let seq = request(restarted.address, "GET", "/api/seq", None, b"")?.json()["seq"].as_u64().unwrap_or(0);
    let last = acked.iter().map(|(s, _)| *s).max().unwrap_or(acknowledged_before);
    if seq < last {
        return Err(format!("after the restart the engine is at seq {seq}, but seq {last} was acknowledged"));
    }
    let stored =
        request(restarted.address, "GET", &format!("/api/events?since={acknowledged_before}"), None, b"")?.json();
    let ids: HashMap<u64, String> = stored
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|row| Some((row["seq"].as_u64()?, row["event"]["id"].as_str()?.to_owned())))
        .collect();
    let missing = acked.iter().filter(|(s, id)| ids.get(s) != Some(id)).count();
    if missing > 0 {
        return Err(format!("{missing} acknowledged events are not in the store after SIGKILL"));
    }
    Ok(format!(
        "SIGKILL in a burst: {} more events acknowledged before the kill; restarted at seq {seq} (>= {last}), every acknowledged event there with its id\n",
        acked.len()
    ))
}
