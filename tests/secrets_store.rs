//! The device secret stores: the 0600 file (round trip, mode, refusal of a file
//! others may read, damaged JSON), systemd credentials from a given directory,
//! `auto` falling back to the file when there is no Secret Service (and saying so
//! in the log), keyutils where the kernel allows it, and calls from inside and
//! outside a tokio runtime and against a D-Bus that never answers, none of which
//! may panic or hang.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tapin::config::SecretStoreChoice;
use tapin::secrets::store::{
    CREDENTIAL_NAME, DeviceSecrets, SECRET_FILE, SecretError, SecretStoreKind, SecretStores,
};

fn secrets(tag: &str) -> DeviceSecrets {
    DeviceSecrets {
        device_token: format!("token-{tag}-{}", uuid::Uuid::now_v7().simple()),
        pin_pepper: format!("pepper-{tag}-{}", uuid::Uuid::now_v7().simple()),
    }
}

fn stores(dir: &Path, choice: SecretStoreChoice) -> SecretStores {
    SecretStores::new(dir, choice).expect("secret stores")
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

fn write_with_mode(path: &Path, bytes: &[u8], mode: u32) {
    fs::write(path, bytes).expect("write");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn the_file_store_round_trips_with_mode_0600_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = stores(dir.path(), SecretStoreChoice::File);
    assert!(store.load().expect("empty store").is_none());

    let first = secrets("a");
    assert_eq!(store.save(&first).expect("save"), SecretStoreKind::File);
    let path = dir.path().canonicalize().unwrap().join(SECRET_FILE);
    assert_eq!(store.file_path(), path);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        store.load().expect("load"),
        Some((first.clone(), SecretStoreKind::File))
    );

    let second = secrets("b");
    store.save(&second).expect("replace");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(store.load().unwrap().map(|(s, _)| s), Some(second));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [SECRET_FILE], "no temp file left behind");

    store.remove().expect("remove");
    assert!(!path.exists());
    assert!(store.load().unwrap().is_none());
    store.remove().expect("removing twice is fine");
}

#[test]
fn a_file_others_may_read_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let store = stores(dir.path(), SecretStoreChoice::File);
    store.save(&secrets("open")).unwrap();
    for open in [0o640, 0o604, 0o660, 0o644] {
        fs::set_permissions(store.file_path(), fs::Permissions::from_mode(open)).unwrap();
        let error = store.load().expect_err("readable by others");
        assert!(matches!(error, SecretError::TooOpen { .. }), "{error:?}");
        let text = error.to_string();
        assert!(text.contains("chmod 600"), "{text}");
        assert!(
            text.contains(&store.file_path().display().to_string()),
            "{text}"
        );
    }
    fs::set_permissions(store.file_path(), fs::Permissions::from_mode(0o400)).unwrap();
    assert!(store.load().expect("owner-only is fine").is_some());
}

#[test]
fn damaged_files_are_clear_errors_that_do_not_quote_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let store = stores(dir.path(), SecretStoreChoice::File);
    let huge = format!(
        "{{\"device_token\": \"{}\", \"pin_pepper\": \"x\"}}",
        "t".repeat(100_000)
    );
    let cases: [(&[u8], &str); 5] = [
        (b"{\"device_token\": \"SECRET-1\"", "cut short"),
        (b"SECRET-1", "not valid JSON"),
        (
            b"{\"device_token\": 1, \"pin_pepper\": \"SECRET-1\"}",
            "pin_pepper",
        ),
        (b"", "cut short"),
        (huge.as_bytes(), "larger than 64 KiB"),
    ];
    for (bytes, needle) in cases {
        write_with_mode(store.file_path(), bytes, 0o600);
        let error = store.load().expect_err("damaged").to_string();
        assert!(error.contains(needle), "{error}");
        assert!(error.contains(SECRET_FILE), "names the file: {error}");
        assert!(error.contains("tapin enroll"), "says the fix: {error}");
        assert!(!error.contains("SECRET-1"), "{error}");
    }
}

#[test]
fn systemd_credentials_are_read_from_the_given_directory_and_never_written() {
    let data = tempfile::tempdir().unwrap();
    let creds = tempfile::tempdir().unwrap();
    let given = secrets("systemd");
    write_with_mode(
        &creds.path().join(CREDENTIAL_NAME),
        &serde_json::to_vec(&given).unwrap(),
        0o400,
    );
    let store = stores(data.path(), SecretStoreChoice::SystemdCredentials)
        .with_credentials_dir(Some(creds.path().to_path_buf()));
    assert_eq!(
        store.load().expect("load"),
        Some((given.clone(), SecretStoreKind::SystemdCredentials))
    );
    let refused = store.save(&secrets("x")).expect_err("read-only");
    assert!(matches!(refused, SecretError::ReadOnly), "{refused:?}");
    assert!(refused.to_string().contains("LoadCredential"), "{refused}");
    assert!(store.check_writable().is_err(), "enroll would refuse early");

    // Auto finds it ahead of the file.
    stores(data.path(), SecretStoreChoice::File)
        .save(&secrets("file"))
        .unwrap();
    let auto = stores(data.path(), SecretStoreChoice::Auto)
        .with_credentials_dir(Some(creds.path().to_path_buf()));
    assert_eq!(
        auto.load().unwrap(),
        Some((given, SecretStoreKind::SystemdCredentials))
    );

    // No directory: explicit is an error that says what to do; auto just skips it.
    let unset = stores(data.path(), SecretStoreChoice::SystemdCredentials);
    let error = unset.load().expect_err("no directory");
    assert!(
        error.to_string().contains("CREDENTIALS_DIRECTORY"),
        "{error}"
    );

    write_with_mode(&creds.path().join(CREDENTIAL_NAME), b"{oops", 0o400);
    let error = store.load().expect_err("damaged credential").to_string();
    assert!(
        error.contains(CREDENTIAL_NAME) && error.contains("not valid JSON"),
        "{error}"
    );
}

