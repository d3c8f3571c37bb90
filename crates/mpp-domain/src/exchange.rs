//! The exchange between agencies' systems (as Estonia's X-Road does it):
//! an agency's system asks MPP for what a citizen gave once (the profile,
//! the list of kept documents, one kept document), each request signed
//! with the system's registered Ed25519 key and each answer signed with
//! the mall's key, both as detached JWS (RFC 7515 appendix F; `alg`
//! `Ed25519`, RFC 9864). A request goes ahead only on a ground: a live
//! consent the citizen gave the system's agency for an application, or a
//! legal basis the mall configured for that system. Every answer names
//! the request it answers (`in_reply_to`), and MPP keeps both signatures.

use crate::access::{Basis, What};
use crate::document::Kind;
use serde::{Deserialize, Serialize};

/// The signature algorithm, as JOSE names it (RFC 9864).
pub const ALG: &str = "Ed25519";
/// A request's `iat` may be this far from MPP's clock (either way); a
/// system never uses a `jti` twice, however far apart.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// At most this many things asked for at once.
pub const MAX_WANTS: usize = 5;

/// What an agency's system asks for (the signed body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ExchangeRequest))]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The citizen, by the NIK linked (and verified) to their account.
    pub nik: String,
    /// `profile`, `documents` (the list) or `document:<kind>` (the newest
    /// valid one of that kind, e.g. `document:kk`).
    pub want: Vec<String>,
    /// The application the agency works on for the citizen, whose consent
    /// it relies on; absent when the system's legal basis is the ground.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
}

/// One thing asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Profile,
    Documents,
    Document(Kind),
}

impl Want {
    pub fn parse(s: &str) -> Option<Want> {
        match s.trim() {
            "profile" => Some(Want::Profile),
            "documents" => Some(Want::Documents),
            // A kept kind, not a file uploaded on some form.
            other => {
                Kind::parse(other.strip_prefix("document:")?).filter(|k| Kind::CHOSEN.contains(k)).map(Want::Document)
            }
        }
    }

    /// As a request names it.
    pub fn as_text(self) -> String {
        match self {
            Want::Profile => "profile".into(),
            Want::Documents => "documents".into(),
            Want::Document(kind) => format!("document:{}", kind.as_str()),
        }
    }

    /// What the access log says was read.
    pub fn what(self) -> What {
        match self {
            Want::Profile => What::Profile,
            Want::Documents => What::Documents,
            Want::Document(kind) => What::Document(kind.names().0.to_string()),
        }
    }
}

/// The things a request asks for, each once; the message key of what is wrong.
pub fn wants(list: &[String]) -> Result<Vec<Want>, &'static str> {
    if list.is_empty() || list.len() > MAX_WANTS {
        return Err("exchange.how_many");
    }
    let mut out = Vec::new();
    for w in list {
        let w = Want::parse(w).ok_or("exchange.unknown_want")?;
        if !out.contains(&w) {
            out.push(w);
        }
    }
    Ok(out)
}

/// The ground a request stands on: a live consent of the system's agency
/// for the application it names (the consent's id), else the legal basis
/// the mall configured for the system (its citation); `None`: refused.
pub fn ground(consent: Option<&str>, legal_basis: &str) -> Option<(Basis, String)> {
    match consent {
        Some(id) => Some((Basis::Consent, id.to_string())),
        None if !legal_basis.trim().is_empty() => Some((Basis::LegalBasis, legal_basis.trim().to_string())),
        None => None,
    }
}

/// Whether a ground covers what is asked: a consent covers only the kept
/// documents the citizen chose on that application's form (what its
/// words say), never the profile or the list of everything kept; a legal
/// basis covers what the law the mall cited allows the system.
pub fn covers(basis: Basis, wants: &[Want]) -> bool {
    basis != Basis::Consent || wants.iter().all(|w| matches!(w, Want::Document(_)))
}

/// Whether a request made at `iat` (seconds) is fresh at `now_ms`.
pub fn fresh(iat: i64, now_ms: i64) -> bool {
    (now_ms / 1000).abs_diff(iat) <= MAX_SKEW_SECONDS.unsigned_abs()
}

/// The protected header of a detached JWS, either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub alg: String,
    /// The signer's key: the system's id, or the mall's key id (its JWKS).
    pub kid: String,
    /// Seconds since 1970.
    pub iat: i64,
    /// A request's unique id (never twice from one system).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jti: String,
    /// An answer: the `jti` of the request it answers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub in_reply_to: String,
}

