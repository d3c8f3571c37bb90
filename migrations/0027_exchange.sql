-- The exchange between agencies' systems (exchange/): each system an
-- agency runs is registered with its Ed25519 public key, and, where a law
-- lets it read without the citizen's consent, the mall's citation of it.
CREATE TABLE exchange_clients (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- 32 bytes, base64url (RFC 8037's `x`).
    public_key TEXT NOT NULL,
    -- '' when the system reads only under a citizen's consent.
    legal_basis TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, public_key),
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);

-- Every signed request MPP answered, with both signatures as sent (the
-- system's detached JWS over the request, the mall's over the answer) and
-- the SHA-256 of each body: either side can later prove what was asked and
-- answered. A system's jti is used once.
CREATE TABLE exchanges (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    at BIGINT NOT NULL,
    -- The citizen ('' when none was found), what was asked, on what ground.
    subject_id TEXT NOT NULL,
    wants TEXT NOT NULL,
    basis TEXT NOT NULL,
    basis_ref TEXT NOT NULL,
    -- The HTTP status answered (200, or the refusal's).
    status BIGINT NOT NULL,
    request_sha256 TEXT NOT NULL,
    request_signature TEXT NOT NULL,
    response_sha256 TEXT NOT NULL,
    response_signature TEXT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, client_id, jti),
    FOREIGN KEY (mall_id, client_id) REFERENCES exchange_clients (mall_id, id)
);
