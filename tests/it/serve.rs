//! `refund serve` (issue #14): the real binary on an ephemeral loopback port, every endpoint
//! called over HTTP and every answer compared with the library's (one contract, one
//! serializer). The reload, load and shutdown cases are in `serve_reload.rs`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use refund_rules::{compare, diff, Order, Policy};
use serde_json::{json, Value};

/// A `refund serve` process on `127.0.0.1:0`, killed when dropped.
pub struct Server {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The test's folder: `policies/` (served) and `server.log`.
    pub dir: PathBuf,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An empty folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refund-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    dir
}

impl Server {
    /// Serves copies of the shipped `policies` (file names) from a fresh folder.
    pub fn start(name: &str, policies: &[&str], args: &[&str]) -> Server {
        let dir = scratch(name);
        for policy in policies {
            std::fs::copy(root().join("policies").join(policy), dir.join("policies").join(policy)).unwrap();
        }
        Server::start_in(dir, args)
    }

    /// Serves `dir/policies`.
    pub fn start_in(dir: PathBuf, args: &[&str]) -> Server {
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_refund"))
            .arg("serve")
            .arg(dir.join("policies"))
            .args(["--addr", "127.0.0.1:0", "--poll-ms", "50"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(address) = line.split("listening on ").nth(1).and_then(|rest| rest.split_whitespace().next()) else {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("the server did not start: {line}\n{log}");
        };
        Server { child, _stdout: stdout, base: address.to_owned(), dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn policies(&self) -> PathBuf {
        self.dir.join("policies")
    }

    /// Sends SIGTERM and waits (at most 20 s) for the process to end.
    pub fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not stop within 20 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, content type and body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub request_id: Option<String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a problem JSON answer with this status and code; returns it.
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!((self.status, self.content_type.as_str()), (status, "application/problem+json"), "{}", self.body);
        let problem = self.json();
        assert_eq!(problem["code"], code, "{problem}");
        assert_eq!(problem["status"], status);
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{problem}");
        problem
    }
}

/// One call; `headers` are added as given.
pub fn call(agent: &ureq::Agent, method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Answer {
    let mut request = agent.request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(body) => request.send_string(body),
        None => request.call(),
    };
    let response = match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{method} {url}: {error}"),
    };
    let status = response.status();
    let content_type = response.content_type().to_owned();
    let request_id = response.header("x-request-id").map(str::to_owned);
    let body = response.into_string().unwrap();
    Answer { status, content_type, request_id, body }
}

/// A POST that declares a body of `length` bytes and sends none: the server must refuse it
/// from the header alone. (Sending the body would race the refusal: the server answers and
/// closes while the client is still writing, and the client sees a broken pipe.)
pub fn post_declaring(base: &str, path: &str, length: usize) -> Answer {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
        })
    };
    Answer {
        status,
        content_type: header("content-type").unwrap_or_default(),
        request_id: header("x-request-id"),
        body: body.to_owned(),
    }
}

pub fn get(agent: &ureq::Agent, url: &str) -> Answer {
    call(agent, "GET", url, &[], None)
}

pub fn post(agent: &ureq::Agent, url: &str, body: &str) -> Answer {
    call(agent, "POST", url, &[("Content-Type", "application/json")], Some(body))
}

pub fn order_file(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/data/orders").join(name)).unwrap()
}

/// What the library answers, as JSON.
pub fn expected(policy: &Policy, order: &str) -> Value {
    serde_json::to_value(policy.evaluate_json(order).unwrap()).unwrap()
}

const TENCENT: &str = "tencent-cvm.policy";
const HETZNER: &str = "hetzner-cloud.policy";
const ORDER: &str = "tencent-cvm/no-reason-first-return-day-3.json";

/// The shipped policies the endpoint test serves.
struct Shipped {
    tencent: Policy,
    hetzner: Policy,
    alibaba: Policy,
}

// One server answers every endpoint in turn: the metrics at the end count the calls before them.
#[test]
fn every_endpoint_answers_as_the_library_does() {
    let mut server = Server::start("endpoints", &[TENCENT, HETZNER, "alibaba-ecs.policy"], &[]);
    let agent = ureq::agent();
    let policies = Shipped {
        tencent: crate::shipped(TENCENT),
        hetzner: crate::shipped(HETZNER),
        alibaba: crate::shipped("alibaba-ecs.policy"),
    };
    let order = order_file(ORDER);

    lists_and_shows_policies(&agent, &server, &policies.tencent);
    evaluates_as_the_library(&agent, &server, &policies.tencent, &order);
    batch_streams_what_the_cli_writes(&agent, &server);
    compares_and_checks(&agent, &server, &policies, &order);
    diffs_and_draws_curves(&agent, &server, &policies, &order);
    openapi_paths_are_served(&agent, &server);
    metrics_count_the_requests(&agent, &server);

    assert!(server.terminate().success());
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap();
    assert!(log.contains("request{id=") && log.contains("finished processing request"), "{log}");
}

