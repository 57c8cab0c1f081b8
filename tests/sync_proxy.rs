//! The fault proxy of the sync tests does what each fault says, seen from an HTTP
//! client, in front of a tiny upstream that counts what reaches it. No fixed sleeps:
//! waits poll a condition against a deadline.

mod sync_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sync_support::proxy::{Fault, FaultProxy, FaultStats, random_fault};
use tapin::wire::ErrorBody;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const PATIENCE: Duration = Duration::from_secs(10);

/// An upstream that counts requests and answers with the body it was sent.
struct Upstream {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Upstream {
    async fn start() -> Upstream {
        let hits = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .fallback(
                |State(hits): State<Arc<AtomicUsize>>, body: Bytes| async move {
                    hits.fetch_add(1, Ordering::SeqCst);
                    body
                },
            )
            .with_state(hits.clone());
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind upstream");
        let addr = listener.local_addr().expect("upstream addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("upstream");
        });
        Upstream { addr, hits, task }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn client(timeout: Duration) -> reqwest::Client {
    tapin::tls::install_crypto_provider();
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("http client")
}

async fn post(client: &reqwest::Client, proxy: &FaultProxy) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{}/v1/events", proxy.url()))
        .body("payload")
        .send()
        .await
}

/// One kept-alive connection to the proxy, driven by hand so that it cannot be swapped
/// for another behind the test's back the way a pooled client may.
async fn one_connection(
    addr: SocketAddr,
) -> (
    http1::SendRequest<Full<Bytes>>,
    JoinHandle<hyper::Result<()>>,
) {
    let stream = TcpStream::connect(addr).await.expect("connect proxy");
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    (sender, tokio::spawn(conn))
}

async fn send(
    sender: &mut http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
) -> hyper::Result<StatusCode> {
    sender.ready().await?;
    let req = Request::post("/v1/events")
        .header(hyper::header::HOST, addr.to_string())
        .body(Full::new(Bytes::from_static(b"payload")))
        .expect("request");
    let answer = sender.send_request(req).await?;
    let status = answer.status();
    answer.into_body().collect().await?;
    Ok(status)
}

fn stats(edit: impl FnOnce(&mut FaultStats)) -> FaultStats {
    let mut stats = FaultStats::default();
    edit(&mut stats);
    stats
}

#[tokio::test]
async fn pass_forwards_the_request_and_the_answer() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let answer = post(&client(PATIENCE), &proxy).await.expect("answer");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.expect("body"), "payload");
    assert_eq!(upstream.hits(), 1);
    assert_eq!(
        proxy.stats(),
        stats(|s| {
            s.connections = 1;
            s.passed = 1;
        })
    );
}

#[tokio::test]
async fn refuse_resets_new_connections_and_closes_kept_alive_ones() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let (mut kept, conn) = one_connection(proxy.addr()).await;
    assert_eq!(
        send(&mut kept, proxy.addr()).await.expect("pass"),
        StatusCode::OK
    );

    proxy.set(Fault::Refuse);
    let closed = tokio::time::timeout(PATIENCE, conn).await;
    assert!(closed.is_ok(), "the kept-alive connection is closed");
    let started = Instant::now();
    let err = post(&client(PATIENCE), &proxy).await.expect_err("refused");
    assert!(!err.is_timeout(), "refused at once, not timed out: {err:?}");
    assert!(started.elapsed() < PATIENCE / 2);
    assert_eq!(upstream.hits(), 1);
    assert_eq!(proxy.stats().refused, 1);

    proxy.set(Fault::Pass);
    let answer = post(&client(PATIENCE), &proxy).await.expect("serves again");
    assert_eq!(answer.status(), StatusCode::OK);
}

#[tokio::test]
async fn drop_before_request_closes_without_reaching_the_upstream() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    proxy.set(Fault::DropBeforeRequest);
    let err = post(&client(PATIENCE), &proxy).await.expect_err("dropped");
    assert!(!err.is_timeout(), "closed, not timed out: {err:?}");
    assert_eq!(upstream.hits(), 0);
    assert_eq!(proxy.stats().dropped_before_request, 1);
}

#[tokio::test]
async fn drop_after_commit_reaches_the_upstream_but_loses_the_answer() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    proxy.set(Fault::DropAfterCommit);
    let err = post(&client(PATIENCE), &proxy).await.expect_err("dropped");
    assert!(!err.is_timeout(), "closed, not timed out: {err:?}");
    assert_eq!(upstream.hits(), 1);
    assert_eq!(proxy.stats().dropped_after_commit, 1);
}

#[tokio::test]
async fn delay_answers_no_sooner_than_the_delay() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let delay = Duration::from_millis(300);
    proxy.set(Fault::Delay(delay));
    let started = Instant::now();
    let answer = post(&client(PATIENCE), &proxy).await.expect("answer");
    assert!(started.elapsed() >= delay);
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(upstream.hits(), 1);
    assert_eq!(proxy.stats().delayed, 1);
}

#[tokio::test]
async fn status_500_is_answered_by_the_proxy() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    proxy.set(Fault::Status500);
    let answer = post(&client(PATIENCE), &proxy).await.expect("answer");
    assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: ErrorBody = answer.json().await.expect("ErrorBody");
    assert!(!body.error.is_empty());
    assert_eq!(upstream.hits(), 0);
    assert_eq!(proxy.stats().status_500, 1);
}

