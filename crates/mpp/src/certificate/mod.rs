//! Certificates: when an application is issued, a certificate is made from
//! the service's template, signed with the mall's Ed25519 key and kept;
//! anyone can check one on its public page, by its QR code, or with
//! `mpp verify FILE.pdf`; an authorised officer can revoke it.
//!
//! - `keys.rs`: the malls' signing keys, signing and checking;
//! - `store.rs`: all of its SQL;
//! - `pdf.rs`: the PDF, and reading one back;
//! - `pages.rs`: download, the public verification page, revocation;
//! - `api.rs`: the same in the JSON API, and the published keys;
//! - `cli.rs`: `mpp verify`.
//!
//! Rules (template, decision number, verdict) live in
//! `mpp_domain::certificate`.

pub mod api;
pub mod cli;
pub mod keys;
pub mod pages;
pub mod pdf;
pub mod store;

use crate::application::store::{self as applications, Application};
use crate::db::new_id;
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::certificate::{self as rules, Content, Verdict};
use mpp_domain::form::readable_values;
use mpp_domain::format::{iso_date, parse_date};
use std::collections::BTreeMap;
use store::Certificate;

pub fn router() -> Routes {
    pages::router()
}

/// Makes, signs and stores the certificate of an application being issued,
/// inside the issuing transaction.
pub async fn issue(
    conn: &mut Conn<'_>,
    keys: &keys::KeyStore,
    a: &Application,
    today: time::Date,
    now: i64,
) -> AppResult<Certificate> {
    let issuer = store::issuer(conn, &a.mall_id, &a.service_id).await?;
    let seq = store::next_number(conn, &a.mall_id, today.year()).await?;
    let names = BTreeMap::from([
        ("holder", a.applicant_name.as_str()),
        ("service", issuer.service_name.as_str()),
        ("mall", issuer.mall_name.as_str()),
        ("agency", issuer.agency_name.as_str()),
    ]);
    let valid_until = issuer.template.valid_until(today).map(iso_date);
    let id = new_id(now);
    let key = keys::current(conn, keys, &a.mall_id, &issuer.mall_slug, now).await?;
    let content = Content {
        agency: issuer.agency_name.clone(),
        holder: a.applicant_name.clone(),
        holder_nik: rules::mask_nik(a.applicant_nik.as_str()),
        id: id.clone(),
        issued: iso_date(today),
        kid: key.id.clone(),
        mall: issuer.mall_slug.clone(),
        mall_name: issuer.mall_name.clone(),
        number: rules::decision_number(&issuer.agency_code, u32::try_from(seq).unwrap_or(u32::MAX), today),
        registration: a.number.clone(),
        service: issuer.service_name.clone(),
        statement: issuer.template.statement_for(&names, &readable_values(&issuer.fields, &a.values())),
        title: issuer.template.title_for(&issuer.service_name),
        valid_until: valid_until.clone(),
        v: 1,
    };
    let text = store::canonical(&content);
    let signature = key.sign(text.as_bytes());
    let c = Certificate {
        id,
        application_id: a.id.clone(),
        number: content.number.clone(),
        content: text,
        signature,
        key_id: key.id,
        issued_at: now,
        revoked_at: None,
        revoke_reason: String::new(),
    };
    store::insert(conn, &a.mall_id, &c, valid_until.as_deref()).await?;
    Ok(c)
}

/// A certificate checked against the register: the verdict, and what the
/// register holds (nothing when it holds no such certificate).
pub struct Check {
    pub verdict: Verdict,
    pub certificate: Option<Certificate>,
    pub content: Option<Content>,
}

