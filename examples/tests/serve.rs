//! The live server as an ERP and a browser meet it: events posted with and without the token,
//! one by one and as JSON lines, answered per event; bad requests (no or a wrong token,
//! malformed JSON, an unknown event type, a 50 MB body, a client that never finishes its body)
//! each refused clearly while other clients are served, and the engine's seq showing nothing
//! was applied; the stream delivering each change; a server killed with SIGKILL restarting on
//! its store with every acknowledged event; and the replay driver feeding the last quarter.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use omo_core::engine::{Event, events_of};
use omo_core::sample::{SampleConfig, sample_company};
use omo_examples::live::history_cut;
use omo_examples::serve::client::{ServerProcess, StreamReader, read_answer, request};

const TOKEN: &str = "test-token";

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_omo-examples"))
}

/// A small company's history up to its last quarter, written where the server reads it, and
/// the quarter's events in an order the engine accepts.
fn company(dir: &Path) -> (PathBuf, Vec<Event>) {
    let company = sample_company(&SampleConfig::small(3)).unwrap();
    let cut = history_cut(&company).unwrap();
    let path = dir.join("history.json");
    std::fs::write(&path, company.until(cut).to_json().unwrap()).unwrap();
    (path, events_of(&company, cut).unwrap())
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omo-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(dir: &Path, dataset: &Path, extra: &[&str]) -> ServerProcess {
    let mut args: Vec<String> = ["--token", TOKEN, "--store"].iter().map(|s| (*s).to_owned()).collect();
    args.push(dir.join("live.db").display().to_string());
    args.extend(["--dataset".to_owned(), dataset.display().to_string()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    ServerProcess::start(&binary(), &args).unwrap()
}

fn seq(address: SocketAddr) -> u64 {
    let answer = request(address, "GET", "/api/seq", None, b"").unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["seq"].as_u64().unwrap()
}

fn post(address: SocketAddr, token: Option<&str>, body: &[u8]) -> omo_examples::serve::client::Answer {
    request(address, "POST", "/events", token, body).unwrap()
}

fn lines(events: &[Event]) -> String {
    events.iter().map(|e| e.to_json().unwrap() + "\n").collect()
}

#[test]
fn bad_requests_are_refused_clearly_and_change_nothing() {
    let dir = scratch("bad");
    let (dataset, events) = company(&dir);
    let server = start(&dir, &dataset, &["--body-timeout-secs", "1"]);
    let at = server.address;
    let good = events[0].to_json().unwrap();

    let none = post(at, None, good.as_bytes());
    assert_eq!(none.status, 401, "{}", none.body);
    assert!(none.json()["error"].as_str().unwrap().contains("Authorization: Bearer"), "{}", none.body);
    assert_eq!(post(at, Some("guess"), good.as_bytes()).status, 401);

    let malformed = post(at, Some(TOKEN), b"{\"type\": \"movement\", \"id\": ");
    assert_eq!(malformed.status, 400, "{}", malformed.body);
    assert!(malformed.json()["error"].as_str().unwrap().contains("line 1"), "{}", malformed.body);
    assert_eq!(post(at, Some(TOKEN), b"\xff\xfe not text").status, 400);
    assert_eq!(post(at, Some(TOKEN), b"   ").status, 400);

    let unknown = post(at, Some(TOKEN), br#"{"type": "planet", "id": "X-1", "record": {}}"#);
    assert_eq!(unknown.status, 200, "{}", unknown.body);
    let result = &unknown.json()["results"][0];
    assert_eq!((result["field"].as_str(), result["id"].as_str()), (Some("type"), Some("X-1")), "{result}");
    assert!(result["error"].as_str().unwrap().contains("planet"), "{result}");

    // 50 MB announced: refused before it is read.
    let huge = vec![b' '; 50 * 1024 * 1024];
    let answer = post(at, Some(TOKEN), &huge);
    assert_eq!(answer.status, 413, "{}", answer.body);
    // More events than one request may carry.
    let many = lines(&vec![events[0].clone(); 10_001]);
    assert_eq!(post(at, Some(TOKEN), many.as_bytes()).status, 413);

    // A client that never finishes its body: the others are served meanwhile, it gets 408.
    let mut slow = TcpStream::connect(at).unwrap();
    let head = format!(
        "POST /events HTTP/1.1\r\nHost: {at}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{{\"type\""
    );
    slow.write_all(head.as_bytes()).unwrap();
    let began = Instant::now();
    assert_eq!(seq(at), 0);
    assert!(began.elapsed() < Duration::from_millis(500), "a slow client held up the others");
    slow.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let answer = read_answer(&mut slow).unwrap();
    assert_eq!(answer.status, 408, "{}", answer.body);

    assert_eq!(seq(at), 0, "a refused request applied something");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn events_are_answered_one_by_one_and_streamed() {
    let dir = scratch("events");
    let (dataset, events) = company(&dir);
    let server = start(&dir, &dataset, &[]);
    let at = server.address;
    let mut stream = StreamReader::open(at, Duration::from_secs(3)).unwrap();

    // One event, then the same again: a duplicate, named, and nothing booked twice.
    let first = post(at, Some(TOKEN), events[0].to_json().unwrap().as_bytes());
    assert_eq!(first.json()["results"][0]["seq"], 1, "{}", first.body);
    let again = post(at, Some(TOKEN), events[0].to_json().unwrap().as_bytes());
    let refusal = &again.json()["results"][0];
    assert!(refusal["error"].as_str().unwrap().contains("duplicate"), "{refusal}");
    assert_eq!(refusal["id"].as_str(), Some(events[0].id.as_str()));
    assert_eq!(seq(at), 1);

    // JSON lines with a broken event in the middle: it is refused in its place, the rest booked.
    let mut body = lines(&events[1..3]);
    body.push_str("{\"type\": \"movement\", \"id\": \"BROKEN\", \"record\": {\"quantity\": 1.5}}\n");
    body.push_str(&lines(&events[3..5]));
    let answer = post(at, Some(TOKEN), body.as_bytes());
    let results = answer.json()["results"].as_array().unwrap().clone();
    let seqs: Vec<Option<u64>> = results.iter().map(|r| r["seq"].as_u64()).collect();
    assert_eq!(seqs, [Some(2), Some(3), None, Some(4), Some(5)], "{}", answer.body);
    assert_eq!(results[2]["id"].as_str(), Some("BROKEN"));

    // The rest of the quarter: every change the engine reports arrives on the stream, in order.
    let rest = post(at, Some(TOKEN), lines(&events[5..]).as_bytes());
    assert_eq!(rest.status, 200);
    let booked = rest.json()["results"].as_array().unwrap().iter().filter(|r| r["seq"].is_u64()).count();
    assert_eq!(seq(at), 5 + booked as u64);
    let advance = request(at, "POST", "/api/advance", Some(TOKEN), br#"{"to": "2025-12-31"}"#).unwrap();
    assert_eq!(advance.status, 200, "{}", advance.body);
    let mut streamed = Vec::new();
    while let Some(change) = stream.next_change() {
        streamed.push(serde_json::from_str::<serde_json::Value>(&change).unwrap());
    }
    assert!(streamed.len() > 10, "only {} changes streamed", streamed.len());
    assert!(streamed.windows(2).all(|w| w[0]["seq"].as_u64() <= w[1]["seq"].as_u64()), "changes out of order");
    assert!(streamed.iter().all(|c| c["action"].is_string()));
    // The month close's changes are the stream's last ones, as the advance answered them.
    let closed = advance.json()["changes"].as_array().unwrap().clone();
    assert!(!closed.is_empty(), "closing December changed nothing");
    assert_eq!(streamed[streamed.len() - closed.len()..], closed[..]);

    // The views answer, the same numbers as the engine's own views.
    let card = request(at, "GET", "/api/scorecard?axis=region", None, b"").unwrap().json();
    let rows = card.as_array().unwrap();
    assert!(rows.iter().all(|r| ["green", "yellow", "red", "grey"].contains(&r["light"].as_str().unwrap())));
    // Health totals are of all the stock, not of the listed worst lines.
    let health = request(at, "GET", "/api/health", None, b"").unwrap().json();
    let number = |v: &serde_json::Value| v.as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    let (dead, slow, total) =
        (number(&health["dead_value"]), number(&health["slow_value"]), number(&health["total_value"]));
    assert!(total > dead + slow && dead + slow > rust_decimal::Decimal::ZERO, "{health}");
    assert_eq!(number(&health["ineffective_share"]), (dead + slow) / total);
    assert!(health["unhealthy_lines"].as_u64().unwrap() as usize >= health["unhealthy"].as_array().unwrap().len());
    assert_eq!(request(at, "GET", "/api/distributor?id=NOBODY", None, b"").unwrap().status, 404);
    assert_eq!(request(at, "GET", "/api/spi?nodes=planet", None, b"").unwrap().status, 400);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_server_restarts_with_every_acknowledged_event() {
    let dir = scratch("kill");
    let (dataset, events) = company(&dir);
    let mut server = start(&dir, &dataset, &[]);
    let at = server.address;
    let mut acknowledged = 0;
    for chunk in events.chunks(97).take(20) {
        let answer = post(at, Some(TOKEN), lines(chunk).as_bytes());
        acknowledged += answer.json()["results"].as_array().unwrap().iter().filter(|r| r["seq"].is_u64()).count();
    }
    assert!(acknowledged > 1_000, "{acknowledged}");
    let views = request(at, "GET", "/api/credit/positions", None, b"").unwrap().body;
    server.kill();

    let restarted = start(&dir, &dataset, &[]);
    assert_eq!(seq(restarted.address), acknowledged as u64);
    assert_eq!(request(restarted.address, "GET", "/api/credit/positions", None, b"").unwrap().body, views);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_replay_feeds_the_last_quarter_and_a_restart_books_nothing_twice() {
    let dir = scratch("replay");
    let company = sample_company(&SampleConfig::small(3)).unwrap();
    let cut = history_cut(&company).unwrap();
    let quarter = events_of(&company, cut).unwrap().len() as u64;
    let path = dir.join("company.json");
    std::fs::write(&path, company.to_json().unwrap()).unwrap();
    let clock = |at: SocketAddr| request(at, "GET", "/api/seq", None, b"").unwrap().json();
    let until_done = |at: SocketAddr| {
        let began = Instant::now();
        loop {
            let now = clock(at);
            if now["as_of"] == company.as_of.to_string() && now["seq"] == quarter {
                return now;
            }
            assert!(began.elapsed() < Duration::from_secs(120), "the replay stalled at {now}");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let server = start(&dir, &path, &["--replay", "20000"]);
    // The engine opens on the history before the quarter, then the quarter arrives as events:
    // each one booked, and the clock at the company's last day.
    until_done(server.address);
    drop(server);
    // Restarted with the same replay: what the store has is refused as a duplicate, not booked again.
    let again = start(&dir, &path, &["--replay", "20000"]);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(until_done(again.address)["seq"], quarter);
    let _ = std::fs::remove_dir_all(&dir);
}
