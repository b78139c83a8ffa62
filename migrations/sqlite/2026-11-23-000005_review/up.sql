-- The review of declarants' entries: each version of a declaration or gift, and each
-- return, is accepted, submitted (awaiting a governance lead) or returned with a
-- comment. The public register shows each entry's latest accepted version, marked
-- is_published; entries made before review existed were made by governance leads.
ALTER TABLE declarations ADD COLUMN review TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE declarations ADD COLUMN review_comment TEXT;
ALTER TABLE declarations ADD COLUMN is_published INTEGER NOT NULL DEFAULT 0;
UPDATE declarations SET is_published = is_current;
CREATE INDEX declarations_published ON declarations (organisation_id, is_published);

ALTER TABLE gifts ADD COLUMN review TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE gifts ADD COLUMN review_comment TEXT;
ALTER TABLE gifts ADD COLUMN is_published INTEGER NOT NULL DEFAULT 0;
UPDATE gifts SET is_published = is_current;
CREATE INDEX gifts_published ON gifts (organisation_id, is_published);

ALTER TABLE returns ADD COLUMN review TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE returns ADD COLUMN review_comment TEXT;
