//! `refund serve` under change and load (issue #14): a policy edited on disk to a broken state
//! while requests run (no request fails, the old version is served, and a good edit is then
//! swapped in), thousands of requests on several keep-alive connections (every answer equal to
//! `Policy::evaluate`), and a graceful stop on SIGTERM.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use refund_rules::Policy;
use serde_json::Value;

use crate::serve::{call, expected, get, order_file, post, root, wait_until, Server};

const TENCENT: &str = "tencent-cvm.policy";
const ORDER: &str = "tencent-cvm/no-reason-first-return-day-3.json";

#[test]
fn a_broken_edit_on_disk_never_takes_the_policy_down() {
    let server = Server::start("reload", &[TENCENT], &[]);
    let file = server.policies().join(TENCENT);
    let original = std::fs::read_to_string(&file).unwrap();
    let old = crate::shipped(TENCENT);
    let order = order_file(ORDER);
    let old_answer = expected(&old, &order);
    let url = server.url("/v1/policies/tencent_cvm/evaluate");

    // Requests run the whole time; every one must succeed.
    let stop = Arc::new(AtomicBool::new(false));
    let running = {
        let (stop, url, order) = (Arc::clone(&stop), url.clone(), order.clone());
        std::thread::spawn(move || {
            let agent = ureq::agent();
            let mut answers = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let answer = post(&agent, &url, &order);
                assert_eq!(answer.status, 200, "a request failed during the reload: {}", answer.body);
                answers.push(answer.json());
            }
            answers
        })
    };
    let agent = ureq::agent();
    // Half-written, then broken: neither is served.
    let half = original.char_indices().map(|(at, _)| at).find(|at| *at >= original.len() / 2).unwrap();
    std::fs::write(&file, &original[..half]).unwrap();
    wait_until("the broken file is refused", || {
        get(&agent, &server.url("/v1/policies")).json()[0]["status"] == "reload_failed"
    });
    let listed = get(&agent, &server.url("/v1/policies")).json();
    assert_eq!(listed[0]["digest"], old.digest(), "the last good version stays in service");
    let error = &listed[0]["error"];
    assert!(error["diagnostics"][0]["line"].as_u64().is_some(), "the refusal says why: {error}");
    assert_eq!(post(&agent, &url, &order).json(), old_answer);
    let metrics = get(&agent, &server.url("/metrics")).body;
    assert!(metrics.contains("refund_policy_reload_failures_total 1"), "{metrics}");

    // A good edit is swapped in, and decisions name its digest.
    let stricter = original.replacen("<= 4 days", "<= 1 days", 1);
    let new = Policy::parse(&stricter).unwrap();
    assert!(new.run_examples().iter().any(|e| !e.passed()), "this edit breaks an example, so it is refused");
    std::fs::write(&file, &stricter).unwrap();
    wait_until("the edit with a failing example is refused", || {
        get(&agent, &server.url("/metrics")).body.contains("refund_policy_reload_failures_total 2")
    });
    assert_eq!(post(&agent, &url, &order).json(), old_answer);
    let passing = format!("{original}\n# Edited while serving.\n");
    let new = Policy::parse(&passing).unwrap();
    std::fs::write(&file, &passing).unwrap();
    wait_until("the good edit is in service", || post(&agent, &url, &order).json()["policy"]["digest"] == new.digest());
    assert_eq!(get(&agent, &server.url("/v1/policies")).json()[0]["status"], "loaded");

    stop.store(true, Ordering::Relaxed);
    let answers = running.join().unwrap();
    assert!(answers.len() > 3, "the requests ran during the reloads");
    let new_answer = expected(&new, &order);
    for answer in &answers {
        assert!(answer == &old_answer || answer == &new_answer, "an answer from no loaded version: {answer}");
    }
}

#[test]
fn thousands_of_concurrent_requests_answer_as_evaluate_does() {
    let policies = ["tencent-cvm.policy", "alibaba-ecs.policy", "hetzner-cloud.policy", "aws-savings-plans.policy"];
    let server = Server::start("load", &policies, &["--concurrency", "8"]);
    // Every order of these policies' test data, with the library's answer.
    let mut cases: Vec<(String, String, Value)> = Vec::new();
    for file in policies {
        let policy = crate::shipped(file);
        let folder = root().join("tests/data/orders").join(file.trim_end_matches(".policy"));
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let order = std::fs::read_to_string(&path).unwrap();
                let answer = match policy.evaluate_json(&order) {
                    Ok(decision) => serde_json::to_value(decision).unwrap(),
                    Err(error) => serde_json::json!({ "code": error.code() }),
                };
                cases.push((policy.id().to_owned(), order, answer));
            }
        }
    }
    assert!(cases.len() > 50);
    let cases = Arc::new(cases);
    let (connections, per_connection) = (6, 500);
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let (cases, base) = (Arc::clone(&cases), server.base.clone());
            std::thread::spawn(move || {
                // One agent per thread keeps one connection alive for all its requests.
                let agent = ureq::AgentBuilder::new().max_idle_connections_per_host(1).build();
                for n in 0..per_connection {
                    let (id, order, answer) = &cases[(worker * 7 + n * 13) % cases.len()];
                    let url = format!("{base}/v1/policies/{id}/evaluate");
                    let got = call(&agent, "POST", &url, &[("Content-Type", "application/json")], Some(order));
                    let got =
                        if got.status == 200 { got.json() } else { serde_json::json!({ "code": got.json()["code"] }) };
                    assert_eq!(&got, answer, "worker {worker}, request {n}, policy {id}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let metrics = get(&ureq::agent(), &server.url("/metrics")).body;
    let count: u64 = metrics
        .lines()
        .filter(|l| l.starts_with("refund_requests_total{route=\"/v1/policies/{id}/evaluate\""))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(count, (connections * per_connection) as u64);
}

#[test]
fn sigterm_lets_requests_in_flight_finish() {
    let mut server = Server::start("sigterm", &[TENCENT], &[]);
    let order = order_file(ORDER);
    let lines: String = (0..3000).map(|_| format!("{}\n", order.replace('\n', " "))).collect();
    let url = server.url("/v1/policies/tencent_cvm/batch");
    let started = Arc::new(AtomicBool::new(false));
    let request = {
        let started = Arc::clone(&started);
        std::thread::spawn(move || {
            started.store(true, Ordering::Relaxed);
            call(&ureq::agent(), "POST", &url, &[], Some(&lines))
        })
    };
    wait_until("the request is sent", || started.load(Ordering::Relaxed));
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = server.terminate();
    let answer = request.join().unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.lines().count(), 3000, "the batch in flight was cut");
    assert!(status.success(), "exit {status:?}");
    let log = std::fs::read_to_string(server.dir.join("server.log")).unwrap();
    assert!(log.contains("stopping"), "{log}");
}
