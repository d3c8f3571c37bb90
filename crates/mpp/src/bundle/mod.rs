//! Life-event bundles (paket layanan): one filing that starts several
//! services of several agencies from the same data. The birth of a child
//! starts the birth certificate, the family card's update, the child's
//! identity card and the child's health insurance: the citizen fills one
//! form and attaches each document once; every service gets its own
//! application, with its own workflow, inbox and deadline.
//!
//! - `definition.rs`: a mall's admin defines bundles from existing services
//!   (back office and API, through `crud`);
//! - `pages.rs`: the citizen's pages (the bundles, the form, the filing);
//! - `store.rs`: all of its SQL.
//!
//! The rules (one form from many, what each service gets) are
//! `mpp_domain::bundle`'s; each application is filed as
//! `application::flow` files any.

pub mod definition;
pub mod pages;
pub mod store;

use crate::application::flow::{self, Filing};
use crate::application::store::{self as applications, ServiceForm};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::form::FieldDef;
use std::collections::BTreeMap;
pub use store::Bundle;

/// A bundle ready to be filed: its services' forms in order, and the one
/// form made of them.
pub struct Fileable {
    pub bundle: Bundle,
    pub members: Vec<ServiceForm>,
    pub fields: Vec<FieldDef>,
}

/// The bundle as it can be filed today; refused (with why) when one of its
/// services was turned off, lost its workflow, or changed its form so that
/// the forms no longer agree.
pub async fn fileable(state: &AppState, mall: &Mall, bundle: Bundle) -> AppResult<Fileable> {
    if !bundle.active {
        return Err(AppError::NotFound);
    }
    let with_workflows = applications::services_with_workflows(&state.db, &mall.id).await?;
    let mut members = Vec::new();
    for code in &bundle.services {
        match with_workflows.iter().find(|s| s.code == *code && s.active) {
            Some(s) => members.push(s.clone()),
            None => return Err(AppError::Conflict("bundle.unavailable")),
        }
    }
    let forms: Vec<&[FieldDef]> = members.iter().map(|s| s.fields.as_slice()).collect();
    let fields = mpp_domain::bundle::merged(&forms).map_err(|_| AppError::Conflict("bundle.unavailable"))?;
    Ok(Fileable { bundle, members, fields })
}

/// What the citizen sent on a bundle's form.
pub struct Filled<'a> {
    pub applicant_id: &'a str,
    pub applicant_name: &'a str,
    pub values: &'a BTreeMap<String, String>,
    pub risk: &'a str,
    /// The day the consent ticked on the form ends, when kept documents
    /// were chosen.
    pub consent_until: Option<time::Date>,
}

/// Files a bundle: every service's application, and the filing that joins
/// them, in one transaction (all or none); the filing's id. Every problem
/// of every service comes back at once, by field of the one form.
pub async fn file(state: &AppState, mall: &Mall, b: &Fileable, sent: Filled<'_>) -> AppResult<String> {
    let mut prepared = Vec::new();
    let mut problems: Vec<FieldError> = Vec::new();
    for service in &b.members {
        let values = mpp_domain::bundle::part(&service.fields, sent.values);
        // Only the agencies of a service the kept documents go to are asked.
        let kept = crate::document::any_kept(&state.db, sent.applicant_id, &service.fields, &values).await?;
        let filing = Filing {
            service,
            applicant_id: sent.applicant_id,
            applicant_name: sent.applicant_name,
            values,
            risk: service.risk_based.then(|| sent.risk.to_string()),
            speed: None,
            channel: "online",
            filed_by: None,
            ticket_id: None,
            claim: None,
            consent_until: sent.consent_until.filter(|_| kept),
        };
        match flow::prepare(state, mall, filing).await {
            Ok(p) => prepared.push(p),
            Err(AppError::Invalid(list)) => {
                // A field two services share is wrong once.
                for e in list {
                    if !problems.iter().any(|p| p.field == e.field) {
                        problems.push(e);
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let now = state.clock.now_ms();
    let filing = store::Filing {
        id: crate::db::new_id(now),
        bundle_id: b.bundle.id.clone(),
        applicant_id: sent.applicant_id.to_string(),
        filed_at: now,
    };
    let mall_id = mall.id.clone();
    let filed = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let mut filed = Vec::new();
                for p in &prepared {
                    filed.push(p.write(conn).await?);
                }
                let ids: Vec<String> = filed.iter().map(|a| a.id.clone()).collect();
                store::insert_filing(conn, &mall_id, &filing, &ids).await?;
                Ok((filing.id, filed))
            })
        })
        .await?;
    let (id, applications) = filed;
    for a in &applications {
        flow::tell(state, mall, a, "application.msg_filed").await;
    }
    Ok(id)
}

/// A citizen's filed bundles in a mall, newest first: (their page, the
/// bundle's name, when filed).
pub async fn filed_by(
    state: &AppState,
    t: &crate::i18n::Tr,
    mall: &Mall,
    applicant_id: &str,
) -> AppResult<Vec<(String, String, String)>> {
    let bundles = store::list(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, None).await?;
    Ok(store::filings_of(&state.db, &mall.id, applicant_id)
        .await?
        .into_iter()
        .map(|f| {
            let name = bundles.iter().find(|b| b.id == f.bundle_id).map(|b| t.pick(&b.name_id, &b.name_en));
            (
                format!("/m/{}/paket-saya/{}", mall.slug, f.id),
                name.unwrap_or_default().to_string(),
                mpp_domain::format::instant(f.filed_at, mall.zone(), t.lang),
            )
        })
        .collect())
}
