//! The OpenAPI description of the devices and records side of the admin API:
//! devices and rosters, events, corrections, timesheets and the organisation
//! export, with the admin part's helpers and its own wording of the error
//! answers. Merged into the document by [`super::openapi::extend`].
//!
//! Guarantees: every path these files route is described, with the right it
//! needs, its parameters, request and answer schemas (the admin tests check
//! every `$ref` resolves).

use serde_json::{Value, json};

use super::openapi::{Errors, op_with, param, with_params};
use super::records::{NEXT_BEFORE, PAGE};
use super::reports::MAX_DAYS;
use crate::hub::openapi::{list_of, ok, schema};
use crate::wire::admin_records::MAX_EVENTS;
use crate::wire::{ENROLLMENT_CODE_HOURS, MAX_NAME_BYTES, MAX_TEXT_BYTES};

const ERRORS: Errors = Errors {
    bad_request: "malformed body or parameters, bad name, or a refused time or reason",
    forbidden: "refused by the rights and rank rules (or the date lock); the message says which",
    not_found: "no such device, person, team or event in the caller's organisation",
    conflict: "the device is revoked, or the person's state forbids it",
};

fn op(summary: &str, right: &str, request: Option<&str>, status: &str, answer: Value) -> Value {
    op_with(&ERRORS, summary, right, request, status, answer)
}

fn query(name: &str, required: bool, s: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": s, "description": description})
}

const CHANGE: &str = "manage_advanced_settings";
const READ: &str = "manage_advanced_settings or manage_users";
const REPORTS: &str = "view_own_reports for oneself, view_reports for lower ranks, \
     view_all_reports for everyone";

/// The paths.
pub fn paths() -> Value {
    let device = param("device", "the device's id or name");
    let date = json!({"type": "string", "format": "date"});
    let person = query(
        "person",
        false,
        json!({"type": "string"}),
        "one person's id or name",
    );
    json!({
        "/api/v1/admin/devices": {
            "get": op("The organisation's kiosks", READ, None, "200", ok("devices", list_of("Device"))),
            "post": op(&format!("Add a kiosk; its one-time enrollment code (valid {ENROLLMENT_CODE_HOURS} h) is shown once"),
                CHANGE, Some("NewDevice"), "201", ok("created", schema("DeviceCreated")))
        },
        "/api/v1/admin/devices/{device}": with_params(json!({
            "get": op("One kiosk", READ, None, "200", ok("the device", schema("Device"))),
            "patch": op("Rename a kiosk", CHANGE, Some("DevicePatch"), "200", ok("renamed", schema("Device")))
        }), device.clone()),
        "/api/v1/admin/devices/{device}/revoke": with_params(json!({
            "post": op("Revoke a kiosk: 401 on every device call from now on; its events stay",
                CHANGE, None, "200", ok("revoked", schema("Device")))
        }), device.clone()),
        "/api/v1/admin/devices/{device}/roster": with_params(json!({
            "get": op("A kiosk's roster, in the order it shows it", READ, None, "200", ok("the roster", schema("DeviceRoster"))),
            "put": op("Replace one group of a kiosk's roster (group absent: the entries in no group) with \
                the people, then the teams, in the order given, in the group's place; other groups stay; \
                nothing given removes the group", CHANGE, Some("SetRoster"), "200", ok("the roster now", schema("DeviceRoster")))
        }), device),
        "/api/v1/admin/events": {
            "get": with_params(
                op(&format!("Recorded events by time, corrections included, with each one's corrected time; \
                    at most {MAX_EVENTS} (a wider range is refused unless paged). With limit or before, one \
                    page: the latest events before `before`, oldest first; when older ones are left, the \
                    answer's header {NEXT_BEFORE} names the `before` of the next page"),
                    REPORTS, None, "200", ok("events", list_of("AdminEvent"))),
                json!([person,
                    query("from", false, date.clone(), "first local day, by each event's recorded time"),
                    query("to", false, date.clone(), "last local day, included"),
                    query("limit", false, json!({"type": "integer", "minimum": 1, "maximum": MAX_EVENTS}),
                        &format!("events in a page (default {PAGE} when `before` is given)")),
                    query("before", false, json!({"type": "string", "format": "uuid"}),
                        "only events before this event, in (time, sequence, id) order")]))
        },
        "/api/v1/admin/corrections": {
            "post": op("Correct a recorded event's time: a new event naming it; the original stays",
                "override_punch_mode and a higher rank (oneself: override_own_punch_mode); on a locked day also \
                override_date_lock (oneself: override_own_date_lock)",
                Some("NewCorrection"), "201", ok("the correction", schema("AdminEvent")))
        },
        "/api/v1/admin/reports/timesheet": {
            "get": with_params(
                op(&format!("Hours per person per day and per job, breaks excluded, corrected view; \
                        open shifts and anomalies; billable amount and cost at each day's rate. At most {MAX_DAYS} days"),
                        REPORTS, None, "200", json!({"description": "the timesheet",
                            "content": {
                                "application/json": {"schema": schema("Timesheet")},
                                "text/csv": {"schema": {"type": "string",
                                    "description": "format=csv: person_id,name,date,worked_hours,break_hours,billable,cost,flags; \
                                    format=jobs_csv: person_id,name,date,job_id,job,hours,billable,cost"}}
                            }})),
                json!([
                    query("from", true, date.clone(), "first day"),
                    query("to", true, date, "last day, included"),
                    query("person", false, json!({"type": "string"}), "one person's id or name"),
                    query("format", false, json!({"type": "string", "enum": ["json", "csv", "jobs_csv"], "default": "json"}), "answer format")
                ]))
        },
        "/api/v1/admin/export": {
            "get": op("The whole organisation as a tapin-org dump (version 1), the same as `tapin hub export`; audited",
                "export_data", None, "200", ok("the dump", schema("OrgDump")))
        }
    })
}

