//! The API's routes, and the policy endpoints: health, list, show, evaluate, batch, save.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use refund_rules::{Decision, EvalError, Order, Policy};
use serde_json::{json, Value};

use super::decision_log::Asked;
use super::problem::{codes, Problem};
use super::registry::{self, Entry};
use super::{save, tools, Shared};

/// Every route of the API (the OpenAPI document lists the same, checked by the tests).
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/policies", get(list))
        .route("/v1/policies/{id}", get(show).put(put_policy))
        .route("/v1/policies/{id}/evaluate", post(evaluate))
        .route("/v1/policies/{id}/batch", post(batch))
        .route("/v1/compare", post(tools::compare))
        .route("/v1/check", post(tools::check))
        .route("/v1/diff", post(tools::diff))
        .route("/v1/curve", post(tools::curve))
        .route("/openapi.json", get(super::openapi::document))
        .route("/metrics", get(metrics))
}

/// A JSON answer from bytes already serialized.
pub fn json_bytes(status: StatusCode, body: impl Into<Body>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.into()).into_response()
}

/// A JSON answer.
pub fn json_value(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(_) => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, "the answer could not be written")
            .into_response(),
    }
}

/// The request's id, as set by the request-id layer.
pub fn request_id(headers: &HeaderMap) -> &str {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-")
}

async fn health(State(state): State<Shared>) -> Response {
    json_value(StatusCode::OK, &json!({ "status": "ok", "policies": state.registry.policies().len() }))
}

async fn metrics(State(state): State<Shared>) -> Response {
    let text = state.metrics.render(state.registry.policies().len());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// What a policy file is: in service, in service with a refused newer text, or refused.
fn entry_json(id: &str, entry: &Entry) -> Value {
    let status = match (&entry.policy, &entry.failure) {
        (Some(_), None) => "loaded",
        (Some(_), Some(_)) => "reload_failed",
        (None, _) => "failed",
    };
    let mut value = match &entry.policy {
        Some(policy) => json!({
            "id": policy.id(),
            "name": policy.name(),
            "currency": policy.currency(),
            "versions": policy.versions(),
            "digest": policy.digest(),
        }),
        None => json!({ "id": id }),
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("file".to_owned(), entry.file.clone().into());
        object.insert("status".to_owned(), status.into());
        if let Some(failure) = &entry.failure {
            object.insert(
                "error".to_owned(),
                json!({
                    "message": failure.message,
                    "diagnostics": failure.diagnostics,
                    "failed_examples": failure.examples,
                }),
            );
        }
    }
    value
}

async fn list(State(state): State<Shared>) -> Response {
    let snapshot = state.registry.snapshot();
    let entries: Vec<Value> = snapshot.iter().map(|(id, entry)| entry_json(id, entry)).collect();
    json_value(StatusCode::OK, &entries)
}

async fn show(State(state): State<Shared>, Path(id): Path<String>) -> Result<Response, Problem> {
    let snapshot = state.registry.snapshot();
    let entry = snapshot.get(&id).ok_or_else(|| Problem::unknown_policy(&id))?;
    let mut value = entry_json(&id, entry);
    if let (Some(object), Some(policy)) = (value.as_object_mut(), &entry.policy) {
        object.insert("source".to_owned(), policy.source().into());
        object.insert("examples".to_owned(), Value::Array(entry.examples.to_vec()));
    }
    Ok(json_value(StatusCode::OK, &value))
}

/// `?explain=true`.
#[derive(serde::Deserialize)]
pub struct ExplainQuery {
    #[serde(default)]
    explain: bool,
}

fn decide(policy: &Policy, order: &Order, explain: bool) -> Result<Decision, EvalError> {
    if explain {
        policy.explain(order)
    } else {
        policy.evaluate(order)
    }
}

/// Writes the decisions' records before the answer leaves, and counts them.
fn record(state: &Shared, headers: &HeaderMap, endpoint: &str, decisions: &[&Decision]) -> Result<(), Problem> {
    if let Some(log) = &state.decision_log {
        log.write(&Asked { request_id: request_id(headers), endpoint }, decisions).map_err(|error| {
            tracing::error!(%error, "the decision log cannot be written; the decision is withheld");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::DECISION_LOG,
                "the decision could not be recorded in the audit log, so it is not given",
            )
            .help("try again; the operator must free space for or fix the decision log")
        })?;
    }
    for decision in decisions {
        state.metrics.decision(decision.outcome);
    }
    Ok(())
}

