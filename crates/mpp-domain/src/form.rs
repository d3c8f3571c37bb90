//! A service's application form: the fields an admin configures, and the
//! checks a filed value goes through (NIK, NIB, region codes, dates …).

use std::collections::BTreeMap;

str_enum! {
    /// What a form field holds.
    FieldKind {
        Text = "text",
        /// A whole number, not negative (a count, an area).
        Number = "number",
        /// An amount in rupiah, whole.
        Money = "money",
        Date = "date",
        /// One of the field's options.
        Choice = "choice",
        /// A 16-digit national ID number.
        Nik = "nik",
        /// A 13-digit business ID number from OSS.
        Nib = "nib",
        /// A village (kelurahan/desa) by its Kemendagri code, on the shipped
        /// list (`region.rs`).
        Region = "region",
        /// A document the citizen uploads (kept in their own documents).
        Document = "document",
    }
}

/// One field of a service's form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldDef {
    /// The value's name in the filed data (`[a-z0-9_]`).
    pub key: String,
    pub label_id: String,
    pub label_en: String,
    pub kind: FieldKind,
    pub required: bool,
    /// For choices: the allowed values.
    #[serde(default)]
    pub options: Vec<String>,
}

/// What is wrong with one value (a message key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub key: String,
    pub message: &'static str,
}

/// Checks filed values against the form and returns them tidied (trimmed,
/// NIK/NIB without spaces). Documents are checked elsewhere (they are
/// files); here a required one must name an uploaded document.
pub fn check(fields: &[FieldDef], values: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<FieldProblem>) {
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for f in fields {
        let raw = values.get(&f.key).map(|v| v.trim()).unwrap_or("");
        if raw.is_empty() {
            if f.required {
                problems.push(FieldProblem { key: f.key.clone(), message: "form.required" });
            }
            continue;
        }
        let tidy = match f.kind {
            FieldKind::Text | FieldKind::Document => (raw.chars().count() <= 2000).then(|| raw.to_string()),
            FieldKind::Number | FieldKind::Money => whole(raw, f.kind == FieldKind::Money).map(|n| n.to_string()),
            FieldKind::Date => crate::format::parse_date(raw).map(crate::format::iso_date),
            FieldKind::Choice => f.options.iter().find(|o| o.as_str() == raw).cloned(),
            FieldKind::Nik => nik(raw).map(|n| n.digits),
            FieldKind::Nib => digits(raw, 13),
            FieldKind::Region => crate::region::village(raw).map(|v| v.code.to_string()),
        };
        match tidy {
            Some(v) => {
                out.insert(f.key.clone(), v);
            }
            None => problems.push(FieldProblem { key: f.key.clone(), message: bad_value(f.kind) }),
        }
    }
    (out, problems)
}

/// A NIK as officers see it until they reveal it: the first four digits
/// and the last four (`5303••••••••0003`); anything shorter all hidden.
pub fn mask_nik(nik: &str) -> String {
    match (nik.get(..4), nik.get(nik.len().saturating_sub(4)..)) {
        (Some(head), Some(tail)) if nik.len() >= 12 && nik.is_ascii() => {
            format!("{head}{}{tail}", "•".repeat(nik.len() - 8))
        }
        _ => "•".repeat(nik.chars().count()),
    }
}

/// A value as officers see it before they reveal it: NIKs masked.
pub fn masked(kind: FieldKind, value: &str) -> String {
    match kind {
        FieldKind::Nik => mask_nik(value),
        _ => readable(kind, value),
    }
}

/// A person's name where a list shows many (an inbox): the initials only
/// (`Maria Bano` → `M. B.`); the whole name is on the record itself,
/// whose opening is on the access log.
pub fn mask_name(name: &str) -> String {
    let initial = |w: &str| w.chars().find(|c| c.is_alphanumeric()).map(|c| format!("{}.", c.to_uppercase()));
    name.split_whitespace().filter_map(initial).collect::<Vec<_>>().join(" ")
}

/// A filed value as people read it: a region code becomes its address line
/// (village first), anything else stays as filed.
pub fn readable(kind: FieldKind, value: &str) -> String {
    match (kind, value.parse::<i64>()) {
        (FieldKind::Region, _) => crate::region::describe(value),
        (FieldKind::Number, Ok(n)) => crate::format::group_thousands(n),
        (FieldKind::Money, Ok(n)) => crate::format::rupiah(n),
        _ => value.to_string(),
    }
}

