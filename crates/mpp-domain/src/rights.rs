//! A citizen's rights over their data (UU 27/2022): a correction is
//! answered by the agency that owns the data within 3 × 24 hours; an
//! erasure is granted unless a retention rule the mall configured says the
//! data must still be kept, and then the citizen is told which and until when.

use crate::application::Status;
use crate::document::Kind;
use time::Date;

/// How long an agency has to answer a request: 3 × 24 hours.
pub const ANSWER_MS: i64 = 3 * 24 * 60 * 60 * 1000;

str_enum!(
    /// Where a correction request stands.
    CorrectionStatus {
        Open = "open",
        Done = "done",
        Refused = "refused",
    }
);

/// What a retention rule is about: an application's outcome, or a kind of
/// document (counted from its upload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Outcome(Status),
    Document(Kind),
}

impl Kept {
    /// Every subject a mall can set a rule for, in the order its page lists them.
    pub fn all() -> Vec<Kept> {
        let outcomes = [Status::Issued, Status::Rejected, Status::Withdrawn].map(Kept::Outcome);
        outcomes.into_iter().chain(Kind::CHOSEN.iter().map(|k| Kept::Document(*k))).collect()
    }

    /// As stored and as its form field is named: `application:issued`,
    /// `document:ktp` (and its label's message key, `retention.` before it).
    pub fn key(self) -> &'static str {
        match self {
            Kept::Outcome(Status::Issued) => "application:issued",
            Kept::Outcome(Status::Rejected) => "application:rejected",
            Kept::Outcome(Status::Withdrawn) => "application:withdrawn",
            Kept::Outcome(_) => "application:open",
            Kept::Document(Kind::Ktp) => "document:ktp",
            Kept::Document(Kind::Kk) => "document:kk",
            Kept::Document(Kind::BirthCertificate) => "document:akta_lahir",
            Kept::Document(Kind::Npwp) => "document:npwp",
            Kept::Document(Kind::Nib) => "document:nib",
            Kept::Document(Kind::Diploma) => "document:ijazah",
            Kept::Document(Kind::Photo) => "document:pas_foto",
            Kept::Document(Kind::Form) => "document:form",
            Kept::Document(Kind::Other) => "document:lainnya",
        }
    }

    /// The message key of its label: `retention.` and its key.
    pub fn label(self) -> &'static str {
        match self {
            Kept::Outcome(Status::Issued) => "retention.application:issued",
            Kept::Outcome(Status::Rejected) => "retention.application:rejected",
            Kept::Outcome(Status::Withdrawn) => "retention.application:withdrawn",
            Kept::Outcome(_) => "retention.application:open",
            Kept::Document(Kind::Ktp) => "retention.document:ktp",
            Kept::Document(Kind::Kk) => "retention.document:kk",
            Kept::Document(Kind::BirthCertificate) => "retention.document:akta_lahir",
            Kept::Document(Kind::Npwp) => "retention.document:npwp",
            Kept::Document(Kind::Nib) => "retention.document:nib",
            Kept::Document(Kind::Diploma) => "retention.document:ijazah",
            Kept::Document(Kind::Photo) => "retention.document:pas_foto",
            Kept::Document(Kind::Form) => "retention.document:form",
            Kept::Document(Kind::Other) => "retention.document:lainnya",
        }
    }

    /// Years kept when the mall set no rule: a licence's file five years
    /// after it was issued (the usual term of a licence's archive), a
    /// refused or withdrawn one a year; a citizen's own document none.
    pub fn default_years(self) -> i64 {
        match self {
            Kept::Outcome(Status::Issued) => 5,
            Kept::Outcome(_) => 1,
            Kept::Document(_) => 0,
        }
    }
}

/// Why a document cannot be erased yet, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    /// An application still being worked on uses it.
    InProgress { number: String },
    /// An application closed with this outcome uses it, kept until `until`.
    Application { number: String, outcome: Status, until: Date },
    /// Documents of this kind are kept this long after their upload.
    Kind { kind: Kind, until: Date },
}

