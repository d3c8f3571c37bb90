//! A citizen's profile: the data they give once (NIK, KK, name, date of
//! birth, address, phone) and MPP offers back on every form. The NIK is
//! checked for its structure here and against the population register by
//! the server (match / no match: MPP keeps the answer, never a copy of
//! the register).

use crate::form::{FieldDef, FieldKind, FieldProblem};
use std::collections::BTreeMap;

str_enum!(
    /// What the population register answered about a NIK with a name and
    /// a date of birth.
    Answer {
        Match = "match",
        NoMatch = "no_match",
        /// The register could not be asked (not configured, down, an answer
        /// that is not one): nothing is known.
        Unavailable = "unavailable",
    }
);

fn field(key: &str, id: &str, en: &str, kind: FieldKind, required: bool) -> FieldDef {
    FieldDef { key: key.into(), label_id: id.into(), label_en: en.into(), kind, required, options: Vec::new() }
}

/// The profile's form, in the shape of a service's form (so it is checked
/// and shown the same way).
pub fn fields() -> Vec<FieldDef> {
    vec![
        field("nik", "NIK", "NIK (national identity number)", FieldKind::Nik, true),
        field("full_name", "Nama lengkap sesuai KTP", "Full name as on the KTP", FieldKind::Text, true),
        field("birth_date", "Tanggal lahir", "Date of birth", FieldKind::Date, true),
        field("kk", "Nomor Kartu Keluarga (KK)", "Family card (KK) number", FieldKind::Text, false),
        field("region", "Alamat: desa/kelurahan", "Address: village", FieldKind::Region, true),
        field("street", "Alamat: jalan, RT/RW", "Address: street, RT/RW", FieldKind::Text, false),
        field("phone", "Nomor HP", "Mobile number", FieldKind::Text, false),
    ]
}

/// Checks a posted profile: each field as forms are checked, then what
/// ties them together (the NIK carries the date of birth, +40 on the day
/// for women; a KK number is 16 digits; a phone number is Indonesian).
/// The values tidied, and the problems.
pub fn check(values: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<FieldProblem>) {
    let (mut out, mut problems) = crate::form::check(&fields(), values);
    let bad = |problems: &[FieldProblem], key: &str| problems.iter().any(|p| p.key == key);
    if !bad(&problems, "nik") && !bad(&problems, "birth_date") {
        let nik = out.get("nik").and_then(|n| crate::form::nik(n));
        let born = out.get("birth_date").and_then(|d| crate::format::parse_date(d));
        if let (Some(nik), Some(born)) = (nik, born) {
            let year = nik.digits[10..12].parse::<i32>().ok();
            if nik.birth_day != born.day()
                || nik.birth_month != u8::from(born.month())
                || year != Some(born.year() % 100)
            {
                problems.push(FieldProblem { key: "birth_date".into(), message: "profile.birth_date_not_nik" });
            }
        }
    }
    if let Some(kk) = out.get("kk").filter(|k| !k.is_empty()) {
        let digits: String = kk.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit()) {
            out.insert("kk".into(), digits);
        } else {
            problems.push(FieldProblem { key: "kk".into(), message: "profile.bad_kk" });
        }
    }
    if let Some(phone) = out.get("phone").filter(|p| !p.is_empty()) {
        match crate::visit::parse_phone(phone) {
            Some(p) => {
                out.insert("phone".into(), p);
            }
            None => problems.push(FieldProblem { key: "phone".into(), message: "profile.bad_phone" }),
        }
    }
    (out, problems)
}

/// A form's values taken from a profile (given once, offered on every
/// form): its first NIK field gets the NIK (the applicant's, as filing
/// reads it), its first region field the home village. The citizen can
/// change either before sending.
pub fn prefill(fields: &[FieldDef], nik: &str, region: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (kind, value) in [(FieldKind::Nik, nik), (FieldKind::Region, region)] {
        if let Some(f) = fields.iter().find(|f| f.kind == kind).filter(|_| !value.is_empty()) {
            out.insert(f.key.clone(), value.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(nik: &str, born: &str) -> BTreeMap<String, String> {
        [
            ("nik", nik),
            ("full_name", "Maria Bano"),
            ("birth_date", born),
            ("kk", "5304 0112 2000 0007"),
            ("region", "53.03.05.1003"),
            ("street", "Jl. Sonbai RT 01/RW 02"),
            ("phone", "0812 3456 7890"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn keys(p: &[FieldProblem]) -> Vec<(&str, &str)> {
        p.iter().map(|p| (p.key.as_str(), p.message)).collect()
    }

    #[test]
    fn a_form_takes_the_nik_and_village_once_each() {
        let form = vec![
            field("owner_nik", "NIK pemilik", "Owner's NIK", FieldKind::Nik, true),
            field("partner_nik", "NIK mitra", "Partner's NIK", FieldKind::Nik, false),
            field("village", "Desa", "Village", FieldKind::Region, true),
            field("name", "Nama usaha", "Business name", FieldKind::Text, true),
        ];
        let filled = prefill(&form, "5304015203900001", "53.03.05.1003");
        assert_eq!(filled.len(), 2);
        assert_eq!((filled["owner_nik"].as_str(), filled["village"].as_str()), ("5304015203900001", "53.03.05.1003"));
        assert!(prefill(&form, "", "").is_empty(), "an empty profile fills nothing");
    }

    #[test]
    fn the_date_of_birth_is_the_one_the_nik_carries() {
        // A woman born 12 March 1990: day 52 in the NIK.
        let (out, problems) = check(&profile("5304015203900001", "1990-03-12"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(out["kk"], "5304011220000007");
        assert_eq!(out["nik"], "5304015203900001");
        let (_, problems) = check(&profile("5304015203900001", "1990-03-13"));
        assert_eq!(keys(&problems), [("birth_date", "profile.birth_date_not_nik")]);
        let (_, problems) = check(&profile("5304015203900001", "1991-03-12"));
        assert_eq!(keys(&problems), [("birth_date", "profile.birth_date_not_nik")]);
        // A man born the 12th: the day as it is.
        assert!(check(&profile("5304011203900001", "1990-03-12")).1.is_empty());
    }

    #[test]
    fn a_bad_nik_kk_or_phone_is_named_at_its_field() {
        let (_, problems) = check(&profile("5304019903900001", "1990-03-12"));
        assert_eq!(keys(&problems), [("nik", "form.bad_nik")], "no day 99, and no second complaint about the date");
        let mut p = profile("5304015203900001", "1990-03-12");
        p.insert("kk".into(), "12345".into());
        p.insert("phone".into(), "halo".into());
        assert_eq!(keys(&check(&p).1), [("kk", "profile.bad_kk"), ("phone", "profile.bad_phone")]);
        p.insert("kk".into(), String::new());
        p.insert("phone".into(), String::new());
        assert!(check(&p).1.is_empty(), "both may be left out");
    }
}
