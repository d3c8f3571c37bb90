-- The access log: every read of a citizen's personal data by someone
-- other than the citizen (an officer, an agency's system), written before
-- the data is shown. Append-only and hash-chained per mall like the audit
-- trail (audit/chain.rs), with its own heads. The citizen's history page
-- reads it by subject across malls.
CREATE TABLE access_log (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- Whose data (users.id of the citizen).
    subject_id TEXT NOT NULL,
    -- Who read it, and for which agency (its name when read).
    reader_id TEXT NOT NULL,
    reader_name TEXT NOT NULL,
    reader_agency TEXT NOT NULL,
    -- What was read (mpp_domain::access::What, as text).
    what TEXT NOT NULL,
    -- Why: the purpose's kind (application, ticket, consent, legal_basis),
    -- which one, and the reader's words where a reveal asks for them.
    purpose TEXT NOT NULL,
    purpose_ref TEXT NOT NULL,
    reason TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, seq)
);
CREATE INDEX access_log_subject ON access_log (subject_id, at);
CREATE TABLE access_heads (
    mall_id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
