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

/// The staff fixture (supervisors and a manager), online, after `msgs`.
fn staff(msgs: Vec<Msg>) -> impl Fn() -> Model {
    move || {
        let mut m = model_for(tapin::domain::OrgSettings::default());
        send(&mut m, [online()]);
        send(&mut m, msgs.clone());
        m
    }
}

/// Olga's missed punch, `s`, then Sue's badge and PIN.
fn override_form(extra: Vec<Msg>) -> impl Fn() -> Model {
    move || {
        let mut m = model_for(tapin::domain::OrgSettings::default());
        send(
            &mut m,
            [
                online(),
                Msg::Badge("1008".into()),
                key(KeyInput::Char('s')),
                Msg::Badge("3001".into()),
            ],
        );
        enter_pin(&mut m, "2468", SUE, true);
        send(&mut m, extra.clone());
        m
    }
}

#[test]
fn supervisor_override() {
    shot(
        "override_login",
        staff(vec![Msg::Badge("1008".into()), key(KeyInput::Char('s'))]),
    );
    shot("override_time", override_form(chars("17")));
    let mut reason = chars("1730");
    reason.push(key(KeyInput::Enter));
    shot("override_reason", override_form(reason.clone()));
    let mut typed = reason.clone();
    typed.push(key(KeyInput::Char('5')));
    typed.extend(chars("Power cut"));
    shot("override_typed_reason", override_form(typed));
    let mut future = vec![key(KeyInput::Right)];
    future.extend(chars("2359"));
    future.push(key(KeyInput::Enter));
    shot("override_future_refused", override_form(future));
    shot("override_pick", || {
        let mut m = model_for(tapin::domain::OrgSettings::default());
        send(&mut m, [online()]);
        send(&mut m, chars("sue"));
        send(&mut m, [key(KeyInput::Enter)]);
        enter_pin(&mut m, "2468", SUE, true);
        send(&mut m, [key(KeyInput::Char('2'))]);
        m
    });
    shot("override_spanish", || {
        let mut m = override_form(vec![key(KeyInput::Up)])();
        m.settings.language = Language::Es;
        m
    });
}

fn admin_max(msgs: Vec<Msg>) -> impl Fn() -> Model {
    move || {
        let mut m = model_for(tapin::domain::OrgSettings::default());
        send(
            &mut m,
            [online(), key(ADMIN_KEY), Msg::Badge("3004".into())],
        );
        enter_pin(&mut m, "2468", MAX, true);
        send(&mut m, msgs.clone());
        m
    }
}

fn editor_entries() -> Msg {
    use tapin::tui::model::EditEntry;
    use tapin::wire::RosterItem;
    let e = |name: &str, item, group: Option<&str>| EditEntry {
        item,
        name: name.into(),
        group: group.map(str::to_owned),
    };
    Msg::RosterEntries(Ok(vec![
        e("Ana García", RosterItem::Person(ANA), Some("Office")),
        e("José Núñez", RosterItem::Person(JOSE), Some("Office")),
        e(
            "Evil\u{1b}[2JName",
            RosterItem::Person(EVIL),
            Some("Flo\u{7}or"),
        ),
        e(
            "Floor crew",
            RosterItem::Team(tapin::domain::TeamId(id(40))),
            None,
        ),
    ]))
}

fn skewed_sync() -> Msg {
    use tapin::sync::clock::ClockEstimate;
    let mut s = SyncStatus::starting(
        3,
        1,
        RosterState::Cached {
            version: "o1-r7".into(),
            fetched_at: at(9, 30),
        },
    );
    s.link = Link::Online;
    s.clock = Some(ClockEstimate {
        offset: chrono::TimeDelta::milliseconds(-95_400),
        uncertainty: std::time::Duration::from_millis(12),
        measured_at: at(9, 40),
    });
    s.clock_skewed = true;
    s.last_problem = Some("hub refused event 0193…: person is archived".into());
    Msg::Sync(Box::new(s))
}

#[test]
fn admin_additions() {
    shot("admin_menu", admin_max(vec![]));
    shot(
        "admin_sync_clock",
        admin_max(vec![
            skewed_sync(),
            key(KeyInput::Char('5')),
            Msg::AdminChanges(Ok(vec![tapin::tui::model::AdminChangeRow {
                queued_at: at(9, 35),
                by: "Max Manager".into(),
                refused: Some(
                    "You can do this only for people whose role ranks below yours. (Tom Top)"
                        .into(),
                ),
            }])),
        ]),
    );
    shot(
        "admin_roster_editor",
        admin_max(vec![
            key(KeyInput::Char('4')),
            editor_entries(),
            key(KeyInput::Down),
            key(KeyInput::Char('d')),
        ]),
    );
    let mut group = vec![
        key(KeyInput::Char('4')),
        editor_entries(),
        key(KeyInput::Char('g')),
    ];
    group.extend(chars("-2"));
    shot("admin_roster_group", admin_max(group));
    let mut add = vec![
        key(KeyInput::Char('4')),
        editor_entries(),
        key(KeyInput::Char('a')),
        Msg::Candidates(Ok(vec![tapin::tui::model::EditEntry {
            item: tapin::wire::RosterItem::Person(tapin::domain::PersonId(id(70))),
            name: "Zoë Zapata".into(),
            group: None,
        }])),
    ];
    add.extend(chars("z"));
    shot("admin_roster_add", admin_max(add));
    let mut reenroll = vec![key(KeyInput::Char('6'))];
    reenroll.extend(chars("3ZASR-2Y4M4"));
    shot("admin_reenroll", admin_max(reenroll.clone()));
    let mut confirm = vec![offline(4)];
    confirm.extend(reenroll);
    confirm.push(key(KeyInput::Enter));
    shot("admin_reenroll_confirm", admin_max(confirm));
    shot("admin_spanish", || {
        let mut m = admin_max(vec![skewed_sync(), key(KeyInput::Char('5'))])();
        m.settings.language = Language::Es;
        m
    });
}
