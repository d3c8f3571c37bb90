-- The mall's own devices (kiosks, display boards), registered by a manager
-- and enrolled once with a one-time code; the device is then known by a
-- secret cookie, of which only the SHA-256 is kept. Rules:
-- crates/mpp-domain/src/device.rs; SQL: crates/mpp/src/device/store.rs.
CREATE TABLE devices (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- The one-time enrolment code (hashed) and until when it holds.
    enrol_code_hash TEXT,
    enrol_until BIGINT,
    -- The device's cookie (hashed), once enrolled.
    token_hash TEXT,
    enrolled_at BIGINT,
    last_seen_at BIGINT,
    revoked_at BIGINT,
    revoked_by TEXT,
    PRIMARY KEY (mall_id, id)
);
CREATE UNIQUE INDEX devices_by_token ON devices (token_hash);
CREATE UNIQUE INDEX devices_by_code ON devices (enrol_code_hash);

-- Tickets any browser may take per client address per hour (0: only the
-- mall's enrolled kiosks issue tickets).
ALTER TABLE queue_settings ADD COLUMN anonymous_kiosk_per_hour BIGINT NOT NULL DEFAULT 0;
