//! Life-event bundles (paket layanan peristiwa hidup): one filing that
//! starts several services of several agencies from the same data, as the
//! birth of a child starts the birth certificate, the family card's update,
//! the child's identity card and the child's health insurance.
//!
//! A bundle is a mall's choice of existing services. Its form is the union
//! of theirs: a field two services both ask for (the same key) is asked
//! once, so the two must mean the same thing (the same kind and choices).
//! Each service still gets its own application, with its own workflow and
//! deadline, from its own part of what was filed.

use crate::catalog::{Problem, ServiceCode};
use crate::form::{FieldDef, FieldKind};
use std::collections::BTreeMap;

/// A bundle joins at least two services (one would be the service itself)
/// and at most eight (a form beyond that is not one sitting).
pub const MIN_SERVICES: usize = 2;
pub const MAX_SERVICES: usize = 8;
const NAME: usize = 120;
const DESCRIPTION: usize = 2000;

/// A bundle as its admin defines it (page and API alike).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct BundleInput {
    /// Its code in addresses (`KELAHIRAN`), as service codes are written.
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub description_id: String,
    pub description_en: String,
    /// The services' codes, in the order the citizen sees them.
    pub services: Vec<String>,
    pub active: bool,
}

/// One of the mall's services as a bundle sees it: its code, and its
/// application form if it takes applications (`None`: it has no workflow).
pub struct Member<'a> {
    pub code: &'a str,
    pub form: Option<&'a [FieldDef]>,
}

impl BundleInput {
    /// Every problem, by field; `services` are the mall's services.
    pub fn validate(&self, services: &[Member<'_>]) -> Vec<Problem> {
        let mut p = Vec::new();
        if ServiceCode::parse(&self.code).is_none() {
            p.push(Problem { field: "code", key: "service.code_invalid" });
        }
        for (field, value, required, max) in [
            ("name_id", &self.name_id, true, NAME),
            ("name_en", &self.name_en, false, NAME),
            ("description_id", &self.description_id, true, DESCRIPTION),
            ("description_en", &self.description_en, false, DESCRIPTION),
        ] {
            if required && value.trim().is_empty() {
                p.push(Problem { field, key: "form.required" });
            } else if value.chars().count() > max {
                p.push(Problem { field, key: "form.too_long" });
            }
        }
        let mut forms = Vec::new();
        // Codes as the catalogue writes them (`kia` is `KIA`).
        let codes: Vec<String> = self.services.iter().map(|c| c.trim().to_ascii_uppercase()).collect();
        for (i, code) in codes.iter().enumerate() {
            if codes[..i].contains(code) {
                p.push(Problem { field: "services", key: "bundle.service_twice" });
                continue;
            }
            match services.iter().find(|s| s.code == code.as_str()) {
                None => p.push(Problem { field: "services", key: "bundle.unknown_service" }),
                Some(Member { form: None, .. }) => p.push(Problem { field: "services", key: "bundle.service_no_form" }),
                Some(Member { form: Some(f), .. }) => forms.push(*f),
            }
        }
        if !(MIN_SERVICES..=MAX_SERVICES).contains(&forms.len()) {
            p.push(Problem { field: "services", key: "bundle.how_many" });
        }
        if merged(&forms).is_err() {
            p.push(Problem { field: "services", key: "bundle.fields_clash" });
        }
        p.dedup_by(|a, b| a.field == b.field && a.key == b.key);
        p
    }
}

/// Two services ask for the same key but mean different things by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub key: String,
}

/// The bundle's one form: every field of every service once, in order of
/// first appearance, required when any service requires it.
pub fn merged(forms: &[&[FieldDef]]) -> Result<Vec<FieldDef>, Clash> {
    let mut out: Vec<FieldDef> = Vec::new();
    for f in forms.iter().flat_map(|form| form.iter()) {
        match out.iter_mut().find(|o| o.key == f.key) {
            None => out.push(f.clone()),
            Some(o) if same_meaning(o, f) => o.required |= f.required,
            Some(_) => return Err(Clash { key: f.key.clone() }),
        }
    }
    Ok(out)
}

fn same_meaning(a: &FieldDef, b: &FieldDef) -> bool {
    a.kind == b.kind && (a.kind != FieldKind::Choice || a.options == b.options)
}

