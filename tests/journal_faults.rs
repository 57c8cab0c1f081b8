//! The journal under bad conditions: a full disk, a read-only directory or file, a
//! damaged file, a second process. Each must give its own error naming the file,
//! and leave what was recorded before intact.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use tapin::domain::{Actor, DeviceId, Event, EventDraft, EventKind, JobId, Method, PersonId};
use tapin::journal::{DB_FILE, Journal, JournalError, JournalOptions};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 8, 0, 0).single().unwrap()
}

/// A clock-out that also checks out of a job: two events, one decision.
fn decision(person: PersonId, note: &str) -> Vec<EventDraft> {
    let job = JobId::new();
    let base = EventDraft {
        subject: person,
        actor: Actor::Person(person),
        method: Method::Badge,
        kind: EventKind::CheckOut { job },
        at: t0(),
        note: Some(note.to_string()),
        needs_review: false,
    };
    vec![
        base.clone(),
        EventDraft {
            kind: EventKind::ClockOut,
            ..base
        },
    ]
}

fn all_events(journal: &Journal) -> Vec<Event> {
    journal.pending_batch(usize::MAX).unwrap()
}

#[test]
fn disk_full_refuses_the_decision_whole_and_keeps_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    // About 160 KiB: room for the schema and a few dozen decisions.
    let capped = JournalOptions {
        max_page_count: Some(40),
        ..JournalOptions::default()
    };
    let mut journal = Journal::open(dir.path(), capped.clone()).unwrap();
    let device = DeviceId::new();
    let person = PersonId::new();
    let padding = "x".repeat(600);

    let mut recorded = Vec::new();
    let mut failed_note = None;
    for i in 0..10_000 {
        let note = format!("decision {i} {padding}");
        match journal.record(device, 0, &decision(person, &note)) {
            Ok(events) => recorded.extend(events),
            Err(err) => {
                assert!(
                    matches!(&err, JournalError::DiskFull { path } if path == journal.path()),
                    "{err:?}"
                );
                let message = err.to_string();
                assert!(message.contains("NOT recorded"), "{message}");
                assert!(message.contains(DB_FILE), "{message}");
                failed_note = Some(note);
                break;
            }
        }
    }
    let failed_note = failed_note.expect("the capped journal never filled up");
    assert!(recorded.len() >= 4, "the cap left room for too little");

    // Still full: fails again the same way, and the journal is still usable.
    assert!(matches!(
        journal.record(device, 0, &decision(person, &failed_note)),
        Err(JournalError::DiskFull { .. })
    ));
    assert_eq!(all_events(&journal), recorded, "earlier rows intact");
    assert_eq!(journal.pending_count(), recorded.len() as u64);
    journal.integrity_check().unwrap();
    drop(journal);

    // After a restart with room again: everything before is there, nothing of the
    // failed decision is, and the sequence continues without a gap.
    let mut journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    let stored = all_events(&journal);
    assert_eq!(stored, recorded);
    assert!(
        stored
            .iter()
            .all(|e| e.note.as_deref() != Some(&failed_note)),
        "nothing partial from the failed decision"
    );
    let next = journal
        .record(device, 0, &decision(person, "after"))
        .unwrap();
    assert_eq!(next[0].seq, recorded.len() as u64 + 1);
    assert_eq!(next[1].seq, recorded.len() as u64 + 2);
}

#[test]
fn corrupt_files_are_refused_by_name_and_left_untouched() {
    let garbage: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage bytes", garbage),
        ("a text file", b"device = \"front desk\"\n".repeat(300)),
        ("too short for a header", b"SQLite format 3\0abc".to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE);
        fs::write(&db, &bytes).unwrap();
        assert_corrupt(dir.path(), &db, what);
        assert_eq!(fs::read(&db).unwrap(), bytes, "{what}: file left untouched");
    }
}

#[test]
fn a_truncated_journal_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    let device = DeviceId::new();
    for i in 0..300 {
        let note = format!("decision {i} with a note long enough to fill pages");
        journal
            .record(device, 0, &decision(PersonId::new(), &note))
            .unwrap();
    }
    drop(journal);
    let db = dir.path().join(DB_FILE);
    let full = fs::read(&db).unwrap();
    assert!(full.len() > 64 * 1024, "{} bytes", full.len());

    for keep in [full.len() / 2, full.len() - 4096, 4096, 1000] {
        fs::write(&db, &full[..keep]).unwrap();
        assert_corrupt(dir.path(), &db, &format!("truncated to {keep} bytes"));
        assert_eq!(fs::read(&db).unwrap().len(), keep, "left untouched");
    }
    // Put back whole, it opens with everything in it.
    fs::write(&db, &full).unwrap();
    let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    assert_eq!(journal.pending_count(), 600);
}

