//! A fault-injecting HTTP/1.1 proxy between the kiosk's sync worker and a hub.
//!
//! It speaks HTTP rather than relaying bytes because clients keep connections alive: a
//! fault chosen per connection would miss every request after the first. Each request
//! reads the current [`Fault`] when it arrives, is read whole, and is then forwarded
//! (or not) to the upstream with a pooled hyper client. "Closed without an answer" is
//! hyper's behaviour when the service returns an error: it drops the connection.
//!
//! Listens on 127.0.0.1 port 0. Dropping the [`FaultProxy`] stops the listener and
//! closes every connection it holds.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::http::request;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rand::Rng;
use tapin::wire::ErrorBody;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Answer = Result<Response<Full<Bytes>>, BoxError>;

/// What the proxy does to the next request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded untouched.
    Pass,
    /// New connections are reset at once (RST after accept: a listener cannot refuse
    /// while it stays bound), and kept-alive connections are closed.
    Refuse,
    /// The hub never sees the request; the connection closes without an answer.
    DropBeforeRequest,
    /// The hub answers (so it has committed), the answer is thrown away and the
    /// connection closed: the client cannot tell this from `DropBeforeRequest`.
    DropAfterCommit,
    /// Forwarded after the delay.
    Delay(Duration),
    /// 500 with an `ErrorBody`; the hub is not reached.
    Status500,
    /// 429 with this `Retry-After` value (seconds or an HTTP date); the hub is not
    /// reached.
    Status429 { retry_after: String },
    /// Read and never answered: the client's timeout has to fire.
    Blackhole,
}

/// How many requests (or, for `refused`, connections) met each fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Connections handed to HTTP (refused ones are not counted here).
    pub connections: u64,
    pub passed: u64,
    /// Connections reset at accept plus requests met on a connection not yet closed.
    pub refused: u64,
    pub dropped_before_request: u64,
    pub dropped_after_commit: u64,
    pub delayed: u64,
    pub status_500: u64,
    pub status_429: u64,
    pub blackholed: u64,
    /// Forwarded requests (pass, delay, drop after commit) whose upstream could not be
    /// reached or failed mid-answer; the client saw the connection closed.
    pub upstream_errors: u64,
}

/// A running proxy; dropping it stops it.
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

struct Shared {
    // A watch channel so that connections can wait for `Refuse` as well as read it.
    fault: watch::Sender<Fault>,
    upstream: Mutex<SocketAddr>,
    stats: Mutex<FaultStats>,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 port 0 and forwards to `upstream`, passing everything.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let shared = Arc::new(Shared {
            fault: watch::Sender::new(Fault::Pass),
            upstream: Mutex::new(upstream),
            stats: Mutex::new(FaultStats::default()),
            client: Client::builder(TokioExecutor::new()).build_http(),
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        FaultProxy { addr, shared, task }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Applies to every request that arrives from now on, on any connection.
    pub fn set(&self, fault: Fault) {
        if let Fault::Status429 { retry_after } = &fault {
            // Fail here, in the test, rather than as a mysterious dropped connection.
            HeaderValue::from_str(retry_after).expect("Retry-After is a valid header value");
        }
        self.shared.fault.send_replace(fault);
    }

    pub fn fault(&self) -> Fault {
        self.shared.fault.borrow().clone()
    }

    /// Where requests forwarded from now on go (a hub restarted on a new port).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *self.shared.upstream.lock().expect("upstream lock") = upstream;
    }

    pub fn stats(&self) -> FaultStats {
        *self.shared.stats.lock().expect("stats lock")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // The task owns the listener and the set of connection tasks: aborting it
        // drops both, which closes the port and every connection.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                if *shared.fault.borrow() == Fault::Refuse {
                    shared.count(|s| s.refused += 1);
                    // Zero linger turns the close into an RST: the client fails at once
                    // instead of waiting for an answer on a half-closed connection.
                    let _ = stream.set_zero_linger();
                    continue;
                }
                shared.count(|s| s.connections += 1);
                connections.spawn(serve(stream, shared.clone()));
            }
            // Reaps finished connections so that the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut fault = shared.fault.subscribe();
    let handler = shared.clone();
    let service = service_fn(move |req| handler.clone().handle(req));
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection closes its socket, even mid-request.
        _ = fault.wait_for(|f| *f == Fault::Refuse) => {}
    }
}

