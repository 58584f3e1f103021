//! The endpoints that ask what-if questions: compare, check, diff and curve. None of them
//! changes anything or gives a decision a billing system acts on, so none is in the decision log.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use refund_rules::batch::Record;
use refund_rules::diagnostic;
use refund_rules::{Diagnostic, Order, Policy};
use serde::Deserialize;
use serde_json::{json, Value};

use super::problem::{codes, diagnostic_json, Problem};
use super::routes::json_value;
use super::Shared;

/// The most points `POST /v1/curve` computes (as `refund curve`).
const MAX_POINTS: i64 = 100_000;

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let at = if path == "." { String::new() } else { format!(" at `{path}`") };
        Problem::bad_body(format!("{}{at}", error.inner()))
    })
}

fn order_of(value: Value) -> Result<Order, Problem> {
    Order::from_json_value(value).map_err(|error| Problem::from_order(&error))
}

/// The loaded policies named by `ids`, or all of them.
fn chosen(state: &Shared, ids: Option<Vec<String>>) -> Result<Vec<Policy>, Problem> {
    match ids {
        None => Ok(state.registry.policies().iter().map(|p| Policy::clone(p)).collect()),
        Some(ids) => ids
            .iter()
            .map(|id| state.registry.policy(id).map(|p| Policy::clone(&p)).ok_or_else(|| Problem::unknown_policy(id)))
            .collect(),
    }
}

/// Runs CPU-heavy work (a grid, a curve) off the request threads.
async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Problem> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, "the work could not be finished"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareBody {
    order: Value,
    policies: Option<Vec<String>>,
}

/// `POST /v1/compare`: the table of `refund compare --format json`.
pub async fn compare(State(state): State<Shared>, body: Bytes) -> Result<Response, Problem> {
    let request: CompareBody = parse_body(&body)?;
    let order = order_of(request.order)?;
    let policies = chosen(&state, request.policies)?;
    let rows = refund_rules::compare::compare(&policies, &order);
    Ok(json_value(StatusCode::OK, &rows))
}

/// `POST /v1/check`: a policy text in (the body as it is), its problems and example results out.
pub async fn check(body: Bytes) -> Result<Response, Problem> {
    let text = std::str::from_utf8(&body)
        .map_err(|e| Problem::bad_body(format!("the policy is not UTF-8 text (byte {} is not)", e.valid_up_to() + 1)))?
        .to_owned();
    off_thread(move || {
        let (policy, diagnostics) = match Policy::parse(&text) {
            Ok(policy) => {
                let warnings: Vec<Diagnostic> = policy.warnings().iter().map(Diagnostic::from).collect();
                (Some(policy), warnings)
            }
            Err(error) => (None, error.diagnostics()),
        };
        let examples: Vec<Value> = policy.as_ref().map_or_else(Vec::new, |policy| {
            policy
                .run_examples()
                .iter()
                .map(
                    |r| json!({ "name": r.name, "passed": r.passed(), "failures": r.failures, "decision": r.decision }),
                )
                .collect()
        });
        let passed = policy.is_some() && examples.iter().all(|e| e["passed"] == Value::Bool(true));
        json_value(
            StatusCode::OK,
            &json!({
                "ok": passed,
                "id": policy.as_ref().map(|p| p.id()),
                "digest": policy.as_ref().map(|p| p.digest()),
                "diagnostics": diagnostics.iter().map(|d| diagnostic_json(d, &text)).collect::<Vec<_>>(),
                "rendered": diagnostic::render("policy", &text, &diagnostics),
                "examples": examples,
            }),
        )
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffBody {
    old: String,
    new: String,
    orders: Option<Vec<Value>>,
}

/// A loaded policy's id, or a policy's text (anything with a `{`).
fn id_or_text(state: &Shared, which: &str, given: &str) -> Result<Policy, Problem> {
    if !given.contains('{') {
        return state
            .registry
            .policy(given.trim())
            .map(|p| Policy::clone(&p))
            .ok_or_else(|| Problem::unknown_policy(given));
    }
    Policy::parse(given).map_err(|error| {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::POLICY_REFUSED,
            format!("the `{which}` policy text does not check"),
        )
        .help("POST the text to /v1/check to see every problem with its line");
        problem.diagnostics = Some(error.diagnostics().iter().map(|d| diagnostic_json(d, given)).collect());
        problem
    })
}

/// `POST /v1/diff`: the report of `refund diff --format json` (on the given orders, or on a grid).
pub async fn diff(State(state): State<Shared>, body: Bytes) -> Result<Response, Problem> {
    let request: DiffBody = parse_body(&body)?;
    let old = id_or_text(&state, "old", &request.old)?;
    let new = id_or_text(&state, "new", &request.new)?;
    let records: Option<Vec<Record>> = request.orders.map(|orders| {
        orders
            .into_iter()
            .enumerate()
            .map(|(index, value)| Record {
                line: index + 1,
                order: Order::from_json_value(value).map_err(|e| e.to_string()),
            })
            .collect()
    });
    off_thread(move || match records {
        Some(records) => json_value(StatusCode::OK, &refund_rules::diff::impact(&old, &new, &records)),
        None => json_value(StatusCode::OK, &refund_rules::diff::regions(&old, &new)),
    })
    .await
}

/// A length of time: seconds as a number, or `365d`, `12h`, `30m`, `90s` as `refund curve` reads.
#[derive(Deserialize)]
#[serde(untagged)]
enum Length {
    Seconds(i64),
    Text(String),
}

impl Length {
    fn seconds(&self) -> Option<i64> {
        let text = match self {
            Length::Seconds(seconds) => return Some(*seconds),
            Length::Text(text) => text.trim(),
        };
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let unit = match unit.trim() {
            "" | "d" | "day" | "days" => 86_400,
            "h" | "hour" | "hours" => 3_600,
            "m" | "min" | "minutes" => 60,
            "s" | "seconds" => 1,
            _ => return None,
        };
        number.parse::<i64>().ok()?.checked_mul(unit)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CurveBody {
    order: Value,
    policies: Option<Vec<String>>,
    from: Option<Length>,
    to: Option<Length>,
    step: Option<Length>,
}

/// `POST /v1/curve`: the series of `refund curve --format csv`, as JSON.
pub async fn curve(State(state): State<Shared>, body: Bytes) -> Result<Response, Problem> {
    let request: CurveBody = parse_body(&body)?;
    let length = |given: Option<Length>, default: i64| given.map_or(Some(default), |l| l.seconds());
    let (Some(from), Some(to), Some(step)) =
        (length(request.from, 0), length(request.to, 365 * 86_400), length(request.step, 86_400))
    else {
        return Err(Problem::bad_body(
            "`from`, `to` and `step` are lengths such as \"0d\", \"365d\", \"12h\" or seconds",
        ));
    };
    if step <= 0 || to < from || (to - from) / step > MAX_POINTS {
        return Err(Problem::bad_body("`step` must be positive and give at most 100,000 points from `from` to `to`"));
    }
    let order = order_of(request.order)?;
    let policies = chosen(&state, request.policies)?;
    let currency = order.currency.clone();
    let series = off_thread(move || refund_rules::compare::curves(&policies, &order, from, to, step)).await?;
    if series.is_empty() {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::BAD_BODY,
            format!("no chosen policy is in the order's currency ({currency})"),
        )
        .help("GET /v1/policies lists each policy's currency"));
    }
    Ok(json_value(StatusCode::OK, &Arc::new(series)))
}
