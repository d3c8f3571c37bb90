//! Indonesia's administrative regions by their Ministry of Home Affairs codes
//! (`PP`, `PP.RR`, `PP.RR.DD`, `PP.RR.DD.VVVV`), shipped as reference data in
//! `data/regions/` (see its README) and compiled into the binary, so every
//! mall validates addresses against the same list without a table to load.
//!
//! The lists are parsed once, on first use, into one sorted vector per
//! level: a region's children are then a contiguous run found by binary
//! search (a code's parent is its prefix).

use std::borrow::Cow;
use std::sync::OnceLock;

const CSV: [&str; 4] = [
    include_str!("../../../data/regions/provinces.csv"),
    include_str!("../../../data/regions/regencies.csv"),
    include_str!("../../../data/regions/districts.csv"),
    include_str!("../../../data/regions/villages.csv"),
];

str_enum! {
    /// How deep a region sits.
    Level {
        /// Provinsi.
        Province = "province",
        /// Kabupaten or kota.
        Regency = "regency",
        /// Kecamatan (distrik in Papua).
        District = "district",
        /// Desa or kelurahan.
        Village = "village",
    }
}

impl Level {
    /// The next level down, if any.
    pub fn below(self) -> Option<Level> {
        Level::ALL.get(self as usize + 1).copied()
    }
}

/// One region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: Cow<'static, str>,
}

impl Region {
    pub fn level(&self) -> Level {
        level_of(self.code).unwrap_or(Level::Village)
    }
}

/// The level a well-formed code names (`35.07` is a regency), or `None`.
pub fn level_of(code: &str) -> Option<Level> {
    const WIDTHS: [usize; 4] = [2, 2, 2, 4];
    let parts: Vec<&str> = code.split('.').collect();
    let ok = parts.len() <= 4
        && parts.iter().zip(WIDTHS).all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| Level::ALL[parts.len() - 1])
}

/// The code one level up (`35.07.01` → `35.07`), or `None` for a province.
pub fn parent_code(code: &str) -> Option<&str> {
    code.rfind('.').map(|i| &code[..i])
}

struct Lists([Vec<Region>; 4]);

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists(CSV.map(parse)))
}

/// Rows of `code,parent_code,name` (provinces: `code,name`) after a header;
/// a name may be quoted with `""` inside, as in `"Soka""an"`.
fn parse(csv: &'static str) -> Vec<Region> {
    let mut out: Vec<Region> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .filter_map(|line| {
            let (code, rest) = line.split_once(',')?;
            // The name is the last column; a parent column, if any, has no comma.
            let name = if code.len() == 2 { rest } else { rest.split_once(',')?.1 };
            let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                Some(quoted) if quoted.contains("\"\"") => Cow::Owned(quoted.replace("\"\"", "\"")),
                Some(quoted) => Cow::Borrowed(quoted),
                None => Cow::Borrowed(name),
            };
            Some(Region { code, name })
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(b.code));
    out
}

/// The region with this exact code.
pub fn get(code: &str) -> Option<&'static Region> {
    let list = &lists().0[level_of(code)? as usize];
    list.binary_search_by(|r| r.code.cmp(code)).ok().map(|i| &list[i])
}

/// The regions directly under `parent` (`None`: the provinces), by code.
pub fn children(parent: Option<&str>) -> &'static [Region] {
    let Some(parent) = parent else { return &lists().0[0] };
    let Some(below) = level_of(parent).and_then(Level::below) else { return &[] };
    let list = &lists().0[below as usize];
    let prefix = format!("{parent}.");
    let start = list.partition_point(|r| r.code < prefix.as_str());
    let len = list[start..].iter().take_while(|r| r.code.starts_with(&prefix)).count();
    &list[start..start + len]
}

/// The region and the ones above it, province first; `None` if the code, or
/// any part of it, is not on the list.
pub fn path(code: &str) -> Option<Vec<&'static Region>> {
    let mut out = vec![get(code)?];
    let mut at = code;
    while let Some(up) = parent_code(at) {
        out.push(get(up)?);
        at = up;
    }
    out.reverse();
    Some(out)
}

/// A village code as typed (`3507012001`, `35.07.01.2001`, with spaces)
/// written as Kemendagri writes it, if that village exists.
pub fn village(raw: &str) -> Option<&'static Region> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '.').collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let code = format!("{}.{}.{}.{}", &digits[0..2], &digits[2..4], &digits[4..6], &digits[6..]);
    get(&code)
}

/// An address line for a village code, village first:
/// `Keude Bakongan, Bakongan, Kabupaten Aceh Selatan, Aceh`; the code itself
/// if it is not on the list (a value filed before the list changed).
pub fn describe(code: &str) -> String {
    match path(code) {
        Some(p) => p.iter().rev().map(|r| r.name.as_ref()).collect::<Vec<_>>().join(", "),
        None => code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_whole_and_every_child_has_its_parent() {
        let counts: Vec<usize> = lists().0.iter().map(Vec::len).collect();
        assert_eq!(counts, vec![38, 514, 7285, 83762], "the counts data/regions/README.md states");
        for (depth, list) in lists().0.iter().enumerate().skip(1) {
            for r in list {
                assert_eq!(level_of(r.code).map(|l| l as usize), Some(depth), "{}", r.code);
                let parent = parent_code(r.code).and_then(get);
                assert!(parent.is_some(), "{} has no parent on the list", r.code);
            }
        }
        let total: usize = children(None).iter().map(|p| children(Some(p.code)).len()).sum();
        assert_eq!(total, 514, "every regency is found under its province");
    }

    #[test]
    fn codes_are_looked_up_walked_and_described() {
        let v = village("35 07 01 2001").unwrap_or_else(|| panic!("a village in Kabupaten Malang"));
        assert_eq!(v.code, "35.07.01.2001");
        assert_eq!(v.level(), Level::Village);
        let p = path(v.code).unwrap_or_default();
        let codes: Vec<&str> = p.iter().map(|r| r.code).collect();
        assert_eq!(codes, vec!["35", "35.07", "35.07.01", "35.07.01.2001"]);
        assert_eq!(p[1].name, "Kabupaten Malang");
        assert!(describe(v.code).ends_with(", Kabupaten Malang, Jawa Timur"), "{}", describe(v.code));
        assert!(children(Some("35.07")).iter().all(|d| d.code.starts_with("35.07.") && d.level() == Level::District));
        assert!(children(Some(v.code)).is_empty(), "nothing is under a village");

        assert_eq!(village("35.07.01"), None, "a district is not a village");
        assert_eq!(village("35.07.01.9999"), None, "well-formed but not on the list");
        assert_eq!(village("99.01.01.2001"), None);
        assert_eq!(level_of("35.7"), None);
        assert_eq!(path("35.99"), None);
        assert_eq!(describe("35.07.01.9999"), "35.07.01.9999");
    }

    #[test]
    fn quoted_names_are_unquoted() {
        let names: Vec<&str> = children(Some("35.13.15")).iter().map(|r| r.name.as_ref()).collect();
        assert!(names.contains(&"Soka\"an"), "{names:?}");
        let commas = get("12.07.28.1007").map(|r| r.name.to_string());
        assert_eq!(commas.as_deref(), Some("Lubuk Pakam I,II"));
    }
}