/// An application a document is used in: its number, its status, the day
/// it closed (none while in progress).
pub struct Use<'a> {
    pub number: &'a str,
    pub status: Status,
    pub closed_on: Option<Date>,
}

fn years_after(day: Date, years: i64) -> Date {
    let year = day.year().saturating_add(i32::try_from(years).unwrap_or(i32::MAX));
    Date::from_calendar_date(year, day.month(), day.day().min(28)).unwrap_or(day)
}

/// Whether a document may be erased on `today`: the first rule that keeps
/// it (an application using it, or its kind's rule), if any. `uses` are
/// its uses in one mall, `years` that mall's rules; a document no mall's
/// application uses is the citizen's alone, and no mall's rule keeps it.
pub fn erasable(
    kind: Kind,
    uploaded_on: Date,
    uses: &[Use<'_>],
    years: impl Fn(Kept) -> i64,
    today: Date,
) -> Result<(), Keep> {
    for u in uses {
        match (u.status, u.closed_on) {
            (Status::InProgress | Status::Correction, _) | (_, None) => {
                return Err(Keep::InProgress { number: u.number.to_string() });
            }
            (outcome, Some(closed)) => {
                let until = years_after(closed, years(Kept::Outcome(outcome)));
                if today < until {
                    return Err(Keep::Application { number: u.number.to_string(), outcome, until });
                }
            }
        }
    }
    let until = years_after(uploaded_on, years(Kept::Document(kind)));
    if kind != Kind::Form && !uses.is_empty() && today < until {
        return Err(Keep::Kind { kind, until });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        crate::format::parse_date(s).expect("a date")
    }

    #[test]
    fn a_document_is_kept_while_an_application_or_its_kind_needs_it() {
        let defaults = |k: Kept| k.default_years();
        let today = day("2026-11-25");
        let unused = erasable(Kind::Ktp, day("2026-01-01"), &[], defaults, today);
        assert_eq!(unused, Ok(()));
        let live = [Use { number: "TTU-1", status: Status::InProgress, closed_on: None }];
        assert_eq!(
            erasable(Kind::Ktp, day("2026-01-01"), &live, defaults, today),
            Err(Keep::InProgress { number: "TTU-1".into() })
        );
        let issued = [Use { number: "TTU-2", status: Status::Issued, closed_on: Some(day("2026-03-10")) }];
        assert_eq!(
            erasable(Kind::Ktp, day("2026-01-01"), &issued, defaults, today),
            Err(Keep::Application { number: "TTU-2".into(), outcome: Status::Issued, until: day("2031-03-10") })
        );
        assert_eq!(erasable(Kind::Ktp, day("2026-01-01"), &issued, defaults, day("2031-03-10")), Ok(()));
        let rejected = [Use { number: "TTU-3", status: Status::Rejected, closed_on: Some(day("2025-01-10")) }];
        assert_eq!(erasable(Kind::Kk, day("2025-01-01"), &rejected, defaults, today), Ok(()));
        // A mall that keeps NPWP copies ten years.
        let tax = |k: Kept| if k == Kept::Document(Kind::Npwp) { 10 } else { k.default_years() };
        assert_eq!(
            erasable(Kind::Npwp, day("2026-02-28"), &rejected, tax, today),
            Err(Keep::Kind { kind: Kind::Npwp, until: day("2036-02-28") })
        );
        assert_eq!(
            erasable(Kind::Npwp, day("2026-02-28"), &[], tax, today),
            Ok(()),
            "used nowhere: the citizen's alone"
        );
    }

    #[test]
    fn every_subject_has_a_key_of_its_own() {
        let keys: std::collections::BTreeSet<&str> = Kept::all().into_iter().map(Kept::key).collect();
        assert_eq!(keys.len(), Kept::all().len());
        assert!(keys.contains("application:issued") && keys.contains("document:npwp"));
        for k in Kept::all() {
            assert_eq!(k.label(), format!("retention.{}", k.key()));
        }
    }
}