/// Collects log lines written while `f` runs on this thread.
fn with_log<T>(f: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let sink = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let out = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    (out, text)
}

#[test]
fn auto_without_a_secret_service_falls_back_to_the_file_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = stores(dir.path(), SecretStoreChoice::Auto);
    let given = secrets("auto");
    let (saved, log) = with_log(|| store.save(&given));
    let saved = saved.expect("auto always finds a store");
    if saved == SecretStoreKind::SecretService {
        store.remove().unwrap();
        println!("skipped: a Secret Service is available here, so auto used it");
        return;
    }
    assert_eq!(saved, SecretStoreKind::File);
    assert_eq!(mode(store.file_path()), 0o600);
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("no usable Secret Service"), "{log}");
    assert!(log.contains(SECRET_FILE), "{log}");
    assert!(
        !log.contains(&given.device_token) && !log.contains(&given.pin_pepper),
        "{log}"
    );
    assert_eq!(store.load().unwrap(), Some((given, SecretStoreKind::File)));
    store.remove().unwrap();
    assert!(store.load().unwrap().is_none());
}

#[test]
fn keyutils_round_trip_where_the_kernel_allows_it() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = stores(a.path(), SecretStoreChoice::Keyutils);
    let given = secrets("keyutils");
    match store.save(&given) {
        Ok(kind) => assert_eq!(kind, SecretStoreKind::Keyutils),
        Err(e) => {
            println!("skipped: keyutils is not usable here: {e}");
            return;
        }
    }
    assert_eq!(
        store.load().unwrap(),
        Some((given.clone(), SecretStoreKind::Keyutils))
    );
    let other = stores(b.path(), SecretStoreChoice::Keyutils);
    assert_ne!(store.account(), other.account());
    assert!(
        other.load().unwrap().is_none(),
        "another data dir, another entry"
    );

    // Auto reads keyutils; saving through auto moves the secret and removes the
    // older keyutils entry, which would otherwise be read first.
    let auto = stores(a.path(), SecretStoreChoice::Auto);
    assert_eq!(
        auto.load().unwrap(),
        Some((given, SecretStoreKind::Keyutils))
    );
    let newer = secrets("newer");
    let kind = auto.save(&newer).expect("auto save");
    assert_eq!(auto.load().unwrap(), Some((newer, kind)));
    auto.remove().unwrap();
    // The kernel may serve an invalidated key for a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while store.load().unwrap().is_some() {
        assert!(Instant::now() < deadline, "the keyutils entry is removed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn auto_round_trip(dir: &Path) {
    let store = stores(dir, SecretStoreChoice::Auto);
    assert!(store.load().expect("load").is_none());
    let given = secrets("runtime");
    let kind = store.save(&given).expect("save");
    assert_eq!(store.load().unwrap(), Some((given, kind)));
    store.remove().unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_store_works_on_a_current_thread_runtime_thread() {
    let dir = tempfile::tempdir().unwrap();
    auto_round_trip(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_works_on_a_worker_thread_and_in_spawn_blocking() {
    let dir = tempfile::tempdir().unwrap();
    auto_round_trip(dir.path());
    let path = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || auto_round_trip(&path))
        .await
        .expect("no panic");
}

const SILENT_DBUS_CHILD: &str = "TAPIN_TEST_SILENT_DBUS_CHILD";

/// Runs in a child process whose session bus accepts connections and never
/// answers (the environment is process-global, so not in this one).
#[test]
fn a_silent_session_bus_costs_a_timeout_not_a_hang() {
    if std::env::var_os(SILENT_DBUS_CHILD).is_some() {
        let dir = tempfile::tempdir().unwrap();
        let store = stores(dir.path(), SecretStoreChoice::Auto)
            .with_keyring_timeout(Duration::from_millis(300));
        let started = Instant::now();
        let given = secrets("silent");
        assert_eq!(store.save(&given).expect("save"), SecretStoreKind::File);
        assert_eq!(store.load().unwrap(), Some((given, SecretStoreKind::File)));
        let explicit = stores(dir.path(), SecretStoreChoice::SecretService)
            .with_keyring_timeout(Duration::from_millis(300));
        let error = explicit.load().expect_err("no answer");
        assert!(error.to_string().contains("no answer within"), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn); // accepted, never answered
        }
    });
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_silent_session_bus_costs_a_timeout_not_a_hang",
            "--nocapture",
        ])
        .env(SILENT_DBUS_CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        )
        .spawn()
        .expect("spawn the test binary");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the child hung on a silent D-Bus");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "child failed: {status}");
}
