//! The public service catalogue: agencies, services and their published
//! standard (UU 25/2009 art. 21), counters, facilities and agreements.

use time::Date;

/// A service code as citizens see it on signs: `KTP-EL`, `PASPOR-BARU`.
/// 2–20 chars of A–Z, 0–9 and hyphens; input is upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceCode(String);

impl ServiceCode {
    pub fn parse(s: &str) -> Option<Self> {
        let up = s.trim().to_ascii_uppercase();
        let ok = (2..=20).contains(&up.len())
            && up.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            && !up.starts_with('-')
            && !up.ends_with('-');
        ok.then_some(Self(up))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An agency's short code in URLs: `dukcapil`, `bpjs-kes` (2–30 of a–z, 0–9, -).
pub fn parse_agency_code(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_lowercase();
    let ok = (2..=30).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    ok.then_some(s)
}

str_enum! {
    /// The four channels of the MPP ecosystem.
    Channel { Counter = "counter", Online = "online", Mobile = "mobile", Kiosk = "kiosk" }
}

str_enum! {
    /// Who an agency is: a central government office, a regional one (OPD),
    /// a state- or region-owned company, or a private provider.
    AgencyKind { Central = "central", Regional = "regional", BumnBumd = "bumn_bumd", Private = "private" }
}

str_enum! {
    /// Facilities (sarana dan prasarana) a mall publishes.
    FacilityKind {
        PlayArea = "play_area", DisabilityRoom = "disability_room", LactationRoom = "lactation_room",
        PrayerRoom = "prayer_room", AtmCentre = "atm_centre", MeetingRoom = "meeting_room",
        ReadingCorner = "reading_corner", Toilet = "toilet", Parking = "parking", Wheelchair = "wheelchair",
        WaitingRoom = "waiting_room", Photocopy = "photocopy", Other = "other",
    }
}

str_enum! {
    /// Partnership agreement kinds: Perjanjian Kerja Sama or Memorandum of Understanding.
    AgreementKind { Pks = "PKS", Mou = "MoU" }
}

/// Channels are stored as a comma-separated list; unknown names are dropped.
pub fn parse_channels(s: &str) -> Vec<Channel> {
    let mut out: Vec<Channel> = s.split(',').filter_map(|c| Channel::parse(c.trim())).collect();
    out.dedup();
    out
}

pub fn channels_to_string(channels: &[Channel]) -> String {
    channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

/// Multi-item standard components (requirements, procedure, legal basis)
/// are edited as one item per line and stored the same way.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// Where an agreement stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementStatus {
    NotYetValid,
    Active,
    /// Ends within [`EXPIRY_WARNING_DAYS`]: time to renew.
    ExpiringSoon {
        days_left: i64,
    },
    Expired,
}

pub const EXPIRY_WARNING_DAYS: i64 = 90;

pub fn agreement_status(valid_from: Date, valid_until: Date, today: Date) -> AgreementStatus {
    if today < valid_from {
        return AgreementStatus::NotYetValid;
    }
    let days_left = (valid_until - today).whole_days();
    if days_left < 0 {
        AgreementStatus::Expired
    } else if days_left <= EXPIRY_WARNING_DAYS {
        AgreementStatus::ExpiringSoon { days_left }
    } else {
        AgreementStatus::Active
    }
}

/// Field limits shared by forms and the API, so both refuse the same input.
pub mod limits {
    pub const NAME: usize = 200;
    pub const SHORT: usize = 500;
    pub const LONG: usize = 10_000;
}

/// A problem with one input field, by message-catalogue key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
}

fn check_text(out: &mut Vec<Problem>, field: &'static str, value: &str, required: bool, max: usize) {
    if required && value.trim().is_empty() {
        out.push(Problem { field, key: "form.required" });
    } else if value.chars().count() > max {
        out.push(Problem { field, key: "form.too_long" });
    }
}

/// A service as an admin (page or API) submits it. Multi-item components
/// are one item per line.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ServiceInput {
    pub agency: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub aliases: String,
    pub summary_id: String,
    pub summary_en: String,
    pub requirements_id: String,
    pub requirements_en: String,
    pub procedure_id: String,
    pub procedure_en: String,
    pub completion_time_id: String,
    pub completion_time_en: String,
    pub sla_days: i64,
    pub cost_rupiah: i64,
    pub cost_note_id: String,
    pub cost_note_en: String,
    pub product_id: String,
    pub product_en: String,
    pub complaint_id: String,
    pub complaint_en: String,
    pub legal_basis: String,
    pub channels: Vec<String>,
    pub queue_prefix: String,
    /// Online appointments a day (0: the service cannot be booked online).
    pub booking_quota: i64,
    pub active: bool,
}

