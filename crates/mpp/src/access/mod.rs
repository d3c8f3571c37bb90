//! The access log: every read of a citizen's data by someone else (an
//! officer through an application, a ticket or a consent; an agency's
//! system) is written here, in its own transaction, *before* the data is
//! shown, so a read that cannot be recorded is not made. Append-only and
//! hash-chained per mall like the audit trail (`mpp audit verify` checks
//! both). The citizen reads their own history on "Riwayat akses data"
//! (`/akun/riwayat-akses`). Rules: `mpp_domain::access`.

mod store;

use crate::audit::chain::Chained;
use crate::auth::session::CurrentUser;
use crate::db::Db;
use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use mpp_domain::access::{Basis, What};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;

pub fn router() -> Routes {
    Routes::new().get("/akun/riwayat-akses", Action::OwnAccount, history)
}

/// One read as the log keeps it (and hashes it, in this order).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub mall_id: MallId,
    pub seq: i64,
    pub id: String,
    pub at: i64,
    /// Whose data: the citizen's user id.
    pub subject_id: String,
    pub reader_id: String,
    pub reader_name: String,
    /// The reader's agency, by name when read ("" for the mall's managers).
    pub reader_agency: String,
    /// `What::as_text`.
    pub what: String,
    /// `Basis::as_str`, and which application, ticket, consent or law.
    pub purpose: String,
    pub purpose_ref: String,
    /// The reader's words, where a reveal asked for them.
    pub reason: String,
}

impl Chained for Entry {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn at(&self) -> i64 {
        self.at
    }
    fn fields(&self) -> Vec<String> {
        vec![
            self.mall_id.to_string(),
            self.seq.to_string(),
            self.id.clone(),
            self.at.to_string(),
            self.subject_id.clone(),
            self.reader_id.clone(),
            self.reader_name.clone(),
            self.reader_agency.clone(),
            self.what.clone(),
            self.purpose.clone(),
            self.purpose_ref.clone(),
            self.reason.clone(),
        ]
    }
}

/// A read about to be made.
pub struct Read {
    pub mall_id: MallId,
    /// Whose data.
    pub subject_id: String,
    pub reader: CurrentUser,
    pub reader_agency: String,
    pub what: What,
    pub basis: Basis,
    pub basis_ref: String,
    pub reason: String,
}

/// An agency's name as the log keeps it (in Indonesian, as it was when
/// read); "" when it is none of the mall's (the mall's managers).
pub async fn agency_name(db: &Db, mall_id: &MallId, agency_id: &str) -> AppResult<String> {
    let agencies = crate::catalog::store::agencies(db, mall_id).await?;
    Ok(agencies.into_iter().find(|g| g.id == agency_id).map(|g| g.name_id).unwrap_or_default())
}

/// Reads waiting to be written, with the channel that answers their caller.
pub struct Pending {
    entries: Vec<Entry>,
    answer: tokio::sync::oneshot::Sender<AppResult<()>>,
}

/// Writes the reads to the log and returns once they are committed: only
/// then may the caller show the data. Reads of one mall that arrive while
/// its previous ones are being written go together, as one transaction
/// (`db/batch.rs`): one head taken, one multi-row INSERT, one commit.
pub async fn record(db: &Db, reads: Vec<Read>, now: i64) -> AppResult<()> {
    let entries: Vec<Entry> = reads
        .into_iter()
        .map(|r| Entry {
            mall_id: r.mall_id,
            seq: 0,
            id: crate::db::new_id(now),
            at: now,
            subject_id: r.subject_id,
            reader_id: r.reader.id,
            reader_name: r.reader.name,
            reader_agency: r.reader_agency,
            what: r.what.as_text(),
            purpose: r.basis.as_str().to_owned(),
            purpose_ref: r.basis_ref,
            reason: r.reason,
        })
        .collect::<Vec<Entry>>();
    let Some(mall_id) = entries.first().map(|e| e.mall_id.clone()) else { return Ok(()) };
    if entries.iter().any(|e| e.mall_id != mall_id) {
        return Err(crate::error::AppError::Internal(anyhow::anyhow!("one record's reads are of one mall")));
    }
    let (answer, answered) = tokio::sync::oneshot::channel();
    let db_ = db.clone();
    let mall = mall_id.clone();
    db.access_reads.submit(&mall_id, Pending { entries, answer }, move |batch| {
        Box::pin(store::write_batch(db_.clone(), mall.clone(), batch))
    });
    answered
        .await
        .map_err(|_| crate::error::AppError::Internal(anyhow::anyhow!("the reads' batch was not answered")))?
}

