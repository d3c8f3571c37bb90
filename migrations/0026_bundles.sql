-- Life-event bundles (bundle/): a mall's choice of existing services filed
-- together on one form, each becoming its own application.
CREATE TABLE bundles (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    code TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_id TEXT NOT NULL,
    description_en TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, code)
);

-- A bundle's services in the order the citizen sees them; a service in a
-- bundle cannot be deleted.
CREATE TABLE bundle_services (
    mall_id TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    service_id TEXT NOT NULL,
    PRIMARY KEY (mall_id, bundle_id, position),
    UNIQUE (mall_id, bundle_id, service_id),
    FOREIGN KEY (mall_id, bundle_id) REFERENCES bundles (mall_id, id),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id)
);

-- One filing of a bundle and the applications it started, written in one
-- transaction with them. A bundle filed stays readable after the bundle
-- is changed: its applications are listed here, not re-derived.
CREATE TABLE bundle_filings (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    bundle_id TEXT NOT NULL,
    applicant_id TEXT NOT NULL REFERENCES users (id),
    filed_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, bundle_id) REFERENCES bundles (mall_id, id)
);
CREATE INDEX bundle_filings_of_applicant ON bundle_filings (applicant_id, filed_at);

CREATE TABLE bundle_filing_applications (
    mall_id TEXT NOT NULL,
    filing_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    application_id TEXT NOT NULL,
    PRIMARY KEY (mall_id, filing_id, position),
    FOREIGN KEY (mall_id, filing_id) REFERENCES bundle_filings (mall_id, id),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id)
);