/// Health, the list of policies and one policy shown with its examples.
fn lists_and_shows_policies(agent: &ureq::Agent, server: &Server, tencent: &Policy) {
    assert_eq!(get(agent, &server.url("/v1/health")).json(), json!({ "status": "ok", "policies": 3 }));

    let listed = get(agent, &server.url("/v1/policies")).json();
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alibaba_ecs", "hetzner_cloud", "tencent_cvm"]);
    let listed_tencent = &listed[2];
    assert_eq!(listed_tencent["status"], "loaded");
    assert_eq!(listed_tencent["digest"], tencent.digest());
    assert_eq!(listed_tencent["currency"], "CNY");
    assert_eq!(listed_tencent["versions"], json!(tencent.versions()));

    let shown = get(agent, &server.url("/v1/policies/tencent_cvm")).json();
    assert_eq!(shown["source"], tencent.source());
    let examples = shown["examples"].as_array().unwrap();
    assert_eq!(examples.len(), tencent.run_examples().len());
    assert!(examples.iter().all(|e| e["passed"] == true && e["decision"]["policy"]["id"] == "tencent_cvm"));
}

/// Evaluate: one order (plain and explained) and an array with a bad order in it.
fn evaluates_as_the_library(agent: &ureq::Agent, server: &Server, tencent: &Policy, order: &str) {
    // One order: the library's decision, field for field.
    let answer = post(agent, &server.url("/v1/policies/tencent_cvm/evaluate"), order);
    assert_eq!((answer.status, answer.content_type.as_str()), (200, "application/json"));
    assert_eq!(answer.json(), expected(tencent, order));
    assert_eq!(answer.json()["policy"]["digest"], tencent.digest());
    assert!(answer.request_id.is_some());

    let explained = post(agent, &server.url("/v1/policies/tencent_cvm/evaluate?explain=true"), order).json();
    let library = serde_json::to_value(tencent.explain(&Order::from_json(order).unwrap()).unwrap()).unwrap();
    assert_eq!(explained, library);
    assert!(explained["trace"].as_array().is_some_and(|t| !t.is_empty()));

    // An array: a bad order is an error entry at its index; the others are decided.
    let mut bad: Value = serde_json::from_str(order).unwrap();
    bad["paid"]["cash"] = json!("lots");
    let array = format!("[{order},{bad},{order}]");
    let answers = post(agent, &server.url("/v1/policies/tencent_cvm/evaluate"), &array).json();
    assert_eq!(answers[0], expected(tencent, order));
    assert_eq!(answers[2], answers[0]);
    assert_eq!(answers[1]["error"]["code"], "E201", "{}", answers[1]);
    assert_eq!(answers[1]["error"]["field"], "paid.cash");
}

