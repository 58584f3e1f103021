//! Errors as RFC 9457 problem JSON (`application/problem+json`), with the CLI's codes.
//!
//! An order the policy cannot take is the order's fault (`E201`, naming the JSON field); an
//! order the policy cannot decide is the policy's (`E202`..`E208`, with the policy's line and
//! column). The `S0xx` codes are the service's own: what has no counterpart on a command line.
//! Nothing here ever carries a file path or a stack trace.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use refund_rules::{Diagnostic, EvalError, OrderError, Policy};
use serde::Serialize;

/// The content type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One error answer (boxed: it travels in every handler's `Result`).
#[derive(Debug, Clone)]
pub struct Problem(Box<ProblemBody>);

impl std::ops::Deref for Problem {
    type Target = ProblemBody;
    fn deref(&self) -> &ProblemBody {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemBody {
        &mut self.0
    }
}

/// The fields of a problem, as sent.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemBody {
    /// A URI naming the kind of problem (its code, resolved against the docs).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short and the same for every problem of the kind.
    pub title: String,
    /// The HTTP status, repeated for clients that lose it.
    pub status: u16,
    /// What is wrong with this request.
    pub detail: String,
    /// The CLI's code (`E201`) or the service's (`S0xx`).
    pub code: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The JSON field at fault in an order (`paid.cash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem of a policy text, by position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<serde_json::Value>>,
    /// In-file examples that did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub examples: Option<Vec<serde_json::Value>>,
}

impl Problem {
    /// A problem with a status, a code and a message.
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Problem {
        Problem(Box::new(ProblemBody {
            kind: format!("https://refund-rules.dev/errors#{}", code.to_ascii_lowercase()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            help: None,
            field: None,
            diagnostics: None,
            examples: None,
        }))
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }

    /// The request body is not JSON of the expected shape.
    pub fn bad_body(detail: impl std::fmt::Display) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, codes::BAD_BODY, format!("the request body cannot be read: {detail}"))
            .help("send JSON as described in /openapi.json")
    }

    /// No policy has this id.
    pub fn unknown_policy(id: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, format!("no policy `{id}` is loaded"))
            .help("GET /v1/policies lists the loaded policies and their ids")
    }

    /// An order that could not be decided: 400 when the order is at fault, 422 when the policy is.
    pub fn from_eval(policy: &Policy, error: &EvalError) -> Problem {
        match error {
            EvalError::Order(order_error) => Problem::from_order(order_error),
            _ => {
                let diagnostic = Diagnostic::from(error);
                let mut problem = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    error.code(),
                    format!("the policy `{}` could not decide this order: {error}", policy.id()),
                );
                problem.help = error.help();
                problem.diagnostics = Some(vec![diagnostic_json(&diagnostic, policy.source())]);
                problem
            }
        }
    }

    /// An order that cannot be read: `E201`, naming the JSON field at fault.
    pub fn from_order(error: &OrderError) -> Problem {
        let code = EvalError::Order(error.clone()).code();
        let mut problem = Problem::new(StatusCode::BAD_REQUEST, code, error.to_string())
            .help("fix the order's field named in `field`; /openapi.json describes an order");
        problem.field = Some(error.path().to_owned()).filter(|p| !p.is_empty());
        problem
    }

    /// The problem as the entry of an array answer (`{"error": {...}}`).
    pub fn entry(&self) -> serde_json::Value {
        let mut error = serde_json::json!({ "code": self.code, "status": self.status, "detail": self.detail });
        if let Some(object) = error.as_object_mut() {
            for (key, value) in [("help", &self.help), ("field", &self.field)] {
                if let Some(value) = value {
                    object.insert(key.to_owned(), value.clone().into());
                }
            }
            if let Some(diagnostics) = &self.diagnostics {
                object.insert("diagnostics".to_owned(), diagnostics.clone().into());
            }
        }
        serde_json::json!({ "error": error })
    }
}

/// A diagnostic with its line and column in `source`, as `POST /v1/check` gives them.
pub fn diagnostic_json(diagnostic: &Diagnostic, source: &str) -> serde_json::Value {
    let position = diagnostic.position(source);
    serde_json::json!({
        "code": diagnostic.code,
        "severity": diagnostic.severity.to_string(),
        "message": diagnostic.message,
        "line": position.map(|p| p.line),
        "column": position.map(|p| p.column),
        "label": diagnostic.label,
        "help": diagnostic.help,
    })
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&*self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// Turns the plain-text refusals of the layers and of axum (too large, too slow, no such route,
/// bad query) into problem JSON, so a client reads every error the same way.
pub async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (code, detail, help) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            codes::TOO_LARGE,
            "the request body is larger than this server accepts",
            "send fewer orders per request, or start the server with a larger --max-body-kb",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            codes::TIMEOUT,
            "the request took longer than this server allows",
            "send fewer orders per request, or start the server with a longer --timeout",
        ),
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => (
            codes::NO_ROUTE,
            "there is no such endpoint, or it does not take this method",
            "GET /openapi.json lists every endpoint",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            codes::BAD_BODY,
            "the request body is not of a type this endpoint reads",
            "send Content-Type: application/json",
        ),
        _ if status.is_client_error() => {
            (codes::BAD_BODY, "the request cannot be read", "GET /openapi.json describes every request")
        }
        _ => (codes::INTERNAL, "the server failed to answer", "try again; the server's log has the details"),
    };
    let mut problem = Problem::new(status, code, detail).help(help);
    problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
    let mut answer = problem.into_response();
    // Keeps the request id and the like; only the body and its type change.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

/// The service's own codes, `S` for service: the engine's `E`/`W` codes (`src/codes.rs`,
/// `docs/errors.md`) are problems of a policy or an order, these are problems of a request.
pub mod codes {
    /// The body is not JSON, or not of the expected shape.
    pub const BAD_BODY: &str = "S001";
    /// No policy with this id is loaded.
    pub const NOT_FOUND: &str = "S002";
    /// No such endpoint or method.
    pub const NO_ROUTE: &str = "S003";
    /// Saving a policy without the right bearer token, or with saving turned off.
    pub const UNAUTHORIZED: &str = "S004";
    /// The body is larger than `--max-body`.
    pub const TOO_LARGE: &str = "S005";
    /// The request took longer than `--timeout`.
    pub const TIMEOUT: &str = "S006";
    /// A policy text was refused: it does not check, or an example fails.
    pub const POLICY_REFUSED: &str = "S007";
    /// The decision log could not be written; the decision was not given.
    pub const DECISION_LOG: &str = "S008";
    /// Anything else on the server's side (never with its details).
    pub const INTERNAL: &str = "S009";
}
