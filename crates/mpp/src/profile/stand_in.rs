//! A stand-in population register for the demo and the tests: a server of
//! its own (`mpp stand-in-register`) that answers the adapter contract
//! (docs/REGISTER.md) from a CSV of made-up people, so MPP's register
//! client is exercised over HTTP exactly as against the real one. It keeps
//! no log and answers only yes or no.

use super::register::Question;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// One person the stand-in knows.
#[derive(Debug, Clone)]
pub struct Person {
    pub nik: String,
    pub full_name: String,
    pub birth_date: String,
}

/// Reads `nik,full_name,birth_date` lines (a header line and `#` comments skipped).
pub fn people(csv: &str) -> Vec<Person> {
    csv.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("nik,"))
        .filter_map(|l| {
            let mut cells = l.splitn(3, ',').map(str::trim);
            Some(Person {
                nik: cells.next()?.to_string(),
                full_name: cells.next()?.to_string(),
                birth_date: cells.next()?.to_string(),
            })
        })
        .collect()
}

/// The demo's people (`data/stand-in-register.csv`).
pub const DEMO: &str = include_str!("../../../../data/stand-in-register.csv");

struct Register {
    people: Vec<Person>,
    token: String,
}

/// The stand-in's routes.
pub fn app(people: Vec<Person>, token: String) -> axum::Router {
    axum::Router::new()
        .route("/nik/verify", axum::routing::post(verify))
        .with_state(Arc::new(Register { people, token }))
}

/// Names compare as the register would: case, spaces and punctuation aside.
fn same_name(a: &str, b: &str) -> bool {
    mpp_domain::search::normalize(a) == mpp_domain::search::normalize(b)
}

async fn verify(State(r): State<Arc<Register>>, headers: HeaderMap, Json(q): Json<Question>) -> Response {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(r.token.as_str()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let found = r
        .people
        .iter()
        .any(|p| p.nik == q.nik && p.birth_date == q.birth_date && same_name(&p.full_name, &q.full_name));
    Json(serde_json::json!({"match": found})).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_people_are_read_and_well_formed() {
        let people = super::people(super::DEMO);
        assert!(people.len() >= 3);
        for p in &people {
            assert!(mpp_domain::form::nik(&p.nik).is_some(), "{}", p.nik);
            assert!(mpp_domain::format::parse_date(&p.birth_date).is_some(), "{}", p.birth_date);
        }
    }
}
