-- The audit chain becomes keyed (issue 18): hash = HMAC-SHA256(chain key, prev_hash ‖
-- canonical(seq, at, session_id, kind, subject, detail)), the chain key derived from the store key
-- that key_id names; media rows hold a keyed hash of the file instead of its SHA-256. Rows of an
-- older database have key_id '' here: the store verifies their SHA-256 chain and re-keys them in
-- this migration's transaction (Go code run after this file, see store.Open).
ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS audit_session ON audit (session_id, kind, subject);
