-- Applications (permohonan): each service's form and workflow, filed
-- applications, their steps, the pauses of their clock and their timeline.
-- Rules: crates/mpp-domain/src/application.rs and form.rs.

-- The service's application form (JSON list of form::FieldDef) and whether
-- it asks for a risk level (risk-based routing of the workflow).
ALTER TABLE services ADD COLUMN form_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN risk_based BIGINT NOT NULL DEFAULT 0;

-- One step of a service's workflow. Steps sharing a stage run in parallel.
CREATE TABLE workflow_steps (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    service_id TEXT NOT NULL,
    stage BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    sla_days BIGINT NOT NULL,
    -- Risk levels routed through this step, space-separated; '' for all.
    risks TEXT NOT NULL DEFAULT '',
    -- Approved by itself when its deadline passes (fiktif positif).
    deemed_approval BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id) ON DELETE CASCADE,
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);
CREATE INDEX workflow_steps_by_service ON workflow_steps (mall_id, service_id, stage);

-- The day's last registration number, per mall.
CREATE TABLE application_numbers (
    mall_id TEXT NOT NULL,
    day TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (mall_id, day)
);

CREATE TABLE applications (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL,
    service_id TEXT NOT NULL,
    -- The citizen (a user account; citizens belong to no mall).
    applicant_id TEXT NOT NULL REFERENCES users (id),
    applicant_name TEXT NOT NULL,
    applicant_nik TEXT NOT NULL DEFAULT '',
    -- online or counter; filed_by is the officer who filed at a counter.
    channel TEXT NOT NULL,
    filed_by TEXT REFERENCES users (id),
    ticket_id TEXT,
    -- The form's values (JSON object of text values).
    form TEXT NOT NULL,
    risk TEXT,
    status TEXT NOT NULL,
    -- The open stage, an index into the application's route.
    stage BIGINT NOT NULL DEFAULT 0,
    filed_day TEXT NOT NULL,
    sla_days BIGINT NOT NULL,
    due_day TEXT NOT NULL,
    -- Why it was sent back, while it is with the citizen.
    correction TEXT NOT NULL DEFAULT '',
    filed_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    PRIMARY KEY (mall_id, id),
    UNIQUE (mall_id, number),
    FOREIGN KEY (mall_id, service_id) REFERENCES services (mall_id, id)
);
CREATE INDEX applications_by_applicant ON applications (applicant_id, filed_at);
CREATE INDEX applications_by_status ON applications (mall_id, status, due_day);

-- The steps of one application, copied from the workflow when it was filed
-- (a later change to the workflow does not move applications under way).
CREATE TABLE application_steps (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    stage BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name_id TEXT NOT NULL,
    name_en TEXT NOT NULL,
    agency_id TEXT NOT NULL,
    sla_days BIGINT NOT NULL,
    deemed_approval BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES users (id),
    opened_day TEXT,
    due_day TEXT,
    decided_at BIGINT,
    decided_by TEXT REFERENCES users (id),
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id),
    FOREIGN KEY (mall_id, agency_id) REFERENCES agencies (mall_id, id)
);
CREATE INDEX application_steps_of ON application_steps (mall_id, application_id, stage);
CREATE INDEX application_steps_inbox ON application_steps (mall_id, agency_id, status, due_day);

-- Stretches when the application was with the citizen (the clock stood still).
CREATE TABLE application_pauses (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    from_day TEXT NOT NULL,
    to_day TEXT,
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id)
);
CREATE INDEX application_pauses_of ON application_pauses (mall_id, application_id);

-- The timeline: every action on an application, who and when. Append-only.
CREATE TABLE application_events (
    mall_id TEXT NOT NULL,
    id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    -- NULL when the system acted (a deemed approval).
    actor_id TEXT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    step_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mall_id, id),
    FOREIGN KEY (mall_id, application_id) REFERENCES applications (mall_id, id)
);
CREATE INDEX application_events_of ON application_events (mall_id, application_id, at);
