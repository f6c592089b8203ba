//! The live server (`omo-examples serve`): one durable engine beside an ERP, an ingest endpoint
//! for its webhooks and the POS, the engine's views as JSON, a stream of its changes, and the
//! live dashboard page that formats them.
//!
//! ```text
//! omo-examples serve --port 8080 --token SECRET [--store omo.db] [--dataset company.json] [--replay N]
//! ```
//!
//! - Writes (`POST /events`, `POST /api/advance`) need `Authorization: Bearer SECRET`; reads are
//!   open (the server binds to 127.0.0.1 unless `--host` says otherwise).
//! - Every event is answered in the order sent, with its sequence number or the reason it was
//!   refused, only once it is committed to the store; events of concurrent requests are booked
//!   together, one commit per round ([`writer`]).
//! - Each change the engine emits goes out on `GET /api/stream` (server-sent events) as it is
//!   committed.

mod api;
pub mod client;
mod ingest;
mod options;
mod page;
mod replay;
mod writer;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post};
use omo_core::engine::Change;
use omo_store::Store;
use tokio::sync::{broadcast, mpsc};

pub use options::{Limits, ServeOptions, TOKEN_VARIABLE, USAGE};

/// How many changes the stream keeps for a slow client before it tells that client it lagged.
const STREAM_BUFFER: usize = 16_384;

/// What every request handler shares.
pub struct Shared {
    /// The engine in its store: the writer books into it, the views read it.
    store: Mutex<Store>,
    /// The token writes must bear.
    token: String,
    /// Jobs for the writer thread.
    jobs: mpsc::Sender<writer::Job>,
    /// Every committed change, as the JSON text the stream sends.
    changes: broadcast::Sender<Arc<str>>,
    /// Request limits.
    limits: options::Limits,
    /// Views already computed for the current state, by request.
    cache: api::ViewCache,
}

impl Shared {
    /// The store, even after a panic in another handler poisoned its lock: the store holds only
    /// committed events, and a panic inside the engine cannot leave half an event (it validates
    /// before it books).
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Opens the engine as `options` say (printing what it did on stderr), binds, prints
/// `listening on http://HOST:PORT` once connections are accepted, and serves until the process
/// is stopped.
///
/// # Errors
/// A store that cannot be created or opened, a dataset that does not read, an address in use.
pub fn run(options: ServeOptions) -> Result<(), String> {
    let opened = options::open(&options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(serve(options, opened))
}

async fn serve(options: ServeOptions, opened: options::Opened) -> Result<(), String> {
    let options::Opened { mut store, replay } = opened;
    let (changes, _) = broadcast::channel(STREAM_BUFFER);
    let sender = changes.clone();
    store.subscribe(Box::new(move |change: &Change| {
        // No subscriber connected is not an error: the change is committed all the same.
        let _ = sender.send(Arc::from(change.to_value().to_string()));
    }));
    let (jobs, queue) = mpsc::channel(writer::QUEUE);
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        token: options.token.clone(),
        jobs,
        changes,
        limits: options.limits,
        cache: api::ViewCache::default(),
    });
    writer::start(Arc::clone(&shared), queue)?;
    let address = SocketAddr::new(options.host, options.port);
    let listener =
        tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some((events, rate, end)) = replay {
        tokio::spawn(replay::feed(Arc::clone(&shared), events, rate, end));
    }
    println!("listening on http://{bound}");
    axum::serve(listener, router(shared)).await.map_err(|e| format!("the server stopped: {e}"))
}

/// The routes.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(ingest::routes(&shared))
        .route("/api/advance", post(ingest::advance))
        .merge(api::routes())
        .route("/api/stream", get(api::stream))
        .merge(page::routes())
        .with_state(shared)
}
