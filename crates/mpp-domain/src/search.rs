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

/// Whether a query word is close enough to a word of a service to be the
/// same word mistyped or spelled the other way: one slip (a letter
/// missing, extra, wrong or two swapped) in a word of four to seven
/// letters, two from eight; or the same stem (a shared start of five
/// letters or more, missing at most the query word's last two: "licence"
/// and "licensing"). Words of three letters or fewer must match exactly
/// (a slip in "KK" or "SIM" is another service).
pub fn near(query: &str, word: &str) -> bool {
    let (q, w): (Vec<char>, Vec<char>) = (query.chars().collect(), word.chars().collect());
    if q.len() <= 3 {
        return q == w;
    }
    let common = q.iter().zip(&w).take_while(|(a, b)| a == b).count();
    if common >= 5 && common + 2 >= q.len() {
        return true;
    }
    let allowed = if q.len() >= 8 { 2 } else { 1 };
    q.len().abs_diff(w.len()) <= allowed && distance(&q, &w) <= allowed
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours each count one.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Score of a candidate for a query with typos forgiven (when the exact
/// search found nothing): every query word must be in the candidate's text
/// or [`near`] one of its words; a word of the name counts most.
pub fn forgiving_score(query_tokens: &[String], c: &Candidate<'_>) -> Option<u32> {
    let name = normalize(c.name);
    let name_words: Vec<&str> = name.split(' ').collect();
    let words: Vec<&str> = c.search_text.split([' ', '|']).filter(|w| !w.is_empty()).collect();
    let mut score = 0;
    for t in query_tokens {
        score += if name_words.contains(&t.as_str()) {
            20
        } else if words.contains(&t.as_str()) {
            10
        } else if name_words.iter().any(|w| near(t, w)) {
            8
        } else if words.iter().any(|w| near(t, w)) {
            4
        } else {
            return None;
        };
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

    #[test]
    fn slips_and_both_spellings_are_forgiven_short_words_are_not() {
        assert!(near("pasport", "paspor") && near("paspr", "paspor") && !near("ktpp", "ktpel"));
        assert!(near("licence", "license") && near("licence", "licensing") && near("lisensi", "lisensi"));
        assert!(near("kependudkan", "kependudukan"), "two slips in a long word");
        assert!(!near("kk", "kp") && !near("sim", "siup") && !near("akta", "kartu"));
        let aliases = vec!["paspor".to_string()];
        let passport = Candidate {
            code: "PASPOR",
            name: "Penerbitan Paspor Baru",
            aliases: &aliases,
            search_text: &search_text(["PASPOR", "Penerbitan Paspor Baru", "passport", "imigrasi"]),
        };
        let none: Vec<String> = vec![];
        let kk = Candidate {
            code: "KK",
            name: "Kartu Keluarga",
            aliases: &none,
            search_text: &search_text(["KK", "Kartu Keluarga"]),
        };
        for typo in ["pasport", "paspr", "papsor"] {
            assert!(forgiving_score(&tokens(typo), &passport).is_some(), "{typo}");
            assert_eq!(forgiving_score(&tokens(typo), &kk), None, "{typo}");
        }
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
