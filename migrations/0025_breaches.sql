-- The personal-data breach register (breach/): an incident the mall's
-- manager records, the citizens it touched (found in the access log), and
-- when they and the supervisor were told (due 3 × 24 hours after discovery).
CREATE TABLE breaches (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The staff account whose reads are suspect ('' for every reader).
    reader_id TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    to_at BIGINT NOT NULL,
    discovered_at BIGINT NOT NULL,
    notify_by BIGINT NOT NULL,
    notified_at BIGINT,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id)
);
CREATE TABLE breach_subjects (
    mall_id TEXT NOT NULL,
    breach_id TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (mall_id, breach_id, subject_id)
);
CREATE INDEX access_log_window ON access_log (mall_id, at);
