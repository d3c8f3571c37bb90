-- The foundation: malls and their catalogue, users, roles, sessions, audit.
-- Portable SQL: it runs unchanged on SQLite and PostgreSQL. Ids are text
-- (UUIDv7), instants are integer UTC milliseconds, money is integer rupiah,
-- calendar days are ISO text, flags are 0/1 (sqlx's Any driver cannot read SQLite booleans). Every mall-owned table leads its keys with
-- mall_id (DESIGN.md principle 4), and foreign keys between them include it.

CREATE TABLE malls (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    description_id TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    is_demo BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE opening_hours (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    weekday BIGINT NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL,
    PRIMARY KEY (mall_id, weekday)
);

CREATE TABLE agencies (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    description_id TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, code)
);

CREATE TABLE services (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    code TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    aliases TEXT NOT NULL DEFAULT '',
    summary_id TEXT NOT NULL DEFAULT '',
    summary_en TEXT NOT NULL DEFAULT '',
    requirements_id TEXT NOT NULL DEFAULT '',
    requirements_en TEXT NOT NULL DEFAULT '',
    procedure_id TEXT NOT NULL DEFAULT '',
    procedure_en TEXT NOT NULL DEFAULT '',
    completion_time_id TEXT NOT NULL DEFAULT '',
    completion_time_en TEXT NOT NULL DEFAULT '',
    sla_days BIGINT NOT NULL DEFAULT 0,
    cost_rupiah BIGINT NOT NULL DEFAULT 0,
    cost_note_id TEXT NOT NULL DEFAULT '',
    cost_note_en TEXT NOT NULL DEFAULT '',
    product_id TEXT NOT NULL DEFAULT '',
    product_en TEXT NOT NULL DEFAULT '',
    complaint_id TEXT NOT NULL DEFAULT '',
    complaint_en TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL DEFAULT 'counter',
    queue_prefix TEXT NOT NULL DEFAULT 'A',
    active BIGINT NOT NULL DEFAULT 1,
    search_text TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, code),
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);
CREATE INDEX services_by_agency ON services (mall_id, agency_id);

CREATE TABLE counters (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    zone TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, number),
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);

CREATE TABLE counter_services (
    mall_id TEXT NOT NULL,
    counter_id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    PRIMARY KEY (mall_id, counter_id, service_id),
    FOREIGN KEY (mall_id, counter_id) REFERENCES counters (mall_id, id),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id)
);

CREATE TABLE facilities (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    location_id TEXT NOT NULL DEFAULT '',
    location_en TEXT NOT NULL DEFAULT '',
    accessibility_id TEXT NOT NULL DEFAULT '',
    accessibility_en TEXT NOT NULL DEFAULT '',
    available BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id)
);

-- Days off per mall: the national calendar is copied in and stays editable.
CREATE TABLE calendar_days (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, day)
);

CREATE TABLE agreements (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    title_id TEXT NOT NULL,
    title_en TEXT NOT NULL DEFAULT '',
    signed_on TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    file_name TEXT NOT NULL DEFAULT '',
    file_type TEXT NOT NULL DEFAULT '',
    file_size BIGINT NOT NULL DEFAULT 0,
    file_sha256 TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, number),
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);

-- People are not owned by a mall: a citizen visits many, a supervisor sees all.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Grants inside one mall; agency_id is '' for mall-wide roles.
CREATE TABLE mall_roles (
    mall_id TEXT NOT NULL REFERENCES malls (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    agency_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, user_id, role, agency_id)
);
CREATE INDEX mall_roles_by_user ON mall_roles (user_id);

CREATE TABLE deployment_roles (
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Only hashes of session and API tokens are stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Append-only: nothing updates or deletes these rows.
CREATE TABLE audit_events (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, id)
);
CREATE INDEX audit_events_by_time ON audit_events (mall_id, at);