impl Shared {
    fn count(&self, bump: impl FnOnce(&mut FaultStats)) {
        bump(&mut self.stats.lock().expect("stats lock"));
    }

    async fn handle(self: Arc<Self>, req: Request<Incoming>) -> Answer {
        let fault = self.fault.borrow().clone();
        // Read whole, so that every fault meets a client that has sent everything and
        // waits for the answer.
        let (parts, body) = req.into_parts();
        let body = body.collect().await?.to_bytes();
        match fault {
            Fault::Pass => {
                self.count(|s| s.passed += 1);
                self.forward(parts, body).await
            }
            Fault::Refuse => {
                self.count(|s| s.refused += 1);
                Err("fault proxy: refused".into())
            }
            Fault::DropBeforeRequest => {
                self.count(|s| s.dropped_before_request += 1);
                Err("fault proxy: dropped before the request".into())
            }
            Fault::DropAfterCommit => {
                self.count(|s| s.dropped_after_commit += 1);
                self.forward(parts, body).await?;
                Err("fault proxy: dropped after commit".into())
            }
            Fault::Delay(delay) => {
                self.count(|s| s.delayed += 1);
                tokio::time::sleep(delay).await;
                self.forward(parts, body).await
            }
            Fault::Status500 => {
                self.count(|s| s.status_500 += 1);
                error_answer(StatusCode::INTERNAL_SERVER_ERROR, None)
            }
            Fault::Status429 { retry_after } => {
                self.count(|s| s.status_429 += 1);
                error_answer(StatusCode::TOO_MANY_REQUESTS, Some(&retry_after))
            }
            Fault::Blackhole => {
                self.count(|s| s.blackholed += 1);
                std::future::pending().await
            }
        }
    }

    /// Sends the request upstream and reads the answer whole, so that when this
    /// returns the hub has finished with it.
    async fn forward(&self, parts: request::Parts, body: Bytes) -> Answer {
        let answer = self.round_trip(parts, body).await;
        if answer.is_err() {
            self.count(|s| s.upstream_errors += 1);
        }
        answer
    }

    async fn round_trip(&self, parts: request::Parts, body: Bytes) -> Answer {
        let upstream = *self.upstream.lock().expect("upstream lock");
        let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let uri: Uri = format!("http://{upstream}{path}").parse()?;
        let mut req = Request::from_parts(parts, Full::new(body));
        *req.uri_mut() = uri;
        strip_hop_by_hop(req.headers_mut());
        let (mut parts, body) = self.client.request(req).await?.into_parts();
        let body = body.collect().await?.to_bytes();
        strip_hop_by_hop(&mut parts.headers);
        Ok(Response::from_parts(parts, Full::new(body)))
    }
}

/// Headers about one hop's connection, not the message; the body is re-sent whole,
/// with its `Content-Length`.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// An answer made by the proxy itself, shaped like the hub's (`ErrorBody` JSON).
fn error_answer(status: StatusCode, retry_after: Option<&str>) -> Answer {
    let body = serde_json::to_vec(&ErrorBody {
        error: format!("fault proxy: {status}"),
    })?;
    let mut answer = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(value) = retry_after {
        answer = answer.header(header::RETRY_AFTER, value);
    }
    Ok(answer.body(Full::new(Bytes::from(body)))?)
}

/// A fault for chaos scenarios: half the time `Pass`, otherwise any fault, with delays
/// of at most 50 ms and `Retry-After` of 0 or 1 s or an HTTP date 1 s ahead.
/// `Blackhole` (4 %) costs the client one request timeout each time it is met.
pub fn random_fault<R: Rng + ?Sized>(rng: &mut R) -> Fault {
    match rng.gen_range(0..100) {
        0..50 => Fault::Pass,
        50..58 => Fault::Refuse,
        58..66 => Fault::DropBeforeRequest,
        66..74 => Fault::DropAfterCommit,
        74..82 => Fault::Delay(Duration::from_millis(rng.gen_range(1..=50))),
        82..90 => Fault::Status500,
        90..96 => Fault::Status429 {
            retry_after: match rng.gen_range(0..3) {
                0 => "0".to_owned(),
                1 => "1".to_owned(),
                _ => httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(1)),
            },
        },
        _ => Fault::Blackhole,
    }
}
