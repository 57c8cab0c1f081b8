//! Enrollment end to end: the real `tapin` binary against an in-process hub (port
//! 0) — `tapin enroll` stores the secret and records the device in the journal; a
//! used or wrong code fails clearly; a store that cannot be written refuses before
//! the code is spent; re-enrolling keeps pending events; `tapin doctor` reports the
//! store and the hub, and a revoked device with a non-zero exit; the secret never
//! reaches stdout, stderr or the log. Then `sync::enroll::enroll` against hostile
//! answers: bad JSON, huge bodies, escape sequences, 429, redirects, silence.

mod admin_support;
mod hub_support;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use admin_support::{post, site};
use chrono::Utc;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use tapin::domain::{Actor, DeviceId, EventDraft, EventKind, Method, PersonId};
use tapin::journal::{CachedRoster, Journal, JournalOptions};
use tapin::sync::enroll::{EnrollError, enroll};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A kiosk of its own: a data directory and an empty kiosk.toml, and everything
/// its commands printed.
struct Kiosk {
    dir: tempfile::TempDir,
    transcript: String,
}

impl Kiosk {
    fn new() -> Kiosk {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("kiosk.toml"), "").expect("kiosk.toml");
        Kiosk {
            dir,
            transcript: String::new(),
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs `tapin ARGS` off the runtime's threads; returns status, stdout, stderr.
    async fn tapin(&mut self, args: &[&str]) -> (bool, String, String) {
        let config = self.dir.path().join("kiosk.toml");
        let mut full = vec!["--config".to_owned(), config.display().to_string()];
        full.extend(args.iter().map(|a| (*a).to_owned()));
        let data = self.data();
        let out: Output = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = full.iter().map(String::as_str).collect();
            hub_support::cli::command(&data, &args)
                .env_remove("CREDENTIALS_DIRECTORY")
                .env("TAPIN_LOG", "debug")
                .output()
                .expect("tapin runs")
        })
        .await
        .expect("join");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        self.transcript
            .push_str(&format!("$ tapin {args:?}\n{stdout}{stderr}"));
        (out.status.success(), stdout, stderr)
    }

    async fn enroll(&mut self, hub: &str, code: &str, extra: &[&str]) -> (bool, String, String) {
        let mut args = vec!["enroll", "--hub", hub, "--code", code];
        args.extend_from_slice(extra);
        self.tapin(&args).await
    }

    /// The secret file's JSON.
    fn secret(&self) -> Value {
        let bytes = std::fs::read(self.data().join("device-secret.json")).expect("secret file");
        serde_json::from_slice(&bytes).expect("secret JSON")
    }

    fn journal(&self) -> Journal {
        Journal::open(&self.data(), JournalOptions::default()).expect("journal")
    }

    /// Everything printed and logged: the secret must appear in none of it.
    fn printed_and_logged(&self) -> String {
        let mut all = self.transcript.clone();
        if let Ok(entries) = std::fs::read_dir(self.data().join("logs")) {
            for entry in entries.flatten() {
                all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        all
    }
}

/// A device made through the admin API: (id, code).
async fn device_add(s: &admin_support::Site, name: &str) -> (String, String) {
    let (status, made) = post(&s.hub, &s.top_token, "/devices", json!({ "name": name })).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let field = |k: &str| made[k].as_str().expect(k).to_owned();
    (field("id"), field("enrollment_code"))
}

fn assert_mentions(text: &str, needles: &[&str]) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// The line of one doctor check ("LEVEL  NAME          DETAIL").
fn doctor_line<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.get(6..19).is_some_and(|n| n.trim_end() == name))
        .unwrap_or_else(|| panic!("no {name} line in:\n{stdout}"))
}

