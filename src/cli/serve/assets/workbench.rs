//! The calls the workbench needs beyond the engine's API, all on a policy text that is being
//! edited and not saved: formatting it as `refund fmt` does, the full orders of its in-file
//! examples (clicking an example loads its order; "what changes" decides them under both
//! texts), and deciding an order with it. None changes anything or enters the decision log:
//! an unsaved text's decisions are what-ifs.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
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
