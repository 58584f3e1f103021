//! `refund serve POLICY_DIR`: the engine as an HTTP service (axum on tokio), for billing systems
//! in any language. The same `Order` in and `Decision` out as the CLI and the library (one
//! serializer: the library's serde). Only the library's public API is used.
//!
//! Layers, outermost first: request id, per-request log, problem JSON for every refusal,
//! metrics, timeout, bounded concurrency, body size limit; then the routes (`routes`). The
//! policies come from a registry that reloads POLICY_DIR in the background (`registry`).

mod assets;
mod decision_log;
mod metrics;
mod openapi;
mod problem;
mod registry;
mod routes;
mod save;
mod stream;
mod tools;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use super::Exit;

/// The command line of `refund serve`.
pub struct ServeOptions {
    /// The folder of `.policy` files.
    pub folder: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// The file holding the bearer token that `PUT /v1/policies/{id}` needs.
    pub token_file: Option<PathBuf>,
    /// The audit log of decisions.
    pub decision_log: Option<PathBuf>,
    /// The size at which the decision log is rotated.
    pub decision_log_max_bytes: u64,
    /// The largest request body accepted.
    pub max_body: usize,
    /// The longest a request may take.
    pub timeout: Duration,
    /// Requests decided at once; more wait their turn.
    pub concurrency: usize,
    /// How often POLICY_DIR is read again.
    pub poll: Duration,
}

/// What every handler shares.
pub struct AppState {
    registry: registry::Registry,
    metrics: metrics::Metrics,
    decision_log: Option<decision_log::DecisionLog>,
    /// The sha256 of the bearer token (compared in constant time with the request's).
    token_digest: Option<[u8; 32]>,
    /// Threads for `POST .../batch` (the batch tool decides a chunk on several cores).
    batch_pool: rayon::ThreadPool,
    /// One `PUT` at a time: a save writes the history and the file, then reloads.
    save_lock: std::sync::Mutex<()>,
}

type Shared = Arc<AppState>;

/// Runs the server until SIGTERM or Ctrl-C, then lets in-flight requests finish.
pub fn run(options: &ServeOptions) -> Exit {
    init_logs();
    let state = match build_state(options) {
        Ok(state) => Arc::new(state),
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Input;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the server's threads: {error}");
            return Exit::Input;
        }
    };
    match runtime.block_on(serve(options, state)) {
        Ok(()) => Exit::Ok,
        Err(message) => {
            eprintln!("error: {message}");
            Exit::Input
        }
    }
}

fn init_logs() {
    // Structured lines on standard error; RUST_LOG-style filtering is left to the collector.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
}

fn build_state(options: &ServeOptions) -> Result<AppState, String> {
    let (registry, reloads) = registry::Registry::open(&options.folder)?;
    let metrics = metrics::Metrics::default();
    metrics.reloads(reloads.loaded, reloads.failed);
    let token_digest = match &options.token_file {
        Some(path) => Some(save::token_digest(path)?),
        None => None,
    };
    let decision_log = match &options.decision_log {
        Some(path) => Some(decision_log::DecisionLog::open(path, options.decision_log_max_bytes)?),
        None => None,
    };
    let batch_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .thread_name(|i| format!("refund-batch-{i}"))
        .build()
        .map_err(|e| format!("cannot start the batch threads: {e}"))?;
    Ok(AppState { registry, metrics, decision_log, token_digest, batch_pool, save_lock: std::sync::Mutex::new(()) })
}

async fn serve(options: &ServeOptions, state: Shared) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}\nhelp: choose another --addr", options.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let stop = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(poll_folder(Arc::clone(&state), options.poll, stop.1.clone()));
    let app = app(Arc::clone(&state), options);
    let policies = state.registry.policies().len();
    // The first line on standard output says where to call (the port of `--addr ...:0` too).
    super::outln!("refund serve: listening on http://{local} ({policies} policies)");
    tracing::info!(%local, policies, folder = %options.folder.display(), "listening");
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await;
    let _ = stop.0.send(true);
    let _ = poller.await;
    tracing::info!("stopped");
    served.map_err(|e| format!("the server stopped: {e}"))
}

/// Reloads POLICY_DIR every `every` (parsing happens off the request threads).
async fn poll_folder(state: Shared, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.changed() => return,
        }
        let polled = Arc::clone(&state);
        if let Ok(reloads) = tokio::task::spawn_blocking(move || polled.registry.poll()).await {
            if reloads != registry::Reloads::default() {
                tracing::info!(loaded = reloads.loaded, refused = reloads.failed, "policy folder reloaded");
            }
            state.metrics.reloads(reloads.loaded, reloads.failed);
        }
    }
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
}

/// The whole service: routes, the web workbench's assets, and the layers.
fn app(state: Shared, options: &ServeOptions) -> Router {
    use tower::limit::GlobalConcurrencyLimitLayer;
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;

    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    routes::router()
        .merge(assets::router())
        .layer(RequestBodyLimitLayer::new(options.max_body))
        .layer(GlobalConcurrencyLimitLayer::new(options.concurrency.max(1)))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, options.timeout))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), count))
        .layer(middleware::map_response(problem::as_problem))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(Counter::default()))
        .with_state(state)
}

/// Request ids: the client's `x-request-id` when it sends one, else a counter's next value
/// prefixed with the server's start time (unique across restarts, cheap, and sortable).
#[derive(Clone)]
struct Counter {
    start: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for Counter {
    fn default() -> Counter {
        Counter {
            start: format!("{:x}", chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).timestamp())
                .into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.start)).ok().map(RequestId::new)
    }
}

/// Counts every request by route and status, with its latency.
async fn count(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state.metrics.request(&route, &method, response.status().as_u16(), started.elapsed());
    response
}
