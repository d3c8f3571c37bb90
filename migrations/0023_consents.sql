-- Consent per purpose (consent/): a citizen lets one agency of a mall use
-- their kept documents for one purpose (an application, by its number)
-- until a day; withdrawing sets withdrawn_at and stops further reads at
-- once. Rows are never deleted: they are the record of what was allowed.
CREATE TABLE consents (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES users (id),
    agency_id TEXT NOT NULL,
    -- application (purpose_ref: its number).
    purpose TEXT NOT NULL,
    purpose_ref TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    -- The last day it holds (ISO date).
    until_day TEXT NOT NULL,
    withdrawn_at BIGINT,
    PRIMARY KEY (mall_id, id)
);
CREATE INDEX consents_of_subject ON consents (subject_id, granted_at);
CREATE INDEX consents_of_purpose ON consents (mall_id, purpose, purpose_ref);
