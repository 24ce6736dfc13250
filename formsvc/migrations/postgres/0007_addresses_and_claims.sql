-- Documents are reached by a random address rather than their sequential id, so that one
-- document's link tells nothing of another's. Rows from before get one each.
ALTER TABLE documents ADD COLUMN alamat TEXT;
UPDATE documents SET alamat = replace(gen_random_uuid()::text, '-', '') WHERE alamat IS NULL;
ALTER TABLE documents ALTER COLUMN alamat SET NOT NULL;
CREATE UNIQUE INDEX documents_alamat ON documents(alamat);

-- Which worker of which instance holds a claim, so that a restarted instance takes back its
-- predecessor's claims at once instead of waiting out their lease.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
