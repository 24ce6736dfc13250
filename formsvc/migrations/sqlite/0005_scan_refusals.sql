-- Uploads the virus scanner refused: infected, not judgeable, or no verdict. The officers of
-- the application's unit see them in the console. The file itself is never kept, nor its name
-- (it may name a person): only the requirement it was for and what the scanner said.
CREATE TABLE scan_refusals (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    requirement_id TEXT NOT NULL,
    requirement    TEXT NOT NULL,            -- its name, as the application's list has it
    outcome        TEXT NOT NULL CHECK (outcome IN ('virus', 'tidak_terperiksa', 'pemindai_gagal')),
    detail         TEXT NOT NULL             -- the scanner's words: a signature, an error
);
CREATE INDEX scan_refusals_by_application ON scan_refusals(application_id);
CREATE INDEX scan_refusals_at ON scan_refusals(at);