/// A whole number as people write it: `25000000`, `25.000.000` (dots
/// grouping thousands, the Indonesian way), with spaces, and for money an
/// optional `Rp`. A dot anywhere else (`2.5`) is no whole number.
fn whole(raw: &str, money: bool) -> Option<i64> {
    let mut s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if money && s.len() > 2 && s[..2].eq_ignore_ascii_case("rp") {
        s.drain(..2);
        if s.starts_with('.') {
            s.remove(0);
        }
    }
    let groups: Vec<&str> = s.split('.').collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped || groups.iter().any(|g| !g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    groups.concat().parse::<i64>().ok().filter(|n| *n >= 0)
}

/// All filed values as people read them (for a certificate's statement).
pub fn readable_values(fields: &[FieldDef], values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let kind = |key: &str| fields.iter().find(|f| f.key == key).map_or(FieldKind::Text, |f| f.kind);
    values.iter().map(|(k, v)| (k.clone(), readable(kind(k), v))).collect()
}

fn bad_value(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Nik => "form.bad_nik",
        FieldKind::Nib => "form.bad_nib",
        FieldKind::Date => "form.bad_date",
        FieldKind::Number => "form.bad_number",
        FieldKind::Money => "form.bad_money",
        FieldKind::Choice => "form.bad_choice",
        FieldKind::Region => "form.bad_region",
        FieldKind::Text | FieldKind::Document => "form.too_long",
    }
}

/// Problems with a form as an admin configured it.
pub fn check_definition(fields: &[FieldDef]) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in fields {
        let key_ok = !f.key.is_empty()
            && f.key.len() <= 40
            && f.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            out.push("form.bad_key");
        }
        if !seen.insert(f.key.as_str()) {
            out.push("form.duplicate_key");
        }
        if f.label_id.trim().is_empty() || f.label_en.trim().is_empty() {
            out.push("form.label_required");
        }
        if f.kind == FieldKind::Choice && f.options.iter().filter(|o| !o.trim().is_empty()).count() < 2 {
            out.push("form.choice_needs_options");
        }
    }
    out.dedup();
    out
}

fn digits(s: &str, len: usize) -> Option<String> {
    let d: String = s.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != '-').collect();
    (d.len() == len && d.chars().all(|c| c.is_ascii_digit())).then_some(d)
}

/// A NIK as a record keeps it. Its `Debug` shows only whether there is one,
/// so a record printed to a log (or a panic message) never carries the
/// number; the number is read on purpose, with `as_str`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct NikNumber(String);

impl NikNumber {
    pub fn new(digits: impl Into<String>) -> Self {
        NikNumber(digits.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether these are the number's last four digits (what the public
    /// tracking form asks).
    pub fn ends_with_digits(&self, last4: &str) -> bool {
        last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()) && self.0.len() == 16 && self.0.ends_with(last4)
    }

    /// As officers see it until they reveal it: the region's first four
    /// digits and the last four (`5303••••••••0003`).
    pub fn masked(&self) -> String {
        mask_nik(&self.0)
    }

    /// The last four digits (empty without a number).
    pub fn last4(&self) -> &str {
        self.0.get(12..).unwrap_or("")
    }
}

impl std::fmt::Debug for NikNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "NikNumber(none)" } else { "NikNumber(hidden)" })
    }
}

/// A well-formed NIK, taken apart (GLOSSARY: `PP RR DD ddmmyy SSSS`).
/// Well-formed is not proof of identity: it only catches typing mistakes.
/// Its `Debug` hides the number and what can be read from it.
#[derive(Clone, PartialEq, Eq)]
pub struct Nik {
    pub digits: String,
    /// Province, regency and district codes (`PP.RR.DD`).
    pub district: String,
    pub female: bool,
    pub birth_day: u8,
    pub birth_month: u8,
}

impl std::fmt::Debug for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nik(hidden)")
    }
}

