//! How a service takes applications, as its admin configures it: the form,
//! whether it routes by risk, the workflow's steps (agencies named by their
//! code), the fee and the certificate's wording. One document for the admin
//! page, the API and the demo data, and one set of checks for all three.

use crate::application::{FeeRule, Fees, Risk, StepKind, StepRole};
use crate::certificate::Template;
use crate::form::{FieldDef, FieldKind};
use serde::{Deserialize, Serialize};

/// A service's application setup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceSetup {
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// The form asks for a risk level, and steps may be limited to some levels.
    #[serde(default)]
    pub risk_based: bool,
    pub steps: Vec<StepSetup>,
    #[serde(default)]
    pub fees: Fees,
    #[serde(default)]
    pub certificate: Template,
}

/// One configured step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSetup {
    /// Steps sharing a stage run in parallel; stages run in order.
    pub stage: u32,
    pub kind: StepKind,
    pub name_id: String,
    pub name_en: String,
    /// The deciding agency's code.
    pub agency: String,
    #[serde(default)]
    pub role: StepRole,
    /// Working days it may take.
    pub sla_days: u32,
    /// The risk levels routed through it; empty: all.
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// Approved by itself when its deadline passes (fiktif positif).
    #[serde(default)]
    pub deemed_approval: bool,
}

/// What is wrong, where: `at` names the part (`fields`, `steps.2.agency`,
/// `fees`, `certificate` …, rows counted from 1), `key` the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: String,
    pub key: &'static str,
}

/// A step may take at most a year of working days.
pub const MAX_SLA_DAYS: u32 = 250;
/// A certificate holds at most ten years.
pub const MAX_VALID_MONTHS: u32 = 120;

impl ServiceSetup {
    /// Every problem, in page order; `agencies` are the mall's agency codes.
    pub fn problems(&self, agencies: &[&str]) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |at: String, key: &'static str| out.push(Problem { at, key });
        for key in crate::form::check_definition(&self.fields) {
            add("fields".into(), key);
        }
        if self.steps.is_empty() {
            add("steps".into(), "setup.no_steps");
        }
        for (i, s) in self.steps.iter().enumerate() {
            let at = |part: &str| format!("steps.{}.{part}", i + 1);
            if s.name_id.trim().is_empty() || s.name_en.trim().is_empty() {
                add(at("name"), "setup.step_name_required");
            }
            if s.stage == 0 {
                add(at("stage"), "setup.bad_stage");
            }
            if s.sla_days == 0 || s.sla_days > MAX_SLA_DAYS {
                add(at("sla_days"), "setup.bad_sla");
            }
            if !agencies.contains(&s.agency.as_str()) {
                add(at("agency"), "setup.unknown_agency");
            }
            if !s.risks.is_empty() && !self.risk_based {
                add(at("risks"), "setup.risks_need_risk_based");
            }
            if s.kind == StepKind::Payment && s.deemed_approval {
                add(at("deemed_approval"), "setup.payment_not_deemed");
            }
            if s.kind == StepKind::Payment && self.fees.rule == FeeRule::Free && self.fees.tiers.is_empty() {
                add(at("kind"), "setup.payment_without_fee");
            }
        }
        if self.risk_based && !self.steps.is_empty() {
            let unrouted =
                Risk::ALL.iter().any(|r| !self.steps.iter().any(|s| s.risks.is_empty() || s.risks.contains(r)));
            if unrouted {
                add("steps".into(), "setup.risk_without_steps");
            }
        }
        for key in self.fees.validate() {
            add("fees".into(), key);
        }
        if let FeeRule::PerUnit { field, .. } | FeeRule::Table { field, .. } = &self.fees.rule {
            let wanted =
                if matches!(self.fees.rule, FeeRule::PerUnit { .. }) { FieldKind::Number } else { FieldKind::Choice };
            let found = self.fields.iter().find(|f| &f.key == field);
            if !field.trim().is_empty() && found.is_none_or(|f| f.kind != wanted) {
                add("fees.field".into(), "setup.fee_field_kind");
            }
        }
        if self.certificate.valid_months > MAX_VALID_MONTHS {
            add("certificate.valid_months".into(), "setup.bad_validity");
        }
        let known = |name: &str| match name.strip_prefix("form.") {
            Some(key) => self.fields.iter().any(|f| f.key == key),
            None => matches!(name, "holder" | "service" | "mall" | "agency"),
        };
        if !placeholders(&self.certificate.statement).iter().all(|p| known(p)) {
            add("certificate.statement".into(), "setup.unknown_placeholder");
        }
        out
    }
}

