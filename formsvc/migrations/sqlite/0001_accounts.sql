-- Applicants: a registration is an applicant row in state 'menunggu' until an officer decides.
CREATE TABLE applicants (
    id              INTEGER PRIMARY KEY,
    nomor           TEXT NOT NULL UNIQUE,           -- registration number shown to the applicant
    form_token      TEXT NOT NULL UNIQUE,           -- one registration per DAFTAR form shown
    status          TEXT NOT NULL CHECK (status IN ('menunggu', 'aktif', 'ditolak')),
    username        TEXT NOT NULL,
    email           TEXT NOT NULL,
    nama            TEXT NOT NULL,
    instansi        TEXT NOT NULL,
    unit            TEXT NOT NULL,
    tipe_identitas  TEXT NOT NULL,
    nomor_identitas TEXT NOT NULL,
    jenis_kelamin   TEXT NOT NULL,
    tempat_lahir    TEXT NOT NULL,
    tanggal_lahir   TEXT NOT NULL,
    pekerjaan       TEXT NOT NULL,
    npwp            TEXT,
    telepon         TEXT NOT NULL,
    alamat          TEXT NOT NULL,
    kabupaten       TEXT NOT NULL,
    kode_pos        TEXT NOT NULL,
    password_hash   TEXT,
    alasan_tolak    TEXT,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      INTEGER REFERENCES officers(id)
);
-- A rejected registration frees its username and email for a new attempt.
CREATE UNIQUE INDEX applicants_username ON applicants(username) WHERE status != 'ditolak';
CREATE UNIQUE INDEX applicants_email ON applicants(lower(email)) WHERE status != 'ditolak';
CREATE INDEX applicants_waiting ON applicants(instansi, status, created_at);

CREATE TABLE officers (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    nama          TEXT NOT NULL,
    email         TEXT NOT NULL,
    instansi      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
);

-- Server-side sessions; the cookie holds the token, the table only its hash.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('pemohon', 'petugas')),
    user_id      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

-- Single-use emailed links (set password, reset password); stored hashed.
CREATE TABLE link_tokens (
    token_hash   TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL CHECK (purpose IN ('atur_sandi', 'reset_sandi')),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('pemohon', 'petugas')),
    subject_id   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);

-- Every email is written here in the transaction that causes it; the outbox worker sends it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    instansi        TEXT,                    -- whose officers see it when it fails
    status          TEXT NOT NULL CHECK (status IN ('antre', 'terkirim', 'gagal')) DEFAULT 'antre',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    instansi    TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    INTEGER,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    detail      TEXT
);
CREATE INDEX audit_instansi ON audit(instansi, at);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
