//! The OpenAPI 3 description of every hub endpoint, served at
//! `/api/v1/openapi.json`. Hand-maintained beside the handlers; a test checks that
//! the paths described are exactly the paths routed (`crate::hub::app`'s table).

use serde_json::{Value, json};

use crate::wire::{MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_NAME_BYTES, MAX_TEXT_BYTES};

/// The paths of the device API and the hub's own endpoints (the admin API's are
/// in `api::admin`); the test checks each is routed.
pub const PATHS: &[&str] = &[
    "/api/v1/enroll",
    "/api/v1/device/events",
    "/api/v1/device/time",
    "/api/v1/device/roster",
    "/api/v1/device/roster/changes",
    "/api/v1/device/roster/candidates",
    "/api/v1/openapi.json",
    "/healthz",
    "/metrics",
];

/// `{"$ref": ...}` to the schema `name` of the document's components.
pub(crate) fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// An answer with a JSON body of schema `s`.
pub(crate) fn ok(description: &str, s: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": s}}})
}

/// An array of the schema `name`.
pub(crate) fn list_of(name: &str) -> Value {
    json!({"type": "array", "items": schema(name)})
}

/// An error answer: a JSON `Error` body.
pub(crate) fn error_response(description: &str) -> Value {
    ok(description, schema("Error"))
}

