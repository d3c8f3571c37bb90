//! The visit: a visitor takes a number (kiosk, greeter, booking or API),
//! waits, is called to a counter, is served, and maybe goes on to another
//! agency on the same number. Rules live in `mpp_domain::visit`; the SQL in
//! `store`; each screen in its own module.

pub mod api;
pub mod board;
pub mod console;
pub mod greeter;
pub mod handling;
pub mod issue;
pub mod kiosk;
pub mod line;
pub mod notices;
pub mod numbers;
pub mod settings;
pub mod stats;
pub mod store;
pub mod ticket;
pub mod voice;

use crate::error::AppResult;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::catalog::lines;
use mpp_domain::format;
use mpp_domain::visit::{Priority, TicketStatus};
use store::Ticket;

/// A ticket as its visitor sees it, in their language.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TicketView {
    #[schema(value_type = String)]
    pub id: mpp_domain::visit::TicketId,
    pub label: String,
    pub status: String,
    pub status_text: String,
    pub service: String,
    pub agency: String,
    /// Services still to come on this number.
    pub next_services: Vec<String>,
    pub ahead: i64,
    pub wait_minutes: u64,
    /// The counter calling or serving the visitor.
    pub counter: Option<i64>,
    /// `none`, `elderly`, `disability`, `pregnant` or `infant`, as sent.
    pub priority: String,
    /// The priority in the reader's language (empty for none).
    pub priority_text: String,
    /// When the ticket was issued, RFC 3339 in the mall's zone.
    pub issued_at: String,
    /// The same for people, in the reader's language.
    pub issued: String,
    pub requirements: Vec<String>,
    pub service_code: String,
}

impl TicketView {
    pub async fn load(state: &AppState, tr: &Tr, mall: &Mall, t: &Ticket) -> AppResult<TicketView> {
        let service = store::brief_by_id(&state.db, &mall.id, &t.service_id).await?;
        let mut next_services = Vec::new();
        for id in t.journey_ids() {
            if let Some(s) = store::brief_by_id(&state.db, &mall.id, id).await? {
                next_services.push(tr.pick(&s.name_id, &s.name_en).to_string());
            }
        }
        let standing =
            if t.status() == TicketStatus::Waiting { Some(issue::standing(state, &mall.id, t).await?) } else { None };
        let counter = match &t.counter_id {
            Some(id) if t.status() != TicketStatus::Waiting => store::counter_number(&state.db, &mall.id, id).await?,
            _ => None,
        };
        Ok(TicketView {
            id: t.id.clone(),
            label: t.label.clone(),
            status: t.status.as_str().to_string(),
            status_text: tr.t(status_key(t.status())).to_string(),
            service: service.as_ref().map(|s| tr.pick(&s.name_id, &s.name_en).to_string()).unwrap_or_default(),
            agency: service
                .as_ref()
                .map(|s| tr.pick(&s.agency_name_id, &s.agency_name_en).to_string())
                .unwrap_or_default(),
            next_services,
            ahead: standing.as_ref().map_or(0, |s| s.ahead),
            wait_minutes: standing.as_ref().map_or(0, |s| s.wait_minutes),
            counter,
            priority: t.priority.as_str().to_string(),
            priority_text: priority_text(tr, t.priority),
            issued_at: format::rfc3339(t.issued_at, mall.zone()),
            issued: format::instant(t.issued_at, mall.zone(), tr.lang),
            requirements: service
                .as_ref()
                .map(|s| {
                    lines(tr.pick(&s.requirements_id, &s.requirements_en)).into_iter().map(str::to_string).collect()
                })
                .unwrap_or_default(),
            service_code: service.map(|s| s.code).unwrap_or_default(),
        })
    }

    pub fn is_waiting(&self) -> bool {
        self.status == TicketStatus::Waiting.as_str()
    }

    pub fn is_called(&self) -> bool {
        self.status == TicketStatus::Called.as_str()
    }
}

pub fn status_key(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Waiting => "ticket.status.waiting",
        TicketStatus::Called => "ticket.status.called",
        TicketStatus::Serving => "ticket.status.serving",
        TicketStatus::Held => "ticket.status.held",
        TicketStatus::Done => "ticket.status.done",
        TicketStatus::NoShow => "ticket.status.no_show",
        TicketStatus::Void => "ticket.status.void",
        TicketStatus::Expired => "ticket.status.expired",
    }
}

/// A ticket's priority need in words, or "" for none.
/// The need shown beside a ticket; nothing for a regular visitor.
pub fn priority_text(tr: &Tr, priority: Priority) -> String {
    match priority {
        Priority::None => String::new(),
        p => tr.t(priority_key(p)).to_string(),
    }
}

pub fn priority_key(p: Priority) -> &'static str {
    match p {
        Priority::None => "priority.none",
        Priority::Elderly => "priority.elderly",
        Priority::Disability => "priority.disability",
        Priority::Pregnant => "priority.pregnant",
        Priority::Infant => "priority.infant",
    }
}

/// A QR code as inline SVG (no image request, works under the CSP).
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(180, 180).quiet_zone(true).build();
            // Inline in HTML: drop the XML declaration.
            svg.split_once("?>").map_or(svg.clone(), |(_, rest)| rest.to_string())
        }
        Err(_) => String::new(),
    }
}
