//! Applications (permohonan): a service's workflow, the working-day clock
//! that times it, the step decisions that move it, its registration number
//! and its fee. Pure rules; the server stores and shows them.
//!
//! A workflow is a list of step definitions, each in a numbered *stage*.
//! The steps of one stage run in parallel (the one-stop permit: several
//! agencies approve side by side); the next stage opens when every step of
//! the current one is approved. A rejection anywhere ends the application.

use crate::calendar::WorkingCalendar;
use std::collections::BTreeMap;
use time::Date;

str_enum! {
    /// What a workflow step is for (shown to citizens and in inboxes).
    StepKind {
        Intake = "intake",
        Verification = "verification",
        Review = "review",
        Inspection = "inspection",
        Payment = "payment",
        Approval = "approval",
        Signature = "signature",
        Issuance = "issuance",
    }
}

str_enum! {
    /// Who of a step's agency decides it.
    #[derive(Default)]
    StepRole {
        /// Any of its officers (and its admins).
        #[default]
        Officer = "officer",
        /// Only its admins: a head's approval or signature.
        AgencyAdmin = "agency_admin",
    }
}

str_enum! {
    /// Risk level chosen on the form; a service may route each differently
    /// (risk-based licensing: low is issued after intake, high goes through
    /// the full review).
    Risk {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

str_enum! {
    /// Where an application stands.
    Status {
        /// With the agencies; some step is open.
        InProgress = "in_progress",
        /// Sent back to the citizen for a correction; the clock is paused.
        Correction = "correction",
        /// Every step approved: the certificate is issued.
        Issued = "issued",
        Rejected = "rejected",
        /// Withdrawn by the citizen.
        Withdrawn = "withdrawn",
    }
}

str_enum! {
    /// Where one step of an application stands.
    StepStatus {
        /// Its stage has not opened yet.
        Pending = "pending",
        /// Open, nobody has claimed it.
        Open = "open",
        /// An officer is working on it.
        Claimed = "claimed",
        Approved = "approved",
        /// Approved because its deadline passed without a decision (fiktif positif).
        Deemed = "deemed",
        Rejected = "rejected",
    }
}

impl Status {
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Issued | Status::Rejected | Status::Withdrawn)
    }
}

impl StepStatus {
    /// Waiting for a decision (open or claimed).
    pub fn is_active(self) -> bool {
        matches!(self, StepStatus::Open | StepStatus::Claimed)
    }

    pub fn is_approved(self) -> bool {
        matches!(self, StepStatus::Approved | StepStatus::Deemed)
    }
}

/// One step of a service's workflow, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDef {
    /// The configured step's id (rules ignore it; it names the step).
    pub id: String,
    pub stage: u32,
    pub kind: StepKind,
    /// The agency whose officers act on it.
    pub agency_id: String,
    /// Which of them: any officer, or only its admins.
    pub role: StepRole,
    pub sla_days: u32,
    /// The risk levels that go through this step; empty: all of them.
    pub risks: Vec<Risk>,
    /// Approved by itself when its deadline passes (fiktif positif).
    pub deemed_approval: bool,
}

impl StepDef {
    pub fn applies_to(&self, risk: Option<Risk>) -> bool {
        match risk {
            None => true,
            Some(r) => self.risks.is_empty() || self.risks.contains(&r),
        }
    }
}

/// The steps an application with this risk level goes through, by stage
/// (stages renumbered from 1, in order, skipping the ones left empty).
pub fn route(steps: &[StepDef], risk: Option<Risk>) -> Vec<Vec<&StepDef>> {
    let mut by_stage: BTreeMap<u32, Vec<&StepDef>> = BTreeMap::new();
    for s in steps.iter().filter(|s| s.applies_to(risk)) {
        by_stage.entry(s.stage).or_default().push(s);
    }
    by_stage.into_values().collect()
}

/// Working days a route takes at most: the longest step of each stage.
pub fn route_days(route: &[Vec<&StepDef>]) -> u32 {
    route.iter().map(|stage| stage.iter().map(|s| s.sla_days).max().unwrap_or(0)).sum()
}

/// What happens to the application after a step changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Other steps of the stage are still open: nothing moves.
    Wait,
    /// The stage is done: open this one (its index in the route, from 0).
    OpenStage(usize),
    /// The last stage is done: issue.
    Issue,
    /// A step was rejected: the application ends.
    Reject,
}

