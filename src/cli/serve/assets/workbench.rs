//! The calls the workbench needs beyond the engine's API, all on a policy text that is being
//! edited and not saved: formatting it as `refund fmt` does, the full orders of its in-file
//! examples (clicking an example loads its order; "what changes" decides them under both
//! texts), and deciding an order with it. None changes anything or enters the decision log:
//! an unsaved text's decisions are what-ifs. And the texts a save replaced (kept by `save.rs`
//! in `POLICY_DIR/.history/ID/`), so that a page opened later can still restore one.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use refund_rules::format::{format_policy, FormatError};
use refund_rules::{Diagnostic, EvalError, Order, Policy};
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::problem::{codes, diagnostic_json, Problem};
use super::super::routes::json_value;
use super::super::Shared;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/v1/format", post(format))
        .route("/v1/example-orders", post(example_orders))
        .route("/v1/try", post(try_order))
        .route("/v1/policies/{id}/history", get(history))
        .route("/v1/policies/{id}/history/{version}", get(history_text))
}

fn text_of(body: &Bytes) -> Result<&str, Problem> {
    std::str::from_utf8(body)
        .map_err(|e| Problem::bad_body(format!("the policy is not UTF-8 text (byte {} is not)", e.valid_up_to() + 1)))
}

/// `POST /v1/format`: the policy text in, `{"text": ...}` in `refund fmt`'s layout out.
async fn format(body: Bytes) -> Result<Response, Problem> {
    let text = text_of(&body)?;
    match format_policy(text) {
        Ok(formatted) => Ok(json_value(StatusCode::OK, &json!({ "text": formatted }))),
        Err(FormatError::Syntax(error)) => {
            let mut problem = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::POLICY_REFUSED,
                "the policy cannot be formatted until it parses",
            )
            .help("fix the underlined syntax error, then format again");
            problem.diagnostics = Some(vec![diagnostic_json(&Diagnostic::from(&error), text)]);
            Err(problem)
        }
        Err(error) => Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, codes::POLICY_REFUSED, error.to_string())
            .help("the text is left as it is; please report this policy to the maintainers")),
    }
}

/// `POST /v1/example-orders`: the policy text in, `[{"name", "order"}]` out, one per example in
/// the order `/v1/check` lists them; `[]` while the text does not check.
async fn example_orders(body: Bytes) -> Result<Response, Problem> {
    let text = text_of(&body)?;
    let Ok(policy) = Policy::parse(text) else {
        return Ok(json_value(StatusCode::OK, &json!([])));
    };
    let names = policy.run_examples().into_iter().map(|e| e.name);
    let examples: Vec<_> =
        names.zip(policy.example_orders()).map(|(name, order)| json!({ "name": name, "order": order })).collect();
    Ok(json_value(StatusCode::OK, &examples))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TryBody {
    /// The policy text as edited.
    text: String,
    /// One order.
    order: Value,
}

/// `POST /v1/try`: `{"text", "order"}` in, the explained decision of the edited text out (422
/// with the diagnostics while the text does not check).
async fn try_order(body: Bytes) -> Result<Response, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(&body);
    let request: TryBody = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        Problem::bad_body(format!(
            "{} at `{}`; send {{\"text\": POLICY, \"order\": ORDER}}",
            error.inner(),
            error.path()
        ))
    })?;
    let policy = Policy::parse(&request.text).map_err(|error| {
        let mut problem =
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, codes::POLICY_REFUSED, "the edited policy does not check")
                .help("fix the underlined problems, then decide the order again");
        problem.diagnostics = Some(error.diagnostics().iter().map(|d| diagnostic_json(d, &request.text)).collect());
        problem
    })?;
    let order = Order::from_json_value(request.order).map_err(|e| Problem::from_eval(&policy, &EvalError::from(e)))?;
    let decision = policy.explain(&order).map_err(|e| Problem::from_eval(&policy, &e))?;
    Ok(json_value(StatusCode::OK, &decision))
}

/// The saved-over texts of policy `id`, newest first: the file names `save.rs` gives them
/// (`20261201T043000.123456Z.policy`, so that sorting by name sorts by time).
fn history_versions(state: &Shared, id: &str) -> Result<Vec<String>, Problem> {
    state.registry.policy(id).ok_or_else(|| Problem::unknown_policy(id))?;
    let folder = state.registry.folder().join(".history").join(id);
    let mut versions: Vec<String> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".policy").map(str::to_owned))
            .collect(),
        // Never saved over: no history yet.
        Err(_) => Vec::new(),
    };
    versions.sort_unstable_by(|a, b| b.cmp(a));
    Ok(versions)
}

/// `GET /v1/policies/{id}/history`: `[{"version"}]`, newest first.
async fn history(State(state): State<Shared>, Path(id): Path<String>) -> Result<Response, Problem> {
    let versions = history_versions(&state, &id)?;
    Ok(json_value(StatusCode::OK, &versions.iter().map(|v| json!({ "version": v })).collect::<Vec<_>>()))
}

/// `GET /v1/policies/{id}/history/{version}`: that text. Only a version the listing names is
/// read, so the path cannot leave the history folder.
async fn history_text(
    State(state): State<Shared>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let versions = history_versions(&state, &id)?;
    let missing = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("policy `{id}` has no saved-over version `{version}`"),
        )
        .help(format!("GET /v1/policies/{id}/history lists its versions"))
    };
    let name = versions.iter().find(|v| **v == version).ok_or_else(missing)?;
    let path = state.registry.folder().join(".history").join(&id).join(format!("{name}.policy"));
    let text = std::fs::read_to_string(path).map_err(|_| missing())?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}