#[tokio::test]
async fn status_429_carries_retry_after_as_given() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let http = client(PATIENCE);
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    for retry_after in ["7", date] {
        proxy.set(Fault::Status429 {
            retry_after: retry_after.to_owned(),
        });
        let answer = post(&http, &proxy).await.expect("answer");
        assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.headers()["retry-after"], retry_after);
        answer.json::<ErrorBody>().await.expect("ErrorBody");
    }
    assert_eq!(upstream.hits(), 0);
    assert_eq!(proxy.stats().status_429, 2);
}

#[tokio::test]
async fn blackhole_lets_the_client_timeout_fire() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    proxy.set(Fault::Blackhole);
    let timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = post(&client(timeout), &proxy).await.expect_err("no answer");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() >= timeout);
    assert_eq!(upstream.hits(), 0);
    assert_eq!(proxy.stats().blackholed, 1);
}

#[tokio::test]
async fn each_request_on_a_kept_alive_connection_meets_the_current_fault() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let (mut kept, conn) = one_connection(proxy.addr()).await;
    let steps = [
        (Fault::Pass, StatusCode::OK),
        (Fault::Status500, StatusCode::INTERNAL_SERVER_ERROR),
        (
            Fault::Status429 {
                retry_after: "1".to_owned(),
            },
            StatusCode::TOO_MANY_REQUESTS,
        ),
        (Fault::Delay(Duration::from_millis(20)), StatusCode::OK),
        (Fault::Pass, StatusCode::OK),
    ];
    for (fault, expected) in steps {
        proxy.set(fault.clone());
        let status = send(&mut kept, proxy.addr()).await.expect("answer");
        assert_eq!(status, expected, "{fault:?}");
    }
    proxy.set(Fault::DropBeforeRequest);
    send(&mut kept, proxy.addr()).await.expect_err("dropped");
    let closed = tokio::time::timeout(PATIENCE, conn).await;
    assert!(closed.is_ok(), "the connection is closed after the drop");
    assert_eq!(upstream.hits(), 3);
    let expected = stats(|s| {
        s.connections = 1;
        s.passed = 2;
        s.status_500 = 1;
        s.status_429 = 1;
        s.delayed = 1;
        s.dropped_before_request = 1;
    });
    assert_eq!(proxy.stats(), expected);
}

#[tokio::test]
async fn set_upstream_moves_traffic_to_the_new_upstream() {
    let first = Upstream::start().await;
    let second = Upstream::start().await;
    let proxy = FaultProxy::start(first.addr).await;
    let http = client(PATIENCE);
    post(&http, &proxy).await.expect("to the first");
    proxy.set_upstream(second.addr);
    post(&http, &proxy).await.expect("to the second");
    assert_eq!((first.hits(), second.hits()), (1, 1));
}

#[tokio::test]
async fn an_unreachable_upstream_closes_the_client_connection() {
    let gone = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let gone_addr = gone.local_addr().expect("addr");
    drop(gone);
    let proxy = FaultProxy::start(gone_addr).await;
    let err = post(&client(PATIENCE), &proxy)
        .await
        .expect_err("no upstream");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(proxy.stats().upstream_errors, 1);
}

#[tokio::test]
async fn dropping_the_proxy_closes_its_connections_and_frees_the_port() {
    let upstream = Upstream::start().await;
    let proxy = FaultProxy::start(upstream.addr).await;
    let addr = proxy.addr();
    let (mut kept, conn) = one_connection(addr).await;
    assert_eq!(send(&mut kept, addr).await.expect("pass"), StatusCode::OK);

    drop(proxy);
    let closed = tokio::time::timeout(PATIENCE, conn).await;
    assert!(closed.is_ok(), "the kept-alive connection is closed");
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still listening on {addr}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    TcpListener::bind(addr)
        .await
        .expect("the port is free again");
}

#[test]
fn random_faults_cover_every_kind_with_small_delays() {
    let mut rng = StdRng::seed_from_u64(4);
    let faults: Vec<Fault> = (0..2_000).map(|_| random_fault(&mut rng)).collect();
    let has = |pick: fn(&Fault) -> bool| faults.iter().any(pick);
    assert!(has(|f| *f == Fault::Pass));
    assert!(has(|f| *f == Fault::Refuse));
    assert!(has(|f| *f == Fault::DropBeforeRequest));
    assert!(has(|f| *f == Fault::DropAfterCommit));
    assert!(has(|f| matches!(f, Fault::Delay(_))));
    assert!(has(|f| *f == Fault::Status500));
    assert!(has(|f| matches!(f, Fault::Status429 { .. })));
    assert!(has(|f| *f == Fault::Blackhole));
    for fault in &faults {
        match fault {
            Fault::Delay(d) => assert!(*d <= Duration::from_millis(50)),
            Fault::Status429 { retry_after } => assert!(
                retry_after.parse::<u64>().is_ok()
                    || httpdate::parse_http_date(retry_after).is_ok()
            ),
            _ => {}
        }
    }
}
