-- Person-level lockouts that outlive a session: keyed hashes (HMAC under a key derived from the
-- store key) of a locked-out person's national code and mobile number, never the values.
CREATE TABLE IF NOT EXISTS person_locks (
    hash  BLOB PRIMARY KEY,
    until INTEGER NOT NULL -- Unix ms
);
CREATE INDEX IF NOT EXISTS person_locks_until ON person_locks (until);
