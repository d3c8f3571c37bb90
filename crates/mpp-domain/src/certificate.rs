//! Certificates (surat izin): what an issued permit says, its decision
//! number, the service's template that words it, and the verdict on a copy
//! someone presents for checking.
//!
//! The server signs [`Content`] (as canonical JSON: these fields, in the
//! order declared, no whitespace) with the mall's Ed25519 key; the PDF,
//! the public verification page and `mpp verify` all show and check the
//! same content.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// The signed content of a certificate. Its JSON keys come in the order
/// the fields are declared: alphabetical but for `v`, last. Certificates
/// already issued were signed in this order, so it never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Content {
    /// The agency that issues it (its name).
    pub agency: String,
    /// The holder's name.
    pub holder: String,
    /// The holder's NIK, masked but for its last four digits ("" if none).
    pub holder_nik: String,
    /// The certificate's id (the verification page's address).
    pub id: String,
    /// ISO date of issue.
    pub issued: String,
    /// The id of the mall's key that signed it.
    pub kid: String,
    /// The mall's slug.
    pub mall: String,
    pub mall_name: String,
    /// The decision number (nomor keputusan).
    pub number: String,
    /// The application's registration number.
    pub registration: String,
    pub service: String,
    /// The template's statement, filled in.
    pub statement: String,
    pub title: String,
    /// ISO date after which it no longer holds; `None`: it does not expire.
    pub valid_until: Option<String>,
    /// The format's version.
    pub v: u32,
}

/// A service's certificate template: its title, the statement (with
/// `{holder}`, `{service}`, `{mall}`, `{agency}` and `{form.KEY}` filled in
/// from the application) and how long it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    /// Empty: the service's name, in capitals.
    #[serde(default)]
    pub title: String,
    /// Empty: a plain statement naming the holder and the service.
    #[serde(default)]
    pub statement: String,
    /// Months it holds from the day of issue; 0: it does not expire.
    #[serde(default)]
    pub valid_months: u32,
}

const DEFAULT_STATEMENT: &str = "Diberikan kepada {holder} untuk {service}, sesuai permohonan yang telah diperiksa \
                                 dan disetujui oleh instansi terkait.";

impl Template {
    pub fn title_for(&self, service: &str) -> String {
        if self.title.trim().is_empty() { service.to_uppercase() } else { self.title.trim().to_string() }
    }

    /// The statement with its placeholders filled in; an unknown placeholder
    /// becomes empty (an optional field left blank).
    pub fn statement_for(&self, names: &BTreeMap<&str, &str>, form: &BTreeMap<String, String>) -> String {
        let text = if self.statement.trim().is_empty() { DEFAULT_STATEMENT } else { self.statement.trim() };
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let key = &rest[open + 1..open + close];
            let value = match key.strip_prefix("form.") {
                Some(field) => form.get(field).map(String::as_str),
                None => names.get(key).copied(),
            };
            out.push_str(value.unwrap_or(""));
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The last day it holds, if it expires.
    pub fn valid_until(&self, issued: Date) -> Option<Date> {
        if self.valid_months == 0 {
            return None;
        }
        let months = i32::try_from(self.valid_months).unwrap_or(i32::MAX);
        let total = issued.year() * 12 + i32::from(u8::from(issued.month())) - 1 + months;
        let (year, month) = (total.div_euclid(12), u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1));
        let month = time::Month::try_from(month).ok()?;
        // The same day of the month, or the month's last day; the day before.
        let day = issued.day().min(month.length(year));
        Date::from_calendar_date(year, month, day).ok()?.previous_day()
    }
}

/// The decision number, in the form regional decrees take: the archive
/// classification for licences (503), the year's sequence, the issuing
/// agency's code, the month in Roman numerals and the year,
/// e.g. `503/0007/DPMPTSP/XI/2026`.
pub fn decision_number(agency_code: &str, seq: u32, day: Date) -> String {
    const ROMAN: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];
    let month = ROMAN[usize::from(u8::from(day.month())) - 1];
    format!("503/{seq:04}/{}/{month}/{}", agency_code.to_ascii_uppercase(), day.year())
}

/// A NIK as a public page may show it: all but the last four digits hidden.
pub fn mask_nik(nik: &str) -> String {
    let digits: Vec<char> = nik.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return String::new();
    }
    let (hidden, shown) = digits.split_at(digits.len() - 4);
    format!("{}{}", "*".repeat(hidden.len()), shown.iter().collect::<String>())
}

str_enum!(
    /// What a check of a certificate concludes.
    Verdict {
        Valid = "valid",
        Revoked = "revoked",
        Expired = "expired",
        /// Its signature does not hold, its text was changed, or no such
        /// certificate was issued.
        Forged = "forged",
    }
);

/// The verdict on a certificate, worst first: a forgery is a forgery even
/// if it also claims to be expired.
pub fn verdict(authentic: bool, revoked: bool, valid_until: Option<Date>, today: Date) -> Verdict {
    if !authentic {
        Verdict::Forged
    } else if revoked {
        Verdict::Revoked
    } else if valid_until.is_some_and(|d| today > d) {
        Verdict::Expired
    } else {
        Verdict::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn decision_numbers_read_like_decrees() {
        assert_eq!(decision_number("dpmptsp", 7, date!(2026 - 11 - 25)), "503/0007/DPMPTSP/XI/2026");
        assert_eq!(decision_number("PUPR", 12345, date!(2027 - 01 - 02)), "503/12345/PUPR/I/2027");
    }

    #[test]
    fn nik_is_masked_but_for_the_last_four_digits() {
        assert_eq!(mask_nik("6403015507900001"), "************0001");
        assert_eq!(mask_nik("12"), "");
    }

    #[test]
    fn validity_counts_months_and_ends_the_day_before() {
        let t = |m| Template { valid_months: m, ..Template::default() };
        assert_eq!(t(0).valid_until(date!(2026 - 11 - 25)), None);
        assert_eq!(t(12).valid_until(date!(2026 - 11 - 25)), Some(date!(2027 - 11 - 24)));
        assert_eq!(t(3).valid_until(date!(2026 - 11 - 30)), Some(date!(2027 - 02 - 27)));
        assert_eq!(t(60).valid_until(date!(2028 - 02 - 29)), Some(date!(2033 - 02 - 27)));
    }

    #[test]
    fn statements_fill_names_and_form_fields() {
        let t = Template {
            statement: "Usaha {form.business_name}  milik {holder}{form.missing}.".into(),
            ..Default::default()
        };
        let names = BTreeMap::from([("holder", "Siti Rahma")]);
        let form = BTreeMap::from([("business_name".to_string(), "Warung Sejahtera".to_string())]);
        assert_eq!(t.statement_for(&names, &form), "Usaha Warung Sejahtera milik Siti Rahma.");
        let plain = Template::default().statement_for(&BTreeMap::from([("holder", "A"), ("service", "PBG")]), &form);
        assert!(plain.starts_with("Diberikan kepada A untuk PBG,"), "{plain}");
        assert_eq!(Template::default().title_for("Izin Reklame"), "IZIN REKLAME");
    }

    #[test]
    fn forgery_outranks_every_other_verdict() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(verdict(false, true, Some(date!(2020 - 01 - 01)), today), Verdict::Forged);
        assert_eq!(verdict(true, true, Some(date!(2020 - 01 - 01)), today), Verdict::Revoked);
        assert_eq!(verdict(true, false, Some(date!(2026 - 11 - 24)), today), Verdict::Expired);
        assert_eq!(verdict(true, false, Some(today), today), Verdict::Valid);
        assert_eq!(verdict(true, false, None, today), Verdict::Valid);
    }
}
