//! The device-wide wait on privileged PINs (the Admin screen and a supervisor's
//! override): on top of each person's own lockout, every wrong privileged PIN
//! makes the next one wait longer (domain `PrivilegedPinGate`). The gate is read
//! from the journal when a privileged PIN pad opens and written back after each
//! answer, so a restart does not reset it.

use chrono::{DateTime, Utc};

use super::super::model::{Model, Notice, Purpose, Screen};
use super::super::msg::Cmd;
use crate::domain::PrivilegedPinGate;

/// Whether a PIN typed for `purpose` opens more than the person's own punches.
pub(super) fn is_privileged(purpose: Purpose) -> bool {
    matches!(purpose, Purpose::Admin | Purpose::Override { .. })
}

fn on_privileged_pad(model: &Model) -> bool {
    matches!(&model.screen, Screen::Pin { purpose, .. } if is_privileged(*purpose))
}

/// The gate as the journal has it: shown at once if it is closed. An unreadable
/// journal keeps the gate already known.
pub(super) fn loaded(model: &mut Model, gate: Option<PrivilegedPinGate>) -> Vec<Cmd> {
    let Some(gate) = gate.or(model.privileged_gate) else {
        return Vec::new();
    };
    model.privileged_gate = Some(gate);
    if on_privileged_pad(model)
        && let Some(until) = gate.waiting(model.now)
    {
        model.notice = Some(Notice::PrivilegedWait { until });
    }
    Vec::new()
}

/// Until when a PIN for `purpose` must not even be checked, if it must wait.
pub(super) fn wait(model: &Model, purpose: Purpose) -> Option<DateTime<Utc>> {
    if !is_privileged(purpose) {
        return None;
    }
    model.privileged_gate?.waiting(model.now)
}

/// After a privileged PIN was checked: the new gate, stored in the journal when
/// it changed, and the time the next try must wait for, if it must.
pub(super) fn answered(model: &mut Model, right: bool) -> (Vec<Cmd>, Option<DateTime<Utc>>) {
    let before = model.privileged_gate.unwrap_or_default();
    let after = if right {
        before.succeeded()
    } else {
        before.failed(model.now)
    };
    model.privileged_gate = Some(after);
    let save = if after == before {
        Vec::new()
    } else {
        vec![Cmd::SavePrivilegedGate(after)]
    };
    (save, after.waiting(model.now))
}
