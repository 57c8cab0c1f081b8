//! The admin API's part of the OpenAPI document: every `/api/v1/admin/...` path
//! and its schemas, merged into [`crate::hub::openapi::document`] by [`extend`].
//!
//! Guarantees: every admin route (see [`super::routes`]) is described, here or in
//! `openapi_records` (a test checks it); each operation lists the admin security
//! scheme and its 401/403 answers.

use serde_json::{Value, json};

use super::openapi_records;
use crate::hub::openapi::{error_response, list_of, merge_at, ok, schema};
use crate::wire::admin::{MAX_AUDIT_ROWS, MAX_BADGE_CHARS, MAX_NAME_CHARS};

/// How one part of the admin API words the error answers every admin call may
/// give (the 401 is the same everywhere).
pub(super) struct Errors {
    pub bad_request: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    pub conflict: &'static str,
}

const ERRORS: Errors = Errors {
    bad_request: "malformed body, bad name (control characters, too long) or ambiguous name",
    forbidden: "refused by the rights and rank rules; the message says which",
    not_found: "no such person, role, team, job or token in the caller's organisation",
    conflict: "the name or badge is already in use",
};

/// An operation: summary, right needed, request body, success answer, and the
/// error answers every admin call may give, worded by `errors`.
pub(super) fn op_with(
    errors: &Errors,
    summary: &str,
    right: &str,
    request: Option<&str>,
    status: &str,
    answer: Value,
) -> Value {
    let mut o = json!({
        "summary": summary,
        "description": format!("Needs: {right}."),
        "security": [{"admin": []}],
        "responses": {
            status: answer,
            "400": error_response(errors.bad_request),
            "401": error_response("missing, unknown or revoked admin token, or its person is archived"),
            "403": error_response(errors.forbidden),
            "404": error_response(errors.not_found),
            "409": error_response(errors.conflict)
        }
    });
    if let (Some(name), Some(map)) = (request, o.as_object_mut()) {
        map.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": schema(name)}}}),
        );
    }
    o
}

fn op(summary: &str, right: &str, request: Option<&str>, status: &str, answer: Value) -> Value {
    op_with(&ERRORS, summary, right, request, status, answer)
}

/// A path parameter (an id or a name).
pub(super) fn param(name: &str, description: &str) -> Value {
    json!([{"name": name, "in": "path", "required": true, "schema": {"type": "string"},
        "description": description}])
}

/// `item` with its `parameters`.
pub(super) fn with_params(mut item: Value, params: Value) -> Value {
    if let Some(map) = item.as_object_mut() {
        map.insert("parameters".into(), params);
    }
    item
}

