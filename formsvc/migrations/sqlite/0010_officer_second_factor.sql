-- Officers sign in with a second factor (TOTP, RFC 6238). The secret is sealed like an
-- identity number; `totp_pending` holds the one shown at enrolment until a code confirms it.
-- `totp_last_step` is the last 30-second step a code was accepted for: a code is accepted
-- once, on whichever instance it reaches first.
ALTER TABLE officers ADD COLUMN totp_secret TEXT;
ALTER TABLE officers ADD COLUMN totp_pending TEXT;
ALTER TABLE officers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- One-time recovery codes, kept only as hashes.
CREATE TABLE officer_recovery_codes (
    officer_id INTEGER NOT NULL REFERENCES officers(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (officer_id, code_hash)
);
