//! Payments on the web: an officer records a payment taken at the counter
//! (from the officer's page of the application), and the citizen or staff
//! print the receipt (kuitansi) of a paid bill.

use super::store::{self, Invoice};
use super::{Paid, pay};
use crate::application::inbox::{enter, page};
use crate::application::store::{self as applications, Actor};
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::format;
use mpp_domain::payment::{Channel, receipt_number};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().post("/m/{slug}/kotak-masuk/{number}/bayar", Action::ProcessApplications, counter_payment).get(
        "/m/{slug}/permohonan/{number}/kuitansi",
        Action::Apply,
        receipt,
    )
}

async fn counter_payment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let a = applications::by_number(conn, &desk.mall.id, &number).await?.ok_or(AppError::NotFound)?;
    let service = crate::application::flow::service_of(&state, &desk.mall, &a).await?;
    if !crate::application::answers_for_service(&desk.access, &service.agency_id) {
        return Err(AppError::Forbidden);
    }
    let invoice = store::of_application(conn, &desk.mall.id, &a.id).await?.ok_or(AppError::NotFound)?;
    let reference = form.get("reference");
    if reference.trim().is_empty() {
        return page(&state, ctx, desk, &number, Some("payment.reference_required")).await;
    }
    let by = Actor { id: Some(&desk.user.id), name: &desk.user.name };
    let paid = Paid { channel: Channel::Counter, reference: &reference, by: Some(by), claim: None };
    match pay(&state, &desk.mall, &invoice, &paid).await {
        Ok(_) => Ok(Redirect::to(&format!("/m/{}/kotak-masuk/{number}", desk.mall.slug)).into_response()),
        Err(AppError::Conflict(key)) => page(&state, ctx, desk, &number, Some(key)).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "payment/receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    mall: Mall,
    number: String,
    service: String,
    applicant: String,
    receipt_number: String,
    billing_code: String,
    amount: String,
    paid_at: String,
    channel: &'static str,
    reference: String,
}

/// The receipt of a paid bill, for the applicant and the staff who may see
/// the application.
async fn receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let seen = crate::application::seen_by(&state, &user.id, &mall, &number).await?;
    let a = seen.show(&state, &user, mpp_domain::access::What::Document("kuitansi pembayaran".into()), "").await?;
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let Some(Invoice { paid_at: Some(at), billing_code, amount, paid_channel, paid_reference, .. }) =
        store::of_application(conn, &mall.id, &a.id).await?
    else {
        return Err(AppError::NotFound);
    };
    let service = crate::application::flow::service_of(&state, &mall, &a).await?;
    let channel = match paid_channel.as_deref().and_then(Channel::parse) {
        Some(Channel::Gateway) => "payment.channel.gateway",
        _ => "payment.channel.counter",
    };
    render(&ReceiptPage {
        number: a.number.clone(),
        service: ctx.t.pick(&service.name_id, &service.name_en).to_string(),
        applicant: a.applicant_name.clone(),
        receipt_number: receipt_number(&billing_code),
        billing_code,
        amount: format::rupiah(amount),
        paid_at: format::instant(at, mall.zone(), ctx.t.lang),
        channel: ctx.t.t(channel),
        reference: paid_reference,
        ctx,
        mall,
    })
}