/// An agency's system as the mall registers it (page and API alike).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ClientInput {
    /// The agency's code.
    pub agency: String,
    pub name: String,
    /// The system's Ed25519 public key: 32 bytes, base64url without
    /// padding (as `mpp exchange keygen` prints it).
    pub public_key: String,
    /// The law that lets this system read without the citizen's consent,
    /// cited (e.g. "UU 24/2013 Pasal 58 ayat 4"); empty: consent only.
    pub legal_basis: String,
    pub active: bool,
}

impl ClientInput {
    pub fn validate(&self) -> Vec<crate::catalog::Problem> {
        use crate::catalog::Problem;
        let mut p = Vec::new();
        if self.agency.trim().is_empty() {
            p.push(Problem { field: "agency", key: "form.required" });
        }
        match self.name.trim().chars().count() {
            0 => p.push(Problem { field: "name", key: "form.required" }),
            121.. => p.push(Problem { field: "name", key: "form.too_long" }),
            _ => {}
        }
        if !is_public_key(&self.public_key) {
            p.push(Problem { field: "public_key", key: "exchange.bad_key" });
        }
        if self.legal_basis.chars().count() > 300 {
            p.push(Problem { field: "legal_basis", key: "form.too_long" });
        }
        p
    }
}

/// Whether `s` is 32 bytes in base64url without padding: 43 characters,
/// the last carrying only the 4 bits left (so one text names one key).
pub fn is_public_key(s: &str) -> bool {
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let s = s.trim();
    s.len() == 43 && s.chars().all(b64) && s.ends_with(|c: char| "AEIMQUYcgkosw048".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_asks_for_known_things_each_once() {
        let list = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            wants(&list(&["profile", "document:kk", "profile"])),
            Ok(vec![Want::Profile, Want::Document(Kind::Kk)])
        );
        assert_eq!(wants(&list(&[])), Err("exchange.how_many"));
        assert_eq!(wants(&list(&["profile"; 6])), Err("exchange.how_many"));
        assert_eq!(wants(&list(&["password"])), Err("exchange.unknown_want"));
        assert_eq!(wants(&list(&["document:passport"])), Err("exchange.unknown_want"));
        assert_eq!(wants(&list(&["document:form"])), Err("exchange.unknown_want"));
        assert_eq!(Want::Document(Kind::Kk).what().as_text(), format!("document:{}", Kind::Kk.names().0));
    }

    #[test]
    fn a_consent_comes_first_then_a_legal_basis_then_nothing() {
        assert_eq!(ground(Some("c1"), "UU 24/2013"), Some((Basis::Consent, "c1".into())));
        assert_eq!(ground(None, " UU 24/2013 "), Some((Basis::LegalBasis, "UU 24/2013".into())));
        assert_eq!(ground(None, "  "), None);
    }

    #[test]
    fn a_consent_covers_the_chosen_documents_only() {
        assert!(covers(Basis::Consent, &[Want::Document(Kind::Kk)]));
        assert!(!covers(Basis::Consent, &[Want::Document(Kind::Kk), Want::Profile]));
        assert!(!covers(Basis::Consent, &[Want::Documents]));
        assert!(covers(Basis::LegalBasis, &[Want::Profile, Want::Documents]));
    }

    #[test]
    fn a_request_is_fresh_for_five_minutes_either_way() {
        let now = 1_764_000_000_000;
        assert!(fresh(now / 1000, now) && fresh(now / 1000 - 300, now) && fresh(now / 1000 + 300, now));
        assert!(!fresh(now / 1000 - 301, now) && !fresh(now / 1000 + 301, now));
        assert!(!fresh(i64::MIN, now) && !fresh(i64::MAX, now), "no overflow at the ends");
    }

    #[test]
    fn a_public_key_is_32_bytes_of_base64url() {
        assert!(is_public_key("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
        assert!(!is_public_key("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="), "no padding");
        assert!(!is_public_key("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp"), "spare bits set");
        assert!(!is_public_key("11qYAYKxCrfVS+7TyWQHOg7hcvPapiMlrwIaaPcHURo"), "base64, not base64url");
        assert!(!is_public_key(""));
        let ok = ClientInput {
            agency: "bpjs-kes".into(),
            name: "Sistem kepesertaan".into(),
            public_key: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into(),
            ..Default::default()
        };
        assert!(ok.validate().is_empty());
        let fields: Vec<&str> = ClientInput::default().validate().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["agency", "name", "public_key"]);
    }
}
