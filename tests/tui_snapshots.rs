//! Every screen at 80×24 and 160×48 through `TestBackend`, with a fixed clock
//! and the fixture roster (a hostile name with escape sequences and a wide
//! name included, to show they are neutralised and stay aligned).

mod tui_support;

use tapin::sync::status::{Link, RosterState, SyncStatus};
use tapin::tui::catalog::Language;
use tapin::tui::input::KeyInput;
use tapin::tui::model::Model;
use tapin::tui::msg::{Msg, ParkedRow};
use tapin::tui::settings::ScreenSettings;
use tapin::tui::update::{ADMIN_KEY, update};
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn offline(pending: u64) -> Msg {
    let mut s = SyncStatus::starting(pending, 0, RosterState::Missing);
    s.link = Link::Offline {
        since: at(8, 12),
        why: "cannot connect".into(),
    };
    Msg::Sync(Box::new(s))
}

fn online() -> Msg {
    let mut s = SyncStatus::starting(0, 0, RosterState::Missing);
    s.link = Link::Online;
    Msg::Sync(Box::new(s))
}

fn shot(name: &str, setup: impl Fn() -> Model) {
    for (w, h) in SIZES {
        let mut m = setup();
        let text = render(&mut m, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
        // Nothing from outside reaches the terminal raw.
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(!text.contains('\u{202e}'), "{text}");
    }
}

fn with(msgs: Vec<Msg>) -> impl Fn() -> Model {
    move || {
        let mut m = model();
        send(&mut m, msgs.clone());
        m
    }
}

#[test]
fn home() {
    shot("home_online", with(vec![online()]));
    shot("home_offline", with(vec![offline(3)]));
    shot(
        "home_tab_floor",
        with(vec![online(), key(KeyInput::Tab), key(KeyInput::Tab)]),
    );
    shot("home_spanish", || {
        let mut m = model_with(ScreenSettings {
            language: Language::Es,
            ..ScreenSettings::default()
        });
        send(&mut m, [offline(2)]);
        m
    });
}

#[test]
fn identify_and_pin() {
    let mut search = vec![online()];
    search.extend(chars("e"));
    shot("identify_search", with(search));
    let mut pin = vec![online()];
    pin.extend(chars("ana"));
    pin.push(key(KeyInput::Enter));
    pin.extend(chars("12"));
    shot("pin_pad", with(pin));
}

#[test]
fn actions_and_picker() {
    shot(
        "actions_jose",
        with(vec![online(), Msg::Badge("1002".into())]),
    );
    shot(
        "actions_ana",
        with(vec![online(), Msg::Badge("1001".into())]),
    );
    shot(
        "job_picker",
        with(vec![
            online(),
            Msg::Badge("1005".into()),
            key(KeyInput::Enter),
        ]),
    );
}

#[test]
fn confirmation() {
    shot("confirm_clock_in", || {
        let mut m = model();
        send(&mut m, [online(), Msg::Badge("1001".into())]);
        let cmds = update(&mut m, key(KeyInput::Enter));
        let Some(tapin::tui::msg::Cmd::Record {
            request, drafts, ..
        }) = cmds.first().cloned()
        else {
            panic!("{cmds:?}")
        };
        let events = events_of(&drafts, |_| tapin::domain::EventId(id(500)));
        update(
            &mut m,
            Msg::Recorded {
                request,
                result: Ok(tapin::tui::msg::Recorded {
                    events,
                    hours: Some(tapin::tui::msg::Hours {
                        today: chrono::TimeDelta::minutes(95),
                        week: chrono::TimeDelta::minutes(16 * 60 + 5),
                    }),
                }),
            },
        );
        m
    });
}

#[test]
fn crew_missed_admin() {
    shot(
        "crew",
        with(vec![
            online(),
            Msg::Badge("1005".into()),
            key(KeyInput::Char('4')),
            key(KeyInput::Char(' ')),
        ]),
    );
    let mut missed = vec![online(), Msg::Badge("1008".into())];
    missed.extend(chars("17"));
    shot("missed_punch", with(missed));
    shot("admin_queue", || {
        let mut m = model();
        send(
            &mut m,
            [online(), key(ADMIN_KEY), Msg::Badge("9999".into())],
        );
        enter_pin(&mut m, "2468", ADA, true);
        send(
            &mut m,
            [
                key(KeyInput::Char('1')),
                Msg::Parked(Ok(vec![ParkedRow {
                    id: tapin::domain::EventId(id(600)),
                    subject: "Evil\u{1b}[31mName".into(),
                    kind: "clock_in",
                    at: at(7, 0),
                    reason: "person is archived\u{7}".into(),
                }])),
            ],
        );
        m
    });
}

#[test]
fn bad_states() {
    shot("not_recorded", || {
        let mut m = model();
        send(&mut m, [Msg::Badge("1001".into())]);
        let cmds = update(&mut m, key(KeyInput::Enter));
        let Some(tapin::tui::msg::Cmd::Record { request, .. }) = cmds.first().cloned() else {
            panic!("{cmds:?}")
        };
        update(
            &mut m,
            Msg::Recorded {
                request,
                result: Err(
                    "the disk holding /var/lib/tapin/journal.db is full: this punch was NOT recorded"
                        .into(),
                ),
            },
        );
        m
    });
    shot("not_set_up", || {
        let mut m = Model::new(ScreenSettings::default(), device(), now());
        update(&mut m, offline(0));
        m
    });
    let mut m = model();
    let text = render(&mut m, 60, 20);
    insta::assert_snapshot!("too_small_60x20", text);
    assert!(text.contains("enlarge"), "{text}");
}