async fn enroll_doctor_and_revoke(url: String) {
    let s = site(&url).await;
    let hub = s.hub.base.clone();
    let (id, code) = device_add(&s, "Front desk").await;
    let mut kiosk = Kiosk::new();

    let (ok, out, err) = kiosk
        .enroll(
            &hub,
            &code,
            &["--name", "Entrance", "--secret-store", "file"],
        )
        .await;
    assert!(ok, "{out}{err}");
    let secret_path = kiosk
        .data()
        .canonicalize()
        .unwrap()
        .join("device-secret.json");
    assert_mentions(
        &out,
        &["Entrance", &id, &format!("file {}", secret_path.display())],
    );
    let mode = std::fs::metadata(&secret_path).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let token = kiosk.secret()["device_token"].as_str().unwrap().to_owned();
    let pepper = kiosk.secret()["pin_pepper"].as_str().unwrap().to_owned();
    {
        let mut journal = kiosk.journal();
        assert_eq!(journal.device_id().unwrap(), Some(id.parse().unwrap()));
        assert_eq!(journal.device_name().unwrap().as_deref(), Some("Entrance"));
        assert_eq!(journal.hub_url().unwrap(), Some(format!("{hub}/")));
        let cached = CachedRoster {
            etag: "\"r1\"".into(),
            body: b"{}".to_vec(),
            fetched_at: Utc::now() - chrono::Duration::hours(3),
        };
        journal.store_roster(&cached).expect("cache a roster");
    }

    let (ok, out, err) = kiosk.tapin(&["doctor", "--secret-store", "file"]).await;
    assert!(ok, "{out}{err}");
    assert!(doctor_line(&out, "secret store").starts_with("ok"), "{out}");
    assert_mentions(
        doctor_line(&out, "secret store"),
        &["file", "device-secret.json"],
    );
    assert!(doctor_line(&out, "hub").contains("reachable"), "{out}");
    assert!(doctor_line(&out, "clock").starts_with("ok"), "{out}");
    assert!(doctor_line(&out, "pending").ends_with(" 0"), "{out}");
    assert!(
        doctor_line(&out, "hub URL").contains("from enrollment"),
        "{out}"
    );
    let roster = doctor_line(&out, "roster cache");
    assert!(
        roster.starts_with("ok") && roster.contains("received 3 h ago"),
        "{out}"
    );
    assert!(!out.contains("FAIL  "), "{out}");

    // The code is spent: another kiosk cannot use it, and keeps nothing.
    let mut other = Kiosk::new();
    let (ok, out, err) = other.enroll(&hub, &code, &["--secret-store", "file"]).await;
    assert!(!ok, "{out}");
    assert_mentions(&err, &["refused the enrollment", "already been used"]);
    assert!(!other.data().join("device-secret.json").exists());
    assert_eq!(other.journal().device_id().unwrap(), None);

    let (ok, out, err) = other
        .enroll(&hub, "ZZZZZ-ZZZZZ", &["--secret-store", "file"])
        .await;
    assert!(!ok, "{out}");
    assert_mentions(&err, &["unknown enrollment code"]);

    let (ok, out, err) = other.tapin(&["doctor", "--secret-store", "file"]).await;
    assert!(!ok, "{out}");
    assert!(
        doctor_line(&out, "secret store").starts_with("FAIL"),
        "{out}"
    );
    assert_mentions(&out, &["not enrolled"]);
    assert_mentions(&err, &["failed"]);

    // Revoked: doctor says so and fails.
    let (status, body) = post(
        &s.hub,
        &s.top_token,
        &format!("/devices/{id}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (ok, out, _) = kiosk.tapin(&["doctor", "--secret-store", "file"]).await;
    assert!(!ok, "{out}");
    let line = doctor_line(&out, "hub");
    assert!(
        line.starts_with("FAIL") && line.contains("device revoked"),
        "{out}"
    );

    for run in [&kiosk, &other] {
        let all = run.printed_and_logged();
        assert!(all.contains("enroll"), "the transcript was collected");
        assert!(!all.contains(&token), "the device token leaked:\n{all}");
        assert!(!all.contains(&pepper), "the PIN pepper leaked:\n{all}");
    }
    s.hub.stop().await;
}

async fn a_store_that_cannot_be_written_does_not_spend_the_code(url: String) {
    let s = site(&url).await;
    let hub = s.hub.base.clone();
    let (_, code) = device_add(&s, "Desk").await;
    let mut kiosk = Kiosk::new();
    let (ok, out, err) = kiosk
        .enroll(&hub, &code, &["--secret-store", "systemd-credentials"])
        .await;
    assert!(!ok, "{out}");
    assert_mentions(&err, &["read-only", "the code was not used"]);
    let (ok, out, err) = kiosk.enroll(&hub, &code, &["--secret-store", "file"]).await;
    assert!(ok, "the code still works: {out}{err}");

    let (ok, out, err) = Kiosk::new()
        .enroll("http://127.0.0.1:1", &code, &["--secret-store", "file"])
        .await;
    assert!(!ok, "{out}");
    assert_mentions(&err, &["cannot reach the hub at http://127.0.0.1:1/"]);
    s.hub.stop().await;
}

async fn re_enrolling_replaces_the_secret_and_keeps_pending_events(url: String) {
    let s = site(&url).await;
    let hub = s.hub.base.clone();
    let (first_id, first_code) = device_add(&s, "Old").await;
    let mut kiosk = Kiosk::new();
    let (ok, out, err) = kiosk
        .enroll(&hub, &first_code, &["--secret-store", "file"])
        .await;
    assert!(ok, "{out}{err}");
    let first_token = kiosk.secret()["device_token"].clone();
    {
        let mut journal = kiosk.journal();
        let device: DeviceId = first_id.parse().unwrap();
        let draft = EventDraft {
            subject: PersonId::new(),
            actor: Actor::Kiosk(device),
            method: Method::Badge,
            kind: EventKind::ClockIn,
            at: Utc::now(),
            note: None,
            needs_review: false,
        };
        journal.record(device, 0, &[draft]).expect("record");
        assert_eq!(journal.pending_count(), 1);
    }

    let (second_id, second_code) = device_add(&s, "New").await;
    let (ok, out, err) = kiosk
        .enroll(&hub, &second_code, &["--secret-store", "file"])
        .await;
    assert!(ok, "{out}{err}");
    assert_mentions(&out, &["\"New\"", &second_id]);
    assert_ne!(kiosk.secret()["device_token"], first_token, "replaced");
    let journal = kiosk.journal();
    assert_eq!(journal.pending_count(), 1, "pending events kept");
    assert_eq!(
        journal.device_id().unwrap(),
        Some(second_id.parse().unwrap())
    );
    assert_eq!(journal.device_name().unwrap().as_deref(), Some("New"));
    drop(journal);
    s.hub.stop().await;
}

macro_rules! on_sqlite {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    crate::hub_support::on_sqlite(super::$name).await;
                }
            }
        )*
    };
}

