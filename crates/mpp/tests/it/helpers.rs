//! `TestApp`: a running server with its own database, and HTTP helpers.
//! `both!(name)` turns `async fn name(app: TestApp)` into one test per database.

use mpp::clock::Clock;
use reqwest::{Client, Response, StatusCode, redirect::Policy};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test on SQLite and on PostgreSQL.
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(crate::helpers::TestApp::spawn(crate::helpers::Backend::Postgres).await).await
            }
        }
    };
}
pub(crate) use both;

pub const DEMO_PASSWORD: &str = mpp::demo::PASSWORD;
/// What the test servers' `/metrics` asks for.
pub const METRICS_TOKEN: &str = "scraper-token-for-tests";
pub const CITIZEN: &str = "warga@demo.mpp.id";

pub const ADMIN: &str = "admin@demo.mpp.id";
pub const AGENCY_ADMIN: &str = "dukcapil@demo.mpp.id";
pub const OFFICER: &str = "petugas@demo.mpp.id";
pub const SUPERVISOR: &str = "pengawas@demo.mpp.id";

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub state: mpp::state::AppState,
    /// The data directory (the SQLite file, uploads).
    pub dir: PathBuf,
    pg_db: Option<String>,
    /// The demo mall's kiosk: a browser enrolled as one (see [`TestApp::kiosk`]).
    kiosk: tokio::sync::OnceCell<Client>,
}

pub fn pg_admin_url() -> String {
    std::env::var("MPP_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, mpp::notify::Config::default()).await
    }

    /// A server whose notifier sends to the given channels.
    pub async fn spawn_with(backend: Backend, notify: mpp::notify::Config) -> TestApp {
        let id = crate::helpers::unique();
        let dir = std::env::temp_dir().join(format!("mpp-test-{id}"));
        // A clone of the run's template: migrated, with the demo mall (see template.rs).
        let (database_url, pg_db) = match backend {
            Backend::Sqlite => {
                let template = crate::template::sqlite().await;
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::copy(template, dir.join("mpp.db")).unwrap();
                (format!("sqlite://{}?mode=rwc", dir.join("mpp.db").display()), None)
            }
            Backend::Postgres => {
                let name = format!("mpp_test_{id}");
                let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&pg_admin_url()).await.unwrap();
                // A run of another build sweeps the templates it does not
                // use; should it take ours between its making and a clone,
                // make it again.
                for attempt in 0.. {
                    let template = crate::template::postgres().await;
                    let create = format!("CREATE DATABASE {name} TEMPLATE {template}");
                    match sqlx::Executor::execute(&mut admin, create.as_str()).await {
                        Ok(_) => break,
                        Err(e) if attempt < 3 && e.to_string().contains("does not exist") => continue,
                        Err(e) => panic!("cannot clone the template {template}: {e}"),
                    }
                }
                let base = pg_admin_url();
                let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
                (url, Some(name))
            }
        };
        let settings = mpp::Settings {
            database_url: database_url.clone(),
            data_dir: dir.clone(),
            demo: true,
            secure_cookies: false,
            // The tests' requests come from 127.0.0.1, as a proxy's would.
            trusted_proxies: mpp::client_addr::TrustedProxies::parse("127.0.0.1").unwrap(),
            metrics_token: Some(METRICS_TOKEN.into()),
            notify,
            ..Default::default()
        };
        // Time stands still unless a test moves it (the start is today's, so
        // the demo's dates read as they do on the page).
        let clock = Clock::fixed(mpp::clock::system_now_ms());
        let state = mpp::prepare(&settings, clock).await.expect("server prepares");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(mpp::server::serve(listener, state.clone()));
        TestApp { base, database_url, state, dir, pg_db, kiosk: tokio::sync::OnceCell::new() }
    }

    /// A second server process on this one's database (its own data
    /// directory, the same key directory), with settings of its own: what several processes, or a
    /// restart with new settings, look like.
    pub async fn another_server(&self, change: impl FnOnce(&mut mpp::Settings)) -> TestApp {
        let dir = std::env::temp_dir().join(format!("mpp-test-{}", crate::helpers::unique()));
        // One deployment: its processes share the signing and vault keys.
        let mut settings = mpp::Settings {
            database_url: self.database_url.clone(),
            data_dir: dir.clone(),
            key_dir: Some(self.state.keys.dir.clone()),
            trusted_proxies: mpp::client_addr::TrustedProxies::parse("127.0.0.1").unwrap(),
            metrics_token: Some(METRICS_TOKEN.into()),
            ..Default::default()
        };
        change(&mut settings);
        let state = mpp::prepare(&settings, self.state.clock.clone()).await.expect("server prepares");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(mpp::server::serve(listener, state.clone()));
        // pg_db stays None: the first server owns (and drops) the database.
        TestApp { base, database_url: self.database_url.clone(), state, dir, pg_db: None, kiosk: Default::default() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
    }

    pub async fn get(&self, c: &Client, path: &str) -> Response {
        c.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, c: &Client, path: &str) -> (StatusCode, String) {
        let r = self.get(c, path).await;
        (r.status(), r.text().await.unwrap())
    }

    /// Posts a form from a page: fetches `page` first to get its CSRF token.
    pub async fn post_form(&self, c: &Client, page: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let (_, html) = self.get_text(c, page).await;
        let token = csrf_of(&html);
        let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        form.extend_from_slice(fields);
        c.post(self.url(action)).form(&form).send().await.unwrap()
    }
}

