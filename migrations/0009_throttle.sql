-- Failures counted per key (an account, a client address, an application
-- number) so that every server process shares them and a restart forgives
-- nothing. Rules: crates/mpp-domain/src/throttle.rs; SQL:
-- crates/mpp/src/throttle.rs. A key that names a mall's record carries the
-- mall's id in its text.
CREATE TABLE throttle_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    since BIGINT NOT NULL
);
CREATE INDEX throttle_failures_since ON throttle_failures (since);
