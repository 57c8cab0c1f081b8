//! `update` flows of the Admin screen's additions: the menu as buttons, the
//! device roster editor (move, group, remove, add, save to the journal's
//! queue, refusals by right and rank), the sync and clock view, re-enrollment;
//! and Home's three-row roster cells with paging and taps.

mod tui_support;

use ratatui::layout::Rect;
use tapin::domain::{OrgSettings, PersonId, PrivilegedPinGate, Refusal, Right, TeamId};
use tapin::tui::input::KeyInput;
use tapin::tui::layout;
use tapin::tui::model::{
    AdminChangeRow, AdminPage, EditEntry, EditMode, Model, Notice, ReenrollStep, Screen,
};
use tapin::tui::msg::{Cmd, Msg};
use tapin::tui::update::{ADMIN_KEY, admin_menu_layout, roster_editor_layout, update};
use tapin::wire::{RosterEntry, RosterItem};
use tui_support::*;

/// Admin opened by `badge` and PIN.
fn admin_as(badge: &str, who: PersonId) -> Model {
    let mut m = model_for(OrgSettings::default());
    update(
        &mut m,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    send(&mut m, [key(ADMIN_KEY), Msg::Badge(badge.into())]);
    enter_pin(&mut m, "2468", who, true);
    assert!(
        matches!(
            m.screen,
            Screen::Admin {
                page: AdminPage::Menu,
                ..
            }
        ),
        "{:?}",
        m.screen
    );
    m
}

fn page(m: &Model) -> &AdminPage {
    match &m.screen {
        Screen::Admin { page, .. } => page,
        other => panic!("not admin: {other:?}"),
    }
}

fn editor_entries(m: &Model) -> Vec<EditEntry> {
    match page(m) {
        AdminPage::Roster(ed) => match &ed.entries {
            Some(Ok(e)) => e.clone(),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn cursor(m: &Model) -> usize {
    match page(m) {
        AdminPage::Roster(ed) => ed.cursor,
        other => panic!("{other:?}"),
    }
}

fn e(name: &str, item: RosterItem, group: Option<&str>) -> EditEntry {
    EditEntry {
        item,
        name: name.into(),
        group: group.map(str::to_owned),
    }
}

fn tap(r: Rect) -> Msg {
    Msg::Tap {
        column: r.x + 1,
        row: r.y + 1,
    }
}

#[test]
fn the_menu_is_three_row_buttons_with_number_keys_and_taps() {
    let mut m = admin_as("9999", ADA);
    let buttons = admin_menu_layout(Rect::new(0, 0, 80, 24));
    assert_eq!(buttons.len(), 6, "every item fits at 80×24");
    assert!(buttons.iter().all(|r| r.height >= layout::BUTTON_HEIGHT));
    send(&mut m, [tap(buttons[1])]);
    assert_eq!(page(&m), &AdminPage::Device);
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(send(&mut m, [tap(buttons[4])]), vec![Cmd::LoadAdminChanges]);
    assert_eq!(page(&m), &AdminPage::Sync { changes: None });
    let rows = vec![AdminChangeRow {
        queued_at: now(),
        by: "Max Manager".into(),
        refused: Some("Your role does not allow this. Ask a supervisor.".into()),
    }];
    send(&mut m, [Msg::AdminChanges(Ok(rows.clone()))]);
    assert_eq!(
        page(&m),
        &AdminPage::Sync {
            changes: Some(Ok(rows))
        }
    );
    assert_eq!(
        send(&mut m, [key(KeyInput::Char('r'))]),
        vec![Cmd::LoadAdminChanges]
    );
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(page(&m), &AdminPage::Menu);
    // The administrator (administer_site only) may not edit the device roster.
    let cmds = send(&mut m, [key(KeyInput::Char('4'))]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(
        m.notice,
        Some(Notice::Refused(Refusal::MissingRight {
            right: Right::ManageAdvancedSettings
        }))
    );
    assert_eq!(page(&m), &AdminPage::Menu);
}

/// Max's editor with the fixture's entries loaded.
fn editor() -> Model {
    let mut m = admin_as("3004", MAX);
    assert_eq!(
        send(&mut m, [key(KeyInput::Char('4'))]),
        vec![Cmd::LoadRosterEntries]
    );
    let entries = vec![
        e("Ana García", RosterItem::Person(ANA), Some("Office")),
        e("José Núñez", RosterItem::Person(JOSE), Some("Office")),
        e(
            "Floor crew",
            RosterItem::Team(TeamId(id(40))),
            Some("Floor"),
        ),
        e("Ada Admin", RosterItem::Person(ADA), Some("Office")),
    ];
    send(&mut m, [Msg::RosterEntries(Ok(entries))]);
    m
}

#[test]
fn the_roster_editor_moves_groups_removes_adds_and_queues_the_whole_roster() {
    let mut m = editor();
    // Move José up, above Ana.
    send(&mut m, [key(KeyInput::Down), key(KeyInput::Char('u'))]);
    assert_eq!(cursor(&m), 0);
    assert_eq!(editor_entries(&m)[0].item, RosterItem::Person(JOSE));
    // Ana (now second) goes to the "Desk" group.
    send(&mut m, [key(KeyInput::Down), key(KeyInput::Char('g'))]);
    for _ in 0..6 {
        send(&mut m, [key(KeyInput::Backspace)]);
    }
    send(&mut m, chars(" Desk "));
    send(&mut m, [key(KeyInput::Enter)]);
    assert_eq!(editor_entries(&m)[1].group.as_deref(), Some("Desk"));
    // The team goes.
    send(&mut m, [key(KeyInput::Down), key(KeyInput::Char('x'))]);
    assert_eq!(editor_entries(&m).len(), 3);
    // Add Zoe, from the hub's list, after the selected entry (Ada, Office).
    assert_eq!(
        send(&mut m, [key(KeyInput::Char('a'))]),
        vec![Cmd::LoadCandidates { acting: MAX }]
    );
    let zoe = PersonId(id(70));
    send(
        &mut m,
        [Msg::Candidates(Ok(vec![
            e("Ana García", RosterItem::Person(ANA), None),
            e("Zoë Zapata", RosterItem::Person(zoe), None),
        ]))],
    );
    send(&mut m, chars("zoe"));
    send(&mut m, [key(KeyInput::Enter)]);
    let entries = editor_entries(&m);
    assert_eq!(entries.len(), 4);
    assert_eq!(
        entries[3],
        e("Zoë Zapata", RosterItem::Person(zoe), Some("Office"))
    );
    // Saved as one whole roster, by Max.
    let cmds = send(&mut m, [key(KeyInput::Char('s'))]);
    let person = |p, g: &str| RosterEntry {
        group: Some(g.into()),
        item: RosterItem::Person(p),
    };
    assert_eq!(
        cmds,
        vec![Cmd::QueueRosterChange {
            acting: MAX,
            entries: vec![
                person(JOSE, "Office"),
                person(ANA, "Desk"),
                person(ADA, "Office"),
                person(zoe, "Office"),
            ]
        }]
    );
    assert_eq!(
        send(&mut m, [Msg::AdminQueued(Ok(()))]),
        vec![Cmd::NudgeSync]
    );
    assert_eq!(m.notice, Some(Notice::Queued));
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(page(&m), &AdminPage::Menu);
}

#[test]
fn the_editor_refuses_plainly_and_keeps_what_was_not_saved() {
    // Taking someone of higher rank off the roster (Ada, Administrator).
    let mut m = editor();
    send(
        &mut m,
        [
            key(KeyInput::Down),
            key(KeyInput::Down),
            key(KeyInput::Down),
            key(KeyInput::Char('x')),
        ],
    );
    let cmds = send(&mut m, [key(KeyInput::Char('s'))]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::Refused(Refusal::RankTooLow)));
    // Leaving with changes asks once more.
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(m.notice, Some(Notice::Unsaved));
    assert!(matches!(page(&m), AdminPage::Roster(_)));
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(page(&m), &AdminPage::Menu);
    // The journal could not queue it: said so.
    let mut m = editor();
    send(&mut m, [key(KeyInput::Char('s'))]);
    let cmds = send(&mut m, [Msg::AdminQueued(Err("disk full".into()))]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::Problem("disk full".into())));
    // The hub cannot be asked for candidates: said so in the list.
    let mut m = editor();
    send(&mut m, [key(KeyInput::Char('a'))]);
    send(&mut m, [Msg::Candidates(Err("hub unavailable".into()))]);
    match page(&m) {
        AdminPage::Roster(ed) => assert!(matches!(
            &ed.mode,
            EditMode::Add {
                candidates: Some(Err(_)),
                ..
            }
        )),
        other => panic!("{other:?}"),
    }
    send(&mut m, [key(KeyInput::Escape)]);
    assert_eq!(editor_entries(&m).len(), 4);
}

#[test]
fn the_editor_buttons_are_three_rows_and_taps_work() {
    let mut m = editor();
    let (list, buttons) = roster_editor_layout(Rect::new(0, 0, 80, 24));
    assert!(buttons.iter().all(|r| r.height >= layout::BUTTON_HEIGHT));
    // Tap the second entry, then "Move up".
    send(
        &mut m,
        [Msg::Tap {
            column: list.x + 2,
            row: list.y + 1,
        }],
    );
    assert_eq!(cursor(&m), 1);
    send(&mut m, [tap(buttons[0])]);
    assert_eq!(editor_entries(&m)[0].item, RosterItem::Person(JOSE));
    // "Save".
    let cmds = send(&mut m, [tap(buttons[5])]);
    assert!(matches!(cmds.as_slice(), [Cmd::QueueRosterChange { .. }]));
}

#[test]
fn reenrolling_asks_url_and_code_confirms_with_the_queue_and_restarts() {
    let mut m = admin_as("3004", MAX);
    send(&mut m, [key(KeyInput::Char('6'))]);
    let form = |m: &Model| match page(m) {
        AdminPage::Reenroll(f) => f.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(form(&m).url, "https://hub.example.org/");
    assert_eq!(form(&m).field, 1, "the code first: the URL is usually kept");
    // No code: refused plainly.
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::BadEnrollment));
    send(&mut m, chars("3ZASR-2Y4M4"));
    // A URL that is not http(s) is refused too.
    send(&mut m, [key(KeyInput::Tab)]);
    for _ in 0..30 {
        send(&mut m, [key(KeyInput::Backspace)]);
    }
    send(&mut m, chars("ftp://hub"));
    send(&mut m, [key(KeyInput::Tab)]);
    assert_eq!(send(&mut m, [key(KeyInput::Enter)]), vec![Cmd::Bell]);
    send(&mut m, [key(KeyInput::Tab)]);
    for _ in 0..9 {
        send(&mut m, [key(KeyInput::Backspace)]);
    }
    send(&mut m, chars("https://new-hub.example.org"));
    send(&mut m, [key(KeyInput::Enter), key(KeyInput::Enter)]);
    assert_eq!(form(&m).step, ReenrollStep::Confirm);
    let cmds = send(&mut m, [key(KeyInput::Enter)]);
    assert_eq!(
        cmds,
        vec![Cmd::Reenroll {
            hub: "https://new-hub.example.org".into(),
            code: "3ZASR-2Y4M4".into()
        }]
    );
    assert_eq!(form(&m).step, ReenrollStep::Working);
    // Waiting for the hub does not time out to Home.
    let later = m.now + chrono::TimeDelta::seconds(120);
    update(
        &mut m,
        Msg::Tick {
            now: later,
            utc_offset_secs: 0,
        },
    );
    assert_eq!(form(&m).step, ReenrollStep::Working);
    // Refused by the hub: said so, and editable again.
    send(
        &mut m,
        [Msg::Reenrolled(Err(
            "the hub refused the enrollment: this code has already been used".into(),
        ))],
    );
    assert!(matches!(form(&m).step, ReenrollStep::Failed(_)));
    send(&mut m, [key(KeyInput::Char('x'))]);
    assert_eq!(form(&m).step, ReenrollStep::Editing);
    // Enrolled: the kiosk starts again with the new credentials.
    send(&mut m, [key(KeyInput::Enter), key(KeyInput::Enter)]);
    let cmds = send(&mut m, [Msg::Reenrolled(Ok("Front desk 2".into()))]);
    assert_eq!(cmds, vec![Cmd::Exit]);
    assert!(m.restart && m.exiting);
    assert_eq!(form(&m).step, ReenrollStep::Done("Front desk 2".into()));
}

#[test]
fn reenrolling_is_for_the_site_administrator_and_device_managers() {
    let mut m = admin_as("9999", ADA);
    send(&mut m, [key(KeyInput::Char('6'))]);
    assert!(matches!(page(&m), AdminPage::Reenroll(_)));
}

/// A roster of 40 people, all in one tab.
fn big_model() -> Model {
    let mut r = response();
    for n in 0..32u128 {
        let pid = PersonId(id(1000 + n));
        let mut p = r.directory.person(ANA).cloned().unwrap();
        p.id = pid;
        p.name = format!("Person {n:02}");
        p.badge = None;
        r.directory.upsert_person(p);
        r.entries.push(RosterEntry {
            group: None,
            item: RosterItem::Person(pid),
        });
        r.people.push(tapin::wire::RosterPerson {
            id: pid,
            state: tapin::domain::PunchState::out(),
            pin_verifier: Some(format!("verifier-{n}")),
        });
    }
    let mut m = Model::new(Default::default(), device(), now());
    update(
        &mut m,
        Msg::Roster(Ok(Box::new(tapin::tui::roster::Roster::from_response(r)))),
    );
    m
}

#[test]
fn home_cells_are_three_rows_page_at_80x24_and_a_tap_picks_the_person() {
    let mut m = big_model();
    update(
        &mut m,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    let l = layout::home(Rect::new(0, 0, 80, 24));
    let first = l.cell(0).unwrap();
    assert_eq!(first.height, layout::CELL_HEIGHT);
    assert!(first.height >= layout::BUTTON_HEIGHT);
    let per_page = l.per_page();
    assert!(per_page >= 6, "usable at 80×24: {per_page} cells");
    // Each row of a cell is the same person.
    for dy in 0..first.height {
        assert_eq!(l.cell_at(first.x + 2, first.y + dy), Some(0));
    }
    // Paging: the second page starts where the first ended.
    let everyone: Vec<PersonId> = m.roster.as_ref().unwrap().tab_people(0).to_vec();
    assert!(everyone.len() > per_page);
    send(&mut m, [key(KeyInput::PageDown)]);
    assert_eq!(m.scroll, per_page);
    let second = l.cell(1).unwrap();
    send(
        &mut m,
        [Msg::Tap {
            column: second.x + 3,
            row: second.y + 2,
        }],
    );
    let picked = everyone[per_page + 1];
    match &m.screen {
        Screen::Pin { person, .. } => assert_eq!(*person, picked),
        other => panic!("{other:?}"),
    }
    // And on a big screen, more cells per page.
    let big = layout::home(Rect::new(0, 0, 160, 48));
    assert!(big.per_page() > per_page);
}

/// F12 then `badge`: the privileged PIN pad, with the gate as the journal has it.
fn admin_pad(m: &mut Model, badge: &str, gate: PrivilegedPinGate) -> Vec<Cmd> {
    let cmds = send(m, [key(ADMIN_KEY), Msg::Badge(badge.into())]);
    assert!(cmds.contains(&Cmd::LoadPrivilegedGate), "{cmds:?}");
    send(m, [Msg::PrivilegedGate(Some(gate))]);
    cmds
}

fn tick(m: &mut Model, at: chrono::DateTime<chrono::Utc>) {
    send(
        m,
        [Msg::Tick {
            now: at,
            utc_offset_secs: 0,
        }],
    );
}

/// The gate a wrong privileged PIN stored, from the answer's commands.
fn saved_gate(cmds: &[Cmd]) -> PrivilegedPinGate {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::SavePrivilegedGate(g) => Some(*g),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no gate saved: {cmds:?}"))
}

#[test]
fn wrong_admin_pins_make_the_next_try_wait_longer_whoever_they_are_for() {
    let mut m = model_for(OrgSettings::default());
    admin_pad(&mut m, "9999", PrivilegedPinGate::default());
    // Two fumbles are free: the person's own counter speaks.
    for left in [4, 3] {
        let gate = saved_gate(&enter_pin(&mut m, "1111", ADA, false));
        assert_eq!(gate.wait_until, None);
        assert_eq!(m.notice, Some(Notice::WrongPin { left }));
    }
    let gate = saved_gate(&enter_pin(&mut m, "1111", ADA, false));
    let until = now() + chrono::TimeDelta::seconds(30);
    assert_eq!((gate.failures, gate.wait_until), (3, Some(until)));
    assert_eq!(m.notice, Some(Notice::PrivilegedWait { until }));
    let text = render(&mut m, 80, 24);
    assert!(
        text.contains("Too many wrong PINs on this kiosk. Next try at 09:41:30"),
        "{text}"
    );
    // During the wait no PIN is checked, not even the right one.
    let cmds = send(
        &mut m,
        chars("2468").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);
    assert_eq!(m.notice, Some(Notice::PrivilegedWait { until }));

    // The wait is the device's: it holds for anyone's privileged PIN, and after
    // a restart (the gate read back from the journal).
    let mut m = model_for(OrgSettings::default());
    admin_pad(&mut m, "1001", gate);
    assert_eq!(m.notice, Some(Notice::PrivilegedWait { until }));
    let cmds = send(
        &mut m,
        chars("4321").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert_eq!(cmds, vec![Cmd::Bell]);

    // After the wait, the next wrong PIN doubles it.
    let mut m = model_for(OrgSettings::default());
    tick(&mut m, until);
    admin_pad(&mut m, "9999", gate);
    assert_eq!(m.notice, None);
    let gate = saved_gate(&enter_pin(&mut m, "1111", ADA, false));
    assert_eq!(
        (gate.failures, gate.wait_until),
        (4, Some(until + chrono::TimeDelta::seconds(60)))
    );

    // A right PIN after that wait opens Admin and forgets the failures.
    let mut m = model_for(OrgSettings::default());
    tick(&mut m, until + chrono::TimeDelta::seconds(60));
    admin_pad(&mut m, "9999", gate);
    let cmds = enter_pin(&mut m, "2468", ADA, true);
    assert!(
        cmds.contains(&Cmd::SavePrivilegedGate(PrivilegedPinGate::default())),
        "{cmds:?}"
    );
    assert!(matches!(m.screen, Screen::Admin { .. }), "{:?}", m.screen);
}

#[test]
fn the_privileged_wait_does_not_hold_up_punches() {
    let mut m = model_for(OrgSettings::default());
    let waiting = PrivilegedPinGate {
        failures: 5,
        wait_until: Some(now() + chrono::TimeDelta::minutes(2)),
    };
    m.privileged_gate = Some(waiting);
    let cmds = send(
        &mut m,
        chars("ana").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert!(!cmds.contains(&Cmd::LoadPrivilegedGate), "{cmds:?}");
    let cmds = send(
        &mut m,
        chars("4321").into_iter().chain([key(KeyInput::Enter)]),
    );
    assert!(
        matches!(&cmds[..], [Cmd::VerifyPin { person, .. }] if *person == ANA),
        "{cmds:?}"
    );
    let request = m.checking_pin.expect("a PIN check in flight");
    let cmds = send(
        &mut m,
        [Msg::PinChecked {
            request,
            person: ANA,
            result: Ok(false),
        }],
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::SavePrivilegedGate(_))),
        "a punch PIN is not privileged: {cmds:?}"
    );
    assert_eq!(m.privileged_gate, Some(waiting));
}
