//! Certificates in the JSON API: the malls' published keys (JWKS), a
//! certificate's public status (what `mpp verify` asks), the holder's PDF,
//! and revocation.

use super::{Check, check, keys};
use crate::api::{ApiJson, ApiUser};
use crate::db::sql::Conn;
use crate::error::AppResult;
use crate::openapi::{SLUG, ok, param, problem, schema_ref};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::certificate::Verdict;
use mpp_domain::policy::Action;
use serde_json::{Map, Value, json};

pub fn router() -> Routes {
    Routes::new()
        .get("/api/v1/malls/{slug}/signing-keys", Action::ReadPublic, signing_keys)
        .get("/api/v1/malls/{slug}/certificates/{id}", Action::ReadPublic, status)
        .get("/api/v1/malls/{slug}/applications/{registration}/certificate", Action::Apply, pdf)
        .post(
            "/api/v1/malls/{slug}/applications/{registration}/certificate/revoke",
            Action::ProcessApplications,
            revoke,
        )
}

/// The mall's public keys as a JSON Web Key Set (RFC 7517, Ed25519 keys as
/// in RFC 8037), oldest first; retired keys stay so old certificates verify.
async fn signing_keys(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let keys: Vec<Value> = keys::published(&mut Conn::Read(&state.db), &mall.id)
        .await?
        .into_iter()
        .map(|k| {
            json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.id, "x": k.public_key,
                   "retired": k.retired})
        })
        .collect();
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"))], axum::Json(json!({"keys": keys})))
        .into_response())
}

/// A certificate's standing in the register.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CertificateStatus {
    pub id: String,
    /// valid, revoked, expired or forged (no such certificate, or not as signed).
    pub status: String,
    pub number: Option<String>,
    /// The signed content, exactly as signed (canonical JSON).
    pub content: Option<String>,
    /// Base64url Ed25519 signature over `content`.
    pub signature: Option<String>,
    pub key_id: Option<String>,
    /// UTC milliseconds.
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
}

impl CertificateStatus {
    /// The verdict, with what the register holds (`None`: nothing shown).
    fn of(id: String, verdict: Verdict, c: Option<&super::store::Certificate>) -> CertificateStatus {
        CertificateStatus {
            id,
            status: verdict.as_str().into(),
            number: c.map(|c| c.number.clone()),
            content: c.map(|c| c.content.clone()),
            signature: c.map(|c| c.signature.clone()),
            key_id: c.map(|c| c.key_id.clone()),
            revoked_at: c.and_then(|c| c.revoked_at),
            revoke_reason: c.filter(|c| c.revoked_at.is_some()).map(|c| c.revoke_reason.clone()),
        }
    }
}

#[derive(serde::Deserialize)]
struct Presented {
    /// The signature a copy carries; a different one makes it forged.
    signature: Option<String>,
}

async fn status(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<Presented>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let Check { verdict, certificate, .. } = check(&state, &mall, &id, q.signature.as_deref()).await?;
    // A forgery learns nothing from the register.
    let c = certificate.filter(|_| verdict != Verdict::Forged);
    Ok(axum::Json(CertificateStatus::of(id, verdict, c.as_ref())).into_response())
}

/// The certificate PDF of an application, for its applicant or its staff.
async fn pdf(
    State(state): State<AppState>,
    user: ApiUser,
    headers: axum::http::HeaderMap,
    Path((slug, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let c = super::pages::held(&state, &user.0, &mall, &number).await?;
    super::pages::pdf_response(&headers, &mall, &c)
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Why: told to the holder and shown on the verification page.
    pub reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, number)): Path<(String, String)>,
    ApiJson(body): ApiJson<Revocation>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.0.id, &mall.id).await?;
    let c = super::revoke(&state, &mall, &user.0, &access, &number, &body.reason).await?;
    Ok(axum::Json(CertificateStatus::of(c.id.clone(), Verdict::Revoked, Some(&c))).into_response())
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut Map<String, Value>) {
    let bearer = json!([{"bearer": []}]);
    let status = schema_ref("CertificateStatus");
    let registration = param("registration", "The registration number, e.g. `TTU-261125-0001`.");
    paths.insert(
        "/api/v1/malls/{slug}/signing-keys".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_signing_keys", "tags": ["Certificates"],
                       "summary": "The mall's Ed25519 public keys (JWKS, RFC 8037), retired ones included",
                       "responses": {"200": ok("A JSON Web Key Set.", json!({"type": "object", "required": ["keys"],
                                                "properties": {"keys": {"type": "array", "items": {"type": "object"}}}})),
                                     "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/certificates/{id}".into(),
        json!({"parameters": [param("slug", SLUG), param("id", "The certificate id (in its QR code).")],
               "get": {"operationId": "get_certificate_status", "tags": ["Certificates"],
                       "summary": "A certificate's standing: valid, revoked, expired or forged (public)",
                       "parameters": [{"name": "signature", "in": "query", "required": false, "schema": {"type": "string"},
                                       "description": "The signature the presented copy carries."}],
                       "responses": {"200": ok("The verdict, and the signed content unless forged.", status.clone()),
                                     "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/applications/{registration}/certificate".into(),
        json!({"parameters": [param("slug", SLUG), registration.clone()],
               "get": {"operationId": "get_certificate_pdf", "tags": ["Certificates"], "security": bearer,
                       "summary": "The issued certificate as PDF (its applicant, the officers of its agencies, the mall's managers)",
                       "responses": {"200": {"description": "The signed certificate.", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
                                     "401": problem("No valid bearer token."),
                                     "404": problem("No such application or certificate, or not yours.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/applications/{registration}/certificate/revoke".into(),
        json!({"parameters": [param("slug", SLUG), registration],
               "post": {"operationId": "revoke_certificate", "tags": ["Certificates"], "security": bearer,
                        "summary": "Revoke the certificate, with a reason (the issuing agency's officers, the mall's managers)",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("Revocation")}}},
                        "responses": {"200": ok("The revoked certificate.", status),
                                      "401": problem("No valid bearer token."), "403": problem("Not allowed to revoke it."),
                                      "404": problem("No such application or certificate."),
                                      "409": problem("Already revoked."), "422": problem("No reason given.")}}}),
    );
}
