-- Breach readiness: when each officer last signed in, and officers disabled (their sessions
-- end at once and they cannot sign in again). Both NULL: never signed in / active.
ALTER TABLE officers ADD COLUMN last_login_at BIGINT;
ALTER TABLE officers ADD COLUMN disabled_at BIGINT;