/// Given the statuses of the steps of the current stage (`current`, an
/// index into a route of `stages` stages), what comes next.
pub fn next_after(current: usize, stages: usize, statuses: &[StepStatus]) -> Next {
    if statuses.contains(&StepStatus::Rejected) {
        Next::Reject
    } else if !statuses.iter().all(|s| s.is_approved()) {
        Next::Wait
    } else if current + 1 < stages {
        Next::OpenStage(current + 1)
    } else {
        Next::Issue
    }
}

/// An officer's action on a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Claim,
    /// Give a claimed step back to the agency's inbox.
    Release,
    Approve,
    Reject,
    RequestCorrection,
    Comment,
}

impl Act {
    pub const ALL: &'static [Act] =
        &[Act::Claim, Act::Release, Act::Approve, Act::Reject, Act::RequestCorrection, Act::Comment];

    pub fn as_str(self) -> &'static str {
        match self {
            Act::Claim => "claim",
            Act::Release => "release",
            Act::Approve => "approve",
            Act::Reject => "reject",
            Act::RequestCorrection => "request_correction",
            Act::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Act> {
        Act::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// Rejections and correction requests must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Act::Reject | Act::RequestCorrection | Act::Comment)
    }
}

/// Why an action is refused (a message key for the officer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The step is for its agency's admins (a head's approval or signature).
    ForAgencyAdmin,
    /// A payment step is approved by the payment, not by an officer.
    ApproveByPaying,
    /// The application is closed or with the citizen.
    NotActive,
    /// The step is not open for decisions (pending, or already decided).
    StepNotOpen,
    /// Someone else has claimed the step.
    ClaimedByOther,
    /// Claim the step first.
    ClaimFirst,
    ReasonRequired,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::ForAgencyAdmin => "application.for_agency_admin",
            Refusal::ApproveByPaying => "payment.approve_by_paying",
            Refusal::NotActive => "application.not_active",
            Refusal::StepNotOpen => "application.step_not_open",
            Refusal::ClaimedByOther => "application.claimed_by_other",
            Refusal::ClaimFirst => "application.claim_first",
            Refusal::ReasonRequired => "application.reason_required",
        }
    }
}

/// What an officer's action is decided on: the application's and the
/// step's state as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepFacts<'a> {
    pub app: Status,
    pub step: StepStatus,
    pub kind: StepKind,
    pub role: StepRole,
    /// Who claimed the step.
    pub assignee: Option<&'a str>,
}

/// Who acts. Whether they may act for the step's agency at all is the
/// access policy's question, asked before; this says only whether they are
/// one of its admins (some steps are theirs alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Officer<'a> {
    pub id: &'a str,
    pub agency_admin: bool,
}

/// What an allowed action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change<'a> {
    /// The step's new status and who then holds it; `None` leaves the step
    /// as it is (a comment).
    pub step: Option<(StepStatus, Option<&'a str>)>,
    pub then: Then,
}

/// What follows for the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Nothing,
    /// Sent back to the citizen: the clock pauses until they resubmit.
    Correction,
    /// A decision: the stage may move on, issue or reject.
    Advance,
}

/// Whether `officer` may do `act` on a step now, and what it changes.
/// Comments change nothing but are allowed on any step of a live
/// application; the rest need the step claimed by the one who acts.
pub fn decide<'a>(facts: StepFacts<'a>, officer: Officer<'a>, act: Act, reason: &str) -> Result<Change<'a>, Refusal> {
    if facts.role == StepRole::AgencyAdmin && !officer.agency_admin {
        return Err(Refusal::ForAgencyAdmin);
    }
    if facts.kind == StepKind::Payment && act == Act::Approve {
        return Err(Refusal::ApproveByPaying);
    }
    if act.needs_reason() && reason.trim().is_empty() {
        return Err(Refusal::ReasonRequired);
    }
    if facts.app.is_closed() || (facts.app == Status::Correction && act != Act::Comment) {
        return Err(Refusal::NotActive);
    }
    if act == Act::Comment {
        return Ok(Change { step: None, then: Then::Nothing });
    }
    if !facts.step.is_active() {
        return Err(Refusal::StepNotOpen);
    }
    let mine = facts.assignee == Some(officer.id);
    let held = facts.assignee;
    let (step, then) = match act {
        Act::Claim if facts.step == StepStatus::Open || mine => {
            ((StepStatus::Claimed, Some(officer.id)), Then::Nothing)
        }
        Act::Claim => return Err(Refusal::ClaimedByOther),
        _ if facts.step == StepStatus::Open => return Err(Refusal::ClaimFirst),
        _ if !mine => return Err(Refusal::ClaimedByOther),
        Act::Release => ((StepStatus::Open, None), Then::Nothing),
        // The step stays with its officer while the citizen corrects.
        Act::RequestCorrection => ((StepStatus::Claimed, held), Then::Correction),
        Act::Approve => ((StepStatus::Approved, held), Then::Advance),
        Act::Reject => ((StepStatus::Rejected, held), Then::Advance),
        Act::Comment => unreachable!("answered above"),
    };
    Ok(Change { step: Some(step), then })
}

