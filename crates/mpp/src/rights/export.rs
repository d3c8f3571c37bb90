//! "Unduh data saya": everything MPP holds about a citizen in one ZIP —
//! `data.json` (documented in docs/EXPORT.md, copied into the archive as
//! `README.md`) and each kept document's file, opened from the vault.
//! Only what is theirs: their account, profile, register answers,
//! documents, applications (as their receipt shows them), certificates,
//! appointments, filed bundles, consents, the reads of their data and the
//! agencies' systems' requests about them, and the messages sent to them;
//! never another citizen's.

use super::{store, zip::Zip};
use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::{Value, json};

/// The format's version, in `data.json`.
const FORMAT: &str = "mpp-export/1";

/// The archive's bytes.
pub async fn archive(state: &AppState, user: &CurrentUser) -> AppResult<Vec<u8>> {
    let db = &state.db;
    let (email, name, created_at) = store::account(db, &user.id).await?.ok_or(AppError::NotFound)?;
    let profile = crate::profile::of_user(db, &user.id).await?;
    let mut zip = Zip::default();
    let mut documents = Vec::new();
    for d in crate::document::of_owner(db, &user.id).await? {
        let file = format!("documents/{}-{}", d.id, d.file_name);
        zip.add(&file, &crate::document::opened(state, &d).await?);
        documents.push(json!({
            "id": d.id, "kind": d.kind.as_str(), "label": d.label, "file_name": d.file_name,
            "content_type": d.content_type, "size": d.size, "sha256": d.sha256, "expires_on": d.expires_on,
            "uploaded_at": d.created_at, "file": file,
        }));
    }
    let mut applications = Vec::new();
    for mall in crate::tenancy::store::list(db).await? {
        for a in crate::application::store::of_applicant(db, &mall.id, &user.id).await? {
            let service = crate::application::store::service_form_by_id(db, &mall.id, &a.service_id).await?;
            let timeline: Vec<Value> = crate::application::store::timeline(db, &mall.id, &a.id)
                .await?
                .into_iter()
                .map(|e| json!({"at": e.at, "by": e.actor_name, "action": e.action, "note": e.note}))
                .collect();
            applications.push(json!({
                "mall": mall.slug, "number": a.number, "service": service.map(|s| s.code), "status": a.status.as_str(),
                "channel": a.channel, "filed_at": a.filed_at, "due_day": a.due_day, "closed_at": a.closed_at,
                "applicant_name": a.applicant_name, "applicant_nik": a.applicant_nik.as_str(), "form": a.values(),
                "timeline": timeline,
            }));
        }
    }
    let certificates: Vec<Value> = crate::certificate::store::held_by(db, &user.id)
        .await?
        .into_iter()
        .map(|c| {
            json!({"mall": c.mall_slug, "application": c.application_number, "number": c.number,
                   "issued_at": c.issued_at, "valid_until": c.valid_until, "revoked": c.revoked})
        })
        .collect();
    let consents: Vec<Value> = crate::consent::of_subject(db, &user.id)
        .await?
        .into_iter()
        .map(|c| {
            json!({"id": c.id, "mall_id": c.mall_id, "agency_id": c.agency_id, "purpose": c.purpose,
                   "for": c.purpose_ref, "granted_at": c.granted_at, "until": c.until_day, "withdrawn_at": c.withdrawn_at})
        })
        .collect();
    let reads: Vec<Value> = crate::access::every_read_of(db, &user.id)
        .await?
        .into_iter()
        .map(|(e, mall)| {
            json!({"at": e.at, "mall": mall, "reader": e.reader_name, "agency": e.reader_agency, "what": e.what,
                   "basis": e.purpose, "basis_ref": e.purpose_ref, "reason": e.reason})
        })
        .collect();
    let phone = profile.as_ref().map(|p| p.phone.clone()).unwrap_or_default();
    let data = json!({
        "format": FORMAT,
        "exported_at": state.clock.now_ms(),
        "account": {"id": user.id, "email": email, "name": name, "created_at": created_at},
        "profile": profile.map(|p| json!({
            "nik": p.nik, "full_name": p.full_name, "birth_date": p.birth_date, "kk": p.kk, "region": p.region_code,
            "street": p.street, "phone": p.phone, "verified_at": p.verified_at, "updated_at": p.updated_at,
        })),
        "nik_checks": store::nik_checks(db, &user.id).await?,
        "documents": documents,
        "applications": applications,
        "certificates": certificates,
        "appointments": store::appointments(db, &user.id).await?,
        "bundles": store::bundle_filings(db, &user.id).await?,
        "exchanges": store::exchanges(db, &user.id).await?,
        "consents": consents,
        "access_log": reads,
        "messages": store::messages(db, &email, &phone).await?,
    });
    let text = serde_json::to_vec_pretty(&data).map_err(|e| AppError::Internal(e.into()))?;
    zip.add("data.json", &text);
    zip.add("README.md", include_str!("../../../../docs/EXPORT.md").as_bytes());
    Ok(zip.finish())
}
