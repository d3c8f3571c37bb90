-- Fees and payments: each service's fee rule and speed tiers, the bill of
-- an application, the gateways' shared secrets, and a log of every gateway
-- callback (accepted or refused).
-- Rules: crates/mpp-domain/src/application.rs (fees) and payment.rs; code:
-- crates/mpp/src/payment/.

-- The service's fees (JSON application::Fees).
ALTER TABLE services ADD COLUMN fees TEXT NOT NULL DEFAULT '{"rule":{"kind":"free"},"tiers":[]}';

-- The speed tier the citizen paid for (its working days), if any.
ALTER TABLE applications ADD COLUMN speed_days BIGINT;

-- The bill (tagihan) of an application with a fee.
CREATE TABLE invoices (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    -- 15 digits, the last a Luhn check digit.
    billing_code TEXT NOT NULL,
    amount BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    paid_at BIGINT,
    -- counter or gateway; the teller's or gateway's reference.
    paid_channel TEXT,
    paid_reference TEXT NOT NULL DEFAULT '',
    -- The officer who recorded a counter payment.
    paid_by TEXT REFERENCES users (id),
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, application_id),
    UNIQUE (mall_id, billing_code),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id)
);

-- The secret a mall shares with its bank or QRIS gateway (HMAC-SHA256).
CREATE TABLE payment_gateways (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    secret TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id)
);

-- Every callback the webhook received, and what became of it.
CREATE TABLE payment_callbacks (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    billing_code TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, id)
);
CREATE INDEX payment_callbacks_by_time ON payment_callbacks (mall_id, received_at);