pub fn nik(s: &str) -> Option<Nik> {
    let d = digits(s, 16)?;
    let num = |from: usize| d[from..from + 2].parse::<u8>().ok();
    let (province, day, month) = (num(0)?, num(6)?, num(8)?);
    let female = day > 40;
    let birth_day = if female { day - 40 } else { day };
    let ok = (11..=97).contains(&province)
        && num(2)? > 0
        && num(4)? > 0
        && (1..=31).contains(&birth_day)
        && (1..=12).contains(&month)
        && &d[12..] != "0000";
    ok.then(|| Nik {
        district: format!("{}.{}.{}", &d[0..2], &d[2..4], &d[4..6]),
        digits: d,
        female,
        birth_day,
        birth_month: month,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_nik_never_shows_in_debug_output() {
        let n = super::nik("5303014107900003").expect("well formed");
        let kept = super::NikNumber::new(n.digits.clone());
        for shown in [format!("{n:?}"), format!("{kept:?}"), format!("{:?}", Some(&kept))] {
            assert!(!shown.contains("0003") && !shown.contains("530301"), "{shown}");
        }
        assert!(kept.ends_with_digits("0003") && !kept.ends_with_digits("003") && !kept.ends_with_digits("0004"));
        assert_eq!((kept.last4(), super::NikNumber::default().last4()), ("0003", ""));
    }

    #[test]
    fn an_officer_sees_a_nik_masked_until_revealed() {
        assert_eq!(super::NikNumber::new("5303014107900003").masked(), "5303••••••••0003");
        assert_eq!(super::mask_nik("53030141"), "••••••••", "too short to keep any digit");
        assert_eq!(super::masked(super::FieldKind::Nik, "5303014107900003"), "5303••••••••0003");
        assert_eq!(super::masked(super::FieldKind::Number, "1500"), "1.500");
    }

    #[test]
    fn whole_numbers_are_read_as_people_write_them_and_shown_grouped() {
        assert_eq!(whole("25000000", false), Some(25_000_000));
        assert_eq!(whole("25.000.000", false), Some(25_000_000));
        assert_eq!(whole("Rp 25.000.000", true), Some(25_000_000));
        assert_eq!(whole("rp.1.500", true), Some(1500));
        assert_eq!(whole("Rp 1", false), None, "Rp only for money");
        assert_eq!(whole("2.5", false), None);
        assert_eq!(whole("1.20", false), None);
        assert_eq!(whole(".500", false), None);
        assert_eq!(whole("-3", false), None);
        assert_eq!(readable(FieldKind::Money, "25000000"), "Rp 25.000.000");
        assert_eq!(readable(FieldKind::Number, "1200"), "1.200");
        assert_eq!(readable(FieldKind::Text, "1200"), "1200");
    }

    use super::*;

    #[test]
    fn a_name_in_a_list_is_its_initials() {
        assert_eq!(mask_name("Maria  Bano"), "M. B.");
        assert_eq!(mask_name("ñoño élan"), "Ñ. É.");
        assert_eq!(mask_name("  "), "");
        assert_eq!(mask_name("Warga (demo)"), "W. D.");
    }

    fn field(key: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            key: key.into(),
            label_id: key.into(),
            label_en: key.into(),
            kind,
            required,
            options: if kind == FieldKind::Choice { vec!["mikro".into(), "kecil".into()] } else { vec![] },
        }
    }

    #[test]
    fn a_nik_is_taken_apart_and_typos_are_caught() {
        // A woman born on 12 March (day + 40 = 52), district 53.04.01.
        let n = nik("5304 0152 0390 0001").unwrap_or_else(|| panic!("well-formed"));
        assert_eq!(n.digits, "5304015203900001");
        assert_eq!(n.district, "53.04.01");
        assert!(n.female);
        assert_eq!((n.birth_day, n.birth_month), (12, 3));
        assert_eq!(nik("5304011203900001").map(|n| n.female), Some(false));
        assert!(nik("530401120390000").is_none(), "15 digits");
        assert!(nik("5304011213900001").is_none(), "month 13");
        assert!(nik("5304013203900001").is_none(), "day 32");
        assert!(nik("5304011203900000").is_none(), "serial 0000");
        assert!(nik("0004011203900001").is_none(), "province 00");
    }

    #[test]
    fn filed_values_are_checked_and_tidied() {
        let fields = vec![
            field("name", FieldKind::Text, true),
            field("nik", FieldKind::Nik, true),
            field("nib", FieldKind::Nib, false),
            field("area", FieldKind::Number, true),
            field("scale", FieldKind::Choice, true),
            field("village", FieldKind::Region, true),
            field("opened", FieldKind::Date, false),
        ];
        let values: BTreeMap<String, String> = [
            ("name", " Siti "),
            ("nik", "5304 0152 0390 0001"),
            ("area", "120"),
            ("scale", "kecil"),
            ("village", "3507012001"),
            ("opened", "2026-11-25"),
            ("unknown", "dropped"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (tidy, problems) = check(&fields, &values);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(tidy.get("name").map(String::as_str), Some("Siti"));
        assert_eq!(tidy.get("nik").map(String::as_str), Some("5304015203900001"));
        assert_eq!(tidy.get("village").map(String::as_str), Some("35.07.01.2001"), "written with dots");
        let shown = readable_values(&fields, &tidy);
        assert_eq!(
            shown.get("village").map(String::as_str),
            Some("Tulungrejo, Donomulyo, Kabupaten Malang, Jawa Timur")
        );
        assert_eq!(shown.get("name"), tidy.get("name"));
        assert!(!tidy.contains_key("unknown") && !tidy.contains_key("nib"));

        let bad: BTreeMap<String, String> =
            [("nik", "123"), ("area", "-4"), ("scale", "besar"), ("village", "35.07.01.9999"), ("nib", "12")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let (_, problems) = check(&fields, &bad);
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.key.as_str(), p.message)).collect();
        assert_eq!(
            got,
            vec![
                ("name", "form.required"),
                ("nik", "form.bad_nik"),
                ("nib", "form.bad_nib"),
                ("area", "form.bad_number"),
                ("scale", "form.bad_choice"),
                ("village", "form.bad_region"),
            ]
        );
    }

    #[test]
    fn an_admins_form_needs_unique_plain_keys_labels_and_options() {
        let mut f = vec![field("name", FieldKind::Text, true), field("name", FieldKind::Text, false)];
        assert_eq!(check_definition(&f), vec!["form.duplicate_key"]);
        f[1].key = "Nama Lengkap".into();
        assert_eq!(check_definition(&f), vec!["form.bad_key"]);
        let mut choice = field("scale", FieldKind::Choice, true);
        choice.options = vec!["one".into()];
        assert_eq!(check_definition(&[choice]), vec!["form.choice_needs_options"]);
    }
}
