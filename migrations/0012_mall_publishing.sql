-- A mall is a draft until its manager publishes it: `mpp create-mall`
-- makes drafts, so a new mall is not public with empty headings. Malls
-- already here were public, and stay so.
ALTER TABLE malls ADD COLUMN published_at BIGINT;
UPDATE malls SET published_at = created_at;
