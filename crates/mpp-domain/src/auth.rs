//! Roles and what each may do. The server computes a user's grants for the
//! mall a request is about; these pure functions decide.

/// Roles granted inside a mall. Citizens need no grant: every account is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Officer,
    AgencyAdmin,
    MallAdmin,
    /// Deployment-wide, read-only over every mall.
    NationalSupervisor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Officer, Role::AgencyAdmin, Role::MallAdmin, Role::NationalSupervisor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::AgencyAdmin => "agency_admin",
            Role::MallAdmin => "mall_admin",
            Role::NationalSupervisor => "national_supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// One grant of a user within the mall in question (agency-scoped roles carry the agency id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub agency_id: Option<String>,
}

/// What a user may do in one mall, derived from their grants.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub grants: Vec<Grant>,
    /// The counters (ids) the mall put this officer at; none: any counter
    /// of their agency.
    pub counters: Vec<String>,
}

impl Access {
    fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// May open the mall's back office at all (read).
    pub fn can_view_admin(&self) -> bool {
        self.has(Role::MallAdmin) || self.has(Role::NationalSupervisor) || self.has(Role::AgencyAdmin)
    }

    /// May read everything in the mall's back office, audit trail included.
    pub fn can_view_whole_mall(&self) -> bool {
        self.has(Role::MallAdmin) || self.has(Role::NationalSupervisor)
    }

    /// May change mall-wide things: agencies, facilities, hours, calendar, agreements.
    pub fn can_manage_mall(&self) -> bool {
        self.has(Role::MallAdmin)
    }

    /// May change the services and counters of this agency.
    pub fn can_manage_agency(&self, agency_id: &str) -> bool {
        self.can_manage_mall()
            || self.grants.iter().any(|g| g.role == Role::AgencyAdmin && g.agency_id.as_deref() == Some(agency_id))
    }

    /// May work this counter of this agency: its admins and the mall's
    /// admins any; its officers theirs, or any when none is theirs.
    pub fn can_work_counter(&self, agency_id: &str, counter_id: &str) -> bool {
        self.can_manage_agency(agency_id)
            || (self.works_for(agency_id)
                && (self.counters.is_empty() || self.counters.iter().any(|c| c == counter_id)))
    }

    /// May decide this agency's steps of applications (claim, approve …):
    /// the same people as its counters.
    pub fn can_process_for(&self, agency_id: &str) -> bool {
        self.works_for(agency_id)
    }

    fn works_for(&self, agency_id: &str) -> bool {
        self.can_manage_agency(agency_id)
            || self.grants.iter().any(|g| g.role == Role::Officer && g.agency_id.as_deref() == Some(agency_id))
    }

    /// Works in this mall (officer or admin): may greet visitors and issue tickets for them.
    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| matches!(g.role, Role::Officer | Role::AgencyAdmin | Role::MallAdmin))
    }

    /// The agencies whose services this user may manage; `None` means all.
    pub fn managed_agencies(&self) -> Option<Vec<&str>> {
        if self.can_manage_mall() {
            return None;
        }
        Some(
            self.grants.iter().filter(|g| g.role == Role::AgencyAdmin).filter_map(|g| g.agency_id.as_deref()).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: Role, agency: Option<&str>) -> Access {
        Access { grants: vec![Grant { role, agency_id: agency.map(str::to_string) }], counters: vec![] }
    }

    #[test]
    fn agency_admin_is_fenced_to_their_agency() {
        let a = access(Role::AgencyAdmin, Some("dukcapil"));
        assert!(a.can_manage_agency("dukcapil"));
        assert!(!a.can_manage_agency("samsat"));
        assert!(!a.can_manage_mall());
        assert!(a.can_view_admin() && !a.can_view_whole_mall());
        assert_eq!(a.managed_agencies(), Some(vec!["dukcapil"]));
    }

    #[test]
    fn supervisor_reads_but_never_writes() {
        let s = access(Role::NationalSupervisor, None);
        assert!(s.can_view_whole_mall());
        assert!(!s.can_manage_mall() && !s.can_manage_agency("dukcapil"));
    }

    #[test]
    fn officer_and_citizen_have_no_back_office() {
        assert!(!access(Role::Officer, Some("x")).can_view_admin());
        assert!(access(Role::Officer, Some("x")).can_work_counter("x", "c1"));
        assert!(!access(Role::Officer, Some("x")).can_work_counter("y", "c1"));
        assert!(!access(Role::NationalSupervisor, None).can_work_counter("x", "c1"));
        let placed = Access { counters: vec!["c2".into()], ..access(Role::Officer, Some("x")) };
        assert!(placed.can_work_counter("x", "c2") && !placed.can_work_counter("x", "c1"), "only where placed");
        let admin = Access { counters: vec!["c2".into()], ..access(Role::AgencyAdmin, Some("x")) };
        assert!(admin.can_work_counter("x", "c1"), "an agency's admin steps in anywhere in it");
        assert!(access(Role::Officer, Some("x")).is_staff() && !access(Role::NationalSupervisor, None).is_staff());
        assert!(!Access::default().can_view_admin());
        assert!(access(Role::MallAdmin, None).can_manage_agency("any"));
    }
}
