-- API tokens as their owner sees them on the account page: an id to name
-- one by (never the secret or its hash), and when it was last used.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
UPDATE api_tokens SET id = substr(token_hash, 1, 16);
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