fn paths() -> Value {
    let person = param("person", "the person's id or name");
    let role = param("role", "the role's id or name");
    let team = param("team", "the team's id or name");
    let job = param("job", "the job's id or name");
    json!({
        "/api/v1/admin/whoami": {"get": op("The token's person, role and organisation", "any admin token", None, "200", ok("the caller", schema("WhoAmI")))},
        "/api/v1/admin/orgs": {"post": op("Add an organisation with every preset role and its Top manager; the Top manager's token is shown once", "administer_site", Some("NewOrg"), "201", ok("created", schema("OrgCreated")))},
        "/api/v1/admin/settings": {"get": op("The organisation's settings", "any person of the organisation", None, "200", ok("settings", schema("OrgSettings")))},
        "/api/v1/admin/settings/date-lock": {"put": op("Set or lift the date lock", "manage_advanced_settings", Some("SetDateLock"), "200", ok("settings", schema("OrgSettings")))},
        "/api/v1/admin/people": {
            "get": with_params(op("People, by name", "view_users", None, "200", ok("people", list_of("Person"))),
                json!([{"name": "status", "in": "query", "required": false,
                    "schema": {"type": "string", "enum": ["active", "archived", "all"], "default": "active"}}])),
            "post": op("Add a person", "manage_users, and a role ranking below one's own", Some("NewPerson"), "201", ok("created", schema("Person")))
        },
        "/api/v1/admin/people/{person}": with_params(json!({
            "get": op("One person", "view_users", None, "200", ok("the person", schema("Person"))),
            "patch": op("Change a person (absent fields stay, null clears)", "manage_users on a lower rank (oneself: manage_own_account, not one's role)", Some("PersonPatch"), "200", ok("changed", schema("Person")))
        }), person.clone()),
        "/api/v1/admin/people/{person}/archive": with_params(json!({
            "post": op("Archive: leaves every roster, cannot punch or sign in, keeps all data", "manage_users on a lower rank", None, "200", ok("archived", schema("Person")))
        }), person.clone()),
        "/api/v1/admin/people/{person}/unarchive": with_params(json!({
            "post": op("Unarchive", "manage_users on a lower rank", None, "200", ok("restored", schema("Person")))
        }), person),
        "/api/v1/admin/roles": {
            "get": op("Roles, highest rank first", "view_users", None, "200", ok("roles", list_of("Role"))),
            "post": op("Add a custom role", "manage_roles; rank below one's own; only rights one holds", Some("NewRole"), "201", ok("created", schema("Role")))
        },
        "/api/v1/admin/roles/{role}": with_params(json!({
            "patch": op("Change a role (not a fixed one)", "manage_roles on a role ranking below one's own", Some("RolePatch"), "200", ok("changed", schema("Role"))),
            "delete": op("Remove a role nobody has", "manage_roles on a role ranking below one's own", None, "200", ok("removed", schema("Role")))
        }), role),
        "/api/v1/admin/teams": {
            "get": op("Teams with their crews", "view_users", None, "200", ok("teams", list_of("Team"))),
            "post": op("Add a team", "manage_users, and to manage the lead and each member", Some("NewTeam"), "201", ok("created", schema("Team")))
        },
        "/api/v1/admin/teams/{team}": with_params(json!({
            "patch": op("Change a team's name, lead or crew", "manage_users, and to manage each person who joins or leaves", Some("TeamPatch"), "200", ok("changed", schema("Team")))
        }), team),
        "/api/v1/admin/jobs": {
            "get": op("Jobs, archived too", "manage_projects", None, "200", ok("jobs", list_of("Job"))),
            "post": op("Add a job", "manage_projects", Some("NewJob"), "201", ok("created", schema("Job")))
        },
        "/api/v1/admin/jobs/{job}": with_params(json!({
            "patch": op("Rename a job", "manage_projects", Some("JobPatch"), "200", ok("changed", schema("Job")))
        }), job.clone()),
        "/api/v1/admin/jobs/{job}/archive": with_params(json!({
            "post": op("Archive a job: no new check-ins, past ones stay", "manage_projects", None, "200", ok("archived", schema("Job")))
        }), job.clone()),
        "/api/v1/admin/jobs/{job}/unarchive": with_params(json!({
            "post": op("Unarchive a job", "manage_projects", None, "200", ok("restored", schema("Job")))
        }), job.clone()),
        "/api/v1/admin/jobs/{job}/assign": with_params(json!({
            "post": op("Give a job to people, or to everyone the caller may manage", "manage_projects, and to manage each person", Some("AssignJob"), "200", ok("whose access changed", schema("JobAssigned")))
        }), job),
        "/api/v1/admin/tokens": {
            "get": op("One's own tokens and those of people one may manage (no secrets)", "any admin token", None, "200", ok("tokens", list_of("Token"))),
            "post": op("Make an admin token for a person; shown once", "manage_users on a lower rank (oneself: manage_own_account)", Some("NewToken"), "201", ok("created", schema("TokenCreated")))
        },
        "/api/v1/admin/tokens/{token}": with_params(json!({
            "delete": op("Revoke a token", "one's own; or manage_users on its person's lower rank", None, "200", ok("revoked", schema("Token")))
        }), param("token", "the token's id")),
        "/api/v1/admin/rates": {
            "get": with_params(op("Rate periods", "manage_rates", None, "200", ok("rates", list_of("Rate"))),
                json!([{"name": "person", "in": "query", "required": false, "schema": {"type": "string"},
                    "description": "one person's id or name"}])),
            "post": op("Set a person's rate and cost from a day on", "manage_rates, and to manage the person", Some("SetRate"), "201", ok("set", schema("Rate")))
        },
        "/api/v1/admin/audit": {
            "get": with_params(op("The audit trail, newest first", "manage_users", None, "200", ok("rows", list_of("AuditRow"))),
                json!([
                    {"name": "limit", "in": "query", "required": false,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_AUDIT_ROWS, "default": 100}},
                    {"name": "before", "in": "query", "required": false,
                        "schema": {"type": "string", "format": "uuid"}, "description": "rows older than this one"}
                ]))
        }
    })
}

