//! What the benchmarks share: the real `mpp` binary started on a fresh
//! data directory (SQLite, or a PostgreSQL database the bench made), a
//! person logged in with an API token, percentiles.

use reqwest::Client;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const PASSWORD: &str = "mpp-demo-2026";

pub struct Server {
    pub child: Child,
    pub base: String,
    pub dir: std::path::PathBuf,
    /// Where its database is (`None`: SQLite in `dir`); `reads.rs` runs the
    /// command line against it, `visits.rs` has no use for it.
    #[allow(dead_code)]
    pub database_url: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts `mpp serve` (its clock at the bench's first morning) and waits
/// for the address it prints.
pub fn start(database_url: Option<&str>) -> Server {
    let dir = std::env::temp_dir().join(format!("mpp-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mpp"));
    cmd.args(["--data-dir", dir.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .args(["--clock-start", "2026-11-25T08:00:00+08:00"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        cmd.args(["--database-url", url]);
    }
    let mut child = cmd.spawn().expect("starts mpp");
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut base = String::new();
    for line in out.by_ref() {
        if let Some(rest) = line.unwrap().strip_prefix("MPP is running at ") {
            base = rest.trim_end_matches('/').to_string();
            break;
        }
    }
    // Keep reading what the server prints, so it never writes to a closed pipe.
    std::thread::spawn(move || out.for_each(drop));
    assert!(!base.is_empty(), "the server did not start");
    Server { child, base, dir, database_url: database_url.map(str::to_owned) }
}

/// Logs a demo person in, as a browser would, and makes them an API token:
/// the logged-in client and the token.
pub async fn person(base: &str, email: &str) -> (Client, String) {
    let c = Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let csrf =
        |html: &str| html.split("name=\"_csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let page = c.get(format!("{base}/masuk")).send().await.unwrap().text().await.unwrap();
    let form =
        [("_csrf", csrf(&page)), ("email", email.into()), ("password", PASSWORD.into()), ("next", "/akun".into())];
    c.post(format!("{base}/masuk")).form(&form).send().await.unwrap();
    let page = c.get(format!("{base}/akun")).send().await.unwrap().text().await.unwrap();
    let form = [("_csrf", csrf(&page)), ("name", "bench".into())];
    let html = c.post(format!("{base}/akun/token")).form(&form).send().await.unwrap().text().await.unwrap();
    let token = html.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    (c, token)
}

/// The `p` quantile of latencies in µs, in ms.
pub fn percentile(v: &mut [u32], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable();
    let rank = ((v.len() as f64) * p).ceil() as usize;
    f64::from(v[rank.clamp(1, v.len()) - 1]) / 1000.0
}
