//! Partnership agreements (PKS / MoU) between the mall's region and each
//! agency: numbers, dates, the signed document, and a warning as the end
//! date nears. The document is stored on disk (never in a row), checked by
//! its bytes, and served only to the back office.

pub mod store;

use crate::catalog::agencies::to_errors;
use crate::catalog::store::{self as catalog, Agency};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::Ctx;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mpp_domain::catalog::{AgreementInput, AgreementKind, AgreementStatus, accepted_document, agreement_status};
use mpp_domain::format;
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;
use sha2::{Digest, Sha256};
use store::StoredFile;
pub use store::{Agreement, list};

impl Agreement {
    pub fn status(&self, today: time::Date) -> Option<AgreementStatus> {
        Some(agreement_status(format::parse_date(&self.valid_from)?, format::parse_date(&self.valid_until)?, today))
    }
}

/// How an agreement stands, as a short label (for lists and the dashboard).
pub fn status_label(a: &Agreement, today: time::Date, t: &Tr) -> String {
    match a.status(today) {
        Some(AgreementStatus::Active) => t.t("agreement.active").to_string(),
        Some(AgreementStatus::NotYetValid) => t.t("agreement.not_yet").to_string(),
        Some(AgreementStatus::ExpiringSoon { days_left }) => {
            t.f("agreement.expiring", &[("n", &days_left.to_string())])
        }
        Some(AgreementStatus::Expired) => t.t("agreement.expired").to_string(),
        None => String::new(),
    }
}

pub struct Agreements;

pub struct Options {
    agencies: Vec<Agency>,
    today: time::Date,
}

impl Resource for Agreements {
    type Row = Agreement;
    type Input = AgreementInput;
    type Options = Options;

    const SEGMENT: &'static str = "perjanjian";
    const ENTITY: &'static str = "agreement";
    const KEY: &'static str = "id";
    const API_SEGMENT: &'static str = "agreements";
    const PUBLIC: bool = false;
    const TITLE: &'static str = "admin.agreements";
    const NEW_TITLE: &'static str = "agreement.new";
    const MULTIPART: bool = true;

    fn key(row: &Agreement) -> String {
        row.id.clone()
    }

    fn heading(row: &Agreement, _: &Tr) -> String {
        format!("{} {}", row.kind, row.number)
    }

