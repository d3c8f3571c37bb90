//! The audit trail and the access log as hash chains per mall. Each entry
//! carries its number in its mall's chain and `hash = SHA-256(previous
//! hash, its fields)`; the mall's head (`audit_heads`, `access_heads`)
//! holds the last number and hash, so a removed last entry shows too.
//! `mpp audit verify` walks every chain and names the first entry that
//! does not follow: edited, removed, inserted or moved. (Someone who can
//! write the database can also recompute a whole chain; the signed head
//! statements kept outside it, `head.rs`, are what prove that.)

use mpp_domain::tenancy::MallId;
use sha2::{Digest, Sha256};

/// The two chains every mall keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trail {
    /// Every change (`audit_events`).
    Audit,
    /// Every read of a citizen's data by someone else (`access_log`).
    Access,
}

impl Trail {
    pub const ALL: [Trail; 2] = [Trail::Audit, Trail::Access];

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Trail::Audit => "audit",
            Trail::Access => "access",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Trail::Audit => "audit trail",
            Trail::Access => "access log",
        }
    }
}

/// An entry of a chain.
pub trait Chained {
    fn seq(&self) -> i64;
    fn id(&self) -> &str;
    fn at(&self) -> i64;
    /// Its fields, in the order they are hashed.
    fn fields(&self) -> Vec<String>;

    /// The entry's hash after `previous` (empty for the first). Every field
    /// goes in with its length first, so no two different entries read the
    /// same.
    fn hash(&self, previous: &str) -> String {
        let mut h = Sha256::new();
        for field in std::iter::once(previous.to_string()).chain(self.fields()) {
            h.update(field.len().to_string().as_bytes());
            h.update(b":");
            h.update(field.as_bytes());
        }
        crate::auth::hex(&h.finalize())
    }
}

/// An audit entry's fields as they are hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub mall_id: MallId,
    pub seq: i64,
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: String,
    pub after_json: String,
}

impl Chained for Link {
    fn seq(&self) -> i64 {
        self.seq
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn at(&self) -> i64 {
        self.at
    }
    fn fields(&self) -> Vec<String> {
        vec![
            self.mall_id.to_string(),
            self.seq.to_string(),
            self.id.clone(),
            self.at.to_string(),
            self.actor_id.clone(),
            self.actor_name.clone(),
            self.action.clone(),
            self.entity.clone(),
            self.entity_id.clone(),
            self.before_json.clone(),
            self.after_json.clone(),
        ]
    }
}

/// What is wrong with a chain: the first entry that does not follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The entry's fields or its place changed since it was written.
    Altered { seq: i64, id: String },
    /// Entry number `seq` is gone (a later one follows a gap).
    Missing { seq: i64 },
    /// The chain's last entry is not the one its head names (entries
    /// removed from its end, or added after it).
    Head { last: i64, head: i64 },
    /// An entry outside the chain, written after the chain began.
    Inserted { id: String },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::Altered { seq, id } => write!(f, "entry {seq} ({id}) was altered or moved"),
            Break::Missing { seq } => write!(f, "entry {seq} is missing"),
            Break::Head { last, head } => write!(f, "the chain ends at entry {last}, its head says {head}"),
            Break::Inserted { id } => write!(f, "entry {id} was inserted outside the chain"),
        }
    }
}

/// Checks a mall's chain: its entries in number order, each with the hash
/// stored beside it; the head's (number, hash); and the (id, time) of the
/// mall's entries without a number, which must be older than the chain.
/// The first break, if any.
pub fn check<L: Chained>(
    chain: &[(L, String)],
    head: Option<(i64, &str)>,
    unnumbered: &[(String, i64)],
) -> Option<Break> {
    let mut previous = String::new();
    for (expected, (link, stored)) in (1..).zip(chain) {
        if link.seq() != expected {
            return Some(Break::Missing { seq: expected });
        }
        let hash = link.hash(&previous);
        if hash != *stored {
            return Some(Break::Altered { seq: link.seq(), id: link.id().to_string() });
        }
        previous = hash;
    }
    let last = chain.last().map_or(0, |(l, _)| l.seq());
    let (head_seq, head_hash) = head.unwrap_or((0, ""));
    if head_seq != last || head_hash != previous {
        return Some(Break::Head { last, head: head_seq });
    }
    let began = chain.first().map(|(l, _)| l.at())?;
    unnumbered.iter().find(|(_, at)| *at > began).map(|(id, _)| Break::Inserted { id: id.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<(Link, String)> {
        let mut out: Vec<(Link, String)> = Vec::new();
        let mut previous = String::new();
        for seq in 1..=n {
            let link = Link {
                mall_id: MallId::new("m"),
                seq,
                id: format!("e{seq}"),
                at: 1000 * seq,
                actor_id: "u".into(),
                actor_name: "Admin <a@x>".into(),
                action: "update".into(),
                entity: "service".into(),
                entity_id: "s".into(),
                before_json: String::new(),
                after_json: format!("{{\"n\":{seq}}}"),
            };
            previous = link.hash(&previous);
            out.push((link, previous.clone()));
        }
        out
    }

    fn head(c: &[(Link, String)]) -> Option<(i64, &str)> {
        c.last().map(|(l, h)| (l.seq, h.as_str()))
    }

    /// Every kind of tampering is named at its first entry.
    #[test]
    fn an_edited_removed_moved_or_added_entry_breaks_the_chain_where_it_is() {
        let good = chain(4);
        assert_eq!(check(&good, head(&good), &[("old".into(), 500)]), None);
        assert_eq!(check::<Link>(&[], None, &[("old".into(), 500)]), None, "no chain yet");

        let mut edited = good.clone();
        edited[1].0.after_json = "{\"n\":9}".into();
        assert_eq!(check(&edited, head(&good), &[]), Some(Break::Altered { seq: 2, id: "e2".into() }));
        // Length-prefixed: moving a character between two fields changes the hash.
        let mut shifted = good.clone();
        shifted[2].0.action = "updat".into();
        shifted[2].0.entity = "eservice".into();
        assert_eq!(check(&shifted, head(&good), &[]), Some(Break::Altered { seq: 3, id: "e3".into() }));

        let mut removed = good.clone();
        removed.remove(1);
        assert_eq!(check(&removed, head(&good), &[]), Some(Break::Missing { seq: 2 }));
        let last_gone = &good[..3];
        assert_eq!(check(last_gone, head(&good), &[]), Some(Break::Head { last: 3, head: 4 }));

        let mut swapped = good.clone();
        swapped.swap(0, 1);
        (swapped[0].0.seq, swapped[1].0.seq) = (1, 2);
        assert_eq!(check(&swapped, head(&good), &[]), Some(Break::Altered { seq: 1, id: "e2".into() }));

        let longer = chain(5);
        assert_eq!(check(&longer, head(&good), &[]), Some(Break::Head { last: 5, head: 4 }));
        assert_eq!(check(&good, head(&good), &[("late".into(), 2500)]), Some(Break::Inserted { id: "late".into() }));
    }
}