impl ServiceInput {
    /// Every problem at once, so a form can show them all together.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if ServiceCode::parse(&self.code).is_none() {
            p.push(Problem { field: "code", key: "service.code_invalid" });
        }
        if self.agency.trim().is_empty() {
            p.push(Problem { field: "agency", key: "form.required" });
        }
        check_text(&mut p, "name_id", &self.name_id, true, limits::NAME);
        check_text(&mut p, "name_en", &self.name_en, false, limits::NAME);
        check_text(&mut p, "aliases", &self.aliases, false, limits::SHORT);
        check_text(&mut p, "summary_id", &self.summary_id, false, limits::SHORT);
        check_text(&mut p, "summary_en", &self.summary_en, false, limits::SHORT);
        // The six public components (UU 25/2009 art. 21) must all be published.
        check_text(&mut p, "requirements_id", &self.requirements_id, true, limits::LONG);
        check_text(&mut p, "requirements_en", &self.requirements_en, false, limits::LONG);
        check_text(&mut p, "procedure_id", &self.procedure_id, true, limits::LONG);
        check_text(&mut p, "procedure_en", &self.procedure_en, false, limits::LONG);
        check_text(&mut p, "completion_time_id", &self.completion_time_id, true, limits::SHORT);
        check_text(&mut p, "completion_time_en", &self.completion_time_en, false, limits::SHORT);
        check_text(&mut p, "cost_note_id", &self.cost_note_id, false, limits::SHORT);
        check_text(&mut p, "cost_note_en", &self.cost_note_en, false, limits::SHORT);
        check_text(&mut p, "product_id", &self.product_id, true, limits::SHORT);
        check_text(&mut p, "product_en", &self.product_en, false, limits::SHORT);
        check_text(&mut p, "complaint_id", &self.complaint_id, true, limits::SHORT);
        check_text(&mut p, "complaint_en", &self.complaint_en, false, limits::SHORT);
        check_text(&mut p, "legal_basis", &self.legal_basis, false, limits::LONG);
        if !(0..=365).contains(&self.sla_days) {
            p.push(Problem { field: "sla_days", key: "form.out_of_range" });
        }
        if !(0..=1000).contains(&self.booking_quota) {
            p.push(Problem { field: "booking_quota", key: "form.out_of_range" });
        }
        if !(0..=1_000_000_000).contains(&self.cost_rupiah) {
            p.push(Problem { field: "cost_rupiah", key: "form.out_of_range" });
        }
        if self.channels.is_empty() || self.channels.iter().any(|c| Channel::parse(c).is_none()) {
            p.push(Problem { field: "channels", key: "service.channels_invalid" });
        }
        let prefix_ok = self.queue_prefix.len() == 1 && self.queue_prefix.bytes().all(|b| b.is_ascii_uppercase());
        if !prefix_ok {
            p.push(Problem { field: "queue_prefix", key: "service.prefix_invalid" });
        }
        p
    }
}

/// An agency as an admin submits it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AgencyInput {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub kind: String,
    pub description_id: String,
    pub description_en: String,
    pub phone: String,
}

impl AgencyInput {
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if parse_agency_code(&self.code).is_none() {
            p.push(Problem { field: "code", key: "agency.code_invalid" });
        }
        check_text(&mut p, "name_id", &self.name_id, true, limits::NAME);
        check_text(&mut p, "name_en", &self.name_en, false, limits::NAME);
        if AgencyKind::parse(&self.kind).is_none() {
            p.push(Problem { field: "kind", key: "form.bad_choice" });
        }
        check_text(&mut p, "description_id", &self.description_id, false, limits::LONG);
        check_text(&mut p, "description_en", &self.description_en, false, limits::LONG);
        check_text(&mut p, "phone", &self.phone, false, 50);
        p
    }
}