fn assert_corrupt(dir: &Path, db: &Path, what: &str) {
    match Journal::open(dir, JournalOptions::default()) {
        Err(err @ JournalError::Corrupt { .. }) => {
            let JournalError::Corrupt { path, hint } = &err else {
                unreachable!()
            };
            assert_eq!(path, db, "{what}: names the file");
            assert!(hint.contains("aside"), "{what}: {hint}");
            assert!(hint.contains("have not reached the hub"), "{what}: {hint}");
            let message = err.to_string();
            assert!(message.contains(&db.display().to_string()), "{message}");
        }
        Err(other) => panic!("{what}: expected Corrupt, got {other:?}"),
        Ok(_) => panic!("{what}: a damaged journal was opened"),
    }
}

#[test]
fn a_second_open_is_refused_while_the_first_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    let recorded = first
        .record(DeviceId::new(), 0, &decision(PersonId::new(), "one"))
        .unwrap();
    match Journal::open(dir.path(), JournalOptions::default()) {
        Err(JournalError::InUse { path }) => assert_eq!(path, dir.path().join(DB_FILE)),
        Err(other) => panic!("expected InUse, got {other:?}"),
        Ok(_) => panic!("two journals open on one file"),
    }
    // The refused open disturbed nothing.
    assert_eq!(all_events(&first), recorded);
    drop(first);
    let again = Journal::open(dir.path(), JournalOptions::default()).unwrap();
    assert_eq!(all_events(&again), recorded);
}

// --- Read-only: run as an unprivileged user, because root ignores permission bits.

const RO_CHILD: &str = "read_only_child";
const RO_DIR_ENV: &str = "TAPIN_JOURNAL_RO_DIR";
const RO_PASSED: &str = "READ-ONLY CHECKS PASSED";
/// The conventional `nobody`/`nogroup` ids.
const NOBODY: u32 = 65534;

#[test]
fn read_only_directory_and_file_give_a_clear_error_and_keep_rows() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let data = tmp.path().join("data");
    fs::create_dir(&data).unwrap();

    // A copy of this test binary that the unprivileged user may run, wherever the
    // build directory is.
    let exe = tmp.path().join("journal_faults_child");
    fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();

    let mut command = Command::new(&exe);
    command
        .args([RO_CHILD, "--exact", "--nocapture", "--include-ignored"])
        .env(RO_DIR_ENV, &data);
    if running_as_root(tmp.path()) {
        std::os::unix::fs::chown(&data, Some(NOBODY), Some(NOBODY)).unwrap();
        // std drops the supplementary groups when root changes uid.
        command.uid(NOBODY).gid(NOBODY);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(RO_PASSED),
        "child failed: {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );

    // And seen from here: the rows are intact.
    let journal = Journal::open(&data, JournalOptions::default()).unwrap();
    assert_eq!(journal.pending_count(), 4);
    journal.integrity_check().unwrap();
}

/// Whether files this process creates belong to root.
fn running_as_root(dir: &Path) -> bool {
    let probe = dir.join("owner-probe");
    fs::write(&probe, b"").unwrap();
    let uid = fs::metadata(&probe).unwrap().uid();
    fs::remove_file(&probe).unwrap();
    uid == 0
}

#[test]
#[ignore = "child process of read_only_directory_and_file_give_a_clear_error_and_keep_rows"]
fn read_only_child() {
    let Some(data) = std::env::var_os(RO_DIR_ENV).map(PathBuf::from) else {
        return;
    };
    let db = data.join(DB_FILE);
    let mut journal = Journal::open(&data, JournalOptions::default()).unwrap();
    let device = DeviceId::new();
    let mut recorded = journal
        .record(device, 0, &decision(PersonId::new(), "one"))
        .unwrap();
    recorded.extend(
        journal
            .record(device, 0, &decision(PersonId::new(), "two"))
            .unwrap(),
    );
    drop(journal);

    // The directory read-only: SQLite cannot create its -wal and -shm files.
    fs::set_permissions(&data, fs::Permissions::from_mode(0o555)).unwrap();
    let err = Journal::open(&data, JournalOptions::default())
        .err()
        .expect("opened a journal in a read-only directory");
    assert!(
        matches!(&err, JournalError::ReadOnly { path } if path == &data),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&data.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains("writable"), "{err}");
    fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();

    // The file read-only.
    fs::set_permissions(&db, fs::Permissions::from_mode(0o444)).unwrap();
    let err = Journal::open(&data, JournalOptions::default())
        .err()
        .expect("opened a read-only journal for writing");
    assert!(
        matches!(&err, JournalError::ReadOnly { path } if path == &db),
        "{err:?}"
    );
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();

    let journal = Journal::open(&data, JournalOptions::default()).unwrap();
    assert_eq!(all_events(&journal), recorded, "earlier rows intact");
    println!("{RO_PASSED}");
}
