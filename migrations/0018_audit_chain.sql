-- The audit trail becomes a hash chain per mall (audit/chain.rs): each
-- entry's number in its mall's chain and the SHA-256 over the previous
-- entry's hash and its own fields; the head is the chain's last entry.
-- Entries written before this migration keep no number (before the chain).
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_events_chain ON audit_events (mall_id, seq);
CREATE TABLE audit_heads (
    mall_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
