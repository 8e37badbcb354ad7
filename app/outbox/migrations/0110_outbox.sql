-- Dossiers waiting to leave for the brokerage's intake (app/outbox). The payload is the dossier
-- JSON sealed with AES-256-GCM under the outbox key; nc_hash is an HMAC of the national code so
-- "one remote verification per national code" can be answered without storing the code in clear.
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    session_id      TEXT    NOT NULL UNIQUE,
    nc_hash         BLOB    NOT NULL,
    payload         BLOB    NOT NULL,
    created_at      INTEGER NOT NULL, -- unix ms
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, -- unix ms
    last_error      TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | refused
    delivered_at    INTEGER,
    receipt         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_nc ON outbox (nc_hash);