/// The schemas.
pub fn schemas() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    let time = json!({"type": "string", "format": "date-time"});
    let ntime = json!({"type": "string", "format": "date-time", "nullable": true});
    let date = json!({"type": "string", "format": "date"});
    let int = json!({"type": "integer"});
    let nint = json!({"type": "integer", "nullable": true});
    let nstr = json!({"type": "string", "nullable": true});
    let named = json!({"type": "object", "required": ["id", "name"],
        "properties": {"id": uuid, "name": {"type": "string"}}});
    let job_time = json!({"type": "object", "required": ["id", "name", "secs", "billable_cents", "cost_cents"],
        "properties": {"id": uuid, "name": nstr, "secs": int, "billable_cents": int, "cost_cents": int}});
    let timesheet = json!({"type": "object", "required": ["id", "from", "to", "generated_at", "people", "jobs", "open_shifts", "issues"],
            "properties": {"id": {"type": "string"}, "from": date, "to": date, "generated_at": time,
                "people": {"type": "array", "items": {"type": "object",
                    "required": ["id", "name", "worked_secs", "break_secs", "billable_cents", "cost_cents", "days", "jobs"],
                    "properties": {"id": uuid, "name": {"type": "string"}, "worked_secs": int, "break_secs": int,
                        "billable_cents": int, "cost_cents": int,
                        "days": {"type": "array", "items": {"type": "object",
                            "properties": {"id": {"type": "string", "description": "PERSON_ID/YYYY-MM-DD"},
                                "date": date, "worked_secs": int, "break_secs": int, "billable_cents": int,
                                "cost_cents": int, "rate_cents": nint, "cost_rate_cents": nint,
                                "open": {"type": "boolean"},
                                "flags": {"type": "array", "items": {"type": "string"}},
                                "jobs": {"type": "array", "items": job_time.clone()}}}},
                        "jobs": {"type": "array", "items": job_time.clone()}}}},
                "jobs": {"type": "array", "items": job_time},
                "open_shifts": {"type": "array", "items": {"type": "object",
                    "properties": {"id": uuid, "person": schema("PersonRef"), "since": time, "day": date}}},
                "issues": {"type": "array", "items": {"type": "object",
                    "properties": {"id": uuid, "person": schema("PersonRef"), "day": date,
                        "kind": {"type": "string"}, "late_by_secs": nint}}}}});
    json!({
        "NewDevice": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_BYTES}}},
        "DevicePatch": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_BYTES}}},
        "DeviceCreated": {"type": "object", "required": ["id", "name", "enrollment_code", "expires_at"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "enrollment_code": {"type": "string", "description": "one-time; shown this once"},
                "expires_at": time}},
        "Device": {"type": "object",
            "required": ["id", "name", "status", "created_at", "enrolled_at", "last_seen", "code_expires_at", "roster_entries"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "enrolled", "revoked"]},
                "created_at": time, "enrolled_at": ntime, "last_seen": ntime, "code_expires_at": ntime,
                "roster_entries": int}},
        "SetRoster": {"type": "object", "additionalProperties": false,
            "properties": {"group": {"type": "string"},
                "people": {"type": "array", "items": {"type": "string"}, "description": "ids or names"},
                "teams": {"type": "array", "items": {"type": "string"}, "description": "ids or names"}}},
        "DeviceRoster": {"type": "object", "required": ["id", "name", "entries"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "entries": {"type": "array", "items": {"type": "object",
                    "required": ["id", "type", "name", "group", "archived"],
                    "properties": {"id": uuid, "type": {"type": "string", "enum": ["person", "team"]},
                        "name": {"type": "string"}, "group": nstr, "archived": {"type": "boolean"}}}}}},
        "NewCorrection": {"type": "object", "additionalProperties": false, "required": ["event", "time", "reason"],
            "properties": {"event": uuid, "time": time,
                "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_BYTES}}},
        "AdminEvent": {"type": "object",
            "required": ["id", "person", "kind", "job", "at", "corrected_at", "utc_offset_secs", "received_at",
                "device", "seq", "actor", "actor_name", "method", "corrects", "new_time", "reason", "note",
                "needs_review", "anomaly"],
            "properties": {"id": uuid, "person": named.clone(),
                "kind": {"type": "string", "enum": ["clock_in", "clock_out", "break_start", "break_end",
                    "check_in", "check_out", "correction"]},
                "job": {"type": "object", "nullable": true, "properties": {"id": uuid, "name": {"type": "string"}}},
                "at": time, "corrected_at": time, "utc_offset_secs": int, "received_at": time,
                "device": named, "seq": int,
                "actor": {"type": "object", "properties": {"type": {"type": "string", "enum": ["person", "kiosk"]}, "id": uuid}},
                "actor_name": nstr,
                "method": {"type": "string"}, "corrects": {"type": "string", "format": "uuid", "nullable": true},
                "new_time": ntime, "reason": nstr, "note": nstr, "needs_review": {"type": "boolean"},
                "anomaly": nstr}},
        "Timesheet": timesheet,
        "OrgDump": {"type": "object",
            "required": ["format", "version", "org", "roles", "teams", "people", "team_members", "jobs",
                "person_jobs", "devices", "enrollment_codes", "roster_entries", "rates", "tokens", "events", "audit"],
            "description": "every row of the organisation, as stored (see crate::wire::org_dump)",
            "properties": {"format": {"type": "string", "enum": ["tapin-org"]},
                "version": {"type": "integer", "enum": [1]}, "org": {"type": "object"}}}
    })
}