impl TestApp {
    /// A browser enrolled as one of the demo mall's devices, the way a
    /// manager does it: registered on the devices page, then the one-time
    /// link confirmed on the device.
    pub async fn enrol_device(&self, name: &str, kind: &str) -> Client {
        let admin = self.login(ADMIN).await;
        let page = "/m/ttu/admin/perangkat";
        let r = self.post_form(&admin, page, page, &[("name", name), ("kind", kind)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = self.get_text(&admin, page).await;
        let link = html.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        let device = self.client();
        let path = link.trim_start_matches(&self.base).to_string();
        let r = self.post_form(&device, &path, &path, &[]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "enrolled");
        device
    }

    /// The demo mall's kiosk in the hall (enrolled once per test server).
    pub async fn kiosk(&self) -> &Client {
        self.kiosk.get_or_init(|| self.enrol_device("Kiosk aula", "kiosk")).await
    }

    /// A client logged in as one of the demo accounts (or any account with the demo password).
    pub async fn login(&self, email: &str) -> Client {
        let c = self.client();
        let fields = [("email", email), ("password", DEMO_PASSWORD), ("next", "/akun")];
        let r = self.post_form(&c, "/masuk", "/masuk", &fields).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {email}");
        c
    }
}

pub fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string()
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_db.take() {
            // Drop runs outside async; use a short-lived runtime on its own thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(&pg_admin_url()).await {
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::Executor::execute(&mut c, drop.as_str()).await;
                    }
                });
            })
            .join();
        }
    }
}

/// A name no other test (or test process) uses: for databases and files.
pub fn unique() -> String {
    mpp::auth::random_token()[..20].to_string()
}

/// The Python that has the outside checkers (set by scripts/test).
pub fn python() -> String {
    std::env::var("MPP_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs an outside checker; a missing checker fails the test with the fix.
pub fn run_checker(args: &[&str]) -> String {
    let out = std::process::Command::new(python())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}); run ./scripts/test, which installs the checkers", python()));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        !text.contains("No module named"),
        "checker missing: {text}\nrun ./scripts/test (it installs scripts/test-requirements.txt)"
    );
    let short: String = text.chars().take(3000).collect();
    assert!(out.status.success(), "checker {args:?} failed:\n{short}");
    text
}

/// A filing form's requirements checklist, every item ticked (the forms
/// show as many boxes as the service has requirements; extra ones are ignored).
pub fn ticked() -> Vec<(&'static str, &'static str)> {
    // A bundle's checklist holds every one of its services' items.
    const BOXES: [&str; 30] = [
        "requirement.0",
        "requirement.1",
        "requirement.2",
        "requirement.3",
        "requirement.4",
        "requirement.5",
        "requirement.6",
        "requirement.7",
        "requirement.8",
        "requirement.9",
        "requirement.10",
        "requirement.11",
        "requirement.12",
        "requirement.13",
        "requirement.14",
        "requirement.15",
        "requirement.16",
        "requirement.17",
        "requirement.18",
        "requirement.19",
        "requirement.20",
        "requirement.21",
        "requirement.22",
        "requirement.23",
        "requirement.24",
        "requirement.25",
        "requirement.26",
        "requirement.27",
        "requirement.28",
        "requirement.29",
    ];
    BOXES.iter().map(|b| (*b, "1")).collect()
}
