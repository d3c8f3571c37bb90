//! The exchange between agencies' systems: `POST /api/v1/malls/{slug}/exchange`.
//! A system an agency runs, registered by the mall with its Ed25519 public
//! key (`clients.rs`, `/m/{slug}/admin/sistem-instansi`), asks for what a
//! citizen gave once (profile, the list of kept documents, a kept
//! document), signing the request's body as a detached JWS in
//! `X-MPP-Signature` (`kid`: the system's id; `iat`; a `jti` used once).
//! MPP checks the signature, the time and the `jti`, finds the citizen by
//! their verified NIK and a ground (`mpp_domain::exchange::ground`: a live
//! consent of the system's agency for the application the request names,
//! else the system's legal basis), puts every read on the access log, and
//! answers, signed with the mall's key (`in_reply_to`: the request's jti);
//! the request and answer, their hashes and both signatures are logged in
//! `exchanges`, refusals after a good signature too. `client.rs` is the
//! `mpp exchange` command line that shows (and tests) the flow.

pub mod client;
pub mod clients;
pub mod store;

use crate::certificate::keys;
use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::Mall;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::access::Basis;
use mpp_domain::exchange::{ALG, Header, Request, Want};
use mpp_domain::policy::Action;
use sha2::{Digest, Sha256};
use store::Client;

/// The header carrying a detached JWS, both ways.
pub const SIGNATURE: &str = "x-mpp-signature";

pub fn router() -> Routes {
    Routes::new().post("/api/v1/malls/{slug}/exchange", Action::ExchangeData, exchange)
}

/// The back office's log of exchanges.
pub fn pages() -> Routes {
    Routes::new().get("/m/{slug}/admin/pertukaran", Action::ViewBackOffice, log)
}

struct LogLine {
    system: String,
    at: String,
    status: i64,
    wants: String,
    ground: String,
    request_sha256: String,
    response_sha256: String,
    request_signature: String,
    response_signature: String,
}

#[derive(askama::Template)]
#[template(path = "exchange/log.html")]
struct LogPage {
    ctx: crate::web::Ctx,
    bo: crate::tenancy::BackOffice,
    lines: Vec<LogLine>,
}

/// The last exchanges answered: which system asked what, on what ground,
/// answered how, with both bodies' hashes and both signatures (whom it
/// was about is the citizen's to read, on their access history).
async fn log(State(state): State<AppState>, ctx: crate::web::Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = crate::tenancy::BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_view_whole_mall())?;
    let clients = store::list(&mut crate::db::sql::Conn::Read(&state.db), &bo.mall.id, None).await?;
    let lines = store::log(&state.db, &bo.mall.id, 200)
        .await?
        .into_iter()
        .map(|e| LogLine {
            system: clients.iter().find(|c| c.id == e.client_id).map(|c| c.name.clone()).unwrap_or_default(),
            at: mpp_domain::format::instant(e.at, bo.mall.zone(), ctx.lang()),
            status: e.status,
            wants: e.wants,
            ground: match Basis::parse(&e.basis) {
                Some(b) => ctx.t.f(&format!("access.why.{}", b.as_str()), &[("ref", &e.basis_ref)]),
                None => "—".to_string(),
            },
            request_sha256: e.request_sha256,
            response_sha256: e.response_sha256,
            request_signature: e.request_signature,
            response_signature: e.response_signature,
        })
        .collect();
    crate::web::render(&LogPage { ctx, bo, lines })
}

/// `body` signed under `header` as a detached JWS (RFC 7515 appendix F):
/// `protected..signature`, `sign` giving the base64url signature of
/// `protected.` + the body in base64url. Both ways sign so: the systems'
/// requests (`client.rs`) and the mall's answers.
pub fn seal(header: &Header, body: &[u8], sign: impl FnOnce(&[u8]) -> String) -> serde_json::Result<String> {
    let protected = keys::encode(&serde_json::to_vec(header)?);
    let signature = sign(signing_input(&protected, body).as_bytes());
    Ok(format!("{protected}..{signature}"))
}

/// The signing input of a detached JWS over `body`.
pub fn signing_input(protected: &str, body: &[u8]) -> String {
    format!("{protected}.{}", keys::encode(body))
}

