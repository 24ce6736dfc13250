-- The applicant's right to deletion (UU PDP Pasal 8 and 16): a request from Layanan Pemohon,
-- handled by an officer of the applicant's instansi. The row stays after processing, as the
-- record that the request was made and answered; it names the registration by its number and
-- loses the link to the account, which is erased.
CREATE TABLE deletion_requests (
    id           INTEGER PRIMARY KEY,
    applicant_id INTEGER REFERENCES applicants(id),   -- NULL once processed
    instansi     TEXT NOT NULL,
    nomor        TEXT NOT NULL,                        -- the registration's number
    status       TEXT NOT NULL CHECK (status IN ('diajukan', 'dibatalkan', 'selesai')),
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   INTEGER REFERENCES officers(id)
);
CREATE INDEX deletion_requests_by_applicant ON deletion_requests(applicant_id, requested_at);
CREATE INDEX deletion_requests_waiting ON deletion_requests(instansi, status, requested_at);
-- An erased account whose finished applications the archive schedule keeps: the row stays
-- (the applications reference it) with every personal field emptied, and nothing can sign in
-- to it or find it.
ALTER TABLE applicants ADD COLUMN erased_at INTEGER;

-- The right to correction of what identifies the person (name, identity number): the applicant
-- asks with a reason, an officer of their instansi approves (the account changes) or refuses
-- with a reason the applicant reads. A number asked for is kept sealed like the account's.
CREATE TABLE identity_corrections (
    id           INTEGER PRIMARY KEY,
    applicant_id INTEGER NOT NULL REFERENCES applicants(id),
    instansi     TEXT NOT NULL,
    field        TEXT NOT NULL CHECK (field IN ('nama', 'nomor_identitas')),
    nilai        TEXT NOT NULL,
    alasan       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('diajukan', 'disetujui', 'ditolak')),
    alasan_tolak TEXT,
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    decided_by   INTEGER REFERENCES officers(id)
);
CREATE INDEX identity_corrections_by_applicant ON identity_corrections(applicant_id, requested_at);
CREATE INDEX identity_corrections_waiting ON identity_corrections(instansi, status, requested_at);

-- Officers who may disable other officers of their instansi from the console
-- (`sicantik officer add --admin`). Every officer before this is not one.
ALTER TABLE officers ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));
