-- The processing record (UU PDP Pasal 31): every time an officer opens a page that shows an
-- applicant's personal data (the registration's detail, an application's page in the console)
-- or one of their documents. The applicant reads it in Layanan Pemohon ("Riwayat akses
-- data"); the office's data protection officer exports it with `sicantik data-access export`.
-- Ids and words only: never the NIK, a name or a file name, so that the record of who looked
-- is not one more copy of what was seen.
CREATE TABLE data_access (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    applicant_id   INTEGER NOT NULL REFERENCES applicants(id),
    officer_id     INTEGER NOT NULL REFERENCES officers(id),
    officer_unit   TEXT NOT NULL,            -- the officer's unit when they looked
    kind           TEXT NOT NULL CHECK (kind IN ('registrasi', 'permohonan', 'unduh_dokumen', 'lihat_dokumen')),
    application_id INTEGER REFERENCES applications(id),
    document_id    INTEGER,                  -- no reference: a replaced document's row goes, the record stays
    requirement_id TEXT                      -- which document of the application, by its requirement
);
CREATE INDEX data_access_by_applicant ON data_access(applicant_id, at);
