-- The visit: tickets and their daily numbers, the stretches a ticket spends
-- at each service (what statistics are built from), the calls the board
-- shows, and the state of each counter. Same conventions as 0001.

-- The mall's queue policy; a mall without a row uses the defaults in code.
CREATE TABLE queue_settings (
    mall_id TEXT PRIMARY KEY REFERENCES malls (id),
    priority_run BIGINT NOT NULL,
    quick_run BIGINT NOT NULL,
    recall_limit BIGINT NOT NULL,
    board_text_id TEXT NOT NULL DEFAULT '',
    board_text_en TEXT NOT NULL DEFAULT '',
    -- Scheduled breaks, local "HH:MM" or '' for none: every day (ishoma)
    -- and Fridays (Friday prayers). Counters call nobody during them.
    daily_break_from TEXT NOT NULL DEFAULT '',
    daily_break_to TEXT NOT NULL DEFAULT '',
    friday_break_from TEXT NOT NULL DEFAULT '',
    friday_break_to TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- The last number given per prefix and day (in the mall's time zone).
CREATE TABLE ticket_numbers (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    day TEXT NOT NULL,
    prefix TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (mall_id, day, prefix)
);

CREATE TABLE tickets (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    day TEXT NOT NULL,
    prefix TEXT NOT NULL,
    seq BIGINT NOT NULL,
    label TEXT NOT NULL,
    service_id TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'none',
    quick BIGINT NOT NULL DEFAULT 0,
    phone TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    -- When the visitor joined the current service's queue; a transfer keeps it.
    queued_at BIGINT NOT NULL,
    window_from BIGINT,
    window_to BIGINT,
    -- Set by a transfer to one counter: only that counter calls it.
    target_counter_id TEXT,
    counter_id TEXT,
    officer_id TEXT,
    called_at BIGINT,
    started_at BIGINT,
    recalls BIGINT NOT NULL DEFAULT 0,
    -- Times the officer found the visitor absent and moved on.
    skips BIGINT NOT NULL DEFAULT 0,
    -- Whether the "your turn is near" message went out.
    near_sent BIGINT NOT NULL DEFAULT 0,
    -- Services still to visit after this one, in order (space-separated ids).
    journey TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, day, prefix, seq),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id)
);
CREATE INDEX tickets_queue ON tickets (mall_id, day, status, service_id, queued_at);

-- A finished stretch of a ticket at one service.
CREATE TABLE ticket_steps (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    day TEXT NOT NULL,
    service_id TEXT NOT NULL,
    counter_id TEXT,
    officer_id TEXT,
    queued_at BIGINT NOT NULL,
    called_at BIGINT,
    started_at BIGINT,
    ended_at BIGINT NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, ticket_id) REFERENCES tickets (mall_id, id)
);
CREATE INDEX ticket_steps_by_day ON ticket_steps (mall_id, day);
-- Recent handling times of a service (the wait estimate reads the last 30).
CREATE INDEX ticket_steps_recent ON ticket_steps (mall_id, service_id, ended_at);

-- Every call and recall, newest last: what the board shows and speaks.
CREATE TABLE calls (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    counter_id TEXT NOT NULL,
    label TEXT NOT NULL,
    prefix TEXT NOT NULL,
    seq BIGINT NOT NULL,
    counter_number BIGINT NOT NULL,
    zone TEXT NOT NULL DEFAULT '',
    lane TEXT NOT NULL,
    recall BIGINT NOT NULL DEFAULT 0,
    at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, ticket_id) REFERENCES tickets (mall_id, id)
);
CREATE INDEX calls_recent ON calls (mall_id, at);
CREATE INDEX calls_by_counter ON calls (mall_id, counter_id, at);

-- Who works a counter now, and whether it is open, paused or closed.
CREATE TABLE counter_states (
    mall_id TEXT NOT NULL,
    counter_id TEXT NOT NULL,
    status TEXT NOT NULL,
    officer_id TEXT,
    since BIGINT NOT NULL,
    -- An officer asked to close while visitors wait; a manager decides.
    close_requested_by TEXT,
    close_requested_at BIGINT,
    PRIMARY KEY (mall_id, counter_id),
    FOREIGN KEY (mall_id, counter_id) REFERENCES counters (mall_id, id)
);

-- Idempotency keys of API writes (ticket and booking creation): a retried
-- request with the same key gets the first result. `resource_id` is set in
-- the same transaction that creates the resource, so a crash between the two
-- cannot make a second ticket; NULL means the first request is in flight.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    resource_id TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The notifier's outbox: one row per message and channel. A worker
-- delivers due rows and retries failures with backoff, so sending never
-- blocks the action that caused it and survives a restart.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    mall_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    ticket_id TEXT,
    to_phone TEXT NOT NULL DEFAULT '',
    to_email TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);

-- Online appointments per service: at most this many bookings a day
-- (0 turns online booking off for the service).
ALTER TABLE services ADD COLUMN booking_quota BIGINT NOT NULL DEFAULT 20;

-- A citizen's booked slot. It becomes a ticket when they check in at the
-- kiosk; one never checked in is marked a no-show after its grace period.
CREATE TABLE appointments (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    service_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    day TEXT NOT NULL,
    slot_start BIGINT NOT NULL,
    slot_end BIGINT NOT NULL,
    status TEXT NOT NULL,
    ticket_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, code),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id)
);
CREATE INDEX appointments_by_slot ON appointments (mall_id, service_id, day, status);
CREATE INDEX appointments_by_user ON appointments (user_id, status);

-- Bookings taken per slot (slot_start = 0: the whole day), raised and
-- lowered with conditional UPDATEs so two citizens can never take the last
-- place together, on either database.
CREATE TABLE booking_counts (
    mall_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    day TEXT NOT NULL,
    slot_start BIGINT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (mall_id, service_id, day, slot_start)
);
