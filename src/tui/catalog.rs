//! Every string the kiosk shows, in English and Spanish (kiosk.toml
//! `[kiosk] language`). Templates use `{}` placeholders filled in order by
//! [`fill`]; outside strings passed in are sanitized by the views, not here.

use serde::Deserialize;

use crate::domain::{Refusal, Who};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

/// One language's strings.
#[derive(Debug)]
pub struct Catalog {
    pub prompt: &'static str,
    pub all_tab: &'static str,
    pub status_out: &'static str,
    pub status_in: &'static str,
    pub status_break: &'static str,
    /// `{}`: the job.
    pub status_job: &'static str,
    pub online: &'static str,
    pub connecting: &'static str,
    /// `{}`: HH:MM.
    pub offline_since: &'static str,
    /// `{}`: a count.
    pub pending: &'static str,
    pub parked: &'static str,
    pub revoked: &'static str,
    /// `{}`: seconds.
    pub clock_skew: &'static str,
    pub search_title: &'static str,
    pub search_hint: &'static str,
    pub no_match: &'static str,
    pub pin_title: &'static str,
    pub pin_hint: &'static str,
    pub checking_pin: &'static str,
    /// `{}`: tries left.
    pub wrong_pin: &'static str,
    /// `{}`: HH:MM.
    pub pin_locked: &'static str,
    pub no_pin: &'static str,
    pub unknown_badge: &'static str,
    pub bad_scan: &'static str,
    pub actions_title: &'static str,
    pub actions_hint: &'static str,
    pub clock_in: &'static str,
    pub clock_out: &'static str,
    pub break_start: &'static str,
    pub break_end: &'static str,
    pub check_in: &'static str,
    pub switch_job: &'static str,
    pub check_out: &'static str,
    pub crew: &'static str,
    pub missed_punch: &'static str,
    pub pick_job: &'static str,
    pub no_jobs: &'static str,
    pub recording: &'static str,
    pub done: &'static str,
    /// `{}`: hours.
    pub today: &'static str,
    pub week: &'static str,
    pub next_person: &'static str,
    pub not_recorded: &'static str,
    pub tell_supervisor: &'static str,
    pub not_recorded_hint: &'static str,
    pub not_set_up: &'static str,
    pub not_set_up_hint: &'static str,
    pub waiting_roster: &'static str,
    /// `{}` `{}`: the minimum and the current size.
    pub enlarge: &'static str,
    pub crew_title: &'static str,
    pub crew_hint: &'static str,
    pub crew_clock_in: &'static str,
    pub crew_clock_out: &'static str,
    pub crew_start_job: &'static str,
    pub crew_stop_job: &'static str,
    pub crew_check_out_member: &'static str,
    /// `{}`: the day and time.
    pub missed_question: &'static str,
    pub missed_hint: &'static str,
    pub missed_reason: &'static str,
    pub bad_time: &'static str,
    pub admin_title: &'static str,
    pub admin_login: &'static str,
    pub not_admin: &'static str,
    pub admin_menu: &'static str,
    pub admin_queue: &'static str,
    pub admin_no_parked: &'static str,
    pub admin_device: &'static str,
    pub admin_exit_confirm: &'static str,
    pub weekdays: [&'static str; 7],
    pub months: [&'static str; 12],
}

pub const EN: Catalog = Catalog {
    prompt: "Scan your badge, type your name, or tap",
    all_tab: "Everyone",
    status_out: "out",
    status_in: "in",
    status_break: "on break",
    status_job: "on {}",
    online: "online",
    connecting: "connecting",
    offline_since: "offline since {}",
    pending: "{} pending",
    parked: "{} parked",
    revoked: "device revoked: tell an admin",
    clock_skew: "clock off by {} s",
    search_title: "Who are you?",
    search_hint: "Type your name · ↑↓ choose · Enter select · Esc back",
    no_match: "Nobody matches. Check the spelling, or scan your badge.",
    pin_title: "Enter your PIN",
    pin_hint: "Digits, then Enter · Backspace corrects · Esc back",
    checking_pin: "Checking…",
    wrong_pin: "Wrong PIN. {} tries left.",
    pin_locked: "Too many wrong PINs. Try again at {}, or ask a supervisor.",
    no_pin: "You have no PIN yet. Ask an admin, or scan your badge.",
    unknown_badge: "This badge is not on this device. Ask an admin.",
    bad_scan: "Badge not read. Scan again.",
    actions_title: "What do you want to do?",
    actions_hint: "Enter: the first · number keys · tap · Esc back",
    clock_in: "Clock in",
    clock_out: "Clock out",
    break_start: "Start break",
    break_end: "End break",
    check_in: "Check in to a job",
    switch_job: "Switch job",
    check_out: "Check out of the job",
    crew: "My crew",
    missed_punch: "Report a missed punch",
    pick_job: "Pick a job (type to search)",
    no_jobs: "No jobs you can check in to. Ask an admin.",
    recording: "Recording…",
    done: "Done",
    today: "Today {}",
    week: "This week {}",
    next_person: "Press any key for the next person",
    not_recorded: "NOT RECORDED",
    tell_supervisor: "Tell your supervisor",
    not_recorded_hint: "Enter: try again · any other key: back",
    not_set_up: "This kiosk is not set up yet",
    not_set_up_hint: "It has no list of people and cannot reach the hub. Ask an admin.",
    waiting_roster: "Waiting for the list of people from the hub…",
    enlarge: "Please enlarge the terminal to at least {} (now {}).",
    crew_title: "Your crew",
    crew_hint: "Space/tap: select · ↑↓ move · a: all · Esc back",
    crew_clock_in: "Clock selected in",
    crew_clock_out: "Clock selected out",
    crew_start_job: "Start a job for the crew",
    crew_stop_job: "Stop the job",
    crew_check_out_member: "Check this one out",
    missed_question: "You are still clocked in since {}. When did you leave?",
    missed_hint: "Type the time as HHMM, then Enter · Esc: I am still here",
    missed_reason: "reported at the kiosk",
    bad_time: "That is not a time. Type four digits, like 1730.",
    admin_title: "Admin",
    admin_login: "Admin: scan your badge or type your name",
    not_admin: "Only an administrator can open this screen.",
    admin_menu: "1 queue · 2 device · 3 exit the kiosk · Esc back",
    admin_queue: "Refused by the hub (r: retry the selected one)",
    admin_no_parked: "No refused events.",
    admin_device: "Device",
    admin_exit_confirm: "Press Enter to exit the kiosk, any other key to stay.",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

pub const ES: Catalog = Catalog {
    prompt: "Pase su tarjeta, escriba su nombre o toque",
    all_tab: "Todos",
    status_out: "fuera",
    status_in: "dentro",
    status_break: "en pausa",
    status_job: "en {}",
    online: "en línea",
    connecting: "conectando",
    offline_since: "sin conexión desde {}",
    pending: "{} pendientes",
    parked: "{} rechazados",
    revoked: "dispositivo revocado: avise a un administrador",
    clock_skew: "reloj desviado {} s",
    search_title: "¿Quién es usted?",
    search_hint: "Escriba su nombre · ↑↓ elegir · Enter seleccionar · Esc volver",
    no_match: "Nadie coincide. Revise el nombre o pase su tarjeta.",
    pin_title: "Escriba su PIN",
    pin_hint: "Dígitos y Enter · Retroceso corrige · Esc volver",
    checking_pin: "Comprobando…",
    wrong_pin: "PIN incorrecto. Quedan {} intentos.",
    pin_locked: "Demasiados PIN incorrectos. Vuelva a las {} o pida ayuda a un supervisor.",
    no_pin: "Aún no tiene PIN. Pídalo a un administrador o pase su tarjeta.",
    unknown_badge: "Esta tarjeta no está en este dispositivo. Avise a un administrador.",
    bad_scan: "Tarjeta no leída. Pásela de nuevo.",
    actions_title: "¿Qué desea hacer?",
    actions_hint: "Enter: la primera · teclas numéricas · toque · Esc volver",
    clock_in: "Fichar entrada",
    clock_out: "Fichar salida",
    break_start: "Empezar pausa",
    break_end: "Terminar pausa",
    check_in: "Entrar en un trabajo",
    switch_job: "Cambiar de trabajo",
    check_out: "Salir del trabajo",
    crew: "Mi equipo",
    missed_punch: "Informar de un fichaje olvidado",
    pick_job: "Elija un trabajo (escriba para buscar)",
    no_jobs: "No hay trabajos para usted. Avise a un administrador.",
    recording: "Registrando…",
    done: "Hecho",
    today: "Hoy {}",
    week: "Esta semana {}",
    next_person: "Pulse una tecla para la siguiente persona",
    not_recorded: "NO REGISTRADO",
    tell_supervisor: "Avise a su supervisor",
    not_recorded_hint: "Enter: reintentar · otra tecla: volver",
    not_set_up: "Este quiosco aún no está configurado",
    not_set_up_hint: "No tiene lista de personas y no llega al servidor. Avise a un administrador.",
    waiting_roster: "Esperando la lista de personas del servidor…",
    enlarge: "Agrande la terminal al menos a {} (ahora {}).",
    crew_title: "Su equipo",
    crew_hint: "Espacio/toque: marcar · ↑↓ mover · a: todos · Esc volver",
    crew_clock_in: "Fichar entrada a los marcados",
    crew_clock_out: "Fichar salida a los marcados",
    crew_start_job: "Empezar un trabajo para el equipo",
    crew_stop_job: "Parar el trabajo",
    crew_check_out_member: "Sacar a este del trabajo",
    missed_question: "Sigue con la entrada fichada desde {}. ¿Cuándo salió?",
    missed_hint: "Escriba la hora como HHMM y Enter · Esc: sigo aquí",
    missed_reason: "informado en el quiosco",
    bad_time: "Eso no es una hora. Escriba cuatro dígitos, como 1730.",
    admin_title: "Administración",
    admin_login: "Administración: pase su tarjeta o escriba su nombre",
    not_admin: "Solo un administrador puede abrir esta pantalla.",
    admin_menu: "1 cola · 2 dispositivo · 3 salir del quiosco · Esc volver",
    admin_queue: "Rechazados por el servidor (r: reintentar el elegido)",
    admin_no_parked: "Ningún evento rechazado.",
    admin_device: "Dispositivo",
    admin_exit_confirm: "Pulse Enter para salir del quiosco, otra tecla para seguir.",
    weekdays: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
};

impl Language {
    pub fn catalog(self) -> &'static Catalog {
        match self {
            Language::En => &EN,
            Language::Es => &ES,
        }
    }
}

/// `template` with each `{}` replaced by the next of `args`.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(args.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// A refusal in the kiosk's language. The domain words refusals in English; the
/// ones a person meets at a kiosk are translated, the rest (admin-side) stay.
pub fn refusal(lang: Language, r: &Refusal) -> String {
    if lang == Language::En {
        return r.to_string();
    }
    let es = |who: &Who, you: &str, named: &str| match who {
        Who::You => you.to_owned(),
        Who::Named(n) => fill(named, &[n]),
    };
    match r {
        Refusal::AlreadyClockedIn { who } => es(
            who,
            "Ya tiene la entrada fichada.",
            "{} ya tiene la entrada fichada.",
        ),
        Refusal::NotClockedIn { who } => es(
            who,
            "No tiene la entrada fichada.",
            "{} no tiene la entrada fichada.",
        ),
        Refusal::CheckInNeedsClockIn { who } => es(
            who,
            "Primero fiche la entrada.",
            "{} debe fichar la entrada primero.",
        ),
        Refusal::OnBreak { who } => es(
            who,
            "Está en pausa. Termine la pausa primero.",
            "{} está en pausa.",
        ),
        Refusal::AlreadyOnBreak { who } => es(who, "Ya está en pausa.", "{} ya está en pausa."),
        Refusal::NotOnBreak { who } => es(who, "No está en pausa.", "{} no está en pausa."),
        Refusal::NotCheckedIn { who } => es(
            who,
            "No está en ningún trabajo.",
            "{} no está en ningún trabajo.",
        ),
        Refusal::TeamMemberSelfPunch => "Su jefe de equipo le ficha. Pregunte a su jefe.".into(),
        Refusal::JobNotAssigned { job, .. } => fill(
            "No tiene asignado el trabajo \"{}\". Pida acceso a un administrador.",
            &[job],
        ),
        Refusal::NoCrewClockedIn { job } => fill(
            "Nadie de su equipo tiene la entrada fichada; nadie puede empezar \"{}\".",
            &[job],
        ),
        Refusal::NoMembersChosen => "Marque al menos a una persona del equipo.".into(),
        Refusal::FutureTime => "Esa hora aún no ha llegado. Escriba una hora pasada.".into(),
        Refusal::BeforeLastPunch { .. } => {
            "Esa hora es anterior al último fichaje. Escriba una hora posterior.".into()
        }
        _ => r.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_in_order_and_tolerates_missing_args() {
        assert_eq!(fill("a {} b {}", &["1", "2"]), "a 1 b 2");
        assert_eq!(fill("a {} b {}", &["1"]), "a 1 b ");
        assert_eq!(fill("plain", &["x"]), "plain");
    }

    #[test]
    fn spanish_refusals_differ_from_english() {
        let r = Refusal::AlreadyClockedIn { who: Who::You };
        assert_ne!(refusal(Language::Es, &r), refusal(Language::En, &r));
        assert_eq!(refusal(Language::En, &r), r.to_string());
    }
}
