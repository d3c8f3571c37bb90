-- Signed head statements (audit/head.rs): once a day per mall and chain
-- (the audit trail, the access log), the chain's head signed with the
-- mall's Ed25519 key as a JWS, published so that others keep copies.
CREATE TABLE chain_statements (
    mall_id TEXT NOT NULL,
    -- audit or access.
    trail TEXT NOT NULL,
    -- The mall's day it was made on (ISO date).
    day TEXT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    -- The JWS, flattened JSON serialization.
    jws TEXT NOT NULL,
    PRIMARY KEY (mall_id, trail, day)
);
