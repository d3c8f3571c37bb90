//! Who may do what: the one table. Every route of the server names the
//! [`Action`] it performs; before any handler runs, the server works out
//! who the caller is in the mall the request is about ([`Who`]) and asks
//! [`allows`]. Pages and the API name the same actions, so the same user
//! gets the same answer through either door.
//!
//! The table is coarse on purpose: *which kinds of people* may perform an
//! action at all. Which records of the mall they may touch (an officer of
//! Dukcapil at Dukcapil's counters, an agency admin over their agency's
//! services) is the scope check of the handler, through
//! [`crate::auth::Access`].

use crate::auth::Role;

str_enum!(
    /// Who a caller is, in the mall a request is about.
    Who {
        /// Everyone, logged in or not.
        Anyone = "anyone",
        /// Any logged-in account (every account is a citizen's).
        Citizen = "citizen",
        Officer = "officer",
        AgencyAdmin = "agency_admin",
        MallAdmin = "mall_admin",
        /// Deployment-wide, read-only.
        NationalSupervisor = "national_supervisor",
    }
);

impl From<Role> for Who {
    fn from(r: Role) -> Who {
        match r {
            Role::Officer => Who::Officer,
            Role::AgencyAdmin => Who::AgencyAdmin,
            Role::MallAdmin => Who::MallAdmin,
            Role::NationalSupervisor => Who::NationalSupervisor,
        }
    }
}

str_enum!(
    /// What a route does, as far as permission goes.
    Action {
        /// Read what the mall publishes: pages, the catalogue, the queue
        /// and board, a ticket by its id, a certificate's public check, the
        /// API's public reads; the login and registration forms; static
        /// files; the language of the pages (a cookie).
        ReadPublic = "read_public",
        /// Log in or register an account.
        SignIn = "sign_in",
        /// Take a ticket or check in a booking at the kiosk (the handler
        /// admits an enrolled kiosk, or any browser within the mall's
        /// hourly allowance per client address).
        UseKiosk = "use_kiosk",
        /// Enrol this browser as one of the mall's devices with the
        /// one-time code a manager made (the code is the credential).
        EnrolDevice = "enrol_device",
        /// Follow an application with its number and the applicant's NIK
        /// digits (the handler checks the digits and throttles guesses).
        TrackApplication = "track_application",
        /// A payment gateway's signed callback (the handler checks the
        /// HMAC signature).
        ConfirmPayment = "confirm_payment",
        /// An agency's system asks for a citizen's data (the handler checks
        /// the request's signature by the system's registered key, and a
        /// consent or legal basis for it).
        ExchangeData = "exchange_data",
        /// Read the server's metrics (the handler checks the scraper's token).
        ReadMetrics = "read_metrics",
        /// One's own account: its page, API tokens, logging out.
        OwnAccount = "own_account",
        /// Book, move and cancel one's own appointments.
        Book = "book",
        /// File and follow one's own applications, download their
        /// documents, receipts and certificates (staff who may see an
        /// application too; the handler decides whose it is).
        Apply = "apply",
        /// Greet visitors: issue and void tickets for them, check in
        /// bookings.
        GreetVisitors = "greet_visitors",
        /// Work a counter: open, pause and close it; file applications for
        /// the visitor being served.
        WorkCounter = "work_counter",
        /// Serve visitors at a counter: call the next, recall, serve,
        /// transfer, skip, finish, void.
        ServeVisitors = "serve_visitors",
        /// Work applications in the inbox: claim, decide, comment, take a
        /// payment, revoke a certificate.
        ProcessApplications = "process_applications",
        /// Read the mall's back office: records, statistics, settings.
        ViewBackOffice = "view_back_office",
        /// Read the mall's audit trail.
        ReadAudit = "read_audit",
        /// Change an agency's services, counters and application setups
        /// (the handler limits agency admins to their agency).
        ManageServices = "manage_services",
        /// Add staff, give them roles and counters, send them a password
        /// link, remove them from the mall (the handler limits agency
        /// admins to their agency: `staff::may_grant`).
        ManageStaff = "manage_staff",
        /// Change mall-wide things: agencies, facilities, hours, calendar,
        /// agreements, queue settings; approve closing a counter.
        ManageMall = "manage_mall",
        /// The deployment-wide overview of every mall.
        ViewNational = "view_national",
    }
);

const STAFF: &[Who] = &[Who::Officer, Who::AgencyAdmin, Who::MallAdmin];

