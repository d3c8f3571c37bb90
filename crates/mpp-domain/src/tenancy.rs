//! Malls are the tenants. A mall is addressed by its slug and lives in one of
//! Indonesia's three time zones, which decides "today" and opening hours.

use time::UtcOffset;

crate::text_id!(
    /// A mall's id: the tenant every tenant-owned row names first in its key.
    MallId
);

/// The zone a citizen's own pages (account, documents, consents, access
/// history, rights) show times in: a citizen belongs to no mall, and most
/// malls and their citizens are east of Java.
pub const CITIZEN_ZONE: TimeZone = TimeZone::Wita;

/// The deployment's own records (its audit trail, a national
/// supervisor's grant): no mall's.
pub static DEPLOYMENT: MallId = MallId(String::new());

/// A mall's files live under a directory named by its id.
impl AsRef<std::path::Path> for MallId {
    fn as_ref(&self) -> &std::path::Path {
        self.0.as_ref()
    }
}

/// A mall's URL name: 2–40 chars of a–z, 0–9 and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct MallSlug(String);

impl MallSlug {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = (2..=40).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        ok.then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Waktu Indonesia Barat / Tengah / Timur. None observes daylight saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TimeZone {
    #[serde(rename = "WIB")]
    Wib,
    #[serde(rename = "WITA")]
    Wita,
    #[serde(rename = "WIT")]
    Wit,
}

impl TimeZone {
    pub const ALL: [TimeZone; 3] = [TimeZone::Wib, TimeZone::Wita, TimeZone::Wit];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|z| z.as_str().eq_ignore_ascii_case(s))
    }

    pub fn offset(self) -> UtcOffset {
        let hours = match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        };
        UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
    }

    /// The IANA name, for iCalendar and JSON-LD consumers.
    pub fn iana(self) -> &'static str {
        match self {
            TimeZone::Wib => "Asia/Jakarta",
            TimeZone::Wita => "Asia/Makassar",
            TimeZone::Wit => "Asia/Jayapura",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(MallSlug::parse("ttu").is_some());
        assert!(MallSlug::parse("kota-kupang-2").is_some());
        for bad in ["", "a", "TTU", "-x", "x-", "a--b", "a b", "ä"] {
            assert!(MallSlug::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn zones() {
        assert_eq!(TimeZone::parse("wita"), Some(TimeZone::Wita));
        assert_eq!(TimeZone::Wit.offset().whole_hours(), 9);
    }
}
