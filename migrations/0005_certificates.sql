-- Certificates: each mall's signing keys, the certificates issued at the end
-- of an application, and their yearly decision numbers.
-- Rules: crates/mpp-domain/src/certificate.rs; code: crates/mpp/src/certificate/.

-- The service's certificate template (JSON certificate::Template).
ALTER TABLE services ADD COLUMN certificate_template TEXT NOT NULL DEFAULT '{}';

-- A mall's Ed25519 keys. The newest unretired one signs; every one stays
-- published so that certificates it signed still verify.
CREATE TABLE signing_keys (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    id TEXT NOT NULL,
    -- 32 bytes each, base64url without padding.
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    PRIMARY KEY (mall_id, id)
);

-- The year's last decision number, per mall.
CREATE TABLE certificate_numbers (
    mall_id TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (mall_id, year)
);

CREATE TABLE certificates (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    number TEXT NOT NULL,
    -- The signed content, exactly the bytes signed (canonical JSON), and
    -- its signature (base64url) by signing_keys.id = key_id.
    content TEXT NOT NULL,
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    valid_until TEXT,
    revoked_at BIGINT,
    revoked_by TEXT REFERENCES users (id),
    revoke_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, application_id),
    UNIQUE (mall_id, number),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id),
    FOREIGN KEY (mall_id, key_id) REFERENCES signing_keys (mall_id, id)
);