async fn evaluate(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Query(query): Query<ExplainQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    // Taken once: the whole request is decided by this version, whatever is reloaded meanwhile.
    let policy = state.registry.policy(&id).ok_or_else(|| Problem::unknown_policy(&id))?;
    let text = refund_rules::utf8_text(&body).map_err(|e| Problem::from_eval(&policy, &EvalError::from(e)))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.trim_start().starts_with('[') {
        let order = Order::from_json(text).map_err(|e| Problem::from_eval(&policy, &EvalError::from(e)))?;
        let decision = decide(&policy, &order, query.explain).map_err(|e| Problem::from_eval(&policy, &e))?;
        record(&state, &headers, "evaluate", &[&decision])?;
        return Ok(json_value(StatusCode::OK, &decision));
    }
    let orders = Order::from_json_list(text).map_err(|e| Problem::from_eval(&policy, &EvalError::from(e)))?;
    let explain = query.explain;
    let decided = if orders.len() > 16 {
        // A long array would hold a request thread for milliseconds.
        let policy = Arc::clone(&policy);
        tokio::task::spawn_blocking(move || decide_all(&policy, orders, explain)).await.map_err(|_| {
            Problem::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, "the orders could not be decided")
        })?
    } else {
        decide_all(&policy, orders, explain)
    };
    let decisions: Vec<&Decision> = decided.iter().filter_map(|d| d.as_ref().ok()).collect();
    record(&state, &headers, "evaluate", &decisions)?;
    let mut answer = Vec::with_capacity(decided.len() * 1024);
    answer.push(b'[');
    for (index, result) in decided.iter().enumerate() {
        if index > 0 {
            answer.push(b',');
        }
        let written = match result {
            Ok(decision) => serde_json::to_writer(&mut answer, decision),
            Err(problem) => serde_json::to_writer(&mut answer, &problem.entry()),
        };
        if written.is_err() {
            return Err(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "the answer could not be written",
            ));
        }
    }
    answer.push(b']');
    Ok(json_bytes(StatusCode::OK, answer))
}

fn decide_all(
    policy: &Policy,
    orders: Vec<Result<Order, refund_rules::OrderError>>,
    explain: bool,
) -> Vec<Result<Decision, Problem>> {
    orders
        .into_iter()
        .map(|order| {
            order
                .map_err(EvalError::from)
                .and_then(|order| decide(policy, &order, explain))
                .map_err(|e| Problem::from_eval(policy, &e))
        })
        .collect()
}

async fn batch(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let policy = state.registry.policy(&id).ok_or_else(|| Problem::unknown_policy(&id))?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(16);
    let request_id = request_id(&headers).to_owned();
    let worker_state = Arc::clone(&state);
    tokio::task::spawn_blocking(move || {
        let mut output = super::stream::Lines::new(sender.clone(), worker_state.clone(), request_id);
        let streams = refund_rules::batch::Streams {
            input: std::io::Cursor::new(body),
            csv_input: false,
            output: &mut output,
            csv_output: false,
        };
        if let Err(error) = refund_rules::batch::run(&policy, streams, &worker_state.batch_pool) {
            // The status is already sent: the stream is cut, so the client cannot take a
            // partial answer for a whole one.
            tracing::warn!(%error, "batch stopped");
            let _ = sender.blocking_send(Err(std::io::Error::other(error.to_string())));
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/x-ndjson")], Body::from_stream(stream)).into_response())
}

async fn put_policy(
    State(state): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let Some(expected) = &state.token_digest else {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            codes::UNAUTHORIZED,
            "saving policies is turned off on this server",
        )
        .help("start the server with --token-file FILE to allow saving"));
    };
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if !save::authorized(expected, authorization) {
        let problem =
            Problem::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, "saving a policy needs the server's token")
                .help("send the header `Authorization: Bearer TOKEN` with the token of the server's --token-file");
        let mut response = problem.into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        return Ok(response);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|e| Problem::bad_body(format!("the policy is not UTF-8 text (byte {} is not)", e.valid_up_to() + 1)))?
        .to_owned();
    let (policy, _) = registry::vet(&text).map_err(|refusal| {
        let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, codes::POLICY_REFUSED, refusal.message)
            .help("fix the problems listed, check with POST /v1/check, then save again; nothing was written");
        problem.diagnostics = Some(refusal.diagnostics);
        problem.examples = Some(refusal.examples);
        problem
    })?;
    if policy.id() != id {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::POLICY_REFUSED,
            format!("the text declares `policy {}`, but it is saved as `{id}`", policy.id()),
        )
        .help(format!("write `policy {id} {{ ... }}`, or save it under /v1/policies/{}", policy.id())));
    }
    let saver = Arc::clone(&state);
    let saved = tokio::task::spawn_blocking(move || {
        // One save at a time: the history and the file must change together.
        let _one = saver.save_lock.lock();
        let file = registry::file_for(&saver.registry.snapshot(), &id);
        save::write_policy(saver.registry.folder(), &file, &id, &text)?;
        let reloads = saver.registry.poll();
        saver.metrics.reloads(reloads.loaded, reloads.failed);
        Ok::<_, std::io::Error>(())
    })
    .await;
    match saved {
        Ok(Ok(())) => Ok(json_value(
            StatusCode::OK,
            &json!({ "id": policy.id(), "digest": policy.digest(), "versions": policy.versions(), "saved": true }),
        )),
        Ok(Err(error)) => {
            tracing::error!(%error, "a policy could not be saved");
            Err(Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                "the policy could not be written; nothing changed",
            )
            .help("the operator must check that POLICY_DIR is writable"))
        }
        Err(_) => {
            Err(Problem::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, "the policy could not be written"))
        }
    }
}
