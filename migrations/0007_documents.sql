-- Citizens' documents: files a citizen uploaded (a scan of a KTP, a
-- technical drawing …). They belong to the citizen, not to an application
-- or a mall: an application's form names them by id, and a later feature
-- can reuse them across applications with the citizen's consent. The bytes
-- live on disk (files/documents/{owner}/{id}), not in the row.
CREATE TABLE citizen_documents (
    owner_id TEXT NOT NULL REFERENCES users (id),
    id TEXT NOT NULL,
    -- What it is: the form field's label when it was uploaded.
    label TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, id)
);