/// Batch: the streamed lines are the file `refund batch` writes.
fn batch_streams_what_the_cli_writes(agent: &ureq::Agent, server: &Server) {
    // Batch: the same lines as `refund batch` (quotas carried per account).
    let input = root().join("tests/data/batch/tencent-10-gpu-servers.jsonl");
    let lines = std::fs::read_to_string(&input).unwrap();
    let streamed = call(
        agent,
        "POST",
        &server.url("/v1/policies/tencent_cvm/batch"),
        &[("Content-Type", "application/x-ndjson")],
        Some(&lines),
    );
    assert_eq!((streamed.status, streamed.content_type.as_str()), (200, "application/x-ndjson"));
    let out = server.dir.join("cli-batch.jsonl");
    let cli = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["batch", "policies/tencent-cvm.policy", "--orders"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    assert_eq!(streamed.body, std::fs::read_to_string(&out).unwrap());
    assert_eq!(streamed.body.lines().count(), 10);
}

/// Compare and check: the CLI's JSON table, and diagnostics without saving.
fn compares_and_checks(agent: &ureq::Agent, server: &Server, policies: &Shipped, order: &str) {
    let Shipped { tencent, hetzner, alibaba } = policies;
    // Compare: the CLI's JSON table; all loaded policies, or those named.
    let compared = post(
        agent,
        &server.url("/v1/compare"),
        &format!(r#"{{"order":{order},"policies":["tencent_cvm","alibaba_ecs"]}}"#),
    );
    let order_value = Order::from_json(order).unwrap();
    let library = compare::compare(&[tencent.clone(), alibaba.clone()], &order_value);
    assert_eq!(compared.json(), serde_json::to_value(&library).unwrap());
    let all = post(agent, &server.url("/v1/compare"), &format!(r#"{{"order":{order}}}"#)).json();
    assert_eq!(all.as_array().unwrap().len(), 3);

    // Check: diagnostics with code, line, column and help; examples with results; nothing saved.
    let broken = tencent.source().replacen("currency CNY", "currency CNYX", 1);
    let checked = call(agent, "POST", &server.url("/v1/check"), &[("Content-Type", "text/plain")], Some(&broken));
    let checked = checked.json();
    assert_eq!(checked["ok"], false);
    let first = &checked["diagnostics"][0];
    assert!(first["code"].as_str().is_some_and(|c| c.starts_with('E')), "{checked}");
    assert!(first["line"].as_u64().is_some() && first["column"].as_u64().is_some(), "{checked}");
    assert!(checked["rendered"].as_str().unwrap().contains('^'));
    let good = call(agent, "POST", &server.url("/v1/check"), &[], Some(hetzner.source())).json();
    assert_eq!((good["ok"].clone(), good["id"].clone()), (json!(true), json!("hetzner_cloud")));
    assert_eq!(good["examples"].as_array().unwrap().len(), hetzner.run_examples().len());
}

/// Diff (impact and regions) and curve: the library's reports.
fn diffs_and_draws_curves(agent: &ureq::Agent, server: &Server, policies: &Shipped, order: &str) {
    let Shipped { tencent, hetzner, alibaba } = policies;
    let order_value = Order::from_json(order).unwrap();
    // Diff: ids or texts; on orders (the impact) or on the grid (the regions).
    let stricter = tencent.source().replacen("<= 4 days", "<= 1 days", 1);
    assert_ne!(stricter, tencent.source(), "the test's edit must change the policy");
    let request =
        json!({ "old": "tencent_cvm", "new": stricter, "orders": [serde_json::from_str::<Value>(order).unwrap()] });
    let impact = post(agent, &server.url("/v1/diff"), &request.to_string()).json();
    let new = Policy::parse(&stricter).unwrap();
    let records = vec![refund_rules::batch::Record { line: 1, order: Ok(order_value.clone()) }];
    assert_eq!(impact, serde_json::to_value(diff::impact(tencent, &new, &records)).unwrap());
    let regions =
        post(agent, &server.url("/v1/diff"), &json!({ "old": "tencent_cvm", "new": stricter }).to_string()).json();
    assert_eq!(regions, serde_json::to_value(diff::regions(tencent, &new)).unwrap());

    // Curve: the series of `refund curve`.
    let request = format!(r#"{{"order":{order},"from":"0d","to":"30d","step":86400}}"#);
    let series = post(agent, &server.url("/v1/curve"), &request).json();
    let library =
        compare::curves(&[alibaba.clone(), hetzner.clone(), tencent.clone()], &order_value, 0, 30 * 86_400, 86_400);
    assert_eq!(series, serde_json::to_value(&library).unwrap());
    assert_eq!(series[0]["points"].as_array().unwrap().len(), 31);
}

/// The OpenAPI document: every path it lists is routed.
fn openapi_paths_are_served(agent: &ureq::Agent, server: &Server) {
    // The OpenAPI document: every path it lists is served.
    let document = get(agent, &server.url("/openapi.json")).json();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 11);
    for (path, methods) in paths {
        for method in methods.as_object().unwrap().keys() {
            let url = server.url(&path.replace("{id}", "tencent_cvm"));
            let answer = call(agent, &method.to_uppercase(), &url, &[], Some(""));
            let routed = answer.status != 404 && answer.status != 405;
            assert!(routed, "{method} {path} is in /openapi.json but not served: {}", answer.body);
        }
    }
}

/// Metrics after the calls above: requests by route, latency, decisions by outcome, reloads.
fn metrics_count_the_requests(agent: &ureq::Agent, server: &Server) {
    // Metrics: requests by route, latency, decisions by outcome, reloads.
    let metrics = get(agent, &server.url("/metrics"));
    assert!(metrics.content_type.starts_with("text/plain"));
    for expected in [
        r#"refund_requests_total{route="/v1/policies/{id}/evaluate",method="POST",status="200"} 3"#,
        "refund_request_duration_seconds_bucket{le=\"+Inf\"}",
        "refund_decisions_total{outcome=\"refund\"}",
        "refund_policy_reloads_total 3",
        "refund_policy_reload_failures_total 0",
        "refund_policies 3",
    ] {
        assert!(metrics.body.contains(expected), "no `{expected}` in:\n{}", metrics.body);
    }
    // 2 + 2 (array) evaluated, 10 by batch, 4 by the OpenAPI walk's empty bodies (refused).
    let decided: u64 = metrics
        .body
        .lines()
        .filter(|l| l.starts_with("refund_decisions_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(decided, 14);
}

#[test]
fn errors_are_problem_json_without_server_details() {
    let dir = scratch("errors");
    std::fs::copy(root().join("policies").join(TENCENT), dir.join("policies").join(TENCENT)).unwrap();
    let server = Server::start_in(dir.clone(), &["--max-body-kb", "8", "--timeout", "1"]);
    let agent = ureq::agent();
    let evaluate = server.url("/v1/policies/tencent_cvm/evaluate");
    let secret = dir.to_string_lossy().into_owned();

    let not_json = post(&agent, &evaluate, "{\"id\": ").problem(400, "E201");
    let wrong_field = post(&agent, &evaluate, &order_file(ORDER).replacen("\"paid\"", "\"payd\"", 1));
    assert!(wrong_field.problem(400, "E201")["help"].is_string());
    post(&agent, &server.url("/v1/policies/nobody/evaluate"), &order_file(ORDER)).problem(404, "S002");
    get(&agent, &server.url("/v2/nothing")).problem(404, "S003");
    call(&agent, "DELETE", &server.url("/v1/policies/tencent_cvm"), &[], None).problem(405, "S003");
    post(&agent, &server.url("/v1/compare"), "[1, 2]").problem(400, "S001");
    post(&agent, &server.url("/v1/curve"), &format!(r#"{{"order":{},"step":"soon"}}"#, order_file(ORDER)))
        .problem(400, "S001");
    let too_large = post_declaring(&server.base, "/v1/policies/tencent_cvm/evaluate", 8 * 1024 + 1);
    too_large.problem(413, "S005");
    assert!(too_large.request_id.is_some(), "a refusal keeps its request id");
    // A client that stalls (a body announced, never sent) is cut off at --timeout.
    let started = Instant::now();
    post_declaring(&server.base, "/v1/policies/tencent_cvm/evaluate", 100).problem(408, "S006");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The policy's fault: the line and column in the policy, and how to fix it.
    let undecidable = Server::start("undecidable", &[], &[]);
    std::fs::write(
        undecidable.policies().join("gap.policy"),
        "policy gap {\n  name \"Gap\"\n  currency CNY\n  timezone \"UTC\"\n  source \"https://example.com\" read 2026-11-01\n  rule only_banned \"Only banned\":\n    when order.banned_for_violation\n    deny\n}\n",
    )
    .unwrap();
    wait_until("gap.policy is loaded", || get(&agent, &undecidable.url("/v1/health")).json()["policies"] == 1);
    let mut plain: Value = serde_json::from_str(&order_file(ORDER)).unwrap();
    plain.as_object_mut().unwrap().remove("attributes");
    let problem = post(&agent, &undecidable.url("/v1/policies/gap/evaluate"), &plain.to_string()).problem(422, "E202");
    assert!(problem["diagnostics"][0]["line"].as_u64().is_some(), "{problem}");
    assert!(problem["help"].is_string());
    for body in [&not_json.to_string(), &problem.to_string()] {
        assert!(!body.contains(&secret) && !body.contains("/tmp"), "a file path leaked: {body}");
    }
}

/// Polls `condition` every 20 ms for at most 10 s.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "waited 10 s, and still not: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn saving_needs_the_token_and_a_text_that_passes() {
    let dir = scratch("save");
    std::fs::copy(root().join("policies").join(TENCENT), dir.join("policies").join(TENCENT)).unwrap();
    let token = "correct-horse-battery-staple-42";
    std::fs::write(dir.join("token"), format!("{token}\n")).unwrap();
    let token_file = dir.join("token").to_string_lossy().into_owned();
    let server = Server::start_in(dir.clone(), &["--token-file", &token_file]);
    let agent = ureq::agent();
    let url = server.url("/v1/policies/tencent_cvm");
    let file = dir.join("policies").join(TENCENT);
    let original = std::fs::read_to_string(&file).unwrap();
    let edited = format!("{original}\n# Saved through the API.\n");
    let bearer = format!("Bearer {token}");

    for headers in
        [vec![], vec![("Authorization", "Bearer wrong-token-of-some-length")], vec![("Authorization", token)]]
    {
        let answer = call(&agent, "PUT", &url, &headers, Some(&edited));
        answer.problem(401, "S004");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original, "a refused save wrote the file");

    // A text that does not check, or whose example fails: 422, the diagnostics, nothing written.
    let broken = original.replacen("currency CNY", "currency CNYX", 1);
    let refused = call(&agent, "PUT", &url, &[("Authorization", &bearer)], Some(&broken)).problem(422, "S007");
    assert!(refused["diagnostics"][0]["line"].as_u64().is_some(), "{refused}");
    let failing = first_example_expecting_other_amount(&original);
    let refused = call(&agent, "PUT", &url, &[("Authorization", &bearer)], Some(&failing)).problem(422, "S007");
    assert!(!refused["examples"].as_array().unwrap().is_empty(), "{refused}");
    let other_id = original.replacen("policy tencent_cvm", "policy tencent_other", 1);
    call(&agent, "PUT", &url, &[("Authorization", &bearer)], Some(&other_id)).problem(422, "S007");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    assert!(!dir.join("policies/.history").exists());

    let saved = call(&agent, "PUT", &url, &[("Authorization", &bearer)], Some(&edited));
    assert_eq!(saved.status, 200, "{}", saved.body);
    let new_digest = Policy::parse(&edited).unwrap().digest().to_owned();
    assert_eq!(saved.json()["digest"], new_digest);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
    // In service at once, and the old text kept for undo.
    assert_eq!(get(&agent, &url).json()["digest"], new_digest);
    let history: Vec<PathBuf> =
        std::fs::read_dir(dir.join("policies/.history/tencent_cvm")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(history.len(), 1);
    assert_eq!(std::fs::read_to_string(&history[0]).unwrap(), original);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// The policy with its first example's expected amount changed, so that example fails.
fn first_example_expecting_other_amount(text: &str) -> String {
    let at = text.find("expect").expect("the policy has an example");
    let (head, tail) = text.split_at(at);
    let line_end = tail.find('\n').unwrap();
    let (line, rest) = tail.split_at(line_end);
    let changed = match line.find(char::is_numeric) {
        Some(digit) => format!("{}9{}", &line[..digit], &line[digit..]),
        None => panic!("no amount on the example's expect line: {line}"),
    };
    format!("{head}{changed}{rest}")
}

#[test]
fn the_decision_log_records_every_decision_before_the_answer() {
    let dir = scratch("decision-log");
    std::fs::copy(root().join("policies").join(TENCENT), dir.join("policies").join(TENCENT)).unwrap();
    let log = dir.join("decisions.jsonl");
    let log_arg = log.to_string_lossy().into_owned();
    let server = Server::start_in(dir.clone(), &["--decision-log", &log_arg, "--decision-log-max-kb", "2"]);
    let agent = ureq::agent();
    let tencent = crate::shipped(TENCENT);
    let order = order_file(ORDER);
    let evaluate = server.url("/v1/policies/tencent_cvm/evaluate");
    let mut ids = Vec::new();
    for _ in 0..6 {
        let answer = post(&agent, &evaluate, &order);
        assert_eq!(answer.status, 200);
        ids.push(answer.request_id.unwrap());
    }
    let lines = std::fs::read_to_string(root().join("tests/data/batch/tencent-10-gpu-servers.jsonl")).unwrap();
    let batch = call(&agent, "POST", &server.url("/v1/policies/tencent_cvm/batch"), &[], Some(&lines));
    ids.push(batch.request_id.unwrap());

    // Rotated by size: FILE.1, FILE.2, ... hold the older records, FILE the newest.
    let mut files = vec![log.clone()];
    files.extend((1..10).map(|n| dir.join(format!("decisions.jsonl.{n}"))).filter(|p| p.exists()));
    assert!(files.len() > 1, "the log was not rotated at 2 KB");
    let mut records: Vec<Value> = Vec::new();
    for file in files.iter().rev() {
        assert!(std::fs::metadata(file).unwrap().len() <= 2048 + 1024, "{} is over its limit", file.display());
        records
            .extend(std::fs::read_to_string(file).unwrap().lines().map(|l| serde_json::from_str::<Value>(l).unwrap()));
    }
    assert_eq!(records.len(), 16);
    let decision = expected(&tencent, &order);
    for (record, id) in records.iter().zip(&ids).take(6) {
        assert_eq!(&record["request_id"], id);
        assert_eq!(record["endpoint"], "evaluate");
        for field in ["order", "outcome", "amount", "refunds", "rule", "currency"] {
            assert_eq!(record[field], decision[field], "{field}");
        }
        assert_eq!(record["digest"], tencent.digest());
        assert_eq!(record["version"], decision["policy"]["version"]);
        assert!(record["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    }
    let batch_records: Vec<&Value> = records.iter().filter(|r| r["endpoint"] == "batch").collect();
    assert_eq!(batch_records.len(), 10);
    assert!(batch_records.iter().all(|r| r["request_id"] == *ids.last().unwrap() && r["policy"] == "tencent_cvm"));
}

#[test]
fn a_decision_that_cannot_be_logged_is_not_given() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let server = Server::start("log-full", &[TENCENT], &["--decision-log", "/dev/full"]);
    let agent = ureq::agent();
    let answer = post(&agent, &server.url("/v1/policies/tencent_cvm/evaluate"), &order_file(ORDER));
    let problem = answer.problem(500, "S008");
    assert!(!problem.to_string().contains("/dev/full"));
    // Reading is not deciding: it still answers.
    assert_eq!(get(&agent, &server.url("/v1/health")).status, 200);
}

/// Every refusal of the service, as a client reads it: `tests/data/serve/errors/*.json` give the
/// request (`method`, `path`, `headers`, and `body`, or `body_file` with a `replace`, or only a
/// `declared_length`), the snapshot holds the status, the content type and the problem JSON.
#[test]
fn every_refusal_is_a_problem_a_person_can_act_on() {
    let dir = scratch("refusals");
    std::fs::copy(root().join("policies").join(TENCENT), dir.join("policies").join(TENCENT)).unwrap();
    std::fs::copy(root().join("tests/data/serve/gap.policy"), dir.join("policies/gap.policy")).unwrap();
    std::fs::write(dir.join("token"), "serve-test-token-0123456789\n").unwrap();
    let token_file = dir.join("token").to_string_lossy().into_owned();
    let server = Server::start_in(dir.clone(), &["--max-body-kb", "8", "--token-file", &token_file]);
    let agent = ureq::agent();
    insta::glob!("../data/serve/errors", "*.json", |path| {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut body = match (&case["body"], &case["body_file"]) {
            (Value::String(body), _) => Some(body.clone()),
            (_, Value::String(file)) => Some(std::fs::read_to_string(root().join(file)).unwrap()),
            _ => None,
        };
        if let (Some(text), Some([from, to])) = (&mut body, case["replace"].as_array().map(Vec::as_slice)) {
            let (from, to) = (from.as_str().unwrap(), to.as_str().unwrap());
            assert!(text.contains(from), "{}: the body has no `{from}`", path.display());
            *text = text.replacen(from, to, 1);
        }
        let headers: Vec<(&str, &str)> = case["headers"]
            .as_object()
            .map(|h| h.iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect())
            .unwrap_or_default();
        let url = server.url(case["path"].as_str().unwrap());
        let answer = match case["declared_length"].as_u64() {
            Some(length) => post_declaring(&server.base, case["path"].as_str().unwrap(), length as usize),
            None => call(&agent, case["method"].as_str().unwrap(), &url, &headers, body.as_deref()),
        };
        assert!(!answer.body.contains(&*dir.to_string_lossy()), "a server path leaked: {}", answer.body);
        let body = answer.json();
        let mut shown = format!(
            "HTTP {} {}\n{}\n",
            answer.status,
            answer.content_type,
            serde_json::to_string_pretty(&body).unwrap()
        );
        // The caret text as a person reads it.
        if let Some(rendered) = body["rendered"].as_str() {
            shown.push_str(&format!("\nrendered:\n{rendered}"));
        }
        insta::assert_snapshot!(shown);
    });
    // Nothing refused was written.
    let gap = std::fs::read_to_string(dir.join("policies/gap.policy")).unwrap();
    assert_eq!(gap, std::fs::read_to_string(root().join("tests/data/serve/gap.policy")).unwrap());
}
