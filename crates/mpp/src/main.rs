//! `mpp`: serve the mall, migrate the database, create the first admin.

use clap::{Parser, Subcommand};
use mpp::{Settings, clock::Clock};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "mpp", version, about = "MPP — Mal Pelayanan Publik")]
struct Cli {
    /// Where the SQLite file and uploaded files live.
    #[arg(long, env = "MPP_DATA_DIR", default_value = "mpp-data", global = true)]
    data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; default: SQLite in the data directory.
    #[arg(long, env = "MPP_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// Where the malls' secret signing keys and the documents' vault key
    /// (vault.key) are kept, one file each (never in the database); default:
    /// `keys` in the data directory (put it on another volume than the data).
    /// A mall's key may instead come from MPP_SIGNING_KEY_<SLUG> (its seed,
    /// base64url), the vault key from MPP_VAULT_KEY.
    #[arg(long, env = "MPP_KEY_DIR", global = true)]
    key_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (loads the demo mall on first start unless --no-demo).
    Serve {
        #[arg(long, env = "MPP_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Do not load the demo mall into an empty database.
        #[arg(long, env = "MPP_NO_DEMO")]
        no_demo: bool,
        /// Mark cookies Secure (set when TLS ends at a proxy that does not send X-Forwarded-Proto).
        #[arg(long, env = "MPP_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Proxies (addresses or networks, comma-separated, e.g. 127.0.0.1,10.0.0.0/8)
        /// whose X-Forwarded-For header names the real client.
        #[arg(long, env = "MPP_TRUSTED_PROXIES", value_parser = mpp::client_addr::TrustedProxies::parse)]
        trusted_proxies: Option<mpp::client_addr::TrustedProxies>,
        /// The bearer token a Prometheus scraper sends to read /metrics
        /// (without it, /metrics is off).
        #[arg(long, env = "MPP_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Log as JSON lines (for log collectors) instead of human-readable text.
        #[arg(long, env = "MPP_LOG_JSON")]
        log_json: bool,
        /// Start the clock at this instant (RFC 3339, e.g. 2026-11-25T09:00:00+08:00)
        /// instead of now: for demos and browser tests outside opening hours.
        #[arg(long, env = "MPP_CLOCK_START", value_parser = parse_instant)]
        clock_start: Option<i64>,
        /// SMTP relay (host:port) for email notifications.
        #[arg(long, env = "MPP_SMTP_ADDR", requires = "smtp_from")]
        smtp_addr: Option<String>,
        /// Sender address of email notifications.
        #[arg(long, env = "MPP_SMTP_FROM")]
        smtp_from: Option<String>,
        /// URL that receives signed notification webhooks (an SMS/WhatsApp gateway).
        #[arg(long, env = "MPP_WEBHOOK_URL", requires = "webhook_secret")]
        webhook_url: Option<String>,
        /// Shared secret for the webhooks' HMAC-SHA256 signature.
        #[arg(long, env = "MPP_WEBHOOK_SECRET", hide_env_values = true)]
        webhook_secret: Option<String>,
        /// The population register NIKs are checked against (docs/REGISTER.md):
        /// its base URL; without it every check answers "unavailable".
        #[arg(long, env = "MPP_POPULATION_REGISTER", requires = "population_register_token")]
        population_register: Option<String>,
        /// The bearer token the population register wants.
        #[arg(long, env = "MPP_POPULATION_REGISTER_TOKEN", hide_env_values = true)]
        population_register_token: Option<String>,
    },
    /// Run the stand-in population register (docs/REGISTER.md) for demos
    /// and tests: it answers match / no match from a CSV of made-up people.
    StandInRegister {
        #[arg(long, default_value = "127.0.0.1:8091")]
        listen: String,
        /// `nik,full_name,birth_date` lines; default: the demo's people.
        #[arg(long)]
        people: Option<PathBuf>,
        /// The bearer token it wants.
        #[arg(long, env = "MPP_POPULATION_REGISTER_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Add a mall to this deployment (with the national calendar copied in).
    CreateMall {
        /// URL name: lowercase letters, digits and hyphens, e.g. kota-kupang.
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// WIB, WITA or WIT.
        #[arg(long)]
        timezone: String,
        /// Kemendagri code of the regency or city, e.g. 53.71.
        #[arg(long, default_value = "")]
        region_code: String,
        #[arg(long, default_value = "")]
        address: String,
    },
    /// Create a user with a role (the first mall admin, a supervisor …).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// mall_admin, agency_admin, officer or national_supervisor.
        #[arg(long, default_value = "mall_admin")]
        role: String,
        /// The mall's slug (not needed for national_supervisor).
        #[arg(long)]
        mall: Option<String>,
        /// The agency code, for agency_admin and officer.
        #[arg(long)]
        agency: Option<String>,
        /// Read from MPP_ADMIN_PASSWORD so it stays out of the shell history.
        #[arg(long, env = "MPP_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Set the secret a mall shares with its bank or QRIS gateway (the
    /// payment webhook's HMAC key).
    GatewaySecret {
        /// The mall's slug.
        #[arg(long)]
        mall: String,
        /// Read from MPP_GATEWAY_SECRET so it stays out of the shell history.
        #[arg(long, env = "MPP_GATEWAY_SECRET", hide_env_values = true)]
        secret: String,
    },
    /// Retire a mall's signing key: the next certificate is signed with a
    /// new one; certificates signed with the old one still verify.
    RotateKey {
        /// The mall's slug.
        #[arg(long)]
        mall: String,
    },
    /// Copy the database and the file store, consistently, while the server
    /// runs (SQLite; on PostgreSQL use pg_dump, see the README).
    Backup {
        /// A new or empty folder for the backup.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup back (stop the server first); checks every file first.
    Restore {
        /// The backup's folder (with its MANIFEST.json).
        #[arg(long)]
        from: PathBuf,
        /// Overwrite the database already in the data directory.
        #[arg(long)]
        replace: bool,
    },
    /// Check a certificate PDF: prints valid, revoked, expired or forged
    /// (exit 0, 3, 4 or 2; 1 if it could not be checked).
    Verify {
        file: PathBuf,
        /// The MPP server whose keys and register to trust, e.g.
        /// https://mpp.example.go.id (default: the address the certificate names).
        #[arg(long)]
        server: Option<String>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        what: Audit,
    },
    /// An agency's system in the data exchange (docs/EXCHANGE.md).
    Exchange {
        #[command(subcommand)]
        what: Exchange,
    },
}

#[derive(Subcommand)]
enum Exchange {
    /// Make a system's Ed25519 key: the secret half written to --out (for
    /// its owner only), the public half printed, to register with the mall.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Send one signed request and check the mall's signed answer: prints
    /// the answer; exit 0 when answered and its signature holds, 1 when
    /// refused, 2 when the answer's signature does not hold.
    Request {
        /// The MPP server, e.g. https://mpp.example.go.id
        #[arg(long)]
        server: String,
        #[arg(long)]
        mall: String,
        /// The system's id, as the mall registered it.
        #[arg(long)]
        client: String,
        /// The key file `keygen` wrote.
        #[arg(long)]
        key: PathBuf,
        /// The citizen's NIK.
        #[arg(long)]
        nik: String,
        /// profile, documents or document:<kind> (e.g. document:kk); repeatable.
        #[arg(long, required = true)]
        want: Vec<String>,
        /// The application whose consent the request relies on.
        #[arg(long)]
        application: Option<String>,
        /// Sign as made at this instant (RFC 3339); default: now.
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Subcommand)]
enum Audit {
    /// Check every mall's audit trail and access log: prints each chain's
    /// length, or the first entry that was edited, removed, inserted or
    /// moved (exit 1). With --statements, also checks each signed head
    /// statement kept there (files of JWS JSON, as /api/v1/malls/{slug}/chain-heads
    /// lists them): signed by the mall's key, and the chain still has its hash.
    Verify {
        #[arg(long)]
        statements: Option<PathBuf>,
    },
    /// Write a mall's signed head statements to a directory, one file each.
    Heads {
        #[arg(long)]
        mall: String,
        #[arg(long)]
        out: PathBuf,
    },
}

impl Cli {
    fn settings(&self, demo: bool, secure_cookies: bool) -> Settings {
        let database_url = self
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", self.data_dir.join("mpp.db").display()));
        let notify = match &self.command {
            Command::Serve { smtp_addr, smtp_from, webhook_url, webhook_secret, .. } => mpp::notify::Config {
                smtp: smtp_addr
                    .clone()
                    .zip(smtp_from.clone())
                    .map(|(addr, from)| mpp::notify::smtp::Config { addr, from }),
                webhook: webhook_url
                    .clone()
                    .zip(webhook_secret.clone())
                    .map(|(url, secret)| mpp::notify::webhook::Config { url, secret }),
            },
            _ => mpp::notify::Config::default(),
        };
        let (trusted_proxies, metrics_token) = match &self.command {
            Command::Serve { trusted_proxies, metrics_token, .. } => {
                (trusted_proxies.clone().unwrap_or_default(), metrics_token.clone())
            }
            _ => Default::default(),
        };
        let register = match &self.command {
            Command::Serve { population_register, population_register_token, .. } => population_register
                .clone()
                .zip(population_register_token.clone())
                .map(|(url, token)| mpp::profile::register::Config { url, token }),
            _ => None,
        };
        Settings {
            key_dir: self.key_dir.clone(),
            signing_keys_from_env: mpp::certificate::keys::KeyStore::env_seeds(std::env::vars()),
            vault_key_from_env: std::env::var("MPP_VAULT_KEY").ok(),
            register,
            database_url,
            data_dir: self.data_dir.clone(),
            demo,
            secure_cookies,
            trusted_proxies,
            metrics_token,
            notify,
        }
    }
}

/// Prints a line on stdout. A reader that stops reading (`mpp verify F |
/// head -1`) is no error: the rest is dropped quietly and the command still
/// ends with its own exit code, where `println!` would panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// An RFC 3339 instant as UTC milliseconds.
fn parse_instant(s: &str) -> Result<i64, String> {
    let at = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 instant ({e})"))?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let json_logs = matches!(cli.command, Command::Serve { log_json: true, .. });
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    if json_logs {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match &cli.command {
        Command::StandInRegister { listen, people, token } => {
            let csv = match people {
                Some(file) => std::fs::read_to_string(file)?,
                None => mpp::profile::stand_in::DEMO.to_string(),
            };
            let people = mpp::profile::stand_in::people(&csv);
            let listener = tokio::net::TcpListener::bind(listen).await?;
            tracing::info!(%listen, people = people.len(), "the stand-in population register listens");
            axum::serve(listener, mpp::profile::stand_in::app(people, token.clone())).await?;
            Ok(())
        }
        Command::Serve { listen, no_demo, secure_cookies, clock_start, .. } => {
            let clock = Clock::system();
            if let Some(at) = clock_start {
                clock.set_now(*at);
            }
            let state = mpp::prepare(&cli.settings(!no_demo, *secure_cookies), clock).await?;
            let listener = tokio::net::TcpListener::bind(listen).await?;
            let addr = listener.local_addr()?;
            let malls = mpp::tenancy::store::list(&state.db).await?;
            say!("MPP is running at http://{addr}/");
            for m in &malls {
                say!("  {}: http://{addr}/m/{}", m.name, m.slug);
            }
            if malls.iter().any(|m| m.is_demo) {
                say!("Demo accounts (password {}):", mpp::demo::PASSWORD);
                for (email, name, ..) in mpp::demo::ACCOUNTS {
                    say!("  {email}  {name}");
                }
            }
            mpp::server::serve(listener, state).await
        }
        Command::Migrate => {
            let db = mpp::db::Db::connect(&cli.settings(false, false).database_url).await?;
            let n = db.migrate().await?;
            say!("applied {n} migration(s)");
            Ok(())
        }
        Command::CreateMall { slug, name, timezone, region_code, address } => {
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            let zone = mpp_domain::tenancy::TimeZone::parse(timezone)
                .ok_or_else(|| anyhow::anyhow!("time zone must be WIB, WITA or WIT"))?;
            let days =
                mpp::tenancy::store::create_with_calendar(&state, slug, name, zone, region_code, address).await?;
            say!("created mall {slug} ({name}); copied {days} national calendar days");
            Ok(())
        }
        Command::CreateAdmin { email, name, role, mall, agency, password } => {
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            mpp::auth::admin_cli::create_admin(&state, email, name, role, mall.as_deref(), agency.as_deref(), password)
                .await?;
            say!("created {email} as {role}");
            Ok(())
        }
        Command::GatewaySecret { mall, secret } => {
            anyhow::ensure!(secret.len() >= 32, "use a secret of at least 32 characters");
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            mpp::payment::set_gateway_secret(&state, mall, secret).await?;
            say!("the payment gateway secret of {mall} is set");
            Ok(())
        }
        Command::RotateKey { mall } => {
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            match mpp::certificate::rotate_key(&state, mall).await? {
                true => say!("the signing key of {mall} is retired; the next certificate gets a new one"),
                false => say!("{mall} has no signing key yet: its first certificate makes one"),
            }
            Ok(())
        }
        Command::Backup { to } => {
            let settings = cli.settings(false, false);
            let m =
                mpp::db::backup::backup(&settings.data_dir, &settings.database_url, to, mpp::clock::system_now_ms())?;
            say!("backed up {} file(s) (schema {}) to {}", m.files.len(), m.schema_version, to.display());
            Ok(())
        }
        Command::Restore { from, replace } => {
            let settings = cli.settings(false, false);
            let m = mpp::db::backup::restore(from, &settings.data_dir, &settings.database_url, *replace)?;
            say!(
                "restored {} file(s) (schema {}) into {}",
                m.files.len(),
                m.schema_version,
                settings.data_dir.display()
            );
            Ok(())
        }
        Command::Audit { what: Audit::Heads { mall, out } } => {
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            let mall = mpp::tenancy::store::by_slug(&state.db, mall).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            std::fs::create_dir_all(out)?;
            let statements = mpp::audit::head::statements(&state.db, &mall.id, i64::MAX).await?;
            for jws in &statements {
                let (s, _) =
                    mpp::audit::head::read(jws).ok_or_else(|| anyhow::anyhow!("a stored statement is not one"))?;
                let file = out.join(format!("{}-{}-{}.json", s.mall, s.trail.as_str(), s.day));
                std::fs::write(&file, serde_json::to_string_pretty(jws)?)?;
            }
            say!("{} statements written to {}", statements.len(), out.display());
            Ok(())
        }
        Command::Audit { what: Audit::Verify { statements } } => {
            let state = mpp::prepare(&cli.settings(false, false), Clock::system()).await?;
            let mut broken = 0;
            if let Some(dir) = statements {
                let mut files: Vec<PathBuf> =
                    std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
                files.sort();
                for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
                    let text = std::fs::read_to_string(file)?;
                    let finding = match mpp::audit::head::parse(&text) {
                        Ok(jws) => mpp::audit::head::check(&state.db, &jws).await?,
                        Err(_) => mpp::audit::head::Finding::Unsigned,
                    };
                    if !matches!(finding, mpp::audit::head::Finding::Holds { .. }) {
                        broken += 1;
                    }
                    say!("{}: {finding}", file.display());
                }
            }
            for c in mpp::audit::verify(&state.db).await? {
                let whose =
                    if c.mall_id.is_empty() { "the deployment".to_string() } else { format!("mall {}", c.mall_id) };
                let trail = c.trail.name();
                match c.found {
                    None => say!("{whose}, {trail}: {} entries, the chain holds", c.entries),
                    Some(b) => {
                        broken += 1;
                        say!("{whose}, {trail}: {b}");
                    }
                }
            }
            anyhow::ensure!(broken == 0, "{broken} chain(s) or statement(s) broken");
            Ok(())
        }
        Command::Exchange { what: Exchange::Keygen { out } } => {
            say!("{}", mpp::exchange::client::keygen(out).await?);
            Ok(())
        }
        Command::Exchange { what: Exchange::Request { server, mall, client, key, nik, want, application, at } } => {
            let iat = match at {
                Some(text) => time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| anyhow::anyhow!("--at {text}: {e}"))?
                    .unix_timestamp(),
                None => Clock::system().now_ms() / 1000,
            };
            let ask = mpp::exchange::client::Ask {
                server: server.clone(),
                mall: mall.clone(),
                client: client.clone(),
                key: mpp::exchange::client::load_key(key)?,
                request: mpp_domain::exchange::Request {
                    nik: nik.clone(),
                    want: want.clone(),
                    application: application.clone(),
                },
                iat,
            };
            let answer = mpp::exchange::client::request(&ask).await?;
            say!("{}", serde_json::to_string_pretty(&answer.body)?);
            say!("status {}, signature {}", answer.status, if answer.verified { "verified" } else { "NOT verified" });
            std::process::exit(match (answer.verified, answer.status) {
                (false, _) => 2,
                (true, 200) => 0,
                _ => 1,
            });
        }
        Command::Verify { file, server } => {
            let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let outcome = mpp::certificate::cli::verify(&bytes, server.as_deref()).await?;
            say!("{}", outcome.verdict.as_str());
            for line in &outcome.lines {
                say!("  {line}");
            }
            std::process::exit(outcome.exit_code());
        }
    }
}
