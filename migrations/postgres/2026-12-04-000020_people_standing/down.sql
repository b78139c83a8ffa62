ALTER TABLE people DROP COLUMN added_on;
ALTER TABLE people DROP COLUMN merged_into;
ALTER TABLE people DROP COLUMN standing_reason;
ALTER TABLE people DROP COLUMN standing;