/// The table: who may perform each action.
pub fn who_may(action: Action) -> &'static [Who] {
    match action {
        Action::ReadPublic
        | Action::SignIn
        | Action::UseKiosk
        | Action::EnrolDevice
        | Action::TrackApplication
        | Action::ConfirmPayment
        | Action::ExchangeData
        | Action::ReadMetrics => &[Who::Anyone],
        Action::OwnAccount | Action::Book | Action::Apply => &[Who::Citizen],
        Action::GreetVisitors | Action::WorkCounter | Action::ServeVisitors | Action::ProcessApplications => STAFF,
        Action::ViewBackOffice => &[Who::AgencyAdmin, Who::MallAdmin, Who::NationalSupervisor],
        Action::ReadAudit => &[Who::MallAdmin, Who::NationalSupervisor],
        Action::ManageServices | Action::ManageStaff => &[Who::AgencyAdmin, Who::MallAdmin],
        Action::ManageMall => &[Who::MallAdmin],
        Action::ViewNational => &[Who::NationalSupervisor],
    }
}

/// Whether a caller who is each of `holds` may perform `action`. Everyone
/// is [`Who::Anyone`]; every logged-in caller is also a [`Who::Citizen`].
pub fn allows(holds: &[Who], action: Action) -> bool {
    who_may(action).iter().any(|w| *w == Who::Anyone || holds.contains(w))
}

/// Whether `action` needs a logged-in caller at all (a refusal is then
/// "log in" rather than "not allowed").
pub fn needs_login(action: Action) -> bool {
    !who_may(action).contains(&Who::Anyone)
}

/// Whether `action` may change something (what the supervisor, read-only
/// by definition, must never be allowed).
pub fn writes(action: Action) -> bool {
    !matches!(
        action,
        Action::ReadPublic
            | Action::TrackApplication
            | Action::ReadMetrics
            | Action::ViewBackOffice
            | Action::ReadAudit
            | Action::ViewNational
    )
}

/// Where a change an action makes is on record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trail {
    /// In the mall's audit trail (`audit_events`): who, what, when.
    Audit,
    /// In the records of the thing itself, which name who did what and
    /// when, append-only; the reason says where.
    Own(&'static str),
    /// Nothing changes.
    None,
}

/// The trail of each action's changes.
pub fn trail(action: Action) -> Trail {
    match action {
        _ if !writes(action) => Trail::None,
        Action::UseKiosk | Action::GreetVisitors | Action::ServeVisitors => {
            Trail::Own("the ticket and its steps (ticket_steps): who issued, called, served, moved or voided it, when")
        }
        Action::Apply | Action::ProcessApplications => {
            Trail::Own("the application's timeline (application_events): who filed, decided or paid, when and why")
        }
        Action::EnrolDevice => Trail::Own("the device: who registered it, when it was enrolled, seen and revoked"),
        Action::SignIn => Trail::Own("the account and each session: when it was made, when it ends (users, sessions)"),
        Action::Book => Trail::Own("the appointment: who booked, moved, cancelled or checked it in, when"),
        Action::ConfirmPayment => Trail::Own("every gateway call is logged (payment_callbacks), answered or refused"),
        Action::ExchangeData => {
            Trail::Own("every signed request is logged with both signatures (exchanges), each read on the access log")
        }
        _ => Trail::Audit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supervisor_reads_and_never_writes() {
        for a in Action::ALL.iter().filter(|a| writes(**a)) {
            assert!(!who_may(*a).contains(&Who::NationalSupervisor), "{a:?}");
        }
        let supervisor = [Who::Citizen, Who::NationalSupervisor];
        assert!(allows(&supervisor, Action::ViewBackOffice) && allows(&supervisor, Action::ReadAudit));
        assert!(!allows(&supervisor, Action::GreetVisitors) && !allows(&supervisor, Action::ManageServices));
    }

    #[test]
    fn every_change_is_on_some_record() {
        for a in Action::ALL {
            assert_eq!(writes(*a), trail(*a) != Trail::None, "{a:?}");
        }
        assert_eq!(trail(Action::WorkCounter), Trail::Audit, "closing a counter with visitors waiting");
        assert_eq!(trail(Action::OwnAccount), Trail::Audit, "API tokens");
    }

    #[test]
    fn staff_work_the_floor_and_admins_the_office() {
        let officer = [Who::Citizen, Who::Officer];
        assert!(allows(&officer, Action::GreetVisitors) && allows(&officer, Action::WorkCounter));
        assert!(!allows(&officer, Action::ViewBackOffice) && !allows(&officer, Action::ManageServices));
        let agency_admin = [Who::Citizen, Who::AgencyAdmin];
        assert!(allows(&agency_admin, Action::ManageServices) && !allows(&agency_admin, Action::ManageMall));
        assert!(!allows(&agency_admin, Action::ReadAudit));
        assert!(allows(&[Who::Citizen, Who::MallAdmin], Action::ManageMall));
    }

    #[test]
    fn anyone_reads_the_public_and_only_accounts_apply() {
        assert!(allows(&[], Action::ReadPublic) && allows(&[], Action::UseKiosk));
        assert!(!allows(&[], Action::Apply) && needs_login(Action::Apply));
        assert!(allows(&[Who::Citizen], Action::Apply) && !allows(&[Who::Citizen], Action::GreetVisitors));
        assert!(!needs_login(Action::TrackApplication));
    }
}
