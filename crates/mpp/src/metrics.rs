//! Prometheus metrics at `/metrics`: requests by route and status, and a
//! latency histogram. Hand-rolled: the text format is simple and a full
//! metrics stack would cost more build time than it saves.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// cumulative bucket counts, then (sum, count)
    latency: Mutex<([u64; BUCKETS.len()], f64, u64)>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    l.0[i] += 1;
                }
            }
            l.1 += seconds;
            l.2 += 1;
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP mpp_http_requests_total HTTP requests by method, route and status.\n# TYPE mpp_http_requests_total counter\n",
        );
        if let Ok(r) = self.requests.lock() {
            for ((m, route, s), n) in r.iter() {
                out.push_str(&format!(
                    "mpp_http_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{s}\"}} {n}\n"
                ));
            }
        }
        out.push_str("# HELP mpp_http_request_duration_seconds Time to answer a request.\n# TYPE mpp_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for (i, b) in BUCKETS.iter().enumerate() {
                out.push_str(&format!("mpp_http_request_duration_seconds_bucket{{le=\"{b}\"}} {}\n", l.0[i]));
            }
            out.push_str(&format!("mpp_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", l.2));
            out.push_str(&format!("mpp_http_request_duration_seconds_sum {}\n", l.1));
            out.push_str(&format!("mpp_http_request_duration_seconds_count {}\n", l.2));
        }
        out
    }
}

/// Middleware: times each request and counts it under its route template
/// (`/m/{slug}/layanan/{code}`), never the raw path, to keep labels few.
pub async fn track(State(metrics): State<std::sync::Arc<Metrics>>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    metrics.observe(&method, &route, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}
