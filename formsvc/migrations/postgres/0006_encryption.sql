-- Encryption at rest. A document's object is encrypted under a key of its own; that key is
-- kept here, wrapped by the master key (key_id names which one), never beside the object.
-- Both NULL: a document stored before encryption, served as stored until
-- `sicantik key encrypt-documents` encrypts it.
ALTER TABLE documents ADD COLUMN key_id TEXT;
ALTER TABLE documents ADD COLUMN wrapped_key TEXT;
CREATE INDEX documents_key_id ON documents(key_id);

-- The NIK (or passport number) is stored sealed in nomor_identitas, and found by the keyed
-- hash here. NULL: a row written before sealing, sealed at the next start.
ALTER TABLE applicants ADD COLUMN nomor_identitas_hash TEXT;
CREATE INDEX applicants_identity_hash ON applicants(nomor_identitas_hash);
