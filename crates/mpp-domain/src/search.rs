//! Catalogue search: how text is normalised so that "KTP", "ktp" and "kartu
//! tanda penduduk" all find the same service, whatever the case or accents.
//!
//! Services store one normalised `search_text` (names, code, agency,
//! aliases); a query matches when every query token occurs in it. Ranking
//! is done here, over the few candidates the database returns.

use unicode_normalization::UnicodeNormalization;

/// Lowercase, strip accents (é → e), turn anything that is not a letter or
/// digit into a single space, and trim. Idempotent.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            // Lowercasing can yield several chars (e.g. 'İ'); keep only those that are
            // still alphanumeric and unaccented so the function stays idempotent.
            for l in c.to_lowercase().flat_map(|l| l.to_string().nfkd().collect::<Vec<_>>()) {
                if l == 'ß' {
                    // Full case folding: "ß" and "SS" are the same word.
                    out.push_str("ss");
                } else if l.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(l) {
                    out.push(l);
                }
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// The distinct tokens of a query, normalised, in order of first appearance.
pub fn tokens(query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for t in normalize(query).split(' ') {
        if !t.is_empty() && !seen.iter().any(|s: &String| s == t) {
            seen.push(t.to_string());
        }
    }
    seen
}

/// Builds the haystack stored with a service. Hyphenated codes and aliases are
/// also kept joined ("KTP-EL" → "ktp el ktpel") so both spellings match.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in parts {
        let norm = normalize(part);
        if norm.is_empty() {
            continue;
        }
        if norm.contains(' ') && part.contains('-') {
            words.push(norm.replace(' ', ""));
        }
        words.push(norm);
    }
    format!(" {} ", words.join(" | "))
}

/// What the ranker needs to know of one candidate.
pub struct Candidate<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub aliases: &'a [String],
    pub search_text: &'a str,
}

/// Score of a candidate for a query; `None` when some token is missing.
/// Exact code or alias hits rank first, then name word hits, then anywhere.
pub fn score(query_tokens: &[String], c: &Candidate<'_>) -> Option<u32> {
    if query_tokens.is_empty() {
        return Some(0);
    }
    let joined = query_tokens.join(" ");
    let name = format!(" {} ", normalize(c.name));
    let mut score = 0;
    if normalize(c.code).replace(' ', "") == joined.replace(' ', "") || c.aliases.iter().any(|a| normalize(a) == joined)
    {
        score += 1000;
    }
    if name.contains(&format!(" {joined}")) {
        score += 200;
    }
    for t in query_tokens {
        if !c.search_text.contains(t.as_str()) {
            return None;
        }
        if name.contains(&format!(" {t}")) {
            score += 20;
        } else if c.search_text.contains(&format!(" {t}")) {
            score += 10;
        } else {
            score += 1;
        }
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_case_accents_and_punctuation() {
        assert_eq!(normalize("  Kartu Tanda Penduduk (KTP-el) "), "kartu tanda penduduk ktp el");
        assert_eq!(normalize("Café Ñandú"), "cafe nandu");
        assert_eq!(normalize("SKCK/Polres"), "skck polres");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn joined_codes_match_both_spellings() {
        let hay = search_text(["KTP-EL", "Kartu Tanda Penduduk"]);
        assert!(hay.contains("ktpel"));
        assert!(hay.contains("ktp el"));
    }

    #[test]
    fn alias_outranks_a_passing_mention() {
        let aliases = vec!["ktp".to_string()];
        let ktp = Candidate {
            code: "KTP-EL",
            name: "Pembuatan KTP-el Baru",
            aliases: &aliases,
            search_text: &search_text(["KTP-EL", "Pembuatan KTP-el Baru", "ktp"]),
        };
        let none: Vec<String> = vec![];
        let kk = Candidate {
            code: "KK",
            name: "Kartu Keluarga",
            aliases: &none,
            search_text: &search_text(["KK", "Kartu Keluarga", "syarat fotokopi ktp"]),
        };
        let q = tokens("KTP");
        assert!(score(&q, &ktp) > score(&q, &kk));
        assert_eq!(score(&tokens("paspor"), &kk), None);
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn normalize_ignores_case(s in "[a-zA-Z0-9 éèÉÀàçÇ-]{0,40}") {
            prop_assert_eq!(normalize(&s.to_uppercase()), normalize(&s.to_lowercase()));
        }

        #[test]
        fn normalized_text_has_no_accents_or_edges(s in "\\PC{0,40}") {
            let n = normalize(&s);
            prop_assert!(!n.starts_with(' ') && !n.ends_with(' ') && !n.contains("  "));
            prop_assert!(n.chars().all(|c| c == ' ' || (c.is_alphanumeric() && c.to_lowercase().eq(std::iter::once(c)))));
            prop_assert!(n.nfd().all(|c| !unicode_normalization::char::is_combining_mark(c)));
        }

        #[test]
        fn a_service_is_found_by_any_part_of_its_name(words in proptest::collection::vec("[A-Za-zÀ-ÿ]{2,8}", 1..5), pick in 0usize..5) {
            let name = words.join(" ");
            let hay = search_text([name.as_str()]);
            let word = &words[pick % words.len()];
            let c = Candidate { code: "X", name: &name, aliases: &[], search_text: &hay };
            prop_assert!(score(&tokens(&word.to_uppercase()), &c).is_some());
        }
    }
}