/// The `{name}`s a statement uses.
fn placeholders(text: &str) -> Vec<&str> {
    text.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(name, _)| name.trim())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(stage: u32, kind: StepKind, agency: &str) -> StepSetup {
        StepSetup {
            stage,
            kind,
            name_id: "Langkah".into(),
            name_en: "Step".into(),
            agency: agency.into(),
            role: StepRole::Officer,
            sla_days: 3,
            risks: vec![],
            deemed_approval: false,
        }
    }

    fn area() -> FieldDef {
        FieldDef {
            key: "area".into(),
            label_id: "Luas".into(),
            label_en: "Area".into(),
            kind: FieldKind::Number,
            required: true,
            options: vec![],
        }
    }

    fn keys(s: &ServiceSetup) -> Vec<(String, &'static str)> {
        s.problems(&["dpmptsp", "pupr"]).into_iter().map(|p| (p.at, p.key)).collect()
    }

    #[test]
    fn a_sound_setup_has_no_problems() {
        let s = ServiceSetup {
            fields: vec![area()],
            risk_based: true,
            steps: vec![
                step(1, StepKind::Intake, "dpmptsp"),
                StepSetup { risks: vec![Risk::High], ..step(2, StepKind::Review, "pupr") },
                step(3, StepKind::Payment, "dpmptsp"),
            ],
            fees: Fees { rule: FeeRule::PerUnit { field: "area".into(), amount: 10_000 }, tiers: vec![] },
            certificate: Template { statement: "Untuk {holder}, luas {form.area} m².".into(), ..Template::default() },
        };
        assert_eq!(keys(&s), vec![]);
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        let s = ServiceSetup {
            fields: vec![FieldDef { kind: FieldKind::Text, ..area() }],
            risk_based: false,
            steps: vec![
                StepSetup { name_en: " ".into(), sla_days: 0, ..step(1, StepKind::Intake, "dukcapil") },
                StepSetup { risks: vec![Risk::Low], deemed_approval: true, ..step(0, StepKind::Payment, "pupr") },
            ],
            fees: Fees { rule: FeeRule::PerUnit { field: "area".into(), amount: 10 }, tiers: vec![] },
            certificate: Template {
                statement: "{form.luas} {holder}".into(),
                valid_months: 600,
                ..Template::default()
            },
        };
        let want: Vec<(String, &str)> = [
            ("steps.1.name", "setup.step_name_required"),
            ("steps.1.sla_days", "setup.bad_sla"),
            ("steps.1.agency", "setup.unknown_agency"),
            ("steps.2.stage", "setup.bad_stage"),
            ("steps.2.risks", "setup.risks_need_risk_based"),
            ("steps.2.deemed_approval", "setup.payment_not_deemed"),
            ("fees.field", "setup.fee_field_kind"),
            ("certificate.valid_months", "setup.bad_validity"),
            ("certificate.statement", "setup.unknown_placeholder"),
        ]
        .into_iter()
        .map(|(a, k)| (a.to_string(), k))
        .collect();
        assert_eq!(keys(&s), want);
    }

    #[test]
    fn every_risk_level_needs_a_route_and_a_payment_step_a_fee() {
        let s = ServiceSetup {
            risk_based: true,
            steps: vec![
                StepSetup { risks: vec![Risk::High], ..step(1, StepKind::Review, "pupr") },
                step(2, StepKind::Payment, "dpmptsp"),
            ],
            ..ServiceSetup::default()
        };
        assert_eq!(keys(&s), vec![("steps.2.kind".to_string(), "setup.payment_without_fee")]);
        let only_high = ServiceSetup { steps: vec![s.steps[0].clone()], ..s.clone() };
        assert_eq!(keys(&only_high), vec![("steps".to_string(), "setup.risk_without_steps")]);
        assert_eq!(keys(&ServiceSetup::default()), vec![("steps".to_string(), "setup.no_steps")]);
    }

    #[test]
    fn the_document_reads_the_demo_shape_with_defaults() {
        let json = r#"{"steps": [{"stage": 1, "kind": "intake", "name_id": "Verifikasi", "name_en": "Check",
                       "agency": "dpmptsp", "sla_days": 1}]}"#;
        let s: ServiceSetup = serde_json::from_str(json).unwrap_or_default();
        assert_eq!(s.steps.len(), 1);
        assert_eq!((s.steps[0].role, s.fees.rule.clone()), (StepRole::Officer, FeeRule::Free));
    }
}
