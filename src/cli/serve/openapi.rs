//! `GET /openapi.json`: the API described as OpenAPI 3.1.
//!
//! Written here rather than derived (utoipa): the `Order` and `Decision` types belong to the
//! library, which must not depend on an HTTP documentation crate, and their JSON contract is
//! pinned by the library's own snapshot tests. The paths are checked against the router by
//! `tests/it/serve.rs` (every path listed answers, every route is listed).

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::routes::json_bytes;

/// The document, built once.
pub async fn document() -> Response {
    static DOCUMENT: OnceLock<Vec<u8>> = OnceLock::new();
    let bytes = DOCUMENT.get_or_init(|| serde_json::to_vec_pretty(&build()).unwrap_or_default());
    json_bytes(StatusCode::OK, bytes.clone())
}

fn body(schema: Value) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema } } })
}

fn answer(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn id_parameter() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The policy's id (`policy ID { ... }`)." })
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The whole document: what the service is, its paths and the schemas they share.
fn build() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "refund serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Cloud-server refund policies as data, as a service. Orders and decisions are the same JSON as the `refund` CLI and the `refund_rules` library. Money is always a decimal string (\"120.00\"), never a float. Errors are problem JSON (RFC 9457) with the CLI's codes (E0xx-E2xx) or the service's (S0xx)."
        },
        "paths": paths(),
        "components": components(),
    })
}

