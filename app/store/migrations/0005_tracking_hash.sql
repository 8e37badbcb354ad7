-- Operator mode finds a session by the applicant's SEJAM tracking code (issue 15) without the
-- code in clear: tracking_hash is HMAC-SHA256 under a key derived from the store key that sealed
-- the row (see store.trackingHash), NULL once the session is wiped or has no code yet. Rows of an
-- older database are filled from their sealed records in this migration's transaction (Go code
-- run after this file, see store.Open).
ALTER TABLE sessions ADD COLUMN tracking_hash BLOB;
CREATE INDEX IF NOT EXISTS sessions_tracking ON sessions (tracking_hash);
