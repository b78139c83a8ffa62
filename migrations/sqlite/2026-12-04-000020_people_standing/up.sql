-- A person's record added by mistake is retired (kept, gone from the register) or
-- merged into another person's record; each with the reason the chain records.
ALTER TABLE people ADD COLUMN standing TEXT NOT NULL DEFAULT 'active';
ALTER TABLE people ADD COLUMN standing_reason TEXT;
ALTER TABLE people ADD COLUMN merged_into BIGINT;

-- The day each person was added, from the date of their record's first audit entry: a
-- new person's first annual confirmation is not due until a grace period after it.
ALTER TABLE people ADD COLUMN added_on TEXT;
UPDATE people SET added_on = (
    SELECT substr(a.at, 1, 10) FROM audit_entries a
    WHERE a.organisation_id = people.organisation_id AND a.entity = 'person'
      AND a.action = 'create' AND a.entity_id = CAST(people.id AS TEXT)
);