    fn columns() -> &'static [&'static str] {
        &["agreement.number", "catalogue.agency_filter", "agreement.valid_until", "admin.status", "agreement.file"]
    }

    fn cells(row: &Agreement, opts: &Options, t: &Tr) -> Vec<String> {
        let agency = row.agency.clone();
        let until = format::parse_date(&row.valid_until).map(|d| format::date(d, t.lang)).unwrap_or_default();
        let file = if row.file_name.is_empty() { t.t("agreement.no_file").to_string() } else { row.file_name.clone() };
        vec![format!("{} {}", row.kind, row.number), agency, until, status_label(row, opts.today, t), file]
    }

    fn can_read(bo: &BackOffice, row: &Agreement) -> bool {
        bo.access.can_view_whole_mall() || bo.access.can_manage_agency(&row.agency_id)
    }

    fn blank(_: &Options) -> AgreementInput {
        AgreementInput { kind: AgreementKind::Pks.as_str().into(), ..Default::default() }
    }

    fn to_input(a: &Agreement, _: &Options) -> AgreementInput {
        AgreementInput {
            agency: a.agency.clone(),
            kind: a.kind.clone(),
            number: a.number.clone(),
            title_id: a.title_id.clone(),
            title_en: a.title_en.clone(),
            signed_on: a.signed_on.clone(),
            valid_from: a.valid_from.clone(),
            valid_until: a.valid_until.clone(),
        }
    }

    fn fields(v: &AgreementInput, opts: &Options, t: &Tr) -> Vec<Field> {
        let agencies =
            opts.agencies.iter().map(|a| (a.code.clone(), t.pick(&a.name_id, &a.name_en).to_string())).collect();
        let kinds = AgreementKind::ALL.iter().map(|k| (k.as_str().to_string(), k.as_str().to_string())).collect();
        vec![
            Field::new("agency", "catalogue.agency_filter", Kind::Select(agencies), &v.agency),
            Field::new("kind", "agreement.kind", Kind::Select(kinds), &v.kind),
            Field::new("number", "agreement.number", Kind::Text, &v.number),
            Field::new("title_id", "agreement.title_id", Kind::Text, &v.title_id),
            Field::new("title_en", "agreement.title_en", Kind::Text, &v.title_en),
            Field::new("signed_on", "agreement.signed_on", Kind::Date, &v.signed_on),
            Field::new("valid_from", "agreement.valid_from", Kind::Date, &v.valid_from),
            Field::new("valid_until", "agreement.valid_until", Kind::Date, &v.valid_until),
            Field::new("file", "agreement.file", Kind::File, "").help("agreement.help_file"),
        ]
    }

    fn parse(p: &Posted, _: &Options) -> (AgreementInput, Vec<FieldError>) {
        let input = AgreementInput {
            agency: p.get("agency"),
            kind: p.get("kind"),
            number: p.get("number"),
            title_id: p.get("title_id"),
            title_en: p.get("title_en"),
            signed_on: p.get("signed_on"),
            valid_from: p.get("valid_from"),
            valid_until: p.get("valid_until"),
        };
        let mut errors = Vec::new();
        if let Some(f) = p.file()
            && accepted_document(&f.content_type, &f.bytes).is_none()
        {
            errors.push(FieldError::new("file", "agreement.file_type"));
        }
        (input, errors)
    }

    fn check(v: &AgreementInput, _: &Options) -> Vec<FieldError> {
        to_errors(v.validate())
    }

    async fn options(state: &AppState, bo: &BackOffice) -> AppResult<Options> {
        Ok(Options {
            agencies: catalog::agencies(&state.db, &bo.mall.id).await?,
            today: state.clock.today(bo.mall.zone()),
        })
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Agreement>> {
        list(&state.db, mall_id).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Agreement>> {
        Ok(list(&state.db, mall_id).await?.into_iter().find(|a| a.id == key))
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a AgreementInput,
        existing: Option<&'a Agreement>,
        file: Option<&'a Upload>,
    ) -> AppResult<Agreement> {
        let agency_id = catalog::agency_in_tx(conn, &w.mall_id, &v.agency).await?.id;
        let id = existing.map(|a| a.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
        let (mut name, mut kind, mut size, mut sha) = match existing {
            Some(a) => (a.file_name.clone(), a.file_type.clone(), a.file_size, a.file_sha256.clone()),
            None => Default::default(),
        };
        if let Some(f) = file {
            let ext = accepted_document(&f.content_type, &f.bytes)
                .ok_or_else(|| AppError::invalid("file", "agreement.file_type"))?;
            sha = crate::auth::hex(&Sha256::digest(&f.bytes));
            crate::files::write_atomically(&file_path(&w.files_dir, &w.mall_id, &id), &f.bytes).await?;
            name = crate::files::safe_file_name(&f.file_name, ext);
            kind = f.content_type.clone();
            size = i64::try_from(f.bytes.len()).unwrap_or(i64::MAX);
        }
        let file = StoredFile { name, kind, size, sha256: sha };
        store::save(conn, w, &id, &agency_id, v, &file, existing.is_some()).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Agreement) -> AppResult<()> {
        // The file stays on disk: the audit trail may still point at it.
        store::delete(conn, mall_id, &row.id).await
    }
}

fn file_path(dir: &std::path::Path, mall_id: &MallId, id: &str) -> std::path::PathBuf {
    dir.join("agreements").join(mall_id).join(id)
}

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/admin/perjanjian/{key}/berkas", Action::ViewBackOffice, download)
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let a = Agreements::find(&state, &bo.mall.id, &key).await?.ok_or(AppError::NotFound)?;
    bo.require(Agreements::can_read(&bo, &a))?;
    if a.file_name.is_empty() {
        return Err(AppError::NotFound);
    }
    let bytes =
        tokio::fs::read(file_path(&state.files_dir, &bo.mall.id, &a.id)).await.map_err(|_| AppError::NotFound)?;
    let disposition = format!("attachment; filename=\"{}\"", a.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, a.file_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_tamed() {
        assert_eq!(crate::files::safe_file_name("../../etc/PKS Dukcapil 2026.pdf", "pdf"), "PKS_Dukcapil_2026.pdf");
        assert_eq!(crate::files::safe_file_name("scan.exe", "pdf"), "scan.pdf");
        assert_eq!(crate::files::safe_file_name("\"<>.png", "png"), "dokumen.png");
    }
}
