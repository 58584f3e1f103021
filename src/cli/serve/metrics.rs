//! `GET /metrics` in the Prometheus text format, from plain atomic counters (no dependency:
//! a handful of series does not need a metrics framework).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use refund_rules::Outcome;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0];

/// Every counter the service keeps.
#[derive(Default)]
pub struct Metrics {
    /// Requests by (route, method, status).
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Cumulative counts per bucket, then the `+Inf` bucket.
    latency_buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
    decisions: [AtomicU64; 3],
    reloads: AtomicU64,
    reload_failures: AtomicU64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
        }
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS.iter().position(|b| seconds <= *b).unwrap_or(BUCKETS.len());
        if let Some(counter) = self.latency_buckets.get(bucket) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts one decision.
    pub fn decision(&self, outcome: Outcome) {
        let index = match outcome {
            Outcome::Refund => 0,
            Outcome::NoRefund => 1,
            Outcome::ManualReview => 2,
        };
        if let Some(counter) = self.decisions.get(index) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts reloaded files.
    pub fn reloads(&self, loaded: u64, failed: u64) {
        self.reloads.fetch_add(loaded, Ordering::Relaxed);
        self.reload_failures.fetch_add(failed, Ordering::Relaxed);
    }

    /// The text exposition.
    pub fn render(&self, policies: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP refund_requests_total Requests answered, by route, method and status.");
        let _ = writeln!(out, "# TYPE refund_requests_total counter");
        if let Ok(requests) = self.requests.lock() {
            for ((route, method, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "refund_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {count}",
                    route.replace('\\', "\\\\").replace('"', "\\\"")
                );
            }
        }
        let _ = writeln!(out, "# HELP refund_request_duration_seconds Time from request to answer.");
        let _ = writeln!(out, "# TYPE refund_request_duration_seconds histogram");
        let mut cumulative = 0;
        for (bound, counter) in BUCKETS.iter().zip(&self.latency_buckets) {
            cumulative += counter.load(Ordering::Relaxed);
            let _ = writeln!(out, "refund_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        cumulative += self.latency_buckets.last().map_or(0, |c| c.load(Ordering::Relaxed));
        let _ = writeln!(out, "refund_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "refund_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "refund_request_duration_seconds_count {cumulative}");
        let _ = writeln!(out, "# HELP refund_decisions_total Decisions given, by outcome.");
        let _ = writeln!(out, "# TYPE refund_decisions_total counter");
        for (outcome, counter) in
            [Outcome::Refund, Outcome::NoRefund, Outcome::ManualReview].iter().zip(&self.decisions)
        {
            let _ = writeln!(
                out,
                "refund_decisions_total{{outcome=\"{}\"}} {}",
                outcome.as_str(),
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(out, "# HELP refund_policy_reloads_total Policy files (re)loaded into service.");
        let _ = writeln!(out, "# TYPE refund_policy_reloads_total counter");
        let _ = writeln!(out, "refund_policy_reloads_total {}", self.reloads.load(Ordering::Relaxed));
        let _ = writeln!(
            out,
            "# HELP refund_policy_reload_failures_total Policy file texts refused (the last good one kept)."
        );
        let _ = writeln!(out, "# TYPE refund_policy_reload_failures_total counter");
        let _ = writeln!(out, "refund_policy_reload_failures_total {}", self.reload_failures.load(Ordering::Relaxed));
        let _ = writeln!(out, "# HELP refund_policies Policies in service.");
        let _ = writeln!(out, "# TYPE refund_policies gauge");
        let _ = writeln!(out, "refund_policies {policies}");
        out
    }
}