/// One service's part of what was filed on the bundle's form.
pub fn part(form: &[FieldDef], values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    form.iter().filter_map(|f| values.get(&f.key).map(|v| (f.key.clone(), v.clone()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str, kind: FieldKind, required: bool) -> FieldDef {
        FieldDef {
            key: key.into(),
            label_id: key.into(),
            label_en: key.into(),
            kind,
            required,
            options: if kind == FieldKind::Choice { vec!["a".into(), "b".into()] } else { vec![] },
        }
    }

    #[test]
    fn a_field_two_services_share_is_asked_once_and_required_if_either_requires_it() {
        let akta = [field("child_name", FieldKind::Text, true), field("kk", FieldKind::Document, false)];
        let kia = [field("kk", FieldKind::Document, true), field("photo", FieldKind::Document, false)];
        let form = merged(&[&akta, &kia]).expect("the forms agree");
        let keys: Vec<&str> = form.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["child_name", "kk", "photo"]);
        assert!(form[1].required, "KIA requires the KK, so the bundle does");
        assert!(!form[2].required);
    }

    #[test]
    fn the_same_key_with_another_kind_or_other_choices_clashes() {
        let a = [field("sex", FieldKind::Choice, true)];
        let b = [field("sex", FieldKind::Text, true)];
        assert_eq!(merged(&[&a, &b]), Err(Clash { key: "sex".into() }));
        let mut c = field("sex", FieldKind::Choice, true);
        c.options = vec!["L".into(), "P".into()];
        assert!(merged(&[&a, &[c]]).is_err());
        assert!(merged(&[&a, &a]).is_ok(), "the same field twice is one field");
    }

    #[test]
    fn each_service_gets_only_its_own_fields() {
        let kia = [field("child_name", FieldKind::Text, true)];
        let values: BTreeMap<String, String> =
            [("child_name", "Yohana"), ("faskes", "Puskesmas Sasi")].map(|(k, v)| (k.into(), v.into())).into();
        assert_eq!(part(&kia, &values), [("child_name".to_string(), "Yohana".to_string())].into());
    }

    #[test]
    fn a_bundle_needs_two_to_eight_distinct_services_that_take_applications() {
        let form = [field("nik", FieldKind::Nik, true)];
        let other = [field("nik", FieldKind::Text, true)];
        let mall = [
            Member { code: "AKTA-LAHIR", form: Some(&form) },
            Member { code: "KIA", form: Some(&form) },
            Member { code: "PKB-TAHUNAN", form: None },
            Member { code: "NPWP", form: Some(&other) },
        ];
        let input = |services: &[&str]| BundleInput {
            code: "KELAHIRAN".into(),
            name_id: "Paket kelahiran".into(),
            description_id: "Akta, KK, KIA".into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let keys = |services: &[&str]| -> Vec<&str> { input(services).validate(&mall).iter().map(|p| p.key).collect() };
        assert!(keys(&["AKTA-LAHIR", "KIA"]).is_empty());
        assert_eq!(keys(&["AKTA-LAHIR"]), ["bundle.how_many"]);
        assert_eq!(keys(&["AKTA-LAHIR", "AKTA-LAHIR"]), ["bundle.service_twice", "bundle.how_many"]);
        assert_eq!(keys(&["AKTA-LAHIR", "akta-lahir "]), ["bundle.service_twice", "bundle.how_many"]);
        assert!(keys(&["akta-lahir", "kia"]).is_empty(), "codes as typed in any case");
        assert_eq!(keys(&["AKTA-LAHIR", "PKB-TAHUNAN"]), ["bundle.service_no_form", "bundle.how_many"]);
        assert_eq!(keys(&["AKTA-LAHIR", "SKCK"]), ["bundle.unknown_service", "bundle.how_many"]);
        assert_eq!(keys(&["AKTA-LAHIR", "NPWP"]), ["bundle.fields_clash"]);
        let nine: Vec<String> = (0..9).map(|i| format!("S{i}")).collect();
        let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
        assert!(keys(&nine).contains(&"bundle.how_many"));
        let mut bad = input(&["AKTA-LAHIR", "KIA"]);
        bad.code = "paket kelahiran".into();
        bad.name_id = " ".into();
        let fields: Vec<&str> = bad.validate(&mall).iter().map(|p| p.field).collect();
        assert_eq!(fields, ["code", "name_id"]);
    }
}