/// Every route the router serves, with its parameters, body and answers.
fn paths() -> Value {
    json!({
        "/v1/health": { "get": {
            "summary": "Is the service up, and how many policies are in service",
            "responses": { "200": answer("Up", json!({ "type": "object", "properties": { "status": { "const": "ok" }, "policies": { "type": "integer" } } })) }
        }},
        "/v1/policies": { "get": {
            "summary": "Every policy file: id, name, currency, versions, digest and load status (with diagnostics when a file was refused)",
            "responses": { "200": answer("The policies", json!({ "type": "array", "items": schema("PolicyStatus") })) }
        }},
        "/v1/policies/{id}": {
            "get": {
                "summary": "One policy: metadata, source text, its examples and their results",
                "parameters": [id_parameter()],
                "responses": { "200": answer("The policy", schema("PolicyStatus")), "404": problem("No such policy (S002)") }
            },
            "put": {
                "summary": "Save a policy's text (needs the bearer token). Saved only if it checks and all its examples pass; the previous text is kept in POLICY_DIR/.history/ID/",
                "parameters": [id_parameter()],
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "text/plain": { "schema": { "type": "string" } } } },
                "responses": {
                    "200": answer("Saved and in service", json!({ "type": "object", "properties": { "id": { "type": "string" }, "digest": { "type": "string" }, "versions": { "type": "array", "items": { "type": "string" } }, "saved": { "const": true } } })),
                    "401": problem("No or wrong token (S004)"),
                    "403": problem("Saving is turned off: no --token-file (S004)"),
                    "422": problem("The text does not check or an example fails; nothing written (S007, with `diagnostics` and `examples`)")
                }
            }
        },
        "/v1/policies/{id}/evaluate": { "post": {
            "summary": "Decide one order, or an array of orders (a bad order in an array is an `{\"error\":...}` entry at its index)",
            "parameters": [id_parameter(), { "name": "explain", "in": "query", "required": false, "schema": { "type": "boolean" }, "description": "Add `trace`: every rule tried and every step's arithmetic." }],
            "requestBody": body(json!({ "oneOf": [schema("Order"), { "type": "array", "items": schema("Order") }] })),
            "responses": {
                "200": answer("The decision, or one entry per order", json!({ "oneOf": [schema("Decision"), { "type": "array", "items": { "oneOf": [schema("Decision"), { "type": "object", "properties": { "error": schema("ErrorEntry") } }] } }] })),
                "400": problem("The order is not valid (E201, `field` names the JSON field)"),
                "404": problem("No such policy (S002)"),
                "422": problem("The policy could not decide this order (E202-E208, with the policy's line and column)"),
                "500": problem("The decision log could not be written; no decision given (S008)")
            }
        }},
        "/v1/policies/{id}/batch": { "post": {
            "summary": "JSON Lines of orders in, JSON Lines of decisions out (`{\"line\":N,...decision}` or `{\"line\":N,\"error\":...}`), streamed; each account's quotas carried as `refund batch` does",
            "parameters": [id_parameter()],
            "requestBody": { "required": true, "content": { "application/x-ndjson": { "schema": { "type": "string" } } } },
            "responses": { "200": { "description": "One line out per line in", "content": { "application/x-ndjson": { "schema": { "type": "string" } } } }, "404": problem("No such policy (S002)") }
        }},
        "/v1/compare": { "post": {
            "summary": "One order under several policies (all loaded ones when `policies` is left out): the table of `refund compare --format json`",
            "requestBody": body(json!({ "type": "object", "required": ["order"], "properties": { "order": schema("Order"), "policies": { "type": "array", "items": { "type": "string" } } } })),
            "responses": { "200": answer("One row per policy", json!({ "type": "array", "items": { "type": "object" } })), "400": problem("Bad body or order (S001, E201)") }
        }},
        "/v1/check": { "post": {
            "summary": "Check a policy text without saving it: diagnostics (code, message, line, column, help) and example results",
            "requestBody": { "required": true, "content": { "text/plain": { "schema": { "type": "string" } } } },
            "responses": { "200": answer("The check", json!({ "type": "object", "properties": {
                "ok": { "type": "boolean" }, "id": { "type": ["string", "null"] }, "digest": { "type": ["string", "null"] },
                "diagnostics": { "type": "array", "items": schema("Diagnostic") }, "rendered": { "type": "string" },
                "examples": { "type": "array", "items": schema("Example") } } })) }
        }},
        "/v1/diff": { "post": {
            "summary": "What changes from one policy to another (ids of loaded policies, or policy texts): on `orders`, or on a grid around the examples without them; the report of `refund diff --format json`",
            "requestBody": body(json!({ "type": "object", "required": ["old", "new"], "properties": { "old": { "type": "string" }, "new": { "type": "string" }, "orders": { "type": "array", "items": schema("Order") } } })),
            "responses": { "200": answer("The impact (with orders) or the regions (without)", json!({ "type": ["object", "array"] })), "422": problem("A policy text does not check (S007)") }
        }},
        "/v1/curve": { "post": {
            "summary": "The refund against the time held, one series per policy in the order's currency",
            "requestBody": body(json!({ "type": "object", "required": ["order"], "properties": { "order": schema("Order"), "policies": { "type": "array", "items": { "type": "string" } }, "from": schema("Length"), "to": schema("Length"), "step": schema("Length") } })),
            "responses": { "200": answer("The series", json!({ "type": "array", "items": { "type": "object", "properties": { "policy": { "type": "string" }, "points": { "type": "array", "items": { "type": "array", "prefixItems": [{ "type": "integer" }, { "type": ["string", "null"] }] } }, "paid": { "type": "string" } } } })) }
        }},
        "/openapi.json": { "get": { "summary": "This document", "responses": { "200": answer("OpenAPI 3.1", json!({ "type": "object" })) } } },
        "/metrics": { "get": { "summary": "Prometheus metrics: requests, latency histogram, decisions by outcome, policy reloads and refusals", "responses": { "200": { "description": "Text exposition format", "content": { "text/plain": { "schema": { "type": "string" } } } } } } }
    })
}

