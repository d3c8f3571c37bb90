//! The region picker: a form field of kind `region` is four selects
//! (province, regency, district, village) over the shipped Home Affairs list
//! (`mpp_domain::region`). The page renders the levels already chosen; with
//! JS (`static/region.js`) choosing one fetches the next from the API
//! (`api.rs`); without JS a "show choices" button sends the form back to
//! the same page, which re-renders it with the next level filled.

pub mod api;

pub use api::router;

use crate::forms::Posted;
use mpp_domain::region::{self, Level};

/// The name of the button that asks for the next level's choices instead of
/// sending the form (its value is the field's key).
pub const REFINE: &str = "_region";

/// One select of the picker.
pub struct PickerLevel {
    /// The posted name: the field's key for the village, `{key}__{level}` above.
    pub name: String,
    pub level: &'static str,
    /// The label's message key.
    pub label: &'static str,
    /// (code, name), in code order; empty until the level above is chosen.
    pub options: Vec<(String, String)>,
    pub selected: String,
}

fn part_name(key: &str, level: Level) -> String {
    match level {
        Level::Village => key.to_string(),
        other => format!("{key}__{}", other.as_str()),
    }
}

/// The picker for a field holding `value`: a code at any level (a partly
/// chosen address) or nothing.
pub fn picker(key: &str, value: &str) -> Vec<PickerLevel> {
    let chosen: Vec<&str> = region::path(value).unwrap_or_default().iter().map(|r| r.code).collect();
    Level::ALL
        .iter()
        .enumerate()
        .map(|(depth, &level)| {
            let parent = if depth == 0 { Some(None) } else { chosen.get(depth - 1).map(|c| Some(*c)) };
            let options = parent
                .map(|p| region::children(p).iter().map(|r| (r.code.to_string(), r.name.to_string())).collect())
                .unwrap_or_default();
            PickerLevel {
                name: part_name(key, level),
                level: level.as_str(),
                label: match level {
                    Level::Province => "region.province",
                    Level::Regency => "region.regency",
                    Level::District => "region.district",
                    Level::Village => "region.village",
                },
                options,
                selected: chosen.get(depth).map(|c| c.to_string()).unwrap_or_default(),
            }
        })
        .collect()
}

/// The field's value from a posted picker: the deepest level chosen that
/// lies within the one above it (a province changed without JS leaves stale
/// choices below, which are dropped). A value sent without the picker's
/// parts (the API, a typed code) is taken as it is.
pub fn posted_value(key: &str, posted: &Posted) -> String {
    let parts: Vec<Option<String>> = Level::ALL.iter().map(|&l| posted.all(&part_name(key, l)).pop()).collect();
    if parts[..3].iter().all(Option::is_none) {
        return posted.get(key);
    }
    let mut value = String::new();
    for part in parts.into_iter().flatten() {
        let part = part.trim();
        let fits = if value.is_empty() {
            region::level_of(part) == Some(Level::Province)
        } else {
            region::parent_code(part) == Some(value.as_str())
        };
        if part.is_empty() || !fits {
            break;
        }
        value = part.to_string();
    }
    value
}