/// A detached JWS's protected header (decoded) and its two parts.
pub fn split(jws: &str) -> Option<(Header, String, String)> {
    let (protected, rest) = jws.trim().split_once('.')?;
    let signature = rest.strip_prefix('.')?;
    if signature.contains('.') {
        return None;
    }
    let header: Header = serde_json::from_slice(&keys::decode(protected)?).ok()?;
    (header.alg == ALG).then(|| (header, protected.to_string(), signature.to_string()))
}

/// The request as checked: who sent it, under which header and signature.
struct Signed {
    client: Client,
    header: Header,
    signature: String,
}

/// Checks the signature and the time. A request refused here is not
/// logged: unsigned or forged, nobody proved who asked; stale, it may be
/// a capture replayed.
async fn authentic(state: &AppState, mall: &Mall, headers: &HeaderMap, body: &[u8]) -> AppResult<Signed> {
    let jws = headers.get(SIGNATURE).ok_or(AppError::NotAuthentic("exchange.unsigned"))?;
    let jws = jws.to_str().map_err(|_| AppError::NotAuthentic("exchange.bad_signature"))?;
    let (header, protected, signature) = split(jws).ok_or(AppError::NotAuthentic("exchange.bad_signature"))?;
    let client = store::by_id(&state.db, &mall.id, &header.kid)
        .await?
        .filter(|c| c.active)
        .ok_or(AppError::NotAuthentic("exchange.unknown_client"))?;
    if !keys::verify(&client.public_key, signing_input(&protected, body).as_bytes(), &signature) {
        return Err(AppError::NotAuthentic("exchange.bad_signature"));
    }
    if !mpp_domain::exchange::fresh(header.iat, state.clock.now_ms()) {
        return Err(AppError::NotAuthentic("exchange.stale"));
    }
    if header.jti.is_empty() || header.jti.len() > 100 {
        return Err(AppError::NotAuthentic("exchange.no_jti"));
    }
    Ok(Signed { client, header, signature: jws.trim().to_string() })
}

/// What an answer is about, for the log.
#[derive(Default)]
struct About {
    subject_id: String,
    wants: String,
    basis: String,
    basis_ref: String,
}

