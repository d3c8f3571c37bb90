//! Who may add, change and remove a mall's staff. A mall manager manages
//! everyone in the mall; an agency admin the officers and admins of their
//! own agency, and nobody beyond it. The national supervisor is a
//! deployment-wide role, granted only from the command line. Nobody
//! changes their own roles or removes themselves (the server refuses), so
//! the manager who acts is always still a manager afterwards: a mall is
//! never left without one.

use crate::auth::{Access, Grant, Role};

/// The roles the staff page grants, in the order it offers them.
pub const GRANTABLE: [Role; 3] = [Role::Officer, Role::AgencyAdmin, Role::MallAdmin];

/// Whether `by` may grant (or take back) `role` at `agency_id`.
pub fn may_grant(by: &Access, role: Role, agency_id: Option<&str>) -> bool {
    match role {
        Role::MallAdmin => agency_id.is_none() && by.can_manage_mall(),
        Role::Officer | Role::AgencyAdmin => agency_id.is_some_and(|a| by.can_manage_agency(a)),
        Role::NationalSupervisor => false,
    }
}

/// Whether `by` may manage a member holding `grants` in the mall as a
/// whole (place at counters, send a password link, remove from the mall):
/// only if `by` could have granted every one of them.
pub fn may_manage(by: &Access, grants: &[Grant]) -> bool {
    !grants.is_empty() && grants.iter().all(|g| may_grant(by, g.role, g.agency_id.as_deref()))
}

/// A member's name and address, as the staff page takes them.
pub fn check_member(email: &str, name: &str) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    let email = email.trim();
    let (local, domain) = email.split_once('@').unwrap_or(("", ""));
    if local.is_empty() || !domain.contains('.') || email.len() > 254 || email.chars().any(char::is_whitespace) {
        problems.push(("email", "auth.email_invalid"));
    }
    if name.trim().is_empty() || name.chars().count() > 100 {
        problems.push(("name", "form.required"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(grants: &[(Role, Option<&str>)]) -> Access {
        Access {
            grants: grants.iter().map(|(role, a)| Grant { role: *role, agency_id: a.map(str::to_string) }).collect(),
            counters: vec![],
        }
    }

    #[test]
    fn an_agency_admin_manages_only_their_own_agency() {
        let by = access(&[(Role::AgencyAdmin, Some("dukcapil"))]);
        assert!(may_grant(&by, Role::Officer, Some("dukcapil")) && may_grant(&by, Role::AgencyAdmin, Some("dukcapil")));
        assert!(!may_grant(&by, Role::Officer, Some("samsat")));
        assert!(!may_grant(&by, Role::MallAdmin, None), "never a manager");
        let officer_of_two = [
            Grant { role: Role::Officer, agency_id: Some("dukcapil".into()) },
            Grant { role: Role::Officer, agency_id: Some("samsat".into()) },
        ];
        assert!(!may_manage(&by, &officer_of_two), "not someone who also works for another agency");
        assert!(may_manage(&by, &officer_of_two[..1]));
        assert!(!may_manage(&by, &[]), "nobody who is not staff here");
    }

    #[test]
    fn a_manager_manages_everyone_and_nobody_grants_the_supervisor() {
        let by = access(&[(Role::MallAdmin, None)]);
        for role in GRANTABLE {
            let agency = (role != Role::MallAdmin).then_some("pajak");
            assert!(may_grant(&by, role, agency), "{role:?}");
        }
        assert!(!may_grant(&by, Role::NationalSupervisor, None));
        assert!(!may_grant(&by, Role::Officer, None), "an officer works for an agency");
        assert!(!may_grant(&by, Role::MallAdmin, Some("pajak")), "a manager is mall-wide");
        let supervisor = access(&[(Role::NationalSupervisor, None)]);
        assert!(!may_grant(&supervisor, Role::Officer, Some("pajak")), "the supervisor reads only");
    }

    #[test]
    fn a_member_needs_an_address_and_a_name() {
        assert!(check_member("siti@ttu.go.id", "Siti").is_empty());
        assert_eq!(check_member("siti", "").len(), 2);
        assert_eq!(check_member("si ti@ttu.go.id", "Siti"), vec![("email", "auth.email_invalid")]);
    }
}
