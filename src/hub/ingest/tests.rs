use super::*;
use crate::domain::{EventId, JobId, Method};
use uuid::Uuid;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 8, minute, 0).unwrap()
}

fn event(kind: EventKind, minute: u32) -> Event {
    let device = DeviceId(Uuid::from_u128(1));
    Event {
        id: EventId::new(),
        device,
        seq: u64::from(minute),
        subject: PersonId(Uuid::from_u128(2)),
        actor: Actor::Kiosk(device),
        method: Method::Badge,
        kind,
        at: at(minute),
        utc_offset_secs: 3600,
        note: None,
        needs_review: false,
        clock_offset_ms: None,
    }
}

#[test]
fn clock_out_without_clock_in_is_flagged() {
    let out = event(EventKind::ClockOut, 5);
    let flags = flag_anomalies(std::slice::from_ref(&out), TrackingMode::Personal, |_| {
        false
    });
    assert_eq!(
        flags.get(&out.id).map(String::as_str),
        Some("clock_out_without_clock_in")
    );
    let inn = event(EventKind::ClockIn, 1);
    assert!(flag_anomalies(&[inn, out], TrackingMode::Personal, |_| false).is_empty());
}

#[test]
fn a_shift_in_order_has_no_anomaly() {
    let job = JobId(Uuid::from_u128(9));
    let mut timeline = vec![
        event(EventKind::ClockIn, 0),
        event(EventKind::CheckIn { job }, 1),
        event(EventKind::CheckOut { job }, 2),
        event(EventKind::ClockOut, 3),
    ];
    assert!(flag_anomalies(&timeline, TrackingMode::Personal, |_| false).is_empty());
    let again = event(EventKind::ClockIn, 4);
    let twice = event(EventKind::ClockIn, 5);
    timeline.extend([again.clone(), twice.clone()]);
    let flags = flag_anomalies(&timeline, TrackingMode::Personal, |_| false);
    assert_eq!(flags.len(), 1);
    assert_eq!(
        flags.get(&twice.id).map(String::as_str),
        Some("clock_in_while_clocked_in")
    );
}

#[test]
fn individual_users_have_no_clock() {
    let inn = event(EventKind::ClockIn, 0);
    let flags = flag_anomalies(std::slice::from_ref(&inn), TrackingMode::Individual, |_| {
        false
    });
    assert_eq!(
        flags.get(&inn.id).map(String::as_str),
        Some("no_workday_clock")
    );
}

#[test]
fn checks_reject_what_cannot_be_real() {
    let now = at(30);
    let good = event(EventKind::ClockIn, 1);
    assert_eq!(check_event(&good, good.device, now), Ok(()));

    let other = DeviceId(Uuid::from_u128(77));
    assert!(
        check_event(&good, other, now)
            .unwrap_err()
            .contains("not the device")
    );

    let mut kiosk = good.clone();
    kiosk.actor = Actor::Kiosk(other);
    assert!(
        check_event(&kiosk, good.device, now)
            .unwrap_err()
            .contains("another device")
    );

    let mut old = good.clone();
    old.at = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
    assert!(
        check_event(&old, good.device, now)
            .unwrap_err()
            .contains("before 2000")
    );

    let mut future = good.clone();
    future.at = now + Duration::days(400);
    assert!(
        check_event(&future, good.device, now)
            .unwrap_err()
            .contains("year ahead")
    );

    let mut offset = good.clone();
    offset.utc_offset_secs = 20 * 3600;
    assert!(
        check_event(&offset, good.device, now)
            .unwrap_err()
            .contains("offset")
    );

    let mut long = good.clone();
    long.note = Some("x".repeat(MAX_TEXT_BYTES + 1));
    assert!(
        check_event(&long, good.device, now)
            .unwrap_err()
            .contains("bytes")
    );

    let mut escape = good.clone();
    escape.note = Some("\u{1b}[2J".into());
    assert!(
        check_event(&escape, good.device, now)
            .unwrap_err()
            .contains("control")
    );

    let mut seq = good.clone();
    seq.seq = u64::MAX;
    assert!(
        check_event(&seq, good.device, now)
            .unwrap_err()
            .contains("seq")
    );

    let mut own = good.clone();
    own.kind = EventKind::Correction {
        corrects: own.id,
        new_time: at(2),
        reason: "forgot".into(),
    };
    assert!(
        check_event(&own, good.device, now)
            .unwrap_err()
            .contains("itself")
    );

    let mut reasonless = good.clone();
    reasonless.kind = EventKind::Correction {
        corrects: EventId::new(),
        new_time: at(2),
        reason: "  ".into(),
    };
    assert!(
        check_event(&reasonless, good.device, now)
            .unwrap_err()
            .contains("reason")
    );
}

#[test]
fn flags_combine() {
    let now = at(0);
    let mut ahead = event(EventKind::ClockOut, 30);
    ahead.at = now + Duration::hours(1);
    let facts = PersonFacts {
        mode: TrackingMode::Personal,
        archived: true,
    };
    let flags = judge_timeline(
        std::slice::from_ref(&ahead),
        Some(facts),
        &HashSet::new(),
        now,
    );
    assert_eq!(
        flags.get(&ahead.id).map(String::as_str),
        Some("clock_out_without_clock_in,archived_person,device_clock_ahead")
    );
}

#[test]
fn corrections_of_events_outside_the_window_are_not_flagged_when_known() {
    let old = EventId::new();
    let mut fix = event(EventKind::ClockIn, 9);
    fix.kind = EventKind::Correction {
        corrects: old,
        new_time: at(1),
        reason: "forgot to clock out".into(),
    };
    let one = std::slice::from_ref(&fix);
    assert!(flag_anomalies(one, TrackingMode::Personal, |id| id == old).is_empty());
    let flags = flag_anomalies(one, TrackingMode::Personal, |_| false);
    assert_eq!(
        flags.get(&fix.id).map(String::as_str),
        Some("correction_of_unknown_event")
    );
}