/// The schemas the paths refer to (`#/components/schemas/NAME`) and the bearer token.
fn components() -> Value {
    json!({
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "schemas": {
            "Order": { "type": "object", "description": "An order, as `refund eval` reads it (see docs/language.md). Unknown fields are refused. Money as decimal strings.",
                "required": ["id", "billing", "currency", "purchased_at", "requested_at", "list_price", "paid"],
                "properties": {
                    "id": { "type": "string" }, "account": { "type": "object" }, "billing": { "type": "string" },
                    "purchase": { "type": "object" }, "currency": { "type": "string", "description": "ISO 4217" },
                    "purchased_at": { "type": "string", "format": "date-time" }, "starts_at": { "type": "string", "format": "date-time" },
                    "expires_at": { "type": "string", "format": "date-time" }, "requested_at": { "type": "string", "format": "date-time" },
                    "list_price": { "type": "string" }, "discount": { "type": "string" }, "paid": { "type": "object" },
                    "payment_channel": { "type": "string" }, "refund_to": { "type": "string" }, "promotion": { "type": "object" },
                    "traffic": { "type": "object" }, "banned_for_violation": { "type": "boolean" }, "deposit": { "type": "string" },
                    "attributes": { "type": "object" }
                } },
            "Decision": { "type": "object", "description": "A decision, exactly as `refund eval --format json` prints it.",
                "properties": {
                    "order": { "type": "string" },
                    "policy": { "type": "object", "properties": { "id": { "type": "string" }, "name": { "type": "string" }, "version": { "type": "string" }, "digest": { "type": "string", "description": "sha256 of the policy text that decided" } } },
                    "outcome": { "enum": ["refund", "no_refund", "manual_review"] }, "rule": { "type": "string" },
                    "amount": { "type": "string" }, "currency": { "type": "string" },
                    "refunds": { "type": "array", "items": { "type": "object", "properties": { "to": { "type": "string" }, "amount": { "type": "string" } } } },
                    "lines": { "type": "array", "items": { "type": "object" } }, "reasons": { "type": "array" }, "notes": { "type": "array" },
                    "review": { "type": "string" }, "uses_no_reason_refund": { "type": "boolean" }, "values": { "type": "array" },
                    "trace": { "type": ["array", "null"], "description": "With ?explain=true" }
                } },
            "Diagnostic": { "type": "object", "properties": { "code": { "type": "string" }, "severity": { "enum": ["error", "warning"] }, "message": { "type": "string" }, "line": { "type": ["integer", "null"] }, "column": { "type": ["integer", "null"] }, "label": { "type": "string" }, "help": { "type": ["string", "null"] } } },
            "Example": { "type": "object", "properties": { "name": { "type": "string" }, "passed": { "type": "boolean" }, "failures": { "type": "array", "items": { "type": "string" } }, "decision": { "oneOf": [schema("Decision"), { "type": "null" }] } } },
            "PolicyStatus": { "type": "object", "properties": {
                "id": { "type": "string" }, "file": { "type": "string" }, "name": { "type": "string" }, "currency": { "type": "string" },
                "versions": { "type": "array", "items": { "type": "string" } }, "digest": { "type": "string" },
                "status": { "enum": ["loaded", "reload_failed", "failed"], "description": "reload_failed: the file's newest text was refused; the last good one is still in service" },
                "error": { "type": "object", "properties": { "message": { "type": "string" }, "diagnostics": { "type": "array", "items": schema("Diagnostic") }, "failed_examples": { "type": "array", "items": schema("Example") } } },
                "source": { "type": "string", "description": "GET /v1/policies/{id} only" },
                "examples": { "type": "array", "items": schema("Example"), "description": "GET /v1/policies/{id} only" } } },
            "ErrorEntry": { "type": "object", "properties": { "code": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" }, "help": { "type": "string" }, "field": { "type": "string" }, "diagnostics": { "type": "array", "items": schema("Diagnostic") } } },
            "Problem": { "type": "object", "properties": { "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" }, "detail": { "type": "string" }, "code": { "type": "string" }, "help": { "type": "string" }, "field": { "type": "string" }, "diagnostics": { "type": "array", "items": schema("Diagnostic") }, "examples": { "type": "array", "items": schema("Example") } } },
            "Length": { "oneOf": [{ "type": "integer", "description": "seconds" }, { "type": "string", "description": "365d, 12h, 30m, 90s" }] }
        }
    })
}