/// Checks certificate `id` of a mall. `presented` is the signature a copy
/// carries (from its QR code or file): a copy whose signature is not the
/// register's is forged.
pub async fn check(state: &AppState, mall: &Mall, id: &str, presented: Option<&str>) -> AppResult<Check> {
    let conn = &mut Conn::Read(&state.db);
    let Some(c) = store::by_id(conn, &mall.id, id).await? else {
        return Ok(Check { verdict: Verdict::Forged, certificate: None, content: None });
    };
    let content = c.content()?;
    let public = keys::public_key(conn, &mall.id, &c.key_id).await?.unwrap_or_default();
    let authentic = keys::verify(&public, c.content.as_bytes(), &c.signature)
        && content.kid == c.key_id
        && presented.is_none_or(|s| s.trim() == c.signature);
    let until = content.valid_until.as_deref().and_then(parse_date);
    let verdict = rules::verdict(authentic, c.revoked_at.is_some(), until, state.clock.today(mall.zone()));
    Ok(Check { verdict, certificate: Some(c), content: Some(content) })
}

/// `mpp rotate-key`: retires the mall's current signing key (audited).
pub async fn rotate_key(state: &AppState, slug: &str) -> anyhow::Result<bool> {
    let mall = crate::tenancy::store::by_slug(&state.db, slug).await.map_err(|_| anyhow::anyhow!("no mall {slug}"))?;
    if state.keys.from_env.contains_key(slug) {
        anyhow::bail!("the key of {slug} comes from MPP_SIGNING_KEY_*: rotate it by setting a new one there");
    }
    let now = state.clock.now_ms();
    let actor = crate::audit::command_line("rotate-key");
    let change = crate::audit::Change {
        mall_id: &mall.id,
        actor: &actor,
        action: "retire",
        entity: "signing_key",
        entity_id: &mall.slug,
        before: None,
        after: None,
    };
    let (entry, mall_id) = (crate::audit::entry(change, now), mall.id.clone());
    let retired = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let retired = keys::retire(conn, &mall_id, now).await?;
                if retired {
                    entry.write(conn).await?;
                }
                Ok(retired)
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(retired)
}

/// The public verification address of a certificate, with its signature.
pub fn verify_url(base: &str, mall_slug: &str, c: &Certificate) -> String {
    format!("{base}/m/{mall_slug}/sertifikat/{}?t={}", c.id, c.signature)
}

/// Revokes the certificate of application `number`, with a reason: by the
/// mall's managers or an officer of the agency that issued it. The
/// citizen is told, and the timeline says who and why.
pub async fn revoke(
    state: &AppState,
    mall: &Mall,
    user: &crate::auth::session::CurrentUser,
    access: &mpp_domain::auth::Access,
    number: &str,
    reason: &str,
) -> AppResult<Certificate> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "certificate.reason_required"));
    }
    let now = state.clock.now_ms();
    // Who may revoke depends on the service's agency, read before the
    // transaction (a service does not change agency under an application).
    let found = applications::by_number(&mut Conn::Read(&state.db), &mall.id, number).await?;
    let service = crate::application::flow::service_of(state, mall, found.as_ref().ok_or(AppError::NotFound)?).await?;
    if !crate::application::answers_for_service(access, &service.agency_id) {
        return Err(AppError::Forbidden);
    }
    let (mall_id, number, user_id, user_name, why) =
        (mall.id.clone(), number.to_owned(), user.id.clone(), user.name.clone(), reason.to_owned());
    let (a, c) = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let a = applications::lock(conn, &mall_id, &number, now).await?.ok_or(AppError::NotFound)?;
                let c = store::of_application(conn, &mall_id, &a.id).await?.ok_or(AppError::NotFound)?;
                if !store::revoke(conn, &mall_id, &c.id, &user_id, &why, now).await? {
                    return Err(AppError::Conflict("certificate.already_revoked"));
                }
                let actor = applications::Actor { id: Some(&user_id), name: &user_name };
                applications::record(conn, &a, &actor, "revoked", None, &why, now).await?;
                Ok((a, c))
            })
        })
        .await?;
    crate::application::flow::tell(state, mall, &a, "certificate.msg_revoked").await;
    Ok(Certificate { revoked_at: Some(now), revoke_reason: reason.to_string(), ..c })
}
