//! A punch's confirmation, drawn while the journal commits and shown once it
//! has: the person waits for the longer of the fsync and the drawing, not
//! for both. If the commit fails, the drawn frame is never shown and the model
//! is put back as it was, and the punch goes the usual way to "NOT RECORDED".

use ratatui::Terminal;
use ratatui::backend::Backend;

use super::super::model::Model;
use super::super::msg::{Msg, Recorded};
use super::super::update::update;
use super::super::view::view;
use super::effects::{self, Services};
use super::holding::HoldingBackend;
use crate::domain::{EventDraft, PersonId, PunchState};
use crate::journal::Overlapped;

/// What the punch path needs of the screen.
pub(super) trait Present {
    /// Draws `model` without showing it.
    fn draw_held(&mut self, model: &Model) -> Result<(), String>;
    /// Shows the held frame.
    fn show_held(&mut self) -> Result<(), String>;
    /// Forgets the held frame; the next frame is drawn whole.
    fn forget_held(&mut self);
}

impl<B: Backend> Present for Terminal<HoldingBackend<B>> {
    fn draw_held(&mut self, model: &Model) -> Result<(), String> {
        self.backend_mut().hold();
        self.draw(|f| view(model, f))
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn show_held(&mut self) -> Result<(), String> {
        self.backend_mut().release().map_err(|e| e.to_string())
    }

    fn forget_held(&mut self) {
        self.backend_mut().discard();
        // ratatui believes the forgotten frame is on the screen.
        if let Err(e) = self.clear() {
            tracing::warn!("clearing the screen after a frame not shown: {e}");
        }
    }
}

/// The journal's answer to a punch, once handled.
pub(super) struct Presented {
    /// Messages for `update` (a failed punch's answer, or what the commands
    /// after the confirmation answered).
    pub answers: Vec<Msg>,
    /// Whether the screen shows the model as it is now (before `answers`).
    pub shown: bool,
}

/// Records the punch of `request` (what [`crate::tui::msg::Cmd::Record`]
/// carries); while the journal commits, `update` takes the answer it will give
/// if the commit succeeds and the confirmation is drawn, held back.
pub(super) fn record(
    model: &mut Model,
    services: &mut Services,
    screen: &mut (dyn Present + Send),
    request: u64,
    drafts: &[EventDraft],
    utc_offset_secs: i32,
    hours_for: Option<PersonId>,
) -> Presented {
    let before = Before::of(model, drafts);
    let subject = effects::hours_subject(hours_for, model.roster.as_ref());
    let mut j = effects::lock(&services.journal);
    let done = j.record_meanwhile(
        services.device,
        utc_offset_secs,
        drafts,
        |j, events| effects::hours(j, subject, events, utc_offset_secs),
        |events, hours| {
            let recorded = Recorded {
                events: events.to_vec(),
                hours,
            };
            let then = update(
                model,
                Msg::Recorded {
                    request,
                    result: Ok(recorded),
                },
            );
            let drawn = screen.draw_held(model);
            (then, drawn)
        },
    );
    drop(j);
    let not_recorded = |e: crate::journal::JournalError| Presented {
        answers: vec![Msg::Recorded {
            request,
            result: Err(e.to_string()),
        }],
        shown: false,
    };
    match done {
        Overlapped::NotStaged(e) => not_recorded(e),
        Overlapped::CommitFailed(e, _) => {
            screen.forget_held();
            before.restore(model);
            not_recorded(e)
        }
        Overlapped::Committed(_, (then, drawn)) => {
            // The bell (and the sync nudge) before the frame, as when the frame
            // is drawn after the commit: the confirmation never shows silent.
            let mut answers = Vec::new();
            for cmd in then {
                answers.extend(effects::execute(services, cmd, model.roster.as_ref()));
            }
            let shown = match drawn.and_then(|()| screen.show_held()) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!("showing the confirmation: {e}");
                    screen.forget_held();
                    false
                }
            };
            Presented { answers, shown }
        }
    }
}

/// The model before a punch's answer: all of it but the roster, and the
/// roster's states of the people the punch is for.
struct Before {
    model: Model,
    states: Vec<(PersonId, PunchState)>,
}

impl Before {
    fn of(model: &mut Model, drafts: &[EventDraft]) -> Self {
        // The roster (megabytes) is not copied: only what a punch changes of it.
        let roster = model.roster.take();
        let saved = model.clone();
        model.roster = roster;
        let states = model.roster.as_ref().map_or_else(Vec::new, |r| {
            drafts
                .iter()
                .map(|d| (d.subject, r.state(d.subject)))
                .collect()
        });
        Self {
            model: saved,
            states,
        }
    }

    fn restore(self, model: &mut Model) {
        let mut roster = model.roster.take();
        if let Some(r) = roster.as_mut() {
            // In reverse: a person named twice gets their first state back.
            for (person, state) in self.states.into_iter().rev() {
                r.set_state(person, state);
            }
        }
        *model = self.model;
        model.roster = roster;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use chrono::{DateTime, TimeZone, Utc};
    use ratatui::backend::TestBackend;
    use uuid::Uuid;

    use super::super::holding::screen_text;
    use super::super::{step, step_shown};
    use super::*;
    use crate::domain::{
        DeviceId, Directory, JobAccess, Method, OrgSettings, Person, Preset, Role, RoleId,
        TrackingMode,
    };
    use crate::journal::{Journal, JournalOptions};
    use crate::tui::input::KeyInput;
    use crate::tui::model::{DeviceInfo, Screen};
    use crate::tui::roster::Roster;
    use crate::tui::settings::ScreenSettings;
    use crate::wire::{OrgId, RosterEntry, RosterItem, RosterPerson, RosterResponse};

    const ANA: PersonId = PersonId(Uuid::from_u128(1));
    const DEVICE: DeviceId = DeviceId(Uuid::from_u128(2));
    const USER: RoleId = RoleId(Uuid::from_u128(3));

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
    }