/// A counter (loket) as an admin submits it: which agency, which services.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CounterInput {
    pub agency: String,
    pub number: i64,
    pub zone: String,
    /// Service codes this counter serves; all must belong to its agency.
    pub services: Vec<String>,
    pub active: bool,
}

impl CounterInput {
    /// `agency_services` are the codes of the chosen agency's services.
    pub fn validate(&self, agency_services: &[String]) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.agency.trim().is_empty() {
            p.push(Problem { field: "agency", key: "form.required" });
        }
        if !(1..=999).contains(&self.number) {
            p.push(Problem { field: "number", key: "counter.number_invalid" });
        }
        check_text(&mut p, "zone", &self.zone, false, limits::NAME);
        if self.services.iter().any(|s| !agency_services.contains(s)) {
            p.push(Problem { field: "services", key: "counter.service_foreign" });
        }
        p
    }
}

/// A facility as an admin submits it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct FacilityInput {
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
    pub location_id: String,
    pub location_en: String,
    pub accessibility_id: String,
    pub accessibility_en: String,
    pub available: bool,
}

impl FacilityInput {
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if FacilityKind::parse(&self.kind).is_none() {
            p.push(Problem { field: "kind", key: "form.bad_choice" });
        }
        check_text(&mut p, "name_id", &self.name_id, true, limits::NAME);
        check_text(&mut p, "name_en", &self.name_en, false, limits::NAME);
        for (f, v) in [
            ("location_id", &self.location_id),
            ("location_en", &self.location_en),
            ("accessibility_id", &self.accessibility_id),
            ("accessibility_en", &self.accessibility_en),
        ] {
            check_text(&mut p, f, v, false, limits::SHORT);
        }
        p
    }
}

/// A partnership agreement (PKS/MoU) as an admin submits it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AgreementInput {
    pub agency: String,
    pub kind: String,
    pub number: String,
    pub title_id: String,
    pub title_en: String,
    pub signed_on: String,
    pub valid_from: String,
    pub valid_until: String,
}

impl AgreementInput {
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.agency.trim().is_empty() {
            p.push(Problem { field: "agency", key: "form.required" });
        }
        if AgreementKind::parse(&self.kind).is_none() {
            p.push(Problem { field: "kind", key: "form.bad_choice" });
        }
        check_text(&mut p, "number", &self.number, true, limits::NAME);
        check_text(&mut p, "title_id", &self.title_id, true, limits::SHORT);
        check_text(&mut p, "title_en", &self.title_en, false, limits::SHORT);
        let mut dates = [None; 3];
        for (i, (f, v)) in
            [("signed_on", &self.signed_on), ("valid_from", &self.valid_from), ("valid_until", &self.valid_until)]
                .into_iter()
                .enumerate()
        {
            dates[i] = crate::format::parse_date(v);
            if dates[i].is_none() {
                p.push(Problem { field: f, key: "form.bad_date" });
            }
        }
        if let (Some(from), Some(until)) = (dates[1], dates[2])
            && until < from
        {
            p.push(Problem { field: "valid_until", key: "agreement.ends_before_start" });
        }
        p
    }
}

