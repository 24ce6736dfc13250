-- What every instance must share, kept in the store so it holds across instances and
-- restarts: attempt counters (rate limits and lockouts, keyed by account, identifier or
-- address) and settings such as the form-token key.
CREATE TABLE attempt_counters (
    key          TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