    fn roster() -> Roster {
        let ana = Person {
            id: ANA,
            name: "Ana García".into(),
            badge: Some("1001".into()),
            mode: TrackingMode::Personal,
            team: None,
            role: USER,
            archived: false,
            jobs: JobAccess::All,
        };
        let directory = Directory::new(
            [ana],
            [Role::preset(Preset::User, USER)],
            [],
            [],
            OrgSettings::default(),
        );
        Roster::from_response(RosterResponse {
            org_id: OrgId(Uuid::from_u128(4)),
            device_id: DEVICE,
            version: "v1".into(),
            generated_at: now(),
            entries: vec![RosterEntry {
                group: None,
                item: RosterItem::Person(ANA),
            }],
            directory,
            people: vec![RosterPerson {
                id: ANA,
                state: PunchState::out(),
                pin_verifier: None,
            }],
        })
    }

    struct Kiosk {
        _dir: tempfile::TempDir,
        model: Model,
        services: Services,
        terminal: Terminal<HoldingBackend<TestBackend>>,
        bells: Arc<AtomicUsize>,
    }

    /// Ana on the Actions screen, her Enter about to clock her in.
    fn kiosk() -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open(dir.path(), JournalOptions::default()).unwrap();
        let (tx, _) = std::sync::mpsc::channel();
        let bells = Arc::new(AtomicUsize::new(0));
        let rung = bells.clone();
        let services = Services {
            journal: Arc::new(Mutex::new(journal)),
            device: DEVICE,
            pepper: "00".repeat(32),
            nudge: Box::new(|| {}),
            bell: Box::new(move || {
                rung.fetch_add(1, Ordering::SeqCst);
            }),
            tx,
            hub: None,
        };
        let device = DeviceInfo {
            id: DEVICE,
            name: "Front desk".into(),
            hub_url: "https://hub.example.org/".into(),
        };
        let mut model = Model::new(ScreenSettings::default(), device, now());
        update(&mut model, Msg::Roster(Ok(Box::new(roster()))));
        update(
            &mut model,
            Msg::Resize {
                width: 80,
                height: 24,
            },
        );
        model.screen = Screen::actions(ANA, Method::Badge, true);
        let mut terminal = Terminal::new(HoldingBackend::new(TestBackend::new(80, 24))).unwrap();
        terminal.draw(|f| view(&model, f)).unwrap();
        Kiosk {
            _dir: dir,
            model,
            services,
            terminal,
            bells,
        }
    }

    fn pending(k: &Kiosk) -> u64 {
        k.services.journal.lock().unwrap().pending_count()
    }

    #[test]
    fn a_punch_shows_the_frame_that_step_then_draw_would_show() {
        let mut shown = kiosk();
        let enter = Msg::Key(KeyInput::Enter);
        let Kiosk {
            terminal,
            model,
            services,
            ..
        } = &mut shown;
        assert!(step_shown(terminal, model, services, enter.clone()));
        assert!(!terminal.backend().is_holding());

        let mut drawn = kiosk();
        step(&mut drawn.model, &mut drawn.services, enter);
        drawn.terminal.draw(|f| view(&drawn.model, f)).unwrap();

        assert!(matches!(shown.model.screen, Screen::Confirm { .. }));
        assert_eq!(shown.model.screen, drawn.model.screen);
        assert_eq!(screen_text(&shown.terminal), screen_text(&drawn.terminal));
        assert!(screen_text(&shown.terminal).contains("Ana García"));
        assert_eq!(shown.bells.load(Ordering::SeqCst), 1);
        assert_eq!(pending(&shown), 1);
        // What is on the screen is what ratatui believes: a redraw changes nothing.
        let before = screen_text(&shown.terminal);
        shown.terminal.draw(|f| view(&shown.model, f)).unwrap();
        assert_eq!(screen_text(&shown.terminal), before);
    }

    #[test]
    fn a_failed_commit_never_shows_the_confirmation_and_takes_the_punch_back() {
        let mut k = kiosk();
        k.services.journal.lock().unwrap().fail_next_commit();
        let Kiosk {
            terminal,
            model,
            services,
            ..
        } = &mut k;
        let shown = step_shown(terminal, model, services, Msg::Key(KeyInput::Enter));
        assert!(!shown, "the red screen is still to be drawn");
        // Never drawn on the terminal; cleared, for the next frame to be drawn whole.
        assert!(
            screen_text(&k.terminal).trim().is_empty(),
            "{}",
            screen_text(&k.terminal)
        );
        assert!(k.model.not_recorded.is_some());
        assert!(!matches!(k.model.screen, Screen::Confirm { .. }));
        let state = k.model.roster.as_ref().unwrap().state(ANA);
        assert_eq!(state, PunchState::out(), "the screen's roster took it back");
        assert_eq!(pending(&k), 0);
        k.terminal.draw(|f| view(&k.model, f)).unwrap();
        assert!(screen_text(&k.terminal).contains("NOT RECORDED"));
        // Enter tries again, and this time the journal commits.
        let Kiosk {
            terminal,
            model,
            services,
            ..
        } = &mut k;
        assert!(step_shown(
            terminal,
            model,
            services,
            Msg::Key(KeyInput::Enter)
        ));
        assert!(matches!(k.model.screen, Screen::Confirm { .. }));
        assert!(screen_text(&k.terminal).contains("Ana García"));
        assert_eq!(pending(&k), 1);
    }
}
