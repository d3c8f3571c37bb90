//! The population register, as MPP asks it: "do this NIK, name and date of
//! birth belong together?", answered yes or no, never with a copy of the
//! record (Dukcapil's "zero data sharing"). The adapter contract is in
//! docs/REGISTER.md: `POST {url}/nik/verify` with a bearer token and
//! `{"nik", "full_name", "birth_date"}`, answered `{"match": true|false}`.
//! A deployment points `--population-register` at Dukcapil's gateway (or
//! an adapter in front of it); the demo and the tests at the stand-in
//! (`stand_in.rs`), a separate server.

use mpp_domain::profile::Answer;

/// Where the register is and the token it wants.
#[derive(Debug, Clone)]
pub struct Config {
    pub url: String,
    pub token: String,
}

/// The question, as sent.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Question {
    pub nik: String,
    pub full_name: String,
    pub birth_date: String,
}

#[derive(serde::Deserialize)]
struct Reply {
    #[serde(rename = "match")]
    matches: bool,
}

/// Asks the register; anything but a clear yes or no is `Unavailable`.
pub async fn ask(config: Option<&Config>, q: &Question) -> Answer {
    let Some(config) = config else { return Answer::Unavailable };
    let url = format!("{}/nik/verify", config.url.trim_end_matches('/'));
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build();
    let sent = match client {
        Ok(c) => c.post(url).bearer_auth(&config.token).json(q).send().await,
        Err(e) => return unavailable(&e),
    };
    let reply = match sent {
        Ok(r) if r.status().is_success() => r.json::<Reply>().await,
        Ok(r) => {
            tracing::warn!(status = %r.status(), "the population register refused the question");
            return Answer::Unavailable;
        }
        Err(e) => return unavailable(&e),
    };
    match reply {
        Ok(Reply { matches: true }) => Answer::Match,
        Ok(Reply { matches: false }) => Answer::NoMatch,
        Err(e) => unavailable(&e),
    }
}

fn unavailable(e: &reqwest::Error) -> Answer {
    tracing::warn!(error = %e, "the population register could not be asked");
    Answer::Unavailable
}
