//! Signed head statements: once a day (the mall's day), each mall's audit
//! trail and access log head — its last entry's number and hash — is
//! signed with the mall's Ed25519 key as a JWS (RFC 7515, flattened JSON
//! serialization; `alg` `Ed25519`, RFC 9864; the key is the one the mall
//! publishes for certificates, `kid` naming it in its JWKS) and published
//! at `/api/v1/malls/{slug}/chain-heads`. Whoever keeps a copy can later
//! prove the chain was not rewritten: `mpp audit verify --statements DIR`
//! checks each statement's signature, then that the chain in the database
//! still has, at the statement's number, the statement's hash (a chain
//! recomputed after an edit has other hashes from the edit on).

use super::chain::Trail;
use super::store;
use crate::certificate::keys;
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::tenancy::MallId;

/// What a statement says (the JWS payload).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Statement {
    /// Always `mpp-chain-head/1`.
    pub kind: String,
    pub mall_id: MallId,
    pub mall: String,
    pub trail: Trail,
    /// The mall's day it was made on (ISO date).
    pub day: String,
    /// The chain's last entry then (0 and "" before the first).
    pub seq: i64,
    pub hash: String,
    /// UTC milliseconds.
    pub at: i64,
}

const KIND: &str = "mpp-chain-head/1";

/// A JWS in the flattened JSON serialization (RFC 7515 §7.2.2).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Jws {
    /// Base64url of `{"alg":"Ed25519","kid":…}`.
    pub protected: String,
    /// Base64url of the statement's JSON.
    pub payload: String,
    /// Base64url Ed25519 signature over `protected.payload`.
    pub signature: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    alg: String,
    kid: String,
}

fn sign(key: &keys::MallKey, s: &Statement) -> AppResult<Jws> {
    let header = Header { alg: "Ed25519".into(), kid: key.id.clone() };
    let json = |v: Result<String, serde_json::Error>| v.map_err(|e| AppError::Internal(e.into()));
    let protected = keys::encode(json(serde_json::to_string(&header))?.as_bytes());
    let payload = keys::encode(json(serde_json::to_string(s))?.as_bytes());
    let signature = key.sign(format!("{protected}.{payload}").as_bytes());
    Ok(Jws { protected, payload, signature })
}

/// The statement a JWS carries and the key id it names, without checking
/// the signature; `None` if it is not one of ours.
pub fn read(jws: &Jws) -> Option<(Statement, String)> {
    let header: Header = serde_json::from_slice(&keys::decode(&jws.protected)?).ok()?;
    let s: Statement = serde_json::from_slice(&keys::decode(&jws.payload)?).ok()?;
    (header.alg == "Ed25519" && s.kind == KIND).then_some((s, header.kid))
}

/// Makes today's statements (by each mall's day) that are not made yet:
/// how many. Run by the server's housekeeping; two processes make one.
pub async fn sign_due(state: &AppState) -> AppResult<usize> {
    let mut made = 0;
    for mall in crate::tenancy::store::list(&state.db).await? {
        let day = mpp_domain::format::iso_date(state.clock.today(mall.zone()));
        for trail in Trail::ALL {
            if !store::statement_made(&state.db, &mall.id, trail, &day).await? {
                made += usize::from(sign_now(state, &mall, trail, &day).await?);
            }
        }
    }
    Ok(made)
}

async fn sign_now(state: &AppState, mall: &Mall, trail: Trail, day: &str) -> AppResult<bool> {
    let (keys, now, day) = (state.keys.clone(), state.clock.now_ms(), day.to_string());
    let (mall_id, slug) = (mall.id.clone(), mall.slug.clone());
    state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                // The head is locked while the statement is made: it names an entry that exists.
                let (seq, hash) = store::take_head(conn, trail, &mall_id).await?;
                let key = keys::current(conn, &keys, &mall_id, &slug, now).await?;
                let s = Statement { kind: KIND.into(), mall_id, mall: slug, trail, day, seq, hash, at: now };
                let jws = sign(&key, &s)?;
                store::insert_statement(conn, &s, &jws).await
            })
        })
        .await
}

pub use store::statements;

/// What checking one statement found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Signed by the mall's key, and the chain still has its hash.
    Holds { mall_id: MallId, trail: Trail, day: String, seq: i64 },
    /// Not a statement, or not signed by a key the mall publishes.
    Unsigned,
    /// Signed, but the chain has another hash at its number (or none):
    /// the chain was rewritten after the statement.
    Rewritten { mall_id: MallId, trail: Trail, day: String, seq: i64 },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Holds { mall_id, trail, day, seq } => {
                write!(f, "mall {mall_id}, {} of {day}: entry {seq} as signed", trail.name())
            }
            Finding::Unsigned => write!(f, "not a statement signed by the mall's key"),
            Finding::Rewritten { mall_id, trail, day, seq } => write!(
                f,
                "mall {mall_id}, {}: entry {seq} is not the one signed on {day}: the chain was rewritten",
                trail.name()
            ),
        }
    }
}

/// Checks a statement against the mall's published keys and its chain.
pub async fn check(db: &crate::db::Db, jws: &Jws) -> AppResult<Finding> {
    let Some((s, kid)) = read(jws) else { return Ok(Finding::Unsigned) };
    let Some(public) = keys::public_key(&mut Conn::Read(db), &s.mall_id, &kid).await? else {
        return Ok(Finding::Unsigned);
    };
    if !keys::verify(&public, format!("{}.{}", jws.protected, jws.payload).as_bytes(), &jws.signature) {
        return Ok(Finding::Unsigned);
    }
    let stored = if s.seq == 0 { Some(String::new()) } else { store::hash_at(db, s.trail, &s.mall_id, s.seq).await? };
    let Statement { mall_id, trail, day, seq, .. } = s.clone();
    Ok(if stored.as_deref() == Some(s.hash.as_str()) {
        Finding::Holds { mall_id, trail, day, seq }
    } else {
        Finding::Rewritten { mall_id, trail, day, seq }
    })
}

/// Reads a statement from a file's text.
pub fn parse(text: &str) -> AppResult<Jws> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(anyhow::anyhow!("not a JWS in JSON: {e}")))
}