fn schemas() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    let name = json!({"type": "string", "minLength": 1, "maxLength": MAX_NAME_CHARS,
        "description": "printable text, no control characters"});
    let reference = json!({"type": "string", "description": "an id, or an exact name"});
    let date = json!({"type": "string", "format": "date"});
    let time = json!({"type": "string", "format": "date-time"});
    let mode =
        json!({"type": "string", "enum": ["personal", "individual", "team_lead", "team_member"]});
    let rights = json!({"type": "array", "items": {"type": "string"},
        "description": "right names, e.g. track_own_time, manage_users"});
    let person_ref = json!({"type": "object", "required": ["id", "name"],
        "properties": {"id": uuid, "name": {"type": "string"}}});
    json!({
        "PersonRef": person_ref,
        "WhoAmI": {"type": "object", "required": ["id", "name", "org_id", "role", "token_id"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "org_id": {"type": "string", "format": "uuid", "nullable": true,
                    "description": "null for the site Administrator"},
                "role": schema("Role"), "token_id": uuid}},
        "NewOrg": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {"name": name, "top_manager": name}},
        "OrgCreated": {"type": "object", "required": ["id", "name", "top_manager", "token"],
            "properties": {"id": uuid, "name": {"type": "string"}, "top_manager": schema("PersonRef"),
                "token": schema("TokenCreated")}},
        "OrgSettings": {"type": "object", "required": ["id", "name", "date_lock", "utc_offset_secs"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "date_lock": {"type": "string", "format": "date", "nullable": true},
                "utc_offset_secs": {"type": "integer"}}},
        "SetDateLock": {"type": "object", "additionalProperties": false, "required": ["date"],
            "properties": {"date": {"type": "string", "format": "date", "nullable": true}}},
        "Person": {"type": "object",
            "required": ["id", "name", "mode", "role", "team", "badge", "has_badge", "has_pin", "archived", "all_jobs", "jobs"],
            "properties": {"id": uuid, "name": {"type": "string"}, "mode": mode,
                "role": {"type": "object", "properties": {"id": uuid, "name": {"type": "string"}, "rank": {"type": "integer"}}},
                "team": {"type": "object", "nullable": true, "properties": {"id": uuid, "name": {"type": "string"}}},
                "badge": {"type": "string", "nullable": true,
                    "description": "shown only to those who may manage the person"},
                "has_badge": {"type": "boolean"}, "has_pin": {"type": "boolean"},
                "archived": {"type": "boolean"}, "all_jobs": {"type": "boolean"},
                "jobs": {"type": "array", "items": uuid}}},
        "NewPerson": {"type": "object", "additionalProperties": false, "required": ["name", "role"],
            "properties": {"name": name, "mode": mode, "role": reference, "team": reference,
                "badge": {"type": "string", "maxLength": MAX_BADGE_CHARS},
                "pin": {"type": "string", "pattern": "^[0-9]{4,12}$", "writeOnly": true},
                "all_jobs": {"type": "boolean"}, "jobs": {"type": "array", "items": reference}}},
        "PersonPatch": {"type": "object", "additionalProperties": false,
            "properties": {"name": name, "mode": mode, "role": reference,
                "team": {"type": "string", "nullable": true},
                "badge": {"type": "string", "nullable": true, "maxLength": MAX_BADGE_CHARS},
                "pin": {"type": "string", "nullable": true, "pattern": "^[0-9]{4,12}$", "writeOnly": true},
                "all_jobs": {"type": "boolean"}, "jobs": {"type": "array", "items": reference}}},
        "Role": {"type": "object", "required": ["id", "name", "rank", "rights", "fixed", "preset", "people"],
            "properties": {"id": uuid, "name": {"type": "string"}, "rank": {"type": "integer"},
                "rights": rights, "fixed": {"type": "boolean"},
                "preset": {"type": "string", "nullable": true}, "people": {"type": "integer"}}},
        "NewRole": {"type": "object", "additionalProperties": false, "required": ["name", "rank"],
            "properties": {"name": name, "rank": {"type": "integer"}, "rights": rights}},
        "RolePatch": {"type": "object", "additionalProperties": false,
            "properties": {"name": name, "rank": {"type": "integer"}, "rights": rights}},
        "Team": {"type": "object", "required": ["id", "name", "lead", "members"],
            "properties": {"id": uuid, "name": {"type": "string"}, "lead": schema("PersonRef"),
                "members": {"type": "array", "items": schema("PersonRef")}}},
        "NewTeam": {"type": "object", "additionalProperties": false, "required": ["name", "lead"],
            "properties": {"name": name, "lead": reference, "members": {"type": "array", "items": reference}}},
        "TeamPatch": {"type": "object", "additionalProperties": false,
            "properties": {"name": name, "lead": reference, "members": {"type": "array", "items": reference}}},
        "Job": {"type": "object", "required": ["id", "name", "archived"],
            "properties": {"id": uuid, "name": {"type": "string"}, "archived": {"type": "boolean"}}},
        "NewJob": {"type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {"name": name}},
        "JobPatch": {"type": "object", "additionalProperties": false, "properties": {"name": name}},
        "AssignJob": {"type": "object", "additionalProperties": false,
            "properties": {"people": {"type": "array", "items": reference}, "all": {"type": "boolean"}}},
        "JobAssigned": {"type": "object", "required": ["id", "name", "people"],
            "properties": {"id": uuid, "name": {"type": "string"},
                "people": {"type": "array", "items": schema("PersonRef")}}},
        "NewToken": {"type": "object", "additionalProperties": false, "required": ["person"],
            "properties": {"person": reference}},
        "TokenCreated": {"type": "object", "required": ["id", "person", "token"],
            "properties": {"id": uuid, "person": schema("PersonRef"),
                "token": {"type": "string", "description": "shown once; send as Authorization: Bearer TOKEN"}}},
        "Token": {"type": "object", "required": ["id", "person", "created_at", "revoked", "revoked_at"],
            "properties": {"id": uuid, "person": schema("PersonRef"), "created_at": time,
                "revoked": {"type": "boolean"},
                "revoked_at": {"type": "string", "format": "date-time", "nullable": true}}},
        "SetRate": {"type": "object", "additionalProperties": false,
            "required": ["person", "from", "rate_cents", "cost_cents"],
            "properties": {"person": reference, "from": date,
                "rate_cents": {"type": "integer", "minimum": 0}, "cost_cents": {"type": "integer", "minimum": 0}}},
        "Rate": {"type": "object", "required": ["id", "person", "from", "rate_cents", "cost_cents"],
            "properties": {"id": {"type": "string", "description": "PERSON_ID/YYYY-MM-DD"},
                "person": schema("PersonRef"), "from": date,
                "rate_cents": {"type": "integer"}, "cost_cents": {"type": "integer"}}},
        "AuditRow": {"type": "object", "required": ["id", "at", "actor", "actor_name", "action", "target", "detail"],
            "properties": {"id": uuid, "at": time, "actor": uuid,
                "actor_name": {"type": "string", "nullable": true},
                "action": {"type": "string", "example": "person.add"},
                "target": {"type": "string", "nullable": true},
                "detail": {"type": "object"}}}
    })
}

/// Adds the admin paths, schemas and security scheme to `doc`.
pub fn extend(doc: &mut Value) {
    let scheme = json!({"admin": {"type": "http", "scheme": "bearer",
        "description": "an admin token (tapin hub init, org add, token create); acts with its person's role"}});
    merge_at(doc, "/components/securitySchemes", scheme);
    merge_at(doc, "/components/schemas", schemas());
    merge_at(doc, "/components/schemas", openapi_records::schemas());
    merge_at(doc, "/paths", paths());
    merge_at(doc, "/paths", openapi_records::paths());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_path_is_described_with_its_refs_resolving() {
        let mut doc = json!({"components": {"schemas": {"Error": {}}}, "paths": {}});
        extend(&mut doc);
        for (path, _) in super::super::routes() {
            assert!(doc["paths"].get(path).is_some(), "{path} missing");
        }
        let text = doc.to_string();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("#/components/schemas/") {
            rest = &rest[i + "#/components/schemas/".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                doc["components"]["schemas"].get(&name).is_some(),
                "schema {name} missing"
            );
        }
    }
}
