//! The web workbench (issue #15) as `refund serve` ships it: the embedded page at `/`, and the
//! routes it calls on a text that is not saved (format, example orders, try an order). The page
//! itself is driven in a browser by `.ci/web`.

use refund_rules::{Order, Policy};
use serde_json::{json, Value};

use super::serve::{call, get, post, root, Server};

const KUFANYUN: &str = "kufanyun.policy";

fn text() -> String {
    std::fs::read_to_string(root().join("policies").join(KUFANYUN)).unwrap()
}

#[test]
fn the_page_is_served_from_the_binary_and_may_only_talk_to_its_server() {
    let server = Server::start("workbench-page", &[KUFANYUN], &[]);
    let agent = ureq::agent();
    let page = get(&agent, &server.url("/"));
    assert_eq!((page.status, page.content_type.as_str()), (200, "text/html"), "{}", page.body);
    assert_eq!(page.body, std::fs::read_to_string(root().join("web/dist/index.html")).unwrap());
    let response = agent.get(&server.url("/app.js")).call().unwrap();
    assert_eq!(response.content_type(), "text/javascript");
    let policy = response.header("content-security-policy").unwrap().to_owned();
    assert!(policy.contains("default-src 'self'") && policy.contains("connect-src 'self'"), "{policy}");
    assert_eq!(response.into_string().unwrap(), std::fs::read_to_string(root().join("web/dist/app.js")).unwrap());
    // No other file is served, and a missing one is problem JSON, not an index page.
    get(&agent, &server.url("/secrets.txt")).problem(404, "S003");
    get(&agent, &server.url("/..%2FCargo.toml")).problem(404, "S003");
}

#[test]
fn format_example_orders_and_try_work_on_an_unsaved_text() {
    let server = Server::start("workbench-calls", &[KUFANYUN], &[]);
    let agent = ureq::agent();
    let text = text();
    let policy = Policy::parse(&text).unwrap();

    // Format: `refund fmt`'s layout; a text that does not parse says where.
    let messy = text.replace("  currency CNY", "  currency      CNY");
    let formatted = call(&agent, "POST", &server.url("/v1/format"), &[], Some(&messy)).json();
    assert_eq!(formatted["text"], refund_rules::format::format_policy(&messy).unwrap());
    assert_eq!(formatted["text"], text.as_str());
    let broken = call(&agent, "POST", &server.url("/v1/format"), &[], Some("policy p {")).problem(422, "S007");
    assert_eq!(broken["diagnostics"][0]["line"], 1, "{broken}");

    // Example orders: every example's full order, by name, in the order of /v1/check.
    let examples = call(&agent, "POST", &server.url("/v1/example-orders"), &[], Some(&text)).json();
    let names: Vec<String> = policy.run_examples().into_iter().map(|e| e.name).collect();
    let listed: Vec<&str> = examples.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(listed, names);
    for (example, order) in examples.as_array().unwrap().iter().zip(policy.example_orders()) {
        assert_eq!(example["order"], serde_json::to_value(&order).unwrap());
    }
    let none = call(&agent, "POST", &server.url("/v1/example-orders"), &[], Some("policy p {")).json();
    assert_eq!(none, json!([]));

    // Try: the edited text decides, explained; the saved policy is untouched.
    let order = examples[1]["order"].clone();
    let edited = text.replace("= 10.00 CNY", "= 20.00 CNY");
    let body = json!({ "text": edited, "order": order }).to_string();
    let decision = post(&agent, &server.url("/v1/try"), &body).json();
    let library = Policy::parse(&edited).unwrap().explain(&Order::from_json_value(order.clone()).unwrap()).unwrap();
    assert_eq!(decision, serde_json::to_value(&library).unwrap());
    assert_eq!(decision["amount"], "866.30");
    assert!(decision["trace"].as_array().is_some_and(|t| !t.is_empty()));
    let saved = post(&agent, &server.url("/v1/policies/kufanyun/evaluate"), &order.to_string()).json();
    assert_eq!(saved["amount"], "876.30");

    // A text that does not check, or a bad order, is refused with what to fix.
    let body = json!({ "text": text.replace("order.paid.cash", "order.paid.csh"), "order": order }).to_string();
    let refused = post(&agent, &server.url("/v1/try"), &body).problem(422, "S007");
    assert!(refused["diagnostics"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["help"].as_str().unwrap_or("").contains("cash"))));
    let mut bad: Value = order;
    bad["paid"]["cash"] = json!("lots");
    let body = json!({ "text": text, "order": bad }).to_string();
    let problem = post(&agent, &server.url("/v1/try"), &body).problem(400, "E201");
    assert_eq!(problem["field"], "paid.cash");
    post(&agent, &server.url("/v1/try"), r#"{"text": "x"}"#).problem(400, "S001");
}

#[test]
fn the_texts_a_save_replaced_can_be_listed_and_read_back() {
    let dir = super::serve::scratch("workbench-history");
    std::fs::copy(root().join("policies").join(KUFANYUN), dir.join("policies").join(KUFANYUN)).unwrap();
    std::fs::write(dir.join("token"), "0123456789abcdef0123456789abcdef\n").unwrap();
    let token_file = dir.join("token");
    let server = Server::start_in(dir, &["--token-file", token_file.to_str().unwrap()]);
    let agent = ureq::agent();
    let history = server.url("/v1/policies/kufanyun/history");
    assert_eq!(get(&agent, &history).json(), json!([]), "never saved over: no history");

    let original = text();
    let edited = original.replace("policy kufanyun {", "# edited\npolicy kufanyun {");
    let auth = [("Authorization", "Bearer 0123456789abcdef0123456789abcdef")];
    let saved = call(&agent, "PUT", &server.url("/v1/policies/kufanyun"), &auth, Some(&edited));
    assert_eq!(saved.status, 200, "{}", saved.body);
    let versions = get(&agent, &history).json();
    let version = versions[0]["version"].as_str().unwrap().to_owned();
    assert_eq!(versions.as_array().unwrap().len(), 1);
    let kept = get(&agent, &format!("{history}/{version}"));
    assert_eq!((kept.status, kept.content_type.as_str()), (200, "text/plain"));
    assert_eq!(kept.body, original);

    // Restoring is saving the kept text again; the text it replaces is kept in turn, newest first.
    let restored = call(&agent, "PUT", &server.url("/v1/policies/kufanyun"), &auth, Some(&kept.body));
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(std::fs::read_to_string(server.policies().join(KUFANYUN)).unwrap(), original);
    let versions = get(&agent, &history).json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let newest = versions[0]["version"].as_str().unwrap();
    assert!(newest > version.as_str(), "{versions}");
    assert_eq!(get(&agent, &format!("{history}/{newest}")).body, edited);

    // Only listed versions are read: nothing else in or out of the folder.
    get(&agent, &format!("{history}/20990101T000000.000000Z")).problem(404, "S002");
    get(&agent, &format!("{history}/..%2F..%2Fkufanyun")).problem(404, "S002");
    get(&agent, &server.url("/v1/policies/nope/history")).problem(404, "S002");
}