/// File types accepted for agreement scans, with the extension they are served as.
pub fn accepted_document(content_type: &str, bytes: &[u8]) -> Option<&'static str> {
    // Trust the bytes, not the browser's label.
    match content_type {
        "application/pdf" if bytes.starts_with(b"%PDF-") => Some("pdf"),
        "image/png" if bytes.starts_with(b"\x89PNG") => Some("png"),
        "image/jpeg" if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) => Some("jpg"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes() {
        assert_eq!(ServiceCode::parse(" ktp-el ").map(|c| c.0), Some("KTP-EL".into()));
        for bad in ["", "K", "KTP EL", "-KTP", "KTP_EL", "ABCDEFGHIJKLMNOPQRSTU"] {
            assert!(ServiceCode::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(parse_agency_code("BPJS-Kes"), Some("bpjs-kes".into()));
        assert_eq!(parse_agency_code("bpjs kes"), None);
    }

    #[test]
    fn a_service_must_publish_its_standard() {
        let empty = ServiceInput::default();
        let fields: Vec<_> = empty.validate().iter().map(|p| p.field).collect();
        for f in [
            "code",
            "name_id",
            "requirements_id",
            "procedure_id",
            "completion_time_id",
            "product_id",
            "complaint_id",
            "channels",
        ] {
            assert!(fields.contains(&f), "{f} should be required");
        }
        let ok = ServiceInput {
            agency: "a".into(),
            code: "ktp-el".into(),
            name_id: "KTP-el".into(),
            requirements_id: "KK".into(),
            procedure_id: "Datang".into(),
            completion_time_id: "1 hari".into(),
            product_id: "KTP".into(),
            complaint_id: "SP4N-LAPOR!".into(),
            channels: vec!["counter".into()],
            queue_prefix: "A".into(),
            ..Default::default()
        };
        assert_eq!(ok.validate(), vec![]);
        let long = ServiceInput { name_id: "x".repeat(limits::NAME + 1), ..ok };
        assert_eq!(long.validate(), vec![Problem { field: "name_id", key: "form.too_long" }]);
    }

    #[test]
    fn channels_round_trip() {
        let c = parse_channels("counter, kiosk,bogus,online");
        assert_eq!(c, vec![Channel::Counter, Channel::Kiosk, Channel::Online]);
        assert_eq!(channels_to_string(&c), "counter,kiosk,online");
    }

    #[test]
    fn agreement_input_checks_dates() {
        let a = AgreementInput {
            agency: "x".into(),
            kind: "PKS".into(),
            number: "1/PKS/2026".into(),
            title_id: "Kerja sama".into(),
            signed_on: "2026-01-01".into(),
            valid_from: "2026-01-01".into(),
            valid_until: "2025-12-31".into(),
            ..Default::default()
        };
        assert_eq!(a.validate(), vec![Problem { field: "valid_until", key: "agreement.ends_before_start" }]);
        let bad = AgreementInput { signed_on: "31-12-2026".into(), kind: "SK".into(), ..a };
        let fields: Vec<_> = bad.validate().iter().map(|p| p.field).collect();
        assert!(fields.contains(&"signed_on") && fields.contains(&"kind"));
    }

    #[test]
    fn documents_are_judged_by_their_bytes() {
        assert_eq!(accepted_document("application/pdf", b"%PDF-1.7 ..."), Some("pdf"));
        assert_eq!(accepted_document("application/pdf", b"MZ\x90 not a pdf"), None);
        assert_eq!(accepted_document("text/html", b"<html>"), None);
    }

    #[test]
    fn counters_serve_only_their_agency() {
        let c = CounterInput {
            agency: "dukcapil".into(),
            number: 3,
            services: vec!["KK".into(), "PASPOR".into()],
            ..Default::default()
        };
        assert_eq!(
            c.validate(&["KK".to_string()]),
            vec![Problem { field: "services", key: "counter.service_foreign" }]
        );
        let c = CounterInput { number: 0, services: vec![], ..c };
        assert_eq!(c.validate(&[]), vec![Problem { field: "number", key: "counter.number_invalid" }]);
    }

    #[test]
    fn agreement_expiry() {
        let from = date!(2024 - 01 - 01);
        let until = date!(2026 - 12 - 31);
        assert_eq!(agreement_status(from, until, date!(2023 - 12 - 31)), AgreementStatus::NotYetValid);
        assert_eq!(agreement_status(from, until, date!(2026 - 01 - 01)), AgreementStatus::Active);
        assert_eq!(
            agreement_status(from, until, date!(2026 - 11 - 24)),
            AgreementStatus::ExpiringSoon { days_left: 37 }
        );
        assert_eq!(agreement_status(from, until, date!(2027 - 01 - 01)), AgreementStatus::Expired);
    }
}