async fn exchange(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let mall = crate::tenancy::store::by_slug(&state.db, &slug).await?;
    // JSON only, so the edge's checks of JSON text (no NUL, no control
    // characters) have run on the body too.
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !json {
        return Err(AppError::BadRequest("exchange.bad_request"));
    }
    let signed = authentic(&state, &mall, &headers, &body).await?;
    // The jti is spent before anything is read: one answer per request,
    // even when two arrive at once or the answer fails half-way.
    let logged = claim(&state, &mall, &signed, &body).await?;
    let mut about = About::default();
    let (status, answer) = match answer(&state, &mall, &signed.client, &body, &mut about).await {
        Ok(json) => (StatusCode::OK, json),
        Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
        Err(e) => (e.status(), e.report().problem(mpp_domain::format::Lang::En)),
    };
    let bytes = serde_json::to_vec(&answer).map_err(|e| AppError::Internal(e.into()))?;
    let reply = sign_and_finish(&state, &mall, logged, &signed, status, &bytes, about).await?;
    let content_type = if status == StatusCode::OK { "application/json" } else { "application/problem+json" };
    let mut r = (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response();
    r.headers_mut().insert(SIGNATURE, HeaderValue::from_str(&reply).map_err(|e| AppError::Internal(e.into()))?);
    Ok(r)
}

/// The refusal for a citizen the system may not read, whatever the
/// reason (no such verified NIK, no application of its agency, no
/// consent, no legal basis): one answer, so that a system cannot probe
/// which NIKs have accounts here.
const NO_GROUND: AppError = AppError::Conflict("exchange.no_ground");

/// The answer to a request whose signature holds: the data asked for,
/// every read on the access log first; or the refusal.
async fn answer(
    state: &AppState,
    mall: &Mall,
    client: &Client,
    body: &[u8],
    about: &mut About,
) -> AppResult<serde_json::Value> {
    let request: Request = serde_json::from_slice(body).map_err(|_| AppError::BadRequest("exchange.bad_request"))?;
    let wants = mpp_domain::exchange::wants(&request.want).map_err(|key| AppError::invalid("want", key))?;
    about.wants = wants.iter().map(|w| w.as_text()).collect::<Vec<_>>().join(",");
    let nik: String = request.nik.chars().filter(char::is_ascii_digit).collect();
    let profile = crate::profile::by_verified_nik(&state.db, &nik).await?.ok_or(NO_GROUND)?;
    let subject = profile.user_id.clone();
    // A consent: the application it names is the citizen's, in this mall,
    // and the citizen consented to this agency for it; it covers only the
    // kept documents chosen on that application.
    let given = match &request.application {
        Some(number) => consent_for(state, mall, client, &subject, number).await?,
        None => None,
    };
    let (consent, chosen) = given.map_or((None, None), |(id, documents)| (Some(id), Some(documents)));
    // A legal basis reaches only the citizens the system's agency serves here.
    let served = consent.is_some() || store::serves(&state.db, &mall.id, &client.agency_id, &subject).await?;
    let (basis, basis_ref) =
        mpp_domain::exchange::ground(consent.as_deref(), &client.legal_basis).filter(|_| served).ok_or(NO_GROUND)?;
    if !mpp_domain::exchange::covers(basis, &wants) {
        return Err(AppError::Conflict("exchange.beyond_consent"));
    }
    about.subject_id.clone_from(&subject);
    about.basis = basis.as_str().to_string();
    about.basis_ref.clone_from(&basis_ref);
    let documents = crate::document::of_owner(&state.db, &subject).await?;
    let today = state.clock.today(mall.zone());
    let kept = |d: &&crate::document::Document| {
        d.kind != mpp_domain::document::Kind::Form
            && mpp_domain::document::valid_on(&d.expires_on, today)
            && chosen.as_ref().is_none_or(|ids| ids.contains(&d.id))
    };
    // What each want reads, found before anything is logged (a kind the
    // citizen does not keep, or did not choose, is "not found", nothing read).
    let mut files = Vec::new();
    for w in &wants {
        if let Want::Document(kind) = w {
            let d = documents.iter().filter(kept).find(|d| d.kind == *kind).ok_or(AppError::NotFound)?;
            files.push(d.clone());
        }
    }
    let agency = crate::access::agency_name(&state.db, &mall.id, &client.agency_id).await?;
    let reader = crate::auth::session::CurrentUser {
        id: format!("exchange:{}", client.id),
        email: String::new(),
        name: client.name.clone(),
        is_supervisor: false,
        has_work: false,
    };
    let reads = wants
        .iter()
        .map(|w| crate::access::Read {
            mall_id: mall.id.clone(),
            subject_id: subject.clone(),
            reader: reader.clone(),
            reader_agency: agency.clone(),
            what: w.what(),
            basis,
            basis_ref: basis_ref.clone(),
            reason: String::new(),
        })
        .collect();
    crate::access::record(&state.db, reads, state.clock.now_ms()).await?;
    let mut out = serde_json::json!({
        "mall": mall.slug,
        "nik": profile.nik,
        "basis": {"kind": basis.as_str(), "ref": basis_ref},
    });
    for w in &wants {
        match w {
            Want::Profile => {
                out["profile"] = serde_json::json!({
                    "nik": profile.nik, "full_name": profile.full_name, "birth_date": profile.birth_date,
                    "kk": profile.kk, "region_code": profile.region_code, "street": profile.street,
                    "phone": profile.phone,
                });
            }
            Want::Documents => {
                let list: Vec<_> = documents
                    .iter()
                    .filter(kept)
                    .map(|d| {
                        serde_json::json!({"kind": d.kind.as_str(), "file_name": d.file_name,
                                           "sha256": d.sha256, "expires_on": d.expires_on})
                    })
                    .collect();
                out["documents"] = serde_json::json!(list);
            }
            Want::Document(_) => {}
        }
    }
    let mut sent = Vec::new();
    for d in &files {
        let bytes = crate::document::opened(state, d).await?;
        sent.push(
            serde_json::json!({"kind": d.kind.as_str(), "file_name": d.file_name, "content_type": d.content_type,
                                     "sha256": d.sha256, "content": keys::encode(&bytes)}),
        );
    }
    if !sent.is_empty() {
        out["files"] = serde_json::json!(sent);
    }
    Ok(out)
}

/// The live consent the citizen gave the system's agency for application
/// `number` of this mall (theirs), with the ids of the documents chosen on
/// its form; `None` without one.
async fn consent_for(
    state: &AppState,
    mall: &Mall,
    client: &Client,
    subject_id: &str,
    number: &str,
) -> AppResult<Option<(String, Vec<String>)>> {
    let Some(number) = mpp_domain::application::parse_registration_number(number) else { return Ok(None) };
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let Some(a) = crate::application::store::by_number(conn, &mall.id, &number).await? else { return Ok(None) };
    if a.applicant_id != subject_id {
        return Ok(None);
    }
    let today = state.clock.today(mall.zone());
    let consent =
        crate::consent::live_for_application(state, &mall.id, subject_id, &client.agency_id, &number, today).await?;
    Ok(consent.map(|c| (c.id, a.values().into_values().collect())))
}

/// Spends the request's jti: its log row, before anything is read (a
/// second request with it is refused, 409).
async fn claim(state: &AppState, mall: &Mall, signed: &Signed, request: &[u8]) -> AppResult<store::Logged> {
    let now = state.clock.now_ms();
    let logged = store::Logged {
        mall_id: mall.id.clone(),
        id: crate::db::new_id(now),
        client_id: signed.client.id.clone(),
        jti: signed.header.jti.clone(),
        at: now,
        subject_id: String::new(),
        wants: String::new(),
        basis: String::new(),
        basis_ref: String::new(),
        status: 0,
        request_sha256: crate::auth::hex(&Sha256::digest(request)),
        request_signature: signed.signature.clone(),
        response_sha256: String::new(),
        response_signature: String::new(),
    };
    let row = logged.clone();
    state.db.transact(move |conn| Box::pin(async move { store::insert(conn, &row).await })).await?;
    Ok(logged)
}

/// Signs the answer with the mall's key and completes the request's log
/// row with it, in one transaction; the answer's detached JWS.
async fn sign_and_finish(
    state: &AppState,
    mall: &Mall,
    mut logged: store::Logged,
    signed: &Signed,
    status: StatusCode,
    response: &[u8],
    about: About,
) -> AppResult<String> {
    let now = state.clock.now_ms();
    let (keys_, mall_id, slug) = (state.keys.clone(), mall.id.clone(), mall.slug.clone());
    logged.subject_id = about.subject_id;
    logged.wants = about.wants;
    logged.basis = about.basis;
    logged.basis_ref = about.basis_ref;
    logged.status = i64::from(status.as_u16());
    logged.response_sha256 = crate::auth::hex(&Sha256::digest(response));
    let (jti, response) = (signed.header.jti.clone(), response.to_vec());
    state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let key = keys::current(conn, &keys_, &mall_id, &slug, now).await?;
                let header = Header {
                    alg: ALG.into(),
                    kid: key.id.clone(),
                    iat: now / 1000,
                    jti: String::new(),
                    in_reply_to: jti,
                };
                logged.response_signature =
                    seal(&header, &response, |m| key.sign(m)).map_err(|e| AppError::Internal(e.into()))?;
                store::finish(conn, &logged).await?;
                Ok(logged.response_signature)
            })
        })
        .await
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut serde_json::Map<String, serde_json::Value>) {
    use crate::openapi::{SLUG, ok, param, problem, schema_ref};
    paths.insert(
        "/api/v1/malls/{slug}/exchange".into(),
        serde_json::json!({"parameters": [param("slug", SLUG)],
               "post": {"operationId": "exchange", "tags": ["Exchange"],
                        "summary": "An agency's system asks for a citizen's data (signed both ways)",
                        "description": "Sign the raw body as a detached JWS (RFC 7515 appendix F): protected header `{\"alg\":\"Ed25519\",\"kid\":<system id>,\"iat\":<unix seconds>,\"jti\":<unique>}`, signing input `BASE64URL(header).BASE64URL(body)`, sent as `BASE64URL(header)..BASE64URL(signature)` in `X-MPP-Signature`. The answer (data or problem) carries the mall's detached JWS in the same header, `kid` naming a key of `/api/v1/malls/{slug}/signing-keys` and `in_reply_to` the request's jti. Refused without a live consent of the system's agency for the named application, unless the mall gave the system a legal basis. Every read is on the citizen's access log; every answered request is logged with both signatures. docs/EXCHANGE.md.",
                        "security": [{"agencySignature": []}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("ExchangeRequest")}}},
                        "responses": {"200": ok("What was asked for, signed.", serde_json::json!({"type": "object"})),
                                      "400": problem("Not the request JSON (signed)."),
                                      "401": problem("Unsigned, a bad signature, an unknown or inactive system, or a stale iat."),
                                      "404": problem("No such mall, no citizen with that verified NIK, or no valid kept document of that kind (signed)."),
                                      "409": problem("No ground (consent or legal basis), or the jti was used before."),
                                      "422": problem("An unknown kind of data, or too many (signed).")}}}),
    );
}
