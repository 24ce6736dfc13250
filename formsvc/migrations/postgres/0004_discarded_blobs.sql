-- Objects of the document store that no row names any more (a replaced or removed document).
-- They are deleted a grace period later, not at once, so that a backup whose database copy
-- still names one can copy it.
CREATE TABLE discarded_blobs (
    name         TEXT PRIMARY KEY,
    discarded_at BIGINT NOT NULL     -- milliseconds
);
CREATE INDEX discarded_blobs_at ON discarded_blobs(discarded_at);
