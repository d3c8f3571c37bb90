-- One-time links to set a new password, sent by email: only the SHA-256 of
-- the link's secret is kept; a link works once and for 30 minutes.
-- Rules and routes: crates/mpp/src/auth/reset.rs.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);