fn device_errors() -> Value {
    json!({
        "401": error_response("missing, unknown or revoked device token"),
        "429": {
            "description": "over the device's rate; retry after the given seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
    })
}

/// Adds the members of the object `extra` to the object at `pointer` in `doc`
/// (`""`: `doc` itself); nothing when there is no object there.
pub(crate) fn merge_at(doc: &mut Value, pointer: &str, extra: Value) {
    if let (Some(Value::Object(target)), Value::Object(extra)) = (doc.pointer_mut(pointer), extra) {
        target.extend(extra);
    }
}

fn merge(mut base: Value, extra: Value) -> Value {
    merge_at(&mut base, "", extra);
    base
}

/// The document.
pub fn document() -> Value {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "tapin hub",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Central server of the tapin time clock: device enrollment, \
                per-device rosters, idempotent event ingest. Every error is JSON {\"error\": \"...\"}."
        },
        "components": {
            "securitySchemes": {
                "device": {"type": "http", "scheme": "bearer",
                    "description": "the device token from /api/v1/enroll"}
            },
            "schemas": schemas()
        },
        "paths": {
            "/api/v1/enroll": {"post": {
                "summary": "Trade a one-time enrollment code for a device token",
                "requestBody": {"required": true, "content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/EnrollRequest"}}}},
                "responses": {
                    "200": {"description": "enrolled; the token is shown this once",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrollResponse"}}}},
                    "400": error_response("malformed body or code"),
                    "403": error_response("the device has been revoked"),
                    "404": error_response("unknown code"),
                    "410": error_response("code already used or expired"),
                    "413": error_response("body too large"),
                    "429": error_response("too many attempts from this address")
                }
            }},
            "/api/v1/device/events": {"post": {
                "summary": format!("Store a batch of up to {MAX_BATCH_EVENTS} events, one result each"),
                "security": [{"device": []}],
                "requestBody": {"required": true, "content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/EventsRequest"}}}},
                "responses": merge(json!({
                    "200": {"description": "one result per event, in order",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventsResponse"}}}},
                    "400": error_response("malformed JSON, unknown field, wrong type or impossible date; nothing stored"),
                    "413": error_response(&format!("more than {MAX_BATCH_EVENTS} events or {MAX_BATCH_BYTES} bytes; nothing stored"))
                }), device_errors())
            }},
            "/api/v1/device/time": {"get": {
                "summary": "The hub's clock, for the device's skew estimate",
                "security": [{"device": []}],
                "responses": merge(json!({
                    "200": {"description": "the hub's time",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TimeResponse"}}}}
                }), device_errors())
            }},
            "/api/v1/device/roster": {"get": {
                "summary": "The people this device shows, their status, PIN verifiers and jobs",
                "security": [{"device": []}],
                "parameters": [{"name": "If-None-Match", "in": "header", "required": false,
                    "schema": {"type": "string"},
                    "description": "the ETag of the roster the device holds"}],
                "responses": merge(json!({
                    "200": {"description": "the roster",
                        "headers": {"ETag": {"schema": {"type": "string"}},
                            "Server-Timing": {"schema": {"type": "string"},
                                "description": "roster;dur=MS: the hub's time on the request"}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RosterResponse"}}}},
                    "304": {"description": "the roster has not changed since the ETag sent",
                        "headers": {"ETag": {"schema": {"type": "string"}},
                            "Server-Timing": {"schema": {"type": "string"},
                                "description": "roster;dur=MS: the hub's time on the request"}}}
                }), device_errors())
            }},
            "/api/v1/device/roster/changes": {"post": {
                "summary": "Replace this device's roster from its Admin screen; the acting person's rights and rank are checked",
                "security": [{"device": []}],
                "requestBody": {"required": true, "content": {"application/json":
                    {"schema": {"$ref": "#/components/schemas/RosterChange"}}}},
                "responses": merge(json!({
                    "200": ok("the roster was replaced", schema("RosterChangeApplied")),
                    "400": error_response("malformed body, a bad group name, or a person or team not of this organisation"),
                    "403": error_response("the acting person is not of this organisation, is archived, lacks manage_advanced_settings, or may not manage a person added or removed (right and rank)")
                }), device_errors())
            }},
            "/api/v1/device/roster/candidates": {"get": {
                "summary": "The organisation's people (not archived) and teams, for the device's roster editor",
                "security": [{"device": []}],
                "parameters": [{"name": "acting", "in": "query", "required": true,
                    "schema": {"type": "string", "format": "uuid"},
                    "description": "the person at the kiosk, who needs manage_advanced_settings"}],
                "responses": merge(json!({
                    "200": ok("people and teams by name", schema("RosterCandidates")),
                    "400": error_response("acting is missing or not a person id"),
                    "403": error_response("the acting person may not change this device's roster")
                }), device_errors())
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3 document",
                    "content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/healthz": {"get": {
                "summary": "Whether the hub and its database answer",
                "responses": {
                    "200": {"description": "healthy",
                        "content": {"application/json": {"schema": {"type": "object",
                            "properties": {"status": {"type": "string", "enum": ["ok"]}}}}}},
                    "503": error_response("the database does not answer")
                }
            }},
            "/metrics": {"get": {
                "summary": "Prometheus metrics (OpenMetrics text): requests, latency, ingest outcomes",
                "responses": {"200": {"description": "metrics",
                    "content": {"application/openmetrics-text": {"schema": {"type": "string"}}}}}
            }}
        }
    });
    super::api::admin::openapi::extend(&mut doc);
    doc
}

fn schemas() -> Value {
    let uuid = json!({"type": "string", "format": "uuid"});
    let time = json!({"type": "string", "format": "date-time"});
    json!({
        "Error": {"type": "object", "required": ["error"],
            "properties": {"error": {"type": "string"}}},
        "EnrollRequest": {"type": "object", "additionalProperties": false, "required": ["code"],
            "properties": {
                "code": {"type": "string", "example": "7KQ2M-X9D4T"},
                "name": {"type": "string", "maxLength": MAX_NAME_BYTES}
            }},
        "EnrollResponse": {"type": "object",
            "required": ["device_id", "device_token", "pin_pepper", "org_id", "device_name"],
            "properties": {
                "device_id": uuid, "device_token": {"type": "string"},
                "pin_pepper": {"type": "string"}, "org_id": uuid,
                "device_name": {"type": "string"}
            }},
        "EventsRequest": {"type": "object", "additionalProperties": false, "required": ["events"],
            "properties": {"events": {"type": "array", "maxItems": MAX_BATCH_EVENTS,
                "items": {"$ref": "#/components/schemas/Event"}}}},
        "Actor": {"type": "object", "required": ["type", "id"],
            "properties": {"type": {"type": "string", "enum": ["person", "kiosk"]}, "id": uuid}},
        "EventKind": {"type": "object", "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": ["clock_in", "clock_out", "break_start",
                    "break_end", "check_in", "check_out", "correction"]},
                "job": {"type": "string", "format": "uuid", "description": "check_in, check_out"},
                "corrects": {"type": "string", "format": "uuid", "description": "correction"},
                "new_time": {"type": "string", "format": "date-time", "description": "correction"},
                "reason": {"type": "string", "maxLength": MAX_TEXT_BYTES, "description": "correction"}
            }},
        "Event": {"type": "object", "additionalProperties": false,
            "required": ["id", "device", "seq", "subject", "actor", "method", "kind", "at",
                "utc_offset_secs", "note", "needs_review"],
            "properties": {
                "id": uuid, "device": uuid,
                "seq": {"type": "integer", "minimum": 0},
                "subject": uuid,
                "actor": {"$ref": "#/components/schemas/Actor"},
                "method": {"type": "string", "enum": ["badge", "pin", "roster_tap", "team",
                    "supervisor_override", "admin"]},
                "kind": {"$ref": "#/components/schemas/EventKind"},
                "at": time,
                "utc_offset_secs": {"type": "integer"},
                "note": {"type": "string", "nullable": true, "maxLength": MAX_TEXT_BYTES},
                "needs_review": {"type": "boolean"}
            }},
        "EventResult": {"type": "object", "required": ["id", "status"],
            "properties": {
                "id": uuid,
                "status": {"type": "string", "enum": ["accepted", "duplicate", "rejected"]},
                "reason": {"type": "string", "description": "why it was rejected"},
                "anomaly": {"type": "string", "description": "punch rules broken (accepted, flagged)"}
            }},
        "EventsResponse": {"type": "object", "required": ["results"],
            "properties": {"results": {"type": "array",
                "items": {"$ref": "#/components/schemas/EventResult"}}}},
        "RosterResponse": {"type": "object",
            "required": ["org_id", "device_id", "version", "generated_at", "entries", "directory", "people"],
            "properties": {
                "org_id": uuid, "device_id": uuid,
                "version": {"type": "string", "description": "the ETag, unquoted"},
                "generated_at": time,
                "entries": {"type": "array", "items": {"type": "object", "required": ["item"],
                    "properties": {
                        "group": {"type": "string", "description": "the tab it is shown under"},
                        "item": {"type": "object", "required": ["type", "id"], "properties": {
                            "type": {"type": "string", "enum": ["person", "team"]}, "id": uuid}}
                    }}},
                "directory": {"type": "object",
                    "description": "people (not archived), roles, teams, jobs and settings, as the domain's Directory",
                    "properties": {
                        "people": {"type": "array", "items": {"type": "object"}},
                        "roles": {"type": "array", "items": {"type": "object"}},
                        "teams": {"type": "array", "items": {"type": "object"}},
                        "jobs": {"type": "array", "items": {"type": "object"}},
                        "settings": {"type": "object"}
                    }},
                "people": {"type": "array", "items": {"type": "object", "required": ["id", "state"],
                    "properties": {
                        "id": uuid,
                        "state": {"type": "object", "description": "the domain's PunchState"},
                        "pin_verifier": {"type": "string", "nullable": true}
                    }}}
            }},
        "RosterChange": {"type": "object", "required": ["id", "acting", "entries"],
            "properties": {
                "id": uuid,
                "acting": uuid,
                "entries": {"type": "array", "items": {"type": "object", "required": ["item"],
                    "properties": {
                        "group": {"type": "string"},
                        "item": {"type": "object", "required": ["type", "id"], "properties": {
                            "type": {"type": "string", "enum": ["person", "team"]}, "id": uuid}}
                    }}}
            }},
        "RosterChangeApplied": {"type": "object", "required": ["id", "entries"],
            "properties": {"id": uuid, "entries": {"type": "integer"}}},
        "RosterCandidates": {"type": "object", "required": ["people", "teams"],
            "properties": {
                "people": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                    "properties": {"id": uuid, "name": {"type": "string"}}}},
                "teams": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                    "properties": {"id": uuid, "name": {"type": "string"}}}}
            }},
        "TimeResponse": {"type": "object", "required": ["hub_time"],
            "properties": {"hub_time": {"type": "string", "format": "date-time",
                "example": "2025-01-31T08:00:00.123456Z"}}}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routed_path_is_described() {
        let doc = document();
        for path in PATHS {
            assert!(doc["paths"].get(*path).is_some(), "{path} missing");
        }
        let routed = crate::hub::app::paths();
        for path in &routed {
            assert!(doc["paths"].get(*path).is_some(), "{path} missing");
        }
        assert_eq!(
            doc["paths"].as_object().map(|p| p.len()),
            Some(routed.len())
        );
    }
}