// ---- the working-day clock -------------------------------------------------

/// A stretch during which the clock stood still (the application was with
/// the citizen for a correction): from the day it was sent back to the day
/// it came back, or still open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: Date,
    pub to: Option<Date>,
}

/// Working days the clock stood still up to `today`: the working days in
/// (from, to] of each pause (the day it was sent back still counted).
pub fn paused_days(cal: &WorkingCalendar, pauses: &[Pause], today: Date) -> u32 {
    pauses.iter().map(|p| cal.working_days_between(p.from, p.to.unwrap_or(today).min(today))).sum()
}

/// The due day of something that started on `start` and takes `sla_days`
/// working days, pushed back by the working days it was paused.
pub fn due_date(cal: &WorkingCalendar, start: Date, sla_days: u32, pauses: &[Pause], today: Date) -> Date {
    cal.add_working_days(start, sla_days + paused_days(cal, pauses, today))
}

/// How a deadline looks today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    /// Due today or on the next working day.
    DueSoon,
    OnTime,
}

pub fn urgency(cal: &WorkingCalendar, today: Date, due: Date) -> Urgency {
    if today > due {
        Urgency::Overdue
    } else if cal.working_days_between(today, due) <= 1 {
        Urgency::DueSoon
    } else {
        Urgency::OnTime
    }
}

/// A step whose deadline passed without a decision is deemed approved when
/// its definition says so (fiktif positif).
pub fn is_deemed(step: StepStatus, deemed_approval: bool, today: Date, due: Date) -> bool {
    deemed_approval && step.is_active() && today > due
}

// ---- numbers ---------------------------------------------------------------

/// The registration number on the receipt: the mall's code, the filing day
/// and the day's sequence, e.g. `TTU-261125-0007`.
pub fn registration_number(mall: &str, day: Date, seq: u32) -> String {
    format!(
        "{}-{:02}{:02}{:02}-{seq:04}",
        mall.to_ascii_uppercase(),
        day.year() % 100,
        u8::from(day.month()),
        day.day()
    )
}

/// A typed registration number, tidied (case, spaces); `None` if it cannot be one.
pub fn parse_registration_number(s: &str) -> Option<String> {
    let s: String = s.trim().to_ascii_uppercase().chars().filter(|c| !c.is_whitespace()).collect();
    let mut parts = s.rsplitn(3, '-');
    let (seq, day, mall) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = !mall.is_empty()
        && mall.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && day.len() == 6
        && day.chars().all(|c| c.is_ascii_digit())
        && seq.len() >= 4
        && seq.chars().all(|c| c.is_ascii_digit());
    ok.then_some(s)
}

/// A billing code (kode bayar) for a bank or QRIS: 15 digits, the last a
/// Luhn check digit so a mistyped code is caught before it reaches a bank.
pub fn billing_code(random: u64) -> String {
    let body = format!("{:014}", random % 100_000_000_000_000);
    format!("{body}{}", luhn_digit(&body))
}

pub fn is_billing_code(s: &str) -> bool {
    s.len() == 15 && s.chars().all(|c| c.is_ascii_digit()) && luhn_digit(&s[..14]) == s.as_bytes()[14] - b'0'
}

fn luhn_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

// ---- fees ------------------------------------------------------------------

