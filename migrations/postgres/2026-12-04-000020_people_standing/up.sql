-- A person's record added by mistake is retired (kept, gone from the register) or
-- merged into another person's record; each with the reason the chain records.
ALTER TABLE people ADD COLUMN standing TEXT NOT NULL DEFAULT 'active';
ALTER TABLE people ADD COLUMN standing_reason TEXT;
ALTER TABLE people ADD COLUMN merged_into BIGINT;
