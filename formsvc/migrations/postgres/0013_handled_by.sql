-- "Saya tangani": the officer who took an application from the unit's queue, so that two
-- officers do not review the same one; NULL while nobody has. The queue shows the name.
ALTER TABLE applications ADD COLUMN handled_by BIGINT REFERENCES officers(id);
