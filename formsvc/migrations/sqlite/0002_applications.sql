-- Permit applications (PERMOHONAN). Each keeps a copy of the requirement list it was made
-- with, so later edits of the permit's content file do not change it.
CREATE TABLE applications (
    id               INTEGER PRIMARY KEY,
    nomor            TEXT NOT NULL UNIQUE,
    form_token       TEXT NOT NULL UNIQUE,
    applicant_id     INTEGER NOT NULL REFERENCES applicants(id),
    permit_slug      TEXT NOT NULL,
    permit_nama      TEXT NOT NULL,
    instansi         TEXT NOT NULL,
    unit             TEXT NOT NULL,
    jenis_permohonan TEXT NOT NULL,
    tipe_pemohon     TEXT NOT NULL CHECK (tipe_pemohon IN ('perorangan', 'perusahaan')),
    nib              TEXT,
    pemohon_json     TEXT NOT NULL,
    perusahaan_json  TEXT,
    persyaratan_json TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    submitted_at     INTEGER,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX applications_applicant ON applications(applicant_id, created_at);
CREATE INDEX applications_queue ON applications(instansi, unit, status, submitted_at);

-- Scanned documents: the file lives under the data directory with a generated name; the
-- original name is kept only as text.
CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    requirement_id TEXT NOT NULL,
    stored_name    TEXT NOT NULL UNIQUE,
    original_name  TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_at    INTEGER NOT NULL,
    catatan        TEXT,                     -- the officer's note when sent back for correction
    UNIQUE (application_id, requirement_id)
);

-- Every status change: who, when, why.
CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    at             INTEGER NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       INTEGER,
    actor_label    TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    note           TEXT
);
CREATE INDEX application_events_by_app ON application_events(application_id, at);
