-- "Dokumen saya": each citizen's document has a kind (mpp_domain::document::Kind;
-- files uploaded on a form before this are `form`) and, where it has one,
-- the last day it is valid (ISO date; empty: valid for life, as a KTP-el).
ALTER TABLE citizen_documents ADD COLUMN kind TEXT NOT NULL DEFAULT 'form';
ALTER TABLE citizen_documents ADD COLUMN expires_on TEXT NOT NULL DEFAULT '';
CREATE INDEX citizen_documents_owner ON citizen_documents (owner_id, created_at);
