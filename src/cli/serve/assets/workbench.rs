//! The two calls the workbench needs beyond the engine's API: formatting a text as `refund fmt`
//! does, and the full orders of a text's in-file examples (so that clicking an example loads
//! its order, and "what changes" decides the examples under both texts).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use refund_rules::format::{format_policy, FormatError};
use refund_rules::{Diagnostic, Policy};
use serde_json::json;

use super::super::problem::{codes, diagnostic_json, Problem};
use super::super::routes::json_value;
use super::super::Shared;

pub fn router() -> Router<Shared> {
    Router::new().route("/v1/format", post(format)).route("/v1/example-orders", post(example_orders))
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
            let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, codes::POLICY_REFUSED, "the policy cannot be formatted until it parses")
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
    let examples: Vec<_> = names.zip(policy.example_orders()).map(|(name, order)| json!({ "name": name, "order": order })).collect();
    Ok(json_value(StatusCode::OK, &examples))
}
