-- Who of a step's agency decides it: any officer ('officer') or only its
-- admins ('agency_admin', e.g. the head's signature). Set on the service's
-- workflow and copied onto each application's steps when it is filed.
-- Rules: crates/mpp-domain/src/application.rs (StepRole).
ALTER TABLE workflow_steps ADD COLUMN role TEXT NOT NULL DEFAULT 'officer';
ALTER TABLE application_steps ADD COLUMN role TEXT NOT NULL DEFAULT 'officer';
