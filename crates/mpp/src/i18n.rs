//! Message catalogues (Bahasa Indonesia first, English second). Every
//! sentence a user reads comes from `locales/{id,en}.txt`: one `key = text`
//! per line, `#` for comments, `{name}` for placeholders.

use mpp_domain::format::Lang;
use std::collections::HashMap;
use std::sync::LazyLock;

static ID: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| parse(include_str!("../locales/id.txt")));
static EN: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| parse(include_str!("../locales/en.txt")));

pub fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

pub fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    match lang {
        Lang::Id => &ID,
        Lang::En => &EN,
    }
}

/// A translator for one request's language; templates call `t.t("key")`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The message, or the key itself when missing (a test keeps that from happening).
    pub fn t(&self, key: &str) -> &'static str {
        catalogue(self.lang).get(key).copied().unwrap_or_else(|| {
            tracing::warn!(key, "missing message");
            Box::leak(key.to_string().into_boxed_str())
        })
    }

    /// The message with `{name}` placeholders filled in.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// Picks the text in this language from a bilingual pair, falling back to
    /// Indonesian when the English text was not written.
    pub fn pick<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::En && !en.trim().is_empty() { en } else { id }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let mut id: Vec<_> = ID.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        id.sort();
        en.sort();
        let only_id: Vec<_> = id.iter().filter(|k| !EN.contains_key(**k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !ID.contains_key(**k)).collect();
        assert!(only_id.is_empty() && only_en.is_empty(), "only in id: {only_id:?}; only in en: {only_en:?}");
    }

    /// Every key used in templates and code exists: any string literal that
    /// looks like `namespace.name`, with a namespace the catalogue uses, must
    /// be in it (this catches `t("…")` calls and keys passed as labels).
    #[test]
    fn every_used_key_exists() {
        let namespaces: std::collections::HashSet<&str> =
            ID.keys().filter_map(|k| k.split_once('.')).map(|(ns, _)| ns).collect();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            visit(&format!("{root}{dir}"), &mut |text| {
                for literal in text.split('"').skip(1).step_by(2) {
                    let Some((ns, rest)) = literal.split_once('.') else { continue };
                    let is_key = namespaces.contains(ns)
                        && !rest.is_empty()
                        && !matches!(rest, "html" | "json" | "css" | "svg" | "txt" | "csv" | "js")
                        && literal.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.');
                    if is_key && !ID.contains_key(literal) {
                        missing.push(literal.to_string());
                    }
                }
            });
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "keys missing from the catalogues: {missing:?}");
    }

    fn visit(dir: &str, f: &mut dyn FnMut(&str)) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                visit(&path.to_string_lossy(), f);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                f(&text);
            }
        }
    }
}