/// How a service's fee (retribusi) is computed from the form.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeeRule {
    Free,
    Fixed {
        amount: i64,
    },
    /// `amount` rupiah per unit of a number field (e.g. per m² of building).
    PerUnit {
        field: String,
        amount: i64,
    },
    /// A price per choice of a choice field (e.g. per business scale).
    Table {
        field: String,
        rows: Vec<(String, i64)>,
    },
}

/// A speed a citizen may pay for: done within `days` working days, for
/// `price` rupiah on top of the fee (Georgia's halls price speed this way).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpeedTier {
    pub days: u32,
    pub price: i64,
}

/// A service's fee configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fees {
    pub rule: FeeRule,
    #[serde(default)]
    pub tiers: Vec<SpeedTier>,
}

impl Default for Fees {
    fn default() -> Fees {
        Fees { rule: FeeRule::Free, tiers: Vec::new() }
    }
}

impl Fees {
    /// The fee for a form's values and the chosen speed tier (by its days).
    /// `Err(field)` names the form field the rule could not read.
    pub fn amount(&self, form: &BTreeMap<String, String>, tier: Option<u32>) -> Result<i64, String> {
        let base = match &self.rule {
            FeeRule::Free => 0,
            FeeRule::Fixed { amount } => *amount,
            FeeRule::PerUnit { field, amount } => {
                let units: i64 = form.get(field).and_then(|v| v.trim().parse().ok()).ok_or_else(|| field.clone())?;
                units.max(0).saturating_mul(*amount)
            }
            FeeRule::Table { field, rows } => {
                let v = form.get(field).ok_or_else(|| field.clone())?;
                rows.iter().find(|(k, _)| k == v).map(|(_, a)| *a).ok_or_else(|| field.clone())?
            }
        };
        let speed = match tier {
            None => 0,
            Some(days) => {
                self.tiers.iter().find(|t| t.days == days).map(|t| t.price).ok_or_else(|| "speed".to_string())?
            }
        };
        Ok(base.saturating_add(speed))
    }

    /// Problems with a configuration an admin typed (as form problems).
    pub fn validate(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let negative = match &self.rule {
            FeeRule::Free => false,
            FeeRule::Fixed { amount } | FeeRule::PerUnit { amount, .. } => *amount < 0,
            FeeRule::Table { rows, .. } => rows.is_empty() || rows.iter().any(|(_, a)| *a < 0),
        };
        if negative {
            out.push("fee.invalid_amount");
        }
        if matches!(&self.rule, FeeRule::PerUnit { field, .. } | FeeRule::Table { field, .. } if field.trim().is_empty())
        {
            out.push("fee.field_required");
        }
        if self.tiers.iter().any(|t| t.price < 0 || t.days == 0) {
            out.push("fee.invalid_tier");
        }
        out
    }
}

/// A filing that passed every check: the form's values tidied, the risk
/// level (for services routed by it) and the fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub values: BTreeMap<String, String>,
    pub risk: Option<Risk>,
    pub fee: i64,
}