pub use store::{chain_of, logged_malls};

/// Every read of a citizen's data, newest first, with each mall's name
/// (for their data export).
pub async fn every_read_of(db: &Db, subject_id: &str) -> AppResult<Vec<(Entry, String)>> {
    store::of_subject(db, subject_id, None, i64::MAX).await
}

/// How many reads the history page lists at a time.
const PAGE: i64 = 50;

/// One read as the citizen's history shows it, in plain words.
pub struct Line {
    pub at: String,
    pub who: String,
    pub agency: String,
    pub mall: String,
    pub what: String,
    pub why: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "access/history.html")]
struct HistoryPage {
    ctx: Ctx,
    lines: Vec<Line>,
    /// The `sebelum` of the next (older) page, if there is one.
    older: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct HistoryQuery {
    /// `<ms>_<id>`: only reads listed after this one (the next page).
    sebelum: Option<String>,
}

/// "Riwayat akses data": every read of the citizen's data, newest first.
async fn history(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HistoryQuery>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let before = q.sebelum.as_deref().and_then(|s| s.split_once('_')).and_then(|(at, id)| Some((at.parse().ok()?, id)));
    let rows = store::of_subject(&state.db, &user.id, before, PAGE + 1).await?;
    let older = (rows.len() as i64 > PAGE).then(|| {
        let last = &rows[PAGE as usize - 1].0;
        format!("{}_{}", last.at, last.id)
    });
    let zone = mpp_domain::tenancy::CITIZEN_ZONE;
    // A consent is named by what it was for (an application's number), not its id.
    let consents = crate::consent::of_subject(&state.db, &user.id).await?;
    let consent_for = |id: &str| consents.iter().find(|c| c.id == id).map(|c| c.purpose_ref.clone());
    let lines = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|(e, mall)| {
            let what = match What::parse(&e.what) {
                Some(What::Application) => ctx.t.t("access.what.application").to_string(),
                Some(What::Field(label)) => ctx.t.f("access.what.field", &[("label", &label)]),
                Some(What::Document(label)) => ctx.t.f("access.what.document", &[("label", &label)]),
                Some(What::Profile) => ctx.t.t("access.what.profile").to_string(),
                Some(What::Documents) => ctx.t.t("access.what.documents").to_string(),
                Some(What::Correction) => ctx.t.t("access.what.correction").to_string(),
                None => e.what.clone(),
            };
            let why = match Basis::parse(&e.purpose) {
                Some(Basis::Consent) => {
                    let on = consent_for(&e.purpose_ref).unwrap_or_else(|| e.purpose_ref.clone());
                    ctx.t.f("access.why.consent", &[("ref", &on)])
                }
                Some(b) => ctx.t.f(&format!("access.why.{}", b.as_str()), &[("ref", &e.purpose_ref)]),
                None => e.purpose_ref.clone(),
            };
            Line {
                at: mpp_domain::format::instant(e.at, zone, ctx.lang()),
                who: e.reader_name,
                agency: if e.reader_agency.is_empty() {
                    ctx.t.t("access.mall_manager").to_string()
                } else {
                    e.reader_agency
                },
                mall,
                what,
                why,
                reason: e.reason,
            }
        })
        .collect();
    render(&HistoryPage { ctx, lines, older })
}
