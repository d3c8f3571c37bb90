-- A citizen's rights (rights/). Retention rules a mall configures: how
-- many years an application's file is kept after it closed with an
-- outcome (application:issued …), or a kind of document after its upload
-- (document:npwp …); a subject without a row keeps the domain's default
-- (mpp_domain::rights::Kept::default_years).
CREATE TABLE retention_rules (
    mall_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    years BIGINT NOT NULL,
    PRIMARY KEY (mall_id, subject)
);

-- Correction requests: routed to the agency that owns the data, answered
-- within 3 × 24 hours (answer_by).
CREATE TABLE correction_requests (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES users (id),
    agency_id TEXT NOT NULL,
    -- What it is about: the application's number, or '' for population data.
    about TEXT NOT NULL,
    wrong TEXT NOT NULL,
    correct TEXT NOT NULL,
    filed_at BIGINT NOT NULL,
    answer_by BIGINT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    answered_at BIGINT,
    answered_by TEXT,
    PRIMARY KEY (mall_id, id)
);
CREATE INDEX correction_requests_of_subject ON correction_requests (subject_id, filed_at);
CREATE INDEX correction_requests_open ON correction_requests (mall_id, status, answer_by);