/// Checks a filing whole and names **every** problem at once, each at its
/// field: the form's fields, the risk level where the service routes by
/// it, the speed tier, and the field the fee is read from (a citizen who
/// fixes one mistake is not shown the next only on the second try).
pub fn check_filing(
    fields: &[crate::form::FieldDef],
    risk_based: bool,
    fees: &Fees,
    values: &BTreeMap<String, String>,
    risk: Option<&str>,
    speed: Option<u32>,
) -> Result<Filed, Vec<crate::form::FieldProblem>> {
    use crate::form::FieldProblem;
    let (tidy, mut problems) = crate::form::check(fields, values);
    let problem = |key: &str, message| FieldProblem { key: key.to_string(), message };
    let risk = match (risk_based, risk.and_then(Risk::parse)) {
        (false, _) => None,
        (true, Some(r)) => Some(r),
        (true, None) => {
            problems.push(problem("risk", "application.pick_risk"));
            None
        }
    };
    if speed.is_some_and(|d| !fees.tiers.iter().any(|t| t.days == d)) {
        problems.push(problem("speed", "payment.pick_speed"));
    }
    // The fee's own field, unless its value was already refused.
    let fee = fees.amount(&tidy, speed.filter(|d| fees.tiers.iter().any(|t| t.days == *d)));
    let fee = match fee {
        Ok(fee) => fee,
        Err(field) => {
            if !problems.iter().any(|p| p.key == field) {
                problems.push(problem(&field, "payment.fee_field"));
            }
            0
        }
    };
    if problems.is_empty() { Ok(Filed { values: tidy, risk, fee }) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn step(stage: u32, agency: &str, days: u32, risks: &[Risk]) -> StepDef {
        StepDef {
            id: format!("{stage}-{agency}"),
            stage,
            kind: StepKind::Review,
            agency_id: agency.into(),
            role: StepRole::Officer,
            sla_days: days,
            risks: risks.to_vec(),
            deemed_approval: false,
        }
    }

    #[test]
    fn a_route_keeps_the_steps_of_its_risk_level_in_stages() {
        let steps = vec![
            step(1, "dpmptsp", 1, &[]),
            step(2, "pupr", 5, &[Risk::High]),
            step(2, "dlh", 3, &[Risk::High]),
            step(3, "dpmptsp", 2, &[Risk::Medium, Risk::High]),
            step(4, "dpmptsp", 1, &[]),
        ];
        let high = route(&steps, Some(Risk::High));
        assert_eq!(high.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 2, 1, 1]);
        assert_eq!(route_days(&high), 1 + 5 + 2 + 1, "a parallel stage takes its longest step");
        let low = route(&steps, Some(Risk::Low));
        assert_eq!(low.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 1]);
        assert_eq!(route(&steps, None).len(), 4);
    }

    #[test]
    fn a_stage_moves_on_only_when_every_parallel_step_is_approved() {
        use StepStatus::*;
        assert_eq!(next_after(1, 4, &[Approved, Claimed]), Next::Wait);
        assert_eq!(next_after(1, 4, &[Approved, Deemed]), Next::OpenStage(2));
        assert_eq!(next_after(3, 4, &[Approved]), Next::Issue);
        assert_eq!(next_after(1, 4, &[Approved, Rejected]), Next::Reject);
    }

    fn facts(app: Status, step: StepStatus, assignee: Option<&str>) -> StepFacts<'_> {
        StepFacts { app, step, kind: StepKind::Review, role: StepRole::Officer, assignee }
    }

    /// The step's new status, or why not.
    fn moved(f: StepFacts<'_>, by: &str, act: Act, reason: &str) -> Result<Option<StepStatus>, Refusal> {
        decide(f, Officer { id: by, agency_admin: false }, act, reason).map(|c| c.step.map(|s| s.0))
    }

    #[test]
    fn officers_claim_before_deciding_and_never_take_anothers_step() {
        use StepStatus::*;
        let ip = Status::InProgress;
        assert_eq!(moved(facts(ip, Open, None), "a", Act::Claim, ""), Ok(Some(Claimed)));
        assert_eq!(moved(facts(ip, Open, None), "a", Act::Approve, ""), Err(Refusal::ClaimFirst));
        assert_eq!(moved(facts(ip, Claimed, Some("b")), "a", Act::Approve, ""), Err(Refusal::ClaimedByOther));
        assert_eq!(moved(facts(ip, Claimed, Some("b")), "a", Act::Claim, ""), Err(Refusal::ClaimedByOther));
        assert_eq!(moved(facts(ip, Claimed, Some("a")), "a", Act::Approve, ""), Ok(Some(Approved)));
        assert_eq!(moved(facts(ip, Claimed, Some("a")), "a", Act::Reject, " "), Err(Refusal::ReasonRequired));
        assert_eq!(moved(facts(ip, Claimed, Some("a")), "a", Act::Reject, "no land title"), Ok(Some(Rejected)));
        let sent_back = decide(
            facts(ip, Claimed, Some("a")),
            Officer { id: "a", agency_admin: false },
            Act::RequestCorrection,
            "photo blurred",
        );
        assert_eq!(sent_back, Ok(Change { step: Some((Claimed, Some("a"))), then: Then::Correction }));
        assert_eq!(moved(facts(ip, Claimed, Some("a")), "a", Act::Release, ""), Ok(Some(Open)));
        assert_eq!(moved(facts(ip, Approved, Some("a")), "a", Act::Approve, ""), Err(Refusal::StepNotOpen));
        assert_eq!(moved(facts(ip, Pending, None), "a", Act::Claim, ""), Err(Refusal::StepNotOpen));
        assert_eq!(
            moved(facts(Status::Correction, Claimed, Some("a")), "a", Act::Approve, ""),
            Err(Refusal::NotActive)
        );
        assert_eq!(moved(facts(Status::Correction, Open, None), "a", Act::Comment, "waiting"), Ok(None));
        assert_eq!(
            moved(facts(Status::Issued, Approved, None), "a", Act::Comment, "late note"),
            Err(Refusal::NotActive)
        );
        let head = StepFacts { role: StepRole::AgencyAdmin, ..facts(ip, Open, None) };
        assert_eq!(moved(head, "a", Act::Claim, ""), Err(Refusal::ForAgencyAdmin));
        assert!(decide(head, Officer { id: "a", agency_admin: true }, Act::Claim, "").is_ok());
        let pay = StepFacts { kind: StepKind::Payment, ..facts(ip, Claimed, Some("a")) };
        assert_eq!(moved(pay, "a", Act::Approve, ""), Err(Refusal::ApproveByPaying));
    }

    /// One officer's press, in a random run.
    fn press() -> impl Strategy<Value = (usize, Act, bool)> {
        (0..3usize, prop::sample::select(Act::ALL.to_vec()), any::<bool>())
    }

    proptest! {
        /// Whatever three officers press on a one-step application, in any
        /// order, with or without a reason: a decided step never moves
        /// again, only the one who claimed a step moves it, an admin's step
        /// moves only for an admin, a payment is never approved by hand,
        /// and a step's holder is whoever claimed it.
        #[test]
        fn any_run_of_presses_keeps_a_step_with_its_officer(
            presses in prop::collection::vec(press(), 1..40),
            kind in prop::sample::select(vec![StepKind::Review, StepKind::Payment, StepKind::Signature]),
            role in prop::sample::select(vec![StepRole::Officer, StepRole::AgencyAdmin]),
            resubmits in any::<bool>(),
        ) {
            // Officer 0 is the agency's admin; 1 and 2 are officers.
            let ids = ["admin", "siti", "budi"];
            let (mut app, mut step, mut assignee) = (Status::InProgress, StepStatus::Open, None::<&str>);
            for (who, act, with_reason) in presses {
                let officer = Officer { id: ids[who], agency_admin: who == 0 };
                let reason = if with_reason { "alasan" } else { "" };
                match decide(StepFacts { app, step, kind, role, assignee }, officer, act, reason) {
                    Err(_) => {}
                    Ok(change) => {
                        prop_assert!(!app.is_closed(), "a closed application moved");
                        prop_assert!(role == StepRole::Officer || officer.agency_admin);
                        prop_assert!(!(kind == StepKind::Payment && act == Act::Approve));
                        prop_assert!(!act.needs_reason() || with_reason);
                        if let Some((new, holder)) = change.step {
                            prop_assert!(step.is_active(), "a decided step moved: {step:?} -> {new:?}");
                            prop_assert!(assignee.is_none() || assignee == Some(officer.id), "{} moved another's step", officer.id);
                            prop_assert_eq!(holder, if new == StepStatus::Open { None } else { Some(officer.id) });
                            step = new;
                            assignee = holder;
                        }
                        match change.then {
                            Then::Correction => app = Status::Correction,
                            Then::Advance if step == StepStatus::Approved => app = Status::Issued,
                            Then::Advance => app = Status::Rejected,
                            Then::Nothing => {}
                        }
                    }
                }
                // The citizen answers a correction request before the next press.
                if app == Status::Correction && resubmits {
                    app = Status::InProgress;
                }
            }
        }
    }

    fn cal() -> WorkingCalendar {
        // Christmas 2026 is a Friday; 24 December is cuti bersama.
        WorkingCalendar::new([date!(2026 - 12 - 24), date!(2026 - 12 - 25)])
    }

    #[test]
    fn the_clock_counts_working_days_past_weekends_and_holidays() {
        // Filed Wednesday 23 December with 3 working days: Thu, Fri are off,
        // Sat and Sun too; Mon 28, Tue 29, Wed 30.
        let today = date!(2026 - 12 - 23);
        assert_eq!(due_date(&cal(), today, 3, &[], today), date!(2026 - 12 - 30));
    }

    #[test]
    fn a_correction_pauses_the_clock_for_the_working_days_it_took() {
        let c = cal();
        // Started Mon 7 Dec, 5 working days: due Mon 14 Dec.
        let start = date!(2026 - 12 - 07);
        assert_eq!(due_date(&c, start, 5, &[], start), date!(2026 - 12 - 14));
        // Sent back Wed 9, resubmitted Fri 11: Thu and Fri did not count.
        let pause = Pause { from: date!(2026 - 12 - 09), to: Some(date!(2026 - 12 - 11)) };
        assert_eq!(paused_days(&c, &[pause], date!(2026 - 12 - 11)), 2);
        assert_eq!(due_date(&c, start, 5, &[pause], date!(2026 - 12 - 11)), date!(2026 - 12 - 16));
        // Still with the citizen: the due day keeps moving as days pass.
        let open = Pause { from: date!(2026 - 12 - 09), to: None };
        assert_eq!(due_date(&c, start, 5, &[open], date!(2026 - 12 - 10)), date!(2026 - 12 - 15));
        assert_eq!(due_date(&c, start, 5, &[open], date!(2026 - 12 - 14)), date!(2026 - 12 - 17));
    }

    #[test]
    fn urgency_and_deemed_approval_follow_the_due_day() {
        let c = cal();
        let due = date!(2026 - 12 - 30);
        assert_eq!(urgency(&c, date!(2026 - 12 - 21), due), Urgency::OnTime);
        assert_eq!(urgency(&c, date!(2026 - 12 - 29), due), Urgency::DueSoon);
        assert_eq!(urgency(&c, due, due), Urgency::DueSoon);
        assert_eq!(urgency(&c, date!(2026 - 12 - 31), due), Urgency::Overdue);
        assert!(is_deemed(StepStatus::Open, true, date!(2026 - 12 - 31), due));
        assert!(!is_deemed(StepStatus::Open, false, date!(2026 - 12 - 31), due));
        assert!(!is_deemed(StepStatus::Claimed, true, due, due), "not before the day is over");
        assert!(!is_deemed(StepStatus::Rejected, true, date!(2026 - 12 - 31), due));
    }

    #[test]
    fn registration_numbers_round_trip_and_billing_codes_catch_typos() {
        let n = registration_number("ttu", date!(2026 - 11 - 25), 7);
        assert_eq!(n, "TTU-261125-0007");
        assert_eq!(parse_registration_number(" ttu-261125-0007 ").as_deref(), Some("TTU-261125-0007"));
        assert_eq!(parse_registration_number("kota-bima-261125-0012").as_deref(), Some("KOTA-BIMA-261125-0012"));
        assert_eq!(parse_registration_number("TTU-2611-0007"), None);
        assert_eq!(parse_registration_number("0007"), None);
        let code = billing_code(12_345_678_901_234);
        assert_eq!(code.len(), 15);
        assert!(is_billing_code(&code));
        let mut typo = code.clone().into_bytes();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        assert!(!is_billing_code(&String::from_utf8(typo).unwrap_or_default()));
    }

    #[test]
    fn fees_follow_the_rule_and_the_chosen_speed() {
        let form: BTreeMap<String, String> =
            [("area".to_string(), "120".to_string()), ("scale".to_string(), "small".to_string())].into();
        let per_m2 = Fees { rule: FeeRule::PerUnit { field: "area".into(), amount: 5_000 }, tiers: vec![] };
        assert_eq!(per_m2.amount(&form, None), Ok(600_000));
        let table = Fees {
            rule: FeeRule::Table { field: "scale".into(), rows: vec![("micro".into(), 0), ("small".into(), 250_000)] },
            tiers: vec![SpeedTier { days: 1, price: 100_000 }],
        };
        assert_eq!(table.amount(&form, Some(1)), Ok(350_000));
        assert_eq!(table.amount(&form, Some(3)), Err("speed".into()));
        let missing = Fees { rule: FeeRule::PerUnit { field: "floors".into(), amount: 1 }, tiers: vec![] };
        assert_eq!(missing.amount(&form, None), Err("floors".into()));
        assert!(Fees::default().validate().is_empty());
        assert_eq!(Fees { rule: FeeRule::Fixed { amount: -1 }, tiers: vec![] }.validate(), vec!["fee.invalid_amount"]);
    }
}
