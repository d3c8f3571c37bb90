//! The national calendar shipped with MPP: `data/holidays-id.csv`, made by
//! `scripts/gen-holidays.py`. Its header names the source.

use mpp_domain::calendar::DayKind;
use time::Date;

pub const CSV: &str = include_str!("../../../../data/holidays-id.csv");

#[derive(Debug, Clone)]
pub struct NationalDay {
    pub day: Date,
    pub kind: DayKind,
    pub name_id: String,
    pub name_en: String,
}

/// The source line of the shipped file (its first comment).
pub fn source() -> &'static str {
    CSV.lines().next().unwrap_or("").trim_start_matches('#').trim()
}

/// Parses the shipped CSV. Names hold no commas, but quoted fields are honoured.
pub fn days() -> Vec<NationalDay> {
    CSV.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("date,") && !l.trim().is_empty())
        .filter_map(|l| {
            let f = split_csv(l);
            Some(NationalDay {
                day: mpp_domain::format::parse_date(f.first()?)?,
                kind: DayKind::parse(f.get(1)?)?,
                name_id: f.get(2)?.clone(),
                name_en: f.get(3)?.clone(),
            })
        })
        .collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => out.last_mut().into_iter().for_each(|s| s.push(c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ships_two_years_with_both_kinds() {
        let days = super::days();
        assert!(days.len() > 40, "{}", days.len());
        assert!(days.iter().any(|d| d.kind == mpp_domain::calendar::DayKind::CutiBersama));
        assert!(days.iter().any(|d| mpp_domain::format::iso_date(d.day) == "2026-08-17"));
        assert!(super::source().contains("holidays"));
    }
}