on_sqlite!(
    enroll_doctor_and_revoke,
    a_store_that_cannot_be_written_does_not_spend_the_code,
    re_enrolling_replaces_the_secret_and_keeps_pending_events,
);

// ---- The enrollment call against answers no tapin hub would send. ----

/// A server that answers every request with `reply` (or, when `None`, never).
async fn fake_hub(reply: Option<Vec<u8>>) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let reply = reply.clone();
            tokio::spawn(async move {
                read_request(&mut conn).await;
                match reply {
                    Some(bytes) => {
                        // The client may hang up mid-body (that is the point).
                        let _ = conn.write_all(&bytes).await;
                        let _ = conn.shutdown().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            });
        }
    });
    url
}

/// Reads one request (headers and a Content-Length body), so that closing the
/// connection afterwards does not reset it under the client.
async fn read_request(conn: &mut tokio::net::TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let Ok(n) = conn.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return;
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn enroll_against(reply: Option<Vec<u8>>) -> EnrollError {
    let hub = fake_hub(reply).await;
    enroll(&hub, "ABCDE-FGHJK", None, Duration::from_millis(1500))
        .await
        .expect_err("hostile answer refused")
}

#[tokio::test]
async fn hostile_answers_are_refused_clearly() {
    let json = "content-type: application/json\r\n";
    let error = enroll_against(Some(http("200 OK", json, b"not json!"))).await;
    assert!(matches!(error, EnrollError::BadReply { .. }), "{error:?}");
    assert_mentions(&error.to_string(), &["is this a tapin hub?"]);

    let token_reply = br#"{"device_token":"tok-LEAK","pin_pepper":1}"#;
    let error = enroll_against(Some(http("200 OK", json, token_reply))).await;
    assert!(!error.to_string().contains("tok-LEAK"), "{error}");

    let huge = vec![b' '; 1024 * 1024];
    let error = enroll_against(Some(http("200 OK", json, &huge))).await;
    assert_mentions(&error.to_string(), &["larger than 64 KiB"]);

    // No length announced: the cap holds while reading.
    let mut chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..100 {
        chunked.extend_from_slice(b"1000\r\n");
        chunked.extend_from_slice(&[b' '; 0x1000]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let error = enroll_against(Some(chunked)).await;
    assert_mentions(&error.to_string(), &["larger than 64 KiB"]);

    let evil = br#"{"error":"this enrollment code has expired\u001b]52;c;x\u0007"}"#;
    let error = enroll_against(Some(http("410 Gone", json, evil))).await;
    let text = error.to_string();
    assert!(
        matches!(error, EnrollError::Refused { status: 410, .. }),
        "{error:?}"
    );
    assert_mentions(&text, &["refused the enrollment", "has expired"]);
    assert!(!text.chars().any(char::is_control), "{text:?}");

    let error = enroll_against(Some(http(
        "429 Too Many Requests",
        "retry-after: 30\r\n",
        b"",
    )))
    .await;
    assert_mentions(
        &error.to_string(),
        &["limiting enrollment attempts", "30 s"],
    );

    let error = enroll_against(Some(http("500 Internal Server Error", "", b"boom"))).await;
    assert_mentions(&error.to_string(), &["HTTP 500", "boom"]);

    let moved = "location: http://127.0.0.1:9/api/v1/enroll\r\n";
    let error = enroll_against(Some(http("307 Temporary Redirect", moved, b""))).await;
    assert!(
        matches!(error, EnrollError::Hub { status: 307, .. }),
        "not followed: {error:?}"
    );

    let error = enroll_against(None).await;
    assert!(
        matches!(error, EnrollError::Unreachable { .. }),
        "{error:?}"
    );
    assert_mentions(
        &error.to_string(),
        &["cannot reach the hub", "no answer within 1.5 s"],
    );
}

#[tokio::test]
async fn an_unreachable_hub_is_named() {
    // A port that was just free: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hub = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let error = enroll(&hub, "ABCDE-FGHJK", None, Duration::from_secs(5))
        .await
        .expect_err("nothing listens");
    assert_mentions(
        &error.to_string(),
        &[&format!("cannot reach the hub at http://127.0.0.1:{port}/")],
    );
}
