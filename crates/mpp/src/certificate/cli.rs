//! `mpp verify FILE.pdf`: checks a certificate file the way a bank or
//! another office would. It reads the signed content and signature the
//! file carries, checks the signature against the mall's published key,
//! checks that the QR code leads to the certificate's own page, draws the
//! file again from what was signed and compares every byte (so nothing
//! printed can have changed), then asks the register whether it was
//! revoked or has expired.
//!
//! The keys and the register are fetched from `--server` (pin it to the
//! mall's official address), or else from the address the certificate
//! names.

use super::{keys, pdf, store};
use mpp_domain::certificate::Verdict;

/// The verdict and the reasons behind it, a line each.
pub struct Outcome {
    pub verdict: Verdict,
    pub lines: Vec<String>,
}

impl Outcome {
    fn forged(why: impl Into<String>) -> Outcome {
        Outcome { verdict: Verdict::Forged, lines: vec![why.into()] }
    }

    /// The process exit code: 0 valid, 2 forged, 3 revoked, 4 expired (1
    /// stays for "could not check").
    pub fn exit_code(&self) -> i32 {
        match self.verdict {
            Verdict::Valid => 0,
            Verdict::Forged => 2,
            Verdict::Revoked => 3,
            Verdict::Expired => 4,
        }
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = url[after..].find('/').map_or(url.len(), |i| after + i);
    Some(&url[..end])
}

pub async fn verify(bytes: &[u8], server: Option<&str>) -> anyhow::Result<Outcome> {
    let Some(found) = pdf::extract(bytes) else {
        return Ok(Outcome::forged("the file carries no MPP certificate"));
    };
    let Some(content) = store::parse(&found.content) else {
        return Ok(Outcome::forged("the certificate's content is unreadable"));
    };
    let base = match server.or_else(|| origin(&found.verify_url)) {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => anyhow::bail!("no server to check against: pass --server"),
    };
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20)).build()?;
    let jwks: serde_json::Value = http
        .get(format!("{base}/api/v1/malls/{}/signing-keys", content.mall))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let key = jwks["keys"].as_array().into_iter().flatten().find(|k| k["kid"] == content.kid.as_str());
    let Some(public) = key.and_then(|k| k["x"].as_str()) else {
        return Ok(Outcome::forged(format!("{base} publishes no key {} for mall {}", content.kid, content.mall)));
    };
    if !keys::verify(public, found.content.as_bytes(), &found.signature) {
        return Ok(Outcome::forged("the signature does not match the content: the certificate was altered"));
    }
    let page = format!("/m/{}/sertifikat/{}?t={}", content.mall, content.id, found.signature);
    let leads_to = origin(&found.verify_url).filter(|o| format!("{o}{page}") == found.verify_url);
    let Some(leads_to) = leads_to else {
        return Ok(Outcome::forged("the QR code does not lead to this certificate's page: the file was altered"));
    };
    if leads_to != base {
        return Ok(Outcome::forged(format!("the QR code leads to {leads_to}, not to {base}")));
    }
    if content.v != 1 {
        return Ok(Outcome::forged(format!("format version {} is not one MPP issues", content.v)));
    }
    let issued = pdf::render(&content, &found.signature, &found.verify_url);
    if issued != bytes {
        let why = match pdf::extract(&issued).and_then(|i| pdf::first_difference(&found.shown, &i.shown)) {
            Some((copy, signed)) if signed.is_empty() => {
                format!("the file prints \"{copy}\", which the signed certificate does not: it was altered")
            }
            Some((copy, signed)) => {
                format!("the page prints \"{copy}\" where the signed certificate says \"{signed}\": it was altered")
            }
            None => "the file differs from the certificate as issued: it was altered".to_string(),
        };
        return Ok(Outcome::forged(why));
    }
    let register: serde_json::Value = http
        .get(format!("{base}/api/v1/malls/{}/certificates/{}", content.mall, content.id))
        .query(&[("signature", found.signature.as_str())])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let verdict = register["status"].as_str().and_then(Verdict::parse).unwrap_or(Verdict::Forged);
    let mut lines = vec![
        format!("{} {}", content.title, content.number),
        format!("holder: {}", content.holder),
        format!("issued by {} ({}), {}", content.agency, content.mall_name, content.issued),
        format!("valid until: {}", content.valid_until.as_deref().unwrap_or("no expiry")),
        format!("signature: Ed25519, key {} published at {base}", content.kid),
    ];
    match verdict {
        Verdict::Revoked => lines.push(format!("revoked: {}", register["revoke_reason"].as_str().unwrap_or(""))),
        Verdict::Forged => lines.push("the register does not hold this certificate as signed".into()),
        Verdict::Expired | Verdict::Valid => {}
    }
    Ok(Outcome { verdict, lines })
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(origin("http://127.0.0.1:8080/m/ttu/sertifikat/x?t=y"), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("https://mpp.example.go.id"), Some("https://mpp.example.go.id"));
        assert_eq!(origin("nonsense"), None);
    }
}
